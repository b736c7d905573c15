import { type ReStructure, solvePwls } from './penalized.js';

/**
 * Penalized iteratively reweighted least squares for the binomial-logit GLMM, reproducing lme4
 * 1.1-31's `pwrssUpdate` (src/external.cpp) step for step — not just its fixed point.
 *
 * Why step for step: lme4 stops when the penalized deviance changes by less than 1e-7 relative
 * between iterations and then reports log|L|² from the Cholesky factor built at the *previous*
 * iterate's weights. At a typical optimum that staleness moves the Laplace deviance by ~5e-4 and the
 * Hessian-based standard errors by ~5e-3 relative — more than the tolerances plumb promises. So the
 * iteration here starts where lme4's does (the linear predictor saved at the end of the previous
 * stage, `lp0`), takes the same full Newton steps with the same step halving, stops by the same rule,
 * and keeps the same (stale) factor. The AGQ deviance barely depends on it (the quadrature absorbs
 * the scale), the Laplace deviance and its Hessian do.
 */

const EPS = 2.220446049250313e-16;
const TOL_PWRSS = 1e-7;
const MAXIT = 100;

/** lme4's clamped logit inverse: μ = plogis(η) kept in [ε, 1 − ε]. */
export function linkInv(eta: number): number {
  const p = eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
  return Math.max(EPS, Math.min(1 - EPS, p));
}

/** dμ/dη = dlogis(η), floored at ε as lme4 does. */
function muEta(eta: number): number {
  const e = Math.exp(-Math.abs(eta));
  return Math.max(EPS, e / ((1 + e) * (1 + e)));
}

/** Binomial deviance residual 2·(y log(y/μ) + (1−y) log((1−y)/(1−μ))) for y ∈ {0, 1}. */
export function devResid(y: number, mu: number): number {
  return y === 1 ? -2 * Math.log(mu) : -2 * Math.log(1 - mu);
}

/** The state lme4 keeps after a PIRLS run. */
export interface PirlsResult {
  /** Spherical random effects at the last iterate. */
  u: Float64Array;
  /** β (joint mode: estimated; u-only mode: as given). */
  beta: Float64Array;
  /** Linear predictor at the last iterate (including the offset Xβ). */
  eta: Float64Array;
  /** log|L|² of the factor lme4 holds at exit (built at the previous iterate's weights). */
  ldL2: number;
  /** Block-0 diagonal of ΛZ'WZΛ + I for that factor (L_ii² with one grouping factor). */
  d0: Float64Array;
  /** The weights that factor was built with (for the RX-based vcov). */
  weights: Float64Array;
  /** Σ devResid at the last iterate, and ‖u‖². */
  devRes: number;
  sqrU: number;
  iterations: number;
  converged: boolean;
}

function etaOf(
  s: ReStructure,
  theta: ArrayLike<number>,
  u: Float64Array,
  offset: Float64Array,
): Float64Array {
  const eta = Float64Array.from(offset);
  let base = 0;
  for (let k = 0; k < s.q.length; k++) {
    const lev = s.lev[k]!;
    const t = theta[k]!;
    for (let r = 0; r < s.n; r++) eta[r]! += t * u[base + lev[r]!]!;
    base += s.q[k]!;
  }
  return eta;
}

/** Xβ, row by row. */
export function xBeta(s: ReStructure, beta: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.n);
  for (let r = 0; r < s.n; r++) {
    let v = 0;
    for (let j = 0; j < s.p; j++) v += s.X[r * s.p + j]! * beta[j]!;
    out[r] = v;
  }
  return out;
}

function devSum(y: Float64Array, eta: Float64Array): number {
  let d = 0;
  for (let r = 0; r < y.length; r++) d += devResid(y[r]!, linkInv(eta[r]!));
  return d;
}

function sumSq(u: Float64Array): number {
  let d = 0;
  for (let i = 0; i < u.length; i++) d += u[i]! * u[i]!;
  return d;
}

/**
 * One PIRLS run at θ from the linear predictor `eta0`. Joint mode (`beta` null, lme4's nAGQ = 0
 * stage) solves for (u, β); otherwise u alone with offset Xβ. Each iteration: weights and working
 * response at the current μ, one penalized least-squares solve (a full Newton step), step halving if
 * the penalized deviance rose, stop when it changed by < 1e-7 relative.
 */
export function pirls(
  s: ReStructure,
  y: Float64Array,
  theta: ArrayLike<number>,
  eta0: Float64Array,
  beta: Float64Array | null,
): PirlsResult {
  if (beta !== null && s.q.length === 1) return pirlsOneFactor(s, y, theta[0]!, eta0, xBeta(s, beta), beta);
  const joint = beta === null;
  const offset = joint ? new Float64Array(s.n) : xBeta(s, beta);
  let eta: Float64Array = Float64Array.from(eta0);
  let u: Float64Array = new Float64Array(s.q.reduce((a, b) => a + b, 0));
  let b: Float64Array = joint ? new Float64Array(s.p) : beta;
  const w = new Float64Array(s.n);
  const z = new Float64Array(s.n);
  let oldpdev = Number.MAX_VALUE;
  let last: { ldL2: number; d0: Float64Array; weights: Float64Array } = {
    ldL2: 0,
    d0: new Float64Array(0),
    weights: w,
  };
  let pdev = oldpdev;
  let it = 0;
  let converged = false;
  for (; it < MAXIT; it++) {
    for (let r = 0; r < s.n; r++) {
      const mu = linkInv(eta[r]!);
      const me = muEta(eta[r]!);
      w[r] = (me * me) / (mu * (1 - mu));
      z[r] = eta[r]! - offset[r]! + (y[r]! - mu) / me;
    }
    const pw = solvePwls(s, theta, w, z, joint);
    last = { ldL2: pw.ldL2, d0: pw.d0, weights: Float64Array.from(w) as Float64Array };
    const oldu = u;
    const oldb = b;
    u = pw.u;
    if (joint) b = pw.beta;
    eta = etaOf(s, theta, u, joint ? xBeta(s, b) : offset);
    pdev = devSum(y, eta) + sumSq(u);
    if (Math.abs((oldpdev - pdev) / pdev) < TOL_PWRSS) {
      converged = true;
      break;
    }
    for (let h = 0; h < 20 && (Number.isNaN(pdev) || pdev > oldpdev); h++) {
      u = u.map((v, i) => (oldu[i]! + v) / 2);
      if (joint) b = b.map((v, j) => (oldb[j]! + v) / 2);
      eta = etaOf(s, theta, u, joint ? xBeta(s, b) : offset);
      pdev = devSum(y, eta) + sumSq(u);
    }
    oldpdev = pdev;
  }
  return { u, beta: b, eta, ...last, devRes: devSum(y, eta), sqrU: sumSq(u), iterations: it + 1, converged };
}

/**
 * lme4's starting point: μ = (y + ½)/2 (binomial's `mustart`), one joint PIRLS run at θ = 1; the
 * linear predictor it ends at is `lp0`, where every stage-1 evaluation restarts.
 */
export function initialLp(s: ReStructure, y: Float64Array): Float64Array {
  const eta0 = y.map((v) => Math.log((v + 0.5) / 2 / (1 - (v + 0.5) / 2)));
  const r = pirls(s, y, new Float64Array(s.q.length).fill(1), eta0, null);
  return r.eta;
}

/**
 * The same iteration for u alone with one grouping factor, where ΛZ'WZΛ + I is diagonal: each
 * Newton step is u_i = θ Σ_{r∈i} w_r z_r / (1 + θ² Σ_{r∈i} w_r). One pass over the rows per
 * iteration computes μ, the deviance and the next weights from a single exp() — this is the loop
 * that 100,000-row fits spend their time in — long on purpose: the hot loop is kept in one
 * function over typed arrays, without calls per row (bench/mixed.mjs holds its speed).
 */
function pirlsOneFactor(
  s: ReStructure,
  y: Float64Array,
  t: number,
  eta0: Float64Array,
  offset: Float64Array,
  beta: Float64Array,
): PirlsResult {
  const n = s.n;
  const q = s.q[0]!;
  const lev = s.lev[0]!;
  const eta = Float64Array.from(eta0);
  let u = new Float64Array(q);
  const num = new Float64Array(q);
  const d0 = new Float64Array(q);
  const w = new Float64Array(n);
  // Pass over the rows at the current η: deviance, and weights/working response sums for the next step.
  const sweep = (): number => {
    num.fill(0);
    d0.fill(0);
    let dev = 0;
    for (let r = 0; r < n; r++) {
      const e = Math.exp(-Math.abs(eta[r]!));
      const p = eta[r]! >= 0 ? 1 / (1 + e) : e / (1 + e);
      const mu = p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
      const me = Math.max(EPS, e / ((1 + e) * (1 + e)));
      const wr = (me * me) / (mu * (1 - mu));
      w[r] = wr;
      const i = lev[r]!;
      d0[i]! += wr;
      num[i]! += wr * (eta[r]! - offset[r]! + (y[r]! - mu) / me);
      dev += y[r] === 1 ? -2 * Math.log(mu) : -2 * Math.log(1 - mu);
    }
    return dev;
  };
  const setEta = (uu: Float64Array) => {
    for (let r = 0; r < n; r++) eta[r] = offset[r]! + t * uu[lev[r]!]!;
  };
  sweep();
  let oldpdev = Number.MAX_VALUE;
  let ldL2 = 0;
  let dFinal = d0;
  let wFinal = w;
  let devRes = 0;
  let it = 0;
  let converged = false;
  for (; it < MAXIT; it++) {
    // The factor of this step: built at the current weights (what lme4 holds at exit).
    dFinal = d0.map((v) => 1 + t * t * v);
    wFinal = Float64Array.from(w);
    ldL2 = 0;
    const oldu = u;
    u = new Float64Array(q);
    for (let i = 0; i < q; i++) {
      ldL2 += Math.log(dFinal[i]!);
      u[i] = (t * num[i]!) / dFinal[i]!;
    }
    setEta(u);
    devRes = sweep();
    let pdev = devRes + sumSq(u);
    if (Math.abs((oldpdev - pdev) / pdev) < TOL_PWRSS) {
      converged = true;
      break;
    }
    for (let h = 0; h < 20 && (Number.isNaN(pdev) || pdev > oldpdev); h++) {
      u = u.map((v, i) => (oldu[i]! + v) / 2);
      setEta(u);
      devRes = sweep();
      pdev = devRes + sumSq(u);
    }
    oldpdev = pdev;
  }
  return {
    u,
    beta,
    eta,
    ldL2,
    d0: dFinal,
    weights: wFinal,
    devRes,
    sqrU: sumSq(u),
    iterations: it + 1,
    converged,
  };
}
