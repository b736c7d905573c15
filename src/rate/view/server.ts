import { UsageError } from '../../core/errors.js';
import { json, type LocalServer, pageCsp, startLocalServer } from '../http.js';
import { viewerPage } from './page.js';
import type { ReviewRequest } from './reviews.js';
import type { Viewer } from './viewer.js';

/**
 * `plumb view`'s local server (see rate/http.ts for what keeps it local): the page, the session,
 * a page of items for a view's address, one item, and the two writes — a review appended to the
 * run's reviews file, and a rating sheet written beside the run under a plain name (the browser
 * never names a path).
 *
 *   GET  /                   the page
 *   GET  /api/session        the runs, their facets and ranges, rubrics, gold, limits
 *   GET  /api/list?state=S&offset=K   a page of the list for the view S (the URL fragment's syntax)
 *   GET  /api/item?run=R&n=N|id=ID[&compare=C]   one item
 *   POST /api/review {run, id, rater, scores | verdict, turn?, note?}
 *   POST /api/sheet  {state, name, max}
 */
export async function startViewServer(viewer: Viewer, o: { port?: number } = {}): Promise<LocalServer> {
  const page = viewerPage();
  const int = (v: string | null, what: string): number => {
    const n = Number(v);
    if (v === null || !Number.isInteger(n) || n < 0)
      throw new UsageError(`${what} must be a whole number ≥ 0`);
    return n;
  };
  return startLocalServer({
    port: o.port,
    csp: pageCsp(page, true),
    handle: async ({ method, path, query, body }) => {
      if (method === 'GET' && path === '/') return { status: 200, body: page, type: 'text/html' };
      if (method === 'GET' && path === '/api/session') return json(200, viewer.session('live'));
      if (method === 'GET' && path === '/api/list')
        return json(200, viewer.list(query.get('state') ?? '', int(query.get('offset') ?? '0', 'offset')));
      if (method === 'GET' && path === '/api/item') {
        const run = int(query.get('run'), 'run');
        const compare = query.get('compare');
        const n = query.get('n');
        const id = query.get('id');
        return json(
          200,
          viewer.item(
            run,
            n !== null ? { n: int(n, 'n') } : { id: id ?? '' },
            compare === null ? null : int(compare, 'compare'),
          ),
        );
      }
      if (method === 'POST' && path === '/api/review') {
        const b = (body ?? {}) as Record<string, unknown>;
        if (typeof b.id !== 'string') throw new UsageError('a review names its item');
        const req: ReviewRequest = {
          id: b.id,
          rater: typeof b.rater === 'string' ? b.rater : '',
          ...(b.scores && typeof b.scores === 'object' ? { scores: b.scores as Record<string, number> } : {}),
          ...(typeof b.verdict === 'string' ? { verdict: b.verdict } : {}),
          ...(typeof b.turn === 'number' ? { turn: b.turn } : {}),
          ...(typeof b.note === 'string' ? { note: b.note } : {}),
        };
        return json(200, { saved: true, review: viewer.review(int(String(b.run ?? ''), 'run'), req) });
      }
      if (method === 'POST' && path === '/api/sheet') {
        const b = (body ?? {}) as Record<string, unknown>;
        const written = await viewer.sheet(
          typeof b.state === 'string' ? b.state : '',
          { name: typeof b.name === 'string' ? b.name : '' },
          typeof b.max === 'number' ? b.max : 200,
        );
        return json(200, written);
      }
      return json(404, { error: 'not found' });
    },
  });
}
