import { addUsage, type Usage } from '../core/types.js';
import { type Order, type PairResult, unshow } from '../judges/pairwise-types.js';
import type { Unscored } from '../judges/types.js';
import type { Verdict } from '../rubrics/pairwise.js';

/** One order's verdict after combining samples (and panel members), or why there is none. */
export type OrderOutcome =
  | { ok: true; verdict: Verdict; shown: Verdict; rationale: string; votes?: Record<Verdict, number> }
  | { ok: false; error: Unscored['error']; raw?: string };

export interface PairOutcome {
  /** The order-consistent verdict: agreed by both orders, else a tie (inconsistent); null when unscored. */
  verdict: Verdict | null;
  /** Both orders agreed (null with one order, or when unscored). */
  consistent: boolean | null;
  orders: Partial<Record<Order, OrderOutcome>>;
  error?: Unscored['error'];
  usage: Usage;
  cached: boolean;
  requests: number;
}

/**
 * The majority verdict; a split vote (no single most frequent verdict) is a tie — the judge (or
 * panel) did not prefer either response.
 */
export function majority(verdicts: readonly Verdict[]): Verdict {
  const counts: Record<Verdict, number> = { A: 0, B: 0, tie: 0 };
  for (const v of verdicts) counts[v] += 1;
  const top = Math.max(counts.A, counts.B, counts.tie);
  const leaders = (Object.keys(counts) as Verdict[]).filter((v) => counts[v] === top);
  return leaders.length === 1 ? leaders[0]! : 'tie';
}

/**
 * Combines the results of one order: K samples of one judge, or the members of a panel (each
 * already combined). Unscored parts are left out; the order is unscored only when every part is.
 */
export function combineOrder(
  parts: (PairResult | OrderOutcome)[],
  order: Order,
  label: string,
): OrderOutcome {
  const ok = parts.filter(
    (p): p is Extract<OrderOutcome, { ok: true }> | Extract<PairResult, { ok: true }> => p.ok,
  );
  if (ok.length === 0) {
    const first = parts[0] as Extract<OrderOutcome, { ok: false }>;
    return { ok: false, error: first.error, ...(first.raw !== undefined ? { raw: first.raw } : {}) };
  }
  if (parts.length === 1) {
    const only = ok[0]!;
    return { ok: true, verdict: only.verdict, shown: only.shown, rationale: only.rationale };
  }
  const verdict = majority(ok.map((p) => p.verdict));
  const votes: Record<Verdict, number> = { A: 0, B: 0, tie: 0 };
  for (const p of ok) votes[p.verdict] += 1;
  return {
    ok: true,
    verdict,
    // the order fixes which position a verdict was shown in (unshow is its own inverse)
    shown: unshow(verdict, order),
    votes,
    rationale: ok.map((p, i) => `[${label} ${i}] ${p.rationale}`).join('\n'),
  };
}

/** The pair's outcome from its orders: consistent verdicts stand, inconsistent ones are ties. */
export function combinePair(
  orders: Partial<Record<Order, OrderOutcome>>,
  accounting: { usage: Usage; cached: boolean; requests: number },
): PairOutcome {
  const judged = Object.values(orders);
  const failed = judged.find((o): o is Extract<OrderOutcome, { ok: false }> => !o.ok);
  // a pair is judged only when every order asked for was: one order alone cannot cancel position bias
  if (failed || judged.length === 0)
    return { verdict: null, consistent: null, orders, error: failed?.error, ...accounting };
  const verdicts = judged.map((o) => (o as Extract<OrderOutcome, { ok: true }>).verdict);
  if (verdicts.length === 1) return { verdict: verdicts[0]!, consistent: null, orders, ...accounting };
  const consistent = verdicts.every((v) => v === verdicts[0]);
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
