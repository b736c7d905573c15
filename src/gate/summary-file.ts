import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import chain from 'stream-chain';
import { parser } from 'stream-json';
import { ignore } from 'stream-json/filters/ignore.js';
import { pick } from 'stream-json/filters/pick.js';
import { streamObject } from 'stream-json/streamers/stream-object.js';
import { streamValues } from 'stream-json/streamers/stream-values.js';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { noteInput } from '../io/guard.js';

/**
 * What the gate reads: a summary from `score --summary` or `probe` (or a baseline saved from
 * one). Only the fields the gate relies on are checked; the rest is kept as it is.
 *
 * Summaries hold one entry per item, and a 10^6-item pair once took 1.26 GB through JSON.parse.
 * They are read in two streaming passes instead (stream-json): the head without `items`, then the
 * items one at a time into a compact store (a key → index map and arrays of numbers), so memory is
 * a small multiple of the number of items, never of the file's text.
 */

/** Index values are on [0, 1]; anything else is a corrupted or hand-made summary, refused. */
const indexValue = z.number().min(0, 'index values are on [0, 1]').max(1, 'index values are on [0, 1]');
export const ItemSchema = z
  .object({
    role: z.string(),
    personalization: z.string(),
    aai: indexValue.nullable().optional(),
    eii: indexValue.nullable().optional(),
  })
  .passthrough();

export const GateHeadSchema = z
  .object({
    kind: z.enum(['score', 'probe']),
    comparability: z
      .object({
        rubric: z.unknown(),
        judge: z.unknown(),
        samples: z.number().optional(),
        calibration: z.unknown(),
        ladder: z.unknown(),
      })
      .passthrough(),
    baseline: z.object({ saved_at: z.string(), source: z.string() }).optional(),
  })
  .passthrough();

export type GateHead = z.infer<typeof GateHeadSchema>;

/** The items of a summary, compactly: per item its condition and its AAI/EII (NaN when absent). */
export class GateItems {
  readonly index = new Map<string, number>();
  readonly aai: number[] = [];
  readonly eii: number[] = [];
  readonly condition: number[] = [];
  readonly conditions: { role: string; personalization: string }[] = [];
  private readonly conditionIndex = new Map<string, number>();

  add(
    key: string,
    item: { role: string; personalization: string; aai?: number | null; eii?: number | null },
  ) {
    const ck = `${item.role}\u0000${item.personalization}`;
    let c = this.conditionIndex.get(ck);
    if (c === undefined) {
      c = this.conditions.length;
      this.conditions.push({ role: item.role, personalization: item.personalization });
      this.conditionIndex.set(ck, c);
    }
    const existing = this.index.get(key);
    const i = existing ?? this.aai.length;
    this.index.set(key, i);
    this.aai[i] = typeof item.aai === 'number' ? item.aai : Number.NaN;
    this.eii[i] = typeof item.eii === 'number' ? item.eii : Number.NaN;
    this.condition[i] = c;
  }

  get size(): number {
    return this.index.size;
  }

  value(metric: 'aai' | 'eii', i: number): number {
    return metric === 'aai' ? this.aai[i]! : this.eii[i]!;
  }

  /** Builds the store from a plain `items` object (summaries made in memory, e.g. by the demo). */
  static from(
    items: Record<
      string,
      { role: string; personalization: string; aai?: number | null; eii?: number | null }
    >,
  ) {
    const out = new GateItems();
    for (const [k, v] of Object.entries(items)) out.add(k, v);
    return out;
  }
}

export interface GateSummary extends GateHead {
  items: GateItems;
}

function notASummary(file: string, where: string, message: string): InputError {
  return new InputError(
    file,
    undefined,
    `not a plumb run summary: ${where}: ${message} (write one with \`plumb score --summary\` or \`plumb probe\`)`,
  );
}

/** The values a stream-json pipeline over the file produces, one at a time, with backpressure. */
async function* streamJson(
  file: string,
  stages: unknown[],
): AsyncGenerator<{ key: unknown; value: unknown }> {
  noteInput(file);
  // packed tokens only: the streamed variants would double the token count for nothing here
  const tokens = parser({
    packKeys: true,
    packStrings: true,
    packNumbers: true,
    streamKeys: false,
    streamStrings: false,
    streamNumbers: false,
  });
  const pipeline = chain([
    createReadStream(file, { highWaterMark: 1 << 20 }),
    tokens,
    ...stages,
  ] as never) as unknown as AsyncIterable<{
    key: unknown;
    value: unknown;
  }> & { destroy(): void };
  try {
    for await (const d of pipeline) yield d;
  } finally {
    pipeline.destroy();
  }
}

/** A parse error named at its line: found by JSON.parse on files small enough, else by the stream. */
async function malformed(file: string, err: unknown): Promise<InputError> {
  const size = (await stat(file).catch(() => null))?.size ?? 0;
  if (size > 0 && size < 64 * 1024 * 1024) {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    try {
      JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
      return new InputError(file, line, `malformed JSON (${(e as Error).message})`);
    }
  }
  return new InputError(file, undefined, `malformed JSON (${(err as Error).message})`);
}

/** The line on which an item key first appears, for an error about its values (read only on error). */
async function lineOfKey(file: string, key: string): Promise<number | undefined> {
  const needle = `${JSON.stringify(key)}:`;
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.includes(needle)) {
      lines.close();
      return n;
    }
  }
  return undefined;
}

/**
 * Reads a summary. With `onItem`, each valid item is handed over as it is read and not kept
 * (`items` stays empty): the gate streams the current run this way.
 */
export async function readGateSummary(
  file: string,
  onItem?: (key: string, item: z.infer<typeof ItemSchema>) => void,
): Promise<GateSummary> {
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(
      file,
      undefined,
      `cannot read file (${err.code === 'ENOENT' ? 'no such file' : err.code})`,
    );
  });
  if (st.isDirectory()) throw new InputError(file, undefined, 'is a directory, not a summary file');
  const sink = new ItemSink(onItem);
  const read = (await readLineFormat(file, sink)) ?? (await readStreaming(file, sink));
  if (read.bad) throw new InputError(file, await lineOfKey(file, read.bad.key), read.bad.message);
  const parsedHead = GateHeadSchema.safeParse(read.head);
  if (!parsedHead.success) {
    const issue = parsedHead.error.issues[0]!;
    throw notASummary(file, issue.path.join('.') || '(top)', issue.message);
  }
  if (read.sink.count === 0)
    throw notASummary(file, 'items', 'missing or empty (the per-item values the gate pairs)');
  return { ...parsedHead.data, items: read.sink.items };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where validated items go: into the compact store, or to the caller's callback. */
class ItemSink {
  items = new GateItems();
  count = 0;
  constructor(private readonly onItem?: (key: string, item: z.infer<typeof ItemSchema>) => void) {}

  /** Validates one item and takes it; returns the problem when it is invalid. */
  add(key: string, value: unknown): { key: string; message: string } | null {
    const parsed = ItemSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      // a field's issue is inside an object (the schema's fields are flat): show that field's value
      const v = field && isRecord(value) ? value[field] : value;
      return {
        key,
        message: `items.${key}${field ? `.${field}` : ''} is ${JSON.stringify(v)}: ${issue.message}`,
      };
    }
    this.count += 1;
    if (this.onItem) this.onItem(key, parsed.data);
    else this.items.add(key, parsed.data);
    return null;
  }
}

interface ReadSummary {
  head: unknown;
  sink: ItemSink;
  bad: { key: string; message: string } | null;
}

/**
 * The fast path, for the layout plumb itself writes (score, probe and baseline save all do): the
 * items block opens with a line `"items": {`, holds one `"key": {...}` per line and closes with a
 * line of its own. Each item line is parsed alone, so memory holds one line at a time. Anything
 * else — a hand-edited or re-indented file — returns null, and the streaming parser reads it.
 */
async function readLineFormat(file: string, sink: ItemSink): Promise<ReadSummary | null> {
  // checked first, so that no item reaches the sink unless every one is read here: a callback
  // (the gate's pairing) must never see an item twice
  if (!(await hasLineFormat(file))) return null;
  let before = '';
  let after = '';
  try {
    for await (const { part, raw, line } of lineParts(file)) {
      if (part === 'head') before += `${raw}\n`;
      else if (part === 'tail') after += `${raw}\n`;
      else if (part === 'close') after = line.endsWith(',') ? ',' : '';
      else if (part === 'item') {
        // one `"key": {...}` member (ITEM_LINE), so an object of one entry
        const entry: Record<string, unknown> = JSON.parse(
          `{${line.endsWith(',') ? line.slice(0, -1) : line}}`,
        );
        for (const [key, value] of Object.entries(entry)) {
          const bad = sink.add(key, value);
          if (bad) return { head: {}, sink, bad };
        }
      }
    }
  } catch (err) {
    throw await malformed(file, err); // the layout was checked: this is a broken line
  }
  let head: unknown;
  try {
    head = JSON.parse(`${before}"items": {}${after}`);
  } catch (err) {
    throw await malformed(file, err);
  }
  return { head, sink, bad: null };
}

/**
 * Whether the file has the one-item-a-line layout, checked for shape only: an `"items": {` line,
 * then lines that each hold one `"key": {…}` member, up to a closing line.
 */
async function hasLineFormat(file: string): Promise<boolean> {
  let closed = false;
  for await (const { part, line } of lineParts(file)) {
    if (part === 'item' && !ITEM_LINE.test(line)) return false;
    if (part === 'close') closed = true;
  }
  return closed;
}

/** Each line of a summary, labelled by where it stands: before, opening, in, closing or after `items`. */
async function* lineParts(
  file: string,
): AsyncGenerator<{ part: 'head' | 'open' | 'item' | 'close' | 'tail'; raw: string; line: string }> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let state: 'head' | 'items' | 'tail' = 'head';
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (state === 'head') {
        if (line === '"items": {') {
          state = 'items';
          yield { part: 'open', raw, line };
        } else yield { part: 'head', raw, line };
      } else if (state === 'items') {
        if (line === '}' || line === '},') {
          state = 'tail';
          yield { part: 'close', raw, line };
        } else yield { part: 'item', raw, line };
      } else yield { part: 'tail', raw, line };
    }
  } finally {
    lines.close();
  }
}

/** `"key": {...}` with an optional trailing comma: a key string, then one object on the line. */
const ITEM_LINE = /^"(?:[^"\\]|\\.)*":\s*\{.*\},?$/;

/** Any valid JSON layout: two streaming passes, the head without the items, then the items. */
async function readStreaming(file: string, sink: ItemSink): Promise<ReadSummary> {
  let head: unknown;
  try {
    for await (const { value } of streamJson(file, [ignore({ filter: 'items' }), streamValues()]))
      head = value;
  } catch (err) {
    throw await malformed(file, err);
  }
  if (head === null || typeof head !== 'object' || Array.isArray(head))
    throw notASummary(file, '(top)', 'expected a JSON object');
  try {
    for await (const { key, value } of streamJson(file, [pick({ filter: 'items' }), streamObject()])) {
      const bad = sink.add(String(key), value);
      if (bad) return { head, sink, bad };
    }
  } catch (err) {
    throw await malformed(file, err);
  }
  return { head, sink, bad: null };
}

/**
 * Saves a run summary as a baseline: the head with a `baseline: {saved_at, source}` stamp, and the
 * items copied one per line as they stream by — a 10^6-item summary is never held in memory.
 * Returns the number of items.
 */
export async function saveBaseline(source: string, out: string): Promise<number> {
  const summary = await readGateSummary(source); // validates everything before writing
  const { items, ...head } = summary;
  const stamped = { ...head, baseline: { saved_at: new Date().toISOString(), source } };
  const { AtomicLineWriter } = await import('../io/atomic.js');
  const writer = await AtomicLineWriter.open(out);
  try {
    const text = JSON.stringify(stamped, null, 2);
    await writer.write(`${text.slice(0, text.lastIndexOf('}')).trimEnd()},\n  "items": {`);
    let previous: string | null = null; // held back one line so every item but the last gets its comma
    for await (const { key, value } of streamJson(source, [pick({ filter: 'items' }), streamObject()])) {
      if (previous !== null) await writer.write(`${previous},`);
      previous = `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    }
    if (previous !== null) await writer.write(previous);
    await writer.write('  }\n}');
    await writer.commit();
  } catch (err) {
    await writer.abandon().catch(() => {});
    throw err;
  }
  return items.size;
}
