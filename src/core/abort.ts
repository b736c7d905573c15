import { setMaxListeners } from 'node:events';

/**
 * A signal for one request, aborted when the run's signal is. The SDKs add an `abort` listener to
 * the signal they are given and do not remove it when the request succeeds (openai-node #1811), so
 * handing every request the one run-wide signal piles up listeners — and the closures they hold —
 * with every item. Each request gets its own controller instead; plumb's one listener on the run
 * signal is removed as soon as the request settles, so nothing grows with N.
 */
export function requestSignal(run: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  done: () => void;
} {
  if (!run) return { signal: undefined, done: () => {} };
  const controller = new AbortController();
  if (run.aborted) {
    controller.abort(run.reason);
    return { signal: controller.signal, done: () => {} };
  }
  const onAbort = () => controller.abort(run.reason);
  run.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, done: () => run.removeEventListener('abort', onAbort) };
}

/**
 * The run's signal: aborted when any of the given ones is (Ctrl-C, a tripped circuit). Up to
 * `concurrency` requests listen to it at once, by design, so the listener limit is lifted.
 */
export function anySignal(...signals: AbortSignal[]): AbortSignal {
  const signal = AbortSignal.any(signals);
  setMaxListeners(0, signal);
  return signal;
}
