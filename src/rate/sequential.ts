import { existsSync, readFileSync } from 'node:fs';
import { readUncertaintyItems, uncertaintyOfScores } from '../calibration/active-sample.js';
import type { GoldRating } from '../calibration/gold.js';
import { sheetFiles, sheetPrefix, writeRatingSheet } from '../calibration/gold-sample.js';
import {
  assertSessionRng,
  SESSION_RNG,
  type SessionDesign,
  type SessionState,
  sessionLabels,
  sessionState,
} from '../calibration/sequential-session.js';
import { InputError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { assertNotAnInput } from '../io/guard.js';
import type { Rubric } from '../rubrics/schema.js';
import { activeDrawProbabilities, SEQUENTIAL_FLOOR } from '../stats/confidence-sequence.js';
import { appendLineDurably, readAppended } from './append.js';
import { json, pageCsp, startLocalServer } from './http.js';
import { sequentialPage } from './sequential-page.js';

/**
 * The sequential mode of active gold sampling (`plumb rate SHEET --active`, issue #24): the page
 * serves one item at a time by the active rule as ratings arrive, re-estimates after each, shows
 * the anytime-valid interval, and stops when its half-width is at most the target or the label
 * budget is spent — and says which.
 *
 * The design is ActiveSequence's (src/stats/confidence-sequence.ts): draw t is item Iₜ with
 * probability qᵢ (the judge's uncertainty mixed with uniform by the floor τ, default 0.8), fixed
 * by the seed; its Hansen–Hurwitz term has mean θ (the mean human score of the N scored items)
 * whatever happened before, and the betting confidence sequence over those terms covers θ at every
 * t at once, so stopping when the width is reached keeps the coverage. An item drawn again is not
 * rated again (its label is reused, free). Because draw t depends only on the seed, the session is
 * rebuilt from the ratings file at every step (`replay`): a restart resumes exactly where it was.
 *
 * Files, beside the sheet prefix P: `P.jsonl`/`P.csv` (every candidate item, design `sequential`),
 * `P.session.json` (the design: ids, judge values, q, seed, target, budget — and, after every
 * rating, the current estimate, interval and whether and why it stopped), `P.ratings.jsonl`
 * (`{rater, id, criterion, value, time}` a line, as `plumb rate` writes).
 */

/** The human value per item id, from a ratings file (`plumb rate`'s lines), for the session's criterion. */
export function humanValues(
  ratingsFile: string,
  rater: string,
  rubric: Rubric | null,
  s: Pick<SessionDesign, 'criterion' | 'rate'>,
): Map<string, number> {
  const latest = new Map<string, Record<string, number>>();
  for (const r of readAppended(ratingsFile)) {
    if (r.rater !== rater || typeof r.id !== 'string' || typeof r.criterion !== 'string') continue;
    const scores = latest.get(r.id) ?? {};
    if (typeof r.value === 'number') scores[r.criterion] = r.value;
    else delete scores[r.criterion];
    latest.set(r.id, scores);
  }
  const gold: GoldRating[] = [...latest].map(([id, scores]) => ({ id, rater, scores }));
  return sessionLabels(gold, rater, rubric, s);
}

export interface StartSessionOptions {
  sheet: string;
  scores?: string;
  rubric: Rubric;
  criterion: string;
  targetHalfwidth: number;
  budget: number;
  floor?: number;
  seed: number;
  alpha?: number;
}

/**
 * Opens a sequential session at the sheet's prefix: a new one from the scores file (writing the
 * sheet of every candidate item and the session's design), or the one already there (whose
 * design must be the one asked for: the draws are fixed by it).
 */
export async function openSession(
  o: StartSessionOptions,
): Promise<{ design: SessionDesign; created: boolean; file: string }> {
  const prefix = sheetPrefix(o.sheet);
  const file = `${prefix}.session.json`;
  const rate = criteriaToRate(o);
  if (existsSync(file)) return { design: resumeSession(file, o), created: false, file };
  if (!o.scores) throw new UsageError(`${file} does not exist yet: give --scores FILE to start the session`);
  const taken = Object.values(sheetFiles(prefix)).filter((f) => existsSync(f));
  if (taken.length)
    throw new UsageError(
      `${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} and ${taken.length === 1 ? 'is' : 'are'} no active session (no ${file}): a session writes its own sheet — choose another SHEET`,
    );
  assertNotAnInput(file, 'the session file');
  const floor = o.floor ?? SEQUENTIAL_FLOOR;
  const { u, ids, judge, rows } = await sessionItems(o.scores, o.criterion, floor);
  const keep = judge.map((f, i) => (f === undefined ? -1 : i)).filter((i) => i >= 0);
  if (keep.length < 2)
    throw new InputError(
      o.scores,
      undefined,
      `fewer than 2 items with a judge ${o.criterion}: nothing to sample`,
    );
  const uncertainty = keep.map((i) => u?.uncertainty.u[i] ?? null);
  const q = activeDrawProbabilities(uncertainty, { floor });
  const design: SessionDesign = {
    kind: 'active-session',
    scores: o.scores,
    criterion: o.criterion,
    rate,
    range: [o.rubric.scale.min, o.rubric.scale.max],
    seed: o.seed,
    floor,
    alpha: o.alpha ?? 0.05,
    target_halfwidth: o.targetHalfwidth,
    budget: o.budget,
    signals: u ? u.signals : 'none (floor 1: a uniform draw)',
    rubric: { id: o.rubric.id, version: o.rubric.version, hash: o.rubric.hash },
    rng: SESSION_RNG,
    ids: keep.map((i) => ids[i]!),
    f: keep.map((i) => judge[i]!),
    q,
  };
  await writeRatingSheet(
    prefix,
    keep.map((i) => ({
      ...rows[i]!,
      design: { design: 'sequential', stratum: 'all', stratum_size: keep.length },
    })),
    rate,
  );
  await writeFileAtomic(file, `${JSON.stringify(design)}\n`);
  return { design, created: true, file };
}

/** The criteria a rater rates: every criterion for `overall`, else the one named (a usage error if not the rubric's). */
function criteriaToRate(o: StartSessionOptions): string[] {
  const rate =
    o.criterion === 'overall'
      ? o.rubric.criteria.map((c) => c.name)
      : o.rubric.criteria.some((c) => c.name === o.criterion)
        ? [o.criterion]
        : null;
  if (!rate)
    throw new UsageError(
      `--criterion ${o.criterion} is not a criterion of ${o.rubric.id}@${o.rubric.version} (${o.rubric.criteria.map((c) => c.name).join(', ')}, or overall)`,
    );
  return rate;
}

/** An existing session, read and checked against the options that fix its draws; target and budget updated. */
function resumeSession(file: string, o: StartSessionOptions): SessionDesign {
  let design: SessionDesign;
  try {
    design = JSON.parse(readFileSync(file, 'utf8')) as SessionDesign;
  } catch (err) {
    throw new InputError(file, undefined, `cannot read the session (${(err as Error).message})`);
  }
  if (design.kind !== 'active-session')
    throw new InputError(file, undefined, 'not a plumb rate --active session');
  assertSessionRng(file, design);
  const differs = (
    [
      ['--criterion', design.criterion, o.criterion],
      ['--seed', design.seed, o.seed],
      ...(o.floor !== undefined ? [['--floor', design.floor, o.floor]] : []),
    ] as [string, unknown, unknown][]
  ).filter(([, a, b]) => a !== b);
  if (differs.length)
    throw new UsageError(
      `${file} is a session with ${differs.map(([f, a]) => `${f} ${a}`).join(', ')}: its draws are fixed by them. Resume with those, or start another session with another SHEET`,
    );
  // the target and the budget may change between sittings: the CS holds at every t
  design.target_halfwidth = o.targetHalfwidth;
  design.budget = o.budget;
  return design;
}

/**
 * The scored items a session draws from: with their uncertainty signals when the floor is below 1
 * (a usage error naming what to do when there are none), else read without; never pairwise lines.
 */
async function sessionItems(scores: string, criterion: string, floor: number) {
  const u =
    floor < 1
      ? await uncertaintyOfScores(scores, { criterion }).catch((err: unknown) => {
          if (err instanceof UsageError && /no item carries/.test(err.message))
            throw new UsageError(
              `no item of ${scores} carries an uncertainty signal for the active rule: score with --samples K (K ≥ 2) or a panel (--judges a,b), or draw uniformly with --floor 1`,
            );
          throw err;
        })
      : null;
  const read = u ? null : await readUncertaintyItems(scores, criterion);
  if (u?.pairs || read?.pairs)
    throw new UsageError(
      `${scores} holds pairwise lines: a sequential session estimates a mean score; draw pairs with plumb gold sample --active --budget N and rate that sheet`,
    );
  const ids = u?.ids ?? read!.ids;
  const judge = u?.judge ?? read!.items.map((i) => i.judge);
  const rows = u?.rows ?? read!.rows;
  return { u, ids, judge, rows };
}

/** The rating server of a sequential session (same local guards as the rating page: http.ts). */
export async function startSequentialServer(o: {
  design: SessionDesign;
  sessionFile: string;
  rubric: Rubric;
  rater: string;
  ratingsFile: string;
  port?: number;
}) {
  assertNotAnInput(o.ratingsFile, 'the ratings file');
  const s = o.design;
  const page = sequentialPage();
  const sheetItems = new Map<string, Record<string, unknown>>();
  for (const r of readAppended(`${o.sessionFile.replace(/\.session\.json$/, '')}.jsonl`))
    if (typeof r.id === 'string') sheetItems.set(r.id, r);
  const criteria = s.rate.map((name) => {
    const c = o.rubric.criteria.find((x) => x.name === name);
    return {
      name,
      description: c?.description ?? '',
      anchors: Object.fromEntries(Object.entries(c?.anchors ?? {}).map(([k, v]) => [k, String(v)])),
    };
  });
  const state = () => sessionState(s, humanValues(o.ratingsFile, o.rater, o.rubric, s));
  const persist = async (st: SessionState) =>
    // whose ratings the page follows and what it showed: what calibrate replays and checks against
    writeFileAtomic(o.sessionFile, `${JSON.stringify({ ...s, rater: o.rater, status: st.status })}\n`);
  const view = (st: SessionState) => {
    const id = st.current === null ? null : s.ids[st.current]!;
    const row = id ? sheetItems.get(id) : undefined;
    const mine: Record<string, number> = {};
    if (id)
      for (const r of readAppended(o.ratingsFile))
        if (r.rater === o.rater && r.id === id && typeof r.criterion === 'string') {
          if (typeof r.value === 'number') mine[r.criterion] = r.value;
          else delete mine[r.criterion];
        }
    return {
      rater: o.rater,
      rubric: { id: o.rubric.id, version: o.rubric.version },
      scale: { min: o.rubric.scale.min, max: o.rubric.scale.max },
      criterion: s.criterion,
      criteria,
      status: st.status,
      item: row
        ? {
            id,
            prompt: String(row.prompt ?? ''),
            response: String(row.response ?? ''),
            reference: String(row.reference ?? ''),
            ...(typeof row.question === 'string'
              ? { question: row.question, first_answer: String(row.first_answer ?? '') }
              : {}),
          }
        : null,
      ratings: mine,
    };
  };
  await persist(state());
  const server = await startLocalServer({
    port: o.port,
    csp: pageCsp(page, true),
    handle: async ({ method, path, body }) => {
      if (method === 'GET' && path === '/') return { status: 200, body: page, type: 'text/html' };
      if (method === 'GET' && path === '/api/state') return json(200, view(state()));
      if (method === 'POST' && path === '/api/rate') {
        const b = (body ?? {}) as { id?: unknown; criterion?: unknown; value?: unknown };
        const before = state();
        const current = before.current === null ? null : s.ids[before.current]!;
        if (current === null) return json(409, { error: 'the session is done: nothing more to rate' });
        if (b.id !== current)
          return json(409, { error: `the item to rate now is ${current}, not ${String(b.id)}` });
        const value = b.value === null ? null : Number(b.value);
        if (
          typeof b.criterion !== 'string' ||
          !s.rate.includes(b.criterion) ||
          (value !== null &&
            !(Number.isInteger(value) && value >= o.rubric.scale.min && value <= o.rubric.scale.max))
        )
          return json(400, { error: 'unknown criterion, or a value off the scale' });
        appendLineDurably(o.ratingsFile, {
          rater: o.rater,
          id: current,
          criterion: b.criterion,
          value,
          time: new Date().toISOString(),
        });
        const after = state();
        await persist(after);
        return json(200, view(after));
      }
      return json(404, { error: 'not found' });
    },
  });
  return { url: server.url, close: server.close, state };
}
