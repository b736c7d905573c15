import type { Usage } from '../../core/types.js';
import type { JudgeCache } from '../cache.js';
import type { Price } from '../pricing.js';
import type { LlmParams, Transport, TransportReply } from '../transport.js';
import type { BatchApi } from './api.js';

/**
 * How long a batch run's claim holds, should its process die, before its batch was submitted:
 * long enough to collect and write the chunks of a large run; submission extends it to the
 * provider's window (BATCH_CLAIM_MS).
 */
export const COLLECT_CLAIM_MS = 60 * 60_000;
/** A submitted batch may run for 24 h at the provider: its keys stay claimed that long, and an hour more. */
export const BATCH_CLAIM_MS = 25 * 3600_000;

/** Who makes a batch's calls: a judge or a chat model (its wire dialect, settings and price). */
export interface BatchCaller {
  readonly name: string;
  readonly batchParts: {
    transport: Transport;
    params: LlmParams;
    price?: Price;
    /** The provider's batch API (from the provider registry); null when it has none. */
    batchApi: () => Promise<BatchApi | null>;
  };
}

/** What a reply means: the value to cache (and whether it may be), or the conversation to re-ask. */
export type BatchStep = { done: object; cacheable: boolean; failure?: string } | { reask: unknown };

/** One call a batch run owes, under its cache key. */
export interface BatchRequest {
  key: string;
  caller: BatchCaller;
  sample: number;
  /** The first request's conversation. */
  start(): unknown;
  /** The prompt's text, for the worst-case cost. */
  promptText(): string;
  /** Reads a reply to attempt `attempt`; `usage` and `requests` include it. */
  step(
    conversation: unknown,
    attempt: number,
    reply: TransportReply,
    usage: Usage,
    requests: number,
  ): BatchStep;
}

/**
 * Stands between the judges and the wire in a batch run (`--batch`, `batch export`). The run is
 * two passes of the ordinary command over its input: in the first (collect), every judge call the
 * cache cannot answer is recorded here instead of being sent; the batches then fill the cache
 * (a probe collects and sends in rounds, one for each step its conversations can take);
 * in the second (settle), every call is answered from the cache, and one with no answer gets the
 * reason the batch gave. Nothing is sent synchronously, and the output is the same as a
 * synchronous run's, in input order.
 */
export class BatchBroker {
  private phase: 'collect' | 'settle' = 'collect';
  /** Calls the cache could not answer and this run pays for, by key (a key asked twice is one request). */
  readonly requests = new Map<string, BatchRequest>();
  /** Keys another run (batch or not) claimed first: this run waits for their answers instead of paying. */
  readonly waiting = new Set<string>();
  private readonly answered = new Set<string>();
  private readonly failures = new Map<string, { message: string; requests: number }>();
  private claims: { cache: JudgeCache; run: string } | null = null;

  /**
   * Takes part in the cache's claims as the batch run `run` (its manifest's id): every key it
   * collects is claimed first, and only the keys it wins are sent in its batches.
   */
  claimThrough(cache: JudgeCache, run: string): void {
    this.claims = { cache, run };
  }

  get run(): string | null {
    return this.claims?.run ?? null;
  }

  /**
   * A call the cache could not answer: recorded while collecting (the caller's placeholder answer
   * is never written anywhere); afterwards, why it has no answer and how many requests it took.
   */
  miss(request: BatchRequest): { message: string; requests: number } {
    // a call whose batches failed beyond --max-retries is not queued again in a later round
    const failed = this.failures.get(request.key);
    if (failed) return failed;
    if (this.phase === 'collect') {
      if (this.requests.has(request.key) || this.waiting.has(request.key))
        return { message: 'queued for a batch', requests: 0 };
      const claim = this.claims
        ? this.claims.cache.claimForBatch(request.key, this.claims.run, Date.now() + COLLECT_CLAIM_MS)
        : 'ours';
      if (claim === 'ours') this.requests.set(request.key, request);
      else if (claim === 'theirs') this.waiting.add(request.key);
      return { message: 'queued for a batch', requests: 0 };
    }
    return (
      this.failures.get(request.key) ?? {
        message: 'no answer came back from the batch for this request (re-run the same command to ask again)',
        requests: 0,
      }
    );
  }

  /**
   * Starts the next collecting pass of a run in rounds (probe: turn k+1 can only be asked once
   * turn k is answered): what was collected has been sent; answers and failures are kept.
   */
  nextRound(): void {
    this.requests.clear();
    this.waiting.clear();
  }

  /** Switches from collecting to answering from the cache. */
  settle(): void {
    this.phase = 'settle';
  }

  /** The key was answered by a batch in this run: its line reports the cost, not a cache hit. */
  markAnswered(key: string): void {
    this.answered.add(key);
  }

  answeredThisRun(key: string): boolean {
    return this.answered.has(key);
  }

  /** The key's last batch attempt failed beyond --max-retries: the line is unscored with this. */
  fail(key: string, message: string, requests: number): void {
    this.failures.set(key, { message, requests });
    this.release(key);
  }

  /** This run will not answer the key after all: another run may pay for it. */
  release(key: string): void {
    if (this.claims) this.claims.cache.releaseBatchClaim(key, this.claims.run);
  }
}
