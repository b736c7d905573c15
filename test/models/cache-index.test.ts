import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashCanonical } from '../../src/core/canonical.js';
import { JudgeCache } from '../../src/models/cache.js';
import { compactCache } from '../../src/models/cache-compact.js';
import { CacheBucket } from '../../src/models/cache-log.js';
import { tempDir } from '../helpers/cli.js';

/** Keys in one bucket (`00`), so one log and one index hold them all. */
const keyOf = (i: number, bucket = '00') => `${bucket}${hashCanonical({ i }).slice(2)}`;
const log = (dir: string, bucket = '00') => join(dir, 'log', `${bucket}.jsonl`);
const idx = (dir: string, bucket = '00') => join(dir, 'log', `${bucket}.idx`);

async function fill(dir: string, from: number, to: number, close = true): Promise<JudgeCache> {
  const cache = new JudgeCache(dir);
  for (let i = from; i < to; i++) await cache.set(keyOf(i), { i, text: `answer ${i}` });
  if (close) cache.close();
  return cache;
}

/** A fresh process's view of the bucket: what it scanned, and whether every key is served. */
async function reopen(dir: string, n: number) {
  const bucket = new CacheBucket(log(dir));
  bucket.refresh();
  const scanned = bucket.scannedBytes;
  bucket.close();
  const cache = new JudgeCache(dir);
  const values = await Promise.all(Array.from({ length: n }, (_, i) => cache.get(keyOf(i))));
  cache.close();
  return { scanned, served: values.every((v, i) => (v as { i: number } | undefined)?.i === i) };
}

/** A pid no process can have: above Linux's largest pid_max (2^22), without spawning one to die. */
const deadPid = () => 2 ** 22 + 7;

describe('the persisted bucket index (#18)', () => {
  it('is written on close, and a fresh process reads only the tail appended since', async () => {
    const dir = tempDir();
    await fill(dir, 0, 200);
    expect(existsSync(idx(dir))).toBe(true);
    expect(await reopen(dir, 200)).toEqual({ scanned: 0, served: true });
    // 20 more answers by a process that never closes (killed): the index covers the first 200
    const before = statSync(log(dir)).size;
    await fill(dir, 200, 220, false);
    const after = statSync(log(dir)).size;
    expect(await reopen(dir, 220)).toEqual({ scanned: after - before, served: true });
  });

  it('is written while a process runs once it has read a MiB of new lines, not only at close', async () => {
    const dir = tempDir();
    const writer = new JudgeCache(dir);
    for (let i = 0; i < 2500; i++) await writer.set(keyOf(i), { i, text: 'x'.repeat(500) }); // ~1.6 MB
    expect(existsSync(idx(dir))).toBe(false); // appending alone never writes it
    const reader = new CacheBucket(log(dir));
    reader.refresh();
    expect(existsSync(idx(dir))).toBe(true);
    reader.close();
    writer.close();
  });

  it('is never trusted for a log that was replaced, truncated, or for another bucket, or when torn', async () => {
    const dir = tempDir();
    await fill(dir, 0, 50);
    const original = readFileSync(log(dir));
    const index = readFileSync(idx(dir));
    // replaced by a log of the same length whose answers sit elsewhere (as compaction moves them)
    writeFileSync(
      log(dir),
      Buffer.concat([Buffer.from('\n{"junk":1}\n'), original]).subarray(0, original.length),
    );
    writeFileSync(idx(dir), index);
    const replaced = await reopen(dir, 1);
    expect(replaced.scanned).toBe(original.length); // rescanned, not read through the old index
    // truncated below what the index covers
    writeFileSync(log(dir), original.subarray(0, original.length / 2));
    writeFileSync(idx(dir), index);
    expect((await reopen(dir, 0)).scanned).toBe(original.length / 2);
    // one byte of the index flipped: its checksum fails
    writeFileSync(log(dir), original);
    const torn = Buffer.from(index);
    torn[torn.length - 100]! ^= 1;
    writeFileSync(idx(dir), torn);
    expect(await reopen(dir, 50)).toEqual({ scanned: original.length, served: true });
    // another bucket's index copied beside this log
    await fill(dir, 0, 0);
    const other = new JudgeCache(dir);
    await other.set(keyOf(1, '01'), { other: true });
    other.close();
    copyFileSync(idx(dir, '01'), idx(dir));
    expect(await reopen(dir, 50)).toEqual({ scanned: original.length, served: true });
  });

  it('keeps the open claims: a claim in the indexed part still makes a second process wait', async () => {
    const dir = tempDir();
    const key = keyOf(7);
    mkdirSync(join(dir, 'log'), { recursive: true });
    // a live process (vitest's parent) claimed the key; a dead one claimed another, then nothing
    const live = { claim: key, pid: process.ppid, host: hostname(), t: Date.now() };
    const dead = { claim: keyOf(8), pid: deadPid(), host: hostname(), t: Date.now() };
    writeFileSync(log(dir), `\n${JSON.stringify(live)}\n\n${JSON.stringify(dead)}\n`);
    await fill(dir, 0, 3); // close() writes the index, claims included
    const bucket = new CacheBucket(log(dir));
    bucket.refresh();
    expect(bucket.scannedBytes).toBe(0);
    expect([...bucket.claims.keys()].sort()).toEqual([key, keyOf(8)].sort());
    bucket.close();
    expect(new JudgeCache(dir).awaitClaim(key, 'another-run')).toBe('waiting');
    expect(new JudgeCache(dir).awaitClaim(keyOf(8), 'another-run')).toBe('lapsed');
    // the claimant releases it in the tail: read after the index, the claim is gone
    writeFileSync(log(dir), `\n${JSON.stringify({ release: key, pid: process.ppid, host: hostname() })}\n`, {
      flag: 'a',
    });
    expect(new JudgeCache(dir).awaitClaim(key, 'another-run')).toBe('lapsed');
  });
});

describe('compaction (#18)', () => {
  it('keeps one valid answer per key and the claims that hold; every answer is still served', async () => {
    const dir = tempDir();
    await fill(dir, 0, 30);
    await fill(dir, 0, 10); // 10 superseded answers (the same values again)
    const cache = new JudgeCache(dir);
    // a run's closed claims: answered, released
    await cache.getOrCompute(keyOf(40), async () => ({
      value: { i: 40, text: 'answer 40' },
      cacheable: true,
    }));
    await cache.getOrCompute(keyOf(41), async () => ({ value: { no: 1 }, cacheable: false }));
    // a batch run's claim at the provider for an hour: it must survive
    expect(cache.claimForBatch(keyOf(42), 'batch-run-1', Date.now() + 3600_000)).toBe('ours');
    cache.close();
    const bucket = log(dir);
    const dead = { claim: keyOf(43), pid: deadPid(), host: hostname(), t: Date.now() };
    writeFileSync(bucket, `\n${JSON.stringify(dead)}\n\n{"key":"${keyOf(44)}","checksum":"torn\n`, {
      flag: 'a',
    });
    const sizeBefore = statSync(bucket).size;
    const report = compactCache(dir);
    expect(report).toMatchObject({
      buckets: 1,
      answers: 31,
      openClaims: 1,
      superseded: 10,
      corrupt: 1,
      // the claims on 40 (answered) and 41 (released), that release, the dead process's claim on 43
      closedClaims: 4,
      bytesBefore: sizeBefore,
    });
    expect(report.bytesAfter).toBe(statSync(bucket).size);
    expect(report.bytesAfter).toBeLessThan(sizeBefore);
    const fresh = await reopen(dir, 30);
    expect(fresh).toEqual({ scanned: 0, served: true }); // a fresh index came with the new log
    const again = new JudgeCache(dir);
    expect(await again.get(keyOf(40))).toEqual({ i: 40, text: 'answer 40' });
    expect(again.awaitClaim(keyOf(42), 'another-run')).toBe('waiting'); // the batch claim holds
    expect(again.awaitClaim(keyOf(43), 'another-run')).toBe('lapsed');
    let paid = 0;
    for (let i = 0; i < 30; i++)
      await again.getOrCompute(keyOf(i), async () => {
        paid += 1;
        return { value: {}, cacheable: true };
      });
    expect(paid).toBe(0);
    again.close();
    // a second compaction finds nothing more to drop
    expect(compactCache(dir)).toMatchObject({ answers: 31, superseded: 0, corrupt: 0, closedClaims: 0 });
  });

  it('refuses while a cache of this process has buckets open, and goes ahead once it is closed', async () => {
    const dir = tempDir();
    const cache = await fill(dir, 0, 5, false);
    expect(() => compactCache(dir)).toThrow(/in use by this process/);
    cache.close();
    expect(compactCache(dir).answers).toBe(5);
    expect(compactCache(join(dir, 'nothing-here'))).toMatchObject({ found: false, buckets: 0 });
  });

  it('a run that finds the folder being compacted waits, then goes on in memory with one warning', async () => {
    const dir = tempDir();
    await fill(dir, 0, 2);
    // the compaction lock of a live process (vitest's parent)
    const lock = { pid: process.ppid, host: hostname(), started_at: new Date().toISOString() };
    writeFileSync(join(dir, 'compact.lock'), JSON.stringify(lock));
    const warnings: string[] = [];
    const cache = new JudgeCache(dir, { compactionWaitMs: 100, warn: (m) => warnings.push(m) });
    const size = statSync(log(dir)).size;
    await cache.set(keyOf(9), { late: true });
    expect(await cache.get(keyOf(9))).toEqual({ late: true }); // from memory
    expect(statSync(log(dir)).size).toBe(size); // nothing appended to a file about to be replaced
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`being compacted by plumb process ${process.ppid}`));
    cache.close();
  });
});
