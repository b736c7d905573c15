import { createHash } from 'node:crypto';
import { readFileSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { writeFileAtomicSync } from '../io/atomic.js';

/**
 * A bucket's persisted index (`<dir>/log/<bb>.idx`): what a bucket keeps in memory after reading
 * the first `length` bytes of its log — the fingerprint and byte offset of every answer line, and
 * the claims still open — so a fresh process reads only the log's tail instead of all of it
 * (a rescan cost 0.85 s per 300,000 answers).
 *
 * The file: a magic line, a JSON header line, the fingerprints (4 bytes each) and the offsets (8
 * bytes each) in this machine's byte order, then the sha256 (64 hex digits) of everything before
 * it. It is trusted only when all of this holds: the magic and checksum (a torn or hand-edited
 * index), the byte order, the log's name, and the log itself — at least `length` bytes long,
 * the same inode, and the same bytes just before `length` (`anchor`). A log that was replaced,
 * truncated or compacted fails that check and is rescanned. An index is only ever a shortcut:
 * every answer is still checked against its key and checksum when it is served.
 */
/** An open claim (cache-log.ts describes the records): here because the index stores them. */
export interface ClaimRecord {
  pid: number;
  host: string;
  t: number;
  /** A batch run's claim: the run (its manifest's id), whichever process of it wrote the record. */
  run?: string;
  /** A batch run's claim holds until then (ms), even after its process died: the provider has the request. */
  until?: number;
}

export interface IndexState {
  /** Bytes of the log the index covers (the end of a complete line). */
  length: number;
  count: number;
  fps: Uint32Array<ArrayBuffer>;
  offsets: Float64Array<ArrayBuffer>;
  /** Open claims per key at `length`, in file order. */
  claims: [string, ClaimRecord[]][];
}

interface Header {
  log: string;
  length: number;
  ino: number;
  anchor: string;
  count: number;
  endian: string;
  claims: [string, ClaimRecord[]][];
}

const MAGIC = 'plumb-cache-index/1\n';
/** How many bytes before `length` the anchor hashes: a few records, so a rewritten log differs. */
const ANCHOR_BYTES = 4096;
const SUM_HEX = 64;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The hash of the log's bytes just before `length` (read through the log's open descriptor). */
export function anchorOf(fd: number, length: number): string {
  const from = Math.max(0, length - ANCHOR_BYTES);
  const buf = Buffer.alloc(length - from);
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, from + got);
    if (n <= 0) break;
    got += n;
  }
  return sha256(buf.subarray(0, got));
}

/**
 * Writes the index atomically (a temp file of this process renamed over the old one), so a reader
 * sees the old index or the new one, never half of one. Two processes writing at once both write
 * a true index of the same append-only prefix; the last rename wins.
 */
export function writeIndex(
  path: string,
  log: { name: string; ino: number; fd: number },
  state: IndexState,
): void {
  const header: Header = {
    log: log.name,
    length: state.length,
    ino: log.ino,
    anchor: anchorOf(log.fd, state.length),
    count: state.count,
    endian: endianness(),
    claims: state.claims,
  };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const fps = Buffer.from(state.fps.buffer, state.fps.byteOffset, state.count * 4);
  const offsets = Buffer.from(state.offsets.buffer, state.offsets.byteOffset, state.count * 8);
  const sum = createHash('sha256').update(head).update(fps).update(offsets).digest('hex');
  // an index is rebuilt from its log when lost: no fsync
  writeFileAtomicSync(path, Buffer.concat([head, fps, offsets, Buffer.from(sum)]), { sync: false });
}

/**
 * The index at `path` if it describes this log (see above), else null — a missing, torn, foreign,
 * older-format or stale index is ignored, never trusted.
 */
export function readIndex(path: string, log: { name: string; ino: number; size: number; fd: number }) {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return null;
  }
  const header = parseHeader(file);
  if (!header) return null;
  const { h, bodyAt } = header;
  if (h.log !== log.name || h.ino !== log.ino || h.endian !== endianness()) return null;
  if (h.length > log.size || anchorOf(log.fd, h.length) !== h.anchor) return null;
  if (file.length - SUM_HEX - bodyAt !== h.count * 12) return null;
  const fps = new Uint32Array(Math.max(8, h.count));
  const offsets = new Float64Array(Math.max(8, h.count));
  Buffer.from(fps.buffer).set(file.subarray(bodyAt, bodyAt + h.count * 4));
  Buffer.from(offsets.buffer).set(file.subarray(bodyAt + h.count * 4, bodyAt + h.count * 12));
  if (h.count > 0 && !(offsets[h.count - 1]! < h.length)) return null;
  const state: IndexState = { length: h.length, count: h.count, fps, offsets, claims: h.claims };
  return state;
}

/** The header of an index file whose magic and checksum hold, and where its body starts. */
function parseHeader(file: Buffer): { h: Header; bodyAt: number } | null {
  if (file.length < MAGIC.length + SUM_HEX || file.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const end = file.length - SUM_HEX;
  if (sha256(file.subarray(0, end)) !== file.toString('latin1', end)) return null;
  const nl = file.indexOf(10, MAGIC.length);
  if (nl < 0 || nl >= end) return null;
  let h: Header;
  try {
    h = JSON.parse(file.toString('utf8', MAGIC.length, nl)) as Header;
  } catch {
    return null;
  }
  const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  const claimsOk =
    Array.isArray(h.claims) &&
    h.claims.every((e) => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]));
  if (!whole(h.length) || !whole(h.count) || typeof h.anchor !== 'string' || !claimsOk) return null;
  return { h, bodyAt: nl + 1 };
}
