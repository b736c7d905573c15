import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';

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
 * claims not yet answered or released.
 */
export interface ClaimRecord {
  pid: number;
  host: string;
  t: number;
  /** A batch run's claim: the run (its manifest's id), whichever process of it wrote the record. */
  run?: string;
  /** A batch run's claim holds until then (ms), even after its process died: the provider has the request. */
  until?: number;
}

const READ_CHUNK = 1 << 20;
/** lineAt's buffer (the calls are synchronous, so one serves them all). */
let scratch = Buffer.allocUnsafe(16 * 1024);
const KEY_AT = '{"key":"'.length;
const KEY_LENGTH = 64;

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

  constructor(readonly path: string) {}

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
    const size = fstatSync(fd).size;
    if (size <= this.readTo) return;
    let carry = '';
    let carryAt = this.readTo;
    let pos = this.readTo;
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
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
        record = JSON.parse(text.slice(start, end));
      } catch {
        return;
      }
      const key = record.claim ?? record.release ?? '';
      const list = this.claims.get(key) ?? [];
      if (record.claim !== undefined) {
        const claim: ClaimRecord = { pid: record.pid, host: record.host, t: record.t ?? 0 };
        if (typeof record.run === 'string') claim.run = record.run;
        if (typeof record.until === 'number') claim.until = record.until;
        list.push(claim);
        this.claims.set(key, list);
      } else {
        // a batch run releases every claim of the run; a process, its own
        const mine = (c: ClaimRecord) =>
          record.run !== undefined ? c.run === record.run : c.pid === record.pid && c.host === record.host;
        const rest = list.filter((c) => !mine(c));
        if (rest.length) this.claims.set(key, rest);
        else this.claims.delete(key);
      }
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
