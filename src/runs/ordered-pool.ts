import { pMapIterable } from 'p-map';

/**
 * Maps an async source through `fn` with at most `concurrency` calls running, and hands results to
 * `sink` in source order. p-map's pMapIterable keeps the ordered, bounded window: at most `window`
 * items are held (running, or finished and waiting for an earlier one), so memory stays bounded
 * however long the source is, and output files stay in input order (diffable, stable under
 * re-runs). `shouldStop` is asked before each item is taken from the source: once it says stop,
 * nothing new starts and what is in flight is still handed over.
 */
export async function mapOrdered<T, R>(
  source: AsyncIterable<T>,
  fn: (item: T) => Promise<R>,
  sink: (result: R, item: T) => Promise<void> | void,
  options: { concurrency: number; window?: number; shouldStop?: () => boolean },
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency);
  const window = Math.max(options.window ?? concurrency * 4, concurrency);
  async function* untilStopped(): AsyncGenerator<T> {
    for await (const item of source) {
      if (options.shouldStop?.()) return;
      yield item;
    }
  }
  const results = pMapIterable(untilStopped(), async (item) => ({ item, result: await fn(item) }), {
    concurrency,
    backpressure: window,
  });
  for await (const { item, result } of results) await sink(result, item);
}
