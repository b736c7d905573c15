import type { Interval } from '../stats/descriptive.js';
import { zCritical } from '../stats/distributions.js';
import { type PpiOptions, type PpiResult, ppiMean } from './ppi.js';

/**
 * Corrected comparisons between conditions (`calibrate --ppi --compare FIELD[,FIELD]`): contrasts
 * of PPI++ means, each cell estimated on its own items (its own λ̂), beside the same contrast of
 * the gold-only (classical) and judge-only (naive) means.
 *
 * One field: each level against the base level (`none` when there is one, else the first in
 * order). Two fields A,B: the effect of B (each level against its base) within every level of A,
 * and the interaction — how much that effect differs between two levels of A. With
 * `role,personalization` that is the seed study's question: does personalization move EII
 * differently for an advisor than for a peer?
 *
 * Cells are treated as independent samples, so a contrast's variance is Σ w² SE². When the same
 * prompts appear in every cell (paired designs), that ignores their positive correlation and makes
 * the interval conservative (wider than it needs to be), never anti-conservative.
 */

export interface Cell {
  /** The cell's level of each compared field, in the order of the fields. */
  levels: string[];
  ppi: PpiResult | null;
}

export interface ContrastEstimate {
  estimate: number;
  se: number;
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
  /** Why there is no estimate (a cell with too little gold), when there is none. */
  reason?: string;
  /**
   * The contrast computed within prompts: each prompt that has an item in every cell gives one
   * contrast value (judge, and human when every item is rated), and PPI++ runs over prompts —
   * the same prompts' correlation is used instead of ignored. Null, with why, when fewer than 2
   * prompts have gold in every cell (or none is left without).
   */
  paired: (ContrastEstimate & { prompts_labelled: number; prompts: number }) | null;
  paired_reason?: string;
}

const cellKey = (levels: string[]) => levels.join(' × ');

/** The base level of a field: `none` when present (no personalization), else the first in order. */
export function baseLevel(levels: string[]): string {
  return levels.includes('none') ? 'none' : [...levels].sort()[0]!;
}

export function contrastsOf(
  fields: string[],
  input: Cell[] | { cells: Cell[]; prompts: PromptCells },
  alpha: number,
  ppiOptions: PpiOptions = { alpha },
): Contrast[] {
  const cells = Array.isArray(input) ? input : input.cells;
  const prompts = Array.isArray(input) ? null : input.prompts;
  const byKey = new Map(cells.map((c) => [cellKey(c.levels), c]));
  const pairedOf = (
    terms: { cell: string; weight: number }[],
  ): Pick<Contrast, 'paired' | 'paired_reason'> => {
    if (!prompts) return { paired: null, paired_reason: 'no prompt ids (metadata.group) to pair by' };
    const y: number[] = [];
    const f: number[] = [];
    const fu: number[] = [];
    for (const byCell of prompts.values()) {
      const values = terms.map((t) => byCell.get(t.cell));
      if (values.some((v) => !v)) continue;
      const judge = terms.reduce((s, t, i) => s + t.weight * values[i]!.f, 0);
      if (values.every((v) => v!.y !== undefined)) {
        y.push(terms.reduce((s, t, i) => s + t.weight * values[i]!.y!, 0));
        f.push(judge);
      } else fu.push(judge);
    }
    const r = ppiMean(y, f, fu, ppiOptions);
    if (!r)
      return {
        paired: null,
        paired_reason: `${y.length} prompt(s) with gold in every cell and ${fu.length} without: pairing needs at least 2 and 1`,
      };
    return {
      paired: {
        estimate: r.estimate,
        se: r.se,
        ci: r.ci,
        prompts_labelled: y.length,
        prompts: y.length + fu.length,
      },
    };
  };
  const levelsOf = (i: number) => [...new Set(cells.map((c) => c.levels[i]!))].sort();
  const z = zCritical(alpha);
  const combine = (
    terms: { cell: string; weight: number }[],
    pick: (p: PpiResult) => { estimate: number; se: number },
  ): ContrastEstimate | null => {
    let estimate = 0;
    let variance = 0;
    for (const t of terms) {
      const p = byKey.get(t.cell)?.ppi;
      if (!p) return null;
      const v = pick(p);
      estimate += t.weight * v.estimate;
      variance += t.weight ** 2 * v.se ** 2;
    }
    const se = Math.sqrt(variance);
    return { estimate, se, ci: [estimate - z * se, estimate + z * se] };
  };
  const make = (
    kind: Contrast['kind'],
    label: string,
    terms: { cell: string; weight: number }[],
  ): Contrast => {
    const ppi = combine(terms, (p) => p);
    const missing = terms.filter((t) => !byKey.get(t.cell)?.ppi).map((t) => t.cell);
    return {
      kind,
      label,
      terms,
      ...pairedOf(terms),
      ppi,
      classical: combine(terms, (p) => p.classical),
      naive: combine(terms, (p) => p.naive),
      ...(missing.length
        ? {
            reason: `no PPI estimate for ${missing.join(', ')} (each cell needs 2+ items with gold and 1+ without)`,
          }
        : {}),
    };
  };

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
