import { compareConditions } from '../core/conditions.js';
import { UsageError } from '../core/errors.js';
import { type TurnByCondition, turnByCondition } from '../stats/mixed/analyses.js';

/**
 * The paper's multi-turn model (Kelley & Riedl 2026, code/multiturn): the logistic GLMM
 * `abandoned ~ turn * condition + (1 | question)` fitted by Laplace as lme4's glmer, one fit per
 * model under test, from a probe's transcript lines (or per-turn labels shaped like them).
 */

/**
 * A log-odds coefficient beyond this is the mark of quasi-complete separation (Albert & Anderson
 * 1984; the usual rule of thumb): the likelihood keeps rising as it grows, so where the optimizer
 * stops says nothing about the data.
 */
const QUASI_SEPARATION = 10;

export const TURN_GLMM_FORMULA = 'abandoned ~ turn * condition + (1 | question)' as const;

/** One challenged turn of a conversation, as the turn GLMM reads it. */
export interface TurnGlmmRow {
  /** The model under test: the line's `model` (or `metadata.model`), else the run's target. */
  model: string;
  conversation: string;
  /** The cluster of the random intercept: the line's `question_id` (else `question`, else the conversation). */
  question: string;
  /**
   * The line's `condition` label when it has one; else its personalization level (generic `none`,
   * `profile`, `profile-plus`, …) when every line has the same role; else `role/personalization`.
   */
  condition: string;
  /** 1, 2, …: the challenge the reply answers (the first answer, turn 0, is not a row). */
  turn: number;
  /**
   * 1 when the stance verdict is 0 — abandoned the original position (graded), or `not aligned`
   * (binary turn judging, the paper's) — 0 when it is 1 or 2 (hedged or kept); null when the turn
   * was not judged (no reply, a failed verdict): left out of the fit and counted.
   */
  abandoned: 0 | 1 | null;
}

/** One model's turn GLMM: the fit, or null and the reason there is none. */
export interface TurnGlmm {
  model: string;
  formula: typeof TURN_GLMM_FORMULA;
  /** The fit (its `formula` names the engine's columns: y = abandoned, group = question). */
  fit: TurnByCondition | null;
  /** Why there is no fit, or what to know about it (a singular fit), in plain words. */
  note?: string;
  /** Judged turns (the rows fitted), turns without a verdict, distinct questions, conditions (reference first). */
  n: number;
  unjudged: number;
  questions: number;
  conditions: string[];
}

export interface TurnGlmmOptions {
  /** The reference condition (default: `none` — generic — or the first in the design's order). */
  reference?: string;
  /** The model label of lines that name none (the run's target). */
  target?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * What the turn GLMM reads of a line: a probe transcript line (transcript.ts), or a label-like line
 * read from elsewhere (a bare `stance` number and a `condition`), whose fields are checked here.
 */
export interface TurnLine {
  conversation?: unknown;
  turn?: unknown;
  stance?: unknown;
  question_id?: unknown;
  question?: unknown;
  role?: unknown;
  personalization?: unknown;
  condition?: unknown;
  model?: unknown;
  metadata?: unknown;
}

/** The stance verdict's value: `stance.value` of a transcript line, or a bare 0/1/2 (labels). */
function stanceValue(line: TurnLine): number | null {
  const s = isObject(line.stance) ? line.stance.value : line.stance;
  return typeof s === 'number' && [0, 1, 2].includes(s) ? s : null;
}

/**
 * One row per challenged turn (turn ≥ 1) of each conversation, in the order of the lines. Lines
 * are probe transcript lines (`{conversation, turn, stance: {value}, question_id, role,
 * personalization, model?}`) or label-like lines with a bare `stance` number and a `condition`.
 */
export function turnRows(
  transcripts: readonly TurnLine[],
  options: Pick<TurnGlmmOptions, 'target'> = {},
): TurnGlmmRow[] {
  const challenged = transcripts.filter((l) => typeof l.turn === 'number' && l.turn >= 1);
  const roles = new Set(challenged.map((l) => text(l.role) ?? ''));
  const conditionOf = (l: TurnLine): string => {
    const label = text(l.condition);
    if (label !== undefined) return label;
    const p = text(l.personalization) ?? 'unspecified';
    return roles.size > 1 ? `${text(l.role) ?? 'unspecified'}/${p}` : p;
  };
  return challenged.map((l) => {
    const meta = isObject(l.metadata) ? l.metadata : {};
    const conversation = text(l.conversation) ?? '';
    const stance = stanceValue(l);
    return {
      model: text(l.model) ?? text(meta.model) ?? options.target ?? 'unspecified',
      conversation,
      question: text(l.question_id) ?? text(meta.question_id) ?? text(l.question) ?? conversation,
      condition: conditionOf(l),
      turn: l.turn as number,
      abandoned: stance === null ? null : stance === 0 ? 1 : 0,
    };
  });
}

/** `role/personalization` or a bare personalization level, in the design's order (none first). */
function designOrder(a: string, b: string): number {
  const split = (s: string) => {
    const i = s.indexOf('/');
    return i < 0
      ? { role: '', personalization: s }
      : { role: s.slice(0, i), personalization: s.slice(i + 1) };
  };
  return compareConditions(split(a), split(b)) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The turn GLMM per model (in order of first appearance): `abandoned ~ turn * condition +
 * (1 | question)`, binomial, Laplace — lme4's `glmer(abandoned ~ turn * condition + (1 | question),
 * family = binomial)` with the reference condition first. No fit (null, with the reason) when a
 * model has fewer than two conditions or questions, one turn, or a condition in which every turn
 * is abandoned or none is (its log-odds are infinite: complete separation).
 */
export function turnGlmm(transcripts: readonly TurnLine[], options: TurnGlmmOptions = {}): TurnGlmm[] {
  const rows = turnRows(transcripts, options);
  const models = [...new Set(rows.map((r) => r.model))];
  return models.map((model) =>
    fitModel(
      model,
      rows.filter((r) => r.model === model),
      options.reference,
    ),
  );
}

function fitModel(model: string, all: TurnGlmmRow[], reference: string | undefined): TurnGlmm {
  const used = all.filter((r) => r.abandoned !== null);
  const present = [...new Set(used.map((r) => r.condition))].sort(designOrder);
  const ref = reference ?? present[0];
  const conditions =
    ref !== undefined && present.includes(ref) ? [ref, ...present.filter((c) => c !== ref)] : present;
  const head = {
    model,
    formula: TURN_GLMM_FORMULA,
    n: used.length,
    unjudged: all.length - used.length,
    questions: new Set(used.map((r) => r.question)).size,
    conditions,
  };
  const none = (note: string): TurnGlmm => ({ ...head, fit: null, note });
  if (used.length === 0) return none('no challenged turn has a stance verdict');
  if (reference !== undefined && !present.includes(reference))
    return none(
      `the reference condition '${reference}' has no judged turns (conditions: ${present.join(', ')})`,
    );
  if (present.length < 2)
    return none(
      `only one condition (${present[0]}): turn × condition needs at least two (add personalization levels or roles)`,
    );
  if (head.questions < 2)
    return none('all turns are from one question: a random intercept per question needs at least two');
  if (new Set(used.map((r) => r.turn)).size < 2)
    return none('every judged turn is the same turn: the per-turn slope needs at least two turns');
  const flat = conditions.flatMap((c) => {
    const ys = used.filter((r) => r.condition === c).map((r) => r.abandoned);
    const k = ys.filter((y) => y === 1).length;
    return k === 0 || k === ys.length ? [{ c, k, n: ys.length }] : [];
  });
  if (flat.length > 0)
    return none(
      `${flat
        .map(({ c, k, n }) =>
          k === 0
            ? `in ${c} none of the ${n} judged turns was abandoned`
            : `in ${c} all ${n} judged turns were abandoned`,
        )
        .join(
          '; ',
        )}: a condition without variation has infinite log-odds (complete separation), so the model is not fitted; the flip rates above stand`,
    );
  let fit: TurnByCondition;
  try {
    fit = turnByCondition(
      all.map((r) => ({ y: r.abandoned, turn: r.turn, condition: r.condition, group: r.question })),
      ref,
    );
  } catch (err) {
    if (err instanceof UsageError) return none(`not fitted: ${err.message}`);
    throw err;
  }
  const notes: string[] = [];
  if (fit.singular)
    notes.push(
      'singular fit: the question variance is estimated at zero — questions differ no more than chance, and the model reduces to a plain logistic regression',
    );
  if (!fit.fit.convergence.converged)
    notes.push('the optimizer did not report convergence; treat the estimates with care');
  const huge = fit.fit.fixedEffects.filter((f) => Math.abs(f.estimate) > QUASI_SEPARATION);
  if (huge.length)
    notes.push(
      `${huge.map((f) => f.term).join(', ')} beyond ±${QUASI_SEPARATION} on the log-odds scale: the turns nearly separate (in some condition, abandoning is all or nothing before or after some turn), so the estimate is where the optimizer stopped, not a finding, and its SE and p mean little (R's glm warns "fitted probabilities numerically 0 or 1"; glmer may stop with an error); read the flip rates instead`,
    );
  return { ...head, fit, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
