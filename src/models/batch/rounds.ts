import { resolve } from 'node:path';
import { canonicalJson, sha256 } from '../../core/canonical.js';
import { PlumbError, UsageError } from '../../core/errors.js';
import type { JudgeCache } from '../cache.js';
import { describeError } from '../request.js';
import type { ModelRuntime } from '../runtime.js';
import { BatchBroker, type BatchCaller } from './broker.js';
import { Manifest } from './manifest.js';
import { runBatches } from './run.js';

/** The models of a run whose calls can go in batches (the lexicon judge and scripted models send none). */
export function batchCallers(models: unknown[]): BatchCaller[] {
  return models.filter((m): m is BatchCaller => typeof m === 'object' && m !== null && 'batchParts' in m);
}

/**
 * `--batch` for a judging command: checked before any judge is made, and a broker put in the
 * runtime so that the judges made after it send nothing themselves.
 */
export function prepareBatch(runtime: ModelRuntime, inputs: (string | undefined)[]): void {
  if (!runtime.cache)
    throw new UsageError(
      '--batch needs the cache (it is where batch answers are kept until the output is written): drop --no-cache',
    );
  if (inputs.includes('-'))
    throw new UsageError('--batch reads its input twice (before and after the batches): give a file, not -');
  runtime.broker = new BatchBroker();
}

/** How a run through batches ended: its final pass's result, or why it stopped before it. */
export type BatchOutcome<R> =
  | { ok: true; value: R }
  /** refused: over --max-cost; interrupted: Ctrl-C; provider: the batch API itself failed (a bad key, a dead server). */
  | { ok: false; stopped: 'refused' | 'interrupted' | 'provider'; message: string };

export interface BatchRoundsOptions {
  runtime: ModelRuntime;
  callers: BatchCaller[];
  /** The output the run writes: its manifest is `<out>.batches.jsonl`. */
  out: string;
  /** What the run judges (rubric, judges, settings): a manifest of other work is refused. */
  fingerprint: Record<string, unknown>;
  signal: AbortSignal;
  maxRetries: number;
  maxRequests?: number;
  pollIntervalMs: number;
  maxCostUsd?: number;
  /**
   * Collect-and-send rounds at most. A command whose calls depend on earlier answers (a probe's
   * next turn needs the reply before it) runs rounds until a collecting pass finds nothing new.
   */
  maxRounds?: number;
  /** Progress lines (submissions, provider counts, waits). */
  log: (line: string) => void;
}

/**
 * Runs a judging command through the providers' batch APIs, or as it is when the runtime has no
 * broker: `pass(false)` walks the input once to collect the calls the cache cannot answer, the
 * batches answer them into the cache (resumable: see run.ts), then `pass(true)` is the ordinary
 * run, answered entirely from the cache.
 */
export async function throughBatches<R>(
  o: BatchRoundsOptions,
  pass: (final: boolean) => Promise<R>,
): Promise<BatchOutcome<R>> {
  const { runtime, callers, log } = o;
  const maxRounds = o.maxRounds ?? 1;
  const broker = runtime.broker;
  if (!broker) return { ok: true, value: await pass(true) }; // no --batch: the ordinary run
  for (const j of callers)
    if (!(await j.batchParts.batchApi()))
      throw new UsageError(
        `--batch: judge ${j.name} has no batch API (OpenAI and Anthropic have one); for a self-hosted server use plumb batch export`,
      );
  const manifestPath = `${resolve(o.out)}.batches.jsonl`;
  const manifest = Manifest.open(manifestPath, sha256(canonicalJson(o.fingerprint)));
  const cache = runtime.cache!;
  // the batch run claims what it sends, as a synchronous run does: two runs on one cache pay once
  broker.claimThrough(cache, manifest.runId);
  // keys another run claimed first may lapse (it died, or gave up): they need rounds of their own
  const extraRounds = 3;
  for (let round = 1; round <= maxRounds + extraRounds; round++) {
    await pass(false);
    // the first round always runs the batches: a rerun may have submitted ones to collect
    if (round > 1 && broker.requests.size === 0 && broker.waiting.size === 0) break;
    if (round > maxRounds && broker.requests.size === 0 && broker.waiting.size === 0) break;
    const which = maxRounds > 1 ? ` (round ${round})` : '';
    if (broker.requests.size) log(`batch${which}: ${broker.requests.size} request(s) not in the cache`);
    let result: Awaited<ReturnType<typeof runBatches>>;
    try {
      result = await runBatches({
        broker,
        callers,
        cache,
        manifest,
        manifestPath,
        maxRetries: o.maxRetries,
        maxRequests: o.maxRequests,
        pollIntervalMs: o.pollIntervalMs,
        maxCostUsd: o.maxCostUsd,
        signal: o.signal,
        log,
      });
    } catch (err) {
      // what plumb checks is thrown as its own errors; the rest came from the provider's batch API
      if (err instanceof PlumbError) throw err;
      return {
        ok: false,
        stopped: 'provider',
        message: `the batch API failed: ${describeError(err)}. What was submitted is recorded in ${manifestPath}; re-run the same command once the provider answers`,
      };
    }
    if (result.refused) return { ok: false, stopped: 'refused', message: result.refused };
    if (result.interrupted)
      return {
        ok: false,
        stopped: 'interrupted',
        message: `interrupted while the batches run; they go on at the provider. Re-run the same command to collect them (${manifestPath}).`,
      };
    if (result.batches || result.answered)
      log(
        `batch: ${result.submitted} request(s) sent in ${result.batches} batch(es); ${result.answered} answered, ${result.failed} failed`,
      );
    const lapsed = await awaitOtherRuns(broker, cache, o.pollIntervalMs, o.signal, log);
    if (lapsed === null)
      return {
        ok: false,
        stopped: 'interrupted',
        message: 'interrupted while waiting for answers another run is paying for; re-run the same command',
      };
    broker.nextRound();
    if (round >= maxRounds && lapsed === 0) break;
  }
  broker.settle();
  return { ok: true, value: await pass(true) };
}

/**
 * Waits for the answers to keys another run claimed first (a synchronous run, or another batch
 * run on the same cache), polling the cache. Returns how many claims lapsed without an answer —
 * their owner died or gave up, so this run pays for them in another round — or null when
 * interrupted. Bounded: a claim holds for at most its batch window.
 */
async function awaitOtherRuns(
  broker: BatchBroker,
  cache: JudgeCache,
  pollMs: number,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<number | null> {
  const run = broker.run!;
  let lapsed = 0;
  const open = new Set(broker.waiting);
  let said = false;
  while (open.size) {
    for (const key of open) {
      const state = cache.awaitClaim(key, run);
      if (state === 'waiting') continue;
      open.delete(key);
      if (state === 'lapsed') lapsed += 1;
    }
    if (!open.size) break;
    if (!said) log(`batch: waiting for ${open.size} answer(s) another plumb run on this cache is paying for`);
    said = true;
    if (signal.aborted) return null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return lapsed;
}
