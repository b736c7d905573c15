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
 * Strings → dense indices 0, 1, 2, … in the order first seen, exactly (a hash match is confirmed
 * against the stored key), held without a string or Map entry per key: the keys' UTF-16 code units
 * in one growing Uint16Array and a table of 64-bit hashes and indices beside them, all outside the
 * JS heap — about 40 bytes a short key against the ~70 a Map entry and its string take on the heap,
 * where V8 keeps up to four times the live size in headroom. What lets a score summary intern 10^5
 * `metadata.group` names without its peak memory growing with them (bench/cluster-memory.mjs).
 */
export class StringIndex {
  private lo = new Uint32Array(1 << 10);
  private hi = new Uint32Array(1 << 10);
  /** 1 + the index of the key whose hash is in the slot; 0 for an empty slot. */
  private slots = new Uint32Array(1 << 10);
  private chars = new Uint16Array(1 << 12);
  /** Key i's code units are chars[starts[i] … starts[i + 1]). */
  private starts = new Uint32Array(1 << 10);
  private count = 0;

  /** Keys seen. */
  get size(): number {
    return this.count;
  }

  /** The key's index: the one it got when first seen, else the next one (and it is remembered). */
  intern(key: string): number {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const [a, b] = hash64(key);
    const mask = this.slots.length - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) {
        this.lo[i] = a;
        this.hi[i] = b;
        const index = this.append(key);
        this.slots[i] = index + 1;
        return index;
      }
      if (this.lo[i] === a && this.hi[i] === b && this.holds(s - 1, key)) return s - 1;
    }
  }

  /** Stores the key's code units as key number `count`; returns that number. */
  private append(key: string): number {
    const start = this.starts[this.count]!;
    const end = start + key.length;
    if (this.count + 2 > this.starts.length) this.starts = widened(this.starts, this.count + 2);
    if (end > this.chars.length) this.chars = widened(this.chars, end);
    for (let j = 0; j < key.length; j++) this.chars[start + j] = key.charCodeAt(j);
    this.starts[this.count + 1] = end;
    return this.count++;
  }

  private holds(index: number, key: string): boolean {
    const start = this.starts[index]!;
    if (this.starts[index + 1]! - start !== key.length) return false;
    for (let j = 0; j < key.length; j++) if (this.chars[start + j] !== key.charCodeAt(j)) return false;
    return true;
  }

  private grow(): void {
    const [lo, hi, slots] = [this.lo, this.hi, this.slots];
    this.lo = new Uint32Array(lo.length * 2);
    this.hi = new Uint32Array(hi.length * 2);
    this.slots = new Uint32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let k = 0; k < slots.length; k++) {
      if (slots[k] === 0) continue;
      let i = lo[k]! & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.lo[i] = lo[k]!;
      this.hi[i] = hi[k]!;
      this.slots[i] = slots[k]!;
    }
  }
}

/** A copy of the array at least `atLeast` long (double the length, or more). */
function widened<T extends Uint16Array | Uint32Array>(a: T, atLeast: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(atLeast, a.length * 2));
  b.set(a);
  return b;
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
