import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { AtomicLineWriter } from '../io/atomic.js';
import { readResponses, validateResponses } from '../io/responses.js';
import type { Judge, ResponseItem } from '../judges/types.js';
import { aggregateOverall, computeIndices } from '../rubrics/aggregate.js';
import type { Rubric } from '../rubrics/schema.js';
import { stampOf } from '../rubrics/schema.js';
import { gitStamp } from '../util/git.js';
import { mapOrdered } from '../util/ordered-pool.js';
import { type Combined, combineResults } from './aggregate.js';
import { conditionOf } from './conditions.js';
import { type Comparability, type ScoreSummary, SummaryBuilder } from './summary.js';

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
  input: string;
  /** The scores file; null to score without writing lines (the summary is still built). */
  out: string | null;
  summaryPath?: string | null;
  samples?: number;
  concurrency?: number;
  calibration?: CalibrationApplier | null;
  signal?: AbortSignal;
  /** Asked before each item is started; a non-null answer stops the run with that reason. */
  stopReason?: () => string | null;
  onProgress?: (p: ScoreProgress) => void;
}

export interface ScoreRunResult {
  summary: ScoreSummary;
  complete: boolean;
  /** Why the run stopped early (interrupted, budget), when it did. */
  stoppedBecause: string | null;
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

/**
 * Scores every item of a responses file with one judge (or a panel), K samples each, streaming
 * the input and the output. The output is written to `<out>.partial` and renamed only when every
 * item is done, so an interrupted run never leaves a file that looks complete.
 */
export async function runScore(opts: ScoreOptions): Promise<ScoreRunResult> {
  const { rubric, judges } = opts;
  const samples = Math.max(1, opts.samples ?? 1);
  for (const j of judges) j.assertSupports(rubric);
  const { count: total } = await validateResponses(opts.input);

  const comparability: Comparability = {
    rubric: stampOf(rubric),
    judge: judges.length === 1 ? judges[0]!.stamp : judges.map((j) => j.stamp),
    samples,
    // the hash (not the path) identifies the calibration: the same artifact may live anywhere
    calibration: opts.calibration
      ? { hash: opts.calibration.hash, criterion: opts.calibration.criterion }
      : null,
    ladder: null,
  };
  const summary = new SummaryBuilder(rubric, comparability);
  const writer = opts.out ? await AtomicLineWriter.open(opts.out) : null;
  // per-item index values for the summary go to a side file, not memory: the run stays flat
  const itemsWriter = opts.summaryPath ? await AtomicLineWriter.open(`${opts.summaryPath}.items`) : null;
  const judgeStamp = judgeField(judges, samples);
  let done = 0;
  let unscored = 0;
  let costUsd: number | null = 0;
  let stoppedBecause: string | null = null;
  const shouldStop = () => {
    if (stoppedBecause) return true;
    if (opts.signal?.aborted) stoppedBecause = 'interrupted';
    else stoppedBecause = opts.stopReason?.() ?? null;
    return stoppedBecause !== null;
  };

  const judgeItem = async (item: ResponseItem): Promise<{ combined: Combined; perJudge: Combined[] }> => {
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

  try {
    await mapOrdered(
      readResponses(opts.input),
      judgeItem,
      async ({ combined, perJudge }, item) => {
        // An item cut short by Ctrl-C or the budget is not written: the re-run does it (from cache).
        if (
          !combined.ok &&
          (combined.error?.kind === 'interrupted' || combined.error?.kind === 'budget_exceeded')
        ) {
          stoppedBecause ??= combined.error.kind === 'interrupted' ? 'interrupted' : 'budget';
          return;
        }
        if (stoppedBecause && opts.signal?.aborted) return;
        const overall = combined.ok ? aggregateOverall(rubric, combined.scores) : null;
        const indices = combined.ok ? computeIndices(rubric, combined.scores) : {};
        const calibrated =
          combined.ok && opts.calibration ? opts.calibration.apply(combined.scores, overall) : undefined;
        const condition = conditionOf(item.metadata);
        const values = summary.add({
          id: item.id,
          condition,
          ok: combined.ok,
          errorKind: combined.error?.kind,
          scores: combined.scores,
          overall,
          indices,
          calibrated,
          usage: combined.usage,
          requests: combined.requests,
        });
        if (values && itemsWriter) await itemsWriter.write(JSON.stringify([item.id, values]));
        done += 1;
        if (!combined.ok) unscored += 1;
        costUsd =
          costUsd === null || combined.usage.cost_usd === null ? null : costUsd + combined.usage.cost_usd;
        if (writer) {
          const line = {
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
                        p.ok
                          ? { scores: p.scores, overall: aggregateOverall(rubric, p.scores) }
                          : { error: p.error },
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
          await writer.write(JSON.stringify(line));
        }
        opts.onProgress?.({ done, total, unscored, costUsd });
      },
      { concurrency: opts.concurrency ?? 8, shouldStop },
    );
  } catch (err) {
    await writer?.abandon();
    await itemsWriter?.abandon();
    throw err;
  }

  const complete = stoppedBecause === null && done === total;
  if (writer) {
    if (complete) await writer.commit();
    else await writer.abandon();
  }
  const outPath = writer ? (complete ? writer.path : writer.partialPath) : null;
  const built = { ...summary.build({ input: opts.input, output: outPath }), git: await gitStamp() };
  if (itemsWriter) {
    await itemsWriter.commit();
    if (complete) await writeSummaryFile(opts.summaryPath!, built, itemsWriter.path);
    await rm(itemsWriter.path, { force: true });
  }
  return { summary: built, complete, stoppedBecause, outPath };
}

/**
 * Writes the summary JSON with its `items` streamed from the side file, one item a line, so a
 * million-item summary is never held in memory. The result is ordinary JSON.
 */
async function writeSummaryFile(path: string, summary: ScoreSummary, itemsFile: string): Promise<void> {
  const out = await AtomicLineWriter.open(path);
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
  await out.commit();
}
