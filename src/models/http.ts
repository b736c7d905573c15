import { STATUS_CODES } from 'node:http';
import { type Dispatcher, EnvHttpProxyAgent, request } from 'undici';

/** Counts every HTTP request the SDKs send, their own retries included. */
export interface HttpCounter {
  requests: number;
}

/** The SDKs' `fetch` option (both take the WHATWG signature). */
export type SdkFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const dispatchers = new Map<string, Dispatcher>();

/**
 * The connection pool every SDK client of this process shares: undici's keep-alive agent, through
 * the proxy that HTTPS_PROXY / HTTP_PROXY name (NO_PROXY honoured), as curl and pip do. Node 20's
 * global fetch ignores those variables, so a lab behind a proxy could not reach a provider before.
 */
function dispatcherFor(env: NodeJS.ProcessEnv): Dispatcher {
  const settings = {
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  };
  const key = JSON.stringify(settings);
  let d = dispatchers.get(key);
  if (!d) {
    // undefined settings would make undici read process.env itself; '' means "none" to it
    d = new EnvHttpProxyAgent({
      httpProxy: settings.httpProxy ?? '',
      httpsProxy: settings.httpsProxy ?? '',
      noProxy: settings.noProxy ?? '',
    });
    dispatchers.set(key, d);
  }
  return d;
}

/** user:password@ in a --base-url: fetch's own handling of it is kept. */
const CREDENTIALS_IN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The `fetch` plumb hands the OpenAI and Anthropic SDKs. Their JSON calls (a string body: chat
 * completions, messages, batch creation) go through undici's `request`, and the reply is handed
 * back as a real `Response` made from the bytes read. Through Node's WHATWG fetch the same call
 * cost the SDK 0.80 ms of CPU, through this path 0.44 ms (bench/run.mjs `cpu`): fetch builds a
 * Request, a stream per body and a task per chunk, which a small JSON reply does not need.
 * Everything else — uploads (FormData), downloads of batch result files (read as streams), URLs
 * with credentials — goes through Node's fetch on the same pool (Node's fetch takes a
 * `dispatcher`; undici's own fetch would not encode Node's global FormData, which the SDKs use).
 * The SDKs' retries, timeouts and abort signals are untouched: they sit above this function.
 * Redirects are not followed on the fast path; no provider API redirects a POST.
 */
export function createSdkFetch(env: NodeJS.ProcessEnv, counter?: HttpCounter | null): SdkFetch {
  const dispatcher = dispatcherFor(env);
  return async (input, init = {}) => {
    if (counter) counter.requests += 1;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : null;
    if (url === null || typeof init.body !== 'string' || CREDENTIALS_IN_URL.test(url))
      return fetch(input, { ...init, dispatcher } as unknown as RequestInit);
    const res = await request(url, {
      method: (init.method ?? 'POST') as Dispatcher.HttpMethod,
      headers: init.headers as Dispatcher.RequestOptions['headers'],
      body: init.body,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const bytes = await res.body.bytes();
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.append(name, value);
    }
    return new Response(NULL_BODY.has(res.statusCode) ? null : (bytes as Uint8Array<ArrayBuffer>), {
      status: res.statusCode,
      statusText: STATUS_CODES[res.statusCode] ?? '',
      headers,
    });
  };
}
