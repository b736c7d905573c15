/**
 * A set of item ids that remembers 64-bit hashes, not strings: 8 bytes an id in typed arrays
 * (with the table at most half full) instead of the ~70 bytes a Map entry and its string take —
 * what keeps checking a 10⁶-line input for duplicate ids from doubling a run's peak memory.
 *
 * `has` can answer "maybe" for an id it never saw when two ids share a 64-bit hash (about 3 in
 * 10⁸ for a million ids), so a hit is a candidate to confirm, never a verdict: the caller looks for
 * the earlier line with the same id (see validateResponses). Written here because the maintained
 * collection libraries store the keys themselves, which is the memory this avoids.
 */
export class IdHashSet {
  private lo = new Uint32Array(1 << 10);
  private hi = new Uint32Array(1 << 10);
  /** A slot is empty when both words are 0; a real hash of (0, 0) is stored as (0, 1). */
  private size = 0;

  /** Adds the id; false when its hash was already there (a duplicate, or — rarely — a collision). */
  add(id: string): boolean {
    if ((this.size + 1) * 2 > this.lo.length) this.grow();
    const [a, b] = hash64(id);
    const inserted = this.insert(a, b);
    if (inserted) this.size += 1;
    return inserted;
  }

  private insert(a: number, b: number): boolean {
    const mask = this.lo.length - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = this.lo[i]!;
      const y = this.hi[i]!;
      if (x === 0 && y === 0) {
        this.lo[i] = a;
        this.hi[i] = b;
        return true;
      }
      if (x === a && y === b) return false;
    }
  }

  private grow(): void {
    const [lo, hi] = [this.lo, this.hi];
    this.lo = new Uint32Array(lo.length * 2);
    this.hi = new Uint32Array(hi.length * 2);
    for (let i = 0; i < lo.length; i++) if (lo[i] !== 0 || hi[i] !== 0) this.insert(lo[i]!, hi[i]!);
  }
}

/**
 * Two independent 32-bit FNV-1a-style lanes over the UTF-16 code units, each finished with a
 * murmur3 mix (different offsets and multipliers, so the lanes do not collide together).
 */
function hash64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = fmix(a);
  b = fmix(b ^ 0x9e3779b9);
  return a === 0 && b === 0 ? [0, 1] : [a >>> 0, b >>> 0];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
