import type { Interval } from '../stats/descriptive.js';
import { normalQuantile, tQuantile } from '../stats/distributions.js';
import { PPI_PAIRED_MIN_PROMPTS, ppiPairedContrast } from '../stats/ppi-design.js';
import type { DesignPpi, SideEstimate } from './design.js';

/**
 * Corrected comparisons between conditions (`calibrate --ppi --compare FIELD[,FIELD]`): contrasts
 * of PPI++ means, each cell estimated on its own items under the gold's design (design.ts), beside
 * the same contrast of the gold-only (classical) and judge-only (naive) means.
 *
 * One field: each level against the base level (`none` when there is one, else the first in
 * order). Two fields A,B: the effect of B (each level against its base) within every level of A,
 * and the interaction — how much that effect differs between two levels of A. With
 * `role,personalization` that is the seed study's question: does personalization move EII
 * differently for an advisor than for a peer?
 *
 * Cells are treated as independent samples: a contrast's variance is Σ w² SE², its t reference
 * the Welch–Satterthwaite df of the cells' own df. When the same prompts appear in every cell
 * (paired designs), that ignores their positive correlation and makes the interval conservative
 * (wider than it needs to be), never anti-conservative. The contrast is also computed within
 * prompts (`paired`): PPI++ over the prompts' contrast values (ppiPairedContrast: cross-fitted λ,
 * t on the number of gold prompts − 1), refused below 10 gold prompts with the count shown.
 */

export interface Cell {
  /** The cell's level of each compared field, in the order of the fields. */
  levels: string[];
  ppi: DesignPpi | null;
}

export interface ContrastEstimate {
  estimate: number;
  se: number;
  /** Degrees of freedom of the t reference (Welch–Satterthwaite over the cells). */
  df?: number;
  ci: Interval;
}

/** Per prompt (metadata.group), each cell's judge value f and human value y (when rated); null: two items in one cell. */
export type PromptCells = Map<string, Map<string, { f: number; y: number | undefined } | null>>;

export interface Contrast {
  kind: 'difference' | 'effect' | 'interaction';
  label: string;
  /** The cells and their weights: the contrast is Σ weight × cell mean. */
  terms: { cell: string; weight: number }[];
  ppi: ContrastEstimate | null;
  classical: ContrastEstimate | null;
  naive: ContrastEstimate | null;
  /** Why there is no PPI++ estimate (a cell with too little gold), when there is none. */
  reason?: string;
  /**
   * The contrast computed within prompts: each prompt that has an item in every cell gives one
   * contrast value (judge, and human when every item is rated), and PPI++ runs over prompts — the
   * same prompts' correlation is used instead of ignored. Null, with why, below 10 prompts with
   * gold in every cell.
   */
  paired: (ContrastEstimate & { prompts_labelled: number; prompts: number; interval: string }) | null;
  paired_reason?: string;
  /** With no paired estimate: prompts rated in every cell of the contrast, and prompts with an item in each. */
  paired_counts?: { prompts_labelled: number; prompts: number };
  /** Warnings of the cells this contrast is built from (the design assumed, refusals), carried over. */
  warnings: string[];
}

const cellKey = (levels: string[]) => levels.join(' × ');

/** The base level of a field: `none` when present (no personalization), else the first in order. */
export function baseLevel(levels: string[]): string {
  return levels.includes('none') ? 'none' : [...levels].sort()[0]!;
}

/** Σ w·estimate with variance Σ w²·se² and the Welch–Satterthwaite df of the parts' df. */
export function combineIndependent(
  parts: readonly { weight: number; estimate: number; se: number; df?: number }[],
  alpha: number,
): ContrastEstimate | null {
  let estimate = 0;
  let variance = 0;
  let denom = 0;
  let finite = true;
  for (const p of parts) {
    estimate += p.weight * p.estimate;
    const v = p.weight ** 2 * p.se ** 2;
    variance += v;
    if (p.df === undefined || !Number.isFinite(p.df)) finite = false;
    else if (v > 0) denom += (v * v) / p.df;
  }
  const se = Math.sqrt(variance);
  if (!(se > 0)) return { estimate, se, ci: [estimate, estimate] };
  const df = finite && denom > 0 ? (variance * variance) / denom : undefined;
  const q = df === undefined ? normalQuantile(1 - alpha / 2) : tQuantile(1 - alpha / 2, df);
  return { estimate, se, ...(df !== undefined ? { df } : {}), ci: [estimate - q * se, estimate + q * se] };
}

type Term = { cell: string; weight: number };

/**
 * The contrasts of `fields`' levels (see the head of this file), each cell's PPI++ mean combined as
 * independent samples, and within prompts when `input` carries them.
 */
export function contrastsOf(
  fields: string[],
  input: Cell[] | { cells: Cell[]; prompts: PromptCells },
  alpha: number,
  options: { seed?: number } = {},
): Contrast[] {
  const cells = Array.isArray(input) ? input : input.cells;
  const prompts = Array.isArray(input) ? null : input.prompts;
  const byKey = new Map(cells.map((c) => [cellKey(c.levels), c]));
  const make = (kind: Contrast['kind'], label: string, terms: Term[]): Contrast =>
    contrastOf(kind, label, terms, byKey, alpha, pairedContrast(prompts, terms, alpha, options.seed ?? 1));
  const levelsOf = (i: number) => [...new Set(cells.map((c) => c.levels[i]!))].sort();

  if (fields.length === 1) {
    const levels = levelsOf(0);
    const base = baseLevel(levels);
    return levels
      .filter((l) => l !== base)
      .map((l) =>
        make('difference', `${fields[0]}: ${l} − ${base}`, [
          { cell: l, weight: 1 },
          { cell: base, weight: -1 },
        ]),
      );
  }
  const [outer, inner] = [levelsOf(0), levelsOf(1)];
  const base = baseLevel(inner);
  const out: Contrast[] = [];
  for (const l of inner.filter((x) => x !== base)) {
    const effect = (a: string) => [
      { cell: cellKey([a, l]), weight: 1 },
      { cell: cellKey([a, base]), weight: -1 },
    ];
    for (const a of outer)
      out.push(make('effect', `${fields[1]} ${l} − ${base}, ${fields[0]} ${a}`, effect(a)));
    for (let i = 0; i < outer.length; i++)
      for (let j = i + 1; j < outer.length; j++) {
        const [a1, a2] = [outer[i]!, outer[j]!];
        out.push(
          make('interaction', `(${l} − ${base} | ${a1}) − (${l} − ${base} | ${a2})`, [
            ...effect(a1),
            ...effect(a2).map((t) => ({ ...t, weight: -t.weight })),
          ]),
        );
      }
  }
  return out;
}

/** One contrast: Σ weight × cell mean for PPI++, gold only and judge only, with the paired estimate. */
function contrastOf(
  kind: Contrast['kind'],
  label: string,
  terms: Term[],
  byKey: ReadonlyMap<string, Cell>,
  alpha: number,
  paired: Pick<Contrast, 'paired' | 'paired_reason' | 'paired_counts'>,
): Contrast {
  const combine = (pick: Pick1) => combineCells(terms, byKey, pick, alpha);
  const ppi = combine((p) => p);
  const missing = terms.filter((t) => byKey.get(t.cell)?.ppi?.estimate == null).map((t) => t.cell);
  const reasons = terms
    .map((t) => byKey.get(t.cell)?.ppi?.reason)
    .filter((r): r is string => r !== undefined);
  const warnings = [...new Set(terms.flatMap((t) => byKey.get(t.cell)?.ppi?.warnings ?? []))];
  return {
    kind,
    label,
    terms,
    ...paired,
    ppi,
    classical: combine((p) => p.classical),
    naive: combine((p) => p.naive),
    ...(missing.length
      ? {
          reason: `no PPI++ estimate for ${missing.join(', ')}${reasons.length ? ` (${[...new Set(reasons)].join('; ')})` : ''}`,
        }
      : {}),
    warnings,
  };
}

/** Which of a cell's estimates a contrast combines (PPI++, gold only or judge only). */
type Pick1 = (p: DesignPpi) => SideEstimate | { estimate: number | null; se?: number; df?: number } | null;

/** The terms' cells' estimates combined as independent samples; null when a cell has none. */
function combineCells(
  terms: Term[],
  byKey: ReadonlyMap<string, Cell>,
  pick: Pick1,
  alpha: number,
): ContrastEstimate | null {
  const parts: { weight: number; estimate: number; se: number; df?: number }[] = [];
  for (const t of terms) {
    const p = byKey.get(t.cell)?.ppi;
    const v = p ? pick(p) : null;
    if (!v || v.estimate === null || v.se === undefined) return null;
    parts.push({
      weight: t.weight,
      estimate: v.estimate,
      se: v.se,
      ...(v.df !== undefined ? { df: v.df } : {}),
    });
  }
  return combineIndependent(parts, alpha);
}

/**
 * The contrast within prompts: each prompt with an item in every cell gives one contrast value;
 * PPI++ over prompts (or the gold alone when every prompt is rated), refused below the minimum.
 */
function pairedContrast(
  prompts: PromptCells | null,
  terms: Term[],
  alpha: number,
  seed: number,
): Pick<Contrast, 'paired' | 'paired_reason' | 'paired_counts'> {
  if (!prompts) return { paired: null, paired_reason: 'no prompt ids (metadata.group) to pair by' };
  const gold: { human: number; judge: number }[] = [];
  const judgeOnly: number[] = [];
  for (const byCell of prompts.values()) {
    const values = terms.map((t) => byCell.get(t.cell));
    if (values.some((v) => !v)) continue;
    const judge = terms.reduce((s, t, i) => s + t.weight * values[i]!.f, 0);
    if (values.every((v) => v!.y !== undefined))
      gold.push({ human: terms.reduce((s, t, i) => s + t.weight * values[i]!.y!, 0), judge });
    else judgeOnly.push(judge);
  }
  const prompted = { prompts_labelled: gold.length, prompts: gold.length + judgeOnly.length };
  if (gold.length < PPI_PAIRED_MIN_PROMPTS)
    return {
      paired: null,
      paired_counts: prompted,
      paired_reason: `${gold.length} prompt${gold.length === 1 ? '' : 's'} with gold in every cell of the contrast (of ${prompted.prompts} with an item in each): a paired contrast needs at least ${PPI_PAIRED_MIN_PROMPTS} (rate whole prompts: gold sample --clusters group)`,
    };
  if (judgeOnly.length === 0) return { paired: goldOnlyPaired(gold, prompted, alpha) };
  const r = ppiPairedContrast(gold, judgeOnly, { alpha, seed });
  if (r.estimate === null || !r.ci) return { paired: null, paired_reason: r.reason ?? 'no paired estimate' };
  return {
    paired: {
      estimate: r.estimate,
      se: r.se!,
      df: r.df!,
      ci: r.ci,
      ...prompted,
      interval: r.interval,
    },
  };
}

/** Every prompt rated in full: the prompts' human contrast values are the answer (t on prompts − 1). */
function goldOnlyPaired(
  gold: { human: number }[],
  prompted: { prompts_labelled: number; prompts: number },
  alpha: number,
): NonNullable<Contrast['paired']> {
  const ys = gold.map((g) => g.human);
  const n = ys.length;
  const m = ys.reduce((a, b) => a + b, 0) / n;
  const se = Math.sqrt(ys.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) / n);
  const h = tQuantile(1 - alpha / 2, n - 1) * se;
  return {
    estimate: m,
    se,
    df: n - 1,
    ci: [m - h, m + h],
    ...prompted,
    interval: 'gold only over prompts, t(prompts − 1) (every prompt rated: PPI++ needs prompts without gold)',
  };
}
