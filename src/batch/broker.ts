import type { LlmJudge, StructuredTask } from '../judges/llm.js';
import type { Unscored } from '../judges/types.js';

/** One judge call a batch run owes: the judge, the task, the sample, under its cache key. */
export interface BatchRequest {
  key: string;
  judge: LlmJudge;
  task: StructuredTask<unknown>;
  sample: number;
}

/**
 * Stands between the judges and the wire in a batch run (`--batch`, `batch export`). The run is
 * two passes of the ordinary command over its input: in the first (collect), every judge call the
 * cache cannot answer is recorded here instead of being sent; the batches then fill the cache;
 * in the second (settle), every call is answered from the cache, and one with no answer gets the
 * reason the batch gave. Nothing is sent synchronously, and the output is the same as a
 * synchronous run's, in input order.
 */
export class BatchBroker {
  private phase: 'collect' | 'settle' = 'collect';
  /** Calls the cache could not answer, by key (a key asked twice is one request). */
  readonly requests = new Map<string, BatchRequest>();
  private readonly answered = new Set<string>();
  private readonly failures = new Map<string, Unscored>();

  /** A call the cache could not answer: recorded while collecting; afterwards, why it has no answer. */
  miss(request: BatchRequest): Unscored {
    if (this.phase === 'collect') {
      if (!this.requests.has(request.key)) this.requests.set(request.key, request);
      return unscoredError('queued for a batch');
    }
    return (
      this.failures.get(request.key) ??
      unscoredError(
        'no answer came back from the batch for this request (re-run the same command to ask again)',
      )
    );
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
    this.failures.set(key, { ...unscoredError(message), requests });
  }
}

function unscoredError(message: string): Unscored {
  return {
    ok: false,
    error: { kind: 'provider_error', message },
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    cached: false,
    requests: 0,
  };
}
