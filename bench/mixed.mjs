// Benchmarks of the mixed-model engine (src/stats/mixed). Run: npm run build && node bench/mixed.mjs [--quick]
// 1. Speed: a logistic GLMM on 100,000 rows, 1,000 groups, 4 fixed effects, against a 10 s limit.
// 2. Coverage: seeded simulations (50 groups of 10, known effects); the share of 95 % Wald intervals
//    that contain the true fixed effects, per coefficient, with its Monte-Carlo SE, against 94 %.
// Figures are printed as ratios against their limits (≤ 1 for time, ≥ 1 for coverage is a pass).
import { fitMixed } from '../dist/stats/mixed/index.js';

/** mulberry32: a small seeded uniform generator, so every run simulates the same data. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(u) {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Logistic data: y ~ x1 + x2 + arm + (1 | g), true β = (-0.5, 0.8, -0.4, 0.6), group SD 0.8. */
export function simulate(seed, groups, perGroup) {
  const u = rng(seed);
  const z = normal(u);
  const beta = [-0.5, 0.8, -0.4, 0.6];
  const rows = [];
  for (let g = 0; g < groups; g++) {
    const b = 0.8 * z();
    for (let i = 0; i < perGroup; i++) {
      const x1 = z();
      const x2 = u() * 2 - 1;
      const arm = u() < 0.5 ? 'a' : 'b';
      const eta = beta[0] + beta[1] * x1 + beta[2] * x2 + (arm === 'b' ? beta[3] : 0) + b;
      rows.push({ g: `g${g}`, x1, x2, arm, y: u() < 1 / (1 + Math.exp(-eta)) ? 1 : 0 });
    }
  }
  return { rows, beta, names: ['(Intercept)', 'x1', 'x2', 'armb'] };
}

const quick = process.argv.includes('--quick');
const formula = 'y ~ x1 + x2 + arm + (1 | g)';

{
  const { rows } = simulate(1, 1000, 100);
  const t0 = performance.now();
  const fit = fitMixed(rows, formula, { family: 'binomial' });
  const s = (performance.now() - t0) / 1000;
  console.log(
    `speed: ${rows.length.toLocaleString('en')} rows, 1,000 groups, 4 fixed effects (Laplace): ${s.toFixed(2)} s`,
  );
  console.log(`  ratio to the 10 s limit: ${(s / 10).toFixed(3)} ${s < 10 ? 'PASS' : 'FAIL'}`);
  console.log(
    `  ${fit.convergence.evaluations} deviance evaluations; β̂ = ${fit.fixedEffects.map((f) => f.estimate.toFixed(3)).join(', ')}`,
  );
}

{
  const reps = quick ? 100 : 1000;
  const hits = [0, 0, 0, 0];
  let done = 0;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const { rows, beta, names } = simulate(1000 + r, 50, 10);
    const fit = fitMixed(rows, formula, { family: 'binomial' });
    names.forEach((n, j) => {
      const fe = fit.fixedEffects.find((f) => f.term === n);
      if (fe.ci95[0] <= beta[j] && beta[j] <= fe.ci95[1]) hits[j]++;
    });
    done++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `coverage: ${done} simulated fits of 50 groups × 10 rows (${s.toFixed(1)} s), 95 % Wald intervals`,
  );
  ['(Intercept)', 'x1', 'x2', 'armb'].forEach((n, j) => {
    const p = hits[j] / done;
    const se = Math.sqrt((p * (1 - p)) / done);
    console.log(
      `  ${n.padEnd(12)} ${(100 * p).toFixed(1)} % ± ${(100 * se).toFixed(1)} (MC SE)  ratio to 94 %: ${(p / 0.94).toFixed(3)} ${p >= 0.94 ? 'PASS' : 'FAIL'}`,
    );
  });
}
