import { dirname } from 'node:path';
import { AGREEMENT_COEFFICIENTS } from '../../calibration/metrics.js';
import { viewAddress } from '../../rate/view/links.js';
import { type ProbeConditionRow, probeConditionsGrid } from '../probe-conditions.js';
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

type Estimate = { value: number | null; ci: [number, number] | null; n?: number };
type Json = Record<string, unknown>;

/** `20`, or `18–20` when the counts differ. */
const span = (ns: number[]) =>
  Math.min(...ns) === Math.max(...ns) ? String(ns[0]) : `${Math.min(...ns)}–${Math.max(...ns)}`;

const fig = async (id: string, spec: VegaLiteSpec, caption: string): Promise<Figure> => ({
  id,
  svg: await renderSvg(spec),
  caption,
});

/** A score summary: AAI / EII by role × personalization, criterion means, unscored items, cost. */
export async function scoreSection(s: Json, source: string, show: ShowPath = asGiven): Promise<Section> {
  const rubric = s.rubric as { id: string; version: string; hash: string };
  const judge = s.judge as { provider: string; model: string };
  const n = s.n as { total: number; scored: number; unscored_by_kind: Record<string, number> };
  const figures: Figure[] = [];
  const clustered = s.clustered
    ? `, cluster-robust over ${(s.clustered as { clusters: number }).clusters} prompt groups`
    : '';
  for (const [name, idx] of Object.entries(
    (s.indices ?? {}) as Record<
      string,
      { conditions: (Estimate & { role: string; personalization: string })[] }
    >,
  )) {
    const rows = idx.conditions
      .filter((c) => c.value !== null)
      .map((c) => ({
        x: c.personalization,
        series: c.role,
        value: c.value!,
        lo: c.ci?.[0] ?? null,
        hi: c.ci?.[1] ?? null,
      }));
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
        `Mean ${name.toUpperCase()} per condition with 95% t-intervals${clustered}; n = ${span(ns)} items per condition, ${n.scored} scored in all.`,
      ),
    );
  }
  const criteria = Object.entries((s.criteria ?? {}) as Record<string, Estimate>).filter(
    ([, e]) => e.value !== null,
  );
  if (criteria.length)
    figures.push(
      await fig(
        'criteria',
        intervalPlot({
          title: `Criterion means, ${rubric.id}@${rubric.version}`,
          rows: criteria.map(([k, e]) => ({
            label: k,
            value: e.value!,
            lo: e.ci?.[0] ?? null,
            hi: e.ci?.[1] ?? null,
          })),
          xTitle: 'mean score (rubric scale points)',
          yTitle: 'criterion',
        }),
        `Mean judge score per criterion with 95% intervals${clustered}; n = ${n.scored} scored items.`,
      ),
    );
  const unscored = Object.entries(n.unscored_by_kind ?? {});
  if (unscored.length)
    figures.push(
      await fig(
        'unscored',
        barChart({
          title: 'Unscored items by reason',
          rows: unscored.map(([label, count]) => ({ label, count })),
          xTitle: 'items',
          yTitle: 'reason',
        }),
        `${n.total - n.scored} of ${n.total} items unscored; none was given a default score.`,
      ),
    );
  const usage = s.usage as { input_tokens: number; output_tokens: number; cost_usd: number | null };
  // the items behind each point and bar, as addresses into plumb view over the scores
  const firstIndex = Object.values((s.indices ?? {}) as Record<string, { conditions: Json[] }>)[0];
  const behind = [
    ...(firstIndex?.conditions ?? []).map((c) => [
      `${c.role}/${c.personalization}`,
      String(c.n ?? ''),
      viewAddress({ role: String(c.role), personalization: String(c.personalization) }),
    ]),
    ...unscored.map(([kind, count]) => [`unscored: ${kind}`, String(count), viewAddress({ error: kind })]),
  ];
  const view =
    typeof s.output === 'string' ? `npx plumb view ${show(s.output)}` : 'npx plumb view <the scores>';
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
    title: `Scores: ${rubric.id}@${rubric.version}, judge ${judge.provider}:${judge.model}`,
    source,
    stamps: [
      `rubric ${rubric.id}@${rubric.version} (sha256 ${rubric.hash.slice(0, 12)}…)`,
      `judge ${judge.provider}:${judge.model}`,
    ],
    figures,
    notes: [
      `${n.scored} of ${n.total} items scored; ${s.requests} requests; ${usage.input_tokens}+${usage.output_tokens} tokens; cost ${usage.cost_usd === null ? 'unknown' : `$${usage.cost_usd.toFixed(4)}`}.`,
    ],
  };
}

/** A calibration (`calibrate --json`): agreement with CIs beside the human ceiling; PPI++ vs classical vs naive. */
export async function calibrationSection(c: Json, source: string): Promise<Section> {
  const level = c.level as string;
  const metrics = (c[level] ?? {}) as Record<string, Record<string, Estimate & { n?: number }>>;
  const focus = metrics.overall ? 'overall' : Object.keys(metrics)[0]!;
  const m = metrics[focus] ?? {};
  const names = AGREEMENT_COEFFICIENTS;
  const rows = names
    .filter((k) => m[k] && m[k]!.value !== null)
    .map((k) => ({ label: k, value: m[k]!.value!, lo: m[k]!.ci?.[0] ?? null, hi: m[k]!.ci?.[1] ?? null }));
  const ceiling = c.human_ceiling as {
    krippendorff_alpha_interval: number | null;
    items_with_2plus_raters: number;
  } | null;
  const join = c.join as { matched: number };
  const figures: Figure[] = [];
  if (rows.length)
    figures.push(
      await fig(
        'agreement',
        intervalPlot({
          title: `Judge–human agreement on ${focus} (${level} level)`,
          rows,
          xTitle: 'coefficient (−1 to 1)',
          yTitle: 'metric',
          ...(ceiling?.krippendorff_alpha_interval != null
            ? { rule: { value: ceiling.krippendorff_alpha_interval, label: 'human ceiling' } }
            : {}),
        }),
        `Agreement of judge and human scores with 95% percentile bootstrap CIs; n = ${join.matched} items with gold.${
          ceiling?.krippendorff_alpha_interval != null
            ? ` Dashed line: the human ceiling, Krippendorff's α (interval) among raters = ${ceiling.krippendorff_alpha_interval.toFixed(3)} over ${ceiling.items_with_2plus_raters} items with 2+ raters.`
            : ''
        }`,
      ),
    );
  type Corrected = { estimate: number; ci: [number, number] };
  const ppi = c.ppi as
    | (Json & {
        estimate: number | null;
        ci: [number, number];
        classical: Corrected;
        naive: Corrected;
        n_labelled: number;
        n_unlabelled: number;
      })
    | null;
  if (ppi && ppi.estimate !== null)
    figures.push(
      await fig(
        'ppi',
        intervalPlot({
          title: `Mean ${String(ppi.criterion)}: PPI++, gold only and judge only`,
          rows: [
            { label: 'PPI++', value: ppi.estimate, lo: ppi.ci[0], hi: ppi.ci[1] },
            {
              label: 'gold only',
              value: ppi.classical.estimate,
              lo: ppi.classical.ci[0],
              hi: ppi.classical.ci[1],
            },
            {
              label: 'judge only (uncorrected)',
              value: ppi.naive.estimate,
              lo: ppi.naive.ci[0],
              hi: ppi.naive.ci[1],
            },
          ],
          xTitle: 'mean (human scale points)',
          yTitle: 'estimator',
        }),
        `PPI++ and gold-only means with ${100 * (1 - Number(ppi.alpha ?? 0.05))}% CLT intervals, the judge-only mean uncorrected; n = ${ppi.n_labelled} items with gold and ${ppi.n_unlabelled} judged only.`,
      ),
    );
  const points = c.points as { criterion: string; judge: number[]; human: number[] } | undefined;
  const scale = c.scale as { min: number; max: number };
  const mapping = (
    c.mapping as {
      mapping: { method: string; x?: number[]; y?: number[]; slope?: number; intercept?: number };
    } | null
  )?.mapping;
  if (points?.judge.length) {
    // a small deterministic jitter, so items with equal scores do not hide each other
    const jitter = (i: number, k: number) => (((i * 2654435761 + k * 40503) % 1000) / 1000 - 0.5) * 0.15;
    const dots = points.judge.map((j, i) => ({
      judge: j + jitter(i, 1),
      human: points.human[i]! + jitter(i, 2),
      kind: 'items',
    }));
    const line = (xs: number[], ys: number[], kind: string) =>
      xs.map((x, i) => ({ judge: x, human: ys[i]!, kind }));
    const fitted =
      mapping?.method === 'isotonic' && mapping.x && mapping.y
        ? line(mapping.x, mapping.y, 'fitted map (isotonic)')
        : mapping?.method === 'linear' && mapping.slope !== undefined
          ? line(
              [scale.min, scale.max],
              [scale.min, scale.max].map((x) => mapping.intercept! + mapping.slope! * x),
              'fitted map (linear)',
            )
          : [];
    const identity = line([scale.min, scale.max], [scale.min, scale.max], 'identity');
    const axis = (title: string) => ({
      type: 'quantitative',
      title,
      scale: { domain: [scale.min - 0.3, scale.max + 0.3] },
    });
    figures.unshift(
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
              data: { values: [...identity, ...fitted] },
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
    );
  }
  const confusion = m.confusion_matrix as unknown as { labels: number[]; counts: number[][] } | undefined;
  if (confusion)
    figures.push(
      await fig(
        'confusion',
        {
          title: `Confusion matrix, ${focus} (rounded to scale points)`,
          width: 240,
          height: 240,
          data: {
            values: confusion.counts.flatMap((row, i) =>
              row.map((count, k) => ({
                human: String(confusion.labels[i]),
                judge: String(confusion.labels[k]),
                count,
              })),
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
        `Items by human (rows) and judge (columns) score, each rounded to the nearest scale point; n = ${join.matched} items with gold.`,
      ),
    );
  const alt = c.alt_test as {
    annotators: { annotator: string; n: number; judge_win_rate: number; human_win_rate: number }[];
    epsilon: number;
    verdict: string;
  } | null;
  if (alt?.annotators.length)
    figures.push(
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
    );
  return {
    title: `Calibration against human gold (${join.matched} items)`,
    source,
    stamps: [],
    figures,
    notes: [],
  };
}

/** The HTML of a small table (cells are text; they are escaped when the page is written). */
export interface Table {
  caption: string;
  header: string[];
  rows: string[][];
}

const cond = (c: { role: string; personalization: string }) => `${c.role}/${c.personalization}`;

const fixed = (v: unknown, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '—');

/** The terminal's conditions table of a probe: flip rate, turn of flip, flips, PWC, accuracy, EII. */
function probeConditionsTable(p: Json): Table {
  const grid = probeConditionsGrid(p.conditions as unknown as ProbeConditionRow[]);
  return {
    caption:
      'Flip rate by condition: the share of conversations that gave in by the last turn (95% interval), the mean turn of the first flip (restricted mean), stance changes per conversation, position-weighted consistency, accuracy before → after the challenges, and the EII stance score',
    ...grid,
  };
}

/** The terminal's repeated-measures ANOVA on per-question EII, when the probe ran one. */
function probeAnovaTable(p: Json): Table[] {
  const anova = (p.comparisons as { anova?: { n_questions: number; terms: Json[] } | null } | null)?.anova;
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
function scriptedCaveats(p: Json): string[] {
  const targets = [p.target, ...((p.targets as unknown[] | undefined) ?? [])] as (
    | { provider?: string; model?: string }
    | undefined
  )[];
  const scripted = targets.filter((t) => t?.provider === 'scripted').map((t) => t!.model);
  if (!scripted.length) return [];
  return [
    `Scripted target (${[...new Set(scripted)].join(', ')}): a simulation with declared behaviour, not a real model. These figures show what the probe measures, not how any model behaves.`,
  ];
}

/** A probe folder's summary: flip rate by turn, Kaplan–Meier curves of the turn of flip, the comparisons. */
export async function probeSection(p: Json, source: string, _show: ShowPath = asGiven): Promise<Section> {
  type Share = Estimate & { turn: number };
  const conditions = p.conditions as (Json & {
    role: string;
    personalization: string;
    n: number;
    flip_rate_by_turn: Share[];
    turn_of_flip: { kaplan_meier?: { turn: number; survival: number }[] };
  })[];
  const byTurn = conditions.flatMap((c) =>
    c.flip_rate_by_turn
      .filter((t) => t.value !== null)
      .map((t) => ({
        x: String(t.turn),
        series: cond(c),
        value: t.value!,
        lo: t.ci?.[0] ?? null,
        hi: t.ci?.[1] ?? null,
      })),
  );
  const figures: Figure[] = [];
  const ns = conditions.map((c) => c.n);
  if (byTurn.length)
    figures.push(
      await fig(
        'flip-rate-by-turn',
        interactionPlot({
          title: 'Share of conversations that gave in, by turn',
          rows: byTurn,
          xTitle: 'challenge turn',
          yTitle: 'flipped by this turn (share)',
          seriesTitle: 'role/personalization',
        }),
        `Cumulative flip rate per condition with 95% Wilson intervals (cluster-robust where questions share a group); n = ${span(ns)} conversations per condition.`,
      ),
    );
  const km = conditions.flatMap((c) =>
    [{ turn: 0, survival: 1 }, ...(c.turn_of_flip.kaplan_meier ?? [])].map((k) => ({
      turn: k.turn,
      survival: k.survival,
      series: cond(c),
    })),
  );
  if (km.length)
    figures.push(
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
            color: { field: 'series', type: 'nominal', title: 'role/personalization' },
          },
        },
        `Kaplan–Meier estimate of the turn of the first flip per condition; conversations that never gave in are censored at their last scored turn; n = ${span(ns)} per condition.`,
      ),
    );
  const comparisons = (p.comparisons as { alpha: number; pairs: Json[] } | null)?.pairs ?? [];
  const glmm = turnGlmmTables(p.turn_glmm);
  const mark = (x: { p?: number; significant?: boolean } | undefined) =>
    x?.p === undefined ? '—' : `${x.p.toPrecision(3)}${x.significant ? ' ★' : ''}`;
  return {
    title: `Stability probe: ${p.n_questions} questions × ${conditions.length} conditions, ${p.turns} turns`,
    source,
    stamps: [],
    figures,
    notes: [],
    caveats: scriptedCaveats(p),
    tables: [
      probeConditionsTable(p),
      ...probeAnovaTable(p),
      {
        caption: `The conversations behind each condition's flip rate: open npx plumb view ${dirname(source)} and add the address after # (or pass it to --filter)`,
        header: ['condition', 'conversations', 'flipped: plumb view address'],
        rows: conditions.map((c) => [
          cond(c as unknown as { role: string; personalization: string }),
          String(c.n),
          viewAddress({ role: String(c.role), personalization: String(c.personalization), flipped: 'yes' }),
        ]),
      },
      ...(comparisons.length
        ? [
            {
              caption: `Paired comparisons between conditions (★ significant at ${(p.comparisons as { alpha: number }).alpha} after the correction the probe reports)`,
              header: ['role', 'a', 'b', 'questions', 'McNemar p (flip)', 'paired t p (EII)', 'EII b − a'],
              rows: comparisons.map((c) => [
                String(c.role),
                String(c.a),
                String(c.b),
                String(c.n_questions),
                mark(c.mcnemar as { p: number; significant: boolean }),
                mark(c.paired_t as { p: number; significant: boolean }),
                (c.eii_difference as { mean_b_minus_a: number } | undefined)?.mean_b_minus_a.toFixed(3) ??
                  '—',
              ]),
            },
          ]
        : []),
      ...glmm.tables,
    ],
  };
}

type TurnGlmmJson = {
  model: string;
  formula: string;
  n: number;
  questions: number;
  note?: string;
  fit: {
    reference: string;
    groupVariance: number;
    singular: boolean;
    fit: { fixedEffects: { term: string; estimate: number; se: number; statistic: number; p: number }[] };
  } | null;
};

/** The probe's multi-turn GLMM (summary.turn_glmm): one table per model, or a row saying why there is no fit. */
function turnGlmmTables(entries: unknown): { tables: Table[] } {
  if (!Array.isArray(entries) || entries.length === 0) return { tables: [] };
  const tables = (entries as TurnGlmmJson[]).map((e): Table => {
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
export async function pairwiseSection(s: Json, source: string): Promise<Section> {
  type Rates = { n: number; a: Estimate; tie: Estimate; b: Estimate };
  const rows = (label: string, r: Rates) =>
    (['a', 'tie', 'b'] as const)
      .filter((k) => r[k].value !== null)
      .map((k) => ({
        // one row per verdict: A, tie and B intervals overlap and must not share a line
        label: `${label}: ${k === 'a' ? 'A' : k === 'b' ? 'B' : 'tie'}`,
        group: k === 'a' ? 'A preferred' : k === 'b' ? 'B preferred' : 'tie',
        value: r[k].value!,
        lo: r[k].ci?.[0] ?? null,
        hi: r[k].ci?.[1] ?? null,
      }));
  const conditions = s.conditions as (Rates & { role: string; personalization: string })[];
  const overall = s.overall as Rates;
  const position = s.position as { consistency: Estimate; first_position: Estimate };
  const figures = [
    await fig(
      'win-rates',
      intervalPlot({
        title: 'Verdicts: A preferred, tie, B preferred',
        rows: [...rows('all pairs', overall), ...conditions.flatMap((c) => rows(cond(c), c))],
        xTitle: 'share of pairs',
        yTitle: 'condition',
      }),
      `Order-consistent verdicts (inconsistent pairs count as ties) with 95% Wilson intervals, cluster-robust where pairs share a group; n = ${overall.n} pairs.`,
    ),
    await fig(
      'position',
      intervalPlot({
        title: 'Position bias',
        rows: [
          {
            label: 'position consistency',
            value: position.consistency.value ?? 0,
            lo: position.consistency.ci?.[0] ?? null,
            hi: position.consistency.ci?.[1] ?? null,
          },
          {
            label: 'first-position pick rate',
            value: position.first_position.value ?? 0,
            lo: position.first_position.ci?.[0] ?? null,
            hi: position.first_position.ci?.[1] ?? null,
          },
        ],
        xTitle: 'share',
        yTitle: '',
        rule: { value: 0.5, label: 'no position bias (first-position rate)' },
      }),
      `95% Wilson intervals. Consistency: share of pairs with the same verdict in both orders, n = ${position.consistency.n} pairs; first-position rate: share of decisive judgements that picked the response shown first, n = ${position.first_position.n} judgements (0.5 without bias).`,
    ),
  ];
  const rubric = s.rubric as { id: string; version: string; hash: string };
  return {
    title: `Pairwise: ${rubric.id}@${rubric.version}, orders ${s.orders}`,
    source,
    stamps: [`rubric ${rubric.id}@${rubric.version} (sha256 ${rubric.hash.slice(0, 12)}…)`],
    figures,
    notes: [],
  };
}

/** An audit: each probe's effect on the judge's score with its CI. */
export async function auditSection(a: Json, source: string): Promise<Section> {
  const probes = a.probes as Record<string, Json>;
  const rows: { label: string; value: number; lo: number | null; hi: number | null }[] = [];
  const add = (
    label: string,
    e: { effect?: Estimate; estimate?: number | null; ci?: [number, number] | null },
  ) => {
    const value = e.effect ? e.effect.value : (e.estimate ?? null);
    const ci = e.effect ? e.effect.ci : (e.ci ?? null);
    if (value !== null && value !== undefined)
      rows.push({ label, value, lo: ci?.[0] ?? null, hi: ci?.[1] ?? null });
  };
  if (probes.verbosity?.effect) add('verbosity', probes.verbosity as never);
  for (const [k, v] of Object.entries((probes.authority?.variants ?? {}) as Record<string, Json>))
    add(`authority (${k})`, v as never);
  if (probes['self-preference'] && probes['self-preference'].applicable !== false)
    add('self-preference', probes['self-preference'] as never);
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
  const judge = a.judge as { provider: string; model: string };
  const perturbations = a.perturbations as { id: string; version: string; hash: string };
  return {
    title: `Audit of ${judge.provider}:${judge.model}`,
    source,
    stamps: [
      `perturbations ${perturbations.id}@${perturbations.version} (sha256 ${perturbations.hash.slice(0, 12)}…)`,
    ],
    figures,
    notes: Object.entries(probes)
      .filter(([, p]) => p.applicable === false)
      .map(([k, p]) => `${k}: not applicable — ${p.reason}`),
  };
}

/** A gate result (`gate --json`): the verdict and each condition's change against the threshold. */
export async function gateSection(g: Json, source: string): Promise<Section> {
  const checks = g.checks as {
    condition: string;
    n: number;
    change: number;
    ci: [number, number] | null;
    failed: boolean;
  }[];
  const options = g.options as { maxDrop: number; metric: string };
  const figures = [
    await fig(
      'gate',
      intervalPlot({
        title: `${options.metric.toUpperCase()} change, baseline − current, per condition`,
        rows: checks.map((c) => ({
          label: c.condition,
          value: c.change,
          lo: c.ci?.[0] ?? null,
          hi: c.ci?.[1] ?? null,
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
    notes: checks
      .filter((c) => c.failed)
      .map((c) => `${c.condition}: ${(c as unknown as { reason: string }).reason}`),
  };
}
