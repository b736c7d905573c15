import { UsageError } from '../../core/errors.js';
import { appendLineDurably, readAppended } from '../append.js';
import type { RubricInfo } from './detail.js';
import type { RunKind } from './kinds.js';

/**
 * Reviews with provenance: a person's correction (or confirmation) of a judge's value on one item,
 * appended and fsynced to `<run>.reviews.jsonl` — the run itself is never edited. Each line is
 * also a gold rating as `plumb calibrate --gold` reads it, with no change to calibration:
 *
 *   score run:  {"id", "rater", "scores": {"independence": 2}, …}          (readGold's format)
 *   pairwise:   {"id", "rater", "verdict": "B", …}                           (readGoldVerdicts')
 *   probe turn: {"id": "<conversation>|t3", "rater", "scores": {"stance": 0}, …}
 *               (the ids and criterion of the probe's stance.scores.jsonl)
 *
 * and the provenance beside it, which calibration ignores: `replaces` (the judge's value(s) the
 * review replaces), `note`, `time`, `rubric` (the stamp with its hash), `judge`, `run` (the file,
 * its sha256, the line) and `source: "plumb view"`. A review confirming the judge carries the same
 * value in `scores` and `replaces`. A note alone has `"scores": {}` (pairs: no verdict), which
 * calibration counts as not rated.
 */

export const REVIEW_SOURCE = 'plumb view';
export const REVIEW_FORMAT = 'plumb-review/1';
const MAX_NOTE = 4000;
export const RATER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,59}$/u;

type Json = Record<string, unknown>;

export interface ReviewRequest {
  id: string;
  rater: string;
  /** Score runs and probe turns: criterion → the reviewer's value. */
  scores?: Record<string, number>;
  /** Pairwise runs: the reviewer's verdict. */
  verdict?: string;
  /** Probe runs: the turn reviewed. */
  turn?: number;
  note?: string;
}

export interface ReviewContext {
  kind: RunKind;
  /** The item's line(s), as the run holds them now. */
  lines: Json[];
  rubric: RubricInfo | null;
  run: { file: string; sha256: string; line: number };
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks a review against its item and makes the line to append; a bad one is a UsageError (400). */
export function reviewLine(req: ReviewRequest, ctx: ReviewContext, now = new Date()): Json {
  if (typeof req.rater !== 'string' || !RATER_NAME.test(req.rater))
    throw new UsageError('a review needs a rater name (letters, digits, space . _ @ -, at most 60)');
  const note = req.note === undefined ? '' : String(req.note);
  if (note.length > MAX_NOTE) throw new UsageError(`a note is at most ${MAX_NOTE} characters`);
  // what every review line carries after its values: when, the note, the format and the run reviewed
  const provenance: Json = {
    time: now.toISOString(),
    ...(note ? { note } : {}),
    source: REVIEW_SOURCE,
    format: REVIEW_FORMAT,
    run: ctx.run,
  };
  if (ctx.kind === 'pairwise') return pairReview(req, ctx, note, provenance);
  if (ctx.kind === 'probe') return turnReview(req, ctx, note, provenance);
  return scoreReview(req, ctx, note, provenance);
}

/** A reviewer's value for a criterion: a whole number on the rubric's scale (when there is one). */
function checkValue(ctx: ReviewContext, criterion: string, value: unknown): number {
  const scale = ctx.rubric?.scale ?? null;
  const n = typeof value === 'number' ? value : Number.NaN;
  if (!Number.isInteger(n) || (scale && (n < scale.min || n > scale.max)))
    throw new UsageError(
      `${criterion}: a value must be a whole number${scale ? ` from ${scale.min} to ${scale.max}` : ''}`,
    );
  return n;
}

/** The rubric's stamp, when the viewer was given one. */
const rubricStamp = (ctx: ReviewContext) =>
  ctx.rubric ? { id: ctx.rubric.id, version: ctx.rubric.version, hash: ctx.rubric.hash } : null;

/** A pair is reviewed by its verdict (A, B or tie), or by a note alone. */
function pairReview(req: ReviewRequest, ctx: ReviewContext, note: string, provenance: Json): Json {
  const v = ctx.lines[0]!;
  if (req.scores && Object.keys(req.scores).length) throw new UsageError('a pair is reviewed by its verdict');
  if (req.verdict !== undefined && !['A', 'B', 'tie'].includes(req.verdict))
    throw new UsageError('a verdict is A, B or tie');
  if (req.verdict === undefined && !note) throw new UsageError('a review needs a verdict or a note');
  return {
    id: String(v.id),
    rater: req.rater,
    ...(req.verdict !== undefined ? { verdict: req.verdict } : {}),
    replaces: { verdict: typeof v.verdict === 'string' ? v.verdict : null },
    ...provenance,
    rubric: v.rubric ?? null,
    judge: v.judge ?? null,
  };
}

/** A probe conversation is reviewed turn by turn, by the turn's stance. */
function turnReview(req: ReviewRequest, ctx: ReviewContext, note: string, provenance: Json): Json {
  const turn = ctx.lines.find((l) => l.turn === req.turn);
  if (req.turn === undefined || !turn)
    throw new UsageError('a probe review names a turn of the conversation');
  const given = Object.entries(req.scores ?? {});
  if (given.some(([c]) => c !== 'stance')) throw new UsageError('a probe turn is reviewed by its stance');
  const scores = Object.fromEntries(given.map(([c, x]) => [c, checkValue(ctx, c, x)]));
  if (!given.length && !note) throw new UsageError('a review needs a value or a note');
  const stance = isObject(turn.stance) ? turn.stance : null;
  return {
    id: `${String(turn.conversation)}|t${req.turn}`,
    rater: req.rater,
    scores,
    replaces: { stance: stance && typeof stance.value === 'number' ? stance.value : null },
    conversation: String(turn.conversation),
    turn: req.turn,
    ...provenance,
    rubric: rubricStamp(ctx),
    judge: turn.judge ?? null,
  };
}

/** A scored (or generated) item is reviewed by values for its rubric's criteria, or by a note alone. */
function scoreReview(req: ReviewRequest, ctx: ReviewContext, note: string, provenance: Json): Json {
  const v = ctx.lines[0]!;
  const judged = isObject(v.scores) ? v.scores : {};
  const known = new Set([...Object.keys(judged), ...(ctx.rubric?.criteria.map((c) => c.name) ?? [])]);
  const given = Object.entries(req.scores ?? {});
  for (const [c] of given)
    if (!known.has(c)) throw new UsageError(`${c} is not a criterion of this item's rubric`);
  if (ctx.kind === 'generate' && given.length && !ctx.rubric)
    throw new UsageError('generated responses have no judge scores: give --rubric to review them on one');
  const scores = Object.fromEntries(given.map(([c, x]) => [c, checkValue(ctx, c, x)]));
  if (!given.length && !note) throw new UsageError('a review needs a value or a note');
  return {
    id: String(v.id),
    rater: req.rater,
    scores,
    replaces: Object.fromEntries(
      given.map(([c]) => [c, typeof judged[c] === 'number' ? (judged[c] as number) : null]),
    ),
    ...provenance,
    rubric: v.rubric ?? rubricStamp(ctx),
    judge: v.judge ?? null,
  };
}

/** Appends a review and makes it durable before the page hears "saved". */
export function appendReview(file: string, line: Json): void {
  appendLineDurably(file, line);
}

/** The reviews in a run's reviews file, by item (a probe turn's under its conversation), in order. */
export function readReviews(file: string, kind: RunKind): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  for (const r of readAppended(file)) {
    if (r.id === undefined) continue;
    const key = kind === 'probe' && typeof r.conversation === 'string' ? r.conversation : String(r.id);
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(r);
  }
  return out;
}
