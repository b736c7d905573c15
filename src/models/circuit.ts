import { redactMessage } from '../core/secrets.js';

/**
 * Stops a run whose provider cannot answer, instead of paying every item's retries (a dead local
 * server used to be retried item by item for minutes, and the run then "succeeded" with nothing
 * scored). The SDKs retry transient faults first; what reaches the circuit is a failure that
 * survived them. It trips:
 * - at once on errors that retrying cannot fix: 401 (bad key), 403 (no access), 404 (unknown
 *   model or wrong URL);
 * - after `threshold` requests in a row failed to connect at all (connection refused, unknown
 *   host, reset, timed out), each after the SDK's retries.
 * Tripping aborts `signal`, so work in flight stops; the reason is one line a person can act on.
 */
export class ProviderCircuit {
  private readonly controller = new AbortController();
  private consecutive = 0;
  reason: string | null = null;

  constructor(private readonly threshold = 3) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  success(): void {
    this.consecutive = 0;
  }

  failure(err: unknown, where: { baseURL: string; model: string }): void {
    const c = classifyProviderError(err, where);
    if (c.kind === 'fatal') this.trip(c.reason);
    else if (c.kind === 'connection') {
      this.consecutive += 1;
      if (this.consecutive >= this.threshold)
        this.trip(`${c.reason} (${this.consecutive} requests in a row, each after the SDK's retries)`);
    } else this.consecutive = 0; // the server answered: it is there
  }

  trip(reason: string): void {
    if (this.reason) return;
    this.reason = redactMessage(reason);
    this.controller.abort(new Error(this.reason));
  }
}

export type ErrorClass = { kind: 'fatal' | 'connection' | 'transient'; reason: string };

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** The system error code (ECONNREFUSED, …) under the SDK's APIConnectionError → fetch TypeError chain. */
function systemCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    if (typeof e.code === 'string' && e.code in CONNECTION_CODES) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export function classifyProviderError(err: unknown, where: { baseURL: string; model: string }): ErrorClass {
  const e = err as { status?: number; name?: string; constructor?: { name?: string } };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const at = where.baseURL;
  if (status === 401) return { kind: 'fatal', reason: `HTTP 401 from ${at}: the API key was refused` };
  if (status === 403)
    return { kind: 'fatal', reason: `HTTP 403 from ${at}: the key has no access to model '${where.model}'` };
  if (status === 404)
    return {
      kind: 'fatal',
      reason: `HTTP 404 from ${at}: model '${where.model}' not found, or the base URL is wrong`,
    };
  const code = systemCode(err);
  const name = e?.constructor?.name ?? e?.name ?? '';
  if (code) {
    const hint = /localhost|127\.0\.0\.1|\[::1\]/.test(at) ? ' — is the local server running?' : '';
    return { kind: 'connection', reason: `${CONNECTION_CODES[code]} to ${at}${hint}` };
  }
  if (/ConnectionTimeout/.test(name)) return { kind: 'connection', reason: `requests to ${at} timed out` };
  if (/APIConnectionError/.test(name)) return { kind: 'connection', reason: `cannot connect to ${at}` };
  return { kind: 'transient', reason: '' };
}
