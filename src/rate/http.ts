import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlumbError, UsageError } from '../core/errors.js';

/**
 * The local servers of `plumb rate` and `plumb view`, and what keeps them local:
 *  - bound to 127.0.0.1 only, on a random free port unless one is asked for;
 *  - every request must carry the session's random token (in the URL, or the `x-plumb-token`
 *    header the page sends), compared in constant time;
 *  - the Host header must name 127.0.0.1 or localhost with this port, so a web page elsewhere
 *    cannot reach the server through DNS rebinding;
 *  - a POST must be JSON (`content-type: application/json`, which a plain HTML form cannot send),
 *    from this origin when the browser says where it comes from, and at most `maxBody` bytes;
 *  - every answer forbids caching, framing, sniffing and referrers, and the page's
 *    Content-Security-Policy allows only its own inline script and style (by hash) and requests to
 *    this server.
 */

export interface LocalRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body of a POST (undefined for a GET). */
  body: unknown;
}

export interface LocalResponse {
  status: number;
  body: string;
  type?: string;
}

export interface LocalServer {
  /** The page's address with the session's token: nothing is served without it. */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 64 * 1024;

/** `'sha256-…'` of every inline script and style block that runs (JSON data blocks are not code). */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
  const scripts = [
    ...html.matchAll(/<script(?![^>]*type="application\/json")[^>]*>([\s\S]*?)<\/script>/g),
  ].map((m) => hash(m[1]!));
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => hash(m[1]!));
  return { scripts, styles };
}

/** The Content-Security-Policy of a page: its own inline code only, and (live) requests to itself. */
export function pageCsp(html: string, live: boolean): string {
  const { scripts, styles } = inlineHashes(html);
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ') || "'none'"}`,
    `style-src ${styles.join(' ') || "'none'"}`,
    `connect-src ${live ? "'self'" : "'none'"}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(live ? ["frame-ancestors 'none'"] : []),
  ].join('; ');
}

export const json = (status: number, value: unknown): LocalResponse => ({
  status,
  body: JSON.stringify(value),
  type: 'application/json',
});

/**
 * Why the server could not listen, in one line for a person (the CLI's usage exit, 2): a port in
 * use or not allowed is the user's environment, not a bug.
 */
function listenError(err: NodeJS.ErrnoException, port: number): Error {
  const where = `127.0.0.1:${port}`;
  if (err.code === 'EADDRINUSE')
    return new UsageError(
      `--port ${port}: ${where} is already in use (another plumb rate or view?): give another --port, or leave it out for a free one`,
    );
  if (err.code === 'EACCES')
    return new UsageError(
      `--port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges): give a port from 1024 up`,
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new UsageError(`cannot listen on ${where}: this machine has no 127.0.0.1 (${err.code})`);
  return err;
}

/** Starts a local server that hands checked requests to `handle`; see the file's comment. */
export async function startLocalServer(o: {
  port?: number;
  /** The CSP sent with every answer (the page's, from pageCsp). */
  csp: string;
  maxBody?: number;
  handle: (req: LocalRequest) => Promise<LocalResponse> | LocalResponse;
}): Promise<LocalServer> {
  const token = randomBytes(24).toString('hex');
  const maxBody = o.maxBody ?? MAX_BODY_BYTES;
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const authorised = (req: IncomingMessage, url: URL) => {
    const given = url.searchParams.get('token') ?? req.headers['x-plumb-token'];
    if (typeof given !== 'string' || given.length !== token.length) return false;
    return timingSafeEqual(Buffer.from(given), Buffer.from(token));
  };
  const send = (res: ServerResponse, r: LocalResponse) =>
    res
      .writeHead(r.status, {
        'content-type': `${r.type ?? 'application/json'}; charset=utf-8`,
        'cache-control': 'no-store',
        'content-security-policy': o.csp,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      })
      .end(r.body);

  const server: Server = createServer(async (req, res) => {
    try {
      const host = String(req.headers.host ?? '').toLowerCase();
      if (!allowedHosts().has(host))
        return send(res, json(421, { error: 'this server answers only at 127.0.0.1 or localhost' }));
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (!authorised(req, url))
        return send(res, json(403, { error: 'this page needs the address plumb printed, with its token' }));
      const method = req.method ?? 'GET';
      let body: unknown;
      if (method === 'POST') {
        const origin = req.headers.origin;
        if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, '').toLowerCase()))
          return send(res, json(403, { error: 'a request from another origin' }));
        if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? '')))
          return send(res, json(415, { error: 'send JSON (content-type: application/json)' }));
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > maxBody) {
          res.setHeader('connection', 'close');
          return send(res, json(413, { error: `a request body is at most ${maxBody} bytes` }));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req) {
          size += (c as Buffer).length;
          if (size > maxBody) {
            res.setHeader('connection', 'close');
            send(res, json(413, { error: `a request body is at most ${maxBody} bytes` }));
            req.destroy();
            return;
          }
          chunks.push(c as Buffer);
        }
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(res, json(400, { error: 'not JSON' }));
        }
      } else if (method !== 'GET') return send(res, json(405, { error: 'GET or POST only' }));
      send(res, await o.handle({ method, path: url.pathname, query: url.searchParams, body }));
    } catch (err) {
      if (!res.headersSent)
        send(res, json(err instanceof PlumbError ? 400 : 500, { error: (err as Error).message }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, o.port ?? 0)));
    server.listen(o.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
