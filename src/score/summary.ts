import { type Condition, compareConditions, conditionKey } from '../core/conditions.js';
import { addUsage, type JudgeStamp, type Usage } from '../core/types.js';
import { StringIndex } from '../io/id-set.js';
import type { Rubric, RubricStamp } from '../rubrics/schema.js';
import { stampOf } from '../rubrics/schema.js';
import { clusteredProportionFromSums } from '../stats/cluster-share.js';
import { Cr2Moments, clipToRange } from '../stats/cr2.js';
import type { Estimate } from '../stats/descriptive.js';
import { tQuantile } from '../stats/distributions.js';

/** Everything a later run must match to be compared with this one (the gate checks it). */
export interface Comparability {
  rubric: RubricStamp | null;
  judge: JudgeStamp | JudgeStamp[] | null;
  samples: number;
  calibration: { hash: string; criterion: string } | null;
  ladder: { id: string; version: string; hash: string } | null;
}

/**
 * A mean (or share) in a summary with the interval it got. Without clusters: the ordinary t
 * interval (n − 1 degrees of freedom), nothing else. With clusters (items sharing
 * `metadata.group`): CR2 with Satterthwaite degrees of freedom under an exchangeable working model
 * (stats/cr2.ts), and the cluster count, standard error and df. A criterion whose values are all 0
 * or 1 on a 0–1 scale is a share: Korn–Graubard Clopper–Pearson at the CR2 effective n
 * (stats/cluster-share.ts), which stays inside [0, 1]. A mean's interval is clipped to the range
 * its values live in (the rubric's scale; 0–1 for AAI/EII), flagged `clipped` when it was.
 */
export interface SummaryEstimate extends Estimate {
  /** Distinct clusters (present only when items share metadata.group). */
  clusters?: number;
  se?: number;
  df?: number;
  /** How the interval was made, when it is not the ordinary t interval of the mean. */
  interval?: string;
  /** The clustered share's effective sample size. */
  effective_n?: number;
  /** True when the interval reached past the range and was cut at it (the range is named). */
  clipped?: boolean;
  clipped_to?: [number, number];
}

export interface ConditionEstimate extends Condition, SummaryEstimate {}

export interface IndexSummary {
  overall: SummaryEstimate;
  conditions: ConditionEstimate[];
}

/** Per-item values the gate pairs by key (the item id; for the probe, question × condition). */
export interface ItemValues extends Condition {
  aai?: number | null;
  eii?: number | null;
}

export interface ScoreSummary {
  kind: 'score';
  created_at: string;
  /** The git commit (and dirty flag) of the directory the run was started from, when in a repository. */
  git?: { commit: string; dirty: boolean } | null;
  comparability: Comparability;
  rubric: RubricStamp;
  judge: JudgeStamp | JudgeStamp[];
  input: string;
  output: string | null;
  n: { total: number; scored: number; unscored: number; unscored_by_kind: Record<string, number> };
  usage: Usage;
  /** HTTP requests sent, the SDKs' own retries included. */
  requests: number;
  /** Of those, retries by the SDKs (429, 5xx, timeouts), when they were counted. */
  retries?: number;
  criteria: Record<string, SummaryEstimate>;
  overall: SummaryEstimate;
  indices: Record<string, IndexSummary>;
  /**
   * When items share `metadata.group` (several responses to one prompt), every interval is
   * cluster-robust (Miller 2024, "Adding Error Bars to Evals"; CR2 with Satterthwaite df, as
   * clubSandwich): this names the field and counts the clusters of scored items (an item with no
   * group is a cluster of its own). null otherwise.
   */
  clustered: { by: 'metadata.group'; clusters: number } | null;
  /** Calibrated means, when a calibration artifact was applied. */
  calibrated?: { criteria: Record<string, SummaryEstimate>; overall: SummaryEstimate };
  /**
   * Per-item values keyed by id. Present in the summary file; not held in memory during a run
   * (they are streamed to disk), so the in-memory summary a run returns leaves them out.
   */
  items?: Record<string, ItemValues>;
}

/**
 * One running mean of a summary: per cluster a count and sums (Cr2Moments), values without a
 * cluster as running moments — never the values — and whether every value so far was 0 or 1.
 */
class SummaryMoments {
  private readonly m = new Cr2Moments();
  private allBinary = true;

  constructor(
    /** The range the values live in: the interval is clipped to it. */
    private readonly range: readonly [number, number],
    /** A 0–1 pass/fail scale: 0/1 values are estimated as a share. */
    private readonly shareScale: boolean,
  ) {}

  push(y: number, cluster?: number | null): void {
    if (y !== 0 && y !== 1) this.allBinary = false;
    this.m.push(y, cluster);
  }

  get n(): number {
    return this.m.n;
  }

  estimate(confidence = 0.95): SummaryEstimate {
    const { clusters, singles } = this.m.summaries();
    const n = this.m.n;
    if (n === 0) return { value: null, ci: null, n: 0, reason: 'no values' };
    const grouped = clusters.size > 0;
    if (this.shareScale && this.allBinary) {
      const s = clusteredProportionFromSums(clusters, confidence, singles);
      return {
        value: s.value,
        ci: s.ci,
        n: s.n,
        ...(s.reason ? { reason: s.reason } : {}),
        ...(grouped ? { clusters: s.clusters } : {}),
        ...(s.df !== undefined ? { df: s.df } : {}),
        ...(s.effective_n !== undefined ? { effective_n: s.effective_n } : {}),
        interval: s.interval,
      };
    }
    let e: SummaryEstimate;
    if (!grouped) {
      // no clusters: the ordinary t interval on n − 1 df (what CR2 reduces to, computed as such)
      const s = singles!;
      if (n === 1) return { value: s.mean, ci: null, n: 1, reason: 'one value: no interval' };
      const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(s.m2 / (n - 1) / n);
      e = { value: s.mean, ci: [s.mean - half, s.mean + half], n };
    } else {
      const c = this.m.estimate(confidence, 'exchangeable');
      e = {
        value: c.value,
        ci: c.ci,
        n: c.n,
        ...(c.reason ? { reason: c.reason } : {}),
        clusters: c.clusters,
        ...(c.se !== undefined ? { se: c.se, df: c.df } : {}),
        interval: c.interval,
      };
    }
    const clip = clipToRange(e.ci, this.range);
    return clip.clipped ? { ...e, ci: clip.ci, clipped: true, clipped_to: [...this.range] } : e;
  }
}

/** Accumulates a score run's summary item by item, in memory proportional to the ids only. */
export class SummaryBuilder {
  private total = 0;
  private scored = 0;
  private unscoredByKind: Record<string, number> = {};
  private usage: Usage = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  private requests = 0;
  private readonly criteria = new Map<string, SummaryMoments>();
  private readonly overall: SummaryMoments;
  /**
   * The clusters of scored items: each group interned once to a number every running mean is
   * handed (so no mean keeps a map of its own; the names are kept off the JS heap), and the items
   * with none (each its own).
   */
  private readonly groups = new StringIndex();
  private ungrouped = 0;
  private readonly calCriteria = new Map<string, SummaryMoments>();
  private readonly calOverall: SummaryMoments;
  private readonly indexOverall = new Map<string, SummaryMoments>();
  private readonly indexByCondition = new Map<
    string,
    Map<string, { condition: Condition; moments: SummaryMoments }>
  >();

  constructor(
    private readonly rubric: Rubric,
    private readonly comparability: Comparability,
  ) {
    this.overall = this.scaleMoments();
    this.calOverall = this.scaleMoments();
    for (const c of rubric.criteria) this.criteria.set(c.name, this.scaleMoments());
    for (const name of Object.keys(rubric.indices)) {
      this.indexOverall.set(name, SummaryBuilder.indexMoments());
      this.indexByCondition.set(name, new Map());
    }
  }

  /** A mean on the rubric's scale (a share when the scale is 0–1 and the values 0/1). */
  private scaleMoments(): SummaryMoments {
    const { min, max } = this.rubric.scale;
    return new SummaryMoments([min, max], min === 0 && max === 1);
  }

  /** AAI/EII: weighted means of rescaled criteria, in [0, 1]. */
  private static indexMoments(): SummaryMoments {
    return new SummaryMoments([0, 1], false);
  }

  add(entry: {
    id: string;
    condition: Condition;
    /** The item's `metadata.group`: items that share one are a cluster. */
    group?: string | null;
    ok: boolean;
    errorKind?: string;
    scores: Record<string, number | null>;
    overall: number | null;
    indices: Record<string, number | null>;
    calibrated?: { scores: Record<string, number | null>; overall: number | null };
    usage: Usage;
    requests: number;
  }): ItemValues | null {
    this.total += 1;
    this.usage = addUsage(this.usage, entry.usage);
    this.requests += entry.requests;
    if (!entry.ok) {
      const k = entry.errorKind ?? 'unknown';
      this.unscoredByKind[k] = (this.unscoredByKind[k] ?? 0) + 1;
      return null;
    }
    this.scored += 1;
    let cluster: number | null = null;
    if (entry.group === undefined || entry.group === null) this.ungrouped += 1;
    else cluster = this.groups.intern(entry.group);
    for (const [name, m] of this.criteria) {
      const v = entry.scores[name];
      if (typeof v === 'number') m.push(v, cluster);
    }
    if (entry.overall !== null) this.overall.push(entry.overall, cluster);
    if (entry.calibrated) {
      for (const [name, v] of Object.entries(entry.calibrated.scores)) {
        if (typeof v !== 'number') continue;
        if (!this.calCriteria.has(name)) this.calCriteria.set(name, this.scaleMoments());
        this.calCriteria.get(name)!.push(v, cluster);
      }
      if (entry.calibrated.overall !== null) this.calOverall.push(entry.calibrated.overall, cluster);
    }
    const itemValues: ItemValues = { ...entry.condition };
    for (const [name, v] of Object.entries(entry.indices)) {
      itemValues[name as 'aai' | 'eii'] = v;
      if (v === null) continue;
      this.indexOverall.get(name)?.push(v, cluster);
      const byCond = this.indexByCondition.get(name)!;
      const key = conditionKey(entry.condition);
      if (!byCond.has(key))
        byCond.set(key, { condition: entry.condition, moments: SummaryBuilder.indexMoments() });
      byCond.get(key)!.moments.push(v, cluster);
    }
    return itemValues;
  }

  /** Unscored items so far, by kind. */
  unscoredCounts(): Record<string, number> {
    return { ...this.unscoredByKind };
  }

  build(meta: { input: string; output: string | null }): ScoreSummary {
    const indices: Record<string, IndexSummary> = {};
    for (const [name, overall] of this.indexOverall) {
      const conditions = [...this.indexByCondition.get(name)!.values()]
        .map(({ condition, moments }) => ({ ...condition, ...moments.estimate() }))
        .sort(compareConditions);
      indices[name] = { overall: overall.estimate(), conditions };
    }
    const estimates = (m: Map<string, SummaryMoments>) =>
      Object.fromEntries([...m].map(([k, v]) => [k, v.estimate()]));
    const unscored = this.total - this.scored;
    return {
      kind: 'score',
      created_at: new Date().toISOString(),
      comparability: this.comparability,
      rubric: stampOf(this.rubric),
      judge: this.comparability.judge!,
      input: meta.input,
      output: meta.output,
      n: { total: this.total, scored: this.scored, unscored, unscored_by_kind: this.unscoredByKind },
      usage: this.usage,
      requests: this.requests,
      criteria: estimates(this.criteria),
      overall: this.overall.estimate(),
      indices,
      clustered: this.groups.size
        ? { by: 'metadata.group', clusters: this.groups.size + this.ungrouped }
        : null,
      ...(this.calOverall.n || this.calCriteria.size
        ? { calibrated: { criteria: estimates(this.calCriteria), overall: this.calOverall.estimate() } }
        : {}),
    };
  }
}

/**
 * A run's request count from the SDKs' own counter when there is one: the items count the
 * requests they made, the counter every HTTP request, the SDKs' retries included.
 */
export function countHttp(
  summary: { requests: number; retries?: number },
  httpRequests?: () => number,
): void {
  if (!httpRequests) return;
  const http = httpRequests();
  summary.retries = Math.max(0, http - summary.requests);
  summary.requests = Math.max(http, summary.requests);
}
