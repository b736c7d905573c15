import { UsageError } from '../../core/errors.js';

/**
 * The penalized weighted least-squares step at the heart of lme4 (Bates et al. 2015, JSS, §3):
 *
 *   minimise  Σ_r w_r (z_r − (ZΛu)_r − (Xβ)_r)² + ‖u‖²   over u (and β when `withX`),
 *
 * where Λ = diag(θ_k on every level of term k) — random intercepts only. The normal equations are
 * factored as one Cholesky of the augmented matrix [ΛZ'WZΛ + I, ΛZ'WX, ΛZ'Wz; ·, X'WX, X'Wz; ·, ·, z'Wz],
 * whose last diagonal entry squared is the minimum (the penalized weighted RSS) and whose diagonal
 * gives log|L|² and log|RX|² — the pieces of the profiled deviance.
 *
 * Structure exploited: the levels of the largest grouping factor ("block 0") never share a row, so
 * its block of ΛZ'WZΛ + I is diagonal. It is eliminated first (a Schur complement, one outer product
 * per level), which leaves a dense matrix over the other factors' levels plus X and z only. With a
 * single grouping factor that dense part is (p+1)×(p+1), so 100,000 rows cost a few milliseconds; with
 * crossed or nested factors it is (Σ other levels + p + 1) squared, bounded by MAX_DENSE below.
 */

/** Largest dense block (levels of all but the largest grouping factor, plus p + 1) plumb will factor. */
export const MAX_DENSE = 2000;

/** Random-effects structure and fixed-effects matrix, fixed for the whole fit. */
export interface ReStructure {
  n: number;
  /** Levels per random term, largest first (lme4's order). */
  q: number[];
  /** Per term, the level index of each row. */
  lev: Int32Array[];
  /** Rows grouped by level of term 0 (CSR): rows of level i are rowIdx[rowStart[i] .. rowStart[i+1]). */
  rowStart: Int32Array;
  rowIdx: Int32Array;
  /** Fixed-effects model matrix, row-major n × p. */
  X: Float64Array;
  p: number;
  /** Offsets of terms 1.. inside the dense block. */
  off: number[];
  /** Σ_{k≥1} q_k: size of the random part of the dense block. */
  mr: number;
}

/** Build the structure once per fit: sorts terms, groups rows by the largest factor, checks size. */
export function makeStructure(q: number[], lev: Int32Array[], X: Float64Array, p: number): ReStructure {
  const n = lev[0]!.length;
  const off: number[] = [0];
  let mr = 0;
  for (let k = 1; k < q.length; k++) {
    off.push(mr);
    mr += q[k]!;
  }
  if (mr + p + 1 > MAX_DENSE) {
    throw new UsageError(
      `model too large: the grouping factors other than the largest have ${mr} levels in all; plumb factors ` +
        `their part of the random-effects system densely and refuses beyond ${MAX_DENSE - p - 1} levels ` +
        '(a single grouping factor, or one large factor crossed with smaller ones, has no such limit)',
    );
  }
  const q0 = q[0]!;
  const rowStart = new Int32Array(q0 + 1);
  const l0 = lev[0]!;
  for (let r = 0; r < n; r++) rowStart[l0[r]! + 1]!++;
  for (let i = 0; i < q0; i++) rowStart[i + 1]! += rowStart[i]!;
  const fill = rowStart.slice(0, q0);
  const rowIdx = new Int32Array(n);
  for (let r = 0; r < n; r++) rowIdx[fill[l0[r]!]!++] = r;
  return { n, q, lev, rowStart, rowIdx, X, p, off, mr };
}

/** The result of one PWLS solve. */
export interface PwlsResult {
  /** log|L_θ|², L_θ the Cholesky factor of ΛZ'WZΛ + I. */
  ldL2: number;
  /** log|RX|² (0 when β was not estimated). */
  ldRX2: number;
  /** Minimum penalized weighted RSS. */
  pwrss: number;
  /** Spherical random effects u, term 0's levels first, then term 1's, ... */
  u: Float64Array;
  /** β̂ (empty when `withX` is false). */
  beta: Float64Array;
  /** Diagonal of block 0 of ΛZ'WZΛ + I (its Cholesky diagonal squared, used by AGQ). */
  d0: Float64Array;
  /** RX' (lower triangle, p × p row-major): (RX'RX)⁻¹ is the unscaled vcov of β̂. */
  rxt: Float64Array;
}

/**
 * Solve the PWLS problem at θ with weights `w` (null = all 1) and working response `z`.
 * Cost: O(n·k²) to accumulate, k = nonzeros per row of [ZΛ X z], plus m³/3 for the dense block.
 */
export function solvePwls(
  s: ReStructure,
  theta: ArrayLike<number>,
  w: Float64Array | null,
  z: Float64Array,
  withX: boolean,
): PwlsResult {
  const { mr, q } = s;
  const pe = withX ? s.p : 0;
  const m = mr + pe + 1;
  const S = new Float64Array(m * m);
  for (let j = 0; j < mr; j++) S[j * m + j] = 1;
  const d0 = accumulate(s, theta, w, z, pe, S, m);
  const L = S;
  cholesky(L, m, mr, pe);
  let ldL2 = 0;
  for (let i = 0; i < q[0]!; i++) ldL2 += Math.log(d0[i]!);
  for (let j = 0; j < mr; j++) ldL2 += 2 * Math.log(L[j * m + j]!);
  let ldRX2 = 0;
  for (let j = mr; j < mr + pe; j++) ldRX2 += 2 * Math.log(L[j * m + j]!);
  const last = L[(m - 1) * m + (m - 1)]!;
  // Back-substitution: L'[0..m-2] x = (last row of L), giving u (terms 1..) and β.
  const x = new Float64Array(m - 1);
  for (let i = m - 2; i >= 0; i--) {
    let v = L[(m - 1) * m + i]!;
    for (let k = i + 1; k < m - 1; k++) v -= L[k * m + i]! * x[k]!;
    x[i] = v / L[i * m + i]!;
  }
  const u = new Float64Array(q.reduce((a, b) => a + b, 0));
  solveBlock0(s, theta, w, z, pe, x, d0, u);
  u.set(x.subarray(0, mr), q[0]!);
  const rxt = new Float64Array(pe * pe);
  for (let i = 0; i < pe; i++) for (let j = 0; j <= i; j++) rxt[i * pe + j] = L[(mr + i) * m + mr + j]!;
  return { ldL2, ldRX2, pwrss: last * last, u, beta: x.slice(mr, mr + pe), d0, rxt };
}

/**
 * Fill S (lower triangle) with Σ_r w_r v_r v_r' minus block 0's Schur correction, where
 * v_r = [θ_k at the row's level of each term k ≥ 1, X_r (if pe > 0), z_r]. Returns block 0's diagonal.
 */
function accumulate(
  s: ReStructure,
  theta: ArrayLike<number>,
  w: Float64Array | null,
  z: Float64Array,
  pe: number,
  S: Float64Array,
  m: number,
): Float64Array {
  const { q, lev, rowStart, rowIdx, X, p, off, mr } = s;
  const nf = q.length;
  const t0 = theta[0]!;
  const d0 = new Float64Array(q[0]!);
  const k = nf - 1 + pe + 1;
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  const acc = new Float64Array(m);
  const mark = new Uint8Array(m);
  const touched = new Int32Array(m);
  for (let i = 0; i < q[0]!; i++) {
    let nt = 0;
    let di = 1;
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) {
      const r = rowIdx[a]!;
      const wr = w ? w[r]! : 1;
      let c = 0;
      for (let f = 1; f < nf; f++) {
        idx[c] = off[f]! + lev[f]![r]!;
        val[c++] = theta[f]!;
      }
      for (let j = 0; j < pe; j++) {
        idx[c] = mr + j;
        val[c++] = X[r * p + j]!;
      }
      idx[c] = m - 1;
      val[c++] = z[r]!;
      di += wr * t0 * t0;
      for (let e = 0; e < c; e++) {
        const ie = idx[e]!;
        if (!mark[ie]) {
          mark[ie] = 1;
          touched[nt++] = ie;
        }
        acc[ie]! += wr * t0 * val[e]!;
        const wv = wr * val[e]!;
        // Indices are increasing within a row (terms, then X, then z), so idx[e] ≥ idx[g] for g ≤ e.
        for (let g = 0; g <= e; g++) S[ie * m + idx[g]!]! += wv * val[g]!;
      }
    }
    d0[i] = di;
    for (let e = 0; e < nt; e++) {
      const ie = touched[e]!;
      const ae = acc[ie]! / di;
      for (let g = 0; g < nt; g++) {
        const ig = touched[g]!;
        if (ig <= ie) S[ie * m + ig]! -= ae * acc[ig]!;
      }
    }
    for (let e = 0; e < nt; e++) {
      acc[touched[e]!] = 0;
      mark[touched[e]!] = 0;
    }
  }
  return d0;
}

/** u for block 0's levels: u_i = θ₀ Σ_{r∈i} w_r (z_r − (rest of the fit)_r) / d_i. */
function solveBlock0(
  s: ReStructure,
  theta: ArrayLike<number>,
  w: Float64Array | null,
  z: Float64Array,
  pe: number,
  x: Float64Array,
  d0: Float64Array,
  u: Float64Array,
): void {
  const { q, lev, rowStart, rowIdx, X, p, off, mr } = s;
  const t0 = theta[0]!;
  for (let i = 0; i < q[0]!; i++) {
    let acc = 0;
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) {
      const r = rowIdx[a]!;
      let fit = 0;
      for (let f = 1; f < q.length; f++) fit += theta[f]! * x[off[f]! + lev[f]![r]!]!;
      for (let j = 0; j < pe; j++) fit += X[r * p + j]! * x[mr + j]!;
      acc += (w ? w[r]! : 1) * t0 * (z[r]! - fit);
    }
    u[i] = acc / d0[i]!;
  }
}

/**
 * In-place lower Cholesky of the symmetric m × m matrix (lower triangle given). A non-positive pivot
 * in the X block means the fixed-effects columns are linearly dependent.
 */
function cholesky(L: Float64Array, m: number, mr: number, pe: number): void {
  for (let j = 0; j < m; j++) {
    const rowj = j * m;
    let d = L[rowj + j]!;
    for (let k = 0; k < j; k++) d -= L[rowj + k]! * L[rowj + k]!;
    if (!(d > 0)) {
      if (j >= mr && j < mr + pe) {
        throw new UsageError(
          'the fixed-effects model matrix is rank deficient (a column is a linear combination of others, ' +
            'e.g. a factor level that only occurs together with another); lme4 would drop columns, plumb refuses',
        );
      }
      // z in the span of the rest (a perfect fit): the minimum is 0.
      L[rowj + j] = j === m - 1 ? 0 : Number.NaN;
      continue;
    }
    const ljj = Math.sqrt(d);
    L[rowj + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      const rowi = i * m;
      let v = L[rowi + j]!;
      for (let k = 0; k < j; k++) v -= L[rowi + k]! * L[rowj + k]!;
      L[rowi + j] = v / ljj;
    }
  }
}

/** (RX'RX)⁻¹ from RX' (lower, p × p): the unscaled covariance of β̂. */
export function unscaledVcov(rxt: Float64Array, p: number): Float64Array {
  // Invert the lower-triangular RX' column by column, then form (RX')⁻ᵀ (RX')⁻¹.
  const inv = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    for (let i = c; i < p; i++) {
      let v = i === c ? 1 : 0;
      for (let k = c; k < i; k++) v -= rxt[i * p + k]! * inv[k * p + c]!;
      inv[i * p + c] = v / rxt[i * p + i]!;
    }
  }
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let v = 0;
      for (let k = Math.max(i, j); k < p; k++) v += inv[k * p + i]! * inv[k * p + j]!;
      out[i * p + j] = v;
    }
  return out;
}
