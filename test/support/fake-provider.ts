import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeBatch, FakeBatches, type FakeBatchOptions } from './fake-batches.js';

/**
 * Fake OpenAI and Anthropic servers on 127.0.0.1 that speak the real wire protocols
 * (`POST /v1/chat/completions`, `POST /v1/messages`), for tests and benchmarks driven through the
 * real SDKs. Each request is answered by a script function that may return a judge reply, an HTTP
 * error with headers (429 + retry-after), a hang (to trigger client timeouts), or raw bytes.
 * Every request is recorded, headers included, so tests can count calls and look for leaked keys.
 */

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** 1-based index of this request among all the server has received. */
  n: number;
}

export type FakeAction =
  /** A normal reply: for OpenAI the message content string; for Anthropic the tool input object. */
  | {
      reply: string | Record<string, unknown>;
      finish?: 'stop' | 'length' | 'content_filter' | 'max_tokens' | 'end_turn';
      /** `cached`: prompt tokens read from the provider's cache; `cacheWrite`: written to it (Anthropic). */
      usage?: FakeUsage;
    }
  /** An OpenAI refusal (message.refusal) or an Anthropic `stop_reason: "refusal"`. */
  | { refusal: string }
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer (the client's timeout fires); the socket is closed when the server stops. */
  | { hang: true }
  | { raw: string; status?: number };

export interface FakeUsage {
  input: number;
  output: number;
  cached?: number;
  cacheWrite?: number;
}

export type FakeScript = (req: RecordedRequest) => FakeAction | Promise<FakeAction>;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Batches created on the server (OpenAI Batch, Anthropic Message Batches), oldest first. */
  batches: FakeBatch[];
  close(): Promise<void>;
}

export type FakeProtocol = 'openai' | 'anthropic';

/** Starts a fake server; `latencyMs` is added before every answer (for benchmarks). */
export async function startFakeProvider(
  protocol: FakeProtocol,
  script: FakeScript,
  options: { latencyMs?: number; record?: boolean; batch?: FakeBatchOptions } = {},
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let count = 0;
  let base = '';
  const hanging = new Set<ServerResponse>();
  const expected = protocol === 'openai' ? '/chat/completions' : '/messages';
  // a batch line is answered by the same script as a synchronous request, as a request of its own
  const batches = new FakeBatches(protocol, options.batch ?? {}, async (body) => {
    count += 1;
    const action = await script({ path: `/v1${expected}`, headers: {}, body, n: count });
    if ('reply' in action || 'refusal' in action)
      return {
        ok: true,
        payload: protocol === 'openai' ? openaiReply(body, action) : anthropicReply(body, action),
      };
    // a hang, raw bytes or an HTTP error all come back as an errored line
    const status = 'status' in action && action.status ? action.status : 500;
    const errBody = 'body' in action && action.body ? action.body : errorBody(protocol, status);
    return { ok: false as const, status, body: errBody };
  });
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    count += 1;
    const raw = Buffer.concat(chunks);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      body = {};
    }
    const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body, n: count };
    if (options.record !== false) requests.push(recorded);
    const batchReply = await batches.handle(
      req.method ?? 'GET',
      req.url ?? '',
      raw,
      req.headers['content-type'] ?? '',
      base,
    );
    if (batchReply) {
      res
        .writeHead(batchReply.status, { 'content-type': batchReply.contentType ?? 'application/json' })
        .end(batchReply.body);
      return;
    }
    // the endpoint may sit after a query string (a base URL with `?key=…`, which the SDKs append
    // the path to, as some proxies accept); anything else the client was not expected to send fails
    if (req.method !== 'POST' || !decodeURIComponent(recorded.path).endsWith(expected)) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `unexpected ${req.method} ${req.url}` } }));
      return;
    }
    const action = await script(recorded);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if ('hang' in action) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('raw' in action) {
      res.writeHead(action.status ?? 200, { 'content-type': 'application/json' }).end(action.raw);
      return;
    }
    if ('status' in action) {
      const errBody = action.body ?? errorBody(protocol, action.status);
      res
        .writeHead(action.status, { 'content-type': 'application/json', ...action.headers })
        .end(JSON.stringify(errBody));
      return;
    }
    const payload = protocol === 'openai' ? openaiReply(body, action) : anthropicReply(body, action);
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_fake_${count}` })
      .end(JSON.stringify(payload));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/v1`,
    requests,
    batches: batches.batches,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function errorBody(protocol: FakeProtocol, status: number) {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  return protocol === 'openai'
    ? { error: { message: `fake ${status}`, type, code: null } }
    : { type: 'error', error: { type, message: `fake ${status}` } };
}

type ReplyAction = Extract<FakeAction, { reply: unknown }> | Extract<FakeAction, { refusal: string }>;

function openaiReply(body: Record<string, unknown>, action: ReplyAction) {
  const usage: FakeUsage = 'reply' in action && action.usage ? action.usage : { input: 100, output: 20 };
  const message =
    'refusal' in action
      ? { role: 'assistant', content: null, refusal: action.refusal }
      : {
          role: 'assistant',
          content: typeof action.reply === 'string' ? action.reply : JSON.stringify(action.reply),
          refusal: null,
        };
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: body.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: 'refusal' in action ? 'stop' : (action.finish ?? 'stop'),
      },
    ],
    usage: {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      // OpenAI counts cached tokens inside prompt_tokens
      ...(usage.cached ? { prompt_tokens_details: { cached_tokens: usage.cached } } : {}),
    },
  };
}

function anthropicReply(body: Record<string, unknown>, action: ReplyAction) {
  const usage: FakeUsage = 'reply' in action && action.usage ? action.usage : { input: 100, output: 20 };
  const tools = (body.tools as { name: string }[] | undefined) ?? [];
  const content =
    'refusal' in action
      ? [{ type: 'text', text: action.refusal }]
      : typeof action.reply === 'string'
        ? [{ type: 'text', text: action.reply }]
        : [{ type: 'tool_use', id: 'toolu_fake', name: tools[0]?.name ?? 'tool', input: action.reply }];
  const stop =
    'refusal' in action
      ? 'refusal'
      : (action.finish ?? (typeof action.reply === 'string' ? 'end_turn' : 'tool_use'));
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    // Anthropic's input_tokens leaves out the tokens read from and written to the cache
    usage: {
      input_tokens: usage.input - (usage.cached ?? 0) - (usage.cacheWrite ?? 0),
      output_tokens: usage.output,
      cache_read_input_tokens: usage.cached ?? 0,
      cache_creation_input_tokens: usage.cacheWrite ?? 0,
    },
  };
}

/**
 * What vLLM's `run_batch` (and OpenAI's batch output file) makes of a requests file: one line per
 * request, `{id, custom_id, response: {status_code, request_id, body}, error}`, each body answered
 * by the script as the fake server would answer it. For tests of `plumb batch export / import`.
 */
export async function runBatchFile(requests: string, script: FakeScript): Promise<string> {
  const out: string[] = [];
  let n = 0;
  for (const text of requests.split('\n')) {
    if (!text.trim()) continue;
    n += 1;
    const line = JSON.parse(text) as { custom_id: string; url: string; body: Record<string, unknown> };
    const action = await script({ path: line.url, headers: {}, body: line.body, n });
    const id = `vllm-${n}`;
    if ('reply' in action || 'refusal' in action)
      out.push(
        JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: { status_code: 200, request_id: id, body: openaiReply(line.body, action) },
          error: null,
        }),
      );
    else {
      const status = 'status' in action && action.status ? action.status : 500;
      out.push(
        JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: { status_code: status, request_id: id, body: errorBody('openai', status) },
          error: null,
        }),
      );
    }
  }
  return `${out.join('\n')}\n`;
}
