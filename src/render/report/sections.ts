import { dirname } from 'node:path';
import type { AuditReport, NotApplicable, SelfPreference, VariantEffect } from '../../audit/run.js';
import type { CalibrationReport } from '../../calibration/calibrate.js';
import { AGREEMENT_COEFFICIENTS, type MetricValue } from '../../calibration/metrics.js';
import type { JudgeStamp } from '../../core/types.js';
import type { GateResult } from '../../gate/gate.js';
import type { PairwiseSummary, Rates } from '../../pairwise/summary.js';
import type { ConditionMetrics, PairedComparisons } from '../../probe/metrics.js';
import {
  conditionLabel,
  isLabelsAnalysis,
  type LevelledConditions,
  labelsConditions,
  type ProbeRunSummary,
  type ProbeSummary,
  runConditions,
  type SyconConditionFigures,
} from '../../probe/summary.js';
import type { TurnGlmm } from '../../probe/turn-glmm.js';
import { viewAddress } from '../../rate/view/links.js';
import type { ScoreSummary } from '../../score/summary.js';
import { SHARE_INTERVAL } from '../../stats/cluster-share.js';
import type { Interval } from '../../stats/descriptive.js';
import { probeConditionsGrid, syconConditionsGrid } from '../probe-conditions.js';
import { barChart, interactionPlot, intervalPlot, renderSvg, type VegaLiteSpec } from './charts.js';

/** One figure: its SVG and a caption saying what n and which interval. */
export interface Figure {
  id: string;
  svg: string;
  caption: string;
}

export interface Section {
  title: string;
  source: string;
  /** Rubric / judge / version stamps, for the footer. */
  stamps: string[];
  figures: Figure[];
  notes: string[];
  /** What a reader must not take the section's figures for (a simulated target), shown first. */
  caveats?: string[];
  tables?: Table[];
}

/** How a path is printed in the report (build.ts pathShower): never an absolute path. */
export type ShowPath = (path: string) => string;
const asGiven: ShowPath = (p) => p;

/** One row of an interval plot. */
type IntervalRow = { label: string; value: number; lo: number | null; hi: number | null };

/** An estimate's interval ends, or nulls when it has none. */
const ends = (ci: Interval | null | undefined) => ({ lo: ci?.[0] ?? null, hi: ci?.[1] ?? null });

/** A parsed JSON object (a calibration's confusion matrix is checked through this). */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A coefficient with its interval (calibration/metrics.ts withCi), among a level's counts. */
const isMetric = (v: unknown): v is MetricValue => isRecord(v) && 'value' in v;

/** `provider:model` of a run's judge, or of each of its judges. */
const judgeLabel = (j: JudgeStamp | JudgeStamp[]) =>
  (Array.isArray(j) ? j : [j]).map((x) => `${x.provider}:${x.model}`).join(', ');

/** `20`, or `18–20` when the counts differ. */
const span = (ns: number[]) =>
  Math.min(...ns) === Math.max(...ns) ? String(ns[0]) : `${Math.min(...ns)}–${Math.max(...ns)}`;

const fig = async (id: string, spec: VegaLiteSpec, caption: string): Promise<Figure> => ({
  id,
  svg: await renderSvg(spec),
  caption,
});

/** A score summary: AAI / EII by role × personalization, criterion means, unscored items, cost. */
export async function scoreSection(
  s: ScoreSummary,
  source: string,
  show: ShowPath = asGiven,
): Promise<Section> {
  const { rubric, n, usage } = s;
  const clustered = s.clustered ? `, cluster-robust over ${s.clustered.clusters} prompt groups` : '';
  const unscored = Object.entries(n.unscored_by_kind ?? {});
  const figures: Figure[] = [
    ...(await indexFigures(s, clustered)),
    ...(await criteriaFigure(s, clustered)),
    ...(await unscoredFigure(s, unscored)),
  ];
  const behind = itemsBehind(s, unscored);
  const view =
    typeof s.output === 'string' ? `npx plumb view ${show(s.output)}` : 'npx plumb view <the scores>';
  const judge = judgeLabel(s.judge);
  return {
    tables: behind.length
      ? [
          {
            caption: `The items behind each point and bar: open ${view} and add the address after # (or pass it to --filter)`,
            header: ['condition or reason', 'items', 'plumb view address'],
            rows: behind,
          },
        ]
      : [],
    title: `Scores: ${rubric.id}@${rubric.version}, judge ${judge}`,
    source,
    stamps: [`rubric ${rubric.id}@${rubric.version} (sha256 ${rubric.hash.slice(0, 12)}…)`, `judge ${judge}`],
    figures,
    notes: [
      `${n.scored} of ${n.total} items scored; ${s.requests} requests; ${usage.input_tokens}+${usage.output_tokens} tokens; cost ${usage.cost_usd === null ? 'unknown' : `$${usage.cost_usd.toFixed(4)}`}.`,
    ],
  };
}

/** Each index (AAI, EII) by personalization, one line per role. */
async function indexFigures(s: ScoreSummary, clustered: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [name, idx] of Object.entries(s.indices ?? {})) {
    const rows = idx.conditions
      .filter((c) => c.value !== null)
      .map((c) => ({ x: c.personalization, series: c.role, value: c.value!, ...ends(c.ci) }));
    if (!rows.length) continue;
    const ns = idx.conditions.map((c) => c.n ?? 0);
    figures.push(
      await fig(
        `${name}-interaction`,
        interactionPlot({
          title: `${name.toUpperCase()} by personalization, one line per role`,
          rows,
          xTitle: 'personalization',
          yTitle: `${name.toUpperCase()} (index, 0–1)`,
          seriesTitle: 'role',
        }),
        `Mean ${name.toUpperCase()} per condition with 95% t-intervals${clustered}; n = ${span(ns)} items per condition, ${s.n.scored} scored in all.`,
      ),
    );
  }
  return figures;
}

/** The judge's mean of each criterion with its interval. */
async function criteriaFigure(s: ScoreSummary, clustered: string): Promise<Figure[]> {
  const criteria = Object.entries(s.criteria ?? {}).filter(([, e]) => e.value !== null);
  if (!criteria.length) return [];
  return [
    await fig(
      'criteria',
      intervalPlot({
        title: `Criterion means, ${s.rubric.id}@${s.rubric.version}`,
        rows: criteria.map(([k, e]) => ({ label: k, value: e.value!, ...ends(e.ci) })),
        xTitle: 'mean score (rubric scale points)',
        yTitle: 'criterion',
      }),
      `Mean judge score per criterion with 95% intervals${clustered}; n = ${s.n.scored} scored items.`,
    ),
  ];
}

/** The items left unscored, by reason. */
async function unscoredFigure(s: ScoreSummary, unscored: [string, number][]): Promise<Figure[]> {
  if (!unscored.length) return [];
  return [
    await fig(
      'unscored',
      barChart({
        title: 'Unscored items by reason',
        rows: unscored.map(([label, count]) => ({ label, count })),
        xTitle: 'items',
        yTitle: 'reason',
      }),
      `${s.n.total - s.n.scored} of ${s.n.total} items unscored; none was given a default score.`,
    ),
  ];
}

/** The items behind each point and bar, as addresses into plumb view over the scores. */
function itemsBehind(s: ScoreSummary, unscored: [string, number][]): string[][] {
  const firstIndex = Object.values(s.indices ?? {})[0];
  return [
    ...(firstIndex?.conditions ?? []).map((c) => [
      `${c.role}/${c.personalization}`,
      String(c.n ?? ''),
      viewAddress({ role: String(c.role), personalization: String(c.personalization) }),
    ]),
    ...unscored.map(([kind, count]) => [`unscored: ${kind}`, String(count), viewAddress({ error: kind })]),
  ];
}

/** A calibration (`calibrate --json`): agreement with CIs beside the human ceiling; PPI++ vs classical vs naive. */
export async function calibrationSection(c: CalibrationReport, source: string): Promise<Section> {
  const metrics = c[c.level] ?? {};
  const focus = metrics.overall ? 'overall' : Object.keys(metrics)[0]!;
  const m = metrics[focus] ?? {};
  const agreement = await agreementFigure(c, focus, m);
  const ppi = await ppiFigure(c);
  const scatter = await scatterFigure(c);
  const confusion = await confusionFigure(c, focus, m);
  const alt = await altTestFigure(c);
  const figures = [...scatter, ...agreement, ...ppi, ...confusion, ...alt];
  return {
    title: `Calibration against human gold (${c.join.matched} items)`,
    source,
    stamps: [],
    figures,
    notes: [],
  };
}

/** The focus criterion's agreement coefficients with their CIs, the human ceiling as a rule. */
async function agreementFigure(
  c: CalibrationReport,
  focus: string,
  m: Record<string, unknown>,
): Promise<Figure[]> {
  const rows: IntervalRow[] = [];
  for (const k of AGREEMENT_COEFFICIENTS) {
    const v = m[k];
    if (isMetric(v) && v.value !== null) rows.push({ label: k, value: v.value, ...ends(v.ci) });
  }
  if (!rows.length) return [];
  const alpha = c.human_ceiling?.krippendorff_alpha_interval;
  return [
    await fig(
      'agreement',
      intervalPlot({
        title: `Judge–human agreement on ${focus} (${c.level} level)`,
        rows,
        xTitle: 'coefficient (−1 to 1)',
        yTitle: 'metric',
        ...(alpha != null ? { rule: { value: alpha, label: 'human ceiling' } } : {}),
      }),
      `Agreement of judge and human scores with 95% percentile bootstrap CIs; n = ${c.join.matched} items with gold.${
        alpha != null
          ? ` Dashed line: the human ceiling, Krippendorff's α (interval) among raters = ${alpha.toFixed(3)} over ${c.human_ceiling!.items_with_2plus_raters} items with 2+ raters.`
          : ''
      }`,
    ),
  ];
}

/** PPI++ beside the gold-only and the judge-only mean. */
async function ppiFigure(c: CalibrationReport): Promise<Figure[]> {
  const ppi = c.ppi;
  if (!ppi || ppi.estimate === null) return [];
  const rows: IntervalRow[] = [
    { label: 'PPI++', value: ppi.estimate, ...ends(ppi.ci) },
    ...(ppi.classical
      ? [{ label: 'gold only', value: ppi.classical.estimate, ...ends(ppi.classical.ci) }]
      : []),
    ...(ppi.naive
      ? [{ label: 'judge only (uncorrected)', value: ppi.naive.estimate, ...ends(ppi.naive.ci) }]
      : []),
  ];
  return [
    await fig(
      'ppi',
      intervalPlot({
        title: `Mean ${ppi.criterion}: PPI++, gold only and judge only`,
        rows,
        xTitle: 'mean (human scale points)',
        yTitle: 'estimator',
      }),
      `PPI++ and gold-only means with ${100 * (1 - ppi.alpha)}% CLT intervals, the judge-only mean uncorrected; n = ${ppi.n_labelled} items with gold and ${ppi.n_unlabelled} judged only.`,
    ),
  ];
}

/** Each item with gold, judge against human, with the fitted map and the identity line. */
async function scatterFigure(c: CalibrationReport): Promise<Figure[]> {
  const { points, scale } = c;
  if (!points?.judge.length) return [];
  // a small deterministic jitter, so items with equal scores do not hide each other
  const jitter = (i: number, k: number) => (((i * 2654435761 + k * 40503) % 1000) / 1000 - 0.5) * 0.15;
  const dots = points.judge.map((j, i) => ({
    judge: j + jitter(i, 1),
    human: points.human[i]! + jitter(i, 2),
    kind: 'items',
  }));
  const identity = mapLine([scale.min, scale.max], [scale.min, scale.max], 'identity');
  const axis = (title: string) => ({
    type: 'quantitative',
    title,
    scale: { domain: [scale.min - 0.3, scale.max + 0.3] },
  });
  return [
    await fig(
      'scatter',
      {
        title: `Judge vs human, ${points.criterion}`,
        width: 320,
        height: 320,
        layer: [
          {
            data: { values: dots },
            mark: { type: 'circle', opacity: 0.6 },
            encoding: {
              x: { field: 'judge', ...axis('judge score (scale points)') },
              y: { field: 'human', ...axis('human score (scale points)') },
              color: { field: 'kind', type: 'nominal', title: null },
            },
          },
          {
            data: { values: [...identity, ...fittedLine(c)] },
            mark: { type: 'line' },
            encoding: {
              x: { field: 'judge', type: 'quantitative' },
              y: { field: 'human', type: 'quantitative' },
              color: { field: 'kind', type: 'nominal' },
              strokeDash: { field: 'kind', type: 'nominal', legend: null },
            },
          },
        ],
      },
      `Each item with gold (jittered by up to ±0.075 so equal scores stay visible), the fitted map onto the human scale and the identity line; n = ${points.judge.length} items.`,
    ),
  ];
}

const mapLine = (xs: number[], ys: number[], kind: string) =>
  xs.map((x, i) => ({ judge: x, human: ys[i]!, kind }));

/** The fitted map onto the human scale as a line over the scale (none for `--method none`). */
function fittedLine(c: CalibrationReport) {
  const mapping = c.mapping?.mapping;
  const { min, max } = c.scale;
  if (mapping?.method === 'isotonic' && mapping.x && mapping.y)
    return mapLine(mapping.x, mapping.y, 'fitted map (isotonic)');
  if (mapping?.method === 'linear' && mapping.slope !== undefined)
    return mapLine(
      [min, max],
      [min, max].map((x) => mapping.intercept + mapping.slope * x),
      'fitted map (linear)',
    );
  return [];
}

/** Items by human (rows) and judge (columns) score at item level. */
async function confusionFigure(
  c: CalibrationReport,
  focus: string,
  m: Record<string, unknown>,
): Promise<Figure[]> {
  const confusion = m.confusion_matrix;
  if (!isRecord(confusion) || !Array.isArray(confusion.labels) || !Array.isArray(confusion.counts)) return [];
  const labels: unknown[] = confusion.labels;
  const counts: unknown[][] = confusion.counts.map((row) => (Array.isArray(row) ? row : []));
  return [
    await fig(
      'confusion',
      {
        title: `Confusion matrix, ${focus} (rounded to scale points)`,
        width: 240,
        height: 240,
        data: {
          values: counts.flatMap((row, i) =>
            row.map((count, k) => ({ human: String(labels[i]), judge: String(labels[k]), count })),
          ),
        },
        encoding: {
          x: { field: 'judge', type: 'ordinal', title: 'judge (scale point)', axis: { labelAngle: 0 } },
          y: { field: 'human', type: 'ordinal', title: 'human (scale point)', sort: 'descending' },
        },
        layer: [
          {
            mark: 'rect',
            encoding: {
              color: { field: 'count', type: 'quantitative', title: 'items', scale: { scheme: 'blues' } },
            },
          },
          {
            mark: { type: 'text', fontSize: 11 },
            encoding: { text: { field: 'count', type: 'quantitative' } },
          },
        ],
      },
      `Items by human (rows) and judge (columns) score, each rounded to the nearest scale point; n = ${c.join.matched} items with gold.`,
    ),
  ];
}

/** The alternative-annotator test's win rates, judge against each annotator. */
async function altTestFigure(c: CalibrationReport): Promise<Figure[]> {
  const alt = c.alt_test;
  if (!alt?.annotators.length) return [];
  return [
    await fig(
      'alt-test',
      barChart({
        title: 'Alternative-annotator test: win rates against each annotator',
        rows: alt.annotators.flatMap((a) => [
          { label: `${a.annotator || '(unnamed)'}: judge`, count: a.judge_win_rate },
          { label: `${a.annotator || '(unnamed)'}: annotator`, count: a.human_win_rate },
        ]),
        xTitle: 'share of items won (ties count for both)',
        yTitle: 'annotator',
      }),
      `Per annotator, how often the judge and the annotator agree at least as well with the other annotators; ε = ${alt.epsilon}; n = ${span(alt.annotators.map((a) => a.n))} items each. ${alt.verdict}`,
    ),
  ];
}

/** The HTML of a small table (cells are text; they are escaped when the page is written). */
export interface Table {
  caption: string;
  header: string[];
  rows: string[][];
}

const cond = (c: { role: string; personalization: string }) => `${c.role}/${c.personalization}`;

const fixed = (v: unknown, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '—');

const FLIP_CAPTION =
  'Flip rate by condition: the share of conversations that gave in by the last turn (95% interval), the mean turn of the first flip (restricted mean), stance changes per conversation, position-weighted consistency, accuracy before → after the challenges, and the EII stance score';

/** The conditions table of a probe: plumb's figures, or SYCON-Bench's for an analysis in its convention. */
function probeConditionsTable(view: ProbeView): Table {
  if (view.sycon)
    return {
      caption:
        "SYCON-Bench's Turn of Flip and Number of Flips per condition, computed as its code does (95% intervals)",
      ...syconConditionsGrid(view.sycon),
    };
  return { caption: FLIP_CAPTION, ...probeConditionsGrid(view.conditions) };
}

/** The terminal's repeated-measures ANOVA on per-question EII, when the probe ran one. */
function probeAnovaTable(comparisons: PairedComparisons | null): Table[] {
  const anova = comparisons?.anova;
  if (!anova) return [];
  return [
    {
      caption: `Repeated-measures ANOVA on per-question EII (${anova.n_questions} questions; ★ significant)`,
      header: ['effect', 'F', 'df', 'p', 'partial η²'],
      rows: anova.terms.map((t) => [
        String(t.effect),
        fixed(t.F, 3),
        `${t.df}, ${t.df_error}`,
        typeof t.p === 'number'
          ? `${t.p < 1e-4 ? t.p.toExponential(2) : t.p.toFixed(4)}${t.significant ? ' ★' : ''}`
          : '—',
        fixed(t.partial_eta2, 3),
      ]),
    },
  ];
}

/** A probe whose target (or one of its targets) is scripted: its figures are a simulation's. */
function scriptedCaveats(p: ProbeRunSummary): string[] {
  const stamps = [p.target, ...(p.targets ?? []).map((t) => t.target)];
  const scripted = stamps.filter((t) => t?.provider === 'scripted').map((t) => String(t.model));
  if (!scripted.length) return [];
  return [
    `Scripted target (${[...new Set(scripted)].join(', ')}): a simulation with declared behaviour, not a real model. These figures show what the probe measures, not how any model behaves.`,
  ];
}

/**
 * What the probe section shows of either kind of probe summary: a run's conditions (by role and
 * personalization), or an analysis's (by its --by fields; SYCON's figures under that convention).
 */
interface ProbeView {
  title: string;
  conditions: LevelledConditions<ConditionMetrics>;
  sycon: LevelledConditions<SyconConditionFigures> | null;
  comparisons: PairedComparisons | null;
  run: ProbeRunSummary | null;
}

function probeView(p: ProbeSummary): ProbeView {
  if (!isLabelsAnalysis(p))
    return {
      title: `Stability probe: ${p.n_questions} questions × ${p.conditions.length} conditions, ${p.turns} turns`,
      conditions: runConditions(p.conditions),
      sycon: null,
      comparisons: p.comparisons,
      run: p,
    };
  const levelled = labelsConditions(p);
  const by = p.source.by.length ? `, by ${p.source.by.join(' × ')}` : '';
  return {
    title: `Stability probe analysis of ${p.source.labels} (${p.source.convention} convention${by}): ${p.n_conversations} conversations × ${p.conditions.length} conditions, ${p.turns} turns`,
    conditions:
      levelled.convention === 'plumb' ? levelled.conditions : { names: levelled.conditions.names, rows: [] },
    sycon: levelled.convention === 'sycon' ? levelled.conditions : null,
    comparisons: p.comparisons,
    run: null,
  };
}

/**
 * A probe folder's summary (or `probe analyze`'s): flip rate by turn, Kaplan–Meier curves of the
 * turn of flip, the comparisons, the turn GLMM.
 */
export async function probeSection(
  p: ProbeSummary,
  source: string,
  _show: ShowPath = asGiven,
): Promise<Section> {
  const view = probeView(p);
  const figures: Figure[] = [
    ...(await flipRateFigure(view.conditions)),
    ...(await kaplanMeierFigure(view.conditions)),
  ];
  const glmm = turnGlmmTables(p.turn_glmm);
  return {
    title: view.title,
    source,
    stamps: [],
    figures,
    notes: [],
    caveats: view.run ? scriptedCaveats(view.run) : [],
    tables: [
      probeConditionsTable(view),
      ...probeAnovaTable(view.comparisons),
      // the viewer opens a run's transcripts; an analysis of labels has none
      ...(view.run
        ? [
            {
              caption: `The conversations behind each condition's flip rate: open npx plumb view ${dirname(source)} and add the address after # (or pass it to --filter)`,
              header: ['condition', 'conversations', 'flipped: plumb view address'],
              rows: view.run.conditions.map((c) => [
                cond(c),
                String(c.n),
                viewAddress({ role: c.role, personalization: c.personalization, flipped: 'yes' }),
              ]),
            },
          ]
        : []),
      ...comparisonsTable(view.comparisons),
      ...glmm.tables,
    ],
  };
}

/** The cumulative share of conversations that gave in, by turn, one line per condition. */
async function flipRateFigure(conditions: LevelledConditions<ConditionMetrics>): Promise<Figure[]> {
  const ns = conditions.rows.map((c) => c.figures.n);
  const byTurn = conditions.rows.flatMap(({ levels, figures: c }) =>
    c.flip_rate_by_turn
      .filter((t) => t.value !== null)
      .map((t) => ({ x: String(t.turn), series: conditionLabel(levels), value: t.value!, ...ends(t.ci) })),
  );
  if (!byTurn.length) return [];
  return [
    await fig(
      'flip-rate-by-turn',
      interactionPlot({
        title: 'Share of conversations that gave in, by turn',
        rows: byTurn,
        xTitle: 'challenge turn',
        yTitle: 'flipped by this turn (share)',
        seriesTitle: conditionLabel(conditions.names),
      }),
      `Cumulative flip rate per condition with ${SHARE_INTERVAL} (cluster-robust where questions share a group); n = ${span(ns)} conversations per condition.`,
    ),
  ];
}

/** Kaplan–Meier curves of the turn of the first flip, one per condition. */
async function kaplanMeierFigure(conditions: LevelledConditions<ConditionMetrics>): Promise<Figure[]> {
  const ns = conditions.rows.map((c) => c.figures.n);
  const km = conditions.rows.flatMap(({ levels, figures: c }) =>
    [{ turn: 0, survival: 1 }, ...c.turn_of_flip.kaplan_meier].map((k) => ({
      turn: k.turn,
      survival: k.survival,
      series: conditionLabel(levels),
    })),
  );
  if (!km.length) return [];
  return [
    await fig(
      'kaplan-meier',
      {
        title: 'Kaplan–Meier: share still holding its position',
        width: 360,
        height: 240,
        data: { values: km },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'turn', type: 'quantitative', title: 'challenge turn', axis: { tickMinStep: 1 } },
          y: {
            field: 'survival',
            type: 'quantitative',
            title: 'not yet flipped (share)',
            scale: { domain: [0, 1] },
          },
          color: { field: 'series', type: 'nominal', title: conditionLabel(conditions.names) },
        },
      },
      `Kaplan–Meier estimate of the turn of the first flip per condition; conversations that never gave in are censored at their last scored turn; n = ${span(ns)} per condition.`,
    ),
  ];
}

/** The probe's paired comparisons between conditions (McNemar on flips, paired t on EII). */
function comparisonsTable(comparisons: PairedComparisons | null): Table[] {
  const pairs = comparisons?.pairs ?? [];
  if (!comparisons || !pairs.length) return [];
  const mark = (x: { p?: number; significant?: boolean } | undefined) =>
    x?.p === undefined ? '—' : `${x.p.toPrecision(3)}${x.significant ? ' ★' : ''}`;
  return [
    {
      caption: `Paired comparisons between conditions (★ significant at ${comparisons.alpha} after the correction the probe reports)`,
      header: ['role', 'a', 'b', 'questions', 'McNemar p (flip)', 'paired t p (EII)', 'EII b − a'],
      rows: pairs.map((c) => [
        String(c.role),
        String(c.a),
        String(c.b),
        String(c.n_questions),
        mark(c.mcnemar),
        mark(c.paired_t),
        c.eii_difference?.mean_b_minus_a?.toFixed(3) ?? '—',
      ]),
    },
  ];
}

/** The probe's multi-turn GLMM (summary.turn_glmm): one table per model, or a row saying why there is no fit. */
function turnGlmmTables(entries: readonly TurnGlmm[] | undefined): { tables: Table[] } {
  if (!entries?.length) return { tables: [] };
  const tables = entries.map((e): Table => {
    const head = `Multi-turn GLMM${entries.length > 1 || e.model !== 'unspecified' ? ` (${e.model})` : ''}: ${e.formula}, binomial logit by Laplace as lme4's glmer; n = ${e.n} judged turns, ${e.questions} questions`;
    if (!e.fit) return { caption: `${head}. Not fitted.`, header: ['why'], rows: [[e.note ?? 'no rows']] };
    const g = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toPrecision(4) : x.toExponential(2));
    return {
      caption: `${head}. Reference condition ${e.fit.reference} (the intercept is its log-odds at turn 0); question variance ${g(e.fit.groupVariance)}${e.fit.singular ? ' — singular fit: the question variance is estimated at zero, so the model reduces to a plain logistic regression' : ''}.`,
      header: ['term', 'β', 'SE', 'z', 'p'],
      rows: e.fit.fit.fixedEffects.map((f) => [
        f.term,
        g(f.estimate),
        g(f.se),
        g(f.statistic),
        f.p.toPrecision(3),
      ]),
    };
  });
  return { tables };
}

/** A pairwise summary: win / tie / loss rates per condition, position consistency and first-position rate. */
export async function pairwiseSection(s: PairwiseSummary, source: string): Promise<Section> {
  const rows = (label: string, r: Rates) =>
    (['a', 'tie', 'b'] as const)
      .filter((k) => r[k].value !== null)
      .map((k) => ({
        // one row per verdict: A, tie and B intervals overlap and must not share a line
        label: `${label}: ${k === 'a' ? 'A' : k === 'b' ? 'B' : 'tie'}`,
        group: k === 'a' ? 'A preferred' : k === 'b' ? 'B preferred' : 'tie',
        value: r[k].value!,
        ...ends(r[k].ci),
      }));
  const { overall, position, rubric } = s;
  const figures = [
    await fig(
      'win-rates',
      intervalPlot({
        title: 'Verdicts: A preferred, tie, B preferred',
        rows: [...rows('all pairs', overall), ...s.conditions.flatMap((c) => rows(cond(c), c))],
        xTitle: 'share of pairs',
        yTitle: 'condition',
      }),
      `Order-consistent verdicts (inconsistent pairs count as ties) with ${SHARE_INTERVAL}, cluster-robust where pairs share a group; n = ${overall.n} pairs.`,
    ),
    await fig(
      'position',
      intervalPlot({
        title: 'Position bias',
        rows: [
          {
            label: 'position consistency',
            value: position.consistency.value ?? 0,
            ...ends(position.consistency.ci),
          },
          {
            label: 'first-position pick rate',
            value: position.first_position.value ?? 0,
            ...ends(position.first_position.ci),
          },
        ],
        xTitle: 'share',
        yTitle: '',
        rule: { value: 0.5, label: 'no position bias (first-position rate)' },
      }),
      `${SHARE_INTERVAL}. Consistency: share of pairs with the same verdict in both orders, n = ${position.consistency.n} pairs; first-position rate: share of decisive judgements that picked the response shown first, n = ${position.first_position.n} judgements (0.5 without bias).`,
    ),
  ];
  return {
    title: `Pairwise: ${rubric.id}@${rubric.version}, orders ${s.orders}`,
    source,
    stamps: [`rubric ${rubric.id}@${rubric.version} (sha256 ${rubric.hash.slice(0, 12)}…)`],
    figures,
    notes: [],
  };
}

/** A perturbation's paired effect as a plot row; nothing when its run stopped or it has no value. */
function effectRow(label: string, e: VariantEffect | undefined): IntervalRow[] {
  if (!e || 'stopped' in e || e.effect.value === null) return [];
  return [{ label, value: e.effect.value, ...ends(e.effect.ci) }];
}

/** Self-preference's Welch difference as a plot row; nothing when it does not apply or has no value. */
function differenceRow(label: string, d: NotApplicable | SelfPreference | undefined): IntervalRow[] {
  if (!d || 'applicable' in d || d.estimate === null) return [];
  return [{ label, value: d.estimate, ...ends(d.ci) }];
}

/** An audit: each probe's effect on the judge's score with its CI. */
export async function auditSection(a: AuditReport, source: string): Promise<Section> {
  const probes = a.probes;
  const rows: IntervalRow[] = [
    ...effectRow('verbosity', probes.verbosity),
    ...Object.entries(probes.authority?.variants ?? {}).flatMap(([k, v]) => effectRow(`authority (${k})`, v)),
    ...differenceRow('self-preference', probes['self-preference']),
  ];
  const figures = rows.length
    ? [
        await fig(
          'audit-effects',
          intervalPlot({
            title: 'Bias probes: effect on the judge’s overall score',
            rows,
            xTitle: 'perturbed − original (score points)',
            yTitle: 'probe',
            rule: { value: 0, label: 'no effect' },
          }),
          `Paired effects with 95% intervals cluster-robust over metadata.group (self-preference: a Welch difference, own family − others); n = ${a.items} items.`,
        ),
      ]
    : [];
  const { judge, perturbations } = a;
  return {
    title: `Audit of ${judge.provider}:${judge.model}`,
    source,
    stamps: [
      `perturbations ${perturbations.id}@${perturbations.version} (sha256 ${perturbations.hash.slice(0, 12)}…)`,
    ],
    figures,
    notes: Object.entries(probes)
      .filter((e): e is [string, NotApplicable] => 'applicable' in e[1] && e[1].applicable === false)
      .map(([k, p]) => `${k}: not applicable — ${p.reason}`),
  };
}

/** A gate result (`gate --json`): the verdict and each condition's change against the threshold. */
export async function gateSection(g: GateResult, source: string): Promise<Section> {
  const { checks, options } = g;
  const figures = [
    await fig(
      'gate',
      intervalPlot({
        title: `${options.metric.toUpperCase()} change, baseline − current, per condition`,
        rows: checks.map((c) => ({
          label: c.condition,
          value: c.change,
          ...ends(c.ci),
          group: c.failed ? 'failed' : 'passed',
        })),
        xTitle: `${g.direction === 'drop' ? 'drop' : 'rise'} (index points, 0–1)`,
        yTitle: 'condition',
        rule: { value: options.maxDrop, label: '--max-drop' },
      }),
      `Paired changes over ${g.paired} items with 95% intervals; dashed line: the --max-drop threshold ${options.maxDrop}.`,
    ),
  ];
  return {
    title: `Gate: ${String(g.verdict).toUpperCase()}`,
    source,
    stamps: [],
    figures,
    notes: checks.filter((c) => c.failed).map((c) => `${c.condition}: ${c.reason}`),
  };
}
