import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { canonicalJson, sha256 } from '../util/canonical.js';

/**
 * The judge cache: an in-memory LRU (lru-cache) in front of files on disk, one per key.
 *
 * Writes go to a temporary file that is renamed into place, so a crash never leaves a half-written
 * entry under a real name. Each entry stores its own key and a checksum of its payload; an entry
 * that fails either check (a torn disk, a hand edit) is treated as a miss and removed, never served.
 */
export class JudgeCache {
  private readonly memory = new LRUCache<string, object>({ max: 10_000 });

  constructor(readonly dir: string) {}

  /** The key: a hash of everything that changes the answer — and nothing else (never an API key). */
  static key(parts: Record<string, unknown>): string {
    return sha256(canonicalJson(parts));
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get<T extends object>(key: string): Promise<T | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit as T;
    let text: string;
    try {
      text = await readFile(this.pathOf(key), 'utf8');
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
      await rm(this.pathOf(key), { force: true });
      return undefined;
    }
  }

  async set(key: string, value: object): Promise<void> {
    this.memory.set(key, value);
    const path = this.pathOf(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify({ key, checksum: sha256(canonicalJson(value)), value }));
    await rename(tmp, path);
  }
}
