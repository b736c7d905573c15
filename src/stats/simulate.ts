import { normalFrom } from './random.js';

/**
 * Seeded data generators for the coverage simulations (bench/coverage.mjs and the CI-sized
 * versions in test/stats/coverage.test.ts): clustered continuous and binary outcomes, and
 * judge-versus-human settings. Every function takes the uniform source `rand` (random.ts's
 * seededRandom) and returns plain data.
 */

export type Rand = () => number;

/** Gamma(shape, 1) draw (Marsaglia & Tsang 2000). */
export function gammaDraw(shape: number, rand: Rand): number {
  if (shape < 1) return gammaDraw(shape + 1, rand) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalFrom(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function betaDraw(a: number, b: number, rand: Rand): number {
  const x = gammaDraw(a, rand);
  return x / (x + gammaDraw(b, rand));
}

/** Unequal cluster sizes: one or two dominant clusters and many small ones, cycled to G. */
export const CLUSTER_SIZES = [30, 2, 4, 8, 3, 12, 5, 2, 6, 20];
export function clusterSizes(G: number, pattern: readonly number[] = CLUSTER_SIZES): number[] {
  return Array.from({ length: G }, (_, g) => pattern[g % pattern.length]!);
}

/**
 * Continuous clustered outcome with mean 0 and intra-cluster correlation `icc`: y = u_g + e with
 * u_g ~ N(0, icc), e of variance 1 − icc, normal or (skewed) a centred exponential.
 */
export function clusteredContinuous(
  sizes: readonly number[],
  icc: number,
  skewed: boolean,
  rand: Rand,
): { ys: number[]; gs: number[] } {
  const ys: number[] = [];
  const gs: number[] = [];
  const sdE = Math.sqrt(1 - icc);
  sizes.forEach((m, g) => {
    const u = Math.sqrt(icc) * normalFrom(rand);
    for (let i = 0; i < m; i++) {
      const e = skewed ? -Math.log(1 - rand()) - 1 : normalFrom(rand);
      ys.push(u + sdE * e);
      gs.push(g);
    }
  });
  return { ys, gs };
}

/** Beta-binomial clusters: p_g ~ Beta with mean p and intra-cluster correlation icc; y ~ Bernoulli(p_g). */
export function clusteredBinary(
  sizes: readonly number[],
  p: number,
  icc: number,
  rand: Rand,
): { ys: number[]; gs: number[] } {
  const a = (p * (1 - icc)) / icc;
  const b = ((1 - p) * (1 - icc)) / icc;
  const ys: number[] = [];
  const gs: number[] = [];
  sizes.forEach((m, g) => {
    const pg = betaDraw(a, b, rand);
    for (let i = 0; i < m; i++) {
      ys.push(rand() < pg ? 1 : 0);
      gs.push(g);
    }
  });
  return { ys, gs };
}

/** A judge-versus-human setting: 1–5 ordinal human scores or pass/fail. */
export type JudgeSetting =
  | { name: string; kind: 'ordinal'; probs: number[]; bias: number; sd: number }
  | { name: string; kind: 'binary'; pi: number; sens: number; spec: number };

/** Ordinal: human Y ~ probs on 1–5, judge = clamp(round(Y + bias + sd·N(0,1))); binary: judge by sensitivity/specificity. */
export function drawPair(s: JudgeSetting, rand: Rand, shift = 0): [number, number] {
  if (s.kind === 'ordinal') {
    const u = rand();
    let c = 0;
    let y = 5;
    for (let k = 0; k < 5; k++) {
      c += s.probs[k]!;
      if (u < c) {
        y = k + 1;
        break;
      }
    }
    y = Math.min(5, Math.max(1, y + shift));
    const f = Math.min(5, Math.max(1, Math.round(y + s.bias + s.sd * normalFrom(rand))));
    return [y, f];
  }
  const y = rand() < Math.min(1, Math.max(0, s.pi + shift)) ? 1 : 0;
  const f = y ? (rand() < s.sens ? 1 : 0) : rand() < s.spec ? 0 : 1;
  return [y, f];
}

/** E[Y] of a setting (no prompt shift). */
export function settingMean(s: JudgeSetting): number {
  return s.kind === 'ordinal' ? s.probs.reduce((a, p, k) => a + p * (k + 1), 0) : s.pi;
}

/** Realistic settings: skewed 1–5 scales with biased, noisy judges; pass/fail from rare to common. */
export const JUDGE_SETTINGS: JudgeSetting[] = [
  {
    name: 'ordinal skewed, judge +0.5 bias, sd 0.8',
    kind: 'ordinal',
    probs: [0.05, 0.1, 0.2, 0.35, 0.3],
    bias: 0.5,
    sd: 0.8,
  },
  {
    name: 'ordinal skewed, judge −0.3 bias, sd 0.5',
    kind: 'ordinal',
    probs: [0.02, 0.05, 0.13, 0.3, 0.5],
    bias: -0.3,
    sd: 0.5,
  },
  {
    name: 'ordinal flat, judge +0.3 bias, sd 1.2',
    kind: 'ordinal',
    probs: [0.2, 0.2, 0.2, 0.2, 0.2],
    bias: 0.3,
    sd: 1.2,
  },
  {
    name: 'ordinal rare low, unbiased sd 0.4',
    kind: 'ordinal',
    probs: [0.01, 0.02, 0.07, 0.3, 0.6],
    bias: 0,
    sd: 0.4,
  },
  { name: 'pass/fail 5 %, sens .90 spec .95', kind: 'binary', pi: 0.05, sens: 0.9, spec: 0.95 },
  { name: 'pass/fail 10 %, sens .90 spec .90', kind: 'binary', pi: 0.1, sens: 0.9, spec: 0.9 },
  { name: 'pass/fail 30 %, sens .85 spec .95', kind: 'binary', pi: 0.3, sens: 0.85, spec: 0.95 },
  { name: 'pass/fail 70 %, sens .95 spec .80', kind: 'binary', pi: 0.7, sens: 0.95, spec: 0.8 },
  { name: 'pass/fail 90 %, sens .97 spec .70', kind: 'binary', pi: 0.9, sens: 0.97, spec: 0.7 },
];

/** n gold pairs and N judge-only scores, independent. */
export function ppiSample(
  s: JudgeSetting,
  n: number,
  N: number,
  rand: Rand,
): { y: number[]; f: number[]; fu: number[] } {
  const y: number[] = [];
  const f: number[] = [];
  const fu: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = drawPair(s, rand);
    y.push(a);
    f.push(b);
  }
  for (let i = 0; i < N; i++) fu.push(drawPair(s, rand)[1]);
  return { y, f, fu };
}

/** Prompt shift for whole-prompt designs: ordinal ±1 category, binary ±(a share of) the pass rate. */
function promptShift(s: JudgeSetting, rand: Rand): number {
  if (s.kind === 'ordinal') {
    const u = rand();
    return u < 0.2 ? -1 : u > 0.8 ? 1 : 0;
  }
  return (rand() - 0.5) * Math.min(s.pi, 1 - s.pi);
}

/**
 * Whole prompts: each prompt has a shift shared by its responses (prompts differ in difficulty);
 * `goldPrompts` prompts are rated in full, `otherPrompts` are judged only. Sizes cycle `pattern`.
 */
export function wholePromptSample(
  s: JudgeSetting,
  goldPrompts: number,
  otherPrompts: number,
  pattern: readonly number[],
  rand: Rand,
): { labelled: { y: number; f: number; cluster: string }[]; unlabelled: { f: number; cluster: string }[] } {
  const labelled: { y: number; f: number; cluster: string }[] = [];
  const unlabelled: { f: number; cluster: string }[] = [];
  for (let j = 0; j < goldPrompts + otherPrompts; j++) {
    const shift = promptShift(s, rand);
    const m = pattern[j % pattern.length]!;
    for (let i = 0; i < m; i++) {
      const [y, f] = drawPair(s, rand, shift);
      if (j < goldPrompts) labelled.push({ y, f, cluster: `p${j}` });
      else unlabelled.push({ f, cluster: `p${j}` });
    }
  }
  return { labelled, unlabelled };
}

/** E[Y] under whole-prompt shifts, by a large seeded Monte Carlo (the bench's truth). */
export function wholePromptMean(s: JudgeSetting, rand: Rand, draws = 400_000): number {
  let sum = 0;
  for (let i = 0; i < draws; i++) sum += drawPair(s, rand, promptShift(s, rand))[0];
  return sum / draws;
}

/**
 * Neyman allocation of n gold items to strata of sizes N_k with standard deviations S_k
 * (n_k ∝ N_k S_k), at least `min` per stratum and at most N_k, largest remainders rounding.
 */
export function neymanAllocation(
  sizes: readonly number[],
  sds: readonly number[],
  n: number,
  min = 2,
): number[] {
  const K = sizes.length;
  const alloc = new Array<number>(K).fill(min);
  let left = n - min * K;
  const weights = sizes.map((N, k) => N * sds[k]!);
  const total = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (w / total) * left);
  raw.forEach((r, k) => {
    const add = Math.min(Math.floor(r), sizes[k]! - alloc[k]!);
    alloc[k]! += add;
    left -= add;
  });
  const order = raw.map((r, k) => [r - Math.floor(r), k] as const).sort((a, b) => b[0] - a[0]);
  for (const [, k] of order) {
    if (left <= 0) break;
    if (alloc[k]! < sizes[k]!) {
      alloc[k]! += 1;
      left -= 1;
    }
  }
  return alloc;
}
