import type Anthropic from '@anthropic-ai/sdk';
import {
  type BatchApi,
  type BatchLineResult,
  type BatchStatus,
  errorText,
  type LostSubmission,
} from '../batch/api.js';

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
