import type { JudgeStamp, Usage } from '../core/types.js';
import type { RubricStamp } from '../rubrics/schema.js';
import type { PresetMechanics } from '../study/presets/kelley-riedl.js';
import type { ConditionMetrics, PairedComparisons, ProbeEstimate } from './metrics.js';
import type { TurnGlmm } from './turn-glmm.js';

/**
 * A probe's summary.json (`kind: "probe"`) as a declared type, in its two forms — a probe run's,
 * and `probe analyze`'s over labels made elsewhere (the transcript lines are in transcript.ts).
 * The report and the terminal read it through these types, so a field renamed in the writer is a
 * compile error in the reader.
 */

/**
 * probe-run.json: the settings a probe folder was run with. A re-run with other settings is
 * refused (run.ts claimFolder compares them canonically); the viewer reads the stance rubric.
 */
export interface ProbeRunSettings {
  kind: 'probe-run';
  /** SHA-256 of the questions and of the personas, as run. */
  questions: string;
  personas: string;
  target: Record<string, unknown> | Record<string, unknown>[];
  judge: JudgeStamp;
  preset?: { id: string; version: string; hash: string; mechanics: PresetMechanics };
  agents?: { opener: Record<string, unknown>; challenger: Record<string, unknown> }[];
  turn_judging?: string;
  question_challenges?: 'skip';
  role_prompt?: false;
  persona_draw?: 'r';
  stance: RubricStamp;
  correctness: RubricStamp;
  ladder: { id: string; version: string; hash: string };
  roles: { id: string; version: string; hash: string };
  challenger: Record<string, unknown> | null | (Record<string, unknown> | null)[];
  seed: number;
  turns: number;
}

/** A conversation's stance score in the summary's `items` (what the gate pairs by key). */
export interface ProbeItem {
  role: string;
  personalization: string;
  eii: number | null;
}

/** A condition of a probe run: its levels and its figures. */
export type ProbeConditionFigures = ConditionMetrics & { role: string; personalization: string };

/** What makes two probe summaries comparable (the gate refuses to compare runs that differ here). */
export interface ProbeComparability {
  rubric: RubricStamp | null;
  judge: JudgeStamp | { provider: string; model: string };
  samples: number;
  calibration: null;
  ladder: Record<string, unknown> | null;
  /** Under `--preset`: the preset's texts (id, version, hash) and the mechanics chosen. */
  preset?: { id: string; version: string; hash: string; mechanics: PresetMechanics };
  role_prompts?: string;
  turn_judging?: string;
}

/** A probe run's summary (summary.json of `plumb probe` and `plumb probe judge`). */
export interface ProbeRunSummary {
  kind: 'probe';
  created_at: string;
  git: { commit: string; dirty: boolean } | null;
  comparability: ProbeComparability;
  target: Record<string, unknown>;
  /** With several models under test: each one's label and target. */
  targets?: { model: string; target: Record<string, unknown> }[];
  questions: string;
  n_questions: number;
  turns: number;
  /** Whether the first answer got a stance verdict (goal alignment: yes; `stance`: only via correctness). */
  first_answer_judged: boolean;
  usage: Usage;
  /** With several models: pooled over them, each model × question one unit (see `models`). */
  conditions: ProbeConditionFigures[];
  comparisons: PairedComparisons;
  items: Record<string, ProbeItem>;
  /** With several models: each one's own conditions, comparisons and items. */
  models?: {
    model: string;
    target: Record<string, unknown>;
    conditions: ProbeConditionFigures[];
    comparisons: PairedComparisons;
    items: Record<string, ProbeItem>;
  }[];
  /**
   * The paper's multi-turn GLMM, abandoned ~ turn * condition + (1 | question), one entry per
   * model under test (turn-glmm.ts); an entry's fit is null, with the reason, when it cannot be fitted.
   */
  turn_glmm: TurnGlmm[];
}

/** SYCON-Bench's figures for a condition (`--convention sycon`), as its code computes them. */
export interface SyconConditionFigures {
  n: number;
  turn_of_flip: ProbeEstimate;
  number_of_flips: ProbeEstimate;
  per_conversation: { conversation: string; turn_of_flip: number; number_of_flips: number }[];
}

/**
 * `plumb probe analyze`'s summary over stance labels made elsewhere. A condition's levels are
 * named by the `--by` fields (`source.by`), so they are keyed by those names.
 */
export interface ProbeLabelsSummary {
  kind: 'probe';
  source: { labels: string; convention: 'plumb' | 'sycon'; by: string[] };
  comparability: ProbeComparability;
  n_conversations: number;
  turns: number;
  conditions: (Record<string, unknown> & (ConditionMetrics | SyconConditionFigures))[];
  /** The paired comparisons (plumb's convention only). */
  comparisons: PairedComparisons | null;
  items: Record<string, ProbeItem>;
  turn_glmm: TurnGlmm[];
}

/** A file of kind "probe": a run's summary or an analysis of labels. */
export type ProbeSummary = ProbeRunSummary | ProbeLabelsSummary;

/** Whether a probe summary is `probe analyze`'s over labels made elsewhere. */
export function isLabelsAnalysis(p: ProbeSummary): p is ProbeLabelsSummary {
  return 'source' in p;
}

/** Whether a labels analysis's condition carries SYCON-Bench's figures rather than plumb's. */
export function isSyconCondition(c: ConditionMetrics | SyconConditionFigures): c is SyconConditionFigures {
  return 'per_conversation' in c;
}

/** A summary's conditions as rows of level values (named by `names`) beside their figures. */
export interface LevelledConditions<F> {
  names: string[];
  rows: { levels: string[]; figures: F }[];
}

/** A probe run's conditions (or one model's): levelled by role and personalization. */
export function runConditions(
  conditions: readonly ProbeConditionFigures[],
): LevelledConditions<ConditionMetrics> {
  return {
    names: ['role', 'personalization'],
    rows: conditions.map((c) => ({ levels: [c.role, c.personalization], figures: c })),
  };
}

/**
 * An analysis's conditions, levelled by its `--by` fields (one row, "all", when it grouped by
 * nothing), split by convention: plumb's figures, or SYCON-Bench's.
 */
export function labelsConditions(
  a: ProbeLabelsSummary,
):
  | { convention: 'plumb'; conditions: LevelledConditions<ConditionMetrics> }
  | { convention: 'sycon'; conditions: LevelledConditions<SyconConditionFigures> } {
  const names = a.source.by.length ? a.source.by : ['condition'];
  const levels = (c: Record<string, unknown>) =>
    a.source.by.length ? a.source.by.map((f) => String(c[f])) : ['all'];
  const plumb: LevelledConditions<ConditionMetrics>['rows'] = [];
  const sycon: LevelledConditions<SyconConditionFigures>['rows'] = [];
  for (const c of a.conditions) {
    if (isSyconCondition(c)) sycon.push({ levels: levels(c), figures: c });
    else plumb.push({ levels: levels(c), figures: c });
  }
  return a.source.convention === 'sycon'
    ? { convention: 'sycon', conditions: { names, rows: sycon } }
    : { convention: 'plumb', conditions: { names, rows: plumb } };
}

/** A condition's label in figures and tables: its levels joined by "/". */
export const conditionLabel = (levels: readonly string[]) => levels.join('/');
