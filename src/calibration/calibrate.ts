import { compareConditions, conditionKey, conditionOf, groupOf } from '../core/conditions.js';
import { UsageError } from '../core/errors.js';
import { aggregateOverall } from '../rubrics/aggregate.js';
import type { Rubric } from '../rubrics/schema.js';
import { clusteredProportion } from '../stats/cluster-share.js';
import type { Interval } from '../stats/descriptive.js';
import {
  type ActiveCalibration,
  activeCalibration,
  activeSheetProblem,
  isActiveSheet,
  isSequentialSheet,
} from './active-estimate.js';
import {
  type AltTestResult,
  altTest,
  type HumanCeiling,
  humanCeiling,
  type MultiRatedItem,
} from './alt-test.js';
import { type Cell, type Contrast, contrastsOf, type PromptCells } from './contrasts.js';
import {
  type DesignPpi,
  type DesignResolution,
  designMean,
  type GoldDesign,
  resolveDesign,
  unitsOf,
} from './design.js';
import type { GoldRating, SheetDesign } from './gold.js';
import {
  groupGold,
  type HumanItem,
  humanIndices,
  humanValue,
  judgeValue,
  type ScoredItem,
  type ScoresFile,
} from './join.js';
import { evaluateMapping, type MappingEvaluation, type MappingMethod } from './mapping.js';
import { groupLevel, itemLevel, type Scale, systemLevel } from './metrics.js';
import { type PpiInterval, ppiMean } from './ppi.js';
import { type PrevalenceResult, roganGladen } from './prevalence.js';
import { type SequentialCalibration, type SessionFile, sequentialCalibration } from './sequential-session.js';

export interface CalibrateOptions {
  scores: ScoresFile;
  gold: GoldRating[];
  rubric: Rubric | null;
  scale: Scale;
  criterion?: string;
  level: 'item' | 'group' | 'system';
  /** The metadata field that names an item's system for `level: 'system'` (default `system`). */
  systemField?: string;
  rater?: string;
  method: MappingMethod;
  bootstrap: number;
  seed: number;
  altTest?: { epsilon: number; q: number; minItems: number } | null;
  /** `interval` picks the ppi_py parity figure's interval: ppi_mean_ci (clt) or ppboot (bootstrap). */
  ppi?: { alpha: number; interval?: PpiInterval } | null;
  /** With ppi: metadata fields whose levels to contrast (`role,personalization`). */
  compare?: string[] | null;
  /** How the gold was drawn, from the rating sheet it belongs to (gold.ts readSheetDesign). */
  sheet?: SheetDesign | null;
  /** A sequential sheet's session (`P.session.json`), read beside it (from-files.ts). */
  session?: { file: string; data: SessionFile } | null;
  /** The scores file's name, for the session's warning when it was drawn from another. */
  scoresFile?: string;
}

export function criteriaOf(opts: Pick<CalibrateOptions, 'rubric' | 'scores' | 'criterion'>): string[] {
  const all = opts.rubric
    ? opts.rubric.criteria.map((c) => c.name)
    : [...new Set(opts.scores.items.flatMap((i) => Object.keys(i.scores)))];
  const withOverall = [...all, 'overall'];
  if (opts.criterion) {
    if (!withOverall.includes(opts.criterion))
      throw new UsageError(`unknown criterion '${opts.criterion}' (have: ${withOverall.join(', ')})`);
    return [opts.criterion];
  }
  return withOverall;
}

/** Items of the join a criterion could not use, by reason (each reason a sentence), and how many it kept. */
export interface CriterionJoin {
  n: number;
  dropped: Record<string, number>;
}

/**
 * The human value of an item for a criterion. For `overall` without a gold overall, the rubric's
 * aggregate of each rater's criteria over the criteria that apply to the item — those the judge
 * could score: a criterion that needs a reference is left out of both sides for an item without
 * one, as the judge's overall leaves it out (a rater cannot rate it either).
 */
function humanFor(rubric: Rubric | null, it: ScoredItem, h: HumanItem | undefined, c: string) {
  const v = humanValue(h, c);
  if (v !== undefined || c !== 'overall' || !rubric || !h) return v;
  const applies = rubric.criteria.filter((k) => !(k.requires_reference && it.scores[k.name] == null));
  if (applies.length === rubric.criteria.length || applies.length === 0) return undefined;
  const raters = new Set([...h.ratings.values()].flatMap((m) => [...m.keys()]));
  const overalls: number[] = [];
  for (const r of raters) {
    const scores: Record<string, number> = {};
    for (const k of applies) {
      const x = h.ratings.get(k.name)?.get(r);
      if (x === undefined) break;
      scores[k.name] = x;
    }
    if (Object.keys(scores).length !== applies.length) continue;
    const o = aggregateOverall(rubric, scores);
    if (o !== null) overalls.push(o);
  }
  return overalls.length ? overalls.reduce((a, b) => a + b, 0) / overalls.length : undefined;
}

/** A matched item's judge value `j` and human value `h` for one criterion. */
interface Pair {
  it: ScoredItem;
  j: number;
  h: number;
}

/**
 * What every part of a calibration reads: the options, the criteria reported, each item's gold,
 * the scored items that have gold, and the human value of an item for a criterion.
 */
interface Joined {
  opts: CalibrateOptions;
  criteria: string[];
  /** Every criterion of the scores, whichever one is reported: the human overall is made from them. */
  baseCriteria: string[];
  humans: Map<string, HumanItem>;
  /** Ids of the gold with at least one rating. */
  rated: Set<string>;
  /** Scored items with gold. */
  matched: ScoredItem[];
  /** The rubric's criteria that need a reference. */
  refless: string[];
  /** The criterion the mapping, alt-test and PPI concern: the one asked for, else overall. */
  focus: string;
  human: (it: ScoredItem, c: string) => number | undefined;
}

/** A per-item value of a quantity (a criterion, an index), judge's or human's. */
type ValueOf = (it: ScoredItem) => number | undefined;

/** The design-based PPI++ mean of a quantity over some items (design.ts designMean); null without a design. */
type RunDesign = (
  items: readonly ScoredItem[],
  get: ValueOf,
  hum: ValueOf,
  range: readonly [number, number],
) => DesignPpi | null;

/** Judge–human agreement of each criterion at one level (metrics.ts): counts, each coefficient with its interval. */
export type Agreement = Record<string, Record<string, unknown>>;

/** The design-based PPI++ mean when there is no design to run it under: nothing but why. */
export interface NoDesignPpi {
  estimate: null;
  ci: null;
  classical: null;
  naive: null;
  n_labelled: 0;
  n_unlabelled: 0;
  reason: string;
  warnings: string[];
}

/** `--compare`'s contrasts, per quantity (the focus criterion, each rubric index). */
export interface ContrastsReport {
  by: string[];
  independence: string;
  quantities: Record<string, Contrast[]>;
}

/**
 * `--ppi`: the focus criterion's PPI++ mean under the gold's design (or why there is none), with
 * AAI/EII per condition, the contrasts asked for, and ppi_py's own figure for parity.
 */
export type PpiReport = { criterion: string; alpha: number; contrasts: ContrastsReport | null } & (
  | DesignPpi
  | NoDesignPpi
) & {
    indices_by_condition: Record<string, Record<string, DesignPpi | null>>;
    ppi_py_parity: { label: string; note: string; estimate: number; ci: Interval; lambda: number } | null;
  };

/** How the gold joined the scores: what was matched, what was left out and why, what the human value is. */
export interface CalibrationJoin {
  matched: number;
  scored_items: number;
  gold_items: number;
  missing_in_scores: string[];
  /** Gold rows with no rating filled in (an unfinished sheet): left out. */
  unrated_rows: number;
  /** Scored items without gold: the unlabelled set for PPI, not an error. */
  scored_without_gold: number;
  gold_raters: string[];
  /** Gold columns that are no criterion of the scores (a renamed column?). */
  unknown_columns: string[];
  human_value: string;
  human_overall: string;
  /** Per criterion: items used, and the matched items left out, by reason. */
  criteria: Record<string, CriterionJoin>;
}

/** How the gold was drawn, as the estimates honour it (or why they cannot). */
export interface CalibrationDesign {
  kind: GoldDesign['kind'] | 'active' | 'sequential' | null;
  note: string | null;
  refused: string | null;
  sheet: string | null;
  /** True when the sheet recorded the design (false: detected or assumed, and said). */
  recorded: boolean;
  stratified_by?: string;
  strata?: Record<string, number>;
  clustered_by?: string;
  not_rated: { count: number; ids: string[] };
  warnings: string[];
}

/** The focus criterion's fitted map onto the human scale (2+ pairs). */
export type CalibrationMapping = MappingEvaluation & { criterion: string; n: number };

/** What `plumb calibrate --json` writes: a declared output (core/outputs.ts) of kind `calibration`. */
export interface CalibrationReport {
  kind: 'calibration';
  join: CalibrationJoin;
  design: CalibrationDesign;
  scale: Scale;
  level: CalibrateOptions['level'];
  bootstrap: { resamples: number; seed: number };
  /** The agreement per criterion, under the name of the level it was computed at. */
  item?: Agreement;
  group?: Agreement;
  system?: Agreement;
  human_ceiling: (HumanCeiling & { criterion: string }) | null;
  mapping: CalibrationMapping | null;
  alt_test: (AltTestResult & { criterion: string; ceiling: HumanCeiling }) | null;
  prevalence: (PrevalenceResult & { criterion: string }) | PrevalenceHumanOnly | null;
  ppi: PpiReport | null;
  /** An active sheet's inverse-probability-weighted estimates (active-estimate.ts), else null. */
  active: ActiveCalibration | null;
  /** A sequential session's replayed estimate and anytime-valid interval (sequential-session.ts), else null. */
  sequential: SequentialCalibration | null;
  /** The focus criterion's matched values, for the report's scatter plot. */
  points: { criterion: string; judge: number[]; human: number[] };
}

/**
 * Everything `plumb calibrate` reports, as one object: the join (with every item a criterion could
 * not use counted by reason), agreement at the chosen level per criterion, the human ceiling and
 * alternative-annotator test, the fitted mapping with its cross-validated error, the corrected
 * pass rate of a pass/fail criterion, and prediction-powered estimates under the gold's design.
 */
export function calibrate(opts: CalibrateOptions): CalibrationReport {
  const ctx = joinGold(opts);
  const { focus } = ctx;
  const join = joinSummary(ctx);
  const levels = agreementLevels(ctx);
  const focusPairs = pairsOf(ctx, focus);
  const mapping = mappingOf(ctx, focusPairs);
  const multi = multiRatedOf(ctx);
  // the ceiling is reported whenever items have two or more raters; the alt-test on request
  const ceiling = multi.some((m) => m.ratings.size >= 2)
    ? { criterion: focus, ...humanCeiling(multi, opts.scale.min, opts.scale.max) }
    : null;
  const { resolved, active, sequential, info: designInfo } = goldDesignOf(ctx);
  const design = resolved.design;

  // a pass/fail criterion (scale 0–1): the judge's pass rate corrected for its errors
  let prevalence: CalibrationReport['prevalence'] = null;
  if (opts.scale.min === 0 && opts.scale.max === 1 && !active && !sequential)
    prevalence = prevalenceOf(opts, focus, ctx.rated, ctx.human, design, resolved.refused);

  let alt: CalibrationReport['alt_test'] = null;
  if (opts.altTest) {
    alt = {
      criterion: focus,
      ceiling: humanCeiling(multi, opts.scale.min, opts.scale.max),
      ...altTest(multi, { ...opts.altTest, labels: 'numeric' }),
    };
  }

  // an active sheet's means and contrasts are in `active`: PPI++ for a random sample is not run
  const ppi = opts.ppi && !active && !sequential ? ppiOf(ctx, opts.ppi, resolved) : null;

  return {
    kind: 'calibration' as const,
    join,
    design: designInfo,
    scale: opts.scale,
    level: opts.level,
    bootstrap: { resamples: opts.bootstrap, seed: opts.seed },
    [opts.level]: levels,
    human_ceiling: ceiling,
    mapping,
    alt_test: alt,
    prevalence,
    ppi,
    /** An active sheet's inverse-probability-weighted estimates (active-estimate.ts), else null. */
    active,
    /** A sequential session's replayed estimate and anytime-valid interval (sequential-session.ts), else null. */
    sequential,
    /** The focus criterion's matched values, for the report's scatter plot. */
    points: { criterion: focus, judge: focusPairs.map((p) => p.j), human: focusPairs.map((p) => p.h) },
  };
}

/** The gold grouped per item and matched with the scores (a rater asked for who rated nothing is refused). */
function joinGold(opts: CalibrateOptions): Joined {
  const criteria = criteriaOf(opts);
  const baseCriteria = criteriaOf({ ...opts, criterion: undefined }).filter((c) => c !== 'overall');
  const humans = groupGold(opts.gold, opts.rubric, baseCriteria, opts.rater);
  if (opts.rater !== undefined && humans.size === 0)
    throw new UsageError(`no gold ratings by rater '${opts.rater}'`);
  const rated = new Set([...humans.values()].filter((h) => h.ratings.size > 0).map((h) => h.id));
  return {
    opts,
    criteria,
    baseCriteria,
    humans,
    rated,
    matched: opts.scores.items.filter((i) => rated.has(i.id)),
    refless: opts.rubric?.criteria.filter((k) => k.requires_reference).map((k) => k.name) ?? [],
    focus: opts.criterion ?? 'overall',
    human: (it, c) => humanFor(opts.rubric, it, humans.get(it.id), c),
  };
}

/** The matched items' (judge, human) pairs for criterion c: items missing either are left out. */
function pairsOf(ctx: Joined, c: string): Pair[] {
  return ctx.matched
    .map((it) => ({ it, j: judgeValue(it, c), h: ctx.human(it, c) }))
    .filter((p): p is Pair => p.j !== undefined && p.h !== undefined);
}

/** Why a matched item has no (judge, human) pair for criterion c, as a sentence; null when it has one. */
function whyDropped(ctx: Joined, it: ScoredItem, c: string): string | null {
  const j = judgeValue(it, c);
  const h = ctx.human(it, c);
  if (j !== undefined && h !== undefined) return null;
  if (j === undefined) {
    if (c === 'overall') return 'the judge gave no overall (the scores carry none for these items)';
    return ctx.refless.includes(c)
      ? `the judge could not score ${c} (it needs a reference these items lack)`
      : `the judge gave no ${c} score`;
  }
  if (c !== 'overall') return `no rating of ${c} in the gold`;
  const { baseCriteria } = ctx;
  const missing = baseCriteria.filter((k) => humanValue(ctx.humans.get(it.id), k) === undefined);
  if (!ctx.opts.rubric && baseCriteria.length === 0) return 'no human overall: the gold rates no criterion';
  return missing.length
    ? `no human overall: the gold has no "overall" and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not rated`
    : 'no human overall';
}

/** Per criterion, the matched items it used and those it left out, by reason. */
function criterionJoins(ctx: Joined): Record<string, CriterionJoin> {
  const joins: Record<string, CriterionJoin> = {};
  for (const c of ctx.criteria) {
    const dropped: Record<string, number> = {};
    let n = 0;
    for (const it of ctx.matched) {
      const why = whyDropped(ctx, it, c);
      if (why === null) n += 1;
      else dropped[why] = (dropped[why] ?? 0) + 1;
    }
    joins[c] = { n, dropped };
  }
  return joins;
}

/** The report's `join`: what was matched, what was left out and why, and what the human value is. */
function joinSummary(ctx: Joined): CalibrationJoin {
  const { opts, rated, matched, baseCriteria, refless } = ctx;
  const scoreIds = new Set(opts.scores.items.map((i) => i.id));
  const goldColumns = [...new Set(opts.gold.flatMap((g) => Object.keys(g.scores)))].sort();
  const known = new Set([...baseCriteria, 'overall']);
  const joins = criterionJoins(ctx);
  const unratedRows = opts.gold.filter((g) => Object.keys(g.scores).length === 0 && !rated.has(g.id));
  return {
    matched: matched.length,
    scored_items: opts.scores.items.length,
    gold_items: rated.size,
    missing_in_scores: [...rated].filter((id) => !scoreIds.has(id)),
    /** Gold rows with no rating filled in (an unfinished sheet): left out. */
    unrated_rows: new Set(unratedRows.map((g) => g.id)).size,
    /** Scored items without gold: the unlabelled set for PPI, not an error. */
    scored_without_gold: opts.scores.items.length - matched.length,
    gold_raters: [...new Set(opts.gold.map((g) => g.rater))].sort(),
    /** Gold columns that are no criterion of the scores (a renamed column?). */
    unknown_columns: goldColumns.filter((c) => !known.has(c)),
    human_value: opts.rater !== undefined ? `rater ${opts.rater}` : 'mean over raters',
    human_overall: opts.rubric
      ? `a gold "overall", else the rubric's ${opts.rubric.overall.method} of the rated criteria${refless.length ? ` (${refless.join(', ')} left out for items without a reference, as the judge's overall leaves it out)` : ''}`
      : `a gold "overall", else the mean of ${baseCriteria.join(', ')} (no rubric here to aggregate with)`,
    /** Per criterion: items used, and the matched items left out, by reason. */
    criteria: joins,
  };
}

/** Judge–human agreement per criterion at the level asked for (item, group or system). */
function agreementLevels(ctx: Joined): Record<string, Record<string, unknown>> {
  const { opts } = ctx;
  const boot = { resamples: opts.bootstrap, seed: opts.seed };
  const levels: Record<string, Record<string, unknown>> = {};
  for (const c of ctx.criteria) {
    const pairs = pairsOf(ctx, c);
    const judge = pairs.map((p) => p.j);
    const hum = pairs.map((p) => p.h);
    if (opts.level === 'item') levels[c] = itemLevel(judge, hum, opts.scale, boot);
    else if (opts.level === 'group') {
      const groups = pairsBy(pairs, 'group');
      if (groups.length === 0) throw new UsageError('--level group needs metadata.group on the scored items');
      levels[c] = groupLevel(groups, boot);
    } else {
      const field = opts.systemField ?? 'system';
      const systems = pairsBy(pairs, field);
      if (systems.length === 0)
        throw new UsageError(`--level system needs metadata.${field} on the scored items`);
      const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
      levels[c] = systemLevel(
        systems.map((s) => ({ judge: mean(s.judge), human: mean(s.human) })),
        boot,
      );
    }
  }
  return levels;
}

/** The fitted map of the focus criterion onto the human scale, with its cross-validated error (2+ pairs). */
function mappingOf(ctx: Joined, focusPairs: Pair[]): CalibrationMapping | null {
  const { opts } = ctx;
  return focusPairs.length >= 2
    ? {
        criterion: ctx.focus,
        n: focusPairs.length,
        ...evaluateMapping(
          opts.method,
          focusPairs.map((p) => p.j),
          focusPairs.map((p) => p.h),
          5,
          opts.seed,
        ),
      }
    : null;
}

/** The matched items of the focus criterion with the judge's value and each rater's (for the ceiling and alt-test). */
function multiRatedOf(ctx: Joined): MultiRatedItem[] {
  return ctx.matched
    .map((it) => ({
      id: it.id,
      judge: judgeValue(it, ctx.focus),
      ratings: ctx.humans.get(it.id)?.ratings.get(ctx.focus) ?? new Map(),
    }))
    .filter((m): m is MultiRatedItem => m.judge !== undefined && m.ratings.size > 0);
}

/**
 * How the gold was drawn: recorded on its sheet, detected, or assumed (and said). An active draw is
 * estimated by active-estimate.ts and a sequential session replayed by sequential-session.ts, never
 * as one of design.ts's random samples. `info` is the report's `design`.
 */
function goldDesignOf(ctx: Joined) {
  const { opts } = ctx;
  const activeSheet = isActiveSheet(opts.sheet) ? opts.sheet! : null;
  const sequentialSheet = isSequentialSheet(opts.sheet) ? opts.sheet! : null;
  const sequential = sequentialSheet && opts.session ? sequentialOf(opts, opts.session) : null;
  const resolved: DesignResolution = activeSheet
    ? activeResolution(activeSheet)
    : sequentialSheet
      ? sequentialResolution(sequentialSheet, sequential !== null)
      : resolveDesign(opts.sheet ?? null, opts.scores.items, ctx.rated);
  const design = resolved.design;
  const active =
    activeSheet && !activeSheetProblem(activeSheet)
      ? activeCalibration({
          sheet: activeSheet,
          items: opts.scores.items,
          criteria: [...new Set([...ctx.criteria.filter((c) => c !== 'overall'), 'overall'])],
          judge: judgeValue,
          human: ctx.human,
          focus: opts.criterion ?? 'overall',
          range: [opts.scale.min, opts.scale.max],
          alpha: opts.ppi?.alpha ?? 0.05,
          seed: opts.seed,
        })
      : null;
  const info: CalibrationDesign = {
    kind: active ? 'active' : sequential ? 'sequential' : (design?.kind ?? null),
    note: active ? active.note : sequential ? sequential.note : (design?.note ?? null),
    refused: active || sequential ? null : (resolved.refused ?? null),
    sheet: resolved.sheet,
    recorded: design ? ('recorded' in design ? design.recorded : !design.inferred) : false,
    ...(design?.kind === 'stratified' ? { stratified_by: design.stratified_by, strata: design.sizes } : {}),
    ...(design?.kind === 'clusters' ? { clustered_by: design.clustered_by } : {}),
    not_rated: resolved.not_rated,
    warnings: sequential ? sequential.warnings : resolved.warnings,
  };
  return { resolved, active, sequential, info };
}

/** A sequential session replayed from its design and ratings (sequential-session.ts). */
function sequentialOf(opts: CalibrateOptions, session: NonNullable<CalibrateOptions['session']>) {
  return sequentialCalibration({
    session: session.data,
    file: session.file,
    gold: opts.gold,
    rubric: opts.rubric,
    ...(opts.rater !== undefined ? { rater: opts.rater } : {}),
    ...(opts.scoresFile !== undefined ? { scoresFile: opts.scoresFile } : {}),
  });
}

/** A sequential sheet's design, as calibrate's other parts see it: no random-sample design to run. */
function sequentialResolution(sheet: SheetDesign, replayed: boolean): DesignResolution {
  return {
    design: null,
    refused: `${sheet.file} is a sequential session of plumb rate --active: ${
      replayed
        ? 'the estimators for random samples do not apply (see the sequential estimate)'
        : `its session file (${sheet.file.replace(/\.(csv|jsonl)$/i, '')}.session.json) is missing, so its design cannot be replayed`
    }; it is no random sample`,
    warnings: [],
    not_rated: { count: 0, ids: [] },
    sheet: sheet.file,
  };
}

/**
 * Prediction-powered estimates of the focus criterion under the gold's design (design.ts), with
 * AAI/EII per condition, the contrasts asked for with --compare, and ppi_py's own figure for parity.
 */
function ppiOf(
  ctx: Joined,
  ppiOpts: NonNullable<CalibrateOptions['ppi']>,
  resolved: DesignResolution,
): PpiReport {
  const { opts, focus } = ctx;
  const design = resolved.design;
  const alpha = ppiOpts.alpha;
  const carried = [
    ...(design && !('recorded' in design && design.recorded) ? [design.note] : []),
    ...resolved.warnings,
  ];
  const run: RunDesign = (items, get, hum, range) =>
    design
      ? designMean(design, opts.sheet ?? null, items, get, hum, (it) => ctx.rated.has(it.id), {
          alpha,
          seed: opts.seed,
          range,
          warnings: carried,
        })
      : null;
  const byCondition = opts.rubric && design ? indicesByCondition(ctx, opts.rubric, run) : {};
  const contrasts = opts.compare?.length && design ? contrastsFor(ctx, opts.compare, alpha, run) : null;
  const main = run(
    opts.scores.items,
    (it) => judgeValue(it, focus),
    (it) => ctx.human(it, focus),
    [opts.scale.min, opts.scale.max],
  );
  const parity = ppiPyParity(ctx, ppiOpts);
  return {
    criterion: focus,
    alpha,
    contrasts,
    ...(main ?? {
      estimate: null,
      ci: null,
      classical: null,
      naive: null,
      n_labelled: 0,
      n_unlabelled: 0,
      reason: resolved.refused ?? 'no design',
      warnings: carried,
    }),
    indices_by_condition: byCondition,
    ppi_py_parity: parity
      ? {
          label:
            ppiOpts.interval === 'bootstrap'
              ? 'ppi_py ppboot (λ fixed at the in-sample λ̂)'
              : 'ppi_py CLT (ppi_mean_ci: in-sample λ̂, z interval)',
          note: 'for comparison with ppi_py only: it treats the gold as independent items and under-covers at small n',
          estimate: parity.estimate,
          ci: parity.ci,
          lambda: parity.lambda,
        }
      : null,
  };
}

/** The judge's and the people's value of a rubric index for an item (the people's via the rubric). */
function indexValues(ctx: Joined, rubric: Rubric, index: string): { get: ValueOf; hum: ValueOf } {
  return {
    get: (it) => it.indices[index] ?? undefined,
    hum: (it) => humanIndices(rubric, ctx.humans.get(it.id))[index] ?? undefined,
  };
}

/** Each rubric index's PPI++ mean per condition (role × personalization), conditions in their order. */
function indicesByCondition(
  ctx: Joined,
  rubric: Rubric,
  run: RunDesign,
): Record<string, Record<string, DesignPpi | null>> {
  const byCondition: Record<string, Record<string, DesignPpi | null>> = {};
  for (const index of Object.keys(rubric.indices)) {
    const conds = new Map<string, { cond: ReturnType<typeof conditionOf>; items: ScoredItem[] }>();
    for (const it of ctx.opts.scores.items) {
      const cond = conditionOf(it.metadata);
      const key = conditionKey(cond);
      if (!conds.has(key)) conds.set(key, { cond, items: [] });
      conds.get(key)!.items.push(it);
    }
    byCondition[index] = {};
    const ordered = [...conds].sort((a, b) => compareConditions(a[1].cond, b[1].cond));
    const { get, hum } = indexValues(ctx, rubric, index);
    for (const [key, { items }] of ordered) byCondition[index]![key] = run(items, get, hum, [0, 1]);
  }
  return byCondition;
}

/** `--compare`'s contrasts of the focus criterion and of each rubric index (contrasts.ts). */
function contrastsFor(ctx: Joined, fields: string[], alpha: number, run: RunDesign): ContrastsReport {
  const { opts, focus } = ctx;
  const contrastOf = (get: ValueOf, hum: ValueOf, range: readonly [number, number]) =>
    contrastsOf(fields, cellsOf(ctx, fields, get, hum, range, run), alpha, { seed: opts.seed });
  const quantities: Record<string, Contrast[]> = {
    [focus]: contrastOf(
      (it) => judgeValue(it, focus),
      (it) => ctx.human(it, focus),
      [opts.scale.min, opts.scale.max],
    ),
  };
  if (opts.rubric)
    for (const index of Object.keys(opts.rubric.indices)) {
      const { get, hum } = indexValues(ctx, opts.rubric, index);
      quantities[index] = contrastOf(get, hum, [0, 1]);
    }
  return {
    by: fields,
    independence:
      'cells treated as independent samples: conservative when the same prompts appear in every cell',
    quantities,
  };
}

/**
 * The cells of --compare's fields, each with its PPI++ mean, and per prompt (metadata.group) each
 * cell's judge and human value: the paired contrasts.
 */
function cellsOf(
  ctx: Joined,
  fields: string[],
  get: ValueOf,
  hum: ValueOf,
  range: readonly [number, number],
  run: RunDesign,
): { cells: Cell[]; prompts: PromptCells } {
  const levelOf = (it: ScoredItem) => {
    const values = fields.map((f) => it.metadata[f.replace(/^metadata\./, '')]);
    return values.every((v) => typeof v === 'string' || typeof v === 'number') ? values.map(String) : null;
  };
  const groups = new Map<string, { levels: string[]; items: ScoredItem[] }>();
  const prompts: PromptCells = new Map();
  for (const it of ctx.opts.scores.items) {
    const lv = levelOf(it);
    if (!lv) continue;
    const key = lv.join(' × ');
    if (!groups.has(key)) groups.set(key, { levels: lv, items: [] });
    groups.get(key)!.items.push(it);
    const prompt = groupOf(it.metadata);
    const f = get(it);
    if (prompt === null || f === undefined) continue;
    if (!prompts.has(prompt)) prompts.set(prompt, new Map());
    const cells = prompts.get(prompt)!;
    // two items of one prompt in one cell (samples): the prompt cannot be paired cell by cell
    cells.set(key, cells.has(key) ? null : { f, y: ctx.rated.has(it.id) ? hum(it) : undefined });
  }
  return {
    cells: [...groups.values()].map((g) => ({ levels: g.levels, ppi: run(g.items, get, hum, range) })),
    prompts,
  };
}

/** ppi_py's own figure on the same items, for parity with ppi_py only (it under-covers at small n). */
function ppiPyParity(ctx: Joined, ppiOpts: NonNullable<CalibrateOptions['ppi']>) {
  const { opts, focus } = ctx;
  const isLabelled = (it: ScoredItem) => ctx.rated.has(it.id);
  const lab = opts.scores.items
    .filter(isLabelled)
    .map((it) => ({ f: judgeValue(it, focus), y: ctx.human(it, focus) }))
    .filter((p): p is { f: number; y: number } => p.f !== undefined && p.y !== undefined);
  const un = opts.scores.items
    .filter((it) => !isLabelled(it))
    .map((it) => judgeValue(it, focus))
    .filter((v): v is number => v !== undefined);
  return ppiMean(
    lab.map((p) => p.y),
    lab.map((p) => p.f),
    un,
    {
      alpha: ppiOpts.alpha,
      interval: ppiOpts.interval ?? 'clt',
      resamples: opts.bootstrap || 2000,
      seed: opts.seed,
    },
  );
}

/** An active sheet's design, as calibrate's other parts see it: no random-sample design to run. */
function activeResolution(sheet: SheetDesign): DesignResolution {
  const problem = activeSheetProblem(sheet);
  return {
    design: null,
    refused:
      problem ??
      `${sheet.file} is an active draw: the items were picked for the judge's uncertainty, so the estimators for random samples do not apply (see the active estimates)`,
    warnings: [],
    not_rated: { count: 0, ids: [] },
    sheet: sheet.file,
  };
}

/** Every item has gold: the pass rate is the people's, with its interval; nothing to correct. */
export interface PrevalenceHumanOnly {
  criterion: string;
  corrected: null;
  human_rate: ReturnType<typeof clusteredProportion>;
  reason: string;
}

/**
 * Lee et al.'s corrected pass rate on a 0–1 criterion. It assumes the gold is a simple random
 * sample of the items (so the judge's sensitivity and specificity on it carry over to the rest):
 * a stratified gold with unequal inclusion probabilities or whole prompts is refused with the
 * reason (PPI++ is design-weighted: use --ppi).
 */
function prevalenceOf(
  opts: CalibrateOptions,
  focus: string,
  rated: ReadonlySet<string>,
  human: (it: ScoredItem, c: string) => number | undefined,
  design: GoldDesign | null,
  refused: string | undefined,
): (PrevalenceResult & { criterion: string }) | PrevalenceHumanOnly {
  const binary = (v: number) => (v >= 0.5 ? 1 : 0); // a mean over samples or raters, rounded halves up
  const test = opts.scores.items
    .filter((it) => !rated.has(it.id))
    .map((it) => judgeValue(it, focus))
    .filter((v): v is number => v !== undefined);
  const pairs = opts.scores.items.flatMap((it) => {
    const j = judgeValue(it, focus);
    const h = rated.has(it.id) ? human(it, focus) : undefined;
    return j === undefined || h === undefined ? [] : [{ it, judge: binary(j), human: binary(h) }];
  });
  const result = roganGladen(test.map(binary), pairs, opts.ppi?.alpha ?? 0.05);
  const refuse = (reason: string) => ({ ...result, criterion: focus, corrected: null, reason });
  if (refused) return refuse(refused);
  if (test.length === 0 && pairs.length > 0) {
    // no test set: the people's own pass rate over every item is the answer
    const units = design ? unitsOf(design, opts.sheet ?? null) : null;
    return {
      criterion: focus,
      corrected: null,
      human_rate: clusteredProportion(
        pairs.map((p) => p.human),
        pairs.map((p) => (units ? units.cluster(p.it) : p.it.id)),
        1 - (opts.ppi?.alpha ?? 0.05),
      ),
      reason: 'every item has gold: the people’s pass rate is the answer, with nothing to correct',
    };
  }
  if (design?.kind === 'clusters')
    return refuse(
      `the gold is whole prompts (${design.note.split(':')[0]}): Lee et al.'s interval treats gold items as independent and would be too narrow; use --ppi (cluster-robust)`,
    );
  if (design?.kind === 'stratified' && !design.self_weighting)
    return refuse(
      `the gold was drawn by stratum at unequal rates (stratified by ${design.stratified_by}): Lee et al.'s interval assumes a simple random sample, and the judge's sensitivity and specificity on it would not carry over; use --ppi (design-weighted)`,
    );
  return { ...result, criterion: focus };
}

/** Splits judge/human pairs by a metadata field (items without it are left out). */
function pairsBy(
  pairs: { it: { metadata: Record<string, unknown> }; j: number; h: number }[],
  field: string,
) {
  const by = new Map<string, { judge: number[]; human: number[] }>();
  for (const p of pairs) {
    const key = String(p.it.metadata[field] ?? '');
    if (!key) continue;
    if (!by.has(key)) by.set(key, { judge: [], human: [] });
    by.get(key)!.judge.push(p.j);
    by.get(key)!.human.push(p.h);
  }
  return [...by.values()];
}
