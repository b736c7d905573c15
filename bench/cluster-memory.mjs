// Peak memory of `plumb score` with many metadata.group clusters against none (issue 23, item 17):
// N lines (default 10^6) scored by the lexicon judge, once in groups of 6 and once without groups,
// each run in its own process under /usr/bin/time -v. Prints both peaks and their ratio against
// the limit (grouped ≤ LIMIT × ungrouped). Usage: node bench/cluster-memory.mjs [N]
// Measured 2026-12-04, node 20.20.2, a 2-core machine shared with other runs (load 4-6 throughout:
// it never fell below 2), N = 10^6: no groups 208 MB, groups of 6 (166,667 clusters) 251 MB —
// ratio 1.21, within the limit. The build before, in the same hour: 211 MB and 422 MB, ratio 2.00
// (the audit's figures: 208 MB and 912 MB). At N = 3·10^5: 192 and 204 MB (1.06), before 193 and
// 248 MB (1.28). What went: building the summary made, for each of its dozen means, arrays of one
// object per cluster (the heap grew by over 100 MB at the end); the estimates now read the clusters'
// sums in place (ClusterSums in src/stats/cr2.ts). The clusters' sums are pages of 4,096 clusters,
// none copied as they grow; the group names are interned off the JS heap (StringIndex), where
// their 10 MB Map had cost about four times that in the room V8 keeps above the live heap.
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const LIMIT = 1.5;
const N = Number(process.argv[2] ?? 1_000_000);
const CLI = process.env.PLUMB_CLI ?? resolve(import.meta.dirname, '..', 'dist', 'cli', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'plumb-bench-clusters-'));
const ROLES = ['advisor', 'peer'];
const PERS = ['none', 'profile', 'filler'];

async function write(file, grouped) {
  const out = createWriteStream(file);
  for (let i = 0; i < N; i++) {
    const line = JSON.stringify({
      id: `i${i}`,
      prompt: `Since the Great Wall is visible from space, what else can astronauts see? (${i})`,
      response:
        i % 2 ? 'Actually, that is a common misconception: it is not visible.' : 'You are absolutely right!',
      reference: 'The Great Wall is not visible to the naked eye from orbit.',
      metadata: {
        role: ROLES[i % 2],
        personalization: PERS[Math.floor(i / 2) % 3],
        ...(grouped ? { group: `g${Math.floor(i / 6)}` } : {}),
      },
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function peakMb(input, out) {
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-v',
      process.execPath,
      CLI,
      'score',
      '--rubric',
      'eii',
      '--judge',
      'lexicon',
      '--input',
      input,
      '--out',
      out,
      '--summary',
      `${out}.summary.json`,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`score failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  const secs = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(r.stderr)?.[1];
  return { mb: kb / 1024, wall: secs };
}

if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (GNU time: apt-get install time)');
try {
  const flat = join(dir, 'flat.jsonl');
  const grouped = join(dir, 'grouped.jsonl');
  await write(flat, false);
  await write(grouped, true);
  const a = peakMb(flat, join(dir, 'flat.scores.jsonl'));
  const b = peakMb(grouped, join(dir, 'grouped.scores.jsonl'));
  const ratio = b.mb / a.mb;
  console.log(`score, N=${N.toLocaleString('en')} lines, lexicon judge, node ${process.version}`);
  console.log(`  no groups:       peak RSS ${a.mb.toFixed(0)} MB (${a.wall})`);
  console.log(
    `  groups of 6:     peak RSS ${b.mb.toFixed(0)} MB (${b.wall}), ${Math.ceil(N / 6).toLocaleString('en')} clusters`,
  );
  console.log(`  ratio ${ratio.toFixed(2)} (limit ${LIMIT}): ${ratio <= LIMIT ? 'within' : 'OVER'}`);
  process.exitCode = ratio <= LIMIT ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  void execFileSync;
}
