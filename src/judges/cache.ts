import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { describeIoError } from '../io/errors.js';
import { forgetLock, LOCK_OWNER as OWNER, releaseLock, tryLock } from '../io/lock.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import { redact } from '../util/secrets.js';

export interface CacheOptions {
  /** How long to wait for another process's answer to a key it has claimed (default 15 min). */
  maxWaitMs?: number;
  /** A claim older than this, from another host, is taken over (default 15 min). */
  staleClaimMs?: number;
  /** Where the one-line warning goes when the disk cannot be written (default stderr). */
  warn?: (message: string) => void;
}

/**
 * The judge cache: an in-memory LRU (lru-cache) in front of files on disk, one per key.
 *
 * Writes go to a temporary file that is renamed into place, so a crash never leaves a half-written
 * entry under a real name. Each entry stores its own key and a checksum of its payload; an entry
 * that fails either check (a torn disk, a hand edit) is treated as a miss and removed, never served.
 * Values are scrubbed of secrets before they reach the disk.
 *
 * A cache that cannot be written (read-only, full) is not a reason to lose paid results: the run
 * goes on with the memory cache alone, after one warning. Two processes sharing a cache folder do
 * not pay twice: the first to miss a key claims it (`<key>.claim`, with its pid) and the other
 * waits for its answer (see getOrCompute).
 *
 * The file calls are synchronous on purpose: entries are a few hundred bytes on local disk, and
 * the promise-based fs API costs several times more CPU per call, which at thousands of judge
 * calls a second is what limits throughput (bench/run.mjs).
 */
export class JudgeCache {
  private readonly memory = new LRUCache<string, object>({ max: 2_000 });
  private readonly madeDirs = new Set<string>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private diskProblem: string | null = null;
  private readonly options: Required<CacheOptions>;

  constructor(
    readonly dir: string,
    options: CacheOptions = {},
  ) {
    this.options = {
      maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
      staleClaimMs: options.staleClaimMs ?? 15 * 60_000,
      warn: options.warn ?? ((m) => process.stderr.write(`plumb: warning: ${m}\n`)),
    };
  }

  /**
   * The key: a hash of everything that changes the answer — and nothing else (never an API key).
   * Parts are serialised in a canonical form, so the order they are given in does not matter.
   */
  static key(parts: Record<string, unknown>): string {
    return sha256(canonicalJson(parts));
  }

  /** Why the disk is not used (null while it is). */
  get diskDisabled(): string | null {
    return this.diskProblem;
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  private disableDisk(err: unknown): void {
    if (this.diskProblem) return;
    this.diskProblem = describeIoError(err);
    this.options.warn(
      `cannot write the cache at ${this.dir} (${this.diskProblem}); continuing with an in-memory cache — ` +
        'results of this run reach the output, but a re-run will not find them',
    );
  }

  private ensureSubdir(key: string): boolean {
    const sub = join(this.dir, key.slice(0, 2));
    if (this.madeDirs.has(sub)) return true;
    try {
      mkdirSync(sub, { recursive: true });
    } catch (err) {
      this.disableDisk(err);
      return false;
    }
    this.madeDirs.add(sub);
    return true;
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
      rmSync(path, { force: true });
      return undefined;
    }
  }

  async set(key: string, value: object): Promise<void> {
    this.store(key, value, null);
  }

  /**
   * Keeps a value in memory and on disk: written to a file beside the entry, then renamed into
   * place. With the key's claim held, the claim file itself is that file — one file created per
   * entry instead of two (a claim and a temporary), which on a journalling disk halves the
   * kernel's work per judge call. The entry carries the writer's pid and host, so a claim left
   * half-published by a killed process is still recognised as stale.
   */
  private store(key: string, value: object, claim: string | null): void {
    const serialised = JSON.stringify(value);
    const scrubbed = redact(serialised);
    const clean = scrubbed === serialised ? value : (JSON.parse(scrubbed) as object);
    this.memory.set(key, clean);
    if (this.diskProblem || !this.ensureSubdir(key)) {
      if (claim) releaseLock(claim);
      return;
    }
    const path = this.pathOf(key);
    const file = claim ?? `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      // the value's JSON is already at hand (scrubbed): the entry is built around it, not re-serialised
      const checksum = sha256(canonicalJson(clean));
      writeFileSync(
        file,
        `{"key":${JSON.stringify(key)},"checksum":"${checksum}","value":${scrubbed},"pid":${OWNER.pid},"host":${JSON.stringify(OWNER.host)}}`,
      );
      renameSync(file, path);
      if (claim) forgetLock(claim);
    } catch (err) {
      if (claim) releaseLock(claim);
      else rmSync(file, { force: true });
      this.disableDisk(err);
    }
  }

  /**
   * The cached value for `key`, or the one `compute` makes. A miss is claimed first, so that a
   * second process (or a second call in this one) asking for the same key waits for this answer
   * instead of paying for its own. `compute` says whether its value may be cached (provider
   * errors and interruptions may not: a re-run retries them). Waiting is bounded: after
   * `maxWaitMs`, or when the claimant dies (its pid is gone), the waiter computes itself.
   */
  async getOrCompute<T extends object>(
    key: string,
    compute: () => Promise<{ value: T; cacheable: boolean }>,
    signal?: AbortSignal,
  ): Promise<{ value: T; cached: boolean }> {
    const hit = await this.get<T>(key);
    if (hit) return { value: hit, cached: true };
    const running = this.inflight.get(key) as Promise<{ value: T; cacheable: boolean }> | undefined;
    if (running) {
      const r = await running;
      if (r.cacheable) return { value: r.value, cached: true };
    }
    const deadline = Date.now() + this.options.maxWaitMs;
    let delay = 25;
    for (;;) {
      const claim = this.claim(key);
      if (claim !== 'held-elsewhere') {
        // the answer may have been published between the miss above and this claim (its writer
        // renames the claim into the entry): look again before paying
        if (claim) {
          const published = await this.get<T>(key);
          if (published) {
            releaseLock(claim);
            return { value: published, cached: true };
          }
        }
        const work = compute();
        this.inflight.set(key, work);
        let published = false;
        try {
          const r = await work;
          if (r.cacheable) {
            // the claim file becomes the entry (see store)
            this.store(key, r.value, claim);
            published = true;
          }
          return { value: r.value, cached: false };
        } finally {
          this.inflight.delete(key);
          if (claim && !published) releaseLock(claim);
        }
      }
      // another process is paying for this key: wait for its answer
      if (signal?.aborted || Date.now() > deadline) {
        const r = await compute();
        if (r.cacheable) await this.set(key, r.value);
        return { value: r.value, cached: false };
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(500, delay * 2);
      const answer = await this.get<T>(key);
      if (answer) return { value: answer, cached: true };
    }
  }

  /** The claim file's path when this process holds it, null when claims are off, or 'held-elsewhere'. */
  private claim(key: string): string | null | 'held-elsewhere' {
    if (this.diskProblem || !this.ensureSubdir(key)) return null;
    const path = `${this.pathOf(key)}.claim`;
    try {
      return tryLock(path, this.options.staleClaimMs) ? path : 'held-elsewhere';
    } catch (err) {
      this.disableDisk(err);
      return null;
    }
  }
}
