import { UsageError } from '../../core/errors.js';
import { pageCsp } from '../http.js';
import { viewerPage } from './page.js';
import type { Viewer } from './viewer.js';

/**
 * `plumb view --static out.html`: the viewer as one self-contained file — the page, its query
 * engine and the items (every item's detail, the columns the engine filters and sorts, the search
 * text) embedded as JSON. It opens from disk with no server and no network: its
 * Content-Security-Policy allows only its own inline script and style, by hash, and no request at
 * all. Reviews and rating sheets need the live page. It holds at most MAX_STATIC_ITEMS items and
 * MAX_STATIC_BYTES of data (a browser holds it all at once); a larger run is refused with a
 * message naming the limit — select a part with --filter.
 */

export const MAX_STATIC_ITEMS = 20_000;
export const MAX_STATIC_BYTES = 50 * 1024 * 1024;

const nullable = (a: ArrayLike<number | null>) =>
  Array.from(a, (x) => (x === null || x === undefined || Number.isNaN(x) ? null : x));

/** The static file's HTML for the items the view `fragment` selects in each run (all when empty). */
export function staticHtml(
  viewer: Viewer,
  fragment = '',
  limits = { items: MAX_STATIC_ITEMS, bytes: MAX_STATIC_BYTES },
): { html: string; items: number; bytes: number } {
  const engine = viewer.engine;
  const base = engine.parseState(fragment);
  let items = 0;
  // each run keeps the items the filter selects (in file order); compare columns are computed
  // for every comparable pair before the runs are cut down
  const keep = viewer.runs.map((run, r) => {
    const st = { ...base, run: r, compare: null, sort: 'file', page: 0, item: null };
    const sel = engine.select(run.table, st, viewer.matches(r, st.q), run.index.n);
    if (sel.unknown.length && r === base.run)
      throw new UsageError(
        `--filter names ${sel.unknown.join(', ')}, which ${run.source.label} has no column for`,
      );
    items += sel.order.length;
    return sel.order;
  });
  if (items > limits.items)
    throw new UsageError(
      `a static file holds at most ${limits.items} items (the browser keeps them all in memory); these runs have ${items}: choose a part with --filter (e.g. --filter 'role=advisor'), or use the live page (plumb view without --static)`,
    );
  const session = viewer.session('static') as {
    runs: { n: number; facets: { name: string; values: [string, number][] }[] }[];
  };
  const runs = viewer.runs.map((run, r) => {
    const order = keep[r]!;
    const table = run.table;
    // the page's facet counts are of the items in the file
    session.runs[r]!.n = order.length;
    for (const f of session.runs[r]!.facets) {
      const col = table.facets[f.name]!;
      const counts = new Map<string, number>();
      for (const i of order) {
        const v = col.values[col.codes[i]!]!;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      f.values = f.values.map(([v]) => [v, counts.get(v) ?? 0] as [string, number]).filter(([, c]) => c > 0);
    }
    return {
      label: run.source.label,
      n: order.length,
      ids: order.map((i) => run.index.ids.get(i)),
      facets: Object.fromEntries(
        Object.entries(table.facets).map(([k, f]) => [
          k,
          { values: f.values, codes: order.map((i) => f.codes[i]!) },
        ]),
      ),
      nums: Object.fromEntries(
        Object.entries(table.nums).map(([k, col]) => [k, nullable(order.map((i) => col[i] as number))]),
      ),
      texts: viewer.texts(r, order),
      rows: order.map((i, k) => ({ ...viewer.row(r, i), n: k })),
      items: order.map((i, k) => ({ ...viewer.item(r, { n: i }), n: k })),
    };
  });
  const changes: Record<string, (number | null)[]> = {};
  const compared: Record<string, unknown[]> = {};
  viewer.runs.forEach((_, r) => {
    for (const c of viewer.comparable(r)) {
      const col = viewer.changeColumn(r, c);
      changes[`${r}:${c}`] = nullable(keep[r]!.map((i) => col[i]!));
      compared[`${r}:${c}`] = keep[r]!.map((i) => {
        const it = viewer.item(r, { n: i }, c) as { compare: { detail: unknown } | null };
        return it.compare?.detail ?? null;
      });
    }
  });
  const data = JSON.stringify({ session, runs, changes, compared });
  const bytes = Buffer.byteLength(data);
  if (bytes > limits.bytes)
    throw new UsageError(
      `a static file holds at most ${(limits.bytes / 1024 / 1024).toFixed(limits.bytes < 1024 * 1024 ? 2 : 0)} MB of items; these come to ${(bytes / 1024 / 1024).toFixed(1)} MB: choose a part with --filter, or use the live page (plumb view without --static)`,
    );
  return { html: viewerPage(data, (page) => pageCsp(page, false)), items, bytes };
}
