import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertNotAnInput } from '../io/guard.js';
import type { Rubric } from '../rubrics/schema.js';
import { ratingPage } from './page.js';
import type { SheetItem } from './sheet.js';

export interface RatingServer {
  /** The page's address, with the session's token; nothing is served without it. */
  url: string;
  ratingsFile: string;
  close(): Promise<void>;
}

/** What the page is told about each criterion: its description and the anchors of its points. */
export interface CriterionInfo {
  name: string;
  description: string;
  anchors: Record<string, string>;
}

/**
 * The local rating page (`plumb rate`): a server bound to 127.0.0.1 only, on a random port, that
 * answers only requests carrying the session's random token (in the URL, or the `x-plumb-token`
 * header the page sends). Every rating is appended to `<sheet>.ratings.jsonl` and fsynced before
 * the page hears "saved", so a crash or Ctrl-C loses nothing; reopening the sheet resumes where
 * the rater stopped. Judge scores are never sent: raters must not be anchored by them.
 */
export async function startRatingServer(o: {
  items: SheetItem[];
  rubric: Rubric | null;
  rater: string;
  ratingsFile: string;
  port?: number;
}): Promise<RatingServer> {
  assertNotAnInput(o.ratingsFile, 'the ratings file');
  const token = randomBytes(24).toString('hex');
  const scale = o.rubric ? { min: o.rubric.scale.min, max: o.rubric.scale.max } : { min: 0, max: 9 };
  const criteria: CriterionInfo[] = (o.items[0]?.criteria ?? []).map((name) => {
    const c = o.rubric?.criteria.find((x) => x.name === name);
    return {
      name,
      description: c?.description ?? '',
      anchors: Object.fromEntries(Object.entries(c?.anchors ?? {}).map(([k, v]) => [k, String(v)])),
    };
  });
  const page = ratingPage();
  const authorised = (req: IncomingMessage) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = url.searchParams.get('token') ?? req.headers['x-plumb-token'];
    if (typeof given !== 'string' || given.length !== token.length) return false;
    return timingSafeEqual(Buffer.from(given), Buffer.from(token));
  };
  const send = (res: ServerResponse, status: number, body: string, type = 'application/json') =>
    res
      .writeHead(status, {
        'content-type': `${type}; charset=utf-8`,
        'cache-control': 'no-store',
        // the page loads nothing from anywhere: no network beyond this server
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      })
      .end(body);

  const server: Server = createServer(async (req, res) => {
    if (!authorised(req))
      return send(
        res,
        403,
        JSON.stringify({ error: 'this page needs the address plumb printed, with its token' }),
      );
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/') return send(res, 200, page, 'text/html');
    if (req.method === 'GET' && path === '/api/session')
      return send(
        res,
        200,
        JSON.stringify({
          rater: o.rater,
          scale,
          rubric: o.rubric ? { id: o.rubric.id, version: o.rubric.version } : null,
          criteria,
          items: o.items.map(({ rubric: _r, criteria: _c, ...item }) => item),
          ratings: ratingsOf(o.ratingsFile, o.rater),
        }),
      );
    if (req.method === 'POST' && path === '/api/rate') {
      let body: { id?: unknown; criterion?: unknown; value?: unknown };
      try {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, JSON.stringify({ error: 'not JSON' }));
      }
      const item = o.items.find((i) => i.id === body.id);
      const value = body.value === null ? null : Number(body.value);
      if (
        !item ||
        typeof body.criterion !== 'string' ||
        !item.criteria.includes(body.criterion) ||
        (value !== null && !(Number.isInteger(value) && value >= scale.min && value <= scale.max))
      )
        return send(
          res,
          400,
          JSON.stringify({ error: 'unknown item or criterion, or a value off the scale' }),
        );
      appendRating(o.ratingsFile, {
        rater: o.rater,
        id: item.id,
        criterion: body.criterion,
        value,
        time: new Date().toISOString(),
      });
      return send(res, 200, JSON.stringify({ saved: true }));
    }
    return send(res, 404, JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    ratingsFile: o.ratingsFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Appends one rating and makes it durable before answering. */
function appendRating(file: string, rating: Record<string, unknown>): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${JSON.stringify(rating)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** This rater's latest value per item and criterion, for resuming. */
function ratingsOf(file: string, rater: string): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { rater: string; id: string; criterion: string; value: number | null };
      if (r.rater !== rater) continue;
      out[r.id] ??= {};
      out[r.id]![r.criterion] = r.value;
    } catch {
      // a line torn by a crash: the rating it held was never confirmed to the page
    }
  }
  return out;
}
