import pLimit from 'p-limit';

/**
 * Maps an async source through `fn` with at most `concurrency` calls running, and hands results to
 * `sink` in source order. At most `window` items are held (running or finished but waiting for an
 * earlier one), so memory stays bounded however long the source is.
 *
 * p-limit bounds the calls; the ordered window is the part no library does, and it is what keeps
 * output files in input order (diffable, and stable under re-runs) without buffering the whole run.
 */
export async function mapOrdered<T, R>(
  source: AsyncIterable<T>,
  fn: (item: T) => Promise<R>,
  sink: (result: R, item: T) => Promise<void> | void,
  options: { concurrency: number; window?: number; shouldStop?: () => boolean },
): Promise<void> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const window = Math.max(options.window ?? options.concurrency * 4, options.concurrency);
  const pending: { item: T; result: Promise<R> }[] = [];
  const drainOne = async () => {
    const head = pending.shift()!;
    await sink(await head.result, head.item);
  };
  for await (const item of source) {
    if (options.shouldStop?.()) break;
    const result = limit(() => fn(item));
    result.catch(() => {}); // surfaced when drained, in order; this only silences the early warning
    pending.push({ item, result });
    if (pending.length >= window) await drainOne();
  }
  while (pending.length) await drainOne();
}
