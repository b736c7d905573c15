import { basename, join } from 'node:path';
import { UNSPECIFIED } from '../../core/conditions.js';
import { UsageError } from '../../core/errors.js';
import { type ReadableInput, readableInput } from '../../io/input.js';
import { createJudge, parseJudgeSpec } from '../../judges/create.js';
import { renderPairwisePrompt } from '../../judges/pairwise-prompt.js';
import type { PairJudge } from '../../judges/pairwise-types.js';
import { exportAgainstHalf } from '../../mixed/share-export.js';
import { batchCallers, prepareBatch } from '../../models/batch/rounds.js';
import { loadPrices } from '../../models/pricing.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import type { RequestProfile } from '../../models/request-profile.js';
import type { AgainstHalfGroup } from '../../pairwise/against-half.js';
import {
  contrastPairs,
  joinedFiles,
  type PairSource,
  pairsFile,
  parseContrast,
} from '../../pairwise/inputs.js';
import { readPairs } from '../../pairwise/pair-lines.js';
import {
  type OrdersMode,
  orderDrawer,
  type PairwiseRunResult,
  positionsByModel,
  runPairwise,
} from '../../pairwise/run.js';
import type { PairwiseSummary, Rates, Share } from '../../pairwise/summary.js';
import { renderRExport } from '../../render/r-export.js';
import { fmtEstimate, fmtUsage, table } from '../../render/text.js';
import { resolvePairwiseRubric } from '../../rubrics/load.js';
import type { PairwiseRubric } from '../../rubrics/pairwise.js';
import { estimatePrompts } from '../../score/estimate.js';
import { SHARE_INTERVAL } from '../../stats/cluster-share.js';
import { runThroughBatches } from '../batch.js';
import { startRun } from '../interrupt.js';
import type { PairwiseFlags } from '../specs/pairwise.js';
import { requestProfileFor } from './generate.js';
import {
  checkJudgeSettings,
  dryRunJudges,
  judgeSlug,
  judgeSpecs,
  printDryRun,
  reportIncomplete,
  runtimeFor,
  stopReasonOf,
} from './score.js';

/** The pairs the flags name: a pairs file, two responses files, or one file split by a field. */
export async function pairSourceFor(
  flags: Pick<PairwiseFlags, 'input' | 'a' | 'b' | 'contrast' | 'match'>,
  readable?: ReadableInput,
): Promise<PairSource> {
  if (flags.a && flags.b) return joinedFiles(flags.a, flags.b);
  const input = flags.input!;
  // a pipe or stdin is read from its spooled copy (it could not be read twice), named as given
  const path = readable?.path ?? input;
  if (flags.contrast) {
    const match = flags.match
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    return contrastPairs(path, parseContrast(flags.contrast), match, input);
  }
  return pairsFile(path, input);
}

/** runs/<input name>.<rubric>.<judge>.pairwise.jsonl in the working directory. */
function defaultOut(flags: RunFlags, rubricId: string, specs: string[]): string {
  const from = flags.input ?? `${basename(flags.a!).replace(/\.jsonl$/, '')}-vs-${basename(flags.b!)}`;
  return join(
    'runs',
    `${basename(from).replace(/\.jsonl$/, '')}.${rubricId}.${judgeSlug(specs)}.pairwise.jsonl`,
  );
}

/** The flags with what --preset chooses filled in: a rubric, an orders mode, a request profile. */
type RunFlags = PairwiseFlags & { rubric: string; orders: OrdersMode; requestProfile: RequestProfile };

/**
 * `--preset kelley-riedl-2026` is the released judge: the goal-alignment rubric as released, R's
 * order draw and the R code's bodies — each one still the flag's when given. Under R's draw with
 * the R bodies nothing would read `--seed` (no order is drawn from it, no body carries it), so a
 * seed given there is refused rather than ignored.
 */
function withPreset(flags: PairwiseFlags, specs: string[]): RunFlags {
  const resolved: RunFlags = {
    ...flags,
    rubric: flags.rubric ?? 'goal_alignment_pairwise',
    orders: flags.orders ?? (flags.preset ? 'r-sample' : 'both'),
    requestProfile: requestProfileFor(specs, flags),
  };
  if (resolved.orders === 'r-sample' && resolved.requestProfile === 'goalpref-r' && flags.seed !== 0)
    throw new UsageError(
      `--seed ${flags.seed} would be ignored: --orders r-sample draws with R's set.seed(456), as the released judge, and the goalpref-r bodies send no seed (--orders random draws from --seed)`,
    );
  return resolved;
}

export async function pairwiseCommand(given: PairwiseFlags): Promise<void> {
  const specs = judgeSpecs(given);
  const flags = withPreset(given, specs);
  const rubric = await resolvePairwiseRubric(flags.rubric);
  const prices = await loadPrices(flags.prices);
  // the pairs are read twice (checked, then judged): a pipe is spooled to a file first
  const readable = flags.input && !(flags.a && flags.b) ? await readableInput(flags.input) : undefined;
  try {
    await judgePairs(flags, rubric, specs, prices, await pairSourceFor(flags, readable));
  } finally {
    await readable?.dispose();
  }
}

async function judgePairs(
  flags: RunFlags,
  rubric: PairwiseRubric,
  specs: string[],
  prices: Awaited<ReturnType<typeof loadPrices>>,
  source: PairSource,
): Promise<void> {
  if (flags.dryRun) return dryRun(flags, rubric, source, specs, prices);
  checkJudgeSettings(flags, specs.map(parseJudgeSpec), prices);
  assertBaseUrlUsed(flags.baseUrl, specs);
  const runtime = runtimeFor(flags, prices);
  if (flags.batch) prepareBatch(runtime, [flags.input, flags.a, flags.b]);
  const judges: PairJudge[] = [];
  for (const spec of specs) judges.push(await createJudge(spec, runtime, { profile: flags.requestProfile }));
  const out = flags.out ?? defaultOut(flags, rubric.id, specs);

  const { signal, progress, end } = startRun(
    `pairwise ${rubric.id}@${rubric.version}`,
    runtime.circuit!.signal,
  );
  try {
    const run = (final: boolean) =>
      runPairwise({
        rubric,
        judges,
        source,
        // a batch run's first pass only collects the calls to send: it writes nothing
        out: final ? out : null,
        summaryPath: final ? (flags.summary ?? null) : null,
        orders: flags.orders,
        samples: flags.samples,
        seed: flags.seed,
        concurrency: flags.concurrency,
        minScored: final ? flags.minScored : 0,
        signal,
        stopReason: stopReasonOf(runtime),
        httpRequests: () => runtime.http!.requests,
        onProgress: final ? (p) => progress.update(p) : undefined,
      });
    const fingerprint = {
      command: 'pairwise',
      rubric: rubric.hash,
      judges: judges.map((j) => j.pairStamp()),
    };
    const result = await runThroughBatches(
      flags,
      { runtime, callers: batchCallers(judges), out, fingerprint, signal },
      run,
    );
    progress.stop();
    if (!result) return;
    if (reportIncomplete(result, runtime, flags, `${result.summary.n.total} pairs`)) return;
    await printResult(flags, result, source);
  } finally {
    end();
  }
}

/** A finished run: the export for R when asked, then the summary (JSON or the tables) and where the files are. */
async function printResult(flags: RunFlags, result: PairwiseRunResult, source: PairSource): Promise<void> {
  // a complete run published its pair lines (the CLI always names an --out)
  const outPath = result.outPath!;
  const exported = flags.export
    ? await exportAgainstHalf({
        dir: flags.export.dir,
        pairs: await readPairs(outPath),
        reported: result.summary.against_half,
        source: outPath,
        inputs: [
          ...source.inputs,
          { flag: '--out', path: outPath },
          ...(flags.summary ? [{ flag: '--summary', path: flags.summary }] : []),
        ],
      })
    : null;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${renderPairwiseSummary(result.summary)}\n`);
  process.stdout.write(`\npairs: ${outPath}${flags.summary ? `\nsummary: ${flags.summary}` : ''}\n`);
  if (exported)
    process.stdout.write(
      renderRExport(
        exported.exported.map((e) => ({ ...e, label: e.group })),
        exported.skipped.map((s) => ({ label: s.group, note: s.note })),
      ),
    );
}

async function dryRun(
  flags: RunFlags,
  rubric: PairwiseRubric,
  source: PairSource,
  specs: string[],
  prices: Awaited<ReturnType<typeof loadPrices>>,
) {
  const drawOrders = orderDrawer(flags.orders, flags.seed);
  const prompts = (async function* () {
    const position = positionsByModel();
    for await (const pair of source.pairs())
      for (const order of drawOrders(pair, position(pair))) yield renderPairwisePrompt(rubric, pair, order);
  })();
  const judges = await estimatePrompts(prompts, dryRunJudges(specs), flags.samples, prices);
  const perPair = flags.orders === 'both' ? 2 : 1;
  printDryRun(
    flags.json,
    `${source.count} pairs × ${perPair} order(s) × ${flags.samples} sample(s) with ${rubric.id}@${rubric.version}`,
    { pairs: source.count },
    judges,
  );
}

const pct = (e: Share) => fmtEstimate(e);

const fmtP = (p: number) => (p < 0.0001 ? p.toExponential(2) : p.toFixed(4));

/** The test against 50 %: one row per model × dataset × role of a baseline-vs-treatment contrast. */
export function renderAgainstHalf(groups: AgainstHalfGroup[]): string[] {
  const g0 = groups[0]!;
  const keys = (['model', 'dataset', 'role'] as const).filter((k) => groups.some((g) => g[k] !== null));
  const lines = [
    `Share preferring ${g0.field} = ${g0.treatment} over ${g0.baseline}, tested against 50 % (decided pairs; undecided pairs excluded and counted; Wilson 95% CI; exact binomial p; GLMM y ~ 1 + (1 | question), Wald z)`,
    table(
      [...keys, 'decided', 'undecided', 'share [95% CI]', 'binom p', 'β (SE)', 'z', 'p'],
      groups.map((g) => [
        ...keys.map((k) => g[k] ?? '—'),
        String(g.decided),
        String(g.undecided.orders_disagree + g.undecided.split_vote),
        fmtEstimate({ value: g.share, ci: g.wilson95, n: g.decided }),
        g.binom ? fmtP(g.binom.p) : '—',
        g.glmm
          ? `${g.glmm.estimate.toFixed(3)} (${g.glmm.se.toFixed(3)})${g.glmm.model === 'logistic' ? ' †' : ''}`
          : '—',
        g.glmm ? g.glmm.z.toFixed(2) : '—',
        g.glmm ? fmtP(g.glmm.p) : '—',
      ]),
    ),
  ];
  if (groups.some((g) => g.glmm?.model === 'logistic'))
    lines.push(
      '† every question once (or one question): the plain logistic intercept stands in for the GLMM',
    );
  for (const g of groups)
    if (g.glmm?.singular)
      lines.push(
        `note: ${keys.map((k) => g[k]).join(' / ') || 'all'}: singular fit — the question variance is estimated at zero, so the GLMM reduces to the plain logistic intercept`,
      );
    else if (!g.glmm && g.notes.length)
      lines.push(`note: ${keys.map((k) => g[k]).join(' / ') || 'all'}: ${g.notes[0]}`);
  return lines;
}

function ratesRow(label: string[], r: Rates): string[] {
  return [...label, String(r.n), pct(r.a), pct(r.tie), pct(r.b), String(r.inconsistent)];
}

/** The condition fields worth a column: those some pair specifies (a contrast removes its own field). */
function conditionColumns(s: PairwiseSummary): ('role' | 'personalization')[] {
  return (['role', 'personalization'] as const).filter((f) => s.conditions.some((c) => c[f] !== UNSPECIFIED));
}

/** The human-readable end-of-run summary of a pairwise run. */
export function renderPairwiseSummary(s: PairwiseSummary): string {
  const judge = Array.isArray(s.judge)
    ? s.judge.map((j) => `${j.provider}:${j.model}`).join(', ')
    : `${s.judge.provider}:${s.judge.model}`;
  const interval =
    s.clustered_by !== null
      ? `${SHARE_INTERVAL}, clustered by ${s.clustered_by} (${s.overall.a.clusters ?? s.overall.n} clusters)`
      : SHARE_INTERVAL;
  const columns = conditionColumns(s);
  const lines = [
    `rubric ${s.rubric.id}@${s.rubric.version} (sha256 ${s.rubric.hash.slice(0, 12)}…)  judge ${judge}  orders ${s.orders}${s.forced_choice ? '  forced choice' : ''}`,
    `pairs ${s.n.total}: ${s.n.judged} judged${
      s.n.undecided
        ? `, ${s.n.undecided} undecided (${Object.entries(s.n.undecided_by_kind)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}; forced choice: no verdict, not a failure)`
        : ''
    }, ${s.n.unscored} unscored${
      s.n.unscored
        ? ` (${Object.entries(s.n.unscored_by_kind)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }; ${s.requests} requests, ${fmtUsage(s.usage)}`,
    ...s.notes.map((n) => `note: ${n}`),
    '',
    `Verdicts (share of pairs, ${interval}; an inconsistent pair counts as a tie)`,
    table(
      [...(columns.length ? columns : ['pairs']), 'n', 'A preferred', 'tie', 'B preferred', 'inconsistent'],
      [
        ...(columns.length
          ? s.conditions.map((c) =>
              ratesRow(
                columns.map((f) => c[f]),
                c,
              ),
            )
          : []),
        ratesRow(['all', ...columns.slice(1).map(() => '')], s.overall),
      ],
    ),
  ];
  if (s.orders === 'both') {
    lines.push(
      '',
      `position consistency ${pct(s.position.consistency)} (pairs with the same verdict in both orders, n = ${s.position.consistency.n})`,
      `first-position pick rate ${pct(s.position.first_position)} (decisive verdicts for the response shown first; 0.5 = no position bias, n = ${s.position.first_position.n})`,
    );
  }
  if (s.against_half?.length) lines.push('', ...renderAgainstHalf(s.against_half));
  if (s.systems) {
    lines.push('', 'Bradley–Terry strengths (log-odds, mean 0; bootstrap 95% CIs)');
    lines.push(
      table(
        ['system', 'comparisons', 'strength [95% CI]'],
        s.systems.bradley_terry.map((e) => [
          e.system,
          String(e.comparisons),
          e.strength === null ? '—' : fmtEstimate({ value: e.strength, ci: e.ci, n: e.comparisons }),
        ]),
      ),
    );
    if (s.systems.reason) lines.push(`note: ${s.systems.reason}`);
  }
  return lines.join('\n');
}
