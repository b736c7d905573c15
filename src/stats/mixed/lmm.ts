import { nelderMead, newtonPolish } from './optimize.js';
import { type PwlsResult, type ReStructure, solvePwls, unscaledVcov } from './penalized.js';

/**
 * Linear mixed model by profiled (RE)ML, as lme4's `lmer` (Bates et al. 2015, JSS, eqs. 34 and 42):
 *
 *   ML:   d(θ)   = log|L_θ|² + n (1 + log(2π r²(θ)/n))
 *   REML: d_R(θ) = log|L_θ|² + log|RX|² + (n−p)(1 + log(2π r²(θ)/(n−p)))
 *
 * with r²(θ) the penalized RSS at β̂(θ), û(θ). σ̂² = r²/n (ML) or r²/(n−p) (REML); vcov(β̂) = σ̂²(RX'RX)⁻¹.
 */

export interface LmmResult {
  theta: Float64Array;
  beta: Float64Array;
  sigma: number;
  /** The minimised criterion: ML deviance or REML criterion. */
  criterion: number;
  /** vcov(β̂), p × p row-major. */
  vcov: Float64Array;
  u: Float64Array;
  evaluations: number;
  converged: boolean;
  messages: string[];
}

/** The profiled criterion at θ (θ may be negative: the criterion is even in each θ_k). */
export function lmmCriterion(
  s: ReStructure,
  y: Float64Array,
  theta: ArrayLike<number>,
  reml: boolean,
): { dev: number; pw: PwlsResult } {
  const pw = solvePwls(s, theta, null, y, true);
  const n = s.n;
  const nu = reml ? n - s.p : n;
  const dev = pw.ldL2 + (reml ? pw.ldRX2 : 0) + nu * (1 + Math.log((2 * Math.PI * pw.pwrss) / nu));
  return { dev, pw };
}

/** Fit by minimising the profiled criterion over θ ≥ 0 (lme4 starts from θ = 1). */
export function fitLmm(s: ReStructure, y: Float64Array, reml: boolean): LmmResult {
  if (s.n - s.p <= 0 && reml) throw new Error('REML needs more observations than fixed effects');
  const nt = s.q.length;
  const f = (th: Float64Array) => lmmCriterion(s, y, th, reml).dev;
  const nm = nelderMead(f, new Float64Array(nt).fill(1), {
    lower: new Array<number>(nt).fill(0),
    step: new Array<number>(nt).fill(0.25),
    ftol: 1e-12,
    xtol: 1e-7,
  });
  // Newton on the unbounded, even criterion, then fold back to θ ≥ 0.
  const nw = newtonPolish(f, nm.x);
  const theta = nw.x.map(Math.abs);
  snapToBoundary(f, theta);
  const { dev, pw } = lmmCriterion(s, y, theta, reml);
  const sigma = Math.sqrt(pw.pwrss / (reml ? s.n - s.p : s.n));
  const vc = unscaledVcov(pw.rxt, s.p).map((v) => v * sigma * sigma);
  const messages = [nm.message, nw.message].filter((m) => m !== '');
  return {
    theta,
    beta: pw.beta,
    sigma,
    criterion: dev,
    vcov: vc,
    u: pw.u,
    evaluations: nm.evaluations + nw.evaluations,
    converged: nw.converged,
    messages,
  };
}

/**
 * lme4's check.boundary: a θ_k within reach of 0 is set to exactly 0 when that is no worse — so a
 * singular fit reports a variance of exactly zero, as lme4 does.
 */
export function snapToBoundary(
  f: (x: Float64Array) => number,
  x: Float64Array,
  nTheta = x.length,
  tol = 1e-4,
): void {
  let fx = f(x);
  for (let k = 0; k < nTheta; k++) {
    if (x[k]! === 0 || x[k]! >= tol) continue;
    const y = Float64Array.from(x);
    y[k] = 0;
    const fy = f(y);
    if (fy <= fx + 1e-12 * Math.abs(fx)) {
      x[k] = 0;
      fx = fy;
    }
  }
}
