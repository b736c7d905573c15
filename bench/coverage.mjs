// Coverage simulations for the statistical primitives of issue #21 ("Numbers that hold").
//
//   npm run build && node bench/coverage.mjs [--reps 2000] [--only cluster-mean,cluster-share,ppi,ppi-study,ppi-cluster,strata,paired]
//
// Seeded (each cell has its own seed from its name, so cells do not depend on each other or on
// order); ≥ 2,000 replications per cell by default. Prints, per design cell and interval, the
// coverage of the nominal 95 % interval with its Monte-Carlo standard error, the mean width and
// how often the method refused; cells below the 94 % floor are marked "<94". The methods marked
// [plumb] are the ones plumb prints (or should print, once integrated); the others are shown for
// comparison. A CI-sized version is test/stats/coverage.test.ts.
import { goldOnlyMean } from '../dist/calibration/design.js';
import { ppiMean } from '../dist/calibration/ppi.js';
import { clusteredProportion } from '../dist/stats/cluster-share.js';
import { cr2Mean } from '../dist/stats/cr2.js';
import { tQuantile } from '../dist/stats/distributions.js';
import {
  ppiClusteredMeanInterval,
  ppiLambdaFromMoments,
  ppiMeanInterval,
  ppiPairedContrast,
  ppiStratifiedMeanInterval,
  stratifiedMean,
} from '../dist/stats/ppi-design.js';
import { wilson } from '../dist/stats/proportion.js';
import { normalFrom, seededRandom } from '../dist/stats/random.js';
import {
  clusteredBinary,
  clusteredContinuous,
  clusterSizes,
  drawPair,
  JUDGE_SETTINGS,
  neymanAllocation,
  ppiSample,
  settingMean,
  wholePromptMean,
  wholePromptSample,
} from '../dist/stats/simulate.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const REPS = Number(arg('reps', 2000));
const ONLY = arg('only', '')?.split(',').filter(Boolean) ?? [];
const FLOOR = 0.94;

function seedOf(name) {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

const tCi = (xs) => {
  const n = xs.length;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1));
  const h = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return [m - h, m + h];
};

/**
 * The comparators plumb printed before #21, rebuilt here from cr2Mean's CR1 standard error (the
 * sandwich with G/(G − 1)): the CR1 mean with t(G − 1), and the Korn–Graubard Wilson share at the
 * CR1 effective n — so the table still shows what they covered.
 */
function cr1Mean(ys, gs) {
  const r = cr2Mean(ys, gs);
  if (r.se_cr1 === undefined || r.value === null) return null;
  const h = tQuantile(0.975, r.clusters - 1) * r.se_cr1;
  return [r.value - h, r.value + h];
}
function cr1WilsonShare(ys, gs) {
  const n = ys.length;
  const p = ys.reduce((a, b) => a + b, 0) / n;
  const r = cr2Mean(ys, gs);
  if (r.clusters < 2) return null;
  const v = r.se_cr1 ** 2;
  const factor = (tQuantile(0.975, n - 1) / tQuantile(0.975, r.clusters - 1)) ** 2;
  const eff = (p > 0 && p < 1 && v > 0 ? Math.min(n, (p * (1 - p)) / v) : n) * factor;
  return wilson(p * eff, eff).ci;
}

const rows = [];
/** Run one cell: `draw(rand)` returns { truth, methods: { name: ci | null (refused) } }. */
function cell(section, name, draw, reps = REPS) {
  const rand = seededRandom(seedOf(`${section}/${name}`));
  const stats = new Map();
  for (let r = 0; r < reps; r++) {
    const { truth, methods } = draw(rand);
    for (const [m, ci] of Object.entries(methods)) {
      const s = stats.get(m) ?? { hit: 0, used: 0, refused: 0, width: 0 };
      if (ci === null) s.refused += 1;
      else {
        s.used += 1;
        s.width += ci[1] - ci[0];
        if (ci[0] <= truth && truth <= ci[1]) s.hit += 1;
      }
      stats.set(m, s);
    }
  }
  for (const [m, s] of stats) {
    const cov = s.used ? s.hit / s.used : Number.NaN;
    rows.push({
      section,
      cell: name,
      method: m,
      coverage: cov,
      mcse: s.used ? Math.sqrt((cov * (1 - cov)) / s.used) : Number.NaN,
      width: s.used ? s.width / s.used : Number.NaN,
      refused: s.refused / reps,
      reps,
    });
  }
}
const run = (section) => ONLY.length === 0 || ONLY.includes(section);

// 1. Cluster-robust mean, continuous: CR1 + t(G − 1) against CR2 + Satterthwaite
if (run('cluster-mean'))
  for (const G of [5, 10, 20, 50])
    for (const icc of [0.05, 0.2])
      for (const skewed of [false, true])
        cell('cluster-mean', `G=${G} icc=${icc} ${skewed ? 'skewed' : 'normal'}`, (rand) => {
          const { ys, gs } = clusteredContinuous(clusterSizes(G), icc, skewed, rand);
          return {
            truth: 0,
            methods: {
              'CR1 + t(G−1) (before #21)': cr1Mean(ys, gs),
              'CR2 + Satterthwaite (clubSandwich df)': cr2Mean(ys, gs).ci,
              'CR2 + exchangeable-model df [plumb]': cr2Mean(ys, gs, 0.95, 'exchangeable').ci,
            },
          };
        });

// 2. Share of a 0/1 criterion with clusters (rare outcomes included)
if (run('cluster-share'))
  for (const G of [5, 10, 20])
    for (const p of [0.05, 0.1, 0.3])
      for (const icc of [0.05, 0.2])
        cell('cluster-share', `G=${G} p=${p} icc=${icc}`, (rand) => {
          const { ys, gs } = clusteredBinary(clusterSizes(G), p, icc, rand);
          return {
            truth: p,
            methods: {
              'CR1 Wald + t(G−1)': cr1Mean(ys, gs),
              'CR2 Wald + Satterthwaite': cr2Mean(ys, gs).ci,
              'Wilson eff. n, CR1 (before #21)': cr1WilsonShare(ys, gs),
              'clusteredProportion [plumb]': clusteredProportion(ys, gs).ci,
            },
          };
        });

// 3. PPI++ with independent gold at small n
if (run('ppi'))
  for (const s of JUDGE_SETTINGS)
    for (const n of [30, 50, 100])
      for (const N of [1000, 10000])
        cell('ppi', `${s.name}; n=${n} N=${N}`, (rand) => {
          const { y, f, fu } = ppiSample(s, n, N, rand);
          return {
            truth: settingMean(s),
            methods: {
              'PPI++ CLT (ppi.ts ppiMean)': ppiMean(y, f, fu)?.ci ?? null,
              'gold only, t': tCi(y),
              'gold only [plumb]': goldOnlyMean(y, 0.05, s.kind === 'ordinal' ? [1, 5] : [0, 1])?.ci ?? null,
              'ppiMeanInterval [plumb]': ppiMeanInterval(y, f, fu).ci,
            },
          };
        });

// 3b. The study behind ppiMeanInterval's choice: each ingredient alone (N = 1,000)
const momentsOf = (xs) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  return { n, mean, m2: xs.reduce((a, b) => a + (b - mean) ** 2, 0) };
};
/** PPI++ with λ from `fit` per item (K folds; K = 1: in-sample), t(n − 1), optional pseudo-pairs. */
function ppiVariant(y, f, fu, K, pseudo) {
  const n = y.length;
  const um = momentsOf(fu);
  const fold = (i) => (K === 1 ? -1 : i % K);
  const lams = new Map();
  for (const k of new Set(y.map((_, i) => fold(i)))) {
    const yy = [];
    const ff = [];
    for (let i = 0; i < n; i++)
      if (fold(i) !== k || K === 1) {
        yy.push(y[i]);
        ff.push(f[i]);
      }
    if (pseudo) {
      yy.push(0, 0, 1, 1);
      ff.push(0, 1, 0, 1);
    }
    lams.set(k, ppiLambdaFromMoments(yy, ff, um));
  }
  const lam = y.map((_, i) => lams.get(fold(i)));
  const lbar = lam.reduce((a, b) => a + b, 0) / n;
  const rect = y.map((v, i) => v - lam[i] * f[i]);
  const all = pseudo ? [...rect, 0, -lbar, 1, 1 - lbar] : rect;
  const rm = momentsOf(all);
  const est = lbar * um.mean + rect.reduce((a, b) => a + b, 0) / n;
  const se = Math.sqrt(rm.m2 / (rm.n - 1) / rm.n + (lbar * lbar * um.m2) / (um.n - 1) / um.n);
  const h = tQuantile(0.975, n - 1) * se;
  return [est - h, est + h];
}
if (run('ppi-study'))
  for (const s of JUDGE_SETTINGS)
    for (const n of [30, 50, 100])
      cell('ppi-study', `${s.name}; n=${n} N=1000`, (rand) => {
        const { y, f, fu } = ppiSample(s, n, 1000, rand);
        const binary = s.kind === 'binary';
        return {
          truth: settingMean(s),
          methods: {
            'in-sample λ, t(n−1)': ppiVariant(y, f, fu, 1, false),
            '2-fold λ, t(n−1)': ppiVariant(y, f, fu, 2, false),
            '5-fold λ, t(n−1)': ppiVariant(y, f, fu, 5, false),
            'leave-one-out λ, t(n−1)': ppiVariant(y, f, fu, n, false),
            ...(binary
              ? {
                  'in-sample λ, pseudo-pairs, t(n−1)': ppiVariant(y, f, fu, 1, true),
                  '5-fold λ, pseudo-pairs, t(n−1)': ppiVariant(y, f, fu, 5, true),
                }
              : {}),
          },
        };
      });

// 4. PPI++ with whole prompts in gold (clusters)
if (run('ppi-cluster')) {
  const pattern = [2, 3, 4, 3, 2, 5, 3, 2, 4, 2]; // 3 responses per prompt on average
  for (const s of [JUDGE_SETTINGS[0], JUDGE_SETTINGS[3], JUDGE_SETTINGS[5], JUDGE_SETTINGS[6]]) {
    const truth = wholePromptMean(s, seededRandom(seedOf(`truth/${s.name}`)));
    for (const [n, G] of [
      [30, 10],
      [50, 17],
      [100, 33],
    ])
      cell('ppi-cluster', `${s.name}; ~${n} items in ${G} gold prompts`, (rand) => {
        const { labelled, unlabelled } = wholePromptSample(s, G, 300, pattern, rand);
        const y = labelled.map((l) => l.y);
        const f = labelled.map((l) => l.f);
        return {
          truth,
          methods: {
            'ppiMeanInterval, clusters ignored': ppiMeanInterval(
              y,
              f,
              unlabelled.map((u) => u.f),
            ).ci,
            'ppiClusteredMeanInterval [plumb]': ppiClusteredMeanInterval(labelled, unlabelled).ci,
          },
        };
      });
  }
}

// 5. Neyman-allocated strata of 600/300/80/20 items, inclusion probabilities differing by stratum
if (run('strata')) {
  const sizes = [600, 300, 80, 20];
  const designs = [
    {
      name: 'pass/fail by stratum .92/.75/.45/.20',
      strata: [
        { kind: 'binary', pi: 0.92, sens: 0.97, spec: 0.6 },
        { kind: 'binary', pi: 0.75, sens: 0.9, spec: 0.8 },
        { kind: 'binary', pi: 0.45, sens: 0.8, spec: 0.85 },
        { kind: 'binary', pi: 0.2, sens: 0.7, spec: 0.9 },
      ],
    },
    {
      name: 'ordinal by stratum, harder strata lower',
      strata: [
        { kind: 'ordinal', probs: [0.01, 0.02, 0.07, 0.3, 0.6], bias: 0.2, sd: 0.5 },
        { kind: 'ordinal', probs: [0.05, 0.1, 0.2, 0.35, 0.3], bias: 0.4, sd: 0.8 },
        { kind: 'ordinal', probs: [0.2, 0.25, 0.25, 0.2, 0.1], bias: 0.6, sd: 1 },
        { kind: 'ordinal', probs: [0.4, 0.3, 0.15, 0.1, 0.05], bias: 0.8, sd: 1.2 },
      ],
    },
  ];
  for (const d of designs) {
    const sds = d.strata.map((s) =>
      s.kind === 'binary'
        ? Math.sqrt(s.pi * (1 - s.pi))
        : Math.sqrt(s.probs.reduce((a, p, k) => a + p * (k + 1) ** 2, 0) - settingMean(s) ** 2),
    );
    for (const n of [30, 50, 100]) {
      const alloc = neymanAllocation(sizes, sds, n);
      cell('strata', `${d.name}; n=${n} (${alloc.join('/')})`, (rand) => {
        const labelled = [];
        const unlabelled = [];
        let total = 0;
        d.strata.forEach((s, k) => {
          for (let i = 0; i < sizes[k]; i++) {
            const [y, f] = drawPair(s, rand);
            total += y;
            if (i < alloc[k]) labelled.push({ y, f, stratum: `s${k}`, weight: sizes[k] / alloc[k] });
            else unlabelled.push({ f, stratum: `s${k}` });
          }
        });
        const ys = labelled.map((l) => l.y);
        return {
          truth: total / 1000, // the finite population's mean
          methods: {
            'gold only, unweighted t': tCi(ys),
            'stratifiedMean (gold only) [plumb]': stratifiedMean(labelled).ci,
            'ppiStratifiedMeanInterval [plumb]': ppiStratifiedMeanInterval(labelled, unlabelled).ci,
          },
        };
      });
    }
  }
}

// 6. Paired PPI++ contrast across prompts (condition B − A per prompt)
if (run('paired'))
  for (const P of [5, 10, 20, 40])
    for (const skew of [false, true])
      cell(
        'paired',
        `${P} gold prompts, 200 judged only, ${skew ? 'skewed' : 'normal'} prompt effects`,
        (rand) => {
          const delta = 0.3;
          const draw = () => {
            const u = skew ? -Math.log(1 - rand()) - 1 : normalFrom(rand);
            const human = delta + 0.6 * u + 0.4 * normalFrom(rand);
            const judge = 0.1 + 0.7 * human + 0.35 * normalFrom(rand);
            return { human, judge };
          };
          const gold = Array.from({ length: P }, draw);
          const judgeOnly = Array.from({ length: 200 }, () => draw().judge);
          return {
            truth: delta,
            methods: { 'ppiPairedContrast [plumb]': ppiPairedContrast(gold, judgeOnly).ci },
          };
        },
        5 * REPS, // cheap cells: 5× the replications (at 2,000 the skewed 20-prompt cell wobbles by ±0.55 %)
      );

// the table
const pct = (x) => (Number.isNaN(x) ? '   —  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
let section = '';
console.log(
  `coverage of nominal 95 % intervals, ${REPS} replications per cell (paired: ${5 * REPS}); floor ${100 * FLOOR} %`,
);
for (const r of rows) {
  if (r.section !== section) {
    section = r.section;
    console.log(`\n## ${section}`);
    console.log(`${'cell'.padEnd(72)} ${'method'.padEnd(38)} cover   ±MCSE  width    refused`);
  }
  const flag = r.coverage < FLOOR ? ' <94' : '';
  console.log(
    `${r.cell.padEnd(72)} ${r.method.padEnd(38)} ${pct(r.coverage)} ${(100 * r.mcse).toFixed(2).padStart(5)} ${r.width.toFixed(3).padStart(7)} ${pct(r.refused)}${flag}`,
  );
}
const plumb = rows.filter((r) => r.method.includes('[plumb]'));
const worst = plumb
  .filter((r) => !Number.isNaN(r.coverage))
  .reduce((a, r) => (r.coverage < a.coverage ? r : a), { coverage: 2 });
console.log(
  `\n[plumb] intervals: ${plumb.filter((r) => r.coverage < FLOOR).length} of ${plumb.length} cells below ${100 * FLOOR} %; lowest ${pct(worst.coverage)} (${worst.section}: ${worst.cell}, ${worst.method})`,
);
