import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { outputError } from '../io/errors.js';
import {
  applyClaimLine,
  CacheBucket,
  type ClaimRecord,
  checkedValueText,
  claimHolds,
  claimLine,
} from './cache-log.js';
import { lockForCompaction } from './cache-users.js';

/** What compaction kept and dropped, over every bucket of the folder. */
export interface CompactReport {
  dir: string;
  /** False when the folder holds no cache (nothing to compact). */
  found: boolean;
  buckets: number;
  /** One valid answer per key. */
  answers: number;
  /** Claims still open and holding (a batch run's request at the provider, another host's call). */
  openClaims: number;
  /** Older answers to a key that has a newer valid one. */
  superseded: number;
  /** Lines that fail their checksum, are cut short or do not parse. */
  corrupt: number;
  /** Claims answered, released or void, and the releases themselves. */
  closedClaims: number;
  bytesBefore: number;
  bytesAfter: number;
}

const BUCKET = /^[0-9a-f]{2}\.jsonl$/;
const KEY_AT = '{"key":"'.length;

/**
 * Rewrites each bucket of the cache at `dir` keeping what a reader would use: the newest valid
 * answer per key (the one served) and the claims that still hold, each bucket replaced atomically
 * (a temp file, synced, renamed over the log) and given a fresh index. Refuses while another
 * process uses the cache or compacts it (cache-users.ts): a run with the old file open would
 * append to the unlinked file and lose what it paid for.
 */
export function compactCache(dir: string, options: { staleClaimMs?: number } = {}): CompactReport {
  const logDir = join(dir, 'log');
  const report: CompactReport = {
    dir,
    found: existsSync(logDir),
    buckets: 0,
    answers: 0,
    openClaims: 0,
    superseded: 0,
    corrupt: 0,
    closedClaims: 0,
    bytesBefore: 0,
    bytesAfter: 0,
  };
  if (!report.found) return report;
  const release = lockForCompaction(dir);
  try {
    for (const name of readdirSync(logDir).sort()) {
      const path = join(logDir, name);
      if (name.endsWith('.tmp')) rmSync(path, { force: true }); // a temp file of a process that died writing it
      if (!BUCKET.test(name)) continue;
      compactBucket(path, options.staleClaimMs ?? 15 * 60_000, report);
      report.buckets += 1;
    }
  } finally {
    release();
  }
  return report;
}

/** The newest valid answer per key and the claims open at the end, from one bucket's bytes. */
function scanBucket(file: Buffer, report: CompactReport) {
  const answers = new Map<string, { at: number; line: string }>();
  const claims = new Map<string, ClaimRecord[]>();
  for (let start = 0; start < file.length; ) {
    let end = file.indexOf(10, start);
    if (end < 0) end = file.length;
    if (end > start) {
      const line = file.toString('utf8', start, end);
      if (line.startsWith('{"key":"')) {
        const key = line.slice(KEY_AT, KEY_AT + 64);
        claims.delete(key); // as a reader does: an answer line ends the claims before it
        if (checkedValueText(line, key) === undefined) report.corrupt += 1;
        else {
          if (answers.has(key)) report.superseded += 1;
          answers.set(key, { at: start, line });
        }
      } else if (line.startsWith('{"claim":"') || line.startsWith('{"release":"')) {
        if (applyClaimLine(claims, line)) report.closedClaims += 1;
        else report.corrupt += 1;
      } else report.corrupt += 1;
    }
    start = end + 1;
  }
  return { answers, claims };
}

function compactBucket(path: string, staleClaimMs: number, report: CompactReport): void {
  const file = readFileSync(path);
  report.bytesBefore += file.length;
  const { answers, claims } = scanBucket(file, report);
  // answers in the order they were written, then the claims that still hold (each key's in file
  // order, which decides who pays); every record "\n" + JSON + "\n", as JudgeCache appends them
  const lines = [...answers.values()].sort((a, b) => a.at - b.at).map((a) => a.line);
  const now = Date.now();
  for (const [key, list] of claims)
    for (const c of list)
      if (claimHolds(c, now, staleClaimMs)) {
        lines.push(claimLine(key, c));
        report.openClaims += 1;
      }
  report.answers += answers.size;
  report.closedClaims -= lines.length - answers.size; // counted as read: the kept ones are not closed
  const text = lines.map((l) => `\n${l}\n`).join('');
  try {
    writeFileAtomicSync(path, text);
  } catch (err) {
    throw outputError(path, err, 'cannot rewrite the bucket');
  }
  report.bytesAfter += Buffer.byteLength(text);
  // the old index describes the old file: index the new one (its own check would refuse the old)
  const bucket = new CacheBucket(path);
  bucket.dropIndex();
  bucket.refresh();
  bucket.persist();
  bucket.close();
}
