import type OpenAI from 'openai';
import { toFile } from 'openai';
import {
  type BatchApi,
  type BatchLineResult,
  type BatchStatus,
  errorText,
  type LostSubmission,
} from '../batch/api.js';

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
