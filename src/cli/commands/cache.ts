import { compactCache } from '../../models/cache-compact.js';
import type { FlagValues } from '../flags.js';
import type { cacheCompact } from '../specs/cache.js';

const count = (n: number) => n.toLocaleString('en-US');
const size = (bytes: number) =>
  bytes >= 1e6
    ? `${(bytes / 1e6).toFixed(1)} MB`
    : bytes >= 1e3
      ? `${(bytes / 1e3).toFixed(1)} kB`
      : `${bytes} B`;

/** `plumb cache compact`: the folder's buckets rewritten, and what was kept and dropped. */
export async function cacheCompactCommand(flags: FlagValues<(typeof cacheCompact)['flags']>): Promise<void> {
  const r = compactCache(flags.cacheDir);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  if (!r.found) {
    process.stdout.write(`no judge cache at ${r.dir} (no log folder): nothing to compact\n`);
    return;
  }
  process.stdout.write(
    `compacted ${r.dir}: ${r.buckets} bucket(s), ${size(r.bytesBefore)} → ${size(r.bytesAfter)}\n` +
      `  kept    ${count(r.answers)} answer(s), ${count(r.openClaims)} open claim(s)\n` +
      `  dropped ${count(r.superseded)} superseded answer(s), ${count(r.corrupt)} corrupt line(s), ` +
      `${count(r.closedClaims)} closed claim/release record(s)\n`,
  );
}
