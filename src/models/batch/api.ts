import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Transport } from '../transport.js';

/** One request's outcome in a batch's results. */
export type BatchLineResult =
  | { customId: string; ok: true; response: unknown }
  /** `why`: the provider's error, or `expired` / `canceled`; a line with no result at all is `missing`. */
  | { customId: string; ok: false; why: string };

/** What is known of a submission whose batch id was never recorded. */
export interface LostSubmission {
  tag: string;
  /** When it was about to be sent (ms). */
  since: number;
  count: number;
  /** Batch ids other chunks of the run already hold. */
  taken: Set<string>;
  /** Every request id of the submission starts with this. */
  customIdPrefix: string;
}

export interface BatchStatus {
  ended: boolean;
  /** The provider's own status word and counts, for progress lines. */
  status: string;
  counts: Record<string, number>;
}

/**
 * A provider's batch API, through its SDK: submit a batch of requests (each the exact body of the
 * synchronous call), poll it, read its results, and find a batch this run submitted but did not
 * record (a crash between the provider's reply and the manifest write).
 */
export interface BatchApi {
  readonly provider: 'openai' | 'anthropic';
  /** The provider's limits for one batch. */
  readonly maxRequests: number;
  readonly maxBytes: number;
  /** One request as a batch line (its size counts towards maxBytes). */
  line(customId: string, body: object): string;
  /** Submits the lines; `tag` identifies the submission for adoption after a crash. */
  submit(lines: string[], tag: string): Promise<string>;
  /**
   * The batch this run submitted but never recorded (a crash between the provider's reply and the
   * manifest), found by its tag or by its requests' ids — never by guessing: null when there is
   * none, 'pending' while a batch that may be it has not ended and cannot be told apart yet.
   */
  adopt(lost: LostSubmission): Promise<string | 'pending' | null>;
  status(id: string): Promise<BatchStatus>;
  results(id: string): AsyncIterable<BatchLineResult>;
}

/**
 * OpenAI Batch: the lines go up as a file (`purpose: "batch"`), a batch is created on
 * `/v1/chat/completions` with a 24 h window and `metadata.plumb_submission` = the tag; results come
 * back in an output file (successes) and an error file (failed and expired lines).
 * Limits: 50,000 requests and 200 MB per file.
 */
export class OpenAIBatchApi implements BatchApi {
  readonly provider = 'openai' as const;
  readonly maxRequests = 50_000;
  readonly maxBytes = 200 * 1024 * 1024;

  constructor(private readonly client: OpenAI) {}

  line(customId: string, body: object): string {
    return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
  }

  async submit(lines: string[], tag: string): Promise<string> {
    const file = await this.client.files.create({
      file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'plumb-batch.jsonl'),
      purpose: 'batch',
    });
    const batch = await this.client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { plumb_submission: tag },
    });
    return batch.id;
  }

  async adopt({ tag, since, taken }: LostSubmission): Promise<string | null> {
    // newest first: stop once batches are older than the submission (with a minute of clock skew)
    for await (const b of this.client.batches.list({ limit: 100 })) {
      if (b.created_at * 1000 < since - 60_000) break;
      if (b.metadata?.plumb_submission === tag && !taken.has(b.id)) return b.id;
    }
    return null;
  }

  async status(id: string): Promise<BatchStatus> {
    const b = await this.client.batches.retrieve(id);
    const c = b.request_counts;
    return {
      ended: ['completed', 'failed', 'expired', 'cancelled'].includes(b.status),
      status: b.status,
      counts: { total: c?.total ?? 0, completed: c?.completed ?? 0, failed: c?.failed ?? 0 },
    };
  }

  async *results(id: string): AsyncIterable<BatchLineResult> {
    const b = await this.client.batches.retrieve(id);
    for (const fileId of [b.output_file_id, b.error_file_id]) {
      if (!fileId) continue;
      const text = await (await this.client.files.content(fileId)).text();
      for (const raw of text.split('\n')) {
        if (!raw.trim()) continue;
        const line = JSON.parse(raw) as {
          custom_id: string;
          response: { status_code: number; body: unknown } | null;
          error: { code?: string; message?: string } | null;
        };
        if (line.response?.status_code === 200)
          yield { customId: line.custom_id, ok: true, response: line.response.body };
        else
          yield {
            customId: line.custom_id,
            ok: false,
            why: line.error
              ? `${line.error.code ?? 'error'}: ${line.error.message ?? ''}`
              : `HTTP ${line.response?.status_code}: ${errorText(line.response?.body)}`,
          };
      }
    }
  }
}

/**
 * Anthropic Message Batches: the requests go up in one call (`{custom_id, params}` each); results
 * are streamed from the batch's `results_url` as `succeeded` / `errored` / `canceled` / `expired`.
 * The API has no metadata: a crashed submission is found among the batches created since, of its
 * size, by the ids of its requests in their results — so only once such a batch has ended.
 * Limits: 100,000 requests and 256 MB per batch.
 */
export class AnthropicBatchApi implements BatchApi {
  readonly provider = 'anthropic' as const;
  readonly maxRequests = 100_000;
  readonly maxBytes = 256 * 1024 * 1024;

  constructor(private readonly client: Anthropic) {}

  line(customId: string, body: object): string {
    return JSON.stringify({ custom_id: customId, params: body });
  }

  async submit(lines: string[]): Promise<string> {
    const requests = lines.map((l) => JSON.parse(l) as Anthropic.Messages.BatchCreateParams.Request);
    const batch = await this.client.messages.batches.create({ requests });
    return batch.id;
  }

  async adopt({ since, count, taken, customIdPrefix }: LostSubmission): Promise<string | 'pending' | null> {
    let pending = false;
    for await (const b of this.client.messages.batches.list({ limit: 100 })) {
      if (Date.parse(b.created_at) < since - 60_000) break;
      const c = b.request_counts;
      const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
      if (total !== count || taken.has(b.id)) continue;
      const now = b.processing_status === 'ended' ? b : await this.client.messages.batches.retrieve(b.id);
      if (now.processing_status !== 'ended') {
        // another run's batch of the same size looks the same until its results show: look again later
        pending = true;
        continue;
      }
      for await (const r of await this.client.messages.batches.results(b.id)) {
        if (r.custom_id.startsWith(customIdPrefix)) return b.id;
        break; // every request of a batch carries its run's prefix: the first one tells
      }
    }
    return pending ? 'pending' : null;
  }

  async status(id: string): Promise<BatchStatus> {
    const b = await this.client.messages.batches.retrieve(id);
    return {
      ended: b.processing_status === 'ended',
      status: b.processing_status,
      counts: { ...b.request_counts },
    };
  }

  async *results(id: string): AsyncIterable<BatchLineResult> {
    for await (const r of await this.client.messages.batches.results(id)) {
      const result = r.result;
      if (result.type === 'succeeded') yield { customId: r.custom_id, ok: true, response: result.message };
      else if (result.type === 'errored')
        yield { customId: r.custom_id, ok: false, why: `errored: ${errorText(result.error)}` };
      else yield { customId: r.custom_id, ok: false, why: result.type };
    }
  }
}

/** The message inside a provider's error body, whichever shape it has. */
function errorText(body: unknown): string {
  const b = body as
    | { error?: { message?: string; error?: { message?: string } }; message?: string }
    | undefined;
  return (
    b?.error?.message ?? b?.error?.error?.message ?? b?.message ?? JSON.stringify(body ?? null).slice(0, 200)
  );
}

/** The batch API behind a judge's transport; null for servers that only mimic OpenAI. */
export async function batchApiFor(transport: Transport): Promise<BatchApi | null> {
  const { OpenAITransport } = await import('../openai/transport.js');
  const { AnthropicTransport } = await import('../anthropic/transport.js');
  if (transport instanceof AnthropicTransport) return new AnthropicBatchApi(transport.client);
  if (transport instanceof OpenAITransport && transport.o.dialect === 'openai')
    return new OpenAIBatchApi(transport.o.client);
  return null;
}
