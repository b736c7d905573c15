import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { conditionOf, groupOf } from '../core/conditions.js';
import { gitStamp } from '../core/git.js';
import type { ResponseItem } from '../core/types.js';
import { AtomicLineWriter, commitTogether } from '../io/atomic.js';
import { type ReadableInput, readableInput } from '../io/input.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import { readResponses, validateResponses } from '../io/responses.js';
import type { Judge } from '../judges/types.js';
import { aggregateOverall, computeIndices } from '../rubrics/aggregate.js';
import type { Rubric } from '../rubrics/schema.js';
import { stampOf } from '../rubrics/schema.js';
import { completed, describeFailures, runJobs } from '../runs/job-loop.js';
import { type Combined, combineResults } from './aggregate.js';
import { fileSha256, inShard, type Shard, type ShardRecord, shardRecordPath } from './shard.js';
import { type Comparability, countHttp, type ScoreSummary, SummaryBuilder } from './summary.js';

/** A fitted calibration, applied to each scored item (see src/calibration/artifact.ts). */
export interface CalibrationApplier {
  path: string;
  hash: string;
  criterion: string;
  apply(
    scores: Record<string, number | null>,
    overall: number | null,
  ): {
    scores: Record<string, number | null>;
    overall: number | null;
  };
}

export interface ScoreProgress {
  done: number;
  total: number;
  unscored: number;
  costUsd: number | null;
}

export interface ScoreOptions {
  rubric: Rubric;
  judges: Judge[];
  /** A JSONL file, `-` for stdin, or a pipe (spooled to a temporary file first). */
  input: string;
  /** The scores file; null to score without writing lines (the summary is still built). */
  out: string | null;
  summaryPath?: string | null;
  samples?: number;
  concurrency?: number;
  calibration?: CalibrationApplier | null;
  /** A run that scores fewer items than this is a failure, not a result (default 1). */
  minScored?: number;
  signal?: AbortSignal;
  /** Asked before each item is started; a non-null answer stops the run with that reason. */
  stopReason?: () => string | null;
  /** HTTP requests sent so far, SDK retries included (for the summary's request count). */
  httpRequests?: () => number;
  onProgress?: (p: ScoreProgress) => void;
  /** Score only the items whose id hashes to this shard; `<out>.shard.json` records how to merge. */
  shard?: Shard | null;
}

export interface ScoreRunResult {
  summary: ScoreSummary;
  /** Every item was judged and enough of them were scored: the outputs were published. */
  complete: boolean;
  /** Why the run stopped early (interrupted, budget, a provider that cannot answer), when it did. */
  stoppedBecause: string | null;
  /** Every item was judged but fewer than minScored were scored: one line saying why. */
  failure: string | null;
  outPath: string | null;
}

/** The judge stamp as written in score lines: one judge, or a panel. */
export function judgeField(judges: Judge[], samples: number) {
  if (judges.length === 1) return { ...judges[0]!.stamp, samples };
  return {
    provider: 'panel',
    model: judges.map((j) => j.name).join(','),
    samples,
    members: judges.map((j) => j.stamp),
  };
}

const EMPTY_RESPONSE: Combined = {
  ok: false,
  scores: {},
  extra: {},
  rationale: '',
  error: { kind: 'empty_response', message: 'the response is empty: there is nothing to judge' },
  usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
  cached: false,
  requests: 0,
};

/**
 * Scores every item of a responses file with one judge (or a panel), K samples each, streaming
 * the input and the output. The scores and the summary are one run: both are written beside
 * their targets (`.partial`) and replace them together only when every item is done and at least
 * `minScored` were scored, so an interrupted or failed run never leaves a file that looks
 * complete, and never a summary that describes other results. Existing outputs are untouched
 * until then; outputs that resolve to the input are refused before anything is written.
 */
export async function runScore(opts: ScoreOptions): Promise<ScoreRunResult> {
  const { rubric, judges } = opts;
  const samples = Math.max(1, opts.samples ?? 1);
  const minScored = opts.minScored ?? 1;
  for (const j of judges) j.assertSupports(rubric);
  refuseOutputsOverInputs(
    [
      ...(opts.out ? [{ flag: '--out', path: opts.out }] : []),
      ...(opts.out && opts.shard ? [{ flag: '--out', path: shardRecordPath(opts.out) }] : []),
      ...(opts.summaryPath
        ? [
            { flag: '--summary', path: opts.summaryPath },
            { flag: '--summary', path: `${opts.summaryPath}.items` },
          ]
        : []),
    ],
    [
      { flag: '--input', path: opts.input },
      ...(opts.calibration ? [{ flag: '--calibration', path: opts.calibration.path }] : []),
    ],
  );
  const input = await readableInput(opts.input);
  try {
    return await scoreInput(opts, input, samples, minScored);
  } finally {
    await input.dispose();
  }
}

async function scoreInput(
  opts: ScoreOptions,
  input: ReadableInput,
  samples: number,
  minScored: number,
): Promise<ScoreRunResult> {
  const shard = opts.shard ?? null;
  const belongs = shard ? (id: string) => inShard(id, shard) : undefined;
  const { count: inputItems, kept: total } = await validateResponses(input.path, input.label, belongs);
  const comparability = comparabilityOf(opts, samples);
  const summary = new SummaryBuilder(opts.rubric, comparability);
  const out = await ScoreOutputs.open(opts, shard);
  const { items, positions } = itemsOf(input, belongs);
  const loop = await runJobs({
    items,
    total,
    unit: 'items',
    work: itemJudge(opts, samples),
    // an item cut short by Ctrl-C, the budget or a tripped circuit is not written: the re-run does it
    verdict: ({ combined }) =>
      !combined.ok && (combined.error?.kind === 'interrupted' || combined.error?.kind === 'budget_exceeded')
        ? { stop: combined.error.kind === 'interrupted' ? 'interrupted' : 'budget' }
        : { failed: !combined.ok, error: combined.error, costUsd: combined.usage.cost_usd },
    record: itemRecorder(opts, samples, summary, out),
    concurrency: opts.concurrency ?? 8,
    signal: opts.signal,
    stopReason: opts.stopReason,
    writers: out.all,
    onProgress: (p) => opts.onProgress?.({ done: p.done, total, unscored: p.failed, costUsd: p.costUsd }),
  }).catch(async (err) => {
    await out.abandon();
    throw err;
  });
  const { done, failed: unscored, stoppedBecause, firstError } = loop;
  const scored = done - unscored;
  const failure =
    // a shard may hold no items at all (a small input split many ways): that is not a failure
    loop.allDone && scored < (shard ? Math.min(minScored, total) : minScored)
      ? `${scored} of ${total} items scored (fewer than --min-scored ${minScored})${describeFailures(firstError, summary.unscoredCounts())}`
      : null;
  const complete = loop.allDone && failure === null;
  const writer = out.scores;
  const built: ScoreSummary = {
    ...summary.build({
      input: input.label,
      output: writer ? (complete ? writer.path : writer.partialPath) : null,
    }),
    git: await gitStamp(),
  };
  countHttp(built, opts.httpRequests);
  if (!complete) {
    await out.abandon();
    return { summary: built, complete: false, stoppedBecause, failure, outPath: writer?.partialPath ?? null };
  }
  const shardRecord = async (): Promise<ShardRecord> => ({
    kind: 'shard',
    shard: shard!,
    input: { label: input.label, sha256: await fileSha256(input.path), items: inputItems },
    comparability,
    requests: built.requests,
    ...(built.retries !== undefined ? { retries: built.retries } : {}),
    positions,
    scores_sha256: await fileSha256(writer!.partialPath),
  });
  await out.publish(built, shardRecord);
  return completed(built, writer?.path ?? null);
}

/** What a later run must match to be compared with this one. */
function comparabilityOf(opts: ScoreOptions, samples: number): Comparability {
  const { rubric, judges } = opts;
  return {
    rubric: stampOf(rubric),
    judge: judges.length === 1 ? judges[0]!.stamp : judges.map((j) => j.stamp),
    samples,
    // the hash (not the path) identifies the calibration: the same artifact may live anywhere
    calibration: opts.calibration
      ? { hash: opts.calibration.hash, criterion: opts.calibration.criterion }
      : null,
    ladder: null,
  };
}

/**
 * The files a score run writes, each through its `.partial`: the scores, a shard's record, the
 * summary, and the summary's per-item index values (a side file, not memory: the run stays flat).
 */
class ScoreOutputs {
  /** Every file opened, in order (what the job loop flushes). */
  readonly all: AtomicLineWriter[] = [];
  scores: AtomicLineWriter | null = null;
  shard: AtomicLineWriter | null = null;
  summary: AtomicLineWriter | null = null;
  items: AtomicLineWriter | null = null;

  static async open(opts: ScoreOptions, shard: Shard | null): Promise<ScoreOutputs> {
    const o = new ScoreOutputs();
    try {
      o.scores = opts.out ? await o.add(opts.out) : null;
      o.shard = shard && opts.out ? await o.add(shardRecordPath(opts.out), false) : null;
      o.summary = opts.summaryPath ? await o.add(opts.summaryPath) : null;
      o.items = opts.summaryPath ? await o.add(`${opts.summaryPath}.items`, false) : null;
    } catch (err) {
      await o.abandon();
      throw err;
    }
    return o;
  }

  private async add(path: string, lock = true): Promise<AtomicLineWriter> {
    const w = await AtomicLineWriter.open(path, { lock });
    this.all.push(w);
    return w;
  }

  /**
   * The scores keep their .partial (what is done, for the user to see); the summary and its items
   * side file are removed — but only when this run opened them: a run refused because another one
   * holds the output must leave that run's files alone.
   */
  async abandon(): Promise<void> {
    for (const w of this.all) await w.abandon().catch(() => {});
    if (this.summary) await rm(this.summary.partialPath, { force: true });
    if (this.items) await rm(this.items.partialPath, { force: true });
  }

  /** Writes the summary (and a shard's record) and replaces every output together. */
  async publish(built: ScoreSummary, shardRecord: () => Promise<ShardRecord>): Promise<void> {
    try {
      if (this.items && this.summary) {
        await this.items.finish();
        await writeSummaryFile(this.summary, built, this.items.partialPath);
      }
      if (this.shard) {
        // the scores are complete (not yet published): what merge will check them against
        await this.scores!.finish();
        await this.shard.write(JSON.stringify(await shardRecord()));
      }
      await commitTogether(
        [this.scores, this.summary, this.shard].filter((w): w is AtomicLineWriter => w !== null),
      );
    } catch (err) {
      await this.abandon();
      throw err;
    } finally {
      if (this.items) await rm(this.items.partialPath, { force: true });
    }
  }
}

/** Judges an item with every judge, `samples` times each; an empty response is not sent. */
function itemJudge(
  opts: ScoreOptions,
  samples: number,
): (item: ResponseItem) => Promise<{ combined: Combined; perJudge: Combined[] }> {
  const { rubric, judges } = opts;
  return async (item) => {
    if (item.response.trim() === '')
      return { combined: EMPTY_RESPONSE, perJudge: judges.map(() => EMPTY_RESPONSE) };
    const perJudge = await Promise.all(
      judges.map(async (judge) => {
        const results = await Promise.all(
          Array.from({ length: samples }, (_, sample) => judge.judge({ rubric, item, sample }, opts.signal)),
        );
        return combineResults(rubric, results, 'sample');
      }),
    );
    const combined = perJudge.length === 1 ? perJudge[0]! : combineResults(rubric, perJudge, 'judge');
    return { combined, perJudge };
  };
}

/** The input's items, or with a shard its items only, each with its position in the input (for plumb merge). */
function itemsOf(
  input: ReadableInput,
  belongs: ((id: string) => boolean) | undefined,
): { items: AsyncGenerator<ResponseItem>; positions: number[] } {
  const positions: number[] = [];
  async function* items(): AsyncGenerator<ResponseItem> {
    let position = 0;
    for await (const item of readResponses(input.path, input.label)) {
      if (!belongs || belongs(item.id)) {
        if (belongs) positions.push(position);
        yield item;
      }
      position += 1;
    }
  }
  return { items: items(), positions };
}

/** Adds a judged item to the summary (its index values to the side file) and writes its score line. */
function itemRecorder(opts: ScoreOptions, samples: number, summary: SummaryBuilder, out: ScoreOutputs) {
  const { rubric, judges } = opts;
  const judgeStamp = judgeField(judges, samples);
  return async ({ combined, perJudge }: { combined: Combined; perJudge: Combined[] }, item: ResponseItem) => {
    const overall = combined.ok ? aggregateOverall(rubric, combined.scores) : null;
    const indices = combined.ok ? computeIndices(rubric, combined.scores) : {};
    const calibrated =
      combined.ok && opts.calibration ? opts.calibration.apply(combined.scores, overall) : undefined;
    const values = summary.add({
      id: item.id,
      condition: conditionOf(item.metadata),
      group: groupOf(item.metadata),
      ok: combined.ok,
      errorKind: combined.error?.kind,
      scores: combined.scores,
      overall,
      indices,
      calibrated,
      usage: combined.usage,
      requests: combined.requests,
    });
    if (values && out.items) await out.items.write(JSON.stringify([item.id, values]));
    if (out.scores)
      await out.scores.write(
        JSON.stringify(scoreLine(opts, item, combined, perJudge, judgeStamp, overall, indices, calibrated)),
      );
  };
}

function scoreLine(
  opts: ScoreOptions,
  item: ResponseItem,
  combined: Combined,
  perJudge: Combined[],
  judgeStamp: ReturnType<typeof judgeField>,
  overall: number | null,
  indices: Record<string, number | null>,
  calibrated: ReturnType<CalibrationApplier['apply']> | undefined,
) {
  const { rubric, judges } = opts;
  return {
    ...item.raw,
    id: item.raw.id,
    rubric: stampOf(rubric),
    judge: judgeStamp,
    scores: combined.ok ? combined.scores : null,
    overall,
    ...(calibrated ? { calibrated } : {}),
    indices,
    rationale: combined.rationale,
    ...(Object.keys(combined.extra).length ? { extra: combined.extra } : {}),
    ...(combined.spread ? { spread: combined.spread } : {}),
    ...(judges.length > 1
      ? {
          panel: Object.fromEntries(
            judges.map((j, i) => {
              const p = perJudge[i]!;
              return [
                j.name,
                p.ok ? { scores: p.scores, overall: aggregateOverall(rubric, p.scores) } : { error: p.error },
              ];
            }),
          ),
        }
      : {}),
    metadata: item.metadata,
    usage: combined.usage,
    cached: combined.cached,
    ...(combined.ok
      ? {}
      : {
          error: combined.error,
          ...(combined.raw !== undefined ? { raw_reply: combined.raw } : {}),
        }),
  };
}

/**
 * Writes the summary JSON with its `items` streamed from the side file, one item a line, so a
 * million-item summary is never held in memory. The result is ordinary JSON.
 */
export async function writeSummaryFile(
  out: AtomicLineWriter,
  summary: ScoreSummary,
  itemsFile: string,
): Promise<void> {
  const head = JSON.stringify(summary, null, 2);
  await out.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "items": {`);
  const lines = createInterface({
    input: createReadStream(itemsFile, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let previous: string | null = null; // held back one line so every item but the last gets its comma
  for await (const line of lines) {
    if (!line) continue;
    const [id, values] = JSON.parse(line) as [string, unknown];
    if (previous !== null) await out.write(`${previous},`);
    previous = `    ${JSON.stringify(id)}: ${JSON.stringify(values)}`;
  }
  if (previous !== null) await out.write(previous);
  await out.write('  }\n}');
}
