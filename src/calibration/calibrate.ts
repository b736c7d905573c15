import { compareConditions, conditionKey, conditionOf, groupOf } from '../core/conditions.js';
import { UsageError } from '../core/errors.js';
import type { Rubric } from '../rubrics/schema.js';
import { type AltTestResult, altTest, humanCeiling, type MultiRatedItem } from './alt-test.js';
import { contrastsOf, type PromptCells } from './contrasts.js';
import type { GoldRating } from './gold.js';
import { groupGold, humanIndices, humanValue, judgeValue, type ScoresFile } from './join.js';
import { evaluateMapping, type MappingMethod } from './mapping.js';
import { groupLevel, itemLevel, type Scale, systemLevel } from './metrics.js';
import { type PpiInterval, type PpiResult, ppiMean } from './ppi.js';
import { type PrevalenceResult, roganGladen } from './prevalence.js';

export interface CalibrateOptions {
  scores: ScoresFile;
  gold: GoldRating[];
  rubric: Rubric | null;
  scale: Scale;
  criterion?: string;
  level: 'item' | 'group' | 'system';
  rater?: string;
  method: MappingMethod;
  bootstrap: number;
  seed: number;
  altTest?: { epsilon: number; q: number; minItems: number } | null;
  ppi?: { alpha: number; interval?: PpiInterval } | null;
  /** With ppi: metadata fields whose levels to contrast (`role,personalization`). */
  compare?: string[] | null;
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

/**
 * Everything `plumb calibrate` reports, as one object: the join, agreement at the chosen level
 * per criterion, the human ceiling and alternative-annotator test, the fitted mapping with its
 * cross-validated error, and prediction-powered estimates.
 */
export function calibrate(opts: CalibrateOptions) {
  const criteria = criteriaOf(opts);
  const baseCriteria = opts.rubric
    ? opts.rubric.criteria.map((c) => c.name)
    : criteria.filter((c) => c !== 'overall');
  const humans = groupGold(opts.gold, opts.rubric, baseCriteria, opts.rater);
  if (opts.rater !== undefined && humans.size === 0)
    throw new UsageError(`no gold ratings by rater '${opts.rater}'`);
  const scoreIds = new Set(opts.scores.items.map((i) => i.id));
  const matched = opts.scores.items.filter((i) => humans.has(i.id));
  const join = {
    matched: matched.length,
    scored_items: opts.scores.items.length,
    gold_items: humans.size,
    missing_in_scores: [...humans.keys()].filter((id) => !scoreIds.has(id)),
    /** Scored items without gold: the unlabelled set for PPI, not an error. */
    scored_without_gold: opts.scores.items.length - matched.length,
    gold_raters: [...new Set(opts.gold.map((g) => g.rater))].sort(),
    human_value: opts.rater !== undefined ? `rater ${opts.rater}` : 'mean over raters',
    human_overall: opts.rubric
      ? `a gold "overall", else the rubric's ${opts.rubric.overall.method} of the rated criteria`
      : `a gold "overall", else the mean of ${baseCriteria.join(', ')} (no rubric here to aggregate with)`,
  };
  const boot = { resamples: opts.bootstrap, seed: opts.seed };

  const levels: Record<string, Record<string, unknown>> = {};
  for (const c of criteria) {
    const pairs = matched
      .map((it) => ({ it, j: judgeValue(it, c), h: humanValue(humans.get(it.id), c) }))
      .filter(
        (p): p is { it: (typeof matched)[number]; j: number; h: number } =>
          p.j !== undefined && p.h !== undefined,
      );
    const judge = pairs.map((p) => p.j);
    const human = pairs.map((p) => p.h);
    if (opts.level === 'item') levels[c] = itemLevel(judge, human, opts.scale, boot);
    else if (opts.level === 'group') {
      const groups = pairsBy(pairs, 'group');
      if (groups.length === 0) throw new UsageError('--level group needs metadata.group on the scored items');
      levels[c] = groupLevel(groups, boot);
    } else {
      const systems = pairsBy(pairs, 'system');
      if (systems.length === 0)
        throw new UsageError('--level system needs metadata.system on the scored items');
      const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
      levels[c] = systemLevel(
        systems.map((s) => ({ judge: mean(s.judge), human: mean(s.human) })),
        boot,
      );
    }
  }

  // The mapping, alt-test and PPI concern one criterion: the one asked for, else overall.
  const focus = opts.criterion ?? 'overall';
  const focusPairs = matched
    .map((it) => ({ j: judgeValue(it, focus), h: humanValue(humans.get(it.id), focus) }))
    .filter((p): p is { j: number; h: number } => p.j !== undefined && p.h !== undefined);
  const mapping =
    focusPairs.length >= 2
      ? {
          criterion: focus,
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

  const multi: MultiRatedItem[] = matched
    .map((it) => ({
      id: it.id,
      judge: judgeValue(it, focus),
      ratings: humans.get(it.id)?.ratings.get(focus) ?? new Map(),
    }))
    .filter((m): m is MultiRatedItem => m.judge !== undefined && m.ratings.size > 0);
  // the ceiling is reported whenever items have two or more raters; the alt-test on request
  const ceiling = multi.some((m) => m.ratings.size >= 2)
    ? { criterion: focus, ...humanCeiling(multi, opts.scale.min, opts.scale.max) }
    : null;
  // a pass/fail criterion (scale 0–1): the judge's pass rate corrected for its sensitivity and specificity
  let prevalence: (PrevalenceResult & { criterion: string }) | null = null;
  if (opts.scale.min === 0 && opts.scale.max === 1) {
    const binary = (v: number) => (v >= 0.5 ? 1 : 0); // a mean over samples or raters, rounded halves up
    const test = opts.scores.items
      .filter((it) => !humans.has(it.id))
      .map((it) => judgeValue(it, focus))
      .filter((v): v is number => v !== undefined);
    const gold = opts.scores.items.flatMap((it) => {
      const j = judgeValue(it, focus);
      const h = humanValue(humans.get(it.id), focus);
      return j === undefined || h === undefined ? [] : [{ judge: binary(j), human: binary(h) }];
    });
    const all = opts.scores.items
      .map((it) => judgeValue(it, focus))
      .filter((v): v is number => v !== undefined);
    // with every item in gold there is no separate test set: the judge's rate over all of them
    prevalence = { criterion: focus, ...roganGladen((test.length ? test : all).map(binary), gold) };
  }

  let alt: (AltTestResult & { criterion: string; ceiling: ReturnType<typeof humanCeiling> }) | null = null;
  if (opts.altTest) {
    alt = {
      criterion: focus,
      ceiling: humanCeiling(multi, opts.scale.min, opts.scale.max),
      ...altTest(multi, { ...opts.altTest, labels: 'numeric' }),
    };
  }

  let ppi: Record<string, unknown> | null = null;
  if (opts.ppi) {
    const labelled = opts.scores.items.filter((it) => humans.has(it.id));
    const unlabelled = opts.scores.items.filter((it) => !humans.has(it.id));
    const run = (
      get: (it: (typeof labelled)[number]) => number | undefined,
      human: (it: (typeof labelled)[number]) => number | undefined,
      pool = labelled,
      rest = unlabelled,
    ) => {
      const lab = pool
        .map((it) => ({ f: get(it), y: human(it) }))
        .filter((p): p is { f: number; y: number } => p.f !== undefined && p.y !== undefined);
      const un = rest.map(get).filter((v): v is number => v !== undefined);
      return ppiMean(
        lab.map((p) => p.y),
        lab.map((p) => p.f),
        un,
        { alpha: opts.ppi!.alpha, interval: opts.ppi!.interval, resamples: opts.bootstrap, seed: opts.seed },
      );
    };
    const byCondition: Record<string, Record<string, PpiResult | null>> = {};
    if (opts.rubric) {
      for (const index of Object.keys(opts.rubric.indices)) {
        const conds = new Map<
          string,
          { cond: ReturnType<typeof conditionOf>; lab: typeof labelled; un: typeof unlabelled }
        >();
        for (const it of opts.scores.items) {
          const cond = conditionOf(it.metadata);
          const key = conditionKey(cond);
          if (!conds.has(key)) conds.set(key, { cond, lab: [], un: [] });
          (humans.has(it.id) ? conds.get(key)!.lab : conds.get(key)!.un).push(it);
        }
        byCondition[index] = {};
        const ordered = [...conds].sort((a, b) => compareConditions(a[1].cond, b[1].cond));
        for (const [key, { lab, un }] of ordered) {
          byCondition[index]![key] = run(
            (it) => it.indices[index] ?? undefined,
            (it) => humanIndices(opts.rubric!, humans.get(it.id))[index] ?? undefined,
            lab,
            un,
          );
        }
      }
    }
    let contrasts: Record<string, unknown> | null = null;
    if (opts.compare?.length) {
      const fields = opts.compare;
      const levelOf = (it: (typeof labelled)[number]) => {
        const levels = fields.map((f) => it.metadata[f.replace(/^metadata\./, '')]);
        return levels.every((v) => typeof v === 'string' || typeof v === 'number')
          ? levels.map(String)
          : null;
      };
      const cellsFor = (
        get: (it: (typeof labelled)[number]) => number | undefined,
        human: (it: (typeof labelled)[number]) => number | undefined,
      ) => {
        const groups = new Map<string, { levels: string[]; lab: typeof labelled; un: typeof unlabelled }>();
        // per prompt (metadata.group), each cell's judge and human value: the paired contrasts
        const prompts: PromptCells = new Map();
        for (const it of opts.scores.items) {
          const levels = levelOf(it);
          if (!levels) continue;
          const key = levels.join(' × ');
          if (!groups.has(key)) groups.set(key, { levels, lab: [], un: [] });
          (humans.has(it.id) ? groups.get(key)!.lab : groups.get(key)!.un).push(it);
          const prompt = groupOf(it.metadata);
          const f = get(it);
          if (prompt === null || f === undefined) continue;
          if (!prompts.has(prompt)) prompts.set(prompt, new Map());
          const cells = prompts.get(prompt)!;
          // two items of one prompt in one cell (samples): the prompt cannot be paired cell by cell
          cells.set(key, cells.has(key) ? null : { f, y: humans.has(it.id) ? human(it) : undefined });
        }
        return {
          cells: [...groups.values()].map((g) => ({ levels: g.levels, ppi: run(get, human, g.lab, g.un) })),
          prompts,
        };
      };
      const ppiOptions = {
        alpha: opts.ppi.alpha,
        interval: opts.ppi.interval,
        resamples: opts.bootstrap,
        seed: opts.seed,
      };
      const quantities: Record<string, ReturnType<typeof contrastsOf>> = {
        [focus]: contrastsOf(
          fields,
          cellsFor(
            (it) => judgeValue(it, focus),
            (it) => humanValue(humans.get(it.id), focus),
          ),
          opts.ppi.alpha,
          ppiOptions,
        ),
      };
      if (opts.rubric)
        for (const index of Object.keys(opts.rubric.indices))
          quantities[index] = contrastsOf(
            fields,
            cellsFor(
              (it) => it.indices[index] ?? undefined,
              (it) => humanIndices(opts.rubric!, humans.get(it.id))[index] ?? undefined,
            ),
            opts.ppi.alpha,
            ppiOptions,
          );
      contrasts = {
        by: fields,
        independence:
          'cells treated as independent samples: conservative when the same prompts appear in every cell',
        quantities,
      };
    }
    ppi = {
      criterion: focus,
      alpha: opts.ppi.alpha,
      contrasts,
      ...(run(
        (it) => judgeValue(it, focus),
        (it) => humanValue(humans.get(it.id), focus),
      ) ?? { estimate: null, reason: 'needs at least 2 items with gold and 1 without' }),
      indices_by_condition: byCondition,
    };
  }

  return {
    kind: 'calibration' as const,
    join,
    scale: opts.scale,
    level: opts.level,
    [opts.level]: levels,
    human_ceiling: ceiling,
    mapping,
    alt_test: alt,
    prevalence,
    ppi,
    /** The focus criterion's matched values, for the report's scatter plot. */
    points: { criterion: focus, judge: focusPairs.map((p) => p.j), human: focusPairs.map((p) => p.h) },
  };
}

export type CalibrationReport = ReturnType<typeof calibrate>;

/** Splits judge/human pairs by a metadata field (items without it are left out). */
function pairsBy(
  pairs: { it: { metadata: Record<string, unknown> }; j: number; h: number }[],
  field: 'group' | 'system',
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
