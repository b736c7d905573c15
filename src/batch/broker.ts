import type { Price } from '../judges/pricing.js';
import type { LlmParams, Transport, TransportReply } from '../judges/transport.js';
import type { Usage } from '../judges/types.js';

/** Who makes a batch's calls: a judge or a chat model (its wire dialect, settings and price). */
export interface BatchCaller {
  readonly name: string;
  readonly batchParts: { transport: Transport; params: LlmParams; price?: Price };
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
  /** Calls the cache could not answer, by key (a key asked twice is one request). */
  readonly requests = new Map<string, BatchRequest>();
  private readonly answered = new Set<string>();
  private readonly failures = new Map<string, { message: string; requests: number }>();

  /**
   * A call the cache could not answer: recorded while collecting (the caller's placeholder answer
   * is never written anywhere); afterwards, why it has no answer and how many requests it took.
   */
  miss(request: BatchRequest): { message: string; requests: number } {
    // a call whose batches failed beyond --max-retries is not queued again in a later round
    const failed = this.failures.get(request.key);
    if (failed) return failed;
    if (this.phase === 'collect') {
      if (!this.requests.has(request.key)) this.requests.set(request.key, request);
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
  }
}
