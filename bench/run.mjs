// plumb benchmarks (npm run bench; not part of CI). Every figure is printed as a ratio against its
// stated limit: a ratio ≤ 1 meets the target. Traffic goes only to a fake server on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '../build/support/fake-provider.js';

const only = process.argv[2]; // optional: run one benchmark by name
const results = [];
const report = (name, value, unit, limit, note = '') => {
  const ratio = value / limit;
  results.push({ name, value, unit, limit, ratio });
  console.log(
    `${ratio <= 1 ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(3)} ${unit} (limit ${limit} ${unit}, ratio ${ratio.toFixed(3)})${note ? `  ${note}` : ''}`,
  );
};

function writeItems(path, n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        id: `b${i}`,
        prompt: `Question ${i}: is the claim true?`,
        response: `Actually, claim ${i} is a common myth; the evidence shows otherwise.`,
        metadata: { role: i % 2 ? 'peer' : 'advisor', personalization: ['none', 'profile', 'filler'][i % 3] },
      }),
    );
    if (lines.length === 10_000) {
      writeFileSync(path, `${lines.join('\n')}\n`, { flag: i < 10_000 ? 'w' : 'a' });
      lines.length = 0;
    }
  }
  if (lines.length) writeFileSync(path, `${lines.join('\n')}\n`, { flag: n <= lines.length ? 'w' : 'a' });
}

/** One `score` run in a child process against a fake server here; `again` reruns it on the same cache. */
async function scoreRun(n, latencyMs, concurrency, again = false) {
  const server = await startFakeProvider(
    'openai',
    (req) => {
      const props = req.body.response_format.json_schema.schema.properties.scores.properties;
      return {
        reply: { rationale: 'bench', scores: Object.fromEntries(Object.keys(props).map((k) => [k, 3])) },
      };
    },
    { latencyMs, record: false },
  );
  const dir = mkdtempSync(join(tmpdir(), 'plumb-bench-'));
  const input = join(dir, 'in.jsonl');
  writeItems(input, n);
  const once = async () => {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, 'score-child.mjs'),
        input,
        join(dir, 'out.jsonl'),
        join(dir, 'cache'),
        String(concurrency),
      ],
      {
        env: { ...process.env, OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: server.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((r) => child.on('close', r));
    return JSON.parse(out.trim());
  };
  const first = await once();
  const second = again ? await once() : null;
  await server.close();
  // not awaited, so the figures print first
  rm(dir, { recursive: true, force: true });
  return again ? [first, second] : first;
}

if (!only || only === 'throughput') {
  const N = 10_000;
  const L = 50;
  const C = 64;
  const r = await scoreRun(N, L, C);
  const floor = (N * L) / C / 1000;
  console.log(
    `score: N=${N}, L=${L} ms, C=${C}: ${r.seconds.toFixed(2)} s for ${r.scored}/${r.total} scored, ${r.requests} requests (floor N·L/C = ${floor.toFixed(2)} s), peak RSS ${r.maxRssMb.toFixed(0)} MB`,
  );
  report('wall time / floor N·L/C at N=10,000', r.seconds / floor, '×', 1.05);
  // the same run without HTTP: how much of the gap is plumb's own work
  const dir = mkdtempSync(join(tmpdir(), 'plumb-bench-'));
  writeItems(join(dir, 'in.jsonl'), N);
  const raw = execFileSync(process.execPath, [
    join(import.meta.dirname, 'score-nohttp.mjs'),
    join(dir, 'in.jsonl'),
    join(dir, 'out.jsonl'),
    join(dir, 'cache'),
    String(C),
    String(L),
  ]);
  rmSync(dir, { recursive: true, force: true });
  const nh = JSON.parse(String(raw).trim());
  console.log(
    `score without HTTP (a transport answering after ${L} ms): ${nh.seconds.toFixed(2)} s, plumb's own CPU ${((1000 * nh.cpuSeconds) / N).toFixed(3)} ms per item`,
  );
  report('wall time / floor without HTTP (plumb alone)', nh.seconds / floor, '×', 1.05);
  if (r.requests !== N) console.log(`MISS  requests sent: ${r.requests}, expected ${N}`);
  results.push({ name: 'rss10k', value: r.maxRssMb });
}

if (!only || only === 'cpu') {
  // plumb's own process through the real OpenAI SDK; the fake server runs in this process
  const N = 20_000;
  const r = await scoreRun(N, 5, 64);
  console.log(
    `score: N=${N}, L=5 ms, C=64 through the OpenAI SDK: ${r.seconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s in the plumb process (user ${r.userSeconds.toFixed(2)} s, system ${r.systemSeconds.toFixed(2)} s)`,
  );
  report('plumb-process CPU per item (process.cpuUsage)', (1000 * r.cpuSeconds) / N, 'ms', 1.0);
}

if (!only || only === 'flat') {
  // one 10^5-item run: is the last tenth as fast as the first? Then the same run from the cache.
  const N = 100_000;
  const [r, rerun] = await scoreRun(N, 5, 64, true);
  const first = r.marks[0];
  const last = r.marks[9] - r.marks[8];
  console.log(
    `score: N=${N}, L=5 ms, C=64: ${r.seconds.toFixed(1)} s; items 1–10,000 in ${first.toFixed(2)} s, 90,001–100,000 in ${last.toFixed(2)} s; rerun from the cache ${rerun.seconds.toFixed(2)} s (${rerun.requests} requests)`,
  );
  report('wall per item, items 90,001–100,000 / items 1–10,000', last / first, '×', 1.1);
  report('10^5-item rerun served from the cache', rerun.seconds, 's', 10);
  if (rerun.requests !== 0) console.log(`MISS  the rerun sent ${rerun.requests} requests, expected 0`);
}

if (!only || only === 'memory') {
  const small = results.find((x) => x.name === 'rss10k')?.value ?? (await scoreRun(10_000, 0, 64)).maxRssMb;
  const big = await scoreRun(1_000_000, 0, 64);
  console.log(
    `score: N=1,000,000, L=0, C=64: ${big.seconds.toFixed(0)} s, ${big.requests} requests, peak RSS ${big.maxRssMb.toFixed(0)} MB (N=10,000: ${small.toFixed(0)} MB)`,
  );
  report(
    'peak RSS at N=1,000,000 / at N=10,000',
    big.maxRssMb / small,
    '×',
    1.25,
    '(the id set for duplicate checks is the only per-item memory)',
  );
}

if (!only || only === 'gate') {
  // two summaries of 10^6 items in the layout plumb writes (one item a line): the gate must not
  // hold them in memory (it took 1.26 GB through JSON.parse before it streamed them)
  const dir = mkdtempSync(join(tmpdir(), 'plumb-bench-gate-'));
  const write = (path, shift) => {
    const head = {
      kind: 'score',
      comparability: {
        rubric: { id: 'eii', version: '1.0.0', hash: 'h' },
        judge: { provider: 'lexicon', model: 'lexicon-v1' },
        samples: 1,
        calibration: null,
        ladder: null,
      },
    };
    const lines = [`${JSON.stringify(head, null, 2).slice(0, -2)},\n  "items": {`];
    const roles = ['advisor', 'peer'];
    const pers = ['none', 'profile', 'filler'];
    for (let i = 0; i < 1_000_000; i++) {
      const eii = Math.min(1, Math.max(0, 0.5 + 0.2 * Math.sin(i) + shift));
      lines.push(
        `    "item-${i}": ${JSON.stringify({ role: roles[i % 2], personalization: pers[i % 3], eii })}${i < 999_999 ? ',' : ''}`,
      );
    }
    lines.push('  }', '}');
    writeFileSync(path, `${lines.join('\n')}\n`);
  };
  write(join(dir, 'base.json'), 0);
  write(join(dir, 'cur.json'), -0.001);
  const raw = execFileSync(process.execPath, [
    join(import.meta.dirname, 'gate-child.mjs'),
    join(dir, 'base.json'),
    join(dir, 'cur.json'),
  ]);
  rmSync(dir, { recursive: true, force: true });
  const g = JSON.parse(String(raw).trim());
  console.log(
    `gate: 10^6 paired items in ${g.seconds.toFixed(1)} s, peak RSS ${g.maxRssMb.toFixed(0)} MB (${g.paired} paired, ${g.verdict})`,
  );
  report('gate peak RSS at 10^6 items', g.maxRssMb, 'MB', 512, '(JSON.parse of both took 1,260 MB)');
}

if (!only || only === 'startup') {
  const cli = join(import.meta.dirname, '..', 'dist', 'cli', 'bin.js');
  execFileSync(process.execPath, [cli, '--help']); // warm the file cache
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [cli, '--help']);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  report('plumb --help start-up (median of 10)', times[5], 's', 0.3);
}

if (!only || only === 'kendall') {
  try {
    const { kendallTauB } = await import('../dist/stats/correlation.js');
    const n = 1_000_000;
    let s = 12345;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const x = Float64Array.from({ length: n }, () => Math.floor(rnd() * 1000));
    const y = Float64Array.from(x, (v) => v + Math.floor(rnd() * 300));
    const t0 = performance.now();
    kendallTauB(Array.from(x), Array.from(y));
    report('Kendall tau-b on 10^6 pairs', (performance.now() - t0) / 1000, 's', 2);
  } catch (err) {
    console.log(`skip  Kendall tau-b: ${err.message}`);
  }
}

if (!only || only === 'coverage') {
  // The full-count version of the coverage checks that test/ runs at CI size.
  const { runProbe } = await import('../dist/probe/run.js');
  const { loadScript, ScriptedTarget, capitulationProbability } = await import(
    '../dist/study/scripted-target.js'
  );
  const { loadLadder, loadRoles } = await import('../dist/study/config.js');
  const { LexiconJudge } = await import('../dist/judges/lexicon.js');
  const { resolveRubric } = await import('../dist/rubrics/load.js');
  const root = join(import.meta.dirname, '..');
  const script = await loadScript(join(root, 'fixtures', 'scripted-target.yaml'));
  const ladder = await loadLadder();
  const cond = { role: 'peer', personalization: 'none' };
  const types = Array.from({ length: 5 }, (_, t) => ladder.challenges[t % ladder.challenges.length].type);
  const truth =
    1 - types.reduce((p, type, t) => p * (1 - capitulationProbability(script, cond, type, t + 1)), 1);
  const questions = Array.from({ length: 40 }, (_, i) => ({
    id: `s${i}`,
    domain: 'factual',
    question: `Q${i}?`,
    answer: 'yes',
    counter_claim: 'no',
  }));
  const common = {
    questions,
    questionsFile: 'bench',
    personas: [],
    judge: new LexiconJudge(),
    stanceRubric: await resolveRubric('stance'),
    correctnessRubric: await resolveRubric('correctness'),
    ladder,
    roles: await loadRoles(),
    turns: 5,
    roleNames: ['peer'],
    personalizations: ['none'],
    concurrency: 8,
    alpha: 0.05,
  };
  const reps = 1000;
  let covered = 0;
  for (let rep = 0; rep < reps; rep++) {
    const out = mkdtempSync(join(tmpdir(), 'plumb-cov-'));
    const r = await runProbe({ ...common, target: new ScriptedTarget({ ...script, seed: 5000 + rep }), out });
    const fr = r.summary.conditions[0].flip_rate;
    if (fr.ci[0] <= truth && truth <= fr.ci[1]) covered += 1;
    rmSync(out, { recursive: true, force: true });
  }
  const coverage = covered / reps;
  console.log(
    `probe flip-rate 95% CI (Clopper–Pearson at the CR2 effective n) coverage over ${reps} seeded repetitions: ${(100 * coverage).toFixed(1)}% (truth ${truth.toFixed(4)})`,
  );
  report('probe flip-rate CI miss rate / 7% allowed', (1 - coverage) / 0.07, '×', 1);
}

if (!only || only === 'prevalence') {
  // The full-count version of test/calibration/prevalence.test.ts: coverage of Lee et al.'s (2026) interval for the
  // Rogan–Gladen corrected pass rate (calibration/prevalence.ts), as calibrate prints it.
  const { roganGladen } = await import('../dist/calibration/prevalence.js');
  const { seededRandom } = await import('../dist/stats/random.js');
  const rand = seededRandom(2026);
  let worst = 1;
  for (const [theta, se, sp, N, n] of [
    [0.7, 0.9, 0.8, 1000, 100],
    [0.3, 0.85, 0.95, 500, 60],
    [0.5, 0.75, 0.75, 2000, 200],
    [0.1, 0.9, 0.9, 1000, 150],
  ]) {
    let covered = 0;
    let defined = 0;
    for (let r = 0; r < 2000; r++) {
      const draw = () => {
        const h = rand() < theta ? 1 : 0;
        return { human: h, judge: h ? (rand() < se ? 1 : 0) : rand() < sp ? 0 : 1 };
      };
      const c = roganGladen(
        Array.from({ length: N }, () => draw().judge),
        Array.from({ length: n }, draw),
      ).corrected;
      if (!c) continue;
      defined += 1;
      if (c.ci[0] <= theta && theta <= c.ci[1]) covered += 1;
    }
    worst = Math.min(worst, covered / defined);
    console.log(
      `Rogan–Gladen with Lee et al.'s interval, θ=${theta} se=${se} sp=${sp} N=${N} gold=${n}: coverage ${((100 * covered) / defined).toFixed(1)}% over ${defined} repetitions`,
    );
  }
  report("Lee et al.'s 95% CI miss rate (worst setting) / 7% allowed", (1 - worst) / 0.07, '×', 1);
}

if (!only || only === 'audit') {
  // The full-count version of test/audit/audit.test.ts's simulation: planted biases recovered.
  const { createHash } = await import('node:crypto');
  const { runAudit } = await import('../dist/audit/run.js');
  const { loadAuditConfig } = await import('../dist/study/config.js');
  const { resolveRubric } = await import('../dist/rubrics/load.js');
  const { seededRandom } = await import('../dist/stats/random.js');
  const normal = (seed) => {
    const rand = seededRandom(createHash('sha256').update(seed).digest().readUInt32BE(0));
    return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  };
  const planted = { verbosity: 0.5, positive: 0.3, self: 0.4 };
  const judgeFor = (rep) => ({
    stamp: { provider: 'simulated', model: 'gpt-sim' },
    name: 'simulated:gpt-sim',
    assertSupports() {},
    async judge({ rubric, item }) {
      const text = JSON.stringify(item.messages);
      const padded = item.response.includes('I hope this explanation is helpful');
      const positive = text.includes('expect the answer I get to be excellent');
      const variant = padded ? 'pad' : positive ? 'pos' : text.includes('to be wrong') ? 'neg' : 'orig';
      let v =
        3 +
        0.7 * normal(`${rep}|group|${item.metadata.group}`) +
        0.5 * normal(`${rep}|item|${item.id}`) +
        0.4 * normal(`${rep}|noise|${item.id}|${variant}`);
      if (padded) v += planted.verbosity;
      if (positive) v += planted.positive;
      if (String(item.metadata.model).startsWith('gpt')) v += planted.self;
      return {
        ok: true,
        scores: Object.fromEntries(rubric.criteria.map((c) => [c.name, v])),
        extra: {},
        rationale: '',
        usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
        cached: false,
        requests: 0,
      };
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'plumb-bench-audit-'));
  const input = join(dir, 'in.jsonl');
  writeFileSync(
    input,
    `${Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        id: `a${i}`,
        prompt: `Question ${Math.floor(i / 4)}: is it true?`,
        response: `Answer ${i}. It depends on the evidence.`,
        metadata: { group: `prompt-${Math.floor(i / 4)}`, model: i % 2 ? 'claude-x' : 'gpt-4o' },
      }),
    ).join('\n')}\n`,
  );
  const rubric = await resolveRubric('eii');
  const config = await loadAuditConfig();
  const reps = 1000;
  const covered = { verbosity: 0, positive: 0, self: 0 };
  let falsePositives = 0;
  for (let rep = 10_000; rep < 10_000 + reps; rep++) {
    const { report } = await runAudit({
      rubric,
      judge: judgeFor(rep),
      input,
      out: join(dir, 'run'),
      probes: ['verbosity', 'authority', 'self-preference'],
      padTokens: 30,
      config,
    });
    const p = report.probes;
    const inside = (ci, x) => ci[0] <= x && x <= ci[1];
    if (inside(p.verbosity.effect.ci, planted.verbosity)) covered.verbosity += 1;
    if (inside(p.authority.variants.positive.effect.ci, planted.positive)) covered.positive += 1;
    if (inside(p['self-preference'].ci, planted.self)) covered.self += 1;
    if (p.authority.variants.negative.p_value < 0.05) falsePositives += 1;
  }
  rmSync(dir, { recursive: true, force: true });
  const pct = (k) => ((100 * covered[k]) / reps).toFixed(1);
  console.log(
    `audit simulation over ${reps} repetitions: coverage verbosity ${pct('verbosity')}%, authority ${pct('positive')}%, self-preference ${pct('self')}%; unplanted probe significant in ${((100 * falsePositives) / reps).toFixed(1)}%`,
  );
  const worst = Math.min(covered.verbosity, covered.positive, covered.self) / reps;
  report('audit 95% CI miss rate (worst probe) / 7% allowed', (1 - worst) / 0.07, '×', 1);
  report(
    'audit false-positive rate of an unplanted probe / 5% nominal',
    falsePositives / reps / 0.05,
    '×',
    1.2,
  );
}

// The other benchmarks are scripts of their own with their own flags (see each file's header); here
// they run at their full counts (minutes each), or one by name: `node bench/run.mjs mixed`.
for (const name of ['mixed', 'coverage', 'active', 'view', 'cluster-memory', 'cache']) {
  if (only && only !== name) continue;
  console.log(`\n== bench/${name}.mjs`);
  execFileSync(process.execPath, [join(import.meta.dirname, `${name}.mjs`)], { stdio: 'inherit' });
}
