import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { canonicalJson, sha256 } from '../util/canonical.js';

/**
 * The judge cache: an in-memory LRU (lru-cache) in front of files on disk, one per key.
 *
 * Writes go to a temporary file that is renamed into place, so a crash never leaves a half-written
 * entry under a real name. Each entry stores its own key and a checksum of its payload; an entry
 * that fails either check (a torn disk, a hand edit) is treated as a miss and removed, never served.
 *
 * The file calls are synchronous on purpose: entries are a few hundred bytes on local disk, and
 * the promise-based fs API costs several times more CPU per call, which at thousands of judge
 * calls a second is what limits throughput (bench/run.mjs).
 */
export class JudgeCache {
  private readonly memory = new LRUCache<string, object>({ max: 2_000 });
  private readonly madeDirs = new Set<string>();

  constructor(readonly dir: string) {}

  /**
   * The key: a hash of everything that changes the answer — and nothing else (never an API key).
   * Parts are serialised in a canonical form, so the order they are given in does not matter.
   */
  static key(parts: Record<string, unknown>): string {
    return sha256(canonicalJson(parts));
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get<T extends object>(key: string): Promise<T | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit as T;
    const path = this.pathOf(key);
    if (!existsSync(path)) return undefined; // cheaper than a thrown ENOENT on every first call
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { key: string; checksum: string; value: T };
      if (entry.key !== key || entry.checksum !== sha256(canonicalJson(entry.value)))
        throw new Error('checksum');
      this.memory.set(key, entry.value);
      return entry.value;
    } catch {
      rmSync(this.pathOf(key), { force: true });
      return undefined;
    }
  }

  async set(key: string, value: object): Promise<void> {
    this.memory.set(key, value);
    const sub = join(this.dir, key.slice(0, 2));
    if (!this.madeDirs.has(sub)) {
      mkdirSync(sub, { recursive: true });
      this.madeDirs.add(sub);
    }
    const path = this.pathOf(key);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, checksum: sha256(canonicalJson(value)), value }));
    renameSync(tmp, path);
  }
}
