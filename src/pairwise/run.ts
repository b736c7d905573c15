import { createHash } from 'node:crypto';
import { InputError } from '../core/errors.js';
import { gitStamp } from '../core/git.js';
import { AtomicLineWriter, commitTogether } from '../io/atomic.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import { missingTemplateFields } from '../judges/pairwise-prompt.js';
import type { Order, PairItem, PairJudge, PairResult } from '../judges/pairwise-types.js';
import type { Unscored } from '../judges/types.js';
import { isForcedChoice, type PairwiseRubric } from '../rubrics/pairwise.js';
import { stampOf } from '../rubrics/schema.js';
import { completed, describeFailures, type JobVerdict, runJobs } from '../runs/job-loop.js';
import { countHttp } from '../score/summary.js';
import { R_JUDGE_SEED, RRandom, rAbOrder } from '../stats/r-random.js';
import {
  type CombineRules,
  combineOrder,
  combinePair,
  isUndecided,
  type OrderOutcome,
  type PairOutcome,
  sumAccounting,
} from './combine.js';
import type { PairSource } from './inputs.js';
import { type PairwiseSummary, PairwiseSummaryBuilder } from './summary.js';

export type OrdersMode = PairwiseSummary['orders'];

export interface PairwiseOptions {
  rubric: PairwiseRubric;
  judges: PairJudge[];
  source: PairSource;
  out: string | null;
  summaryPath?: string | null;
  orders: OrdersMode;
  samples: number;
  /** Seeds `--orders random` and the bootstrap. */
  seed: number;
  concurrency: number;
  /** A run that judges fewer pairs than this is a failure (default 1). */
  minScored?: number;
  signal?: AbortSignal;
  stopReason?: () => string | null;
  httpRequests?: () => number;
  onProgress?: (p: { done: number; total: number; unscored: number; costUsd: number | null }) => void;
}

export interface PairwiseRunResult {
  summary: PairwiseSummary;
  complete: boolean;
  stoppedBecause: string | null;
  failure: string | null;
  outPath: string | null;
}

/**
 * The orders pairs are shown in, pair after pair: both (AB and BA: position bias cancels and is
 * measured), one drawn at random per pair from the seed (cheaper: the bias averages out over pairs
 * but is not measured), one per pair as GoalPref-Bench's judge draws it (`r-sample`), or always
 * AB (for inputs already randomised upstream).
 *
 * `random` hashes the seed with the pair's id, so a pair gets the same order whatever else is in
 * the run. `r-sample` is the released R code's draw, byte for byte: `set.seed(456)` once, then
 * `sample(c("generic_is_A", "personalized_is_A"), 1)` for each pair in input order
 * (evaluate_alignment.R 29 and 152–154) — side A is the generic reply, so "generic_is_A" is AB.
 * It depends on the pair's position (0-based `index`) among the pairs of its model, not on when it
 * is asked: R judges one responses file per model, each from `set.seed(456)`.
 */
export function orderDrawer(mode: OrdersMode, seed: number): (pair: PairItem, index: number) => Order[] {
  if (mode === 'both') return () => ['AB', 'BA'];
  if (mode === 'ab') return () => ['AB'];
  if (mode === 'r-sample') {
    const r = new RRandom(R_JUDGE_SEED);
    const drawn: Order[] = [];
    return (_pair, index) => {
      while (drawn.length <= index) drawn.push(rAbOrder(r) === 'generic_is_A' ? 'AB' : 'BA');
      return [drawn[index]!];
    };
  }
  return (pair) => {
    const byte = createHash('sha256').update(`${seed}\u0000${pair.id}`).digest()[0]!;
    return [byte & 1 ? 'BA' : 'AB'];
  };
}

/** Numbers pairs 0, 1, 2, … within each `metadata.model` (one count when no pair names a model). */
export function positionsByModel(): (pair: PairItem) => number {
  const seen = new Map<string, number>();
  return (pair) => {
    const model = String(pair.metadata.model ?? '');
    const n = seen.get(model) ?? 0;
    seen.set(model, n + 1);
    return n;
  };
}

/** The stamp on pairwise lines: one judge, or a panel (the rubric names its prompt's path). */
export function pairJudgeField(judges: PairJudge[], samples: number, rubric?: PairwiseRubric) {
  if (judges.length === 1) return { ...judges[0]!.pairStamp(rubric), samples };
  return {
    provider: 'panel',
    model: judges.map((j) => j.name).join(','),
    samples,
    members: judges.map((j) => j.pairStamp(rubric)),
  };
}

/**
 * A rubric that writes its own prompt (`user_template`) needs fields some pairs may not have (a
 * metadata field, a user message): every pair is checked before any judge is paid, and the first
 * one that cannot be rendered is an input error naming the pair and the field.
 */
async function checkTemplateFields(rubric: PairwiseRubric, judges: PairJudge[], source: PairSource) {
  if (rubric.user_template === undefined) return;
  // the lexicon judge reads the responses only: it needs no prompt
  if (judges.every((j) => j.readsPrompt === false)) return;
  for await (const pair of source.pairs()) {
    const missing = missingTemplateFields(rubric, pair);
    if (missing.length)
      throw new InputError(
        source.label,
        undefined,
        `pair "${pair.id}" cannot fill ${missing.join(', ')} of ${rubric.id}@${rubric.version}'s prompt (${missing
          .map((f) =>
            f === '{user_message}'
              ? 'its conversation has no user message'
              : `its ${f.slice(1, -1)} is missing or not a string`,
          )
          .join('; ')})`,
      );
  }
}

const emptySide = (pair: PairItem): Unscored | null => {
  const empty = [
    pair.a.trim() === '' ? 'response_a' : null,
    pair.b.trim() === '' ? 'response_b' : null,
  ].filter(Boolean);
  if (empty.length === 0) return null;
  return {
    ok: false,
    error: {
      kind: 'empty_response',
      message: `${empty.join(' and ')} is empty: there is nothing to compare`,
    },
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    cached: false,
    requests: 0,
  };
};

/**
 * Judges every pair in the orders asked for, K samples each, with one judge or a panel; writes
 * one line per pair (in input order) and a summary. As `score`: outputs are written beside their
 * targets and replace them together only when every pair is done and at least `minScored` were
 * judged; answers are cached, so a re-run after an interruption pays for nothing twice.
 */
export async function runPairwise(o: PairwiseOptions): Promise<PairwiseRunResult> {
  const { rubric, judges } = o;
  for (const j of judges) j.assertSupportsPairwise(rubric);
  await checkTemplateFields(rubric, judges, o.source);
  const rules: CombineRules = { forcedChoice: isForcedChoice(rubric) };
  refuseOutputsOverInputs(
    [
      ...(o.out ? [{ flag: '--out', path: o.out }] : []),
      ...(o.summaryPath ? [{ flag: '--summary', path: o.summaryPath }] : []),
    ],
    o.source.inputs,
  );
  const judgeStamp = pairJudgeField(judges, o.samples, rubric);
  const summary = new PairwiseSummaryBuilder({
    rubric: stampOf(rubric),
    judge: judges.length === 1 ? judges[0]!.pairStamp(rubric) : judges.map((j) => j.pairStamp(rubric)),
    orders: o.orders,
    samples: o.samples,
    notes: o.source.notes,
    seed: o.seed,
    forcedChoice: isForcedChoice(rubric),
  });
  const { writers, writer, summaryWriter, abandonAll } = await openOutputs(o.out, o.summaryPath ?? null);

  const drawOrders = orderDrawer(o.orders, o.seed);
  // each pair's position among its model's pairs, for the orders that depend on it
  const position = new WeakMap<PairItem, number>();
  const numbered = numberedPairs(o.source, position);
  const judgePair = (pair: PairItem) =>
    judgeInOrders(pair, drawOrders(pair, position.get(pair)!), { ...o, rules });

  const loop = await runJobs({
    items: numbered,
    total: o.source.count,
    unit: 'pairs',
    work: judgePair,
    verdict: pairVerdict,
    record: async (outcome, pair) => {
      summary.add(pair, outcome);
      if (writer) await writer.write(JSON.stringify(pairLine(pair, outcome, rubric, judgeStamp, o.orders)));
    },
    concurrency: o.concurrency,
    signal: o.signal,
    stopReason: o.stopReason,
    writers,
    onProgress: (p) =>
      o.onProgress?.({ done: p.done, total: p.total, unscored: p.failed, costUsd: p.costUsd }),
  });
  const { done, failed: unscored, stoppedBecause, firstError } = loop;

  const judged = done - unscored;
  const allDone = loop.allDone;
  const minScored = o.minScored ?? 1;
  const failure =
    allDone && judged < minScored
      ? `${judged} of ${o.source.count} pairs judged (fewer than --min-scored ${minScored})${describeFailures(firstError, summary.unscoredCounts())}`
      : null;
  const complete = allDone && failure === null;
  const built: PairwiseSummary = {
    ...summary.build({
      input: o.source.label,
      output: writer ? (complete ? writer.path : writer.partialPath) : null,
    }),
    git: await gitStamp(),
  };
  countHttp(built, o.httpRequests);
  if (!complete) {
    await abandonAll();
    return { summary: built, complete: false, stoppedBecause, failure, outPath: writer?.partialPath ?? null };
  }
  await publish({ writers, summaryWriter, abandonAll }, built);
  return completed(built, writer?.path ?? null);
}

/** What a judged pair means for the run: stop (Ctrl-C, the budget), or done — failed when unjudged. */
function pairVerdict(outcome: PairOutcome): JobVerdict {
  const kind = outcome.error?.kind;
  if (kind === 'interrupted' || kind === 'budget_exceeded')
    return { stop: kind === 'interrupted' ? 'interrupted' : 'budget' };
  // a forced-choice pair whose orders (or votes) disagree was judged: it is not a failure
  const failed = outcome.verdict === null && !isUndecided(outcome.error);
  return { failed, error: outcome.error, costUsd: outcome.usage.cost_usd };
}

/** A complete run: the summary written, then every output replaces its target together. */
async function publish(
  out: Pick<Awaited<ReturnType<typeof openOutputs>>, 'writers' | 'summaryWriter' | 'abandonAll'>,
  built: PairwiseSummary,
): Promise<void> {
  try {
    if (out.summaryWriter) await out.summaryWriter.write(JSON.stringify(built, null, 2));
    await commitTogether(out.writers);
  } catch (err) {
    await out.abandonAll();
    throw err;
  }
}

/** The pair lines and the summary, opened together; `abandonAll` keeps what is done in `.partial`. */
async function openOutputs(out: string | null, summaryPath: string | null) {
  const writers: AtomicLineWriter[] = [];
  const abandonAll = async () => {
    for (const w of writers) await w.abandon().catch(() => {});
  };
  try {
    if (out) writers.push(await AtomicLineWriter.open(out));
    if (summaryPath) writers.push(await AtomicLineWriter.open(summaryPath));
  } catch (err) {
    await abandonAll();
    throw err;
  }
  return {
    writers,
    writer: out ? writers[0]! : null,
    summaryWriter: summaryPath ? writers[writers.length - 1]! : null,
    abandonAll,
  };
}

/** The source's pairs, each one's position among its model's pairs recorded as it passes. */
async function* numberedPairs(source: PairSource, position: WeakMap<PairItem, number>) {
  const next = positionsByModel();
  for await (const pair of source.pairs()) {
    position.set(pair, next(pair));
    yield pair;
  }
}

/**
 * One pair judged in the orders drawn for it: K samples of each judge per order, combined per
 * order (samples, then the panel) and then over the orders. A side with no text is not sent.
 */
async function judgeInOrders(
  pair: PairItem,
  orders: Order[],
  o: Pick<PairwiseOptions, 'rubric' | 'judges' | 'samples' | 'signal'> & { rules: CombineRules },
): Promise<PairOutcome> {
  const { rubric, judges, rules } = o;
  const empty = emptySide(pair);
  if (empty)
    return combinePair(Object.fromEntries(orders.map((ord) => [ord, empty])), sumAccounting([empty]), rules);
  const results: PairResult[] = [];
  const outcomes: Partial<Record<Order, OrderOutcome>> = {};
  await Promise.all(
    orders.map(async (order) => {
      const perJudge = await Promise.all(
        judges.map(async (judge) => {
          const samples = await Promise.all(
            Array.from({ length: o.samples }, (_, sample) =>
              judge.judgePair({ rubric, pair, order, sample }, o.signal),
            ),
          );
          results.push(...samples);
          return combineOrder(samples, order, 'sample', rules);
        }),
      );
      outcomes[order] = perJudge.length === 1 ? perJudge[0]! : combineOrder(perJudge, order, 'judge', rules);
    }),
  );
  return combinePair(outcomes, sumAccounting(results), rules);
}

function pairLine(
  pair: PairItem,
  outcome: PairOutcome,
  rubric: PairwiseRubric,
  judge: ReturnType<typeof pairJudgeField>,
  orders: OrdersMode,
) {
  const judgements = Object.fromEntries(
    (Object.entries(outcome.orders) as [Order, OrderOutcome][]).map(([order, r]) => [
      order,
      r.ok
        ? {
            verdict: r.verdict,
            shown: r.shown,
            rationale: r.rationale,
            ...(r.votes ? { votes: r.votes } : {}),
          }
        : {
            error: r.error,
            ...(r.raw !== undefined ? { raw_reply: r.raw } : {}),
            ...(r.votes ? { votes: r.votes } : {}),
          },
    ]),
  );
  return {
    ...pair.raw,
    id: pair.raw.id ?? pair.id,
    rubric: stampOf(rubric),
    judge,
    orders,
    verdict: outcome.verdict,
    consistent: outcome.consistent,
    judgements,
    metadata: pair.metadata,
    usage: outcome.usage,
    cached: outcome.cached,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
