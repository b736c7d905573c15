import { clusteredProportion } from '../stats/cluster-share.js';
import { cr2Mean } from '../stats/cr2.js';
import type { Interval } from '../stats/descriptive.js';
import { tQuantile } from '../stats/distributions.js';
import {
  PPI_MIN_LABELLED,
  type PpiDesignResult,
  ppiClusteredMeanInterval,
  ppiMeanInterval,
  ppiStratifiedMeanInterval,
  stratifiedMean,
} from '../stats/ppi-design.js';
import type { ItemDesign, SheetDesign } from './gold.js';
import type { ScoredItem } from './join.js';

/**
 * How the gold was drawn, as far as plumb can tell, and so which estimator it gets:
 * - `srs`: a simple random sample of the scored items — recorded on the sheet (`gold sample`
 *   without --stratify), or assumed because the gold says nothing of its design (then the output
 *   says so). PPI++ with the small-sample interval (ppiMeanInterval); gold alone: the mean with
 *   its t interval.
 * - `clusters`: whole prompts (every scored item of a prompt) — recorded (`gold sample --clusters
 *   FIELD`), or detected when every gold item's `metadata.group` is rated in full.
 *   Cluster-robust PPI++ (ppiClusteredMeanInterval); gold alone: the CR2 mean.
 * - `stratified`: a stratified random sample whose inclusion probabilities may differ by stratum
 *   (`gold sample --stratify FIELD`, Neyman or proportional allocation). Stratified PPI++ (Fisch et
 *   al. 2024, ppiStratifiedMeanInterval); gold alone: the weighted stratified mean
 *   (stratifiedMean). Each stratum's weight is its share of the scored items.
 * A design plumb cannot honour is refused with the reason rather than estimated as if it were
 * another (whole prompts drawn within strata; a sheet whose rows disagree on how they were drawn;
 * strata recorded without the field they are values of, when the field cannot be found).
 */
export type GoldDesign =
  | { kind: 'srs'; recorded: boolean; note: string }
  | { kind: 'clusters'; clustered_by: string; recorded: boolean; note: string }
  | {
      kind: 'stratified';
      stratified_by: string;
      /** True when the field was found from the strata's values (a sheet that did not name it). */
      inferred: boolean;
      /** Units per stratum as the sheet recorded them (the scores' counts when it did not). */
      sizes: Record<string, number>;
      /** True when every stratum was drawn at the same rate (proportional allocation). */
      self_weighting: boolean;
      note: string;
    };

export interface DesignResolution {
  design: GoldDesign | null;
  /** Why the design cannot be honoured (then `design` is null and nothing is estimated). */
  refused?: string;
  warnings: string[];
  /** Items the sheet drew that nobody rated: left out, counted and named. */
  not_rated: { count: number; ids: string[] };
  /** The sheet the design was read from, when there is one. */
  sheet: string | null;
}

const str = (v: unknown) => (v === undefined || v === null ? '(none)' : String(v));
const metaField = (item: ScoredItem, field: string) => item.metadata[field.replace(/^metadata\./, '')];

/**
 * The design of the gold: from the sheet's records when there are some, else detected or assumed.
 * `rated` are the gold ids with at least one rating.
 */
export function resolveDesign(
  sheet: SheetDesign | null,
  scores: readonly ScoredItem[],
  rated: ReadonlySet<string>,
): DesignResolution {
  const warnings: string[] = [];
  const drawn = sheet ? [...sheet.items.keys()] : [];
  const unrated = drawn.filter((id) => !rated.has(id));
  const base = {
    warnings,
    not_rated: { count: unrated.length, ids: unrated.slice(0, 20) },
    sheet: sheet?.file ?? null,
  };
  if (unrated.length)
    warnings.push(
      `${unrated.length} item${unrated.length === 1 ? '' : 's'} drawn for the sheet ${unrated.length === 1 ? 'was' : 'were'} not rated (${unrated.slice(0, 5).join(', ')}${unrated.length > 5 ? '…' : ''}): left out, assumed missing at random${sheet && [...sheet.items.values()].some((d) => d.stratified_by) ? ' within their stratum' : ''}`,
    );
  const designs = sheet ? [...sheet.items.entries()] : [];
  const recorded = designs.filter(
    ([, d]) =>
      d.stratified_by !== undefined ||
      d.clustered_by !== undefined ||
      d.stratum_size !== undefined ||
      d.inclusion_probability !== undefined,
  ).length;
  if (recorded === 0) return unrecordedDesign(sheet, designs, scores, rated, base);
  if (recorded < designs.length)
    return refuse(
      `${sheet!.file}: ${recorded} of its ${designs.length} rows record how they were drawn and ${designs.length - recorded} do not (sheets joined by hand?): plumb cannot tell which design to honour`,
      base,
    );
  return recordedDesign(sheet!, designs, scores, base);
}

type DesignBase = Omit<DesignResolution, 'design' | 'refused'>;

const refuse = (reason: string, base: DesignBase): DesignResolution => ({
  design: null,
  refused: reason,
  ...base,
});

/**
 * A gold that records no design: strata named on a sheet from before designs were recorded (their
 * field found from the scores' metadata), else whole prompts or a simple random sample, assumed.
 */
function unrecordedDesign(
  sheet: SheetDesign | null,
  designs: readonly [string, ItemDesign][],
  scores: readonly ScoredItem[],
  rated: ReadonlySet<string>,
  base: DesignBase,
): DesignResolution {
  const strata = new Set(designs.map(([, d]) => d.stratum ?? 'all'));
  if (strata.size > 1 || (strata.size === 1 && !strata.has('all'))) {
    const field = inferStratumField(designs, new Map(scores.map((s) => [s.id, s])));
    if (!field)
      return refuse(
        `${sheet!.file} names strata (${[...strata].slice(0, 5).join(', ')}) but not the field they are values of, and no metadata field of the scores matches them: plumb cannot weight the strata. Sample again with plumb gold sample (which records the design), or give the gold without its stratum column to treat it as a simple random sample`,
        base,
      );
    return stratifiedDesign(field, designs, scores, true, base.warnings, base);
  }
  return { design: assumedDesign(scores, rated, sheet), ...base };
}

/** A sheet whose every row records how it was drawn: one design for all of them, or refused. */
function recordedDesign(
  sheet: SheetDesign,
  designs: readonly [string, ItemDesign][],
  scores: readonly ScoredItem[],
  base: DesignBase,
): DesignResolution {
  const stratifiedBy = new Set(designs.map(([, d]) => d.stratified_by ?? ''));
  const clusteredBy = new Set(designs.map(([, d]) => d.clustered_by ?? ''));
  if (stratifiedBy.size > 1 || clusteredBy.size > 1)
    return refuse(
      `${sheet.file}: its rows were drawn by different designs (stratified by ${[...stratifiedBy].map((s) => s || 'nothing').join(' and ')}; whole prompts by ${[...clusteredBy].map((s) => s || 'nothing').join(' and ')}): calibrate one sheet at a time`,
      base,
    );
  const sField = [...stratifiedBy][0]!;
  const cField = [...clusteredBy][0]!;
  const strata = new Set(designs.map(([, d]) => d.stratum ?? 'all'));
  if (cField && sField && strata.size > 1)
    return refuse(
      `${sheet.file}: whole prompts (by ${cField}) drawn within strata (by ${sField}): plumb has no estimator for a stratified sample of clusters — sample whole prompts without --stratify, or items with it`,
      base,
    );
  if (cField) {
    const prompts = new Set(designs.map(([id, d]) => d.cluster ?? id)).size;
    return {
      design: {
        kind: 'clusters',
        clustered_by: cField,
        recorded: true,
        note: `whole prompts by ${cField} (${prompts} prompts drawn at random, recorded on ${sheet.file}): cluster-robust estimates`,
      },
      ...base,
    };
  }
  if (sField && strata.size > 1) return stratifiedDesign(sField, designs, scores, false, base.warnings, base);
  const size = designs[0]![1].stratum_size;
  return {
    design: {
      kind: 'srs',
      recorded: true,
      note: `a simple random sample of ${designs.length}${size ? ` of ${size}` : ''} items (recorded on ${sheet.file})`,
    },
    ...base,
  };
}

/** No design recorded: whole prompts when every gold item's prompt is rated in full, else a simple random sample. */
function assumedDesign(
  scores: readonly ScoredItem[],
  rated: ReadonlySet<string>,
  sheet: SheetDesign | null,
): GoldDesign {
  const bySize = new Map<string, { all: number; rated: number }>();
  for (const s of scores) {
    const g = s.metadata.group;
    if (g === undefined || g === null) continue;
    const k = String(g);
    const c = bySize.get(k) ?? { all: 0, rated: 0 };
    c.all += 1;
    if (rated.has(s.id)) c.rated += 1;
    bySize.set(k, c);
  }
  const ratedGroups = [...bySize.values()].filter((c) => c.rated > 0);
  const ratedInGroups = ratedGroups.reduce((s, c) => s + c.rated, 0);
  const goldScored = scores.filter((s) => rated.has(s.id)).length;
  if (
    ratedGroups.length > 0 &&
    ratedInGroups === goldScored &&
    ratedGroups.every((c) => c.rated === c.all) &&
    ratedGroups.some((c) => c.all > 1)
  )
    return {
      kind: 'clusters',
      clustered_by: 'group',
      recorded: false,
      note: `whole prompts: every scored item of each of the ${ratedGroups.length} rated prompts (metadata.group) has gold, so the prompts are the sampling units (the gold records no design; prompts assumed drawn at random): cluster-robust estimates`,
    };
  return {
    kind: 'srs',
    recorded: false,
    note: `the gold records no design${sheet ? '' : ' (not a plumb rating sheet)'}: treated as a simple random sample of the scored items`,
  };
}

/** The metadata field whose values are the sheet's strata for every drawn item the scores have. */
function inferStratumField(
  designs: readonly [string, ItemDesign][],
  byId: ReadonlyMap<string, ScoredItem>,
): string | null {
  const present = designs.filter(([id]) => byId.has(id));
  if (!present.length) return null;
  const keys = new Set(present.flatMap(([id]) => Object.keys(byId.get(id)!.metadata)));
  const fits = [...keys].filter((k) =>
    present.every(([id, d]) => str(byId.get(id)!.metadata[k]) === (d.stratum ?? '(none)')),
  );
  return fits.length === 1 ? fits[0]! : null;
}

function stratifiedDesign(
  field: string,
  designs: readonly [string, ItemDesign][],
  scores: readonly ScoredItem[],
  inferred: boolean,
  warnings: string[],
  base: DesignBase,
): DesignResolution {
  const counts = new Map<string, number>();
  for (const s of scores) {
    const k = str(metaField(s, field));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const sizes: Record<string, number> = {};
  const drawn: Record<string, number> = {};
  for (const [, d] of designs) {
    const k = d.stratum ?? '(none)';
    drawn[k] = (drawn[k] ?? 0) + 1;
    if (d.stratum_size !== undefined) {
      if (sizes[k] !== undefined && sizes[k] !== d.stratum_size)
        return {
          design: null,
          refused: `stratum ${k}: the sheet gives two sizes (${sizes[k]} and ${d.stratum_size}): plumb cannot weight it`,
          ...base,
        };
      sizes[k] = d.stratum_size;
    }
  }
  for (const k of Object.keys(drawn)) {
    const here = counts.get(k) ?? 0;
    if (sizes[k] === undefined) sizes[k] = here;
    else if (sizes[k] !== here)
      warnings.push(
        `stratum ${k}: the sheet was drawn from ${sizes[k]} items and the scores now hold ${here}: weights use the scores' counts`,
      );
  }
  for (const [k, n] of counts)
    if (drawn[k] === undefined)
      warnings.push(`stratum ${k} (${n} scored items) had no item drawn for the sheet`);
  const rates = Object.keys(drawn).map((k) => drawn[k]! / (counts.get(k) || sizes[k]!));
  const selfWeighting = Math.max(...rates) - Math.min(...rates) < 0.02 * Math.max(...rates);
  const list = Object.keys(drawn)
    .sort()
    .map((k) => `${k}: ${drawn[k]} of ${sizes[k]}`)
    .join(', ');
  return {
    design: {
      kind: 'stratified',
      stratified_by: field,
      inferred,
      sizes,
      self_weighting: selfWeighting,
      note: `stratified by ${field}${inferred ? ' (the field found from the sheet’s strata)' : ''} (${list}): each stratum weighted by its share of the scored items`,
    },
    ...base,
  };
}

/** An item's stratum and cluster under a design: as the sheet recorded them, else from its metadata. */
export function unitsOf(design: GoldDesign, sheet: SheetDesign | null) {
  return {
    stratum(item: ScoredItem): string {
      if (design.kind !== 'stratified') return 'all';
      return sheet?.items.get(item.id)?.stratum ?? str(metaField(item, design.stratified_by));
    },
    cluster(item: ScoredItem): string {
      if (design.kind !== 'clusters') return `id:${item.id}`;
      const v = sheet?.items.get(item.id)?.cluster ?? metaField(item, design.clustered_by);
      return v === undefined || v === null ? `id:${item.id}` : String(v);
    },
  };
}

/** A comparator estimate (gold alone, or the judge alone), with how its interval was made. */
export interface SideEstimate {
  estimate: number;
  ci: Interval | null;
  se?: number;
  df?: number;
  interval: string;
}

/** A mean on the human scale estimated under the gold's design: PPI++ beside gold alone and judge alone. */
export interface DesignPpi {
  /** PPI++; null when it cannot be computed (with `reason`). */
  estimate: number | null;
  ci: Interval | null;
  se?: number;
  df?: number;
  lambda?: number;
  interval: string;
  n_labelled: number;
  n_unlabelled: number;
  design: GoldDesign['kind'];
  clusters?: number;
  strata?: PpiDesignResult['strata'];
  /** Gold alone, estimated with the same design. */
  classical: SideEstimate | null;
  /** The judge's mean over every item, uncorrected (biased if the judge is). */
  naive: SideEstimate | null;
  /** (gold-alone SE / PPI++ SE)²: how many times the gold set the PPI++ interval is worth (for a random sample, the plain SE: s/√n). */
  effective_sample_size_gain?: number;
  reason?: string;
  /** Notes every result built on this one carries (the design assumed, refusals of parts). */
  warnings: string[];
}

function tMean(ys: readonly number[], alpha: number, range?: readonly [number, number]): SideEstimate | null {
  const n = ys.length;
  if (n === 0) return null;
  const m = ys.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { estimate: m, ci: null, interval: 't(n − 1)' };
  const s2 = ys.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
  const se = Math.sqrt(s2 / n);
  const h = tQuantile(1 - alpha / 2, n - 1) * se;
  return { estimate: m, ci: clip([m - h, m + h], range), se, df: n - 1, interval: 't(n − 1)' };
}

const isBinary = (ys: readonly number[]) => ys.every((y) => y === 0 || y === 1);

/** Σ(y − ȳ)²/(n − 1) over the values and two pseudo-observations at the range's ends, divided by n. */
function guardedVariance(ys: readonly number[], lo: number, hi: number): number {
  const all = [...ys, lo, hi];
  const m = all.reduce((a, b) => a + b, 0) / all.length;
  return all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1) / ys.length;
}

/**
 * The gold-only mean of a simple random sample of items, with an interval that holds at 30 gold
 * items on skewed scales and rare pass/fail outcomes (bench/coverage.mjs, section ppi, "gold only
 * [plumb]": 94.7–99.3 % over its 54 cells at 2,000 replications; the plain t interval covered
 * 78–96 % there):
 * - 0/1 values: the share with its Clopper–Pearson interval at n − 1 (clusteredProportion, each
 *   item its own cluster), inside [0, 1];
 * - otherwise: Student t on n − 1 with the variance taken over the values and two
 *   pseudo-observations at the scale's ends (the mean is untouched), cut at the scale — the
 *   Agresti–Caffo idea for bounded scores: a gold set bunched at one end does not claim a small
 *   variance the scale does not support.
 * `se` and `df` are what contrasts combine (for 0/1, the se over the values and a pseudo 0 and 1).
 */
export function goldOnlyMean(
  ys: readonly number[],
  alpha: number,
  range?: readonly [number, number],
): SideEstimate | null {
  const n = ys.length;
  if (n === 0) return null;
  const m = ys.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { estimate: m, ci: null, interval: 'one gold item: no interval' };
  if (isBinary(ys)) {
    const s = clusteredProportion(
      ys,
      ys.map((_, i) => i),
      1 - alpha,
    );
    return {
      estimate: m,
      ci: s.ci,
      se: Math.sqrt(guardedVariance(ys, 0, 1)),
      df: n - 1,
      interval: 'Clopper–Pearson at n − 1',
    };
  }
  if (!range) return tMean(ys, alpha);
  const se = Math.sqrt(guardedVariance(ys, range[0], range[1]));
  const h = tQuantile(1 - alpha / 2, n - 1) * se;
  return {
    estimate: m,
    ci: clip([m - h, m + h], range),
    se,
    df: n - 1,
    interval: 't(n − 1), variance with the scale’s two ends as pseudo-observations',
  };
}

function cr2Side(
  ys: readonly number[],
  gs: readonly string[],
  alpha: number,
  range?: readonly [number, number],
): SideEstimate | null {
  if (!ys.length) return null;
  const r = cr2Mean(ys, gs, 1 - alpha, 'exchangeable');
  // 0/1 values: the clustered share (Korn–Graubard Clopper–Pearson at the CR2 effective n)
  const share = isBinary(ys) ? clusteredProportion(ys, gs, 1 - alpha) : null;
  return {
    estimate: r.value!,
    ci: share ? share.ci : clip(r.ci, range),
    ...(r.se !== undefined ? { se: r.se, df: r.df } : {}),
    interval: share ? share.interval : 'CR2, Satterthwaite t',
  };
}

function clip(ci: Interval | null, range?: readonly [number, number]): Interval | null {
  if (!ci || !range) return ci;
  return [Math.max(range[0], ci[0]), Math.min(range[1], ci[1])];
}

/** The items of a quantity with gold (`y` the human value) and without, each with the judge's value `f`. */
interface Split {
  lab: { it: ScoredItem; y: number; f: number }[];
  un: { it: ScoredItem; f: number }[];
}

/** The gold-only (classical) estimate and PPI++ of a design, with the PPI++ options they share. */
interface Sides {
  classical: SideEstimate | null;
  ppi: PpiDesignResult;
}

type PpiOptions = { alpha: number; seed: number; range?: [number, number] };

/** How a design groups the items (the cluster and stratum of each). */
type Units = ReturnType<typeof unitsOf>;

/**
 * The design-based PPI++ mean of one quantity over a set of items (all of them, a condition, a
 * cell): `value(item)` the judge's value, `human(item)` the gold value where rated.
 */
export function designMean(
  design: GoldDesign,
  sheet: SheetDesign | null,
  items: readonly ScoredItem[],
  value: (it: ScoredItem) => number | undefined,
  human: (it: ScoredItem) => number | undefined,
  isLabelled: (it: ScoredItem) => boolean,
  opts: { alpha: number; seed: number; range?: readonly [number, number]; warnings?: readonly string[] },
): DesignPpi {
  const units = unitsOf(design, sheet);
  const split = splitByGold(items, value, human, isLabelled);
  const warnings = [...(opts.warnings ?? [])];
  const range = opts.range ? ([opts.range[0], opts.range[1]] as [number, number]) : undefined;
  const naive = naiveSide(design, units, split, opts.alpha);
  const ppiOpts: PpiOptions = { alpha: opts.alpha, seed: opts.seed, ...(range ? { range } : {}) };
  const sides =
    design.kind === 'clusters'
      ? clusteredSides(units, split, ppiOpts)
      : design.kind === 'stratified'
        ? stratifiedSides(units, split, ppiOpts, warnings)
        : srsSides(split, ppiOpts);
  return designResult(design, split, naive, sides, warnings, opts.alpha);
}

/** An item with gold but no human value of this quantity counts as not rated (missing at random). */
function splitByGold(
  items: readonly ScoredItem[],
  value: (it: ScoredItem) => number | undefined,
  human: (it: ScoredItem) => number | undefined,
  isLabelled: (it: ScoredItem) => boolean,
): Split {
  const lab: Split['lab'] = [];
  const un: Split['un'] = [];
  for (const it of items) {
    const f = value(it);
    if (f === undefined) continue;
    const y = isLabelled(it) ? human(it) : undefined;
    if (y !== undefined) lab.push({ it, y, f });
    else un.push({ it, f });
  }
  return { lab, un };
}

/** The judge-only mean over every item (cluster-robust for whole prompts). */
function naiveSide(design: GoldDesign, units: Units, { lab, un }: Split, alpha: number) {
  const allF = [...lab.map((l) => l.f), ...un.map((u) => u.f)];
  return design.kind === 'clusters'
    ? cr2Side(allF, [...lab.map((l) => units.cluster(l.it)), ...un.map((u) => units.cluster(u.it))], alpha)
    : tMean(allF, alpha);
}

/** A simple random sample: the gold-only mean (goldOnlyMean) and PPI++ with the small-sample interval. */
function srsSides({ lab, un }: Split, ppiOpts: PpiOptions): Sides {
  const ys = lab.map((l) => l.y);
  return {
    classical: goldOnlyMean(ys, ppiOpts.alpha, ppiOpts.range),
    ppi: ppiMeanInterval(
      ys,
      lab.map((l) => l.f),
      un.map((u) => u.f),
      ppiOpts,
    ),
  };
}

/** Whole prompts: the CR2 gold-only mean and cluster-robust PPI++. */
function clusteredSides(units: Units, { lab, un }: Split, ppiOpts: PpiOptions): Sides {
  return {
    classical: cr2Side(
      lab.map((l) => l.y),
      lab.map((l) => units.cluster(l.it)),
      ppiOpts.alpha,
      ppiOpts.range,
    ),
    ppi: ppiClusteredMeanInterval(
      lab.map((l) => ({ y: l.y, f: l.f, cluster: units.cluster(l.it) })),
      un.map((u) => ({ f: u.f, cluster: units.cluster(u.it) })),
      ppiOpts,
    ),
  };
}

/**
 * A stratified sample: the weighted stratified gold-only mean (each stratum's weight its share of
 * the items in scope, gold and judge-only) and stratified PPI++; a stratum without gold is warned of.
 */
function stratifiedSides(units: Units, { lab, un }: Split, ppiOpts: PpiOptions, warnings: string[]): Sides {
  const sizeIn = new Map<string, number>();
  const ratedIn = new Map<string, number>();
  for (const l of lab) {
    const k = units.stratum(l.it);
    sizeIn.set(k, (sizeIn.get(k) ?? 0) + 1);
    ratedIn.set(k, (ratedIn.get(k) ?? 0) + 1);
  }
  for (const u of un) {
    const k = units.stratum(u.it);
    sizeIn.set(k, (sizeIn.get(k) ?? 0) + 1);
  }
  const empty = [...sizeIn.keys()].filter((k) => !ratedIn.has(k));
  const st = stratifiedMean(
    lab.map((l) => {
      const k = units.stratum(l.it);
      return { y: l.y, stratum: k, weight: sizeIn.get(k)! / ratedIn.get(k)! };
    }),
    { alpha: ppiOpts.alpha, ...(ppiOpts.range ? { range: ppiOpts.range } : {}) },
  );
  const classical = empty.length
    ? null
    : st.estimate === null
      ? null
      : {
          estimate: st.estimate,
          ci: st.ci,
          ...(st.se !== undefined ? { se: st.se } : {}),
          ...(st.df !== undefined ? { df: st.df } : {}),
          interval: st.interval,
        };
  if (empty.length)
    warnings.push(
      `no gold in stratum ${empty.join(', ')} here: the stratified estimate needs gold in every stratum`,
    );
  else if (st.estimate === null && st.reason) warnings.push(`gold alone: ${st.reason}`);
  const ppi = ppiStratifiedMeanInterval(
    lab.map((l) => ({ y: l.y, f: l.f, stratum: units.stratum(l.it) })),
    un.map((u) => ({ f: u.f, stratum: units.stratum(u.it) })),
    ppiOpts,
  );
  return { classical, ppi };
}

/** The estimate as calibrate reports it: PPI++ with the gold-only and judge-only means beside it, or why not. */
function designResult(
  design: GoldDesign,
  { lab, un }: Split,
  naive: SideEstimate | null,
  { classical, ppi }: Sides,
  warnings: string[],
  alpha: number,
): DesignPpi {
  const base = {
    n_labelled: lab.length,
    n_unlabelled: un.length,
    design: design.kind,
    classical,
    naive,
    warnings,
  };
  if (lab.length > 0 && un.length === 0)
    return {
      ...base,
      estimate: null,
      ci: null,
      interval: ppi.interval,
      reason: `every item here has gold: PPI++ needs items without it, and the gold-only estimate (${classical?.interval ?? '—'}) is the answer`,
    };
  if (ppi.estimate === null || ppi.ci === null)
    return {
      ...base,
      estimate: null,
      ci: null,
      interval: ppi.interval,
      ...(ppi.clusters !== undefined ? { clusters: ppi.clusters } : {}),
      reason: ppi.reason ?? `needs at least ${PPI_MIN_LABELLED} gold items`,
    };
  // the gain is a ratio of variances: for a random sample, gold alone's plain sample variance, not
  // the guarded one its printed interval uses (the scale's ends as pseudo-observations would credit
  // PPI++ with the guard's width)
  const goldSe =
    design.kind === 'srs'
      ? tMean(
          lab.map((l) => l.y),
          alpha,
        )?.se
      : classical?.se;
  const gain = goldSe !== undefined && ppi.se ? (goldSe / ppi.se) ** 2 : undefined;
  return {
    ...base,
    estimate: ppi.estimate,
    ci: ppi.ci,
    ...(ppi.se !== undefined ? { se: ppi.se } : {}),
    ...(ppi.df !== undefined ? { df: ppi.df } : {}),
    ...(ppi.lambda !== undefined ? { lambda: ppi.lambda } : {}),
    interval: ppi.interval,
    ...(ppi.clusters !== undefined ? { clusters: ppi.clusters } : {}),
    ...(ppi.strata ? { strata: ppi.strata } : {}),
    ...(gain !== undefined ? { effective_sample_size_gain: gain } : {}),
  };
}
