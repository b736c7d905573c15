/**
 * Gauss–Hermite rule for the standard normal density (lme4's `GHrule(K)`): nodes z_k and weights w_k
 * with Σ w_k f(z_k) ≈ ∫ f(z) φ(z) dz, exact for polynomials of degree < 2K; Σ w_k = 1.
 *
 * Computed by Newton's method on the orthonormal Hermite recurrence (Numerical Recipes' gauher) for
 * the weight e^{−x²}, then mapped z = √2·x, w = w_x/√π. Accurate to ~1e-15 for K ≤ 25.
 */
export function gaussHermite(K: number): { z: Float64Array; w: Float64Array } {
  const x = new Float64Array(K);
  const wt = new Float64Array(K);
  const PIM4 = Math.PI ** -0.25;
  const m = Math.floor((K + 1) / 2);
  let z = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0) z = Math.sqrt(2 * K + 1) - 1.85575 * (2 * K + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * K ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * x[1]!;
    else z = 2 * z - x[i - 2]!;
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 1; j <= K; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * K) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i] = z;
    x[K - 1 - i] = -z;
    wt[i] = 2 / (pp * pp);
    wt[K - 1 - i] = wt[i]!;
  }
  if (K % 2 === 1) x[m - 1] = 0;
  return { z: x.map((v) => v * Math.SQRT2), w: wt.map((v) => v / Math.sqrt(Math.PI)) };
}
