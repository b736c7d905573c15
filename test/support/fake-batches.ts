import type { FakeProtocol } from './fake-provider.js';

/**
 * The batch endpoints of the fake servers, as the real APIs define them:
 * OpenAI — `POST /v1/files` (multipart, purpose `batch`), `POST /v1/batches`, `GET /v1/batches/{id}`,
 * `GET /v1/batches` (newest first), `GET /v1/files/{id}/content`;
 * Anthropic — `POST /v1/messages/batches`, `GET /v1/messages/batches/{id}`, `GET /v1/messages/batches`,
 * and the results file at the batch's `results_url`.
 * A batch stays in progress for `rounds` polls, then ends; each of its lines is answered then by the
 * server's script (the same one that answers synchronous requests) unless `fate` says it errored or
 * expired.
 */
export interface FakeBatchOptions {
  /** Polls a batch answers "in progress" before it has ended (default 1). */
  rounds?: number;
  /** What happens to a line; `attempt` counts the batches this custom_id has been in (1-based). */
  fate?: (customId: string, attempt: number) => 'succeeded' | 'errored' | 'expired';
  /** Called once a batch is created, before the client hears of it; a test may kill the client here. */
  onCreate?: (batch: FakeBatch) => void | Promise<void>;
  /** Called on every poll of a batch, before the answer. */
  onPoll?: (batch: FakeBatch) => void | Promise<void>;
}

export interface FakeBatch {
  id: string;
  customIds: string[];
  /** The request bodies, by custom_id. */
  bodies: Map<string, Record<string, unknown>>;
  createdAt: number;
  metadata: Record<string, string> | null;
  polls: number;
  ended: boolean;
  /** OpenAI: ids of the output and error files once ended; Anthropic: the results text. */
  output?: string;
  errors?: string;
  counts: { succeeded: number; errored: number; expired: number };
}

/** A reply the server's script makes for one request body: the provider's payload or an error. */
export type AnswerFn = (
  body: Record<string, unknown>,
) => Promise<{ ok: true; payload: unknown } | { ok: false; status: number; body: unknown }>;

export interface FakeHttpReply {
  status: number;
  body: string;
  contentType?: string;
}

export class FakeBatches {
  readonly batches: FakeBatch[] = [];
  private readonly files = new Map<string, string>();
  private readonly attempts = new Map<string, number>();
  private nextId = 1;

  constructor(
    private readonly protocol: FakeProtocol,
    private readonly options: FakeBatchOptions,
    private readonly answer: AnswerFn,
  ) {}

  /** Answers a batch endpoint; null when the path is not one. */
  async handle(
    method: string,
    url: string,
    raw: Buffer,
    contentType: string,
    base: string,
  ): Promise<FakeHttpReply | null> {
    const path = new URL(url, 'http://x').pathname;
    return this.protocol === 'openai'
      ? this.openai(method, path, raw, contentType)
      : this.anthropic(method, path, raw, base);
  }

  private async openai(method: string, path: string, raw: Buffer, contentType: string) {
    if (method === 'POST' && path === '/v1/files') {
      const form = await new Request('http://x/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(raw),
      }).formData();
      const file = form.get('file') as File | null;
      if (!file || form.get('purpose') !== 'batch')
        return json(400, { error: { message: 'need file, purpose=batch' } });
      const id = `file-${this.nextId++}`;
      this.files.set(id, await file.text());
      return json(200, {
        id,
        object: 'file',
        bytes: file.size,
        created_at: now(),
        filename: file.name,
        purpose: 'batch',
        status: 'processed',
      });
    }
    if (method === 'POST' && path === '/v1/batches') {
      const req = JSON.parse(raw.toString('utf8')) as {
        input_file_id: string;
        endpoint: string;
        metadata?: Record<string, string>;
      };
      const text = this.files.get(req.input_file_id);
      if (text === undefined) return json(404, { error: { message: `no file ${req.input_file_id}` } });
      const lines = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { custom_id: string; url: string; body: Record<string, unknown> });
      if (lines.some((l) => l.url !== req.endpoint))
        return json(400, { error: { message: 'line url ≠ endpoint' } });
      const batch = await this.create(
        'batch',
        lines.map((l) => [l.custom_id, l.body]),
        req.metadata ?? null,
      );
      if (!batch) return json(400, { error: { message: 'duplicate custom_id in one batch' } });
      return json(200, this.openaiBatch(batch, req.input_file_id));
    }
    if (method === 'GET' && path === '/v1/batches')
      return json(200, {
        object: 'list',
        data: [...this.batches].reverse().map((b) => this.openaiBatch(b, '')),
        has_more: false,
      });
    const one = /^\/v1\/batches\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const batch = await this.poll(one[1]!);
      return batch ? json(200, this.openaiBatch(batch, '')) : json(404, { error: { message: 'no batch' } });
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (method === 'GET' && content) {
      const text = this.files.get(content[1]!);
      return text === undefined
        ? json(404, { error: { message: 'no file' } })
        : { status: 200, body: text, contentType: 'application/octet-stream' };
    }
    return null;
  }

  private openaiBatch(b: FakeBatch, inputFile: string) {
    const expired = b.counts.expired > 0;
    return {
      id: b.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: inputFile,
      completion_window: '24h',
      status: b.ended ? (expired ? 'expired' : 'completed') : b.polls === 0 ? 'validating' : 'in_progress',
      created_at: b.createdAt,
      output_file_id: b.ended ? b.output : null,
      error_file_id: b.ended ? b.errors : null,
      metadata: b.metadata,
      request_counts: {
        total: b.customIds.length,
        completed: b.counts.succeeded,
        failed: b.counts.errored + b.counts.expired,
      },
    };
  }

  private async anthropic(method: string, path: string, raw: Buffer, base: string) {
    if (method === 'POST' && path === '/v1/messages/batches') {
      const req = JSON.parse(raw.toString('utf8')) as {
        requests: { custom_id: string; params: Record<string, unknown> }[];
      };
      const batch = await this.create(
        'msgbatch',
        req.requests.map((r) => [r.custom_id, r.params]),
        null,
      );
      if (!batch)
        return json(400, {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'duplicate custom_id' },
        });
      return json(200, this.anthropicBatch(batch, base));
    }
    if (method === 'GET' && path === '/v1/messages/batches')
      return json(200, {
        data: [...this.batches].reverse().map((b) => this.anthropicBatch(b, base)),
        has_more: false,
        first_id: null,
        last_id: null,
      });
    const results = /^\/v1\/messages\/batches\/([^/]+)\/results$/.exec(path);
    if (method === 'GET' && results) {
      const b = this.batches.find((x) => x.id === results[1]);
      return b?.ended
        ? { status: 200, body: b.output!, contentType: 'application/binary' }
        : json(404, { type: 'error', error: { type: 'not_found_error', message: 'no results yet' } });
    }
    const one = /^\/v1\/messages\/batches\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const b = await this.poll(one[1]!);
      return b
        ? json(200, this.anthropicBatch(b, base))
        : json(404, { type: 'error', error: { type: 'not_found_error', message: 'no batch' } });
    }
    return null;
  }

  private anthropicBatch(b: FakeBatch, base: string) {
    const c = b.counts;
    return {
      id: b.id,
      type: 'message_batch',
      processing_status: b.ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: b.ended ? 0 : b.customIds.length,
        succeeded: c.succeeded,
        errored: c.errored,
        canceled: 0,
        expired: c.expired,
      },
      created_at: new Date(b.createdAt * 1000).toISOString(),
      ended_at: b.ended ? new Date().toISOString() : null,
      expires_at: new Date((b.createdAt + 86_400) * 1000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: b.ended ? `${base}/v1/messages/batches/${b.id}/results` : null,
    };
  }

  private async create(
    prefix: string,
    lines: [string, Record<string, unknown>][],
    metadata: Record<string, string> | null,
  ): Promise<FakeBatch | null> {
    const ids = lines.map(([id]) => id);
    if (new Set(ids).size !== ids.length) return null;
    const batch: FakeBatch = {
      id: `${prefix}_${this.nextId++}`,
      customIds: ids,
      bodies: new Map(lines),
      createdAt: now(),
      metadata,
      polls: 0,
      ended: false,
      counts: { succeeded: 0, errored: 0, expired: 0 },
    };
    this.batches.push(batch);
    await this.options.onCreate?.(batch);
    return batch;
  }

  private async poll(id: string): Promise<FakeBatch | undefined> {
    const batch = this.batches.find((b) => b.id === id);
    if (!batch) return undefined;
    await this.options.onPoll?.(batch);
    batch.polls += 1;
    if (!batch.ended && batch.polls > (this.options.rounds ?? 1)) await this.finish(batch);
    return batch;
  }

  /** Answers every line of an ended batch, into the output (and, for OpenAI, error) file. */
  private async finish(batch: FakeBatch): Promise<void> {
    const out: string[] = [];
    const errs: string[] = [];
    for (const [i, customId] of batch.customIds.entries()) {
      const attempt = (this.attempts.get(customId) ?? 0) + 1;
      this.attempts.set(customId, attempt);
      let fate = this.options.fate?.(customId, attempt) ?? 'succeeded';
      let answer: Awaited<ReturnType<AnswerFn>> | null = null;
      if (fate === 'succeeded') {
        answer = await this.answer(batch.bodies.get(customId)!);
        if (!answer.ok) fate = 'errored';
      }
      batch.counts[fate] += 1;
      const reqId = `batch_req_${batch.id}_${i}`;
      if (this.protocol === 'openai') {
        if (answer?.ok)
          out.push(
            JSON.stringify({
              id: reqId,
              custom_id: customId,
              response: { status_code: 200, request_id: reqId, body: answer.payload },
              error: null,
            }),
          );
        else if (fate === 'expired')
          errs.push(
            JSON.stringify({
              id: reqId,
              custom_id: customId,
              response: null,
              error: {
                code: 'batch_expired',
                message: 'This request could not be executed before the completion window expired.',
              },
            }),
          );
        else
          errs.push(
            JSON.stringify({
              id: reqId,
              custom_id: customId,
              response: {
                status_code: answer && !answer.ok ? answer.status : 500,
                request_id: reqId,
                body:
                  answer && !answer.ok
                    ? answer.body
                    : { error: { message: 'fake server error', type: 'server_error' } },
              },
              error: null,
            }),
          );
      } else {
        const result = answer?.ok
          ? { type: 'succeeded', message: answer.payload }
          : fate === 'expired'
            ? { type: 'expired' }
            : {
                type: 'errored',
                error: {
                  type: 'error',
                  error: {
                    type: 'api_error',
                    message: `fake error (HTTP ${answer && !answer.ok ? answer.status : 500})`,
                  },
                },
              };
        out.push(JSON.stringify({ custom_id: customId, result }));
      }
    }
    batch.ended = true;
    if (this.protocol === 'openai') {
      // as OpenAI does, an empty file is not made: its id stays null
      if (out.length) {
        batch.output = `file-${this.nextId++}`;
        this.files.set(batch.output, `${out.join('\n')}\n`);
      }
      if (errs.length) {
        batch.errors = `file-${this.nextId++}`;
        this.files.set(batch.errors, `${errs.join('\n')}\n`);
      }
    } else {
      batch.output = `${out.join('\n')}\n`;
    }
  }
}

function json(status: number, body: unknown): FakeHttpReply {
  return { status, body: JSON.stringify(body) };
}

const now = () => Math.floor(Date.now() / 1000);
