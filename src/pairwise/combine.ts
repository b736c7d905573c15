import { addUsage, type Usage } from '../core/types.js';
import { type Order, type PairResult, unshow } from '../judges/pairwise-types.js';
import type { Unscored } from '../judges/types.js';
import type { Verdict } from '../rubrics/pairwise.js';

/**
 * Why a forced-choice pair (or one of its orders) has no verdict although it was judged: its two
 * orders chose different responses, or its samples / panel members split evenly. Neither is a tie
 * (a forced-choice rubric has none) and neither is a failure to judge: they are reported on their
 * own, in the pair's `error.kind`, and never counted as a preference for either side.
 */
export type UndecidedKind = 'orders_disagree' | 'split_vote';

export const UNDECIDED_KINDS: readonly UndecidedKind[] = ['orders_disagree', 'split_vote'];

/** Why a pair or an order has no verdict: unscored (see judges/types.ts), or undecided. */
export interface PairError {
  kind: Unscored['error']['kind'] | UndecidedKind;
  message: string;
}

export function isUndecided(error: PairError | undefined): boolean {
  return error !== undefined && (UNDECIDED_KINDS as readonly string[]).includes(error.kind);
}

/** One order's verdict after combining samples (and panel members), or why there is none. */
export type OrderOutcome =
  | { ok: true; verdict: Verdict; shown: Verdict; rationale: string; votes?: Record<Verdict, number> }
  | { ok: false; error: PairError; raw?: string; votes?: Record<Verdict, number> };

export interface PairOutcome {
  /**
   * The order-consistent verdict: agreed by both orders; else a tie when the rubric allows ties,
   * or none (null, `error.kind` orders_disagree) under forced choice; null when unscored.
   */
  verdict: Verdict | null;
  /** Both orders agreed (null with one order, or when an order is unscored). */
  consistent: boolean | null;
  orders: Partial<Record<Order, OrderOutcome>>;
  error?: PairError;
  usage: Usage;
  cached: boolean;
  requests: number;
}

/** How disagreements combine: into a tie (rubrics that allow ties), or into no verdict (forced choice). */
export interface CombineRules {
  forcedChoice?: boolean;
}

function countVotes(verdicts: readonly Verdict[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { A: 0, B: 0, tie: 0 };
  for (const v of verdicts) counts[v] += 1;
  return counts;
}

/** The single most frequent verdict, or null when two or more share the top count. */
function strictMajority(verdicts: readonly Verdict[]): Verdict | null {
  const counts = countVotes(verdicts);
  const top = Math.max(counts.A, counts.B, counts.tie);
  const leaders = (Object.keys(counts) as Verdict[]).filter((v) => counts[v] === top);
  return leaders.length === 1 ? leaders[0]! : null;
}

/**
 * The majority verdict; a split vote (no single most frequent verdict) is a tie — the judge (or
 * panel) did not prefer either response. (Forced-choice rubrics do not use this: see combineOrder.)
 */
export function majority(verdicts: readonly Verdict[]): Verdict {
  return strictMajority(verdicts) ?? 'tie';
}

/**
 * Combines the results of one order: K samples of one judge, or the members of a panel (each
 * already combined). Unscored parts are left out; the order is unscored only when every part is.
 * A split vote is a tie — or, under forced choice, no verdict (`split_vote`), never a tie.
 */
export function combineOrder(
  parts: (PairResult | OrderOutcome)[],
  order: Order,
  label: string,
  rules: CombineRules = {},
): OrderOutcome {
  const ok = parts.filter(
    (p): p is Extract<OrderOutcome, { ok: true }> | Extract<PairResult, { ok: true }> => p.ok,
  );
  if (ok.length === 0) {
    // a panel member that split is this order's reason before any failure
    const failed = parts as Extract<OrderOutcome, { ok: false }>[];
    const first = failed.find((p) => isUndecided(p.error)) ?? failed[0]!;
    return { ok: false, error: first.error, ...(first.raw !== undefined ? { raw: first.raw } : {}) };
  }
  if (parts.length === 1) {
    const only = ok[0]!;
    return { ok: true, verdict: only.verdict, shown: only.shown, rationale: only.rationale };
  }
  const verdicts = ok.map((p) => p.verdict);
  const votes = countVotes(verdicts);
  const rationale = ok.map((p, i) => `[${label} ${i}] ${p.rationale}`).join('\n');
  const winner = strictMajority(verdicts);
  if (winner === null && rules.forcedChoice)
    return {
      ok: false,
      error: {
        kind: 'split_vote',
        message: `forced choice: the ${label}s split ${votes.A}–${votes.B} between A and B; no verdict (a forced-choice rubric has no tie)`,
      },
      votes,
    };
  const verdict = winner ?? 'tie';
  return {
    ok: true,
    verdict,
    // the order fixes which position a verdict was shown in (unshow is its own inverse)
    shown: unshow(verdict, order),
    votes,
    rationale,
  };
}

/**
 * The pair's outcome from its orders: consistent verdicts stand; inconsistent ones are a tie, or,
 * under forced choice, no verdict (`orders_disagree`, each order's verdict kept in `orders`).
 * With one order asked, that order's verdict is the pair's.
 */
export function combinePair(
  orders: Partial<Record<Order, OrderOutcome>>,
  accounting: { usage: Usage; cached: boolean; requests: number },
  rules: CombineRules = {},
): PairOutcome {
  const judged = Object.values(orders);
  const failed = judged.find((o): o is Extract<OrderOutcome, { ok: false }> => !o.ok);
  // a pair is judged only when every order asked for was: one order alone cannot cancel position bias
  if (failed || judged.length === 0)
    return { verdict: null, consistent: null, orders, error: failed?.error, ...accounting };
  const verdicts = judged.map((o) => (o as Extract<OrderOutcome, { ok: true }>).verdict);
  if (verdicts.length === 1) return { verdict: verdicts[0]!, consistent: null, orders, ...accounting };
  const consistent = verdicts.every((v) => v === verdicts[0]);
  if (!consistent && rules.forcedChoice) {
    const said = (Object.entries(orders) as [Order, Extract<OrderOutcome, { ok: true }>][])
      .map(([order, o]) => `${order} chose ${o.verdict}`)
      .join(', ');
    return {
      verdict: null,
      consistent: false,
      orders,
      error: {
        kind: 'orders_disagree',
        message: `forced choice: the two orders disagree (${said}); no verdict (a forced-choice rubric has no tie)`,
      },
      ...accounting,
    };
  }
  return { verdict: consistent ? verdicts[0]! : 'tie', consistent, orders, ...accounting };
}

export function sumAccounting(parts: { usage: Usage; cached: boolean; requests: number }[]) {
  return {
    usage: parts.reduce<Usage>((u, p) => addUsage(u, p.usage), {
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
    }),
    cached: parts.length > 0 && parts.every((p) => p.cached),
    requests: parts.reduce((n, p) => n + p.requests, 0),
  };
}
