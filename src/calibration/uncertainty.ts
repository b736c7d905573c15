import { UsageError } from '../core/errors.js';
import {
  activeProbabilities,
  combineUncertainty,
  orderValues,
  type PairVerdict,
  type ResidualSpreadLevel,
  residualSpreadByScore,
  uncertaintyFromOrders,
  uncertaintyFromPanel,
  uncertaintyFromResidualSpread,
  uncertaintyFromSamples,
} from '../stats/active.js';
import { applyMapping, type Mapping } from './mapping.js';

/**
 * How unsure the judge is about each item, from what plumb already wrote (issue #24), and how that
 * becomes the probability of the item being drawn for people to rate. Every signal is a spread on
 * the judge's scale (a standard deviation), because the active rule puts πᵢ ∝ the item's residual
 * SD (src/stats/active.ts):
 *
 * - `samples`: `plumb score --samples K` (K ≥ 2) — the standard deviation of the K scores, the
 *   score line's `spread[criterion].sd`. For `overall`, the root mean square of the criteria's SDs
 *   (the overall is an aggregate of the criteria; this is exact for a mean of criteria whose sample
 *   errors are perfectly correlated and an over-statement otherwise, which only scales every item
 *   alike when all have the same criteria).
 * - `panel`: `plumb score --judges a,b,…` — the standard deviation of the members' scores of the
 *   criterion (or their overall), from the line's `panel`. A panel's `spread` is its members'
 *   spread, so with a panel it is counted once, as `panel`.
 * - `orders`: a pairwise line (`plumb pairwise`) — its two orders' verdicts (and their samples'
 *   votes) on the "B is better" scale A → 0, tie → ½, B → 1, and their standard deviation: 0 when
 *   the orders agree, 0.707 when they contradict each other.
 * - `residual`: a calibrated judge — the root-mean-square residual (human − mapped judge score) of
 *   pilot gold items at the item's judge score, shrunk to the pooled value (residualSpreadByScore),
 *   interpolated between the scores the pilot has. The map is the calibration artifact's, or the
 *   raw score when there is none.
 *
 * Several signals of one item add as variances (combineUncertainty); an item with none gets the
 * mean of the others' (activeProbabilities). The probabilities: πᵢ = min(1, κ · ((1 − τ)·uᵢ/Σu + τ/N))
 * with Σπ = the budget: τ (the floor, default ½) is the share spread uniformly, so every item can
 * be drawn (πᵢ ≥ τ·B/N) and no weight 1/π exceeds N/(τB).
 */

export type SignalName = 'samples' | 'panel' | 'orders' | 'residual';
export const SIGNAL_NAMES: readonly SignalName[] = ['samples', 'panel', 'orders', 'residual'];

/** One item's signals (null: the item has no such signal). */
export type ItemSignals = Record<SignalName, number | null>;

const record = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** The `samples` and `panel` signals of a score line for a criterion (or `overall`). */
export function scoreLineSignals(line: Record<string, unknown>, criterion: string): ItemSignals {
  const out: ItemSignals = { samples: null, panel: null, orders: null, residual: null };
  const panel = record(line.panel);
  if (panel) {
    out.panel = uncertaintyFromPanel(
      panel as Record<string, object>,
      criterion === 'overall' ? undefined : criterion,
    );
    return out;
  }
  const spread = record(line.spread);
  if (!spread) return out;
  const of = (c: string) => {
    const s = record(spread[c]);
    return s && typeof s.n === 'number' && typeof s.sd === 'number'
      ? uncertaintyFromSamples({ n: s.n, sd: s.sd })
      : null;
  };
  if (criterion !== 'overall') out.samples = of(criterion);
  else {
    const sds = Object.keys(spread)
      .map(of)
      .filter((v): v is number => v !== null);
    out.samples = sds.length ? Math.sqrt(sds.reduce((a, v) => a + v * v, 0) / sds.length) : null;
  }
  return out;
}

/**
 * The verdicts of a pairwise line's orders, as `uncertaintyFromOrders` takes them: from the
 * `judgements` object `plumb pairwise` writes (order → `{verdict, votes?}` or `{error, votes?}`),
 * or from an in-memory outcome's `orders` object (order → `{ok, verdict, votes?}`). An order's
 * votes (its samples', or its panel members') stand for it when it has them, also when they split
 * (a forced-choice order without a verdict); an order that failed without votes counts as none.
 */
function pairOrders(line: Record<string, unknown>) {
  const orders = record(line.judgements) ?? record(line.orders);
  if (!orders) return null;
  return Object.values(orders).map((o) => {
    const r = record(o);
    if (!r) return null;
    const votes = record(r.votes);
    if (votes) return { votes: votes as Partial<Record<PairVerdict, number>> };
    return r.ok !== false && !r.error && (r.verdict === 'A' || r.verdict === 'B' || r.verdict === 'tie')
      ? (r.verdict as PairVerdict)
      : null;
  });
}

/** Whether a line is a pair `plumb pairwise` judged (its orders' judgements), not a scored item. */
export function isPairLine(line: Record<string, unknown>): boolean {
  return !record(line.scores) && (record(line.judgements) !== null || record(line.orders) !== null);
}

/** The `orders` signal of a pairwise line: how far its two orders (and their votes) disagree. */
export function pairLineSignals(line: Record<string, unknown>): ItemSignals {
  const out: ItemSignals = { samples: null, panel: null, orders: null, residual: null };
  const orders = pairOrders(line);
  if (orders) out.orders = uncertaintyFromOrders(orders);
  return out;
}

/**
 * The judge's value of a pair on the "B is better" scale (A → 0, tie → ½, B → 1): the mean over
 * the verdicts (or votes) of its orders — the order-consistent verdict when they agree, ½ when
 * they contradict each other. The predictor the active estimate corrects with people's verdicts;
 * undefined when no order has a verdict.
 */
export function pairJudgeValue(line: Record<string, unknown>): number | undefined {
  const values = orderValues(pairOrders(line) ?? []);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/**
 * The residual spread of a calibration map by judge score, from pilot gold items (raw judge score,
 * human value): residual = human − map(judge), the map an artifact's (or none: the raw score).
 */
export function residualSpread(
  pilot: readonly { judge: number; human: number }[],
  mapping: Mapping = { method: 'none' },
  options: { prior?: number } = {},
): ResidualSpreadLevel[] {
  return residualSpreadByScore(
    pilot.map((p) => ({ score: p.judge, residual: p.human - applyMapping(mapping, p.judge) })),
    options,
  );
}

export interface UncertaintyItem {
  /** The judge's value of the criterion (raw): where the residual spread is read. */
  judge: number | undefined;
  signals: ItemSignals;
}

export interface ItemUncertainty {
  /** Per item: the combined spread, or null when it has no signal. */
  u: (number | null)[];
  /** Items carrying each signal. */
  counts: Record<SignalName, number>;
  /** Items with no signal at all (they get the mean of the others'). */
  without: number;
}

/**
 * Combines each item's signals (adding the residual spread at its judge score when a table is
 * given) into one spread per item. Refuses (UsageError) when no item has any signal: the active
 * rule would be a uniform draw that says it is not.
 */
export function itemUncertainty(
  items: readonly UncertaintyItem[],
  residual: readonly ResidualSpreadLevel[] | null = null,
): ItemUncertainty {
  const signals = items.map((it) => ({
    ...it.signals,
    residual:
      residual && it.judge !== undefined
        ? uncertaintyFromResidualSpread(it.judge, residual)
        : it.signals.residual,
  }));
  const counts = Object.fromEntries(
    SIGNAL_NAMES.map((s) => [s, signals.filter((x) => x[s] !== null).length]),
  ) as Record<SignalName, number>;
  const u = combineUncertainty(...SIGNAL_NAMES.map((s) => signals.map((x) => x[s])));
  const without = u.filter((v) => v === null).length;
  if (without === items.length)
    throw new UsageError(
      'no item carries an uncertainty signal: score with --samples K (K ≥ 2) or a panel (--judges a,b), or give pilot gold (--gold FILE) whose residuals give the judge’s spread by score',
    );
  return { u, counts, without };
}

/**
 * Inclusion probabilities for a batch draw of `budget` expected labels (Poisson sampling): the
 * active rule of activeProbabilities with the floor τ (default ½).
 */
export function inclusionProbabilities(
  u: readonly (number | null)[],
  options: { budget: number; floor?: number; minPi?: number },
): number[] {
  return activeProbabilities(u, options);
}

/** A one-line account of the signals used, e.g. "samples 120, residual 120 (of 120 items)". */
export function describeSignals(x: ItemUncertainty, N: number): string {
  const used = SIGNAL_NAMES.filter((s) => x.counts[s] > 0).map((s) => `${s} ${x.counts[s]}`);
  return `${used.join(', ')} of ${N} items${x.without ? `; ${x.without} without a signal get the mean spread` : ''}`;
}
