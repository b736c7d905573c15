import { type Condition, compareConditions, conditionKey } from '../core/conditions.js';
import { addUsage, type JudgeStamp, type Usage } from '../core/types.js';
import type { Rubric, RubricStamp } from '../rubrics/schema.js';
import { stampOf } from '../rubrics/schema.js';
import { ClusteredMoments } from '../stats/cluster.js';
import type { Estimate } from '../stats/descriptive.js';

/** Everything a later run must match to be compared with this one (the gate checks it). */
export interface Comparability {
  rubric: RubricStamp | null;
  judge: JudgeStamp | JudgeStamp[] | null;
  samples: number;
  calibration: { hash: string; criterion: string } | null;
  ladder: { id: string; version: string; hash: string } | null;
}

export interface ConditionEstimate extends Condition, Estimate {}

export interface IndexSummary {
  overall: Estimate;
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
  criteria: Record<string, Estimate>;
  overall: Estimate;
  indices: Record<string, IndexSummary>;
  /**
   * When items share `metadata.group` (several responses to one prompt), every interval is
   * cluster-robust (Miller 2024, "Adding Error Bars to Evals"): this names the field and counts the
   * clusters of scored items (an item with no group is a cluster of its own). null otherwise.
   */
  clustered: { by: 'metadata.group'; clusters: number } | null;
  /** Calibrated means, when a calibration artifact was applied. */
  calibrated?: { criteria: Record<string, Estimate>; overall: Estimate };
  /**
   * Per-item values keyed by id. Present in the summary file; not held in memory during a run
   * (they are streamed to disk), so the in-memory summary a run returns leaves them out.
   */
  items?: Record<string, ItemValues>;
}

/** Accumulates a score run's summary item by item, in memory proportional to the ids only. */
export class SummaryBuilder {
  private total = 0;
  private scored = 0;
  private unscoredByKind: Record<string, number> = {};
  private usage: Usage = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  private requests = 0;
  private readonly criteria = new Map<string, ClusteredMoments>();
  private readonly overall = new ClusteredMoments();
  /** The clusters of scored items: their groups, and the items with none (each its own). */
  private readonly groups = new Set<string>();
  private ungrouped = 0;
  private readonly calCriteria = new Map<string, ClusteredMoments>();
  private readonly calOverall = new ClusteredMoments();
  private readonly indexOverall = new Map<string, ClusteredMoments>();
  private readonly indexByCondition = new Map<
    string,
    Map<string, { condition: Condition; moments: ClusteredMoments }>
  >();

  constructor(
    private readonly rubric: Rubric,
    private readonly comparability: Comparability,
  ) {
    for (const c of rubric.criteria) this.criteria.set(c.name, new ClusteredMoments());
    for (const name of Object.keys(rubric.indices)) {
      this.indexOverall.set(name, new ClusteredMoments());
      this.indexByCondition.set(name, new Map());
    }
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
    if (entry.group === undefined || entry.group === null) this.ungrouped += 1;
    else this.groups.add(entry.group);
    for (const [name, m] of this.criteria) {
      const v = entry.scores[name];
      if (typeof v === 'number') m.push(v, entry.group);
    }
    if (entry.overall !== null) this.overall.push(entry.overall, entry.group);
    if (entry.calibrated) {
      for (const [name, v] of Object.entries(entry.calibrated.scores)) {
        if (typeof v !== 'number') continue;
        if (!this.calCriteria.has(name)) this.calCriteria.set(name, new ClusteredMoments());
        this.calCriteria.get(name)!.push(v, entry.group);
      }
      if (entry.calibrated.overall !== null) this.calOverall.push(entry.calibrated.overall, entry.group);
    }
    const itemValues: ItemValues = { ...entry.condition };
    for (const [name, v] of Object.entries(entry.indices)) {
      itemValues[name as 'aai' | 'eii'] = v;
      if (v === null) continue;
      this.indexOverall.get(name)?.push(v, entry.group);
      const byCond = this.indexByCondition.get(name)!;
      const key = conditionKey(entry.condition);
      if (!byCond.has(key)) byCond.set(key, { condition: entry.condition, moments: new ClusteredMoments() });
      byCond.get(key)!.moments.push(v, entry.group);
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
    const estimates = (m: Map<string, ClusteredMoments>) =>
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
