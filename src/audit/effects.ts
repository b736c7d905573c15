import { type ClusteredShare, clusteredProportion } from '../stats/cluster-share.js';
import { type Cr2Estimate, cr2Mean } from '../stats/cr2.js';
import { tQuantile, tSf } from '../stats/distributions.js';

/**
 * How a probe moved the judge: the paired effect (perturbed − original score) on the items scored
 * both ways, its 95 % interval and two-sided t-test — cluster-robust over `metadata.group` (or
 * per item), so several responses to one prompt count as one cluster: CR2 with Satterthwaite
 * degrees of freedom under an exchangeable working model (stats/cr2.ts; with one item per
 * cluster, the paired t-test) — and the share of items whose score changed at all (Korn–Graubard
 * Clopper–Pearson at the CR2 effective n, inside [0, 1]).
 */
export interface PairedEffect {
  n: number;
  clusters: number;
  effect: Cr2Estimate;
  /** Two-sided p of the mean difference being 0 (t on the Satterthwaite df of `effect`). */
  p_value: number | null;
  changed: ClusteredShare;
}

export function pairedEffect(
  original: Map<string, { value: number; cluster: string }>,
  perturbed: Map<string, number>,
  confidence = 0.95,
): PairedEffect {
  const diffs: number[] = [];
  const clusters: string[] = [];
  for (const [id, o] of original) {
    const p = perturbed.get(id);
    if (p === undefined) continue;
    diffs.push(p - o.value);
    clusters.push(o.cluster);
  }
  const effect = cr2Mean(diffs, clusters, confidence, 'exchangeable');
  // no spread at all: a difference of exactly 0 is no evidence (p = 1), any other is certain
  const p =
    effect.se !== undefined && effect.value !== null && effect.clusters >= 2
      ? effect.se === 0
        ? effect.value === 0
          ? 1
          : 0
        : (effect.p ?? null)
      : null;
  return {
    n: diffs.length,
    clusters: effect.clusters,
    effect,
    p_value: p,
    changed: clusteredProportion(
      diffs.map((d) => (d !== 0 ? 1 : 0)),
      clusters,
      confidence,
    ),
  };
}

/** Difference of two independent means (a − b) with Welch's t interval and test. */
export interface WelchDifference {
  n_a: number;
  n_b: number;
  estimate: number | null;
  ci: [number, number] | null;
  df: number | null;
  p_value: number | null;
}

export function welchDifference(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
): WelchDifference {
  const base = { n_a: a.length, n_b: b.length };
  if (a.length < 2 || b.length < 2) return { ...base, estimate: null, ci: null, df: null, p_value: null };
  const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const varOf = (x: readonly number[], m: number) => x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
  const [ma, mb] = [mean(a), mean(b)];
  const [va, vb] = [varOf(a, ma) / a.length, varOf(b, mb) / b.length];
  const estimate = ma - mb;
  const se = Math.sqrt(va + vb);
  if (se === 0)
    return { ...base, estimate, ci: [estimate, estimate], df: null, p_value: estimate === 0 ? 1 : 0 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    ...base,
    estimate,
    ci: [estimate - half, estimate + half],
    df,
    p_value: 2 * tSf(Math.abs(estimate / se), df),
  };
}

/** The model family a model name belongs to, for self-preference (`gpt-4.1-mini` → openai). */
export function familyOf(model: string): string {
  const m = model.toLowerCase().replace(/^.*\//, '');
  if (/^(gpt|o\d|chatgpt|text-davinci)/.test(m)) return 'openai';
  if (m.includes('claude')) return 'anthropic';
  if (/gemini|gemma/.test(m)) return 'google';
  if (m.includes('llama')) return 'meta';
  if (m.includes('qwen')) return 'qwen';
  if (/mistral|mixtral/.test(m)) return 'mistral';
  if (m.includes('deepseek')) return 'deepseek';
  return m.split(/[-:_ .]/)[0] ?? m;
}
