import { fSf } from './distributions.js';

/**
 * Repeated-measures F tests with the Greenhouse–Geisser and Huynh–Feldt sphericity corrections, as
 * R's anova.mlm(fit, M, X, idata, test = "Spherical") on lm(Y ~ 1) with one row per subject.
 *
 * A within-subject effect with q degrees of freedom is tested on the transformed values z_s = T y_s,
 * T a q-row orthonormal basis of the effect's contrasts (the corrections do not depend on which
 * basis). With B = Σ_s (z_s − z̄)(z_s − z̄)ᵀ and N subjects:
 *   F = (N |z̄|² / q) / (tr B / (q (N − 1))),  df = (q, q(N − 1))  (the sphericity-assumed test),
 *   ε_GG = (tr B)² / (q tr B²),
 *   ε_HF = ((n + 1) q ε_GG − 2) / (q (n − q ε_GG)),  n = N − 1,
 * the corrected p-values using df·ε, with ε_HF capped at 1 for the p-value (R's rule; ε_HF itself is
 * reported uncapped, as R prints it). ε_HF is R ≥ 4.1's form, Huynh–Feldt with Lecoutre's (1991)
 * correction (numerator N − g + 1 = N with one group); with one group and no between-subject
 * factor it is identical to the original Huynh & Feldt (1976) formula. Debian's R 4.2.2 is the
 * reference (test/reference/sphericity_reference.R).
 */

export interface SphericityTerm {
  effect: string;
  F: number | null;
  df: number;
  df_error: number;
  /** Sphericity assumed. */
  p: number | null;
  /** Greenhouse–Geisser and Huynh–Feldt epsilons (H-F uncapped). */
  gg: number | null;
  hf: number | null;
  /** p-values with df · ε_GG and df · min(1, ε_HF). */
  p_gg: number | null;
  p_hf: number | null;
  reason?: string;
}

/** A q × k orthonormal basis of contrasts among k levels (normalised Helmert). */
export function orthonormalContrasts(k: number): number[][] {
  const rows: number[][] = [];
  for (let r = 1; r < k; r++) {
    const s = Math.sqrt(r * (r + 1));
    rows.push(Array.from({ length: k }, (_, i) => (i < r ? 1 / s : i === r ? -r / s : 0)));
  }
  return rows;
}

/** Kronecker product of two matrices given by rows. */
function kron(a: number[][], b: number[][]): number[][] {
  const out: number[][] = [];
  for (const ra of a)
    for (const rb of b) {
      const row: number[] = [];
      for (const x of ra) for (const y of rb) row.push(x * y);
      out.push(row);
    }
  return out;
}

/** The test of one within effect from the subjects' value vectors and the effect's contrast rows. */
export function withinEffectTest(
  effect: string,
  ys: readonly (readonly number[])[],
  T: number[][],
): SphericityTerm {
  const N = ys.length;
  const q = T.length;
  const dfError = q * (N - 1);
  const none = (reason: string): SphericityTerm => ({
    effect,
    F: null,
    df: q,
    df_error: dfError,
    p: null,
    gg: null,
    hf: null,
    p_gg: null,
    p_hf: null,
    reason,
  });
  if (N < 2 || q < 1) return none('needs two subjects and two levels');
  const z = ys.map((y) => T.map((row) => row.reduce((s, t, j) => s + t * y[j]!, 0)));
  const mean = new Array<number>(q).fill(0);
  for (const zs of z) for (let a = 0; a < q; a++) mean[a]! += zs[a]! / N;
  const B = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  for (const zs of z)
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) B[a]![b]! += (zs[a]! - mean[a]!) * (zs[b]! - mean[b]!);
  let trB = 0;
  let trB2 = 0;
  for (let a = 0; a < q; a++) {
    trB += B[a]![a]!;
    for (let b = 0; b < q; b++) trB2 += B[a]![b]! * B[b]![a]!;
  }
  let ssEffect = 0;
  for (const m of mean) ssEffect += N * m * m;
  let scale = 0;
  for (const y of ys) for (const v of y) scale = Math.max(scale, Math.abs(v));
  if (!(trB > 1e-24 * Math.max(1, scale * scale) * N)) return none('no within-subject error variance');
  const F = ssEffect / q / (trB / dfError);
  const n = N - 1;
  const gg = (trB * trB) / (q * trB2);
  const hf = ((n + 1) * q * gg - 2) / (q * (n - q * gg));
  const hfUsed = Math.min(1, hf);
  return {
    effect,
    F,
    df: q,
    df_error: dfError,
    p: fSf(F, q, dfError),
    gg,
    hf,
    p_gg: fSf(F, q * gg, dfError * gg),
    p_hf: hfUsed > 0 ? fSf(F, q * hfUsed, dfError * hfUsed) : null,
  };
}

/** One-way repeated measures: `data[s][j]` is subject s's value at level j. */
export function oneWayRepeatedMeasures(
  data: readonly (readonly number[])[],
  effect = 'level',
): SphericityTerm {
  const k = data[0]?.length ?? 0;
  return withinEffectTest(effect, data, orthonormalContrasts(k));
}

/**
 * The three within effects of a complete two-way within-subject design (`data[s][a][b]`, as
 * repeatedMeasuresAnova2 in anova.ts takes it) with their sphericity corrections. F, df and the
 * sphericity-assumed p equal repeatedMeasuresAnova2's.
 */
export function repeatedMeasuresAnova2Sphericity(
  data: readonly (readonly (readonly number[])[])[],
  names: [string, string],
): SphericityTerm[] {
  const a = data[0]?.length ?? 0;
  const b = data[0]?.[0]?.length ?? 0;
  const ys = data.map((s) => s.flatMap((row) => [...row]));
  const ca = orthonormalContrasts(a);
  const cb = orthonormalContrasts(b);
  const ua = [new Array<number>(a).fill(1 / Math.sqrt(a))];
  const ub = [new Array<number>(b).fill(1 / Math.sqrt(b))];
  return [
    withinEffectTest(names[0], ys, kron(ca, ub)),
    withinEffectTest(names[1], ys, kron(ua, cb)),
    withinEffectTest(`${names[0]}:${names[1]}`, ys, kron(ca, cb)),
  ];
}
