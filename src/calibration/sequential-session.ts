import { InputError, UsageError } from '../core/errors.js';
import type { Rubric } from '../rubrics/schema.js';
import {
  ActiveSequence,
  type ActiveSequenceDesign,
  type StopDecision,
  shouldStop,
} from '../stats/confidence-sequence.js';
import type { Interval } from '../stats/descriptive.js';
import type { GoldRating } from './gold.js';
import { groupGold, humanValue } from './join.js';

/**
 * A sequential session of active gold sampling (`plumb rate SHEET --active`, issue #24), as data:
 * its design (what `P.session.json` records), the labels people gave, and the state both imply.
 * The draws are fixed by the design and its seed (draw t never depends on a label), so the state
 * is rebuilt from the labels alone (`sessionState`): what the rating page does after every rating
 * (src/rate/sequential.ts) and what `plumb calibrate` does with the session's ratings
 * (`sequentialCalibration`), so the two report the same estimate and interval.
 */

export interface SessionDesign {
  kind: 'active-session';
  scores: string;
  criterion: string;
  /** The criteria the page asks for (the one estimated, or all of them for overall). */
  rate: string[];
  range: [number, number];
  seed: number;
  floor: number;
  alpha: number;
  target_halfwidth: number;
  budget: number;
  signals: string;
  ids: string[];
  f: number[];
  q: number[];
  /** The rubric the page showed (sessions from before it was recorded have none). */
  rubric?: { id: string; version: string; hash: string };
  /** The generator behind the draws (`seededRandom`); sessions from before xoroshiro128+ have none. */
  rng?: typeof SESSION_RNG;
}

/** What a session's `rng` records: the generator `drawUniform` uses (src/stats/random.ts). */
export const SESSION_RNG = 'xoroshiro128+';

/**
 * A session drawn by another generator (plumb before xoroshiro128+, which drew with mulberry32)
 * cannot be resumed or replayed: the same seed now draws other items, so its ratings would be
 * followed in another order, or not at all.
 */
export function assertSessionRng(file: string, s: Pick<SessionDesign, 'rng' | 'seed'>): void {
  if (s.rng !== SESSION_RNG)
    throw new InputError(
      file,
      undefined,
      `the session was drawn by ${s.rng ?? 'mulberry32 (a plumb from before its seeded draws moved to xoroshiro128+; the session records no rng)'}: this plumb draws other items from seed ${s.seed}, so it cannot resume or replay the session — finish it with the plumb that started it, or start another session with another SHEET`,
    );
}

export interface SessionStatus {
  draws: number;
  labelled: number;
  budget: number;
  estimate: number | null;
  interval: [number, number];
  half_width: number;
  target_halfwidth: number;
  /** Draws a uniform design would need for the same variance (a variance figure, see ActiveSequence). */
  uniform_draws_for_same_variance: number | null;
  done: boolean;
  reason: StopDecision['reason'];
  message: string;
}

/** What `P.session.json` holds once the page has run: the design, whose ratings it followed, and the state it showed. */
export interface SessionFile extends SessionDesign {
  /** The rater whose ratings the page replayed (sessions from before it was recorded have none). */
  rater?: string;
  status?: SessionStatus;
}

export interface SessionState {
  status: SessionStatus;
  /** The item to rate now (index into the design), or null when done. */
  current: number | null;
}

function designOf(s: SessionDesign): ActiveSequenceDesign {
  return { f: s.f, q: s.q, range: s.range, seed: s.seed, alpha: s.alpha };
}

/**
 * The human value per item id for the session's criterion, from one rater's ratings (the latest
 * of each criterion counts; `overall` is the rubric's aggregate of the rated criteria).
 */
export function sessionLabels(
  gold: readonly GoldRating[],
  rater: string,
  rubric: Rubric | null,
  s: Pick<SessionDesign, 'criterion' | 'rate'>,
): Map<string, number> {
  const humans = groupGold(
    gold.filter((g) => g.rater === rater),
    rubric,
    s.rate,
  );
  const out = new Map<string, number>();
  for (const [id, h] of humans) {
    const v = humanValue(h, s.criterion);
    if (v !== undefined) out.set(id, v);
  }
  return out;
}

/**
 * The session's state from its design and the labels so far: replays the draws (each labelled
 * item's draw pushes its label; a repeat is free) until the stopping rule holds or a draw needs a
 * label nobody has given yet — the item to serve.
 */
export function sessionState(s: SessionDesign, labels: ReadonlyMap<string, number>): SessionState {
  const seq = new ActiveSequence(designOf(s));
  for (;;) {
    const stop = shouldStop(seq, s.target_halfwidth, s.budget);
    if (stop.stop) return { status: statusOf(s, seq, stop), current: null };
    const i = seq.next();
    if (seq.isLabelled(i)) {
      seq.push(i);
      continue;
    }
    const y = labels.get(s.ids[i]!);
    if (y === undefined) return { status: statusOf(s, seq, stop), current: i };
    seq.push(i, Math.min(s.range[1], Math.max(s.range[0], y)));
  }
}

function statusOf(s: SessionDesign, seq: ActiveSequence, stop: StopDecision): SessionStatus {
  const interval = seq.interval();
  const half = seq.halfWidth();
  const fmt = (x: number) => x.toFixed(3);
  const where = `half-width ${fmt(half)} (target ${s.target_halfwidth}) after ${seq.labelled} label${seq.labelled === 1 ? '' : 's'} (${seq.t} draws)`;
  const message = !stop.stop
    ? `${where}; budget ${s.budget} labels`
    : stop.reason === 'width'
      ? `Done: the target half-width is reached — ${where}.`
      : stop.reason === 'budget'
        ? `Done: the budget of ${s.budget} labels is spent before the target — ${where}.`
        : `Done: every item is rated (${seq.labelled}), so the mean is known exactly.`;
  return {
    draws: seq.t,
    labelled: seq.labelled,
    budget: s.budget,
    estimate: seq.t > 0 ? seq.estimate : null,
    interval,
    half_width: half,
    target_halfwidth: s.target_halfwidth,
    uniform_draws_for_same_variance: seq.uniformDrawsForSameVariance,
    done: stop.stop,
    reason: stop.reason,
    message,
  };
}

/**
 * The labels a uniform session would spend in `draws` draws with replacement over N items: the
 * expected number of distinct items drawn, N·(1 − (1 − 1/N)^draws) (a repeat is free, as in the
 * session). Turns ActiveSequence's uniform-equivalent draws into labels, the figure batch sheets give.
 */
export function uniformLabelsOfDraws(draws: number, N: number): number {
  return N * (1 - (1 - 1 / N) ** draws);
}

/** `plumb calibrate` on a sequential session's ratings: the replayed estimate and its anytime-valid interval. */
export interface SequentialCalibration {
  kind: 'sequential';
  session: string;
  rater: string;
  criterion: string;
  alpha: number;
  /** Items the session drew from (N). */
  items: number;
  draws: number;
  labelled: number;
  estimate: number | null;
  /** The confidence sequence at the last draw: valid at the session's data-dependent stop. */
  interval: Interval;
  half_width: number;
  target_halfwidth: number;
  budget: number;
  done: boolean;
  reason: StopDecision['reason'];
  message: string;
  /** Draws, and labels, a uniform session would need for the same variance (from the same data). */
  uniform_draws_for_same_variance: number | null;
  uniform_labels_for_same_variance: number | null;
  /** Whether the replay gives what the page last showed (the session file's status), or null when it recorded none. */
  matches_page: boolean | null;
  note: string;
  warnings: string[];
}

/**
 * Replays a session from its design and the ratings in the gold (`P.ratings.jsonl`), as the page
 * did: the same labels of the same rater give the same draws, estimate and interval. The rater is
 * the one the session recorded, or `rater` (--rater); a session that recorded none is refused
 * without one, since another rater's labels would replay another sequence.
 */
export function sequentialCalibration(o: {
  session: SessionFile;
  file: string;
  gold: readonly GoldRating[];
  rubric: Rubric | null;
  rater?: string;
  scoresFile?: string;
}): SequentialCalibration {
  const s = o.session;
  const rater = o.rater ?? s.rater;
  if (rater === undefined)
    throw new UsageError(
      `${o.file} does not record whose ratings the page followed (a session from before plumb recorded it): give --rater NAME, or open the session once more with plumb rate … --active, which records it`,
    );
  if (o.rubric && s.rubric && o.rubric.hash !== s.rubric.hash)
    throw new InputError(
      o.file,
      undefined,
      `the session was rated with rubric ${s.rubric.id}@${s.rubric.version} (sha256 ${s.rubric.hash.slice(0, 12)}…), the scores resolve to other content (${o.rubric.hash.slice(0, 12)}…): its overall would be aggregated differently`,
    );
  const warnings: string[] = [];
  if (o.scoresFile && o.scoresFile !== s.scores)
    warnings.push(
      `the session was drawn from ${s.scores}: its design (ids, judge values, probabilities) is the session's own, not --scores ${o.scoresFile}`,
    );
  const labels = sessionLabels(o.gold, rater, o.rubric, s);
  const ids = new Set(s.ids);
  const stray = [...labels.keys()].filter((id) => !ids.has(id)).length;
  if (stray) warnings.push(`${stray} rated item(s) are not in the session: left out`);
  const { status } = sessionState(s, labels);
  const served = status.labelled;
  const given = [...labels.keys()].filter((id) => ids.has(id)).length;
  if (given > served)
    warnings.push(
      `${given - served} rating(s) by ${rater} are of items the replay did not reach (rated in another sitting with another --target-width or --budget?): left out — the design only counts labels in its own order`,
    );
  const recorded = s.rater === undefined || s.rater === rater ? s.status : undefined;
  const same = (a: number | null, b: number | null) =>
    a === null || b === null ? a === b : Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
  const matches = recorded
    ? same(recorded.estimate, status.estimate) &&
      same(recorded.interval[0], status.interval[0]) &&
      same(recorded.interval[1], status.interval[1]) &&
      recorded.draws === status.draws
    : null;
  if (matches === false)
    warnings.push(
      `the replay differs from what the page last showed (${recorded!.message}): the ratings file changed since, or the page followed other ratings`,
    );
  const uDraws = status.uniform_draws_for_same_variance;
  return {
    kind: 'sequential',
    session: o.file,
    rater,
    criterion: s.criterion,
    alpha: s.alpha,
    items: s.ids.length,
    draws: status.draws,
    labelled: status.labelled,
    estimate: status.estimate,
    interval: status.interval,
    half_width: status.half_width,
    target_halfwidth: status.target_halfwidth,
    budget: status.budget,
    done: status.done,
    reason: status.reason,
    message: status.message,
    uniform_draws_for_same_variance: uDraws,
    uniform_labels_for_same_variance: uDraws === null ? null : uniformLabelsOfDraws(uDraws, s.ids.length),
    matches_page: matches,
    note: `a sequential session of plumb rate --active (${o.file}): ${s.ids.length} items, drawn one at a time with replacement by the active rule (seed ${s.seed}, floor τ = ${s.floor}); ${rater}'s ratings replayed in the design's order, estimated by the Hansen–Hurwitz mean with its anytime-valid (betting) confidence sequence — never as a random sample`,
    warnings,
  };
}
