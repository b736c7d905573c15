import { basename, join, resolve } from 'node:path';
import { calibrationFor, readArtifact } from '../../calibration/artifact.js';
import { sha256 } from '../../core/canonical.js';
import { UsageError } from '../../core/errors.js';
import { createJudge, parseJudgeSpec } from '../../judges/create.js';
import type { Judge } from '../../judges/types.js';
import { batchCallers, prepareBatch } from '../../models/batch/rounds.js';
import { loadPrices, PRICES_AS_OF, type Price, priceOf } from '../../models/pricing.js';
import type { ModelSpec } from '../../models/registry.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import { createRuntime, type ModelRuntime } from '../../models/runtime.js';
import { fmtEstimate, fmtUsage, formatCost, table } from '../../render/text.js';
import { resolveRubric } from '../../rubrics/load.js';
import {
  ASSUMED_OUTPUT_TOKENS,
  type EstimatedJudge,
  estimateRun,
  type JudgeEstimate,
} from '../../score/estimate.js';
import { judgeField, runScore } from '../../score/run.js';
import type { ScoreSummary } from '../../score/summary.js';
import { runThroughBatches } from '../batch.js';
import { startRun } from '../interrupt.js';
import type { JudgeFlags, ScoreFlags } from '../specs/score.js';

export function judgeSpecs(flags: { judge?: string; judges?: string }): string[] {
  if (flags.judge && flags.judges) throw new UsageError('give either --judge or --judges, not both');
  const list = (flags.judges ?? flags.judge ?? 'lexicon')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError('--judges names no judge');
  return list;
}

/** runs/<input name>.<rubric>.<judge>.scores.jsonl in the working directory: never beside the input. */
function defaultOut(
  input: string,
  rubricId: string,
  specs: string[],
  shard?: { k: number; n: number },
): string {
  const name = input === '-' ? 'stdin' : basename(input).replace(/\.jsonl$/, '');
  const part = shard ? `.shard-${shard.k}-of-${shard.n}` : '';
  return join('runs', `${name}.${rubricId}.${judgeSlug(specs)}${part}.scores.jsonl`);
}

/**
 * The judge in a default output name (`openai-gpt-4.1-mini`, `lexicon`, `panel-of-3-1a2b3c`), so
 * a run with another judge never replaces an earlier one's scores.
 */
export function judgeSlug(specs: string[]): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9.+-]+/g, '-').replace(/^-+|-+$/g, '');
  if (specs.length === 1) return slug(specs[0]!);
  return `panel-of-${specs.length}-${sha256(specs.join(',')).slice(0, 6)}`;
}

/** The run-wide pieces every API judge of a run shares: cache, budget, limits, circuit, counter. */
/** The flags a judge's runtime is made from. */
export type RuntimeFlags = Pick<
  JudgeFlags,
  | 'baseUrl'
  | 'cache'
  | 'cacheDir'
  | 'temperature'
  | 'seed'
  | 'reasks'
  | 'timeout'
  | 'maxRetries'
  | 'maxCost'
  | 'rpm'
  | 'tpm'
>;

export function runtimeFor(flags: RuntimeFlags, prices: Record<string, Price>): ModelRuntime {
  return createRuntime({
    ...connection(flags, prices),
    params: { temperature: flags.temperature, seed: flags.seed },
    reasks: flags.reasks,
    maxCostUsd: flags.maxCost,
    rpm: flags.rpm,
    tpm: flags.tpm,
  });
}

/** What every command that calls models takes from its API flags: server, cache, timeouts, prices. */
export function connection(
  flags: Pick<JudgeFlags, 'baseUrl' | 'cache' | 'cacheDir' | 'timeout' | 'maxRetries'>,
  prices: Record<string, Price>,
) {
  return {
    baseUrl: flags.baseUrl,
    cacheDir: flags.cache ? resolve(flags.cacheDir) : null,
    timeoutMs: flags.timeout,
    maxRetries: flags.maxRetries,
    prices,
  };
}

/**
 * Before anything is sent: a budget needs a price for every paid model, and several samples at
 * temperature 0 are near-identical (said once, not an error).
 */
export function checkJudgeSettings(
  flags: Pick<JudgeFlags, 'maxCost' | 'samples' | 'temperature'>,
  parsed: ModelSpec[],
  prices: Record<string, Price>,
): void {
  if (flags.maxCost !== undefined) {
    const local = new Set(['ollama', 'openai-compatible', 'lexicon']);
    const missing = parsed
      .filter((p) => !local.has(p.provider) && !priceOf(p.model, prices))
      .map((p) => p.model);
    if (missing.length)
      throw new UsageError(`--max-cost needs a price for ${missing.join(', ')}: add it with --prices FILE`);
  }
  if (flags.samples > 1 && flags.temperature === 0 && parsed.some((p) => p.provider !== 'lexicon')) {
    process.stderr.write(
      'plumb: note: --samples > 1 at temperature 0 gives near-identical samples; consider --temperature 0.7 for self-consistency\n',
    );
  }
}

/** What to say, and the exit code, when a run stopped early or failed; null when it completed. */
export function reportIncomplete(
  result: { stoppedBecause: string | null; failure: string | null; outPath: string | null },
  runtime: ModelRuntime,
  flags: JudgeFlags,
  doneText: string,
): boolean {
  if (result.stoppedBecause) {
    const why =
      result.stoppedBecause === 'provider'
        ? `the judge cannot answer: ${runtime.circuit?.reason}`
        : result.stoppedBecause === 'budget'
          ? `the --max-cost budget of $${flags.maxCost} would have been exceeded ($${runtime.budget?.spentUsd.toFixed(4)} spent)`
          : result.stoppedBecause;
    process.stderr.write(
      `plumb: stopped: ${why}, after ${doneText}; ` +
        `what is done is in ${result.outPath ?? 'the judge cache'}. Re-run the same command to resume from the cache.\n`,
    );
    process.exitCode = result.stoppedBecause === 'interrupted' ? 130 : 1;
    return true;
  }
  if (result.failure) {
    process.stderr.write(
      `plumb: failed: ${result.failure}. Nothing was published${result.outPath ? `; the judged items are in ${result.outPath}` : ''}.\n`,
    );
    process.exitCode = 1;
    return true;
  }
  return false;
}

/** Why a run stops early: a provider that cannot answer, or the budget. */
export function stopReasonOf(runtime: ModelRuntime): () => string | null {
  return () => (runtime.circuit?.reason ? 'provider' : runtime.budget?.exhausted ? 'budget' : null);
}

export async function scoreCommand(flags: ScoreFlags): Promise<void> {
  const rubric = await resolveRubric(flags.rubric);
  const specs = judgeSpecs(flags);
  const parsed = specs.map(parseJudgeSpec);
  const prices = await loadPrices(flags.prices);
  if (flags.dryRun) return dryRun(flags, rubric, specs, prices);

  checkJudgeSettings(flags, parsed, prices);
  assertBaseUrlUsed(flags.baseUrl, specs);
  const runtime = runtimeFor(flags, prices);
  if (flags.batch) prepareBatch(runtime, [flags.input]);
  const judges: Judge[] = [];
  for (const spec of specs) judges.push(await createJudge(spec, runtime));
  const out = flags.out ?? defaultOut(flags.input, rubric.id, specs, flags.shard);
  const calibration = flags.calibration
    ? calibrationFor(
        flags.calibration,
        await readArtifact(flags.calibration),
        rubric,
        judgeField(judges, flags.samples),
      )
    : null;

  const { signal, progress, end } = startRun(`score ${rubric.id}@${rubric.version}`, runtime.circuit!.signal);
  try {
    const run = (final: boolean) =>
      runScore({
        rubric,
        judges,
        input: flags.input,
        // a batch run's first pass only collects the calls to send: it writes nothing
        out: final ? out : null,
        summaryPath: final ? (flags.summary ?? null) : null,
        samples: flags.samples,
        concurrency: flags.concurrency,
        calibration,
        minScored: final ? flags.minScored : 0,
        signal,
        stopReason: stopReasonOf(runtime),
        httpRequests: () => runtime.http!.requests,
        onProgress: final ? (p) => progress.update(p) : undefined,
        shard: flags.shard ?? null,
      });
    const fingerprint = { command: 'score', rubric: rubric.hash, judges: judges.map((j) => j.stamp) };
    const result = await runThroughBatches(
      flags,
      { runtime, callers: batchCallers(judges), out, fingerprint, signal },
      run,
    );
    progress.stop();
    if (!result) return;
    if (reportIncomplete(result, runtime, flags, `${result.summary.n.total} items`)) return;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${renderSummary(result.summary)}\n`);
    process.stdout.write(
      `\nscores: ${result.outPath}${flags.summary ? `\nsummary: ${flags.summary}` : ''}\n`,
    );
  } finally {
    end();
  }
}

/** The human-readable end-of-run summary. */
export function renderSummary(s: ScoreSummary): string {
  const judge = Array.isArray(s.judge)
    ? s.judge.map((j) => `${j.provider}:${j.model}`).join(', ')
    : `${s.judge.provider}:${s.judge.model}`;
  const lines = [
    `rubric ${s.rubric.id}@${s.rubric.version} (sha256 ${s.rubric.hash.slice(0, 12)}…)  judge ${judge}`,
    `items ${s.n.total}: ${s.n.scored} scored, ${s.n.unscored} unscored${
      s.n.unscored
        ? ` (${Object.entries(s.n.unscored_by_kind)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }; ${s.requests} requests, ${fmtUsage(s.usage)}`,
    ...(s.clustered
      ? [
          `intervals are cluster-robust: ${s.clustered.clusters} clusters by ${s.clustered.by} (items without one are their own)`,
        ]
      : []),
    '',
    table(
      ['criterion', 'n', 'mean [95% CI]'],
      [
        ...Object.entries(s.criteria).map(([name, e]) => [name, String(e.n), fmtEstimate(e)]),
        ['overall', String(s.overall.n), fmtEstimate(s.overall)],
      ],
    ),
  ];
  if (s.calibrated) {
    const cal = s.comparability.calibration;
    lines.push(
      '',
      `calibrated onto the human scale${cal ? ` (artifact sha256 ${cal.hash.slice(0, 12)}…, ${cal.criterion})` : ''}: mean [95% CI]`,
      table(
        ['criterion', 'n', 'calibrated mean [95% CI]'],
        [
          ...Object.entries(s.calibrated.criteria).map(([name, e]) => [name, String(e.n), fmtEstimate(e)]),
          ...(s.calibrated.overall.n
            ? [['overall', String(s.calibrated.overall.n), fmtEstimate(s.calibrated.overall)]]
            : []),
        ],
      ),
    );
  }
  for (const [name, idx] of Object.entries(s.indices)) {
    lines.push('', `${name.toUpperCase()} by condition (0–1, mean [95% CI])`);
    lines.push(
      table(
        ['role', 'personalization', 'n', name.toUpperCase()],
        [
          ...idx.conditions.map((c) => [c.role, c.personalization, String(c.n), fmtEstimate(c)]),
          ['all', '', String(idx.overall.n), fmtEstimate(idx.overall)],
        ],
      ),
    );
  }
  return lines.join('\n');
}

/** `--dry-run`'s judges: lexicon costs nothing; every other judge is priced by its model. */
export function dryRunJudges(specs: string[]): EstimatedJudge[] {
  return specs.map((s) => {
    const p = parseJudgeSpec(s);
    return {
      name: s,
      model: p.provider === 'lexicon' ? null : p.model,
      batch: p.provider === 'openai' || p.provider === 'anthropic',
    };
  });
}

async function dryRun(
  flags: ScoreFlags,
  rubric: Awaited<ReturnType<typeof resolveRubric>>,
  specs: string[],
  prices: Awaited<ReturnType<typeof loadPrices>>,
) {
  const est = await estimateRun({
    rubric,
    input: flags.input,
    judges: dryRunJudges(specs),
    samples: flags.samples,
    prices,
  });
  printDryRun(
    flags.json,
    `${est.items} items × ${flags.samples} sample(s) with ${rubric.id}@${rubric.version}`,
    { items: est.items },
    est.judges,
  );
}

/** Prints a dry run's estimate: a table, or JSON with `--json`. */
export function printDryRun(
  json: boolean | undefined,
  what: string,
  counts: Record<string, number>,
  judges: JudgeEstimate[],
): void {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ dry_run: true, ...counts, judges, assumed_output_tokens: ASSUMED_OUTPUT_TOKENS, prices_as_of: PRICES_AS_OF }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(
    `dry run: nothing sent. ${what}\n\n` +
      table(
        ['judge', 'requests', 'input tokens', 'output tokens (est.)', 'cost (est.)', 'with --batch'],
        judges.map((j) => [
          j.judge,
          String(j.requests),
          String(j.input_tokens),
          String(j.output_tokens),
          formatCost(j.cost_usd),
          j.batch_cost_usd === null ? 'no batch API' : formatCost(j.batch_cost_usd),
        ]),
      ) +
      `\n\nInput tokens counted with o200k_base; output assumed ${ASSUMED_OUTPUT_TOKENS} tokens a reply; re-asks, cache hits and prompt-cache discounts not included; --batch bills at half price. Prices as of ${PRICES_AS_OF} (override with --prices).\n`,
  );
}
