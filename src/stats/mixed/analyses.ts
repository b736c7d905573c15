import { UsageError } from '../../core/errors.js';
import { betaQuantile } from '../beta.js';
import { normalQuantile, normalSf } from '../distributions.js';
import { mcnemarExact, wilson } from '../proportion.js';
import { type FixedEffect, fitMixed, type MixedFit } from './index.js';

/**
 * The mixed-model analyses other commands report: pure functions of rows, returning data.
 *
 * It lives in stats/ (it needs nothing above it), so the pairwise and probe summaries can use it.
 */

/** A Wald coefficient: estimate, SE, z, two-sided p, 95 % interval (logit scale for binomial). */
export interface Coefficient {
  term: string;
  estimate: number;
  se: number;
  z: number;
  p: number;
  ci95: [number, number];
}

const Z975 = normalQuantile(0.975);
const plogis = (x: number) => 1 / (1 + Math.exp(-x));

function coefficient(fe: FixedEffect): Coefficient {
  return { term: fe.term, estimate: fe.estimate, se: fe.se, z: fe.statistic, p: fe.p, ci95: fe.ci95 };
}

/** One observation of a share: y = 1 (success), 0, or null for a tie (left out, counted). */
export interface ShareRow {
  y: 0 | 1 | null;
  /** What the observation clusters with (a question, a prompt): its random intercept. */
  group: string;
}

export interface ShareAgainstHalf {
  /** Rows with y 0 or 1 (ties left out). */
  n: number;
  /** Rows with y null: ties, not in n. */
  ties: number;
  successes: number;
  /** Distinct groups among the n rows. */
  groups: number;
  /** The raw share successes / n with the Wilson 95 % interval (null when n = 0). */
  share: { estimate: number | null; ci95: [number, number] | null; interval: 'wilson' };
  /**
   * Which model gave `intercept`: the binomial GLMM `y ~ 1 + (1 | group)` by Laplace, the plain
   * logistic intercept `y ~ 1` (every group of one row, or one group), or none (n = 0, or every y
   * the same: the logit is infinite).
   */
  model: 'glmm' | 'logistic' | null;
  /** The intercept β₀ on the logit scale, its Wald test against 0 (share 50 %) and 95 % interval. */
  intercept: Coefficient | null;
  /**
   * plogis(β₀) with the interval plogis(β₀ ± 1.96·SE). For the GLMM this is the share of a typical
   * group (random intercept 0), which lies farther from 50 % than the raw pooled share when the
   * groups differ; for the logistic fallback it is the raw share.
   */
  modelShare: { estimate: number; ci95: [number, number] } | null;
  /**
   * The exact binomial test of the successes against 50 %, two-sided, with the Clopper–Pearson
   * interval, as R's `binom.test(successes, n, 0.5)`. It treats rows as independent; null when n = 0.
   */
  exact: { p: number; ci95: [number, number] } | null;
  /** The random-intercept variance (logit scale), null without a GLMM. */
  groupVariance: number | null;
  /** The GLMM's variance is at (or within 1e-4 of) zero: it reduces to the logistic intercept. */
  singular: boolean;
  /** Plain-language notes: fallbacks, a singular fit, convergence doubts. */
  warnings: string[];
  /** The GLMM fit itself (null for the logistic fallback or no model). */
  fit: MixedFit | null;
}

/** R's binom.test(k, n, p = 0.5): the two-sided p (exact, symmetric at 1/2) and the Clopper–Pearson 95 % interval. */
export function binomTestHalf(k: number, n: number): { p: number; ci95: [number, number] } {
  if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 1 && k >= 0 && k <= n))
    throw new UsageError(`binomTestHalf needs 0 ≤ k ≤ n and n ≥ 1 (got k = ${k}, n = ${n})`);
  const lower = k === 0 ? 0 : betaQuantile(0.025, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(0.975, k + 1, n - k);
  return { p: mcnemarExact(k, n - k).p, ci95: [lower, upper] };
}

function logisticIntercept(k: number, n: number): Coefficient {
  // glm(y ~ 1, binomial): β₀ = logit(k/n), SE = 1/√(n p (1 − p)) = √(1/k + 1/(n − k))
  const estimate = Math.log(k / (n - k));
  const se = Math.sqrt(1 / k + 1 / (n - k));
  const z = estimate / se;
  return {
    term: '(Intercept)',
    estimate,
    se,
    z,
    p: 2 * normalSf(Math.abs(z)),
    ci95: [estimate - Z975 * se, estimate + Z975 * se],
  };
}

/**
 * Is a share different from 50 % when observations cluster in groups (several pairs per
 * question)? The binomial GLMM `y ~ 1 + (1 | group)` fitted by Laplace (as lme4's glmer): its
 * intercept's Wald z tests β₀ = 0, i.e. a typical group's share = 50 %. Reported beside the raw
 * share (Wilson interval) and the exact binomial test, which ignores the grouping.
 *
 * Ties (y null) are left out and counted. Every group of one row makes the random intercept
 * unidentifiable (its variance cannot be told from the binomial variance): then, and with a single
 * group, the plain logistic intercept is fitted instead, and a warning says so. A singular GLMM
 * (group variance estimated at zero) is kept, flagged, and explained.
 */
export function shareAgainstHalf(rows: readonly ShareRow[]): ShareAgainstHalf {
  const used = rows.filter((r) => r.y === 0 || r.y === 1);
  for (const r of rows)
    if (r.y !== 0 && r.y !== 1 && r.y !== null)
      throw new UsageError(`shareAgainstHalf: y must be 0, 1 or null (a tie), got ${JSON.stringify(r.y)}`);
  const ties = rows.length - used.length;
  const n = used.length;
  const k = used.reduce((s, r) => s + r.y!, 0);
  const sizes = new Map<string, number>();
  for (const r of used) sizes.set(String(r.group), (sizes.get(String(r.group)) ?? 0) + 1);
  const groups = sizes.size;
  const w = wilson(k, n);
  const warnings: string[] = [];
  const base = {
    n,
    ties,
    successes: k,
    groups,
    share: { estimate: w.value, ci95: w.ci, interval: 'wilson' as const },
    exact: n > 0 ? binomTestHalf(k, n) : null,
  };
  const none = (why: string): ShareAgainstHalf => ({
    ...base,
    model: null,
    intercept: null,
    modelShare: null,
    groupVariance: null,
    singular: false,
    warnings: [...warnings, why],
    fit: null,
  });
  if (n === 0) return none(`no rows to test${ties ? ` (all ${ties} are ties)` : ''}`);
  if (k === 0 || k === n)
    return none(
      `every one of the ${n} rows is ${k === 0 ? '0' : '1'}: the logit of the share is infinite, so there is no model-based estimate; the exact test and the Wilson interval stand`,
    );
  const logistic = (why: string): ShareAgainstHalf => {
    const b = logisticIntercept(k, n);
    return {
      ...base,
      model: 'logistic',
      intercept: b,
      modelShare: { estimate: plogis(b.estimate), ci95: [plogis(b.ci95[0]), plogis(b.ci95[1])] },
      groupVariance: null,
      singular: false,
      warnings: [...warnings, why],
      fit: null,
    };
  };
  if (groups < 2)
    return logistic(
      `all ${n} rows are in one group: a random intercept needs ≥ 2 groups, so this is the plain logistic intercept (y ~ 1), which takes the rows as independent`,
    );
  if ([...sizes.values()].every((s) => s === 1))
    return logistic(
      `every group has one row (${groups} groups of 1): the random intercept is unidentifiable — its variance cannot be told from the binomial variance — so this is the plain logistic intercept (y ~ 1), the GLMM with that variance at 0`,
    );
  const fit = fitMixed(
    used.map((r) => ({ y: r.y, group: String(r.group) })),
    'y ~ 1 + (1 | group)',
    { family: 'binomial' },
  );
  const b = coefficient(fit.fixedEffects[0]!);
  warnings.push(...fit.warnings);
  if (fit.singular)
    warnings.push(
      'the group variance is estimated at zero: the groups are no more alike than chance, and the GLMM reduces to the plain logistic intercept',
    );
  return {
    ...base,
    model: 'glmm',
    intercept: b,
    modelShare: { estimate: plogis(b.estimate), ci95: [plogis(b.ci95[0]), plogis(b.ci95[1])] },
    groupVariance: fit.varianceComponents[0]!.variance,
    singular: fit.singular,
    warnings,
    fit,
  };
}

/** One observation of a multi-turn outcome. */
export interface TurnRow {
  /** The binary outcome at this turn (1 = e.g. abandoned); null = not judged (left out, counted). */
  y: 0 | 1 | null;
  /** The turn, a number (1, 2, …; 0 = the first answer where it was judged). */
  turn: number;
  /** The condition, e.g. `advisor/profile`. */
  condition: string;
  /** What turns cluster in (the question): its random intercept. */
  group: string;
}

export interface TurnByCondition {
  formula: 'y ~ turn * condition + (1 | group)';
  /** The reference condition: the intercept and `turn` are its; the other effects are against it. */
  reference: string;
  /** Every condition, the reference first. */
  levels: string[];
  /** Observations used, and left out (y null or missing turn/condition/group). */
  n: number;
  dropped: number;
  groups: number;
  /** Log-odds at turn 0 in the reference condition. */
  intercept: Coefficient;
  /** Change in log-odds per turn in the reference condition. */
  turn: Coefficient;
  /** Condition → its difference from the reference at turn 0 (`condition<level>`). */
  conditions: Record<string, Coefficient>;
  /** Condition → its per-turn slope minus the reference's (`turn:condition<level>`). */
  interactions: Record<string, Coefficient>;
  /** The random-intercept variance of the groups (logit scale). */
  groupVariance: number;
  singular: boolean;
  warnings: string[];
  fit: MixedFit;
}

/**
 * Does the outcome change over turns, and differently by condition? The binomial GLMM
 * `y ~ turn * condition + (1 | group)` by Laplace (lme4's glmer), with `reference` as the reference
 * condition (default: the first in code-point order). Returns the fit and its named effects.
 * Throws UsageError with fewer than two conditions or two groups.
 */
export function turnByCondition(rows: readonly TurnRow[], reference?: string): TurnByCondition {
  const conditions = [...new Set(rows.filter((r) => r.y === 0 || r.y === 1).map((r) => r.condition))];
  if (conditions.length < 2)
    throw new UsageError(
      `turn × condition needs at least two conditions with outcomes (found ${conditions.length === 0 ? 'none' : conditions.join(', ')})`,
    );
  const fit = fitMixed(
    rows.map((r) => ({ y: r.y, turn: r.turn, condition: r.condition, group: r.group })),
    'y ~ turn * condition + (1 | group)',
    { family: 'binomial', ...(reference !== undefined ? { reference: { condition: reference } } : {}) },
  );
  const byTerm = new Map(fit.fixedEffects.map((f) => [f.term, coefficient(f)]));
  const levels = [
    ...new Set(
      fit.fixedEffects
        .filter((f) => f.term.startsWith('condition'))
        .map((f) => f.term.slice('condition'.length)),
    ),
  ];
  const ref =
    reference ??
    [...new Set(rows.filter((r) => r.y === 0 || r.y === 1).map((r) => r.condition))]
      .filter((c) => !levels.includes(c))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0]!;
  const warnings = [...fit.warnings];
  if (fit.singular)
    warnings.push(
      'the group variance is estimated at zero: groups are no more alike than chance, and the model reduces to a plain logistic regression',
    );
  return {
    formula: 'y ~ turn * condition + (1 | group)',
    reference: ref,
    levels: [ref, ...levels],
    n: fit.nobs,
    dropped: fit.dropped.count,
    groups: fit.groups.group ?? 0,
    intercept: byTerm.get('(Intercept)')!,
    turn: byTerm.get('turn')!,
    conditions: Object.fromEntries(levels.map((l) => [l, byTerm.get(`condition${l}`)!])),
    interactions: Object.fromEntries(levels.map((l) => [l, byTerm.get(`turn:condition${l}`)!])),
    groupVariance: fit.varianceComponents[0]!.variance,
    singular: fit.singular,
    warnings,
    fit,
  };
}
