import { numDerivHessian, numDerivJacobian } from './optimize.js';
import { type ReStructure, solvePwls, unscaledVcov } from './penalized.js';

/**
 * Satterthwaite denominator df for each fixed effect, as lmerTest 3.1's `summary()`:
 *
 *   df_j = 2 · Var(β̂_j)² / (∇Var(β̂_j)' A ∇Var(β̂_j)),
 *
 * where the variance parameters are lmerTest's "varpar" (θ, σ), A = 2·H⁻¹ with H the Hessian of the
 * (RE)ML deviance in varpar (lmerTest's `devfun_vp`), and ∇ the Jacobian of σ²(RX'RX)⁻¹(θ). Both
 * derivatives are taken as lmerTest takes them: numDeriv's Richardson-extrapolated differences.
 */

/**
 * lmerTest's devfun_vp: −2 log-likelihood (or REML criterion) at (θ, σ) with β profiled out. The
 * penalized RSS is summed from explicit residuals, as lme4's wrss() + sqrL(), not read off the
 * Cholesky factor: that subtraction loses digits the second differences below cannot spare.
 */
function devianceVarpar(s: ReStructure, y: Float64Array, vp: Float64Array, reml: boolean): number {
  const nt = vp.length - 1;
  const sigma2 = vp[nt]! ** 2;
  const pw = solvePwls(s, vp.subarray(0, nt), null, y, true);
  const pwrss = residualPwrss(s, y, vp.subarray(0, nt), pw.u, pw.beta);
  let dev = pw.ldL2 + pwrss / sigma2 + s.n * Math.log(2 * Math.PI * sigma2);
  if (reml) dev += pw.ldRX2 - s.p * Math.log(2 * Math.PI * sigma2);
  return dev;
}

/** ‖y − Xβ − ZΛu‖² + ‖u‖². */
export function residualPwrss(
  s: ReStructure,
  y: Float64Array,
  theta: ArrayLike<number>,
  u: Float64Array,
  beta: Float64Array,
): number {
  let acc = 0;
  for (let r = 0; r < s.n; r++) {
    let fit = 0;
    for (let j = 0; j < s.p; j++) fit += s.X[r * s.p + j]! * beta[j]!;
    let base = 0;
    for (let k = 0; k < s.q.length; k++) {
      fit += theta[k]! * u[base + s.lev[k]![r]!]!;
      base += s.q[k]!;
    }
    acc += (y[r]! - fit) ** 2;
  }
  for (let i = 0; i < u.length; i++) acc += u[i]! ** 2;
  return acc;
}

/** σ²(RX'RX)⁻¹ at (θ, σ), flattened p × p. */
function covBeta(s: ReStructure, y: Float64Array, vp: Float64Array): Float64Array {
  const nt = vp.length - 1;
  const pw = solvePwls(s, vp.subarray(0, nt), null, y, true);
  const s2 = vp[nt]! ** 2;
  return unscaledVcov(pw.rxt, s.p).map((v) => v * s2);
}

export interface SatterthwaiteResult {
  /** df per fixed effect. */
  df: Float64Array;
  /** Whether the varpar Hessian had only clearly positive eigenvalues (lmerTest warns otherwise). */
  hessianPd: boolean;
}

export function satterthwaite(
  s: ReStructure,
  y: Float64Array,
  theta: Float64Array,
  sigma: number,
  vcov: Float64Array,
  reml: boolean,
): SatterthwaiteResult {
  const p = s.p;
  const vp = Float64Array.from([...theta, sigma]);
  const k = vp.length;
  // lmerTest differentiates with numDeriv's relative step 1e-4: with steps down to 1.25e-5·θ the
  // rounding noise of the deviance (~1e-12) reaches the θ-block of the Hessian at the 1e-4..1e-3
  // level, in R and here alike (but not identically). A 1e-2 step, still exact to ~1e-9 after
  // Richardson extrapolation, gives the Hessian lmerTest's would be without that noise.
  const H = numDerivHessian((x) => devianceVarpar(s, y, x, reml), vp, 1e-2);
  // lmerTest inverts through the eigen-decomposition, dropping eigenvalues below 1e-8 (a
  // pseudo-inverse), and warns about negative or near-zero ones.
  const { Hinv, negative, nearZero } = pseudoInverse(H, k, 1e-8);
  const hessianPd = negative === 0 && nearZero === 0;
  const jac = numDerivJacobian((x) => covBeta(s, y, x), vp);
  const df = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const g = jac[j * p + j]!;
    let denom = 0;
    if (Hinv)
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) denom += g[a]! * 2 * Hinv[a * k + b]! * g[b]!;
    const v = vcov[j * p + j]!;
    df[j] = Hinv ? (2 * v * v) / denom : Number.NaN;
  }
  return { df, hessianPd };
}

/** Σ_{λ > tol} v v'/λ over the eigenpairs of the symmetric k × k matrix H (cyclic Jacobi). */
function pseudoInverse(
  H: Float64Array,
  k: number,
  tol: number,
): { Hinv: Float64Array; negative: number; nearZero: number } {
  const A = Float64Array.from(H);
  const V = new Float64Array(k * k);
  for (let i = 0; i < k; i++) V[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) off += A[i * k + j]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++)
      for (let q = p + 1; q < k; q++) {
        const apq = A[p * k + q]!;
        if (apq === 0) continue;
        const tau = (A[q * k + q]! - A[p * k + p]!) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = t * c;
        for (let r = 0; r < k; r++) {
          const arp = A[r * k + p]!;
          const arq = A[r * k + q]!;
          A[r * k + p] = c * arp - sn * arq;
          A[r * k + q] = sn * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = A[p * k + r]!;
          const aqr = A[q * k + r]!;
          A[p * k + r] = c * apr - sn * aqr;
          A[q * k + r] = sn * apr + c * aqr;
          const vrp = V[r * k + p]!;
          const vrq = V[r * k + q]!;
          V[r * k + p] = c * vrp - sn * vrq;
          V[r * k + q] = sn * vrp + c * vrq;
        }
      }
  }
  const Hinv = new Float64Array(k * k);
  let negative = 0;
  let nearZero = 0;
  for (let e = 0; e < k; e++) {
    const lam = A[e * k + e]!;
    if (lam < -tol) negative++;
    else if (lam < tol) nearZero++;
    if (!(lam > tol)) continue;
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) Hinv[a * k + b]! += (V[a * k + e]! * V[b * k + e]!) / lam;
  }
  return { Hinv, negative, nearZero };
}
