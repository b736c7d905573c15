import {
  type ActiveCalibration,
  activeSheetProblem,
  isActiveSheet,
  isSequentialSheet,
} from '../../calibration/active-estimate.js';
import { activeVerdictCalibration } from '../../calibration/active-pairs.js';
import type { calibrate, PpiReport } from '../../calibration/calibrate.js';
import { type CalibrateFilesOptions, calibrateFiles, rubricOfScores } from '../../calibration/from-files.js';
import { checkGold, readGold, readSheetDesignOf } from '../../calibration/gold.js';
import {
  makeRoomForSheet,
  sampleForGold,
  sheetOutputs,
  sheetPrefix,
  writeRatingSheet,
} from '../../calibration/gold-sample.js';
import { groupGold, humanValue, judgeValue, readScores } from '../../calibration/join.js';
import { AGREEMENT_COEFFICIENTS, type MetricValue } from '../../calibration/metrics.js';
import { perPromptValues, planGold } from '../../calibration/plan.js';
import {
  calibrateVerdicts,
  isVerdictFile,
  readGoldVerdicts,
  readJudgeVerdicts,
} from '../../calibration/verdicts.js';
import { InputError, UsageError } from '../../core/errors.js';
import { chosenNotSampled } from '../../rate/selection.js';
import { table } from '../../render/text.js';
import type { CalibrateFlags, GoldPlanFlags, GoldSampleFlags } from '../specs/calibrate.js';
import {
  activePlanLines,
  goldSampleActiveCommand,
  planActiveFor,
  renderActive,
  renderSequential,
} from './gold-active.js';

function parseScale(s: string): { min: number; max: number } {
  const m = /^(-?\d+),(-?\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) >= Number(m[2]))
    throw new UsageError(`--scale must be MIN,MAX integers with MIN < MAX, got '${s}'`);
  return { min: Number(m[1]), max: Number(m[2]) };
}

/** calibrate's flags as the library's options. */
export function calibrateOptions(flags: CalibrateFlags): CalibrateFilesOptions {
  return {
    scoresFile: flags.scores,
    goldFile: flags.gold,
    scale: flags.scale ? parseScale(flags.scale) : undefined,
    criterion: flags.criterion,
    level: flags.level,
    systemField: flags.systemField,
    rater: flags.rater,
    method: flags.method,
    bootstrap: flags.bootstrap,
    seed: flags.seed,
    altTest: flags.altTest ? { epsilon: flags.epsilon, q: flags.q, minItems: flags.minItems } : null,
    ppi: flags.ppi ? { alpha: flags.alpha, interval: flags.ppiInterval } : null,
    compare: flags.compare ?? null,
    artifact: flags.out === undefined || flags.out === false ? undefined : flags.out,
  };
}

export async function calibrateCommand(flags: CalibrateFlags): Promise<void> {
  if (flags.systemField !== undefined && flags.level !== 'system')
    throw new UsageError(
      '--system-field names the system for --level system: add --level system, or leave it out',
    );
  const chosen = chosenNotSampled(flags.gold);
  if (chosen)
    process.stderr.write(
      `plumb: note: ${chosen}: the agreement and estimates below describe those items, not the run\n`,
    );
  if (await isVerdictFile(flags.scores)) return calibratePairwise(flags);
  const { report, artifactPath, problems } = await calibrateFiles(calibrateOptions(flags));
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, artifact: artifactPath }, null, 2)}\n`);
  else
    process.stdout.write(
      `${renderCalibration(report)}\n${artifactPath ? `\ncalibration artifact: ${artifactPath}\n` : ''}`,
    );
  // what was asked for but cannot be computed: said, and the run fails
  for (const p of problems) process.stderr.write(`plumb calibrate: ${p}\n`);
  if (problems.length) process.exitCode = 2;
}

const fmt = (m: MetricValue | undefined, d = 3) =>
  !m
    ? '—'
    : m.value === null
      ? `— (${m.reason})`
      : `${m.value.toFixed(d)}${m.ci ? ` [${m.ci[0].toFixed(d)}, ${m.ci[1].toFixed(d)}]` : ''}`;

const ci = (c: [number, number] | null | undefined) =>
  c ? `[${c[0].toFixed(3)}, ${c[1].toFixed(3)}]` : '(no interval)';

type Report = ReturnType<typeof calibrate>;
type Ppi = import('../../calibration/design.js').DesignPpi;

/** One line per reason a criterion's joined items were left out, or nothing. */
function dropLines(r: Report): string[] {
  const out: string[] = [];
  for (const [c, j] of Object.entries(r.join.criteria)) {
    const reasons = Object.entries(j.dropped);
    if (!reasons.length) continue;
    out.push(
      `  ${c}: ${j.n} of ${r.join.matched} joined items used; left out: ${reasons.map(([why, n]) => `${n} (${why})`).join(', ')}`,
    );
  }
  return out;
}

export function renderCalibration(r: Report): string {
  const lines = [
    ...joinLines(r),
    ...metricLines(r),
    ...mappingLines(r),
    ...(r.human_ceiling && !r.alt_test ? humanCeilingLines(r.human_ceiling) : []),
    ...(r.alt_test ? altTestLines(r.alt_test) : []),
  ];
  if (r.prevalence) lines.push('', ...renderPrevalence(r.prevalence));
  lines.push(...ppiLines(r));
  lines.push(...renderActive(r.active), ...renderSequential(r.sequential));
  return lines.join('\n');
}

/** What was joined, what was left out, and the gold design's verdict. */
function joinLines(r: Report): string[] {
  return [
    `joined ${r.join.matched} items (${r.join.scored_items} scored, ${r.join.gold_items} with gold; ${r.join.missing_in_scores.length} gold ids not in the scores${
      r.join.missing_in_scores.length
        ? `: ${r.join.missing_in_scores.slice(0, 5).join(', ')}${r.join.missing_in_scores.length > 5 ? '…' : ''}`
        : ''
    }${r.join.unrated_rows ? `; ${r.join.unrated_rows} gold rows with no rating, left out` : ''}); human value = ${r.join.human_value}; human overall = ${r.join.human_overall}; scale ${r.scale.min}–${r.scale.max}`,
    ...dropLines(r),
    ...(r.join.unknown_columns.length
      ? [`  gold columns that are no criterion of the scores, ignored: ${r.join.unknown_columns.join(', ')}`]
      : []),
    r.design.refused ? `gold design: REFUSED — ${r.design.refused}` : `gold design: ${r.design.note}`,
    ...r.design.warnings.map((w) => `  note: ${w}`),
  ];
}

/** One table of agreement metrics per criterion, at the level calibrate ran at. */
function metricLines(r: Report): string[] {
  const lines: string[] = [];
  const levels = r[r.level]!; // calibrate always reports the level it ran at
  const names =
    r.level === 'item'
      ? [...AGREEMENT_COEFFICIENTS, 'mae', 'bias', 'exact_agreement', 'within_one']
      : ['pearson', 'spearman', 'kendall_tau_b'];
  const bootOff = r.bootstrap.resamples === 0;
  for (const [criterion, m] of Object.entries(levels)) {
    const extra =
      r.level === 'group'
        ? `, ${m.groups_total} groups`
        : r.level === 'system'
          ? `, ${m.systems} systems`
          : `, n=${m.n}`;
    lines.push(
      '',
      `${criterion} (${r.level} level${extra}); ${bootOff ? 'bootstrap off (--bootstrap 0): no intervals' : `95% bootstrap CI (${r.bootstrap.resamples} resamples)`}`,
    );
    lines.push(
      table(
        ['metric', bootOff ? 'value' : 'value [95% CI]'],
        names.map((n) => {
          const v = m[n] as (MetricValue & { groups_used?: number }) | undefined;
          const used = r.level === 'group' && v ? `  (${v.groups_used} of ${m.groups_total} groups)` : '';
          return [n, `${fmt(v)}${used}`];
        }),
      ),
    );
  }
  return lines;
}

/** The fitted judge-to-human mapping and its in-sample and cross-validated error, if any. */
function mappingLines(r: Report): string[] {
  if (!r.mapping) return [];
  const mp = r.mapping;
  const cv = mp.cross_validated
    ? `${mp.cross_validated.mae.toFixed(3)} / ${mp.cross_validated.rmse.toFixed(3)} (${mp.folds}-fold)`
    : '—';
  return [
    '',
    `mapping (${mp.mapping.method}) for ${mp.criterion}, n=${mp.n}: MAE/RMSE in-sample ${mp.in_sample.mae.toFixed(3)} / ${mp.in_sample.rmse.toFixed(3)}, cross-validated ${cv}`,
  ];
}

/** The humans' agreement among themselves, when no alternative-annotator test was asked for. */
function humanCeilingLines(c: NonNullable<Report['human_ceiling']>): string[] {
  return [
    '',
    `human ceiling (${c.criterion}): Krippendorff α (interval) ${c.krippendorff_alpha_interval?.toFixed(3) ?? '—'}, mean pairwise QWK ${c.mean_pairwise_qwk?.toFixed(3) ?? '—'} over ${c.items_with_2plus_raters} items with ≥2 raters (run --alt-test to ask whether the judge can replace them)`,
  ];
}

/** The alternative-annotator test: the ceiling, the verdict, one row per annotator, who was excluded. */
function altTestLines(a: NonNullable<Report['alt_test']>): string[] {
  const lines = [
    '',
    `human ceiling (${a.criterion}): Krippendorff α (interval) ${a.ceiling.krippendorff_alpha_interval?.toFixed(3) ?? '—'}, mean pairwise QWK ${a.ceiling.mean_pairwise_qwk?.toFixed(3) ?? '—'} over ${a.ceiling.items_with_2plus_raters} items with ≥2 raters`,
    `alternative-annotator test (ε=${a.epsilon}, BY q=${a.q}): winning rate ${a.winning_rate?.toFixed(2) ?? '—'}, advantage probability ${a.advantage_probability?.toFixed(3) ?? '—'} — ${a.verdict}`,
  ];
  if (a.annotators.length) {
    lines.push(
      table(
        ['annotator', 'n', 'judge wins', 'human wins', 't', 'p', 'p (BY)', 'judge beats?'],
        a.annotators.map((x) => [
          x.annotator || '(unnamed)',
          String(x.n),
          x.judge_win_rate.toFixed(3),
          x.human_win_rate.toFixed(3),
          x.t?.toFixed(3) ?? '—',
          x.p.toFixed(4),
          x.p_adjusted.toFixed(4),
          x.rejected ? 'yes' : 'no',
        ]),
      ),
    );
  }
  if (a.excluded.length)
    lines.push(
      `excluded (fewer than the minimum items): ${a.excluded.map((e) => `${e.annotator || '(unnamed)'} (${e.n})`).join(', ')}`,
    );
  return lines;
}

/** The PPI section, without the design's note and warnings (printed once, at the top). */
function ppiLines(r: Report): string[] {
  if (!r.ppi) return [];
  const said = new Set([r.design.note, ...r.design.warnings]);
  return renderPpi({ ...r.ppi, warnings: r.ppi.warnings.filter((w) => !said.has(w)) });
}

function renderPrevalence(v: NonNullable<Report['prevalence']>): string[] {
  if ('human_rate' in v) {
    const h = v.human_rate;
    return [
      `pass rate of ${v.criterion} (a pass/fail criterion): ${v.reason}`,
      `  people's rate ${h.value?.toFixed(3) ?? '—'} ${ci(h.ci)} on ${h.n} items (${h.interval})`,
    ];
  }
  const c = v.corrected;
  return [
    `pass rate of ${v.criterion} (a pass/fail criterion), corrected for the judge's errors (Rogan–Gladen estimate, Lee et al. (2026) 95% CI):`,
    `  judge's rate ${v.observed.estimate.toFixed(3)} on ${v.observed.n} items without gold; sensitivity ${v.sensitivity.estimate.toFixed(3)} (n=${v.sensitivity.n}), specificity ${v.specificity.estimate.toFixed(3)} (n=${v.specificity.n}) on gold`,
    c
      ? `  corrected    ${c.estimate.toFixed(3)} ${ci(c.ci)}${c.clipped ? '  (estimate clipped to [0, 1])' : ''}${c.degenerate ? '  (both ends at one bound)' : ''}`
      : `  corrected    — (${v.reason})`,
  ];
}

function renderPpi(q: PpiReport): string[] {
  const conf = `${100 * (1 - q.alpha)}% CI`;
  const side = (e: Ppi['classical']) => (e ? `${e.estimate.toFixed(3)} ${ci(e.ci)}` : '—');
  const lines: string[] = [
    '',
    `prediction-powered mean of ${q.criterion} (${q.n_labelled} gold + ${q.n_unlabelled} judge-only items, ${conf}):`,
  ];
  if (q.estimate !== null && q.ci)
    lines.push(
      `  PPI++      ${q.estimate.toFixed(3)} ${ci(q.ci)}${q.lambda !== undefined ? `  λ=${q.lambda.toFixed(3)}` : ''}${q.effective_sample_size_gain !== undefined ? `  (worth ${q.effective_sample_size_gain.toFixed(2)}× the gold set)` : ''}`,
      `             ${q.interval}${q.df !== undefined ? `, df ${q.df.toFixed(1)}` : ''}`,
    );
  else lines.push(`  PPI++      — (${q.reason})`);
  lines.push(
    `  gold only  ${side(q.classical)}${q.classical ? `  (${q.classical.interval})` : ''}`,
    `  judge only ${side(q.naive)}  (uncorrected: biased if the judge is)`,
    ...q.warnings.map((w) => `  note: ${w}`),
  );
  for (const [index, conds] of Object.entries(q.indices_by_condition)) {
    lines.push(
      table(
        [`${index.toUpperCase()} condition`, 'PPI++ [CI]', 'gold only [CI]', 'judge only'],
        Object.entries(conds).map(([k, v]) =>
          v
            ? [
                k,
                v.estimate !== null ? `${v.estimate.toFixed(3)} ${ci(v.ci)}` : `— (${v.reason})`,
                side(v.classical),
                v.naive ? v.naive.estimate.toFixed(3) : '—',
              ]
            : [k, '— (no design to estimate with)', '', ''],
        ),
      ),
    );
  }
  if (q.contrasts) {
    const est = (e: { estimate: number; ci: [number, number] } | null) =>
      e ? `${e.estimate >= 0 ? '+' : ''}${e.estimate.toFixed(3)} ${ci(e.ci)}` : '—';
    for (const [name, list] of Object.entries(q.contrasts.quantities)) {
      lines.push(
        '',
        `${name === q.criterion ? name : name.toUpperCase()}: contrasts by ${q.contrasts.by.join(' × ')} (PPI++ with cells independent, conservative when they share prompts; paired by prompt where ≥10 prompts have gold in every cell)`,
        table(
          ['contrast', 'PPI++ [CI]', 'PPI++ paired by prompt [CI]', 'gold only [CI]', 'judge only [CI]'],
          list.map((c) => [
            c.label,
            c.ppi ? est(c.ppi) : `— (${c.reason})`,
            c.paired
              ? `${est(c.paired)} (${c.paired.prompts_labelled}/${c.paired.prompts} prompts)`
              : c.paired_counts
                ? `— (${c.paired_counts.prompts_labelled} of ${c.paired_counts.prompts} prompts rated in every cell; needs 10)`
                : `— (${c.paired_reason ?? 'no prompts'})`,
            est(c.classical),
            est(c.naive),
          ]),
        ),
      );
    }
  }
  return lines;
}

export async function goldSampleCommand(flags: GoldSampleFlags): Promise<void> {
  if (flags.active) return goldSampleActiveCommand(flags);
  const prefix = sheetPrefix(flags.out);
  const _files = sheetOutputs(flags.out, [{ flag: '--scores', path: flags.scores }]);
  const { rows, criteria, total, strata, prompts } = await sampleForGold(flags.scores, flags.n!, {
    stratify: flags.stratify,
    seed: flags.seed,
    allocation: flags.allocation,
    clusters: flags.clusters,
  });
  // checked after sampling, so a sample that fails for its own reasons moves nothing aside
  const moved = await makeRoomForSheet(prefix, flags.force === true);
  const { csv, jsonl } = await writeRatingSheet(prefix, rows, criteria);
  for (const [from, to] of moved) process.stdout.write(`kept the old ${from} as ${to}\n`);
  process.stdout.write(
    `sampled ${rows.length} of ${total} scored items${
      prompts
        ? `: ${prompts.drawn} of ${prompts.of} prompts (by ${flags.clusters}), every scored item of each`
        : flags.stratify
          ? ` stratified by ${flags.stratify}, ${flags.allocation} allocation (${Object.entries(strata)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')})`
          : ''
    }\n` +
      'the sheet records how each item was drawn (stratum, its size, the inclusion probability, the prompt): calibrate estimates with it\n' +
      `rating sheet: ${csv} and ${jsonl}\nfill in the rater column and one score per criterion (${criteria.join(', ')}), then:\n` +
      `  npx plumb calibrate --scores ${flags.scores} --gold ${csv}\n`,
  );
}

/** Options that mean something for scores only, and what to say when they come with verdicts. */
const SCORES_ONLY: [keyof CalibrateFlags, string][] = [
  ['ppi', '--ppi'],
  ['out', '--out'],
  ['criterion', '--criterion'],
  ['scale', '--scale'],
  ['rater', '--rater'],
  ['systemField', '--system-field'],
];

/** `calibrate` on a pairwise file: the judge's verdicts against people's. */
async function calibratePairwise(flags: CalibrateFlags): Promise<void> {
  for (const [key, flag] of SCORES_ONLY)
    if (flags[key] !== undefined && flags[key] !== false)
      throw new UsageError(`${flag} applies to scores; ${flags.scores} holds pairwise verdicts`);
  if (flags.level !== 'item')
    throw new UsageError('--level applies to scores; pairwise verdicts are compared per pair');
  const { report, gold } = await verdictReport(flags);
  const active = await activePairsCalibration(flags, gold);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...report, active }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${renderPairwise(report, active).join('\n')}\n`);
}

type VerdictReport = ReturnType<typeof calibrateVerdicts>;
type GoldVerdicts = Awaited<ReturnType<typeof readGoldVerdicts>>;

/** The judge's verdicts against the people's; refused when no gold id matches a judged pair. */
async function verdictReport(flags: CalibrateFlags): Promise<{ report: VerdictReport; gold: GoldVerdicts }> {
  const judge = await readJudgeVerdicts(flags.scores);
  const gold = await readGoldVerdicts(flags.gold);
  const report = calibrateVerdicts(judge, gold, {
    resamples: flags.bootstrap,
    seed: flags.seed,
    confidence: 0.95,
    altTest: flags.altTest ? { epsilon: flags.epsilon, q: flags.q, minItems: flags.minItems } : null,
  });
  if (report.n.matched === 0)
    throw new InputError(
      flags.gold,
      undefined,
      `no gold id matches a judged pair (gold ids such as ${gold
        .slice(0, 3)
        .map((g) => JSON.stringify(g.id))
        .join(', ')}; judged ids such as ${[...judge.verdicts.keys()]
        .slice(0, 3)
        .map((i) => JSON.stringify(i))
        .join(', ')})`,
    );
  return { report, gold };
}

/** Pairs drawn by the active rule: the people's verdict under the design (active-pairs.ts), else null. */
async function activePairsCalibration(
  flags: CalibrateFlags,
  gold: GoldVerdicts,
): Promise<ActiveCalibration | null> {
  const sheet = await readSheetDesignOf(flags.gold);
  if (isSequentialSheet(sheet))
    throw new InputError(sheet!.file, undefined, 'a sequential session of scored items, not of pairs');
  if (!sheet || !isActiveSheet(sheet)) return null;
  const problem = activeSheetProblem(sheet);
  if (problem) throw new UsageError(`${problem}: refused rather than treated as a random sample`);
  return activeVerdictCalibration({
    pairsFile: flags.scores,
    sheet,
    gold,
    alpha: flags.alpha,
    seed: flags.seed,
  });
}

/** The pairwise report for people: agreement, confusion, human ceiling, alt-test, active estimates. */
function renderPairwise(report: VerdictReport, active: ActiveCalibration | null): string[] {
  const a = report.agreement;
  const ci = (v: number | null, c: [number, number] | null) =>
    v === null ? '—' : `${v.toFixed(3)}${c ? ` [${c[0].toFixed(3)}, ${c[1].toFixed(3)}]` : ''}`;
  const h = report.human_ceiling;
  const lines = [
    `pairwise verdicts: ${report.n.matched} pairs joined (${report.n.judged} judged, ${report.n.unjudged} without a verdict, ${report.n.gold_items} with gold; ${a.ratings} rater labels from ${report.n.raters.length} rater(s))`,
    '',
    `judge vs people, over every (pair, rater) label; 95% bootstrap CI over pairs (${report.bootstrap.resamples} resamples)`,
    table(
      ['metric', 'value [95% CI]'],
      [
        ['accuracy', ci(a.accuracy, report.ci.accuracy)],
        ["Cohen's kappa", ci(a.cohen_kappa, report.ci.cohen_kappa)],
        [
          "Krippendorff's alpha (nominal)",
          ci(a.krippendorff_alpha_nominal, report.ci.krippendorff_alpha_nominal),
        ],
      ],
    ),
    '',
    'confusion (rows: people, columns: judge)',
    table(
      ['', ...a.confusion.labels],
      a.confusion.labels.map((l, i) => [l, ...a.confusion.counts[i]!.map(String)]),
    ),
    '',
    `human ceiling over ${h.items_with_2plus_raters} pairs with ≥2 raters: accuracy ${h.accuracy?.toFixed(3) ?? '—'}, mean pairwise Cohen's kappa ${h.mean_pairwise_cohen_kappa?.toFixed(3) ?? '—'}, Krippendorff's alpha ${h.krippendorff_alpha_nominal?.toFixed(3) ?? '—'}`,
  ];
  if (report.alt_test) {
    const t = report.alt_test;
    lines.push(
      `alternative-annotator test, accuracy form (ε=${t.epsilon}, BY q=${t.q}): winning rate ${t.winning_rate?.toFixed(2) ?? '—'}, advantage probability ${t.advantage_probability?.toFixed(3) ?? '—'} — ${t.verdict}`,
    );
  }
  if (active)
    lines.splice(
      1,
      0,
      `gold design: ${active.note}`,
      'the agreement figures below describe the drawn pairs, picked for the judge’s order disagreement: not a random sample of the run (the active estimates at the end are)',
    );
  lines.push(...renderActive(active));
  return lines;
}

/** `plumb gold plan`: how many gold labels (or whole prompts) a target half-width needs, classical and PPI++. */
export async function goldPlanCommand(flags: GoldPlanFlags): Promise<void> {
  if (!flags.gold && flags.rho === undefined)
    throw new UsageError(
      'give a pilot gold set (--gold FILE) or the judge–human correlation to assume (--rho R)',
    );
  const scores = await readScores(flags.scores);
  if (scores.items.length < 2) throw new InputError(flags.scores, undefined, 'needs at least 2 scored items');
  const judgeOf = (it: ScoredItem) => judgeValue(it, flags.criterion);
  const judgedItems = scores.items.map(judgeOf).filter((v): v is number => v !== undefined);
  if (judgedItems.length < 2)
    throw new InputError(flags.scores, undefined, `no scores of "${flags.criterion}" (check --criterion)`);
  const humanOf = await pilotHumanOf(flags, scores);
  const inPrompts = flags.clusters !== undefined || flags.contrast !== undefined;
  const clusterField = flags.clusters ?? 'group';
  const { judged, pilot, itemsPerPrompt } = inPrompts
    ? promptPilot(flags, scores.items, judgeOf, humanOf, clusterField)
    : { judged: judgedItems, pilot: flags.gold ? itemPilot(scores.items, judgeOf, humanOf) : null };
  if (flags.gold && pilot && pilot.human.length < 3)
    throw new InputError(
      flags.gold!,
      undefined,
      `only ${pilot.human.length} pilot ${inPrompts ? 'prompt(s) with rated items' : 'item(s)'} match the scores: a pilot needs at least 3`,
    );
  const perPrompt = flags.contrast
    ? `its ${flags.contrast.field} ${flags.contrast.b} − ${flags.contrast.a} (mean over the prompt's items of each)`
    : `the mean ${flags.criterion} of its items`;
  const plan = planGold({
    criterion: flags.criterion,
    judged,
    pilot,
    rho: flags.rho,
    halfwidth: flags.targetHalfwidth,
    alpha: flags.alpha,
    ...(inPrompts ? { unit: 'prompts' as const, perPrompt, itemsPerPrompt } : {}),
  });
  const active = flags.active ? await planActiveFor(flags, plan) : null;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(active ? { ...plan, active } : plan, null, 2)}\n`);
    return;
  }
  process.stdout.write(renderGoldPlan(plan, active, clusterField));
}

type Scores = Awaited<ReturnType<typeof readScores>>;
type ScoredItem = Scores['items'][number];
type ValueOf = (it: ScoredItem) => number | undefined;
type Pilot = { judge: number[]; human: number[] };

/** The people's value of each scored item from the pilot gold set (--gold), or none without one. */
async function pilotHumanOf(flags: GoldPlanFlags, scores: Scores): Promise<ValueOf> {
  if (!flags.gold) return () => undefined;
  const { rubric } = await rubricOfScores(scores);
  const gold = await readGold(flags.gold);
  const criteria = rubric
    ? rubric.criteria.map((c) => c.name)
    : [...new Set(gold.flatMap((g) => Object.keys(g.scores)))];
  const scale = flags.scale ? parseScale(flags.scale) : rubric ? rubric.scale : null;
  if (scale) checkGold(gold, flags.gold, scale, criteria);
  const humans = groupGold(gold, rubric, criteria);
  return (it) => humanValue(humans.get(it.id), flags.criterion);
}

/** Planning in prompts: one value per prompt (or per paired contrast), and the pilot's prompts. */
function promptPilot(
  flags: GoldPlanFlags,
  items: ScoredItem[],
  judgeOf: ValueOf,
  humanOf: ValueOf,
  clusterField: string,
): { judged: number[]; pilot: Pilot | null; itemsPerPrompt: number | undefined } {
  const per = perPromptValues(
    items.map((it) => ({ judge: judgeOf(it), human: humanOf(it), metadata: it.metadata })),
    clusterField,
    flags.contrast ?? null,
  );
  if (per.judged.length < 2)
    throw new InputError(
      flags.scores,
      undefined,
      `${per.judged.length} prompt(s) by "${clusterField}"${flags.contrast ? ` with both ${flags.contrast.field} ${flags.contrast.a} and ${flags.contrast.b}` : ''}: planning in prompts needs at least 2 (check --clusters and --contrast)`,
    );
  return { judged: per.judged, pilot: flags.gold ? per.pilot : null, itemsPerPrompt: per.items_per_prompt };
}

/** Planning in items: the pilot is every item with both a judge score and a human value. */
function itemPilot(items: ScoredItem[], judgeOf: ValueOf, humanOf: ValueOf): Pilot {
  const pilot: Pilot = { judge: [], human: [] };
  for (const it of items) {
    const j = judgeOf(it);
    const h = humanOf(it);
    if (j !== undefined && h !== undefined) {
      pilot.judge.push(j);
      pilot.human.push(h);
    }
  }
  return pilot;
}

/** The plan for people: gold alone, PPI++, the active plan if asked, and the caveats. */
function renderGoldPlan(
  plan: ReturnType<typeof planGold>,
  active: Awaited<ReturnType<typeof planActiveFor>> | null,
  clusterField: string,
): string {
  const unit = plan.unit === 'prompts' ? 'prompts rated in full' : 'gold items';
  const n = (x: { n: number | null; reason?: string }) =>
    x.n === null
      ? `— (${x.reason})`
      : `${x.n} ${unit}${plan.unit === 'prompts' && plan.items_per_prompt ? ` (≈ ${Math.round(x.n * plan.items_per_prompt)} items)` : ''}`;
  return (
    `gold needed for a ${100 * plan.confidence}% CI of ${plan.unit === 'prompts' ? `a per-prompt value (${plan.per_prompt}) by ${clusterField}` : `the mean ${plan.criterion}`} within ±${plan.halfwidth}, over ${plan.judged_items} judged ${plan.unit === 'prompts' ? 'prompts' : 'items'}\n` +
    `  human spread σ ${plan.sd_human.toFixed(3)} and judge–human correlation ρ ${plan.rho.toFixed(3)} ${
      plan.source === 'pilot'
        ? `from the pilot (${plan.pilot_items} ${plan.unit === 'prompts' ? 'prompts' : 'items'})`
        : "(assumed: σ is the judge's spread, ρ from --rho)"
    }\n` +
    `  gold alone  ${n(plan.classical)}\n` +
    `  PPI++       ${n(plan.ppi)}\n` +
    (active ? activePlanLines(active) : '') +
    `large-sample figures: collect a margin above them; plumb's PPI++ interval needs at least 10 gold ${plan.unit === 'prompts' ? 'prompts (a paired contrast is refused below 10)' : 'items'}${plan.unit === 'prompts' ? `\ndraw them with: plumb gold sample --clusters ${clusterField} --n N` : ''}\n`
  );
}
