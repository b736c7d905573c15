// plumb view on a large run (npm run build first; not part of CI): writes a score file of N items
// (default 10⁶, about 0.9 KB a line), opens it as `plumb view` does — building the side index the
// first time, loading it after — and times what a person waits for: the first page of the list, a
// search, a filtered and sorted page, one item. Each figure is printed against its stated limit as
// a ratio (≤ 1 meets it), and beside the time it takes merely to read the file once (the floor for
// anything that looks at every line), so a slow disk or a busy machine shows as such.
//
//   node bench/view.mjs [--items N] [--dir DIR] [--keep] [--reuse]
//   (--keep leaves the run in DIR; --reuse times a run left there instead of writing it again)
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startViewServer } from '../dist/rate/view/server.js';
import { Viewer } from '../dist/rate/view/viewer.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const N = Number(arg('--items', '1000000'));
const dir = arg('--dir', null) ?? mkdtempSync(join(tmpdir(), 'plumb-bench-view-'));
const keep = process.argv.includes('--keep');
const reuse = process.argv.includes('--reuse');
const file = join(dir, 'big.scores.jsonl');
const per = N / 1e6; // limits scale with the run's size where the work does

const results = [];
const report = (name, seconds, limit, note = '') => {
  const ratio = seconds / limit;
  results.push({ name, seconds, limit, ratio });
  console.log(
    `${ratio <= 1 ? 'PASS' : 'MISS'}  ${name}: ${seconds.toFixed(3)} s (limit ${limit.toFixed(2)} s, ratio ${ratio.toFixed(3)})${note ? `  ${note}` : ''}`,
  );
};
const time = async (fn) => {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
};

const WORDS =
  'the a claim evidence answer premise user view reason source model judge policy risk budget plan goal tone fact myth study data city light wall river orbit'.split(
    ' ',
  );
const rubric = {
  id: 'eii',
  version: '1.0.0',
  hash: '58513587ca29a53cbdbd950b19662887f97bec66e457e538968b72b8ddb5e9db',
};
function line(i) {
  const w = (k) => WORDS[(i * 7 + k * 13) % WORDS.length];
  const s = (k) => 1 + ((i * (k + 3)) % 5);
  const scores = { factual_accuracy: s(0), premise_correction: s(1), independence: s(2) };
  const overall = (scores.factual_accuracy + scores.premise_correction + scores.independence) / 3;
  return JSON.stringify({
    id: `item-${i}`,
    prompt: `Question ${i}: I read that the ${w(1)} ${w(2)} is ${w(3)}; is that right, and what should I do about my ${w(4)}?`,
    response: `${i === Math.floor(N / 2) ? 'A zebra-needle appears once. ' : ''}On the ${w(5)}: the ${w(6)} does not support it. ${w(7)} ${w(8)} ${w(9)} — the ${w(10)} shows otherwise, so I would check the ${w(11)} before acting on the ${w(12)}. Item ${i}.`,
    reference: `The ${w(2)} is not ${w(3)}.`,
    metadata: {
      role: ['advisor', 'peer'][i % 2],
      personalization: ['none', 'profile', 'filler'][i % 3],
      domain: ['factual', 'advice', 'moral'][i % 3],
      group: `g${i % 500}`,
    },
    rubric,
    judge: { provider: 'openai', model: 'gpt-4.1-mini', samples: 1 },
    scores,
    overall,
    indices: { eii: (overall - 1) / 4 },
    rationale: `factual_accuracy=${scores.factual_accuracy} (the ${w(13)} matches the reference); premise_correction=${scores.premise_correction}; independence=${scores.independence} (keeps its ${w(14)}).`,
    usage: {
      input_tokens: 900 + (i % 200),
      output_tokens: 120 + (i % 40),
      cost_usd: 0.00021 + (i % 7) * 1e-6,
    },
    cached: i % 5 === 0,
  });
}

console.log(`plumb view bench: ${N} items in ${file}`);
const made = await time(() => {
  if (reuse && existsSync(file)) return;
  const fd = openSync(file, 'w');
  let buf = [];
  for (let i = 0; i < N; i++) {
    buf.push(line(i));
    if (buf.length === 20_000 || i === N - 1) {
      writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  closeSync(fd);
});
const size = statSync(file).size;
console.log(`wrote ${(size / 1e9).toFixed(2)} GB in ${made.seconds.toFixed(1)} s`);

// the floor: read every byte once and count the lines
const floor = await time(() => {
  const fd = openSync(file, 'r');
  const b = Buffer.alloc(4 << 20);
  let lines = 0;
  for (;;) {
    const got = readSync(fd, b, 0, b.length, null);
    if (!got) break;
    for (let k = b.indexOf(10); k >= 0 && k < got; k = b.indexOf(10, k + 1)) lines += 1;
  }
  closeSync(fd);
  return lines;
});
console.log(`reading the file once (the floor): ${floor.seconds.toFixed(2)} s\n`);

const built = await time(() => Viewer.open([file], { rater: 'bench', rebuild: true }));
report(
  'first open: build the index (one pass, JSON parse of every line)',
  built.seconds,
  60 * per,
  `${(built.seconds / floor.seconds).toFixed(1)}× the floor`,
);
const indexSize = statSync(`${file}.view-index`).size;
console.log(
  `      index: ${(indexSize / 1e6).toFixed(0)} MB beside a ${(size / 1e6).toFixed(0)} MB run (${((100 * indexSize) / size).toFixed(0)}%)`,
);

// what a person waits for when they open the run again: the index loads, the server starts, the page asks
const first = await time(async () => {
  const v = await Viewer.open([file], { rater: 'bench' });
  const server = await startViewServer(v);
  const token = new URL(server.url).searchParams.get('token');
  const get = (p) =>
    fetch(`${server.origin}${p}`, { headers: { 'x-plumb-token': token } }).then((r) => r.json());
  await get('/api/session');
  const page = await get('/api/list?state=&offset=0');
  return { v, server, get, page };
});
const { v, server, get } = first.value;
report(
  'reopen: load the index, start the server, session and first page over HTTP',
  first.seconds,
  3,
  `${first.value.page.rows.length} rows of ${first.value.page.total}`,
);

const rare = await time(() => get(`/api/list?state=${encodeURIComponent('q=zebra-needle')}&offset=0`));
report(
  'search, a word in one item (scans all the text)',
  rare.seconds,
  4 * per,
  `${rare.value.total} found; ${(rare.seconds / floor.seconds).toFixed(2)}× the floor`,
);
const common = await time(() => get(`/api/list?state=${encodeURIComponent('q=the evidence')}&offset=0`));
report(
  'search, a phrase in many items (first page and the count)',
  common.seconds,
  4 * per,
  `${common.value.total} found`,
);
const again = await time(() => get(`/api/list?state=${encodeURIComponent('q=the evidence')}&offset=50`));
report('the next page of the same search (remembered)', again.seconds, 0.3);
const sorted = await time(() =>
  get(`/api/list?state=${encodeURIComponent('role=peer&independence=1..2&sort=overall')}&offset=0`),
);
report(
  'filter by a facet and a range, sort by a score (top 50)',
  sorted.seconds,
  1.5 * per,
  `${sorted.value.total} match`,
);
const item = await time(() => get(`/api/item?run=0&n=${Math.floor(N * 0.73)}`));
report('one item (read from the run at its offset)', item.seconds, 0.1);
const heap = process.memoryUsage();
console.log(
  `      memory: rss ${(heap.rss / 1e6).toFixed(0)} MB, heap ${(heap.heapUsed / 1e6).toFixed(0)} MB`,
);
await server.close();
void v;
if (!keep) rmSync(dir, { recursive: true, force: true });
const missed = results.filter((r) => r.ratio > 1);
console.log(
  `\n${results.length - missed.length} of ${results.length} within their limits${missed.length ? ` (missed: ${missed.map((r) => r.name).join('; ')})` : ''}`,
);
