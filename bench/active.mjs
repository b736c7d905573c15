// Coverage and label savings of active gold sampling (issue #24).
//
//   npm run build && node bench/active.mjs [--reps 2000] [--seq-reps 1000] [--only batch,sequential]
//                                         [--settings 0,3,7] [--n 2000] [--budget 150]
//
// Seeded (each cell has its own seed from its name). Settings: six with planted heteroscedastic
// judge error, each seen through one of plumb's uncertainty signals (sample spread, panel
// disagreement, order disagreement, calibrated residual spread), and the nine judge-versus-human
// settings of src/stats/simulate.ts scored with K = 5 samples (where the spread tells little).
// Every replication draws a new population of N judged items.
//
// Batch (gold sample --active): Poisson draw with π from activeProbabilities (budget B, τ = ½),
// activeMean with its defaults (λ = 1, cross-fitted shift, population variance, Satterthwaite t).
//   cover    coverage of the 95 % interval for the population mean (±MCSE); "items" the same
//            for estimand 'items' against the N items' own mean
//   bias     mean error of the estimate, and that over its Monte-Carlo SE (z)
//   n_u      the labels a uniform draw needs for the same expected variance, N Σr²/Σr²/π,
//            computed on each population with its actual residuals (oracle), and as activeMean
//            estimates it from the sample (est.)
//   var.sav  1 − B/n_u (oracle): the saving in expected variance
//   saving   the saving at equal width, measured: the mean half-width of uniform draws at B and at
//            round(n_u) labels (same populations) fixes log(half-width) against log(labels); the
//            labels n_w where that line meets the active draw's mean half-width give 1 − B/n_w. It
//            differs from var.sav where a few heavily weighted labels carry the variance (fewer
//            Satterthwaite df, a wider t) — the price the variance alone does not show
// Sequential (the rating page): ActiveSequence with the betting CS (τ = 0.8, truncation 0.9) and
// the stopping rule shouldStop(target half-width, budget 1,000 labels), against the same rule
// with uniform draws (τ = 1); and the asymptotic CS (opt-in, τ = ½) for comparison.
//   cover    coverage at the stopping time of the N items' mean (what the CS is for)
//   labels   mean labels spent when it stopped (draws include free repeats); "@budget" the share
//            of runs the budget stopped
//   saving   1 − labels(active)/labels(uniform), same populations
import { activeMean, activeProbabilities, drawActive } from '../dist/stats/active.js';
import { ActiveSequence, activeDrawProbabilities, shouldStop } from '../dist/stats/confidence-sequence.js';
import { seededRandom } from '../dist/stats/random.js';
import { JUDGE_SETTINGS } from '../dist/stats/simulate.js';
import { fromJudgeSetting, PLANTED_SETTINGS } from '../dist/stats/simulate-active.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const REPS = Number(arg('reps', 2000));
const SEQ_REPS = Number(arg('seq-reps', 1000));
const ONLY = arg('only', '')?.split(',').filter(Boolean) ?? [];
const N = Number(arg('n', 2000));
const B = Number(arg('budget', 150));
const SEQ_BUDGET = 1000;
const FLOOR = 0.94;
const SETTINGS = [...PLANTED_SETTINGS, ...JUDGE_SETTINGS.map((s) => fromJudgeSetting(s))];
const PICK = arg('settings', '')?.split(',').filter(Boolean).map(Number) ?? [];
const settings = PICK.length ? PICK.map((i) => SETTINGS[i]) : SETTINGS;
const run = (section) => ONLY.length === 0 || ONLY.includes(section);
const started = Date.now();

function seedOf(name) {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const pct = (x) => `${(100 * x).toFixed(1).padStart(5)}%`;
const short = (name) => (name.length > 58 ? `${name.slice(0, 57)}…` : name).padEnd(58);

/** Items for activeMean from a population, a π vector and a draw. */
const itemsOf = (pop, pi, labelled) =>
  pop.f.map((f, i) => ({ f, pi: pi[i], labelled: labelled[i], y: labelled[i] ? pop.y[i] : null }));

/** N Σr²/Σr²/π with r = y − f − c, c the population's own design-weighted mean residual. */
function oracleUniformLabels(pop, pi) {
  let w = 0;
  let wr = 0;
  for (let i = 0; i < pop.y.length; i++) {
    const v = (1 - pi[i]) / (pi[i] * pi[i]);
    w += v;
    wr += v * (pop.y[i] - pop.f[i]);
  }
  const c = w > 0 ? wr / w : 0;
  let s2 = 0;
  let s2pi = 0;
  for (let i = 0; i < pop.y.length; i++) {
    const r = pop.y[i] - pop.f[i] - c;
    s2 += r * r;
    s2pi += (r * r) / pi[i];
  }
  return s2pi > 0 ? (pop.y.length * s2) / s2pi : B;
}

const batchRows = [];
if (run('batch'))
  for (const s of settings) {
    const rand = seededRandom(seedOf(`batch/${s.name}`));
    let hit = 0;
    let hitItems = 0;
    let used = 0;
    let refused = 0;
    const errs = [];
    const halfA = [];
    const halfU = [];
    const nuOracle = [];
    const nuEst = [];
    const pops = [];
    for (let r = 0; r < REPS; r++) {
      const pop = s.draw(N, rand);
      const thetaN = mean(pop.y);
      const pi = activeProbabilities(pop.u, { budget: B });
      const { labelled } = drawActive(pi, seedOf(`draw/${r}`));
      const items = itemsOf(pop, pi, labelled);
      const res = activeMean(items, { range: s.range });
      const resItems = activeMean(items, { range: s.range, estimand: 'items' });
      const uni = pop.y.map(() => B / N);
      const u = activeMean(itemsOf(pop, uni, drawActive(uni, seedOf(`uniform/${r}`)).labelled), {
        range: s.range,
      });
      if (!res.ci || !u.ci) {
        refused += 1;
        continue;
      }
      used += 1;
      if (res.ci[0] <= s.mean && s.mean <= res.ci[1]) hit += 1;
      if (resItems.ci[0] <= thetaN && thetaN <= resItems.ci[1]) hitItems += 1;
      errs.push(res.estimate - s.mean);
      halfA.push((res.ci[1] - res.ci[0]) / 2);
      halfU.push((u.ci[1] - u.ci[0]) / 2);
      nuOracle.push(oracleUniformLabels(pop, pi));
      nuEst.push(res.uniformLabelsForSameWidth ?? B);
      if (pops.length < REPS / 2) pops.push(pop);
    }
    // equal-width check: uniform draws of round(n_u) labels on the same populations
    const nu = mean(nuOracle);
    const k = Math.min(N, Math.round(nu));
    const halfAtNu = [];
    pops.forEach((pop, r) => {
      const uni = pop.y.map(() => k / N);
      const res = activeMean(itemsOf(pop, uni, drawActive(uni, seedOf(`check/${r}`)).labelled), {
        range: s.range,
      });
      if (res.ci) halfAtNu.push((res.ci[1] - res.ci[0]) / 2);
    });
    // labels at equal measured width: log h = a + b log n through (B, h_U(B)) and (k, h_U(k))
    const hA = mean(halfA);
    const hB = mean(halfU);
    const hK = mean(halfAtNu);
    const slope = Math.abs(k - B) >= 5 ? (Math.log(hK) - Math.log(hB)) / (Math.log(k) - Math.log(B)) : -0.5;
    const nW = Math.exp(Math.log(B) + (Math.log(hA) - Math.log(hB)) / slope);
    const cov = hit / used;
    batchRows.push({
      name: s.name,
      planted: s.planted,
      cover: cov,
      mcse: Math.sqrt((cov * (1 - cov)) / used),
      coverItems: hitItems / used,
      bias: mean(errs),
      biasZ: mean(errs) / (sd(errs) / Math.sqrt(errs.length)),
      halfA: mean(halfA),
      halfU: mean(halfU),
      nuOracle: nu,
      nuEst: mean(nuEst),
      varSaving: 1 - B / nu,
      nW,
      saving: 1 - B / nW,
      refused,
      used,
    });
  }

const seqRows = [];
const SEQ_CONFIGS = [
  { key: 'act', method: 'betting', floor: undefined }, // defaults: τ = 0.8, truncation 0.9
  { key: 'uni', method: 'betting', floor: 1 },
  { key: 'asyAct', method: 'asymptotic', floor: 0.5 },
  { key: 'asyUni', method: 'asymptotic', floor: 1 },
];
if (run('sequential'))
  for (const s of settings) {
    const width = s.range[1] - s.range[0];
    const target = (s.signal === 'orders' ? 0.05 : 0.025) * width;
    const rand = seededRandom(seedOf(`sequential/${s.name}`));
    const st = Object.fromEntries(
      SEQ_CONFIGS.map((c) => [c.key, { hit: 0, labels: 0, draws: 0, budget: 0, errs: [] }]),
    );
    for (let r = 0; r < SEQ_REPS; r++) {
      const pop = s.draw(N, rand);
      const theta = mean(pop.y);
      for (const c of SEQ_CONFIGS) {
        const q = activeDrawProbabilities(
          c.floor === 1 ? pop.u.map(() => 0) : pop.u,
          c.floor === undefined ? {} : { floor: c.floor },
        );
        const seq = new ActiveSequence({
          f: pop.f,
          q,
          range: s.range,
          seed: seedOf(`seq/${r}`),
          method: c.method,
        });
        let d = shouldStop(seq, target, SEQ_BUDGET);
        while (!d.stop) {
          const i = seq.next();
          seq.push(i, pop.y[i]);
          d = shouldStop(seq, target, SEQ_BUDGET);
        }
        const [lo, hi] = seq.interval();
        const o = st[c.key];
        if (lo <= theta && theta <= hi) o.hit += 1;
        o.labels += d.labelled;
        o.draws += d.draws;
        if (d.reason === 'budget') o.budget += 1;
        o.errs.push(seq.estimate - theta);
      }
    }
    const row = { name: s.name, planted: s.planted, target };
    for (const c of SEQ_CONFIGS) {
      const o = st[c.key];
      const cov = o.hit / SEQ_REPS;
      row[c.key] = {
        cover: cov,
        mcse: Math.sqrt((cov * (1 - cov)) / SEQ_REPS),
        labels: o.labels / SEQ_REPS,
        draws: o.draws / SEQ_REPS,
        budget: o.budget / SEQ_REPS,
        biasZ: mean(o.errs) / (sd(o.errs) / Math.sqrt(o.errs.length)),
        bias: mean(o.errs),
      };
    }
    row.saving = 1 - row.act.labels / row.uni.labels;
    row.asySaving = 1 - row.asyAct.labels / row.asyUni.labels;
    seqRows.push(row);
  }

// the tables
if (batchRows.length) {
  console.log(
    `## batch: gold sample --active, N = ${N}, budget ${B}, τ = 0.5, ${REPS} replications per setting (equal-width check: ${REPS / 2})`,
  );
  console.log(
    `${'setting'.padEnd(58)}  cover ±MCSE  items    bias (z)        ½-width act  unif@B   n_u oracle/est  var.sav   n_w   saving`,
  );
  for (const r of batchRows)
    console.log(
      `${short(r.name)}  ${pct(r.cover)} ${(100 * r.mcse).toFixed(2)}  ${pct(r.coverItems)}  ${r.bias.toFixed(4).padStart(7)} (${r.biasZ.toFixed(1).padStart(4)})  ${r.halfA.toFixed(4).padStart(9)}  ${r.halfU.toFixed(4)}   ${r.nuOracle.toFixed(0).padStart(4)} / ${r.nuEst.toFixed(0).padStart(4)}    ${pct(r.varSaving)}  ${r.nW.toFixed(0).padStart(4)}  ${pct(r.saving)}${r.cover < FLOOR ? '  <94' : ''}${r.refused ? `  refused ${r.refused}` : ''}`,
    );
  const low = batchRows.reduce((a, r) => (r.cover < a.cover ? r : a));
  console.log(
    `batch: ${batchRows.filter((r) => r.cover < FLOOR).length} of ${batchRows.length} settings below ${100 * FLOOR} %; lowest ${pct(low.cover)} (${low.name}); items estimand lowest ${pct(Math.min(...batchRows.map((r) => r.coverItems)))}; largest |bias z| ${Math.max(...batchRows.map((r) => Math.abs(r.biasZ))).toFixed(1)}`,
  );
}
if (seqRows.length) {
  console.log(
    `\n## sequential: rating page, N = ${N}, stop at the target half-width (2.5 % of the scale; 5 % for pairs) or ${SEQ_BUDGET} labels, ${SEQ_REPS} replications per setting`,
  );
  console.log(
    `${'setting'.padEnd(58)}  target  | betting CS: active τ=.8          uniform                  saving | asymptotic CS (opt-in): active τ=.5   uniform         saving`,
  );
  console.log(
    `${''.padEnd(58)}          |  cover  labels @budget bias z   cover  labels @budget         |  cover  labels @budget         cover  labels         `,
  );
  for (const r of seqRows) {
    const c = (o) => `${pct(o.cover)} ${o.labels.toFixed(0).padStart(6)} ${pct(o.budget)}`;
    console.log(
      `${short(r.name)}  ${r.target.toFixed(3).padStart(6)}  | ${c(r.act)} ${r.act.biasZ.toFixed(1).padStart(5)}  ${c(r.uni)}  ${pct(r.saving)} | ${c(r.asyAct)}  ${pct(r.asyUni.cover)} ${r.asyUni.labels.toFixed(0).padStart(6)}  ${pct(r.asySaving)}${r.act.cover < FLOOR || r.uni.cover < FLOOR ? '  <94' : ''}${r.asyAct.cover < FLOOR || r.asyUni.cover < FLOOR ? '  asy<94' : ''}`,
    );
  }
  const lowest = (k) => Math.min(...seqRows.map((r) => r[k].cover));
  console.log(
    `sequential (betting CS, plumb's default): lowest coverage ${pct(Math.min(lowest('act'), lowest('uni')))}; asymptotic CS: lowest ${pct(Math.min(lowest('asyAct'), lowest('asyUni')))}; largest |bias z| (betting, active) ${Math.max(...seqRows.map((r) => Math.abs(r.act.biasZ))).toFixed(1)}`,
  );
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
