import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { canonicalJson } from '../core/canonical.js';
import { conditionOf, groupOf } from '../core/conditions.js';
import { InputError, MismatchError } from '../core/errors.js';
import { gitStamp } from '../core/git.js';
import { AtomicLineWriter, commitTogether } from '../io/atomic.js';
import { noteInput } from '../io/guard.js';
import { readJsonl } from '../io/jsonl.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import type { Rubric } from '../rubrics/schema.js';
import { writeSummaryFile } from './run.js';
import { fileSha256, type ShardRecord, shardRecordPath } from './shard.js';
import { type ScoreSummary, SummaryBuilder } from './summary.js';

export interface MergeOptions {
  /** The shards' scores files, in any order. */
  shards: string[];
  out: string;
  summaryPath?: string | null;
  /** Resolves the rubric the shards were scored with (its hash is checked). */
  rubric: (stamp: { id: string; version: string; hash: string }) => Promise<Rubric>;
}

/**
 * Joins the scores of `--shard 1/N … N/N` into what one unsharded run writes: the lines in input
 * order (each shard's `.shard.json` says where its lines came from), and — with a summary path —
 * the summary recomputed from those lines in that order, so every estimate is the unsharded one
 * to the last bit. Shards of different runs (input, rubric, judge, settings, N) are refused, as is
 * a set with a shard missing or given twice.
 */
export async function mergeShards(o: MergeOptions): Promise<{ lines: number; summary: ScoreSummary | null }> {
  const records = o.shards.map(readRecord);
  const first = records[0]!;
  const n = first.shard.n;
  records.forEach((r, i) => {
    const what =
      r.shard.n !== n
        ? `it is shard ${r.shard.k}/${r.shard.n}, the first is of ${n}`
        : r.input.sha256 !== first.input.sha256
          ? 'it scored a different input file'
          : canonicalJson(r.comparability) !== canonicalJson(first.comparability)
            ? 'it was scored with a different rubric, judge or settings'
            : null;
    if (what) throw new MismatchError(`${o.shards[i]} does not belong with ${o.shards[0]}: ${what}`);
  });
  const byK = new Map<number, number>();
  records.forEach((r, i) => {
    const twice = byK.get(r.shard.k);
    if (twice !== undefined)
      throw new MismatchError(
        `shard ${r.shard.k}/${n} is given twice: ${o.shards[twice]} and ${o.shards[i]}`,
      );
    byK.set(r.shard.k, i);
  });
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !byK.has(k));
  if (missing.length)
    throw new MismatchError(`shard(s) ${missing.map((k) => `${k}/${n}`).join(', ')} missing`);
  // a shard's scores are exactly what its run wrote: an edited value, a line swapped in from
  // another shard, a foreign id or a reordering would publish numbers no judge gave
  for (const [i, r] of records.entries())
    if ((await fileSha256(o.shards[i]!)) !== r.scores_sha256)
      throw new MismatchError(
        `${o.shards[i]} is not what its run wrote (its SHA-256 differs from ${shardRecordPath(o.shards[i]!)}): an edited shard is never merged; score it again`,
      );
  refuseOutputsOverInputs(
    [
      { flag: 'OUT', path: o.out },
      ...(o.summaryPath
        ? [
            { flag: '--summary', path: o.summaryPath },
            { flag: '--summary', path: `${o.summaryPath}.items` },
          ]
        : []),
    ],
    o.shards.flatMap((s) => [
      { flag: 'SHARDS', path: s },
      { flag: 'SHARDS', path: shardRecordPath(s) },
    ]),
  );

  const rubric = o.summaryPath ? await o.rubric(first.comparability.rubric!) : null;
  const summary = rubric ? new SummaryBuilder(rubric, first.comparability) : null;
  const writer = await AtomicLineWriter.open(o.out);
  const summaryWriter = o.summaryPath ? await AtomicLineWriter.open(o.summaryPath) : null;
  const itemsWriter = o.summaryPath
    ? await AtomicLineWriter.open(`${o.summaryPath}.items`, { lock: false })
    : null;
  const writers = [writer, summaryWriter, itemsWriter].filter((w): w is AtomicLineWriter => w !== null);
  let lines = 0;
  try {
    // every shard's lines are in input order: take the one whose next line comes first
    const readers = o.shards.map((file, i) => ({
      file,
      it: readJsonl(file, file)[Symbol.asyncIterator](),
      at: 0,
      positions: records[i]!.positions,
    }));
    const heads = await Promise.all(readers.map((r) => r.it.next()));
    for (;;) {
      let best = -1;
      for (let i = 0; i < readers.length; i++) {
        if (heads[i]!.done) continue;
        const r = readers[i]!;
        if (best < 0 || r.positions[r.at]! < readers[best]!.positions[readers[best]!.at]!) best = i;
      }
      if (best < 0) break;
      const r = readers[best]!;
      const head = heads[best]!;
      if (head.done) break;
      if (r.at >= r.positions.length)
        throw new InputError(
          r.file,
          head.value.line,
          `more lines than its ${shardRecordPath(r.file)} records`,
        );
      // a line re-serialised is byte-identical: it was JSON.stringify's output to begin with
      await writer.write(JSON.stringify(head.value.value));
      if (summary) {
        // the shard's SHA-256 matched its record above: these are the ScoreLines its run wrote
        const line = head.value.value as unknown as ScoreLine;
        const values = summary.add({
          id: String(line.id),
          condition: conditionOf(line.metadata ?? {}),
          group: groupOf(line.metadata),
          ok: line.scores !== null,
          errorKind: line.error?.kind,
          scores: line.scores ?? {},
          overall: line.overall ?? null,
          indices: line.indices ?? {},
          calibrated: line.calibrated,
          usage: line.usage,
          requests: 0,
        });
        if (values && itemsWriter) await itemsWriter.write(JSON.stringify([String(line.id), values]));
      }
      lines += 1;
      r.at += 1;
      heads[best] = await r.it.next();
    }
    const short = readers.find((r) => r.at !== r.positions.length);
    if (short)
      throw new InputError(
        short.file,
        undefined,
        `fewer lines than its ${shardRecordPath(short.file)} records (an edited file?)`,
      );
    let built: ScoreSummary | null = null;
    if (summary && summaryWriter && itemsWriter) {
      const retries = records.some((r) => r.retries !== undefined)
        ? records.reduce((a, r) => a + (r.retries ?? 0), 0)
        : undefined;
      built = {
        ...summary.build({ input: first.input.label, output: writer.path }),
        git: await gitStamp(),
        requests: records.reduce((a, r) => a + r.requests, 0),
        ...(retries !== undefined ? { retries } : {}),
      };
      await itemsWriter.finish();
      await writeSummaryFile(summaryWriter, built, itemsWriter.partialPath);
    }
    await commitTogether([writer, ...(summaryWriter ? [summaryWriter] : [])]);
    return { lines, summary: built };
  } catch (err) {
    for (const w of writers) await w.abandon().catch(() => {});
    throw err;
  } finally {
    if (itemsWriter) await rm(itemsWriter.partialPath, { force: true });
  }
}

interface ScoreLine {
  id: unknown;
  metadata?: Record<string, unknown>;
  scores: Record<string, number | null> | null;
  overall?: number | null;
  indices?: Record<string, number | null>;
  calibrated?: { scores: Record<string, number | null>; overall: number | null };
  usage: ScoreSummary['usage'];
  error?: { kind: string };
}

function readRecord(scores: string): ShardRecord {
  const path = shardRecordPath(scores);
  if (!existsSync(scores)) throw new InputError(scores, undefined, 'no such file');
  if (!existsSync(path))
    throw new InputError(
      scores,
      undefined,
      `not a shard's scores: ${path} is missing (score with --shard K/N writes it)`,
    );
  try {
    noteInput(path);
    const r = JSON.parse(readFileSync(path, 'utf8')) as ShardRecord;
    if (r.kind !== 'shard' || !Array.isArray(r.positions)) throw new Error('kind');
    return r;
  } catch {
    throw new InputError(path, undefined, 'not a plumb shard record');
  }
}
