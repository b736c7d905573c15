/**
 * Benjamini–Yekutieli adjusted p-values (FDR control under arbitrary dependence), as
 * statsmodels' multipletests(method="fdr_by"): p_(i) · m · c(m) / i with c(m) = Σ 1/k, made
 * monotone from the largest down and capped at 1. Returned in the input order.
 */
export function benjaminiYekutieli(p: readonly number[]): number[] {
  const m = p.length;
  if (m === 0) return [];
  let cm = 0;
  for (let k = 1; k <= m; k++) cm += 1 / k;
  const order = p.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const { v, i } = order[r]!;
    running = Math.min(running, (v * m * cm) / (r + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}
