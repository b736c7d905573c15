import type { BatchBroker, BatchRequest } from './batch/broker.js';
import type { JudgeCache } from './cache.js';

/**
 * How a call through the cache ended: computed now (or answered by this run's batches), replayed
 * from the cache (paid earlier: it costs nothing now), or queued for a batch while a batch run
 * collects its requests.
 */
export type CachedOutcome<T> =
  | { kind: 'fresh'; value: T }
  | { kind: 'replayed'; value: T }
  | { kind: 'queued'; message: string; requests: number };

/**
 * The one path every model call takes — a judge's structured question, a target's reply, a
 * challenger's message: the cache first; then, in a batch run, the broker (which claims the key
 * and queues it); otherwise the call itself, claimed in the cache so that two processes pay once.
 * `accept` says whether a stored value is an answer (a failed chat reply is stored by no one, but
 * an older cache may hold one).
 */
export async function cachedCall<T extends object>(o: {
  cache: JudgeCache | null;
  broker: BatchBroker | null;
  key: string;
  compute: () => Promise<{ value: T; cacheable: boolean }>;
  batchRequest: () => BatchRequest;
  accept?: (stored: T) => boolean;
  signal?: AbortSignal;
}): Promise<CachedOutcome<T>> {
  if (!o.cache) return { kind: 'fresh', value: (await o.compute()).value };
  if (o.broker) {
    const stored = await o.cache.get<T>(o.key);
    if (stored && (o.accept?.(stored) ?? true))
      return { kind: o.broker.answeredThisRun(o.key) ? 'fresh' : 'replayed', value: stored };
    return { kind: 'queued', ...o.broker.miss(o.batchRequest()) };
  }
  const { value, cached } = await o.cache.getOrCompute<T>(o.key, o.compute, o.signal);
  return { kind: cached ? 'replayed' : 'fresh', value };
}
