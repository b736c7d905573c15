import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AtomicLineWriter } from '../io/atomic.js';
import { noteInput } from '../io/guard.js';
import type { BatchBroker } from '../models/batch/broker.js';
import type { JudgeCache } from '../models/cache.js';
import { readChatCompletion } from '../models/openai/transport.js';
import { costOfUsage, type Price } from '../models/pricing.js';
import type { Rubric } from '../rubrics/schema.js';
import { checkReply, unscoredResult } from './llm.js';
import { validateReply } from './reply.js';

/**
 * Batch files for engines plumb does not drive itself — vLLM's `run_batch` on a GPU cluster, or
 * OpenAI batch files uploaded and downloaded by hand. `exportRequests` writes the calls the cache
 * cannot answer as OpenAI batch lines (`custom_id` = the cache key) and leaves a note in the cache
 * for each (what validates it, what it costs); `importResults` reads the engine's output, checks
 * every line against the rubric as a live reply would be, and fills the cache — after which the
 * same `plumb score` command sends nothing.
 */

/** What the cache keeps about an exported request, under `<key>-export`. */
interface ExportNote {
  rubric: string;
  max_tokens: number;
  /** Priced at batch rates when the judge is OpenAI's own API (its batch files); else list price. */
  batch_price: boolean;
  price: Price | null;
}

const noteKey = (key: string) => `${key}-export`;
const rubricKey = (hash: string) => `rubric-${hash}`;

export async function exportRequests(o: {
  broker: BatchBroker;
  rubric: Rubric;
  cache: JudgeCache;
  out: string;
}): Promise<number> {
  const writer = await AtomicLineWriter.open(o.out);
  try {
    await o.cache.set(rubricKey(o.rubric.hash), o.rubric);
    for (const r of o.broker.requests.values()) {
      const { transport, params, price } = r.caller.batchParts;
      const body = transport.body(r.start(), params, r.sample);
      await writer.write(
        JSON.stringify({ custom_id: r.key, method: 'POST', url: '/v1/chat/completions', body }),
      );
      const note: ExportNote = {
        rubric: o.rubric.hash,
        max_tokens: params.maxTokens,
        batch_price: transport.stamp.provider === 'openai',
        price: price ?? null,
      };
      await o.cache.set(noteKey(r.key), note);
    }
    await writer.commit();
  } catch (err) {
    await writer.abandon();
    throw err;
  }
  return o.broker.requests.size;
}

const ResultLine = z.object({
  custom_id: z.string().min(1),
  response: z.object({ status_code: z.number(), body: z.unknown() }).nullable().optional(),
  error: z.unknown().optional(),
});

export interface ImportReport {
  lines: number;
  /** Answers put in the cache (scored, or a final refusal / truncation, as a live run caches them). */
  imported: number;
  /** Lines the engine could not answer (an HTTP error, an error object): not cached. */
  failed: number;
  /** Replies that do not match the rubric's schema: not cached (a new export writes them again). */
  invalid: number;
  /** Lines that are not JSON, not batch output, or answer a request this cache never exported. */
  problems: { line: number; message: string }[];
}

export async function importResults(file: string, cache: JudgeCache): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, imported: 0, failed: 0, invalid: 0, problems: [] };
  noteInput(file);
  const rubrics = new Map<string, Rubric | undefined>();
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (!text.trim()) continue;
    report.lines += 1;
    const problem = (message: string) => report.problems.push({ line: n, message });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problem('not JSON');
      continue;
    }
    const parsed = ResultLine.safeParse(json);
    if (!parsed.success) {
      problem('not a batch output line ({custom_id, response: {status_code, body}, error})');
      continue;
    }
    const line = parsed.data;
    const note = await cache.get<ExportNote>(noteKey(line.custom_id));
    if (!note) {
      problem(`custom_id ${line.custom_id.slice(0, 70)} was not exported with this cache (--cache-dir)`);
      continue;
    }
    if (!rubrics.has(note.rubric)) rubrics.set(note.rubric, await cache.get<Rubric>(rubricKey(note.rubric)));
    const rubric = rubrics.get(note.rubric);
    if (!rubric) {
      problem(
        `the rubric this request was exported with (sha256 ${note.rubric.slice(0, 12)}…) is no longer in the cache`,
      );
      continue;
    }
    if (line.response?.status_code !== 200 || line.error) {
      report.failed += 1;
      continue;
    }
    const reply = readChatCompletion(line.response.body, true);
    const usage = {
      ...reply.usage,
      cost_usd: costOfUsage(note.price ?? undefined, reply.usage, note.batch_price),
    };
    const checked = checkReply(reply, note.max_tokens, (v, e) => validateReply(rubric, v, e));
    if (checked.ok) {
      await cache.set(line.custom_id, {
        ok: true,
        output: checked.output,
        usage,
        cached: false,
        requests: 1,
      });
      report.imported += 1;
    } else if (checked.final) {
      await cache.set(line.custom_id, unscoredResult(checked.kind, checked.problem, usage, 1, reply.raw));
      report.imported += 1;
    } else report.invalid += 1;
  }
  return report;
}
