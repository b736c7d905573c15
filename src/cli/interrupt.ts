import { setMaxListeners } from 'node:events';
import { anySignal } from '../core/abort.js';
import { createProgress } from './progress.js';

/**
 * Ctrl-C for long runs: the first SIGINT aborts the returned signal (so work in flight can stop
 * and what is done is kept) instead of killing the process. Call dispose() when the run ends.
 */
export function onInterrupt(message: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  // every in-flight request listens to this one signal; that is by design, not a leak
  setMaxListeners(0, controller.signal);
  const handler = () => {
    process.stderr.write(`\nplumb: interrupted — ${message}\n`);
    controller.abort();
  };
  process.once('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', handler) };
}

/**
 * What a long judging run (score, pairwise, generate) holds while it goes: Ctrl-C and the provider
 * circuit as one signal, and a progress line labelled `label`. `end()` stops both.
 */
export function startRun(label: string, circuit: AbortSignal) {
  const interrupt = onInterrupt('finishing what is in flight and keeping what is done…');
  const progress = createProgress(label);
  return {
    signal: anySignal(interrupt.signal, circuit),
    progress,
    end: () => {
      progress.stop();
      interrupt.dispose();
    },
  };
}
