import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { sha256 } from '../core/canonical.js';
import { LOCK_OWNER, processAlive } from '../io/lock.js';
import { type ClaimRecord, type IndexState, readIndex, writeIndex } from './cache-index.js';

/**
 * One bucket of the judge cache: an append-only file of JSON records, each written by a single
 * `write` with O_APPEND, so every process sharing the cache sees the records of a bucket in one
 * order — the file's. Three kinds of record:
 *
 *   {"key":K,"checksum":C,"value":V,"pid":P,"host":H}   an answer; C = sha256 of K, a newline and V's
 *                                                       text as written
 *   {"claim":K,"pid":P,"host":H,"t":MS}                 "I am paying for K"
 *   {"claim":K,"pid":P,"host":H,"t":MS,"run":R,"until":MS}
 *                                                       a batch run R pays for K until then (see cache.ts)
 *   {"release":K,"pid":P,"host":H,"run"?:R}             "I stopped without an answer for K"
 *
 * Each record is written as "\n" + JSON + "\n": a record cut short by a full disk is ended by the
 * next record's leading newline instead of swallowing it. A line that does not parse is skipped.
 *
 * What a bucket keeps in memory is small: for each answer, a 32-bit fingerprint of its key and
 * the byte offset of its line (12 bytes an entry; the values themselves stay on disk), and the
 * claims not yet answered or released. That state is persisted beside the log (`<bb>.idx`,
 * cache-index.ts) when the bucket is closed or after much was read, so the next process reads
 * only what was appended since.
 */
export type { ClaimRecord };

const READ_CHUNK = 1 << 20;
/** lineAt's buffer (the calls are synchronous, so one serves them all). */
let scratch = Buffer.allocUnsafe(16 * 1024);
const KEY_AT = '{"key":"'.length;
const KEY_LENGTH = 64;

/** Read this many new bytes and the index is written at once (not only when the bucket is closed). */
const INDEX_AFTER_BYTES = 1 << 20;

/** A key's fingerprint: hex digits 3–10 (the first two name the bucket). */
export function fingerprint(key: string): number {
  return Number.parseInt(key.slice(2, 10), 16) >>> 0;
}

export class CacheBucket {
  private fps = new Uint32Array(8);
  private offsets = new Float64Array(8);
  private count = 0;
  /** Bytes of the file read so far (always the end of a complete line). */
  private readTo = 0;
  /** Open claims per key, in file order, since the key's last answer. */
  readonly claims = new Map<string, ClaimRecord[]>();

  private fd: number | null = null;
  private writable = false;
  /** Bytes of the log the index file on disk covers (as far as this process knows). */
  private indexedTo = 0;
  private indexLoaded = false;
  /** Set when the index cannot be written (a read-only folder): not tried again. */
  private indexFailed = false;
  /** Bytes of the log this process has scanned line by line (what an index saves; tests and bench/). */
  scannedBytes = 0;

  constructor(readonly path: string) {}

  /** Where the bucket's index lives: `<bb>.idx` beside `<bb>.jsonl`. */
  get indexPath(): string {
    return this.path.replace(/\.jsonl$/, '.idx');
  }

  /** Byte offsets of the answer lines whose key has this key's fingerprint, newest first. */
  candidates(key: string): number[] {
    const fp = fingerprint(key);
    const out: number[] = [];
    for (let i = this.count - 1; i >= 0; i--) if (this.fps[i] === fp) out.push(this.offsets[i]!);
    return out;
  }

  /**
   * The bucket file's descriptor, kept open while the process runs (one open and close per record
   * cost as much as the write): read and append, or read only where the folder cannot be written.
   * Null while the file does not exist and `create` is false.
   */
  private handle(create: boolean): number | null {
    if (this.fd !== null && (this.writable || !create)) return this.fd;
    const rw = constants.O_RDWR | constants.O_APPEND;
    try {
      const fd = openSync(this.path, create ? rw | constants.O_CREAT : rw, 0o666);
      this.close();
      this.fd = fd;
      this.writable = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !create) return null;
      if (create || (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM')) throw err;
      this.fd = openSync(this.path, 'r'); // a read-only cache still answers
    }
    return this.fd;
  }

  /** Appends records (each "\n" + JSON + "\n"); throws what the disk says when it cannot. */
  append(text: string): void {
    const fd = this.handle(true);
    if (!this.writable || fd === null) throw Object.assign(new Error('read-only'), { code: 'EROFS' });
    writeSync(fd, text);
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // nothing was pending: every write is synchronous
    }
    this.fd = null;
    this.writable = false;
  }

  /** Reads what was appended since the last call (by any process). Missing file: nothing yet. */
  refresh(): void {
    const fd = this.handle(false);
    if (fd === null) return;
    const stat = fstatSync(fd);
    const size = stat.size;
    if (!this.indexLoaded) {
      this.indexLoaded = true;
      const state = readIndex(this.indexPath, { name: basename(this.path), ino: stat.ino, size, fd });
      if (state) this.adopt(state);
    }
    if (size <= this.readTo) return;
    let carry = '';
    let carryAt = this.readTo;
    let pos = this.readTo;
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      this.scannedBytes += n;
      const text = carry + buf.toString('latin1', 0, n);
      pos += n;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (nl > start) this.index(text, start, nl, carryAt + start);
        start = nl + 1;
      }
      carry = text.slice(start);
      carryAt += start;
    }
    // a last line without its newline is still being written (or was cut short): read it again later
    this.readTo = carryAt;
    if (this.readTo - this.indexedTo >= INDEX_AFTER_BYTES) this.persist();
  }

  /** Takes the state a persisted index holds (the log's first `length` bytes, already read). */
  private adopt(state: IndexState): void {
    this.fps = state.fps;
    this.offsets = state.offsets;
    this.count = state.count;
    this.claims.clear();
    for (const [key, list] of state.claims) this.claims.set(key, list);
    this.readTo = state.length;
    this.indexedTo = state.length;
  }

  /**
   * Writes the index of the log as far as it is complete, when that is more than the index on
   * disk covers: on close, and after INDEX_AFTER_BYTES of new lines — never per append. A folder that
   * cannot take it (read-only) only costs the next process a rescan.
   */
  persist(): void {
    if (this.indexFailed) return;
    try {
      this.refresh(); // what was appended since the last read, this process's own records included
    } catch {
      return;
    }
    if (this.fd === null || this.readTo <= this.indexedTo) return;
    try {
      writeIndex(
        this.indexPath,
        { name: basename(this.path), ino: fstatSync(this.fd).ino, fd: this.fd },
        {
          length: this.readTo,
          count: this.count,
          fps: this.fps,
          offsets: this.offsets,
          claims: [...this.claims],
        },
      );
      this.indexedTo = this.readTo;
    } catch {
      this.indexFailed = true;
    }
  }

  /** Removes the bucket's index (compaction, before it replaces the log the index describes). */
  dropIndex(): void {
    try {
      unlinkSync(this.indexPath);
    } catch {
      // none
    }
  }

  /** The line that starts at `offset` (without its newline), or null when it is not all there. */
  lineAt(offset: number): string | null {
    const fd = this.handle(false);
    if (fd === null) return null;
    // an answer line is a few hundred bytes: read 1 KiB into a buffer kept for it, more when short
    let length = 0;
    for (let want = 1024; ; want *= 2) {
      if (length + want > scratch.length) {
        const bigger = Buffer.allocUnsafe(2 * (length + want));
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const n = readSync(fd, scratch, length, want, offset + length);
      if (n <= 0) return null;
      const nl = scratch.subarray(length, length + n).indexOf(10);
      if (nl >= 0) return scratch.toString('utf8', 0, length + nl);
      length += n;
    }
  }

  /**
   * Indexes one line from its prefix only; the JSON is parsed when a value is read. The text is
   * latin1-decoded bytes, so string offsets are byte offsets.
   */
  private index(text: string, start: number, end: number, offset: number): void {
    if (text.startsWith('{"key":"', start)) {
      const key = text.slice(start + KEY_AT, start + KEY_AT + KEY_LENGTH);
      this.claims.delete(key); // an answer ends every claim before it
      this.add(fingerprint(key), offset);
    } else if (text.startsWith('{"claim":"', start) || text.startsWith('{"release":"', start)) {
      applyClaimLine(this.claims, text.slice(start, end));
    }
  }

  private add(fp: number, offset: number): void {
    if (this.count === this.fps.length) {
      const fps = new Uint32Array(this.count * 2);
      fps.set(this.fps);
      this.fps = fps;
      const offsets = new Float64Array(this.count * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.fps[this.count] = fp;
    this.offsets[this.count] = offset;
    this.count += 1;
  }
}

/**
 * Applies one claim or release line to the open claims: a claim joins its key's list; a release
 * ends the releasing process's claims on the key (a batch run's: every claim of the run). Returns
 * false for a line that does not parse (skipped, as every unreadable line is).
 */
export function applyClaimLine(claims: Map<string, ClaimRecord[]>, line: string): boolean {
  let record: {
    claim?: string;
    release?: string;
    pid: number;
    host: string;
    t?: number;
    run?: string;
    until?: number;
  };
  try {
    record = JSON.parse(line);
  } catch {
    return false;
  }
  const key = record.claim ?? record.release ?? '';
  const list = claims.get(key) ?? [];
  if (record.claim !== undefined) {
    const claim: ClaimRecord = { pid: record.pid, host: record.host, t: record.t ?? 0 };
    if (typeof record.run === 'string') claim.run = record.run;
    if (typeof record.until === 'number') claim.until = record.until;
    list.push(claim);
    claims.set(key, list);
  } else {
    // a batch run releases every claim of the run; a process, its own
    const mine = (c: ClaimRecord) =>
      record.run !== undefined ? c.run === record.run : c.pid === record.pid && c.host === record.host;
    const rest = list.filter((c) => !mine(c));
    if (rest.length) claims.set(key, rest);
    else claims.delete(key);
  }
  return true;
}

/** A claim record as a line of the log (the form JudgeCache writes). */
export function claimLine(key: string, c: ClaimRecord): string {
  const run = c.run !== undefined ? `,"run":${JSON.stringify(c.run)}` : '';
  const until = c.until !== undefined ? `,"until":${Math.round(c.until)}` : '';
  return `{"claim":${JSON.stringify(key)},"pid":${c.pid},"host":${JSON.stringify(c.host)},"t":${c.t}${run}${until}}`;
}

/** How often a process paying for a key renews its claim. */
export const CLAIM_HEARTBEAT_MS = 60_000;
/** A claim from another host holds this long after its last renewal (three heartbeats). */
const REMOTE_CLAIM_MS = 3 * CLAIM_HEARTBEAT_MS;

/** Whether one claim record still holds: a batch run's until its time, anyone else's while they live. */
export function claimHolds(c: ClaimRecord, now: number, staleClaimMs: number): boolean {
  if (c.until !== undefined && now < c.until) return true;
  if (now - c.t > staleClaimMs) return false;
  // a process on another host (a container, a second machine) cannot be checked from here: its
  // claim holds while it keeps renewing it (CLAIM_HEARTBEAT_MS), so a killed one stalls others
  // for minutes at most, not for the whole stale period
  if (c.host !== LOCK_OWNER.host) return now - c.t <= REMOTE_CLAIM_MS;
  return processAlive(c.pid);
}

/** Where an answer's value starts: `{"key":"<64 hex>","checksum":"<64 hex>","value":`. */
const VALUE_AT = `{"key":"${'0'.repeat(64)}","checksum":"${'0'.repeat(64)}","value":`.length;

/** The checksum an answer line carries: of its key and its value's text together, so neither can be swapped. */
export function answerChecksum(key: string, valueText: string): string {
  return sha256(`${key}\n${valueText}`);
}

/** The value's text of an answer line if it is for `key` and its checksum holds, else undefined. */
export function checkedValueText(line: string, key: string): string | undefined {
  const end = line.lastIndexOf(',"pid":');
  const text = line.slice(VALUE_AT, end);
  if (end > VALUE_AT && line.slice(8, 72) === key && line.slice(86, 150) === answerChecksum(key, text))
    return text;
  return undefined;
}
