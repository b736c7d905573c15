import { invertSpd, numDerivHessian, numDerivJacobian } from './optimize.js';
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

/** lmerTest's devfun_vp: −2 log-likelihood (or REML criterion) at (θ, σ) with β profiled out. */
function devianceVarpar(s: ReStructure, y: Float64Array, vp: Float64Array, reml: boolean): number {
  const nt = vp.length - 1;
  const sigma2 = vp[nt]! ** 2;
  const pw = solvePwls(s, vp.subarray(0, nt), null, y, true);
  let dev = pw.ldL2 + pw.pwrss / sigma2 + s.n * Math.log(2 * Math.PI * sigma2);
  if (reml) dev += pw.ldRX2 - s.p * Math.log(2 * Math.PI * sigma2);
  return dev;
}

/** σ²(RX'RX)⁻¹ at (θ, σ), flattened p × p. */
function covBeta(s: ReStructure, y: Float64Array, vp: Float64Array): Float64Array {
  const nt = vp.length - 1;
  const pw = solvePwls(s, vp.subarray(0, nt), null, y, true);
  const s2 = vp[nt]! ** 2;
  return unscaledVcov(pw.rxt, s.p).map((v) => v * s2);
}

export interface SatterthwaiteResult {
  /** df per fixed effect (NaN when the Hessian is not invertible). */
  df: Float64Array;
  /** Whether the varpar Hessian was positive definite (lmerTest warns otherwise). */
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
  const H = numDerivHessian((x) => devianceVarpar(s, y, x, reml), vp);
  let Hinv = invertSpd(H, k);
  const hessianPd = Hinv !== null;
  // lmerTest inverts with solve() even when H is not positive definite; do the same via LU.
  Hinv ??= invertGeneral(H, k);
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

/** Gauss–Jordan inverse with partial pivoting; null if singular. */
function invertGeneral(A: Float64Array, k: number): Float64Array | null {
  const M = Float64Array.from(A);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r * k + c]!) > Math.abs(M[piv * k + c]!)) piv = r;
    if (M[piv * k + c] === 0) return null;
    for (let j = 0; j < k; j++) {
      [M[c * k + j], M[piv * k + j]] = [M[piv * k + j]!, M[c * k + j]!];
      [inv[c * k + j], inv[piv * k + j]] = [inv[piv * k + j]!, inv[c * k + j]!];
    }
    const d = M[c * k + c]!;
    for (let j = 0; j < k; j++) {
      M[c * k + j]! /= d;
      inv[c * k + j]! /= d;
    }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const fct = M[r * k + c]!;
      if (fct === 0) continue;
      for (let j = 0; j < k; j++) {
        M[r * k + j]! -= fct * M[c * k + j]!;
        inv[r * k + j]! -= fct * inv[c * k + j]!;
      }
    }
  }
  return inv;
}
