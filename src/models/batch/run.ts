import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { countTokens } from '../../core/tokens.js';
import { addUsage, type Usage, ZERO_USAGE } from '../../core/types.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import type { JudgeCache } from '../cache.js';
import { BATCH_DISCOUNT, costOf, costOfUsage } from '../pricing.js';
import { describeError } from '../request.js';
import type { BatchApi } from './api.js';
import {
  BATCH_CLAIM_MS,
  type BatchBroker,
  type BatchCaller,
  type BatchRequest,
  type BatchStep,
} from './broker.js';
import type { ChunkState, Manifest } from './manifest.js';

/** One request in a chunk file: where its conversation stands, and what it has cost so far. */
interface ChunkRecord {
  /**
   * The request's id in the batch: the run, the chunk and the line (`pl-<run>-<chunk>-<n>`), so a
   * batch found at the provider after a crash is known to be this run's by its results alone.
   */
  custom_id: string;
  /** The cache key the answer goes under. */
  key: string;
  sample: number;
  /** Re-asks so far (an invalid reply continues the conversation in the next batch). */
  attempt: number;
  /** Times the line came back errored or expired and was sent again. */
  retries: number;
  requests: number;
  usage: Usage;
  conversation: unknown;
}

export interface BatchRunOptions {
  broker: BatchBroker;
  /** The judges and chat models whose calls the broker collected. */
  callers: BatchCaller[];
  cache: JudgeCache;
  /** The run's manifest (`<out>.batches.jsonl`, see openBatchRun); the chunks go to `<out>.batch/`. */
  manifest: Manifest;
  manifestPath: string;
  /** Errored or expired lines are sent again in a follow-up batch this many times. */
  maxRetries: number;
  /** At most this many requests in one batch (below the provider's own limit). */
  maxRequests?: number;
  pollIntervalMs: number;
  /** Refuse to submit when the worst case at batch prices is above this (US$). */
  maxCostUsd?: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export interface BatchRunResult {
  /** Requests sent in batches by this process (follow-ups included). */
  submitted: number;
  batches: number;
  answered: number;
  /** Calls with no answer after --max-retries resubmissions (unscored `provider_error`). */
  failed: number;
  interrupted: boolean;
  /** Why nothing was submitted, when the budget forbade it. */
  refused: string | null;
}

/**
 * Runs the calls a broker collected through the providers' batch APIs and puts every answer in the
 * cache. Crash-safe by construction: each step is recorded in the manifest before it is taken
 * further (see manifest.ts), chunk files are written whole before they are recorded, and
 * collecting a batch twice writes the same cache entries and the same follow-up chunk. A rerun of
 * the same command therefore resumes: it polls what was submitted, adopts a submission whose
 * batch id was never recorded, and submits only what no batch holds.
 */
/** What one batch run shares between its steps. */
interface BatchRunContext {
  o: BatchRunOptions;
  manifest: Manifest;
  chunkFile: (local: string) => string;
  chunkDir: string;
  /** Each caller's name in the manifest (a probe's target and judge may share a model's name). */
  nameOf: Map<BatchCaller, string>;
  callerByName: Map<string, BatchCaller>;
  apis: Map<string, BatchApi>;
  result: BatchRunResult;
}

export async function runBatches(o: BatchRunOptions): Promise<BatchRunResult> {
  const ctx = await openContext(o);
  const fresh = requestsToSubmit(ctx);
  if (fresh.length && o.maxCostUsd !== undefined) {
    const worst = await worstCase(fresh);
    if (worst > o.maxCostUsd) {
      ctx.result.refused = `the worst case of ${fresh.length} requests at batch prices is $${worst.toFixed(4)}, above --max-cost $${o.maxCostUsd}; nothing was submitted`;
      for (const r of fresh) o.broker.release(r.key);
      return ctx.result;
    }
  }
  writeNewChunks(ctx, fresh);
  return driveChunks(ctx);
}

async function openContext(o: BatchRunOptions): Promise<BatchRunContext> {
  const chunkDir = `${o.manifestPath.replace(/\.batches\.jsonl$/, '')}.batch`;
  mkdirSync(chunkDir, { recursive: true });
  // a probe's target and judge may be the same model with other settings: each caller its own name
  const nameOf = new Map(
    o.callers.map((c, i) => [
      c,
      o.callers.findIndex((d) => d.name === c.name) === i ? c.name : `${c.name}#${i}`,
    ]),
  );
  const apis = new Map<string, BatchApi>();
  for (const j of o.callers) {
    const api = await j.batchParts.batchApi();
    if (!api) throw new UsageError(`--batch: ${j.name} has no batch API (openai: and anthropic: do)`);
    apis.set(nameOf.get(j)!, api);
  }
  return {
    o,
    manifest: o.manifest,
    chunkDir,
    chunkFile: (local) => join(chunkDir, `${local}.jsonl`),
    nameOf,
    callerByName: new Map(o.callers.map((c) => [nameOf.get(c)!, c])),
    apis,
    result: { submitted: 0, batches: 0, answered: 0, failed: 0, interrupted: false, refused: null },
  };
}

/** The broker's requests that no chunk holds yet: those in an uncollected chunk are in flight. */
function requestsToSubmit(ctx: BatchRunContext): BatchRequest[] {
  const inFlight = new Set<string>();
  for (const chunk of ctx.manifest.chunks.values())
    if (!chunk.collected) for (const r of readChunk(ctx.chunkFile(chunk.local))) inFlight.add(r.key);
  if (inFlight.size)
    ctx.o.log(
      `batch: resuming ${[...ctx.manifest.chunks.values()].filter((c) => !c.collected).length} batch(es) holding ${inFlight.size} request(s)`,
    );
  return [...ctx.o.broker.requests.values()].filter((r) => !inFlight.has(r.key));
}

/** Writes the fresh requests as chunk files, each recorded in the manifest once written whole. */
function writeNewChunks(ctx: BatchRunContext, fresh: BatchRequest[]): void {
  let roots = [...ctx.manifest.chunks.keys()].filter((l) => !l.includes('.')).length;
  for (const caller of ctx.o.callers) {
    const api = ctx.apis.get(ctx.nameOf.get(caller)!)!;
    const mine = fresh.filter((r) => r.caller === caller);
    const limit = Math.min(api.maxRequests, ctx.o.maxRequests ?? Number.POSITIVE_INFINITY);
    for (const chunk of splitChunks(mine, api, limit)) {
      roots += 1;
      const local = `c${String(roots).padStart(4, '0')}`;
      const records = chunk.map((r, i) => ({ ...r, custom_id: customId(ctx.manifest.runId, local, i) }));
      writeChunk(ctx.chunkFile(local), records);
      ctx.manifest.append({ event: 'chunk', local, judge: ctx.nameOf.get(caller)!, count: records.length });
    }
  }
}

const openChunks = (ctx: BatchRunContext) => [...ctx.manifest.chunks.values()].filter((c) => !c.collected);

/** Submits, polls and collects until every chunk is collected, or the run is interrupted. */
async function driveChunks(ctx: BatchRunContext): Promise<BatchRunResult> {
  const { o, result } = ctx;
  let lastReport = '';
  while (openChunks(ctx).length) {
    if (o.signal?.aborted) {
      // what never reached the provider is not this run's to answer any more: others may pay for it
      for (const chunk of openChunks(ctx).filter((c) => !c.batchId && c.submittingAt === undefined))
        for (const r of readChunk(ctx.chunkFile(chunk.local))) o.broker.release(r.key);
      result.interrupted = true;
      return result;
    }
    const pending = await submitChunks(ctx);
    const { ended, counts } = await pollChunks(ctx);
    const report = `batch: ${openChunks(ctx).length} batch(es) running; provider counts: ${Object.entries(
      counts,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; answered ${result.answered}, failed ${result.failed}`;
    if (report !== lastReport) o.log(report);
    lastReport = report;
    if ((openChunks(ctx).length && !ended) || pending) await sleep(o.pollIntervalMs, o.signal);
  }
  rmSync(ctx.chunkDir, { recursive: true, force: true });
  return result;
}

/**
 * Submits every open chunk without a batch id — after adopting, for a chunk whose submission began
 * before a crash, the batch the provider already holds for it. True when such a batch may still be
 * this chunk's but has not ended (which run it belongs to shows only then).
 */
async function submitChunks(ctx: BatchRunContext): Promise<boolean> {
  const { manifest, o, result } = ctx;
  const takenIds = () =>
    new Set([...manifest.chunks.values()].flatMap((c) => (c.batchId ? [c.batchId] : [])));
  let pending = false;
  for (const chunk of openChunks(ctx).filter((c) => !c.batchId)) {
    const api = ctx.apis.get(chunk.judge)!;
    if (chunk.submittingAt !== undefined) {
      const adopted = await api.adopt({
        tag: manifest.tag(chunk.local),
        since: chunk.submittingAt,
        count: chunk.count,
        taken: takenIds(),
        // a follow-up chunk's lines keep the ids they had in their first chunk
        customIdPrefix: customId(manifest.runId, chunk.local.split('.')[0]!, ''),
      });
      if (adopted === 'pending') {
        pending = true;
        continue;
      }
      if (adopted) {
        manifest.append({ event: 'submitted', local: chunk.local, batch_id: adopted });
        o.log(`batch: found ${adopted} (${chunk.local}), submitted before the last run stopped`);
        continue;
      }
    }
    const { transport, params } = ctx.callerByName.get(chunk.judge)!.batchParts;
    const records = readChunk(ctx.chunkFile(chunk.local));
    const lines = records.map((r) => api.line(r.custom_id, transport.body(r.conversation, params, r.sample)));
    // the provider holds these requests beyond this process's life: so does the run's claim on them
    o.cache.extendBatchClaims(
      records.map((r) => r.key),
      manifest.runId,
      Date.now() + BATCH_CLAIM_MS,
    );
    manifest.append({ event: 'submitting', local: chunk.local, at: Date.now() });
    const id = await api.submit(lines, manifest.tag(chunk.local));
    manifest.append({ event: 'submitted', local: chunk.local, batch_id: id });
    result.submitted += lines.length;
    result.batches += 1;
  }
  return pending;
}

/** Asks each submitted chunk's status and collects those that ended. */
async function pollChunks(ctx: BatchRunContext): Promise<{ ended: number; counts: Record<string, number> }> {
  let ended = 0;
  const counts: Record<string, number> = {};
  for (const chunk of openChunks(ctx).filter((c) => c.batchId)) {
    const api = ctx.apis.get(chunk.judge)!;
    const status = await api.status(chunk.batchId!);
    for (const [k, v] of Object.entries(status.counts)) counts[k] = (counts[k] ?? 0) + v;
    if (!status.ended) continue;
    ended += 1;
    await collect(ctx, chunk, api);
  }
  return { ended, counts };
}

/** Reads a batch's results into the cache; re-asks and retries go into one follow-up chunk. */
async function collect(ctx: BatchRunContext, chunk: ChunkState, api: BatchApi): Promise<void> {
  const { o, manifest, result } = ctx;
  const { transport, price } = ctx.callerByName.get(chunk.judge)!.batchParts;
  const records = new Map(readChunk(ctx.chunkFile(chunk.local)).map((r) => [r.custom_id, r]));
  const followups: ChunkRecord[] = [];
  let answered = 0;
  let failed = 0;
  const fail = (rec: ChunkRecord, request: BatchRequest, why: string) => {
    if (rec.retries < o.maxRetries) {
      followups.push({ ...rec, retries: rec.retries + 1, requests: rec.requests + 1 });
      return;
    }
    failed += 1;
    o.broker.fail(
      request.key,
      `the batch line failed ${rec.retries + 1} time(s), the last: ${why} (re-run the same command to try again)`,
      rec.requests + 1,
    );
  };
  for await (const line of api.results(chunk.batchId!)) {
    const rec = records.get(line.customId);
    const request = rec && o.broker.requests.get(rec.key);
    records.delete(line.customId);
    // a line of another submission, or one answered meanwhile (an earlier collection of this batch)
    if (!rec || !request) continue;
    if (!line.ok) {
      fail(rec, request, line.why);
      continue;
    }
    let next: BatchStep;
    try {
      const reply = transport.parse(line.response, rec.conversation);
      const usage = addUsage(rec.usage, {
        ...reply.usage,
        cost_usd: costOfUsage(price, reply.usage, true),
      });
      next = request.step(rec.conversation, rec.attempt, reply, usage, rec.requests + 1);
      if ('reask' in next) {
        followups.push({
          ...rec,
          attempt: rec.attempt + 1,
          requests: rec.requests + 1,
          usage,
          conversation: next.reask,
        });
        continue;
      }
    } catch (err) {
      fail(rec, request, `unreadable result: ${describeError(err)}`);
      continue;
    }
    if (next.cacheable) await o.cache.set(request.key, next.done);
    else o.broker.fail(request.key, next.failure ?? 'the batch answer could not be kept', rec.requests + 1);
    o.broker.markAnswered(request.key);
    answered += 1;
  }
  // requests the results never mention (a failed or cancelled batch) are errored lines
  for (const rec of records.values()) {
    const request = o.broker.requests.get(rec.key);
    if (request && !(await o.cache.get(request.key)))
      fail(rec, request, 'no result for this request in the batch');
  }
  let followup: string | null = null;
  if (followups.length) {
    followup = `${chunk.local}.${chunk.local.split('.').length + 1}`;
    // collecting twice (a crash after the chunk was recorded) must not record it twice
    if (!manifest.chunks.has(followup)) {
      writeChunk(ctx.chunkFile(followup), followups);
      manifest.append({ event: 'chunk', local: followup, judge: chunk.judge, count: followups.length });
    }
  }
  manifest.append({ event: 'collected', local: chunk.local, answered, failed, followup });
  result.answered += answered;
  result.failed += failed;
}

/**
 * A request's id in its batches: `pl-<run>-<chunk>-<line>` from the chunk it was first sent in,
 * kept when it is sent again (a re-ask, a retry); within Anthropic's 64 characters of [A-Za-z0-9_-].
 */
function customId(run: string, local: string, line: number | ''): string {
  return `pl-${run}-${local}-${line}`;
}

/** The requests as chunk records, split to the batch API's request and byte limits. */
function* splitChunks(
  requests: BatchRequest[],
  api: BatchApi,
  maxRequests: number,
): Generator<Omit<ChunkRecord, 'custom_id'>[]> {
  let chunk: Omit<ChunkRecord, 'custom_id'>[] = [];
  let bytes = 0;
  for (const r of requests) {
    const { transport, params } = r.caller.batchParts;
    const conversation = r.start();
    const size = Buffer.byteLength(api.line(r.key, transport.body(conversation, params, r.sample))) + 1;
    if (chunk.length && (chunk.length >= maxRequests || bytes + size > api.maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push({
      key: r.key,
      sample: r.sample,
      attempt: 0,
      retries: 0,
      requests: 0,
      usage: ZERO_USAGE,
      conversation,
    });
    bytes += size;
  }
  if (chunk.length) yield chunk;
}

/** Worst-case cost at batch prices: every prompt counted, every reply at its output limit. */
async function worstCase(requests: BatchRequest[]): Promise<number> {
  let total = 0;
  for (const r of requests) {
    const { params, price } = r.caller.batchParts;
    const input = await countTokens(r.promptText());
    total += (costOf(price, input, params.maxTokens) ?? 0) * BATCH_DISCOUNT;
  }
  return total;
}

/** Writes a chunk file whole (temporary file, fsync, rename), so a recorded chunk is never torn. */
function writeChunk(path: string, records: ChunkRecord[]): void {
  writeFileAtomicSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

function readChunk(path: string): ChunkRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ChunkRecord);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
