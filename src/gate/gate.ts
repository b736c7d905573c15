import { canonicalJson } from '../core/canonical.js';
import { compareConditions, conditionKey } from '../core/conditions.js';
import type { Interval } from '../stats/descriptive.js';
import { holm, oneSampleT } from '../stats/ttest.js';
import type { GateHead, GateItems, GateSummary } from './summary-file.js';

export type Metric = 'eii' | 'aai';

export interface GateOptions {
  metric: Metric;
  /** Largest tolerated fall of the mean (or rise, with failOnRise), on the index's 0–1 scale. */
  maxDrop: number;
  alpha: number;
  failOnRise: boolean;
  /** Least share of all item keys that must be present in both runs. */
  minPaired: number;
  allowMismatch: boolean;
}

/** The command line's defaults (`plumb gate` without options), for the demo and library users. */
export const GATE_DEFAULTS: GateOptions = {
  metric: 'eii',
  maxDrop: 0.02,
  alpha: 0.05,
  failOnRise: false,
  minPaired: 0.9,
  allowMismatch: false,
};

export interface Mismatch {
  field: string;
  baseline: unknown;
  current: unknown;
}

export interface GateCheck {
  /** `all` for the pooled check, else `role/personalization`. */
  condition: string;
  n: number;
  baseline_mean: number;
  current_mean: number;
  /** baseline − current (a fall) or current − baseline with failOnRise: positive is worse. */
  change: number;
  t: number | null;
  df: number;
  p: number;
  /** Holm-adjusted across the per-condition checks; equal to p for the pooled check. */
  p_adjusted: number;
  /** Two-sided (1 − alpha) interval for the mean change: shown for size, not used by the test. */
  ci: Interval | null;
  /**
   * The one-sided (1 − alpha) lower confidence bound for the mean change, what the unadjusted test
   * uses: p < alpha exactly when this bound is above 0.
   */
  lower_bound: number | null;
  failed: boolean;
  reason: string;
}

export interface GateResult {
  kind: 'gate';
  metric: Metric;
  direction: 'drop' | 'rise';
  options: GateOptions;
  verdict: 'pass' | 'fail';
  mismatches: Mismatch[];
  mismatch_allowed: boolean;
  paired: number;
  /** Up to 100 of the keys with a value only in the baseline (all of them are counted below). */
  only_in_baseline: string[];
  only_in_current: string[];
  n_only_in_baseline: number;
  n_only_in_current: number;
  paired_share: number;
  checks: GateCheck[];
  test: string;
}

/** The fields that must agree for two runs to be comparable. */
export function findMismatches(a: GateHead, b: GateHead): Mismatch[] {
  const fields = ['rubric', 'judge', 'samples', 'calibration', 'ladder'] as const;
  const out: Mismatch[] = [];
  if (a.kind !== b.kind) out.push({ field: 'kind', baseline: a.kind, current: b.kind });
  for (const f of fields) {
    const x = a.comparability[f] ?? null;
    const y = b.comparability[f] ?? null;
    if (canonicalJson(x) !== canonicalJson(y)) out.push({ field: f, baseline: x, current: y });
  }
  return out;
}

export const GATE_TEST =
  'one-sided paired t-test of H0: mean change ≤ 0 on items paired by id; a check fails when the mean change exceeds --max-drop and p < --alpha (per-condition p-values Holm-adjusted)';

/** One item of the current run as the gate pairs it. */
export interface CurrentItem {
  role: string;
  personalization: string;
  aai?: number | null;
  eii?: number | null;
}

const EXAMPLES = 100;

/**
 * Pairs the current run's items with the baseline's as they come, keeping only the baseline (in
 * its compact store), one bit per baseline item, and the differences per condition — so the
 * current run can be streamed from its file and never held.
 */
export class GatePairing {
  private readonly paired: Uint8Array;
  private readonly conditions = new Map<
    string,
    { cond: { role: string; personalization: string }; g: Group }
  >();
  readonly pooled: Group = { diffs: [], base: 0, cur: 0 };
  readonly onlyC: string[] = [];
  nOnlyC = 0;
  currentHasOther = false;

  constructor(
    private readonly B: GateItems,
    private readonly metric: Metric,
    private readonly sign: 1 | -1,
  ) {
    this.paired = new Uint8Array(B.aai.length);
  }

  add(key: string, item: CurrentItem): void {
    const other = this.metric === 'eii' ? item.aai : item.eii;
    if (typeof other === 'number') this.currentHasOther = true;
    const c = item[this.metric];
    if (typeof c !== 'number') return;
    const i = this.B.index.get(key);
    const b = i === undefined ? Number.NaN : this.B.value(this.metric, i);
    if (Number.isNaN(b)) {
      this.nOnlyC += 1;
      if (this.onlyC.length < EXAMPLES) this.onlyC.push(key);
      return;
    }
    this.paired[i!] = 1;
    const d = this.sign * (b - c);
    const ck = `${item.role}\u0000${item.personalization}`;
    let entry = this.conditions.get(ck);
    if (!entry) {
      entry = {
        cond: { role: item.role, personalization: item.personalization },
        g: { diffs: [], base: 0, cur: 0 },
      };
      this.conditions.set(ck, entry);
    }
    for (const g of [this.pooled, entry.g]) {
      g.diffs.push(d);
      g.base += b;
      g.cur += c;
    }
  }

  /** Baseline items with a value that no current item paired with. */
  onlyInBaseline(): { n: number; examples: string[]; withValue: number } {
    const examples: string[] = [];
    let n = 0;
    let withValue = 0;
    for (const [key, i] of this.B.index) {
      if (Number.isNaN(this.B.value(this.metric, i))) continue;
      withValue += 1;
      if (this.paired[i]) continue;
      n += 1;
      if (examples.length < EXAMPLES) examples.push(key);
    }
    return { n, examples, withValue };
  }

  groups() {
    return [...this.conditions.values()];
  }
}

interface Group {
  diffs: number[];
  base: number;
  cur: number;
}

/**
 * Compares a current run with a baseline on one index. The decision needs both a practically
 * relevant change (beyond maxDrop) and a statistically significant one, so noise alone cannot
 * fail a build and neither can a tiny real change. `current` is a summary held in memory, or its
 * head with the pairing already fed (see runGateOnFiles).
 */
export function runGate(
  baseline: GateSummary,
  current: GateSummary,
  options: GateOptions,
): GateResult & { refused?: string } {
  const pairing = new GatePairing(baseline.items, options.metric, options.failOnRise ? -1 : 1);
  for (const [key, j] of current.items.index) {
    const cond = current.items.conditions[current.items.condition[j]!]!;
    pairing.add(key, {
      ...cond,
      aai: nanToNull(current.items.aai[j]!),
      eii: nanToNull(current.items.eii[j]!),
    });
  }
  return decideGate(baseline, current, pairing, options);
}

const nanToNull = (v: number) => (Number.isNaN(v) ? null : v);

/** The gate on two summary files, the current one streamed (never held) item by item. */
export async function runGateOnFiles(
  baselineFile: string,
  currentFile: string,
  options: GateOptions,
): Promise<GateResult & { refused?: string }> {
  const { readGateSummary } = await import('./summary-file.js');
  const baseline = await readGateSummary(baselineFile);
  const pairing = new GatePairing(baseline.items, options.metric, options.failOnRise ? -1 : 1);
  const current = await readGateSummary(currentFile, (key, item) => pairing.add(key, item));
  return decideGate(baseline, current, pairing, options);
}

function decideGate(
  baseline: GateHead & { items: GateItems },
  current: GateHead,
  pairing: GatePairing,
  options: GateOptions,
): GateResult & { refused?: string } {
  const { metric } = options;
  const mismatches = findMismatches(baseline, current);
  const only = pairing.onlyInBaseline();
  const nPaired = pairing.pooled.diffs.length;
  const nOnlyC = pairing.nOnlyC;
  const union = only.withValue + nOnlyC;
  const pairedShare = union ? nPaired / union : 0;
  const checks = gateChecks(pairing, options);
  const base: GateResult = {
    kind: 'gate',
    metric,
    direction: options.failOnRise ? 'rise' : 'drop',
    options,
    verdict: checks.some((c) => c.failed) ? 'fail' : 'pass',
    mismatches,
    mismatch_allowed: mismatches.length > 0 && options.allowMismatch,
    paired: nPaired,
    only_in_baseline: only.examples,
    only_in_current: pairing.onlyC,
    n_only_in_baseline: only.n,
    n_only_in_current: nOnlyC,
    paired_share: pairedShare,
    checks,
    test: GATE_TEST,
  };
  const refused = gateRefusal(base, baseline.items, pairing, options);
  return refused === null ? base : { ...base, refused };
}

/** A check before its decision: the one-sided paired t-test of one condition's (or all items') change. */
type UndecidedCheck = Omit<GateCheck, 'p_adjusted' | 'failed' | 'reason'>;

/** The paired t-test of one group's change (one-sided: a drop, or a rise under --fail-on-rise). */
function gateCheck(condition: string, g: Group, alpha: number): UndecidedCheck {
  const t = oneSampleT(g.diffs, 0, 'greater', alpha);
  return {
    condition,
    n: g.diffs.length,
    baseline_mean: g.base / g.diffs.length,
    current_mean: g.cur / g.diffs.length,
    change: t.mean,
    t: t.t,
    df: t.df,
    p: t.p,
    ci: t.ci,
    lower_bound: t.bound,
  };
}

/** A check's decision: failed when the change is both beyond --max-drop and significant at its adjusted p. */
function decideCheck(c: UndecidedCheck, pAdj: number, options: GateOptions): GateCheck {
  const word = options.failOnRise ? 'rise' : 'drop';
  const big = c.change > options.maxDrop;
  const significant = pAdj < options.alpha;
  const failed = big && significant;
  const reason = failed
    ? `${options.metric.toUpperCase()} ${word} of ${c.change.toFixed(4)} exceeds --max-drop ${options.maxDrop} and is significant (p=${fmtP(pAdj)} < ${options.alpha})`
    : !big
      ? `${word} ${c.change.toFixed(4)} is within --max-drop ${options.maxDrop}`
      : `${word} ${c.change.toFixed(4)} exceeds --max-drop but is not significant (p=${fmtP(pAdj)} ≥ ${options.alpha})`;
  return { ...c, p_adjusted: pAdj, failed, reason };
}

/** The pooled check (when any item pairs) and one per condition, Holm-adjusted across conditions. */
function gateChecks(pairing: GatePairing, options: GateOptions): GateCheck[] {
  const perCondition = pairing
    .groups()
    .sort((a, b) => compareConditions(a.cond, b.cond))
    .map(({ cond, g }) => gateCheck(conditionKey(cond), g, options.alpha));
  const adjusted = holm(perCondition.map((c) => c.p));
  const checks: GateCheck[] = [];
  if (pairing.pooled.diffs.length) {
    const all = gateCheck('all', pairing.pooled, options.alpha);
    checks.push(decideCheck(all, all.p, options));
  }
  perCondition.forEach((c, i) => {
    checks.push(decideCheck(c, adjusted[i]!, options));
  });
  return checks;
}

/** Why the runs cannot be compared (mismatched, nothing paired, too few paired), or null. */
function gateRefusal(
  base: GateResult,
  B: GateItems,
  pairing: GatePairing,
  options: GateOptions,
): string | null {
  const { metric } = options;
  const { mismatches, paired: nPaired, paired_share: pairedShare } = base;
  if (mismatches.length && !options.allowMismatch) {
    return `runs are not comparable: ${mismatches.map(describeMismatch).join('; ')} (use --allow-mismatch to compare anyway)`;
  }
  if (nPaired === 0) {
    const other: Metric = metric === 'eii' ? 'aai' : 'eii';
    const hasOther = B[other].some((v) => !Number.isNaN(v)) && pairing.currentHasOther;
    return `no item has a ${metric} value in both runs${hasOther ? `; they carry ${other} values: pass --metric ${other}` : ''}`;
  }
  if (pairedShare < options.minPaired) {
    return `only ${(100 * pairedShare).toFixed(1)}% of items pair up (${nPaired} paired, ${base.n_only_in_baseline} only in baseline, ${base.n_only_in_current} only in current); --min-paired is ${options.minPaired}`;
  }
  return null;
}

export function describeMismatch(m: Mismatch): string {
  const short = (v: unknown) => {
    const s = JSON.stringify(v);
    return s && s.length > 120 ? `${s.slice(0, 117)}…` : s;
  };
  return `${m.field} differs (baseline ${short(m.baseline)}, current ${short(m.current)})`;
}

export function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}
