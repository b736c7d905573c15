import { snapToBoundary } from './lmm.js';
import { choleskyDense, deriv12, invertSpd, nelderMead, newtonPolish } from './optimize.js';
import { type ReStructure, solvePwls, unscaledVcov } from './penalized.js';
import { devResid, initialLp, linkInv, type PirlsResult, pirls } from './pirls.js';
import { gaussHermite } from './quadrature.js';

/**
 * Binomial (logit) GLMM as lme4's `glmer`, in its two stages:
 *
 * 1. θ alone, with β estimated inside PIRLS (lme4's nAGQ0initStep), starting from θ = 1;
 * 2. (θ, β) jointly on the Laplace deviance Σ devResid(y, μ(û)) + ‖û‖² + log|L|² (nAGQ = 1) or on
 *    the adaptive Gauss–Hermite deviance (nAGQ = K, one grouping factor), every evaluation running
 *    PIRLS for û from the linear predictor stage 1 ended at (see pirls.ts for why that matters).
 *
 * vcov(β̂) as `vcov.merMod(use.hessian = TRUE)`: 2·[H⁻¹]_ββ with H lme4's deriv12 finite-difference
 * Hessian (δ = 1e-4) of the stage-2 deviance at the optimum, falling back to (RX'RX)⁻¹ when that is
 * not positive definite.
 */

/**
 * lme4's glmerAGQ deviance for one grouping factor: Σ_i devc_i(û) + log|L|² − 2 Σ_i log mult_i, with
 * devc_i the group's deviance residuals plus û_i², and
 * mult_i = Σ_k w_k exp(−½[devc_i(û_i + z_k/L_ii) − devc_i(û_i)] + z_k²/2) (lme4 multiplies the mult_i;
 * summing logs is the same number without underflow).
 */
function agqDeviance(
  s: ReStructure,
  y: Float64Array,
  theta: ArrayLike<number>,
  m: PirlsResult,
  rule: { z: Float64Array; w: Float64Array },
): number {
  const q = s.q[0]!;
  const t = theta[0]!;
  const lev = s.lev[0]!;
  const sd = m.d0.map((d) => 1 / Math.sqrt(d));
  const devc0 = new Float64Array(q);
  for (let r = 0; r < s.n; r++) devc0[lev[r]!]! += devResid(y[r]!, linkInv(m.eta[r]!));
  for (let i = 0; i < q; i++) devc0[i]! += m.u[i]! ** 2;
  const mult = new Float64Array(q);
  const devc = new Float64Array(q);
  for (let k = 0; k < rule.z.length; k++) {
    const zk = rule.z[k]!;
    const wk = rule.w[k]!;
    if (zk === 0) {
      for (let i = 0; i < q; i++) mult[i]! += wk;
      continue;
    }
    devc.fill(0);
    for (let r = 0; r < s.n; r++) {
      const i = lev[r]!;
      devc[i]! += devResid(y[r]!, linkInv(m.eta[r]! + t * zk * sd[i]!));
    }
    for (let i = 0; i < q; i++) {
      const ui = m.u[i]! + zk * sd[i]!;
      mult[i]! += wk * Math.exp(-0.5 * (devc[i]! + ui * ui - devc0[i]!) + 0.5 * zk * zk);
    }
  }
  let dev = m.ldL2;
  for (let i = 0; i < q; i++) dev += devc0[i]! - 2 * Math.log(mult[i]!);
  return dev;
}

const laplace = (m: PirlsResult): number => m.devRes + m.sqrU + m.ldL2;

export interface GlmmResult {
  theta: Float64Array;
  beta: Float64Array;
  deviance: number;
  vcov: Float64Array;
  vcovSource: 'hessian' | 'RX';
  /** PIRLS state at the optimum (conditional modes, linear predictor). */
  mode: PirlsResult;
  evaluations: number;
  converged: boolean;
  messages: string[];
}

export function fitGlmm(s: ReStructure, y: Float64Array, nAGQ: number): GlmmResult {
  const nt = s.q.length;
  const messages: string[] = [];
  let evaluations = 0;
  // Stage 1: θ with β inside PIRLS; every evaluation restarts from lme4's initial lp0.
  const lpInit = initialLp(s, y);
  const dev0 = (th: Float64Array) => {
    evaluations++;
    return laplace(pirls(s, y, th, lpInit, null));
  };
  const nm1 = nelderMead(dev0, new Float64Array(nt).fill(1), {
    lower: new Array<number>(nt).fill(0),
    step: new Array<number>(nt).fill(0.2),
    ftol: 1e-10,
    xtol: 1e-6,
  });
  const theta1 = newtonPolish(dev0, nm1.x).x.map(Math.abs);
  const m1 = pirls(s, y, theta1, lpInit, null);
  const lp0 = m1.eta;
  // Stage 2: (θ, β) on the Laplace or AGQ deviance, PIRLS for u from lp0 at every evaluation.
  const rule = nAGQ > 1 ? gaussHermite(nAGQ) : null;
  const modeAt = (par: Float64Array) => pirls(s, y, par.subarray(0, nt), lp0, par.subarray(nt));
  const dev = (par: Float64Array) => {
    evaluations++;
    const m = modeAt(par);
    return rule ? agqDeviance(s, y, par.subarray(0, nt), m, rule) : laplace(m);
  };
  let s2 = newtonPolish(dev, Float64Array.from([...theta1, ...m1.beta]));
  if (!s2.converged) {
    // Newton from the stage-1 point failed (far start or an awkward surface): simplex, then Newton again.
    const nm = nelderMead(dev, s2.x, { ftol: 1e-12, xtol: 1e-8 });
    s2 = newtonPolish(dev, nm.x);
  }
  if (!s2.converged) messages.push(s2.message || 'optimizer did not converge');
  const par = Float64Array.from(s2.x);
  for (let k = 0; k < nt; k++) par[k] = Math.abs(par[k]!);
  snapToBoundary(dev, par, nt, 1e-5);
  const fx = dev(par);
  const mode = modeAt(par);
  const { hessian, gradient } = deriv12(dev, par, fx);
  const { vcov, source } = glmerVcov(hessian, par.length, nt, s.p, () =>
    unscaledVcov(solvePwls(s, par.subarray(0, nt), mode.weights, new Float64Array(s.n), true).rxt, s.p),
  );
  if (source === 'RX') {
    messages.push(
      'variance-covariance matrix computed from finite-difference Hessian is not positive definite or contains NA values: falling back to var-cov estimated from RX',
    );
  }
  convergenceCheck(hessian, gradient, par, nt, messages);
  return {
    theta: par.slice(0, nt),
    beta: par.slice(nt),
    deviance: fx,
    vcov,
    vcovSource: source,
    mode,
    evaluations,
    converged: s2.converged,
    messages,
  };
}

/** vcov.merMod: V = 2·[H⁻¹]_ββ (lme4 writes h + t(h)) if H inverts and V is positive definite; else RX. */
function glmerVcov(
  hessian: Float64Array,
  k: number,
  nt: number,
  p: number,
  fallback: () => Float64Array,
): { vcov: Float64Array; source: 'hessian' | 'RX' } {
  const inv = invertSpd(hessian, k);
  if (inv) {
    const V = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) V[i * p + j] = inv[(nt + i) * k + nt + j]! + inv[(nt + j) * k + nt + i]!;
    if (choleskyDense(V, p)) return { vcov: V, source: 'hessian' };
  }
  return { vcov: fallback(), source: 'RX' };
}

/**
 * lme4's checkConv gradient test: the scaled gradient solve(chol(H), g), elementwise the smaller of it
 * and |g|, must stay below 0.002. Parameters sitting on the boundary (θ = 0) are left out.
 */
function convergenceCheck(
  H: Float64Array,
  g: Float64Array,
  par: Float64Array,
  nt: number,
  messages: string[],
): void {
  const keep = [...par.keys()].filter((j) => !(j < nt && par[j] === 0));
  const k = keep.length;
  const Hs = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) Hs[i * k + j] = H[keep[i]! * par.length + keep[j]!]!;
  const L = choleskyDense(Hs, k);
  if (!L) {
    messages.push('Model failed to converge: degenerate Hessian (not positive definite)');
    return;
  }
  // chol(H) = L', so solve(chol(H), g) is the back-substitution L' x = g.
  const x = keep.map((j) => g[j]!);
  for (let i = k - 1; i >= 0; i--) {
    for (let m = i + 1; m < k; m++) x[i]! -= L[m * k + i]! * x[m]!;
    x[i]! /= L[i * k + i]!;
  }
  const worst = Math.max(0, ...x.map((v, i) => Math.min(Math.abs(v), Math.abs(g[keep[i]!]!))));
  if (worst > 0.002)
    messages.push(`Model failed to converge with max|grad| = ${worst.toPrecision(4)} (tol = 0.002)`);
}
