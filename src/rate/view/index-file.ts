import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import { assertNotAnInput, noteInput } from '../../io/guard.js';
import { viewEngine } from './engine.js';
import { fieldsOf, type ItemFields, kindOfLine, lineProblem, type RunKind, whatItIs } from './kinds.js';

/**
 * The index `plumb view` keeps beside a run (`<run>.view-index`), so a run of a million lines opens
 * in a moment and is never read whole into the browser. It is built once, by one pass over the
 * run, and rebuilt when the run's size, modification time or fingerprint (a hash of its first and
 * last MiB) no longer match. It never replaces the run, and the run is never written.
 *
 * Layout (little-endian): the 16-byte magic `PLUMBVIEWINDEX01`, then the search text (each item's
 * text lower-cased with runs of white space made one space, one item a line), then the columns
 * (typed arrays, each 8-byte aligned), the ids (a JSON array), the header (JSON: what the run was,
 * where each column starts, the facets' values), and a trailer: the header's offset and length as
 * two float64 and the magic again. A reader checks both magics and the header's `format`.
 */

export const INDEX_MAGIC = 'PLUMBVIEWINDEX01';
/** Raised whenever what is indexed changes (kinds.ts): an index of another format is rebuilt. */
export const INDEX_FORMAT = 4;
/** A field with more distinct values than this is searched, not offered as a facet. */
export const MAX_FACET_VALUES = 1000;
const CHUNK = 4 << 20;
const FINGERPRINT_BYTES = 1 << 20;

type Json = Record<string, unknown>;
type ArrayKind = 'f64' | 'u32' | 'u16';

interface ArraySpec {
  at: number;
  count: number;
  type: ArrayKind;
}

export interface IndexHeader {
  format: number;
  kind: RunKind;
  file: string;
  n: number;
  built_at: string;
  source: { size: number; mtime_ms: number; sha256: string; fingerprint: string };
  text: { at: number; bytes: number };
  ids: { at: number; bytes: number; encoding: 'lines' | 'json' };
  columns: { offset: ArraySpec; length: ArraySpec; line: ArraySpec; text_offset: ArraySpec };
  /** Each facet's values (code k is values[k]; 0 is `(none)`) and how many items have each. */
  facets: Record<string, { values: string[]; counts: number[]; codes: ArraySpec }>;
  nums: Record<string, { values: ArraySpec; min: number | null; max: number | null; count: number }>;
  /** The first rubric and judge stamp seen, and every criterion scored (for the page's anchors). */
  rubric: { id: string; version: string; hash: string } | null;
  judge: unknown;
  criteria: string[];
}

/** An index, loaded: the columns in memory, the search text left on disk. */
export interface ViewIndex {
  file: string;
  path: string;
  header: IndexHeader;
  kind: RunKind;
  n: number;
  ids: IdTable;
  offset: Float64Array;
  length: Uint32Array;
  line: Uint32Array;
  textOffset: Float64Array;
  facets: Record<string, { values: string[]; codes: Uint16Array }>;
  nums: Record<string, Float64Array>;
}

/** A growable typed array. */
class Grow<T extends Float64Array | Uint32Array | Uint16Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly fill: number,
  ) {
    if (fill !== 0) data.fill(fill);
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const next = new (this.data.constructor as { new (n: number): T })(
        Math.max(1024, this.data.length * 2, i + 1),
      );
      next.set(this.data);
      if (this.fill !== 0) next.fill(this.fill, this.data.length);
      this.data = next;
    }
    this.data[i] = v;
    if (i >= this.length) this.length = i + 1;
  }
  /** The first n values (a copy only when the array grew past them). */
  take(n: number): T {
    if (n > this.data.length) this.set(n - 1, this.fill);
    return this.data.subarray(0, n) as T;
  }
}

/**
 * The items' ids without a JavaScript string per item: the ids one a line in one buffer, and where
 * each starts. A million ids load in milliseconds; an id is decoded when asked for, and found by
 * the native substring search.
 */
export class IdTable {
  private readonly starts: Uint32Array;

  private constructor(
    private readonly blob: Buffer,
    readonly length: number,
    /** The ids as strings: given when they cannot be one a line, else made by all(). */
    private cache: string[] | null,
  ) {
    this.starts = new Uint32Array(cache ? 0 : length + 1);
    if (cache) return;
    let at = 0;
    for (let i = 0; i < length; i++) {
      this.starts[i] = at;
      const nl = blob.indexOf(10, at);
      at = nl < 0 ? blob.length : nl + 1;
    }
    this.starts[length] = blob.length;
  }

  /** From the ids one a line (no id holds a newline), with or without a final newline. */
  static fromLines(text: Buffer, n: number): IdTable {
    const blob = n > 0 && text[text.length - 1] !== 10 ? Buffer.concat([text, Buffer.from('\n')]) : text;
    return new IdTable(blob, n, null);
  }

  static fromArray(ids: readonly string[]): IdTable {
    // ids with newlines cannot be one a line: those are kept as strings
    if (ids.some((id) => id.includes('\n'))) return new IdTable(Buffer.alloc(0), ids.length, [...ids]);
    return IdTable.fromLines(Buffer.from(ids.length ? `${ids.join('\n')}\n` : ''), ids.length);
  }

  get(i: number): string {
    if (this.cache) return this.cache[i]!;
    return this.blob.toString('utf8', this.starts[i]!, this.starts[i + 1]! - 1);
  }

  /** The first item with this id, or −1. */
  indexOf(id: string): number {
    if (this.cache) return this.cache.indexOf(id);
    if (id.includes('\n')) return -1;
    const needle = Buffer.from(`${id}\n`);
    for (let p = this.blob.indexOf(needle); p >= 0; p = this.blob.indexOf(needle, p + 1)) {
      if (p > 0 && this.blob[p - 1] !== 10) continue;
      let lo = 0;
      let hi = this.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.starts[mid]! <= p) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }
    return -1;
  }

  /** Every id as a string (made once, when a whole-run join needs them). */
  all(): string[] {
    if (!this.cache) this.cache = Array.from({ length: this.length }, (_, i) => this.get(i));
    return this.cache;
  }
}

/** Writes a file sequentially through a buffer, keeping count of the bytes written. */
class BinWriter {
  pos = 0;
  private parts: Buffer[] = [];
  private pending = 0;
  constructor(private readonly fd: number) {}
  write(buf: Buffer | Uint8Array): void {
    this.parts.push(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
    this.pending += buf.byteLength;
    this.pos += buf.byteLength;
    if (this.pending >= CHUNK) this.flush();
  }
  text(s: string): number {
    const b = Buffer.from(s, 'utf8');
    this.write(b);
    return b.byteLength;
  }
  align(): void {
    const pad = (8 - (this.pos % 8)) % 8;
    if (pad) this.write(Buffer.alloc(pad));
  }
  array(a: Float64Array | Uint32Array | Uint16Array, type: ArrayKind): ArraySpec {
    this.align();
    const at = this.pos;
    this.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return { at, count: a.length, type };
  }
  flush(): void {
    for (const p of this.parts) {
      let done = 0;
      while (done < p.byteLength) done += writeSync(this.fd, p, done, p.byteLength - done);
    }
    this.parts = [];
    this.pending = 0;
  }
}

/** sha256 of the first and last MiB and the size: cheap to recompute on every open. */
export function fingerprint(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const h = createHash('sha256').update(String(size));
    const head = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
    readSync(fd, head, 0, head.length, 0);
    h.update(head);
    if (size > FINGERPRINT_BYTES) {
      const tail = Buffer.alloc(Math.min(size - FINGERPRINT_BYTES, FINGERPRINT_BYTES));
      readSync(fd, tail, 0, tail.length, size - tail.length);
      h.update(tail);
    }
    return h.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a file's lines with the byte offset and length of each (no line ending), and hashes the
 * whole file on the way. `last` says the line had no newline after it (the file's end).
 */
export function scanLines(
  file: string,
  onLine: (text: string, line: number, offset: number, length: number, last: boolean) => void,
  chunkBytes = CHUNK,
): { sha256: string; size: number } {
  const fd = openSync(file, 'r');
  const hash = createHash('sha256');
  let carry: Buffer = Buffer.alloc(0);
  let carryAt = 0;
  let line = 0;
  let size = 0;
  try {
    const chunk = Buffer.alloc(chunkBytes);
    for (;;) {
      const got = readSync(fd, chunk, 0, chunkBytes, null);
      if (got === 0) break;
      hash.update(chunk.subarray(0, got));
      size += got;
      const buf = chunk.subarray(0, got);
      let start = 0;
      if (carry.length) {
        // only the line that straddles the two reads is joined, not the whole chunk
        const nl = buf.indexOf(10);
        if (nl < 0) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        const joined = Buffer.concat([carry, buf.subarray(0, nl)]);
        const end = joined.length && joined[joined.length - 1] === 13 ? joined.length - 1 : joined.length;
        line += 1;
        onLine(joined.toString('utf8', 0, end), line, carryAt, end, false);
        carryAt += joined.length + 1;
        carry = Buffer.alloc(0);
        start = nl + 1;
      }
      const base = carryAt - start; // the file offset of buf[0]
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        line += 1;
        const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        onLine(buf.toString('utf8', start, end), line, base + start, end - start, false);
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
      carryAt = base + start;
    }
    if (carry.length) {
      line += 1;
      onLine(carry.toString('utf8'), line, carryAt, carry.length, true);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

/** The index of `file` beside it, by name. */
export const indexPathOf = (file: string) => `${file}.view-index`;

/**
 * One pass over the run: checks every line is of the run's kind (a file plumb did not write, a
 * torn last line or a line of another kind is an InputError naming it), then writes the index to
 * `path` (through a temporary sibling renamed into place).
 */
export function buildIndex(file: string, path: string): ViewIndex {
  noteInput(file);
  assertNotAnInput(path, 'the view index');
  const st = statRun(file);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx');
  const out = new BinWriter(fd);
  try {
    out.text(INDEX_MAGIC);
    const textAt = out.pos;
    const cols = new IndexColumns(out);
    const run = readRun(file, cols);
    const n = cols.ids.length;
    const columns = cols.writeColumns(n);
    const facets = cols.writeFacets(n);
    const nums = cols.writeNums(n);
    const ids = cols.writeIds();
    const header: IndexHeader = {
      format: INDEX_FORMAT,
      kind: run.kind,
      file: basename(file),
      n,
      built_at: new Date().toISOString(),
      source: { size: run.size, mtime_ms: st.mtimeMs, sha256: run.sha256, fingerprint: fingerprint(file) },
      text: { at: textAt, bytes: cols.textBytes },
      ids,
      columns,
      facets: facets.specs,
      nums: nums.specs,
      rubric: run.rubric,
      judge: run.judge,
      criteria: [...run.criteria],
    };
    writeTrailer(out, header);
    closeSync(fd);
    renameSync(tmp, path);
    return {
      file,
      path,
      header,
      kind: header.kind,
      n,
      ids: IdTable.fromArray(cols.ids),
      offset: cols.offset.take(n),
      length: cols.length.take(n),
      line: cols.lineNo.take(n),
      textOffset: cols.textOffset.take(n + 1),
      facets: facets.loaded,
      nums: nums.loaded,
    };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The run's stat (an InputError when it cannot be read or is not a file). */
function statRun(file: string): Stats {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    throw new InputError(file, undefined, `cannot read file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (!st.isFile()) throw new InputError(file, undefined, 'not a file');
  return st;
}

/**
 * An index's columns as the items come: each item's id and place in the run, its search text
 * (written to the index as it grows), its facets' codes and its numbers; then written out.
 */
class IndexColumns {
  readonly ids: string[] = [];
  readonly offset = new Grow(new Float64Array(1024), 0);
  readonly length = new Grow(new Uint32Array(1024), 0);
  readonly lineNo = new Grow(new Uint32Array(1024), 0);
  readonly textOffset = new Grow(new Float64Array(1024), 0);
  private readonly facets = new Map<
    string,
    { values: string[]; index: Map<string, number>; codes: Grow<Uint16Array> }
  >();
  /** Facets with more than MAX_FACET_VALUES values: searched, not offered. */
  private readonly dropped = new Set<string>();
  private readonly nums = new Map<string, Grow<Float64Array>>();
  private readonly engine = viewEngine();
  textBytes = 0;
  private pendingText: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly out: BinWriter) {}

  add(f: ItemFields, at: number, bytes: number, line: number): void {
    const i = this.ids.length;
    this.ids.push(f.id);
    this.offset.set(i, at);
    this.length.set(i, bytes);
    this.lineNo.set(i, line);
    this.textOffset.set(i, this.textBytes);
    this.addText(f.text);
    for (const k in f.facets) this.addFacet(i, k, f.facets[k]!);
    for (const k in f.nums) {
      const v = f.nums[k]!;
      let col = this.nums.get(k);
      if (!col) {
        col = new Grow(new Float64Array(1024), Number.NaN);
        this.nums.set(k, col);
      }
      col.set(i, v === null ? Number.NaN : v);
    }
  }

  private addText(text: string): void {
    // encoded once, here: its length is the offset of the next item's text
    const t = Buffer.from(`${this.engine.normalizeText(text)}\n`, 'utf8');
    this.pendingText.push(t);
    this.textBytes += t.length;
    this.pendingBytes += t.length;
    if (this.pendingBytes >= CHUNK) this.flushText();
  }

  /** Writes the search text still held. */
  flushText(): void {
    if (this.pendingText.length) this.out.write(Buffer.concat(this.pendingText, this.pendingBytes));
    this.pendingText = [];
    this.pendingBytes = 0;
  }

  private addFacet(i: number, k: string, v: string): void {
    if (this.dropped.has(k)) return;
    let fc = this.facets.get(k);
    if (!fc) {
      fc = { values: ['(none)'], index: new Map([['(none)', 0]]), codes: new Grow(new Uint16Array(1024), 0) };
      this.facets.set(k, fc);
    }
    let code = fc.index.get(v);
    if (code === undefined) {
      if (fc.values.length >= MAX_FACET_VALUES) {
        this.dropped.add(k);
        this.facets.delete(k);
        return;
      }
      code = fc.values.length;
      fc.values.push(v);
      fc.index.set(v, code);
    }
    fc.codes.set(i, code);
  }

  writeColumns(n: number): IndexHeader['columns'] {
    this.textOffset.set(n, this.textBytes);
    return {
      offset: this.out.array(this.offset.take(n), 'f64'),
      length: this.out.array(this.length.take(n), 'u32'),
      line: this.out.array(this.lineNo.take(n), 'u32'),
      text_offset: this.out.array(this.textOffset.take(n + 1), 'f64'),
    };
  }

  /** Each facet's codes, with its values and how many items have each. */
  writeFacets(n: number): { specs: IndexHeader['facets']; loaded: ViewIndex['facets'] } {
    const specs: IndexHeader['facets'] = {};
    const loaded: ViewIndex['facets'] = {};
    for (const [k, fc] of this.facets) {
      const codes = fc.codes.take(n);
      const counts = new Array<number>(fc.values.length).fill(0);
      for (let i = 0; i < n; i++) counts[codes[i]!]! += 1;
      specs[k] = { values: fc.values, counts, codes: this.out.array(codes, 'u16') };
      loaded[k] = { values: fc.values, codes };
    }
    return { specs, loaded };
  }

  /** Each number column, with its least and greatest value and how many items have one. */
  writeNums(n: number): { specs: IndexHeader['nums']; loaded: ViewIndex['nums'] } {
    const specs: IndexHeader['nums'] = {};
    const loaded: ViewIndex['nums'] = {};
    for (const [k, col] of this.nums) {
      const values = col.take(n);
      let min: number | null = null;
      let max: number | null = null;
      let count = 0;
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (Number.isNaN(x)) continue;
        count += 1;
        if (min === null || x < min) min = x;
        if (max === null || x > max) max = x;
      }
      specs[k] = { values: this.out.array(values, 'f64'), min, max, count };
      loaded[k] = values;
    }
    return { specs, loaded };
  }

  writeIds(): IndexHeader['ids'] {
    this.out.align();
    const at = this.out.pos;
    // one id a line reads back far faster than a JSON array; JSON only when an id holds a newline
    const asLines = !this.ids.some((id) => id.includes('\n'));
    const bytes = this.out.text(asLines ? this.ids.join('\n') : JSON.stringify(this.ids));
    return { at, bytes, encoding: asLines ? 'lines' : 'json' };
  }
}

/** The header, then its offset and length and the magic again; flushed. */
function writeTrailer(out: BinWriter, header: IndexHeader): void {
  out.align();
  const headerAt = out.pos;
  const headerBytes = out.text(JSON.stringify(header));
  out.write(new Uint8Array(new Float64Array([headerAt, headerBytes]).buffer));
  out.text(INDEX_MAGIC);
  out.flush();
}

/** What one pass over a run learns beside its items: its kind, stamps and hash. */
interface RunRead {
  kind: RunKind;
  rubric: IndexHeader['rubric'];
  judge: unknown;
  criteria: Set<string>;
  sha256: string;
  size: number;
}

/**
 * Reads the run line by line into `cols`, checking each line is of the run's kind; a probe run's
 * lines are gathered into one item a conversation (which must not come back after another).
 */
function readRun(file: string, cols: IndexColumns): RunRead {
  let kind: RunKind | null = null;
  const stamps = {
    rubric: null as IndexHeader['rubric'],
    judge: null as unknown,
    criteria: new Set<string>(),
  };
  const conversations = new ConversationGroups(file, cols);
  const { sha256, size } = scanLines(file, (text, line, at, bytes, last) => {
    if (!text.trim()) return;
    const value = parseRunLine(file, text, line, last);
    if (kind === null) {
      kind = kindOfLine(value);
      if (kind === null) throw new InputError(file, line, whatItIs(value));
    }
    const problem = lineProblem(kind, value);
    if (problem) throw new InputError(file, line, problem);
    noteStamps(kind, value, stamps);
    if (kind === 'probe') conversations.add(value, line, at, bytes);
    else cols.add(fieldsOf(kind, [value]), at, bytes, line);
  });
  conversations.flush();
  if (kind === null) throw new InputError(file, undefined, 'the file is empty: no items to view');
  cols.flushText();
  return { kind, ...stamps, sha256, size };
}

/** A run's line as a JSON object (an InputError naming the line otherwise). */
function parseRunLine(file: string, text: string, line: number, last: boolean): Json {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      file,
      line,
      last
        ? 'truncated: the last line is not complete JSON (a run cut off while writing, or a partial copy)'
        : `malformed JSON (${(err as Error).message})`,
    );
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new InputError(file, line, 'expected a JSON object on each line: not a file plumb wrote');
  return v as Json;
}

/** The first rubric and judge stamp, and every criterion scored. */
function noteStamps(
  kind: RunKind,
  value: Json,
  stamps: { rubric: IndexHeader['rubric']; judge: unknown; criteria: Set<string> },
): void {
  if (kind === 'score' || kind === 'pairwise') {
    if (!stamps.rubric && value.rubric) stamps.rubric = value.rubric as IndexHeader['rubric'];
    if (stamps.judge === null && value.judge) stamps.judge = value.judge;
    if (value.scores && typeof value.scores === 'object')
      for (const c of Object.keys(value.scores)) stamps.criteria.add(c);
  }
  if (kind === 'probe' && stamps.judge === null && value.judge) stamps.judge = value.judge;
}

/** A probe run's lines gathered into one item a conversation, in the order the run has them. */
class ConversationGroups {
  private group: { key: string; lines: Json[]; offset: number; end: number; line: number } | null = null;
  private readonly seen = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly cols: IndexColumns,
  ) {}

  add(value: Json, line: number, at: number, bytes: number): void {
    const key = String(value.conversation);
    if (this.group && this.group.key === key) {
      this.group.lines.push(value);
      this.group.end = at + bytes;
      return;
    }
    this.flush();
    if (this.seen.has(key))
      throw new InputError(
        this.file,
        line,
        `conversation "${key}" continues here after other conversations: not a transcripts file as plumb probe writes it`,
      );
    this.seen.add(key);
    this.group = { key, lines: [value], offset: at, end: at + bytes, line };
  }

  flush(): void {
    const g = this.group;
    if (!g) return;
    this.cols.add(fieldsOf('probe', g.lines), g.offset, g.end - g.offset, g.line);
    this.group = null;
  }
}

function readArray(fd: number, spec: ArraySpec): Float64Array | Uint32Array | Uint16Array {
  const a =
    spec.type === 'f64'
      ? new Float64Array(spec.count)
      : spec.type === 'u32'
        ? new Uint32Array(spec.count)
        : new Uint16Array(spec.count);
  const bytes = new Uint8Array(a.buffer);
  let done = 0;
  while (done < bytes.length) {
    const got = readSync(fd, bytes, done, bytes.length - done, spec.at + done);
    if (got === 0) throw new Error('index cut short');
    done += got;
  }
  return a;
}

/**
 * Loads the index at `path` if it describes `file` as it is now; null when it is missing, stale,
 * of another format or damaged (it is then rebuilt: it is only ever a cache of the run).
 */
export function loadIndex(file: string, path: string): ViewIndex | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 48) return null;
    const trailer = Buffer.alloc(32);
    readSync(fd, trailer, 0, 32, size - 32);
    if (trailer.toString('latin1', 16) !== INDEX_MAGIC) return null;
    const headerAt = trailer.readDoubleLE(0);
    const headerBytes = trailer.readDoubleLE(8);
    if (!(headerAt > 0 && headerBytes > 0 && headerAt + headerBytes <= size)) return null;
    const hb = Buffer.alloc(headerBytes);
    readSync(fd, hb, 0, headerBytes, headerAt);
    const header = JSON.parse(hb.toString('utf8')) as IndexHeader;
    if (header.format !== INDEX_FORMAT) return null;
    const st = statSync(file);
    if (st.size !== header.source.size || st.mtimeMs !== header.source.mtime_ms) return null;
    if (fingerprint(file) !== header.source.fingerprint) return null;
    const ib = Buffer.allocUnsafe(header.ids.bytes);
    readSync(fd, ib, 0, header.ids.bytes, header.ids.at);
    const ids =
      header.ids.encoding === 'lines'
        ? IdTable.fromLines(ib, header.n)
        : IdTable.fromArray(JSON.parse(ib.toString('utf8')) as string[]);
    if (ids.length !== header.n) return null;
    const facets: ViewIndex['facets'] = {};
    for (const [k, f] of Object.entries(header.facets))
      facets[k] = { values: f.values, codes: readArray(fd, f.codes) as Uint16Array };
    const nums: ViewIndex['nums'] = {};
    for (const [k, c] of Object.entries(header.nums)) nums[k] = readArray(fd, c.values) as Float64Array;
    noteInput(file);
    const index = { file, path, header, kind: header.kind, n: header.n, ids, facets, nums } as ViewIndex;
    // where each item is in the run and in the search text: read when first needed (opening an
    // item, a search), so the first page does not wait for them
    const lazy = (name: 'offset' | 'length' | 'line' | 'textOffset', spec: ArraySpec) => {
      let value: Float64Array | Uint32Array | undefined;
      Object.defineProperty(index, name, {
        enumerable: true,
        get: () => {
          if (!value) {
            const f = openSync(path, 'r');
            try {
              value = readArray(f, spec) as Float64Array | Uint32Array;
            } finally {
              closeSync(f);
            }
          }
          return value;
        },
      });
    };
    lazy('offset', header.columns.offset);
    lazy('length', header.columns.length);
    lazy('line', header.columns.line);
    lazy('textOffset', header.columns.text_offset);
    return index;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export interface OpenedIndex {
  index: ViewIndex;
  /** Built now (else loaded from beside the run). */
  built: boolean;
  /** Said when the index could not be kept beside the run (a read-only folder). */
  note: string | null;
}

/**
 * The run's index: loaded from beside it when current, else built there — or, when the run's
 * folder cannot be written, in the temporary folder (and said so).
 */
export function openIndex(file: string, opts: { rebuild?: boolean } = {}): OpenedIndex {
  const beside = indexPathOf(file);
  if (!opts.rebuild) {
    const loaded = loadIndex(file, beside);
    if (loaded) return { index: loaded, built: false, note: null };
  }
  try {
    return { index: buildIndex(file, beside), built: true, note: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err;
    const elsewhere = join(
      tmpdir(),
      `plumb-${createHash('sha256').update(file).digest('hex').slice(0, 16)}.view-index`,
    );
    const loaded = opts.rebuild ? null : loadIndex(file, elsewhere);
    return {
      index: loaded ?? buildIndex(file, elsewhere),
      built: !loaded,
      note: `cannot write beside ${file} (${code}): its index is kept in ${elsewhere}`,
    };
  }
}

/** Reads item `i`'s bytes from the run: its line (or, for a probe conversation, its lines). */
export function readItemLines(index: ViewIndex, i: number): Json[] {
  const fd = openSync(index.file, 'r');
  try {
    // the offsets describe the run as it was indexed: a run changed since is not read by them
    const st = fstatSync(fd);
    if (st.size !== index.header.source.size || st.mtimeMs !== index.header.source.mtime_ms)
      throw new UsageError(
        `${index.file} changed on disk since plumb view opened it: restart plumb view to index it again`,
      );
    const bytes = Buffer.alloc(index.length[i]!);
    readSync(fd, bytes, 0, bytes.length, index.offset[i]!);
    return bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Json);
  } finally {
    closeSync(fd);
  }
}

/**
 * Marks the items whose search text holds `q` (lower-cased, white space made one space): a scan
 * of the index's text with the native substring search, one item at most once.
 */
export function searchIndex(index: ViewIndex, q: string, chunk = CHUNK): Uint8Array {
  const needle = Buffer.from(viewEngine().normalizeText(q), 'utf8');
  const out = new Uint8Array(index.n);
  if (needle.length === 0) return out.fill(1);
  const base = index.header.text.at;
  const total = index.header.text.bytes;
  const fd = openSync(index.path, 'r');
  try {
    const buf = Buffer.alloc(chunk + needle.length);
    let from = 0; // offset in the text blob of buf[0]
    let item = 0;
    while (from < total) {
      const want = Math.min(buf.length, total - from);
      let got = 0;
      while (got < want) {
        const r = readSync(fd, buf, got, want - got, base + from + got);
        if (r === 0) break;
        got += r;
      }
      const view = buf.subarray(0, got);
      let pos = 0;
      for (;;) {
        const hit = view.indexOf(needle, pos);
        if (hit < 0) break;
        const at = from + hit;
        // the item holding byte `at`: text offsets only grow, and hits come in order
        while (item + 1 < index.n && index.textOffset[item + 1]! <= at) item += 1;
        out[item] = 1;
        const next = index.textOffset[item + 1]! - from;
        pos = Math.max(hit + 1, next);
      }
      if (from + got >= total) break;
      // step on, keeping the last needle.length − 1 bytes so a match across the seam is found
      from += Math.max(1, got - (needle.length - 1));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The search text of the items `which` (as indexed: lower-cased, white space made one space). */
export function readTexts(index: ViewIndex, which: readonly number[]): string[] {
  const fd = openSync(index.path, 'r');
  try {
    return which.map((i) => {
      const from = index.textOffset[i]!;
      const bytes = Buffer.alloc(index.textOffset[i + 1]! - from);
      readSync(fd, bytes, 0, bytes.length, index.header.text.at + from);
      return bytes.toString('utf8').replace(/\n$/, '');
    });
  } finally {
    closeSync(fd);
  }
}
