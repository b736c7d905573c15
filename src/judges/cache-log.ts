import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * One bucket of the judge cache: an append-only file of JSON records, each written by a single
 * `write` with O_APPEND, so every process sharing the cache sees the records of a bucket in one
 * order — the file's. Three kinds of record:
 *
 *   {"key":K,"checksum":C,"value":V,"pid":P,"host":H}   an answer; C = sha256 of V's text as written
 *                                                       (the shape plumb 0.1 wrote one file each)
 *   {"claim":K,"pid":P,"host":H,"t":MS}                 "I am paying for K"
 *   {"release":K,"pid":P,"host":H}                      "I stopped without an answer for K"
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
}

const READ_CHUNK = 1 << 20;
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

  constructor(readonly path: string) {}

  /** Byte offsets of the answer lines whose key has this key's fingerprint, newest first. */
  candidates(key: string): number[] {
    const fp = fingerprint(key);
    const out: number[] = [];
    for (let i = this.count - 1; i >= 0; i--) if (this.fps[i] === fp) out.push(this.offsets[i]!);
    return out;
  }

  /** Reads what was appended since the last call (by any process). Missing file: nothing yet. */
  refresh(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
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
    } finally {
      closeSync(fd);
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
      let record: { claim?: string; release?: string; pid: number; host: string; t?: number };
      try {
        record = JSON.parse(text.slice(start, end));
      } catch {
        return;
      }
      const key = record.claim ?? record.release ?? '';
      const list = this.claims.get(key) ?? [];
      if (record.claim !== undefined) {
        list.push({ pid: record.pid, host: record.host, t: record.t ?? 0 });
        this.claims.set(key, list);
      } else {
        const rest = list.filter((c) => c.pid !== record.pid || c.host !== record.host);
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

/** The line that starts at `offset` (without its newline), or null when it is not all there. */
export function readLineAt(path: string, offset: number): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const chunks: Buffer[] = [];
    let pos = offset;
    for (let size = 4096; ; size *= 2) {
      const buf = Buffer.allocUnsafe(size);
      const n = readSync(fd, buf, 0, size, pos);
      if (n <= 0) return null;
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) {
        chunks.push(buf.subarray(0, nl));
        return Buffer.concat(chunks).toString('utf8');
      }
      chunks.push(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}
