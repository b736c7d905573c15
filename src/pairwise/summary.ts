import { type Condition, compareConditions, conditionKey, conditionOf } from '../core/conditions.js';
import { addUsage, type JudgeStamp, type Usage } from '../core/types.js';
import type { Verdict } from '../rubrics/pairwise.js';
import type { RubricStamp } from '../rubrics/schema.js';
import { bradleyTerryWithIntervals, type Comparison, type StrengthEstimate } from '../stats/bradley-terry.js';
import { type Share, share } from '../stats/cluster-share.js';

export type { Share } from '../stats/cluster-share.js';

import type { Order, PairItem } from '../judges/pairwise-types.js';
import { type AgainstHalfGroup, type AgainstHalfPair, againstHalf } from './against-half.js';
import { isUndecided, type PairOutcome } from './combine.js';

export interface Rates {
  /** Pairs with a verdict. */
  n: number;
  /** A preferred (A's win rate), tie, B preferred. */
  a: Share;
  tie: Share;
  b: Share;
  /** Of the n, pairs whose two orders disagreed (counted as ties). */
  inconsistent: number;
}

export interface PairwiseSummary {
  kind: 'pairwise';
  created_at: string;
  git?: { commit: string; dirty: boolean } | null;
  rubric: RubricStamp;
  judge: JudgeStamp | JudgeStamp[];
  /** The rubric forbids ties: every verdict is A or B, and a pair may be left undecided. */
  forced_choice: boolean;
  /** How the orders were chosen (pairwise/run.ts orderDrawer). */
  orders: 'both' | 'random' | 'r-sample' | 'ab';
  samples: number;
  input: string;
  output: string | null;
  /**
   * total = judged (a verdict) + undecided (judged, no verdict: forced choice whose orders or votes
   * disagree, by reason) + unscored (failures, by kind).
   */
  n: {
    total: number;
    judged: number;
    undecided: number;
    undecided_by_kind: Record<string, number>;
    unscored: number;
    unscored_by_kind: Record<string, number>;
  };
  /** Pairs that were left out of the input (no twin, only in one file), one sentence each. */
  notes: string[];
  usage: Usage;
  requests: number;
  retries?: number;
  /** Intervals are cluster-robust over metadata.group when pairs carry one. */
  clustered_by: string | null;
  overall: Rates;
  conditions: (Condition & Rates)[];
  position: {
    /** Share of pairs judged in both orders whose two verdicts agree. */
    consistency: Share;
    /** Share of decisive (non-tie) judgements that picked the response shown first; 0.5 without position bias. */
    first_position: Share;
  };
  /** With named systems (model_a / model_b): Bradley–Terry strengths, log-odds scale, mean 0. */
  systems?: {
    bradley_terry: StrengthEstimate[];
    reason?: string;
    resamples: number;
    /** A's share of the points against B per system pair (ties a half), for reading the strengths. */
    matrix: { a: string; b: string; n: number; a_share: number }[];
  };
  /**
   * When the pairs contrast a baseline (A) with a treatment (B) (`--contrast FIELD=A,B`): per
   * model × dataset × role, the share of decided pairs preferring the treatment, tested against
   * 50 % (Wilson interval, exact binomial test, GLMM intercept with a random intercept per question).
   */
  against_half?: AgainstHalfGroup[];
}

interface Observation {
  verdict: Verdict;
  condition: Condition;
  cluster: string;
  systems: { a: string | null; b: string | null };
  consistent: boolean | null;
  /** Per order judged: which position won (A = first shown), or a tie. */
  shown: Verdict[];
}

function rates(obs: Observation[]): Rates {
  const clusters = obs.map((o) => o.cluster);
  const of = (v: Verdict) =>
    share(
      obs.map((o) => (o.verdict === v ? 1 : 0)),
      clusters,
    );
  return {
    n: obs.length,
    a: of('A'),
    tie: of('tie'),
    b: of('B'),
    inconsistent: obs.filter((o) => o.consistent === false).length,
  };
}

/**
 * Accumulates a pairwise run. Pairs are small records (a verdict, a condition, a cluster), so a
 * run holds them in memory: a million pairs is tens of megabytes.
 */
export class PairwiseSummaryBuilder {
  private readonly obs: Observation[] = [];
  private total = 0;
  private unscoredByKind: Record<string, number> = {};
  private undecidedByKind: Record<string, number> = {};
  private readonly halves: AgainstHalfPair[] = [];
  private usage: Usage = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  private requests = 0;
  private grouped = false;

  constructor(
    private readonly meta: {
      rubric: RubricStamp;
      judge: JudgeStamp | JudgeStamp[];
      orders: PairwiseSummary['orders'];
      samples: number;
      notes: string[];
      seed: number;
      forcedChoice?: boolean;
    },
  ) {}

  add(pair: PairItem, outcome: PairOutcome): void {
    this.total += 1;
    this.usage = addUsage(this.usage, outcome.usage);
    this.requests += outcome.requests;
    if (pair.metadata.contrast !== undefined)
      this.halves.push({
        id: pair.id,
        verdict: outcome.verdict,
        errorKind: outcome.error?.kind ?? null,
        metadata: pair.metadata,
        rubric: this.meta.rubric.id,
      });
    if (outcome.verdict === null) {
      const k = outcome.error?.kind ?? 'unknown';
      const into = isUndecided(outcome.error) ? this.undecidedByKind : this.unscoredByKind;
      into[k] = (into[k] ?? 0) + 1;
      return;
    }
    const group = pair.metadata.group;
    if (group !== undefined && group !== null) this.grouped = true;
    this.obs.push({
      verdict: outcome.verdict,
      condition: conditionOf(pair.metadata),
      cluster: group !== undefined && group !== null ? `g:${String(group)}` : `p:${pair.id}`,
      systems: pair.systems,
      consistent: outcome.consistent,
      shown: (Object.keys(outcome.orders) as Order[]).flatMap((o) => {
        const r = outcome.orders[o];
        return r?.ok ? [r.shown] : [];
      }),
    });
  }

  unscoredCounts(): Record<string, number> {
    return { ...this.unscoredByKind };
  }

  build(io: { input: string; output: string | null }): PairwiseSummary {
    const byCondition = new Map<string, { condition: Condition; obs: Observation[] }>();
    for (const o of this.obs) {
      const k = conditionKey(o.condition);
      if (!byCondition.has(k)) byCondition.set(k, { condition: o.condition, obs: [] });
      byCondition.get(k)!.obs.push(o);
    }
    const bothOrders = this.obs.filter((o) => o.consistent !== null);
    const decisive = this.obs.flatMap((o) =>
      o.shown.filter((s) => s !== 'tie').map((s) => ({ s, cluster: o.cluster })),
    );
    const judged = this.obs.length;
    const undecided = Object.values(this.undecidedByKind).reduce((a, b) => a + b, 0);
    const halves = againstHalf(this.halves);
    return {
      kind: 'pairwise',
      created_at: new Date().toISOString(),
      rubric: this.meta.rubric,
      judge: this.meta.judge,
      forced_choice: this.meta.forcedChoice === true,
      orders: this.meta.orders,
      samples: this.meta.samples,
      input: io.input,
      output: io.output,
      n: {
        total: this.total,
        judged,
        undecided,
        undecided_by_kind: this.undecidedByKind,
        unscored: this.total - judged - undecided,
        unscored_by_kind: this.unscoredByKind,
      },
      notes: this.meta.notes,
      usage: this.usage,
      requests: this.requests,
      clustered_by: this.grouped ? 'metadata.group' : null,
      overall: rates(this.obs),
      conditions: [...byCondition.values()]
        .map(({ condition, obs }) => ({ ...condition, ...rates(obs) }))
        .sort(compareConditions),
      position: {
        consistency: share(
          bothOrders.map((o) => (o.consistent ? 1 : 0)),
          bothOrders.map((o) => o.cluster),
        ),
        first_position: share(
          decisive.map((d) => (d.s === 'A' ? 1 : 0)),
          decisive.map((d) => d.cluster),
        ),
      },
      ...this.systems(),
      ...(halves.length ? { against_half: halves } : {}),
    };
  }

  private systems(): Pick<PairwiseSummary, 'systems'> {
    const named = this.obs.filter((o) => o.systems.a && o.systems.b && o.systems.a !== o.systems.b);
    if (named.length === 0) return {};
    const comparisons: Comparison[] = named.map((o) => ({
      a: o.systems.a!,
      b: o.systems.b!,
      score: o.verdict === 'A' ? 1 : o.verdict === 'B' ? 0 : 0.5,
      cluster: o.cluster,
    }));
    const bt = bradleyTerryWithIntervals(comparisons, { resamples: 1000, seed: this.meta.seed });
    const matrix = new Map<string, { a: string; b: string; n: number; points: number }>();
    for (const c of comparisons) {
      const [a, b, points] = c.a < c.b ? [c.a, c.b, c.score] : [c.b, c.a, 1 - c.score];
      const k = `${a}\u0000${b}`;
      const m = matrix.get(k) ?? { a, b, n: 0, points: 0 };
      m.n += 1;
      m.points += points;
      matrix.set(k, m);
    }
    return {
      systems: {
        bradley_terry: bt.estimates,
        ...(bt.reason ? { reason: bt.reason } : {}),
        resamples: bt.resamples,
        matrix: [...matrix.values()].map((m) => ({ a: m.a, b: m.b, n: m.n, a_share: m.points / m.n })),
      },
    };
  }
}
