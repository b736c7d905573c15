import { UsageError } from '../core/errors.js';
import { assertNotAnInput } from '../io/guard.js';
import type { Rubric } from '../rubrics/schema.js';
import { appendLineDurably, assertAppendable } from './append.js';
import { assignRaters, pairOrder } from './assign.js';
import { json, pageCsp, startLocalServer } from './http.js';
import { ratingPage } from './page.js';
import { key, latestRatings, progressOf } from './progress.js';
import type { SheetItem } from './sheet.js';

export interface RatingServer {
  /** The page's address, with the session's token; nothing is served without it. */
  url: string;
  ratingsFile: string;
  /** Item id → the raters it is assigned to. */
  assignment: Map<string, string[]>;
  close(): Promise<void>;
}

/** What the page is told about each criterion: its description and the anchors of its points. */
export interface CriterionInfo {
  name: string;
  description: string;
  anchors: Record<string, string>;
}

const VERDICTS = ['A', 'B', 'tie'] as const;

/** The verdict in the pair's own labels, from the one given by position in the order shown. */
const unshow = (shown: string, order: 'AB' | 'BA') =>
  shown === 'tie' || order === 'AB' ? shown : shown === 'A' ? 'B' : 'A';

/**
 * The local rating page (`plumb rate`): a server bound to 127.0.0.1 only, on a random port, that
 * answers only requests carrying the session's random token (see http.ts for the rest of what
 * keeps it local). Every rating is appended to `<sheet>.ratings.jsonl` and fsynced before the page
 * hears "saved", so a crash or Ctrl-C loses nothing; reopening the sheet resumes where each rater
 * stopped. Judge scores are never sent: raters must not be anchored by them.
 *
 * Several raters (`raters`, `perItem`): each item is assigned to `perItem` of them (assign.ts), a
 * rater picks their name on the page (or is fixed by `rater`) and sees only their items. A pair
 * (a sheet of pairwise items) is shown in an order drawn per rater and recorded with the verdict:
 * `{rater, id, verdict, shown, order, time}`, where `verdict` is in the pair's own labels (what
 * `plumb calibrate` reads) and `shown` the position the rater chose.
 */
export async function startRatingServer(o: {
  items: SheetItem[];
  rubric: Rubric | null;
  /** The one rater of this page (with `raters`: fixes the page to that one of them). */
  rater?: string;
  raters?: string[];
  /** Raters per item (default: every rater rates every item). */
  perItem?: number;
  /** Seeds the assignment and the order pairs are shown in. */
  seed?: number;
  ratingsFile: string;
  port?: number;
}): Promise<RatingServer> {
  assertNotAnInput(o.ratingsFile, 'the ratings file');
  assertAppendable(o.ratingsFile, 'the ratings file');
  const seed = o.seed ?? 0;
  const raters = o.raters?.length ? o.raters : [o.rater ?? 'rater'];
  if (o.raters?.length && o.rater && !o.raters.includes(o.rater))
    throw new UsageError(`--rater ${o.rater} is not one of --raters ${o.raters.join(',')}`);
  const assignment = assignRaters(o.items, raters, o.perItem ?? raters.length, seed);
  const fixed = o.rater ?? (raters.length === 1 ? raters[0]! : null);
  const pairs = o.items.some((i) => i.pair);
  const scale = o.rubric ? { min: o.rubric.scale.min, max: o.rubric.scale.max } : { min: 0, max: 9 };
  const criteria: CriterionInfo[] = pairs
    ? []
    : (o.items[0]?.criteria ?? []).map((name) => {
        const c = o.rubric?.criteria.find((x) => x.name === name);
        return {
          name,
          description: c?.description ?? '',
          anchors: Object.fromEntries(Object.entries(c?.anchors ?? {}).map(([k, v]) => [k, String(v)])),
        };
      });
  const selected = o.items.find((i) => i.selection)?.selection ?? null;
  const page = ratingPage();
  const byId = new Map(o.items.map((i) => [i.id, i]));
  const raterOf = (v: unknown): string => {
    const r = typeof v === 'string' && v ? v : fixed;
    if (!r || !raters.includes(r))
      throw new UsageError(`unknown rater${r ? ` ${r}` : ''}: one of ${raters.join(', ')}`);
    if (fixed && r !== fixed) throw new UsageError(`this page rates as ${fixed}`);
    return r;
  };
  /** What a rater is shown of their items: no judge score, a pair in the rater's order. */
  const itemsFor = (rater: string) =>
    o.items
      .filter((i) => assignment.get(i.id)?.includes(rater))
      .map(({ rubric: _r, criteria: _c, selection: _s, pair, ...item }) => {
        if (!pair) return item;
        const order = pairOrder(seed, rater, item.id);
        return {
          ...item,
          order,
          first: order === 'AB' ? pair.a : pair.b,
          second: order === 'AB' ? pair.b : pair.a,
        };
      });
  const ratingsFor = (rater: string) => {
    const latest = latestRatings(o.ratingsFile);
    const out: Record<string, Record<string, number | string | null>> = {};
    for (const i of o.items) {
      if (!assignment.get(i.id)?.includes(rater)) continue;
      for (const c of i.pair ? ['verdict'] : i.criteria) {
        const v = latest.get(key(rater, i.id, c));
        if (v === undefined) continue;
        out[i.id] ??= {};
        out[i.id]![c] = i.pair && typeof v === 'string' ? unshow(v, pairOrder(seed, rater, i.id)) : v;
      }
    }
    return out;
  };

  const server = await startLocalServer({
    port: o.port,
    csp: pageCsp(page, true),
    handle: ({ method, path, query, body }) => {
      if (method === 'GET' && path === '/') return { status: 200, body: page, type: 'text/html' };
      if (method === 'GET' && path === '/api/session') {
        const asked = query.get('rater');
        const rater = asked || fixed;
        const base = {
          raters,
          fixed,
          per_item: o.perItem ?? raters.length,
          kind: pairs ? 'pairs' : 'scores',
          scale,
          rubric: o.rubric ? { id: o.rubric.id, version: o.rubric.version } : null,
          criteria,
          selection: selected,
        };
        if (!rater) return json(200, { ...base, rater: null, items: [], ratings: {} });
        const r = raterOf(rater);
        return json(200, { ...base, rater: r, items: itemsFor(r), ratings: ratingsFor(r) });
      }
      if (method === 'GET' && path === '/api/progress') {
        const level = o.rubric?.scale.type ?? 'interval';
        return json(
          200,
          progressOf({
            items: o.items.map((i) => ({
              id: i.id,
              stratum: i.stratum,
              criteria: i.pair ? ['verdict'] : i.criteria,
            })),
            assignment,
            ratings: latestRatings(o.ratingsFile),
            level: pairs ? 'nominal' : level,
          }),
        );
      }
      if (method === 'POST' && path === '/api/rate') {
        const b = (body ?? {}) as {
          id?: unknown;
          criterion?: unknown;
          value?: unknown;
          rater?: unknown;
          shown?: unknown;
        };
        const rater = raterOf(b.rater);
        const item = typeof b.id === 'string' ? byId.get(b.id) : undefined;
        if (!item || !assignment.get(item.id)?.includes(rater))
          return json(400, { error: `no item ${String(b.id)} for ${rater}` });
        if (item.pair) {
          const shown = b.shown === null ? null : String(b.shown);
          if (shown !== null && !(VERDICTS as readonly string[]).includes(shown))
            return json(400, { error: 'a pair is rated A (the first shown), B (the second) or tie' });
          const order = pairOrder(seed, rater, item.id);
          appendLineDurably(o.ratingsFile, {
            rater,
            id: item.id,
            verdict: shown === null ? null : unshow(shown, order),
            shown,
            order,
            time: new Date().toISOString(),
          });
          return json(200, { saved: true });
        }
        const value = b.value === null ? null : Number(b.value);
        if (
          typeof b.criterion !== 'string' ||
          !item.criteria.includes(b.criterion) ||
          (value !== null && !(Number.isInteger(value) && value >= scale.min && value <= scale.max))
        )
          return json(400, { error: 'unknown item or criterion, or a value off the scale' });
        appendLineDurably(o.ratingsFile, {
          rater,
          id: item.id,
          criterion: b.criterion,
          value,
          time: new Date().toISOString(),
        });
        return json(200, { saved: true });
      }
      return json(404, { error: 'not found' });
    },
  });
  return { url: server.url, ratingsFile: o.ratingsFile, assignment, close: server.close };
}
