import { InputError } from '../core/errors.js';
import type { AtomicLineWriter } from '../io/atomic.js';
import { mapOrdered } from './ordered-pool.js';

/** What one finished job means for the run, as its command reads its result. */
export type JobVerdict =
  /** The run must stop here (Ctrl-C, the budget): the job is not written; the re-run does it. */
  | { stop: 'interrupted' | 'budget' }
  /** Done: written. `failed` when it ended unscored (it still counts as done), `error` saying why. */
  | { stop?: undefined; failed: boolean; error?: { kind: string; message: string }; costUsd: number | null };

export interface JobProgress {
  done: number;
  total: number;
  /** Jobs done but unscored (a judge that could not answer, a generation that failed). */
  failed: number;
  costUsd: number | null;
}

export interface JobLoopOptions<I, R> {
  items: AsyncIterable<I>;
  total: number;
  /** `items`, `pairs`, `replies`: how messages count the jobs. */
  unit: string;
  /** What doing a job is called in messages: `judged`, `generated`. */
  verb?: string;
  work(item: I): Promise<R>;
  /** What a result means: stop the run, or done (and unscored, with why). */
  verdict(result: R): JobVerdict;
  /** Writes a done job's line(s) and adds it to the summary; called in input order. */
  record(result: R, item: I): Promise<void>;
  concurrency: number;
  signal?: AbortSignal;
  /** Asked before each job starts; a non-null answer stops the run with that reason. */
  stopReason?: () => string | null;
  /** The run's outputs: abandoned (their `.partial` kept) when the loop fails. */
  writers: AtomicLineWriter[];
  onProgress?: (p: JobProgress) => void;
}

export interface JobLoopResult {
  done: number;
  failed: number;
  costUsd: number | null;
  /** Why the run stopped before every job was done (interrupted, budget, a provider that cannot answer). */
  stoppedBecause: string | null;
  /** The first message of each kind of failure, for the one line a failed run prints. */
  firstError: Map<string, string>;
  /** Every job was done. */
  allDone: boolean;
}

/**
 * The loop score, pairwise and generate share: stream the input, do each job with bounded
 * concurrency, and write each finished job in input order — stopping cleanly, without writing the
 * job that hit it, when the run is interrupted or over budget. A write error (a full disk) abandons
 * every output (what is done stays in `.partial`) and is reported naming the file, with how much
 * was done: the answers are in the cache, so the re-run pays for none of them again.
 */
export async function runJobs<I, R>(o: JobLoopOptions<I, R>): Promise<JobLoopResult> {
  const result: JobLoopResult = {
    done: 0,
    failed: 0,
    costUsd: 0,
    stoppedBecause: null,
    firstError: new Map(),
    allDone: false,
  };
  const why = () => o.stopReason?.() ?? (o.signal?.aborted ? 'interrupted' : null);
  try {
    await mapOrdered(
      o.items,
      (item) => o.work(item),
      async (r, item) => {
        const v = o.verdict(r);
        if (v.stop) {
          result.stoppedBecause ??= why() ?? v.stop;
          return;
        }
        if (result.stoppedBecause && o.signal?.aborted) return;
        result.done += 1;
        if (v.failed) {
          result.failed += 1;
          if (v.error && !result.firstError.has(v.error.kind))
            result.firstError.set(v.error.kind, v.error.message);
        }
        result.costUsd = result.costUsd === null || v.costUsd === null ? null : result.costUsd + v.costUsd;
        await o.record(r, item);
        o.onProgress?.({ done: result.done, total: o.total, failed: result.failed, costUsd: result.costUsd });
      },
      {
        concurrency: o.concurrency,
        shouldStop: () => {
          result.stoppedBecause ??= why();
          return result.stoppedBecause !== null;
        },
      },
    );
  } catch (err) {
    for (const w of o.writers) await w.abandon().catch(() => {});
    if (err instanceof InputError && o.writers.some((w) => w.error === err))
      throw new InputError(
        err.file,
        undefined,
        `${err.reason}; ${result.done} of ${o.total} ${o.unit} were ${o.verb ?? 'judged'} before this — their answers are in the judge cache, so re-running the same command after fixing this pays for none of them again`,
      );
    throw err;
  }
  result.allDone = result.stoppedBecause === null && result.done === o.total;
  return result;
}

/**
 * `: provider_error 120 (HTTP 401 …)`: what kept jobs unscored, with the first message of each
 * kind and how many of that kind there were.
 */
export function describeFailures(first: Map<string, string>, counts: Record<string, number>): string {
  if (first.size === 0) return '';
  return `: ${[...first]
    .map(
      ([kind, message]) =>
        `${kind} ${counts[kind] ?? 0} (${message.length > 300 ? `${message.slice(0, 297)}…` : message})`,
    )
    .join('; ')}`;
}

/** How a run of the job loop ended, as score and pairwise return it. */
export interface RunEnding {
  complete: boolean;
  stoppedBecause: string | null;
  failure: string | null;
  /** The published output, or its `.partial` when the run did not complete. */
  outPath: string | null;
}

/** A run that completed: every output published, at `outPath`. */
export const completed = <S>(summary: S, outPath: string | null): RunEnding & { summary: S } => ({
  summary,
  complete: true,
  stoppedBecause: null,
  failure: null,
  outPath,
});
