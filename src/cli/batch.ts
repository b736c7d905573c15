import { resolve } from 'node:path';
import { canonicalJson, sha256 } from '../core/canonical.js';
import { UsageError } from '../core/errors.js';
import { LlmJudge } from '../judges/llm.js';
import { BatchBroker, type BatchCaller } from '../models/batch/broker.js';
import { Manifest } from '../models/batch/manifest.js';
import { runBatches } from '../models/batch/run.js';
import type { JudgeCache } from '../models/cache.js';
import type { ModelRuntime } from '../models/runtime.js';
import type { JudgeFlags } from './options.js';

/** The judges of a run whose calls can go in batches (the lexicon judge has none to send). */
export function batchCallers(judges: unknown[]): BatchCaller[] {
  return judges.filter((j): j is LlmJudge => j instanceof LlmJudge);
}

/**
 * `--batch` for a judging command: checked before any judge is made, and a broker put in the
 * runtime so that the judges made after it send nothing themselves.
 */
export function prepareBatch(
  flags: { batch?: boolean },
  runtime: ModelRuntime,
  inputs: (string | undefined)[],
): void {
  if (!flags.batch) return;
  if (!runtime.cache)
    throw new UsageError(
      '--batch needs the cache (it is where batch answers are kept until the output is written): drop --no-cache',
    );
  if (inputs.includes('-'))
    throw new UsageError('--batch reads its input twice (before and after the batches): give a file, not -');
  runtime.broker = new BatchBroker();
}

/**
 * Runs a judging command: without `--batch` as it is (`pass(true)`); with it, through the
 * providers' batch APIs — `pass(false)` walks the input once to collect the calls the cache cannot answer, the batches answer them into the cache (resumable:
 * see batch/run.ts), then `pass(true)` is the ordinary run, answered entirely from the cache.
 * Returns null (with the exit code set) when the batches did not finish: interrupted, or refused
 * by the budget.
 */
export async function throughBatches<R>(
  flags: Pick<JudgeFlags, 'maxRetries' | 'batchMaxRequests' | 'pollInterval' | 'maxCost'>,
  runtime: ModelRuntime,
  callers: BatchCaller[],
  out: string,
  fingerprint: Record<string, unknown>,
  signal: AbortSignal,
  pass: (final: boolean) => Promise<R>,
  /**
   * Collect-and-send rounds at most. A command whose calls depend on earlier answers (a probe's
   * next turn needs the reply before it) runs rounds until a collecting pass finds nothing new.
   */
  maxRounds = 1,
): Promise<R | null> {
  const broker = runtime.broker;
  if (!broker) return pass(true); // no --batch: the ordinary run
  for (const j of callers)
    if (!(await j.batchParts.batchApi()))
      throw new UsageError(
        `--batch: judge ${j.name} has no batch API (OpenAI and Anthropic have one); for a self-hosted server use plumb batch export`,
      );
  const manifestPath = `${resolve(out)}.batches.jsonl`;
  const manifest = Manifest.open(manifestPath, sha256(canonicalJson(fingerprint)));
  const cache = runtime.cache!;
  // the batch run claims what it sends, as a synchronous run does: two runs on one cache pay once
  broker.claimThrough(cache, manifest.runId);
  const log = (line: string) => process.stderr.write(`plumb: ${line}\n`);
  // keys another run claimed first may lapse (it died, or gave up): they need rounds of their own
  const extraRounds = 3;
  for (let round = 1; round <= maxRounds + extraRounds; round++) {
    await pass(false);
    // the first round always runs the batches: a rerun may have submitted ones to collect
    if (round > 1 && broker.requests.size === 0 && broker.waiting.size === 0) break;
    if (round > maxRounds && broker.requests.size === 0 && broker.waiting.size === 0) break;
    const which = maxRounds > 1 ? ` (round ${round})` : '';
    if (broker.requests.size) log(`batch${which}: ${broker.requests.size} request(s) not in the cache`);
    const result = await runBatches({
      broker,
      callers,
      cache,
      manifest,
      manifestPath,
      maxRetries: flags.maxRetries,
      maxRequests: flags.batchMaxRequests,
      pollIntervalMs: flags.pollInterval * 1000,
      maxCostUsd: flags.maxCost,
      signal,
      log,
    });
    if (result.refused) {
      log(`stopped: ${result.refused}`);
      process.exitCode = 1;
      return null;
    }
    if (result.interrupted) {
      log(
        `stopped: interrupted while the batches run; they go on at the provider. Re-run the same command to collect them (${manifestPath}).`,
      );
      process.exitCode = 130;
      return null;
    }
    if (result.batches || result.answered)
      log(
        `batch: ${result.submitted} request(s) sent in ${result.batches} batch(es); ${result.answered} answered, ${result.failed} failed`,
      );
    const lapsed = await awaitOtherRuns(broker, cache, flags.pollInterval * 1000, signal, log);
    if (lapsed === null) {
      log(
        'stopped: interrupted while waiting for answers another run is paying for; re-run the same command',
      );
      process.exitCode = 130;
      return null;
    }
    broker.nextRound();
    if (round >= maxRounds && lapsed === 0) break;
  }
  broker.settle();
  return pass(true);
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
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  return lapsed;
}
