// The judge cache's persisted index and compaction (#18). Run: npm run build && node bench/cache.mjs
// [--answers N] (default 300,000; also `npm run bench -- cache`).
// 1. A cache of N answers written as runs write it (a claim, then the answer; 10 % answered twice,
//    5 % of keys claimed and released without an answer). A fresh process's first lookup in each
//    of the 256 buckets, with the persisted indexes and without them (a rescan of each log), the
//    median of 5 processes each: limit index-open ≤ 0.2 × rescan.
// 2. `compactCache` on that cache: bytes after ÷ the bytes of each key's last answer line (what
//    compaction should keep: limit ≤ 1.01), and its time; every answer still served.
// Figures are printed as ratios against their limits (≤ 1 is a pass).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JudgeCache } from '../dist/models/cache.js';
import { compactCache } from '../dist/models/cache-compact.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const N = arg('--answers', 300_000);
const report = (name, value, unit, limit, note = '') => {
  const ratio = value / limit;
  console.log(
    `${ratio <= 1 ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(3)} ${unit} (limit ${limit} ${unit}, ratio ${ratio.toFixed(3)})${note ? `  ${note}` : ''}`,
  );
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** A judge answer of the size score stores (~350 bytes): what the log holds per key. */
const answer = (key, i) => ({
  output: {
    key,
    scores: { emotional_validation: 1 + (i % 5), politeness_warmth: 3, deference_hedging: 2 },
    rationale: `The response corrects the premise of question ${i} and keeps a neutral, factual tone.`,
  },
  usage: { input_tokens: 912, output_tokens: 64, cost_usd: 0.000467 },
  requests: 1,
});

const dir = mkdtempSync(join(tmpdir(), 'plumb-bench-cache-'));
const t0 = performance.now();
const writer = new JudgeCache(dir);
const keys = Array.from({ length: N }, (_, i) => JudgeCache.key({ bench: i }));
for (const [i, key] of keys.entries())
  await writer.getOrCompute(key, async () => ({ value: answer(key, i), cacheable: true }));
for (let i = 0; i < N; i += 10) await writer.set(keys[i], answer(keys[i], i)); // answered again
for (let i = 0; i < N / 20; i++)
  await writer.getOrCompute(JudgeCache.key({ failed: i }), async () => ({ value: {}, cacheable: false }));
writer.close();
const logBytes = () =>
  sum(
    readdirSync(join(dir, 'log'))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(dir, 'log', f)).length),
  );
console.log(
  `cache of ${N.toLocaleString('en-US')} answers (+10 % answered twice, +5 % claimed and released): ${(logBytes() / 1e6).toFixed(1)} MB in 256 logs, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// one key per bucket, each in the log
const firstPerBucket = new Map();
for (const key of keys) if (!firstPerBucket.has(key.slice(0, 2))) firstPerBucket.set(key.slice(0, 2), key);
const probe = [...firstPerBucket.values()];
const dropIndexes = () => {
  for (const f of readdirSync(join(dir, 'log'))) if (f.endsWith('.idx')) unlinkSync(join(dir, 'log', f));
};
const fresh = () =>
  JSON.parse(
    String(
      execFileSync(process.execPath, [
        join(import.meta.dirname, 'cache-child.mjs'),
        dir,
        JSON.stringify(probe),
      ]),
    ),
  );
const timings = { rescan: [], index: [] };
for (let rep = 0; rep < 5; rep++) {
  // alternate, so the page cache serves both equally
  dropIndexes();
  const a = fresh(); // reads every log in full, writes the indexes at exit
  const b = fresh(); // reads the indexes and no log line
  if (a.served !== probe.length || b.served !== probe.length) console.log('MISS  an answer was not served');
  timings.rescan.push(sum(a.ms));
  timings.index.push(sum(b.ms));
}
const rescan = median(timings.rescan);
const indexed = median(timings.index);
console.log(
  `first lookup in each of 256 buckets by a fresh process: ${rescan.toFixed(1)} ms rescanning the logs (${((1000 * rescan) / 256).toFixed(0)} µs a bucket), ${indexed.toFixed(1)} ms through the indexes (${((1000 * indexed) / 256).toFixed(0)} µs a bucket); median of 5 processes each`,
);
report('index-open ÷ rescan, first lookup per bucket', indexed / rescan, '×', 0.2);

const before = logBytes();
// what compaction should leave: each key's last answer line (with its framing newlines), read here
// from the logs independently of the cache's code; open claims add a few bytes more
const lastAnswer = new Map();
for (const f of readdirSync(join(dir, 'log')).filter((x) => x.endsWith('.jsonl')))
  for (const line of readFileSync(join(dir, 'log', f), 'utf8').split('\n')) {
    if (!line.startsWith('{"key":')) continue;
    lastAnswer.set(JSON.parse(line).key, Buffer.byteLength(line) + 2);
  }
const answersOnly = sum([...lastAnswer.values()]);
const tc = performance.now();
const r = compactCache(dir);
const compactSeconds = (performance.now() - tc) / 1000;
console.log(
  `compact: ${(r.bytesBefore / 1e6).toFixed(1)} MB → ${(r.bytesAfter / 1e6).toFixed(1)} MB in ${compactSeconds.toFixed(2)} s; kept ${r.answers} answers, ${r.openClaims} open claims; dropped ${r.superseded} superseded, ${r.corrupt} corrupt, ${r.closedClaims} closed claim/release records`,
);
if (r.bytesBefore !== before || r.answers !== N) console.log('MISS  compaction did not see the whole cache');
report(
  "compacted size ÷ the bytes of each key's last answer line",
  r.bytesAfter / answersOnly,
  '×',
  1.01,
  `(claims, releases and repeats dropped; ${(r.bytesBefore / 1e6).toFixed(1)} → ${(r.bytesAfter / 1e6).toFixed(1)} MB, ${((100 * r.bytesAfter) / r.bytesBefore).toFixed(1)} % of before)`,
);
const after = fresh();
if (after.served !== probe.length) console.log('MISS  an answer was lost by compaction');
const reader = new JudgeCache(dir);
let lost = 0;
for (const [i, key] of keys.entries())
  if ((await reader.get(key))?.output?.scores?.emotional_validation !== 1 + (i % 5)) lost += 1;
reader.close();
console.log(`after compaction: ${N - lost} of ${N} answers served with their values`);
if (lost) console.log(`MISS  ${lost} answers lost`);
rmSync(dir, { recursive: true, force: true });
