import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Comparability } from './summary.js';

/** Shard `k` of `n` (1-based), as `--shard k/n` names it. */
export interface Shard {
  k: number;
  n: number;
}

/**
 * Whether an item belongs to a shard: by a hash of its id, so the split is stable, even, and
 * independent of the order of the file (and of which machine reads it).
 */
export function inShard(id: string, shard: Shard): boolean {
  const h = createHash('sha256').update(id).digest();
  return h.readUInt32BE(0) % shard.n === shard.k - 1;
}

/**
 * Written beside a shard's scores (`<out>.shard.json`), in the same commit: what `plumb merge`
 * needs to check that shards belong together and to put their lines back in input order.
 */
export interface ShardRecord {
  kind: 'shard';
  shard: Shard;
  input: { label: string; sha256: string; items: number };
  comparability: Comparability;
  /** The summary's request and retry counts for this shard (merged by summing). */
  requests: number;
  retries?: number;
  /** For each line of the scores file, the 0-based position of its item in the input. */
  positions: number[];
  /** SHA-256 of the scores file as written: any edit, swap or reordering of its lines is refused by merge. */
  scores_sha256: string;
}

export const shardRecordPath = (scoresPath: string) => `${scoresPath}.shard.json`;

/** The SHA-256 of a file's bytes, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
