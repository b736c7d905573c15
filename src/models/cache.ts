import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { canonicalJson, sha256 } from '../core/canonical.js';
import { redact } from '../core/secrets.js';
import { warn } from '../core/warnings.js';
import { describeIoError } from '../io/errors.js';
import { LOCK_OWNER as OWNER } from '../io/lock.js';
import {
  answerChecksum,
  CacheBucket,
  CLAIM_HEARTBEAT_MS,
  type ClaimRecord,
  checkedValueText,
  claimHolds,
} from './cache-log.js';
import { describeOwner, enterCache, leaveCache } from './cache-users.js';

export interface CacheOptions {
  /** How long to wait for another process's answer to a key it has claimed (default 15 min). */
  maxWaitMs?: number;
  /** A claim older than this is void, whoever made it (default 15 min). */
  staleClaimMs?: number;
  /** Where the one-line warning goes when the disk cannot be written (default: core/warnings.ts). */
  warn?: (message: string) => void;
  /** How long to wait for a compaction of the folder to end before going on in memory (default 10 min). */
  compactionWaitMs?: number;
}

/**
 * The judge cache: an in-memory LRU (lru-cache) in front of 256 append-only bucket files under
 * `<dir>/log/` (see cache-log.ts), a key going to the bucket its first two hex digits name. A
 * bucket is read once per process, when a key of it is first asked for (12 bytes of index an
 * answer); 256 buckets keep the files few (each costs the kernel ~0.5 ms to create on a
 * journalling disk) while a run of a few items reads only the buckets its keys fall in.
 *
 * Why not one file per entry (plumb 0.1): creating a file, claiming it and renaming it into place
 * cost the kernel 0.3–0.5 ms per judge call on a journalling disk — a third of plumb's CPU per
 * item — and left a 10^6-item run with 10^6 files to back up and delete. An append is a few
 * microseconds; the cache of a million answers is 256 files.
 *
 * Each answer stores its own key and a checksum of the key with its value's text; one that fails
 * the check (a torn disk, a hand edit of the value or of the key, which would serve one item's
 * answer for another) is never served — the key is computed again and the new answer appended.
 * Values are scrubbed of secrets before they reach the disk.
 *
 * Two processes sharing a cache folder do not pay twice. A process that misses a key appends a
 * claim to the key's bucket and reads the bucket back: the first claim in the file (every process
 * sees the same order) whose owner is alive is the one that pays; the others wait for its answer.
 * A claim is void when its process has died (same host), when it is older than `staleClaimMs`,
 * or when its owner releases it (an answer that may not be cached). Waiting is bounded by
 * `maxWaitMs`, after which the waiter computes itself.
 *
 * A cache that cannot be written (read-only, full) is not a reason to lose paid results: the run
 * goes on with the memory cache alone, after one warning. The file calls are synchronous on
 * purpose: they are small, on local disk, and the promise-based fs API costs several times more
 * CPU per call (bench/run.mjs).
 */
export class JudgeCache {
  private readonly memory = new LRUCache<string, object>({ max: 2_000 });
  private readonly buckets = new Map<string, CacheBucket>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private diskProblem: string | null = null;
  private logDirMade = false;
  /** This cache's registration as a user of the folder (cache-users.ts), while it has buckets open. */
  private registration: string | null = null;
  private entered = false;
  private readonly ref = new WeakRef(this);
  private readonly options: Required<CacheOptions>;

  constructor(
    readonly dir: string,
    options: CacheOptions = {},
  ) {
    openCaches.register(this, { buckets: this.buckets, ref: this.ref }, this);
    liveCaches.add(this.ref);
    closeAtExit();
    this.options = {
      maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
      staleClaimMs: options.staleClaimMs ?? 15 * 60_000,
      warn: options.warn ?? warn,
      compactionWaitMs: options.compactionWaitMs ?? 10 * 60_000,
    };
  }

  /**
   * The key: a hash of everything that changes the answer — and nothing else (never an API key).
   * Parts are serialised in a canonical form, so the order they are given in does not matter.
   */
  static key(parts: Record<string, unknown>): string {
    return sha256(canonicalJson(parts));
  }

  /**
   * Writes the index of each bucket read (cache-index.ts) and closes the bucket files this cache
   * keeps open (up to 256), then ends its registration as a user of the folder. Each CLI command
   * closes its caches when it ends, and every cache still open is closed when the process exits;
   * one dropped without close() has its files closed when it is garbage-collected. A cache used
   * again after close() opens what it needs again.
   */
  close(): void {
    for (const bucket of this.buckets.values()) bucket.persist();
    closeBuckets(this.buckets);
    leaveCache(this.registration);
    this.registration = null;
    this.entered = false;
  }

  /**
   * Registers this cache as a user of its folder before it opens a bucket, so that no compaction
   * replaces a file it has open; waits while one runs, and goes on in memory if it does not end
   * in time (cache-users.ts).
   */
  private enter(): void {
    if (this.entered) return;
    this.entered = true;
    const { registration, busy } = enterCache(this.dir, this.options.compactionWaitMs);
    this.registration = registration;
    if (busy) this.disableDisk(`it is being compacted by ${describeOwner(busy)}`);
  }

  /** Why the disk is not used (null while it is). */
  get diskDisabled(): string | null {
    return this.diskProblem;
  }

  private disableDisk(err: unknown): void {
    if (this.diskProblem) return;
    this.diskProblem = typeof err === 'string' ? err : describeIoError(err);
    this.options.warn(
      `cannot write the cache at ${this.dir} (${this.diskProblem}); continuing with an in-memory cache — ` +
        'results of this run reach the output, but a re-run will not find them',
    );
  }

  /** The key's bucket, read from disk the first time it is asked for. */
  private bucketOf(key: string): CacheBucket {
    const name = key.slice(0, 2);
    let bucket = this.buckets.get(name);
    if (!bucket) {
      this.enter();
      bucket = new CacheBucket(join(this.dir, 'log', `${name}.jsonl`));
      this.refresh(bucket);
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private refresh(bucket: CacheBucket): void {
    try {
      bucket.refresh();
    } catch {
      // unreadable: what it holds is not served, and a write will say why
    }
  }

  /** The key's answer in its bucket (newest first), checked, or undefined. */
  private readAnswer<T>(bucket: CacheBucket, key: string): T | undefined {
    for (const offset of bucket.candidates(key)) {
      let line: string | null;
      try {
        line = bucket.lineAt(offset);
      } catch {
        line = null; // unreadable: not served
      }
      const value = line === null ? undefined : checkedValue<T>(line, key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private lookup<T extends object>(bucket: CacheBucket, key: string): T | undefined {
    const hit = this.memory.get(key) as T | undefined;
    if (hit) return hit;
    const found = this.readAnswer<T>(bucket, key);
    if (found) this.memory.set(key, found);
    return found;
  }

  async get<T extends object>(name: string): Promise<T | undefined> {
    const key = storageKey(name);
    const hit = this.memory.get(key) as T | undefined;
    if (hit) return hit;
    const bucket = this.bucketOf(key);
    this.refresh(bucket);
    return this.lookup<T>(bucket, key);
  }

  async set(name: string, value: object): Promise<void> {
    const key = storageKey(name);
    this.publish(this.bucketOf(key), key, value);
  }

  /** Appends one record to a bucket; false (after one warning) when the disk cannot take it. */
  private append(bucket: CacheBucket, record: string): boolean {
    this.enter();
    if (this.diskProblem) return false;
    try {
      if (!this.logDirMade) {
        mkdirSync(join(this.dir, 'log'), { recursive: true });
        this.logDirMade = true;
      }
      bucket.append(`\n${record}\n`);
      return true;
    } catch (err) {
      this.disableDisk(err);
      return false;
    }
  }

  /** Keeps an answer in memory and appends it to its bucket, scrubbed of secrets. */
  private publish(bucket: CacheBucket, key: string, value: object): void {
    const serialised = JSON.stringify(value);
    const scrubbed = redact(serialised);
    const clean = scrubbed === serialised ? value : (JSON.parse(scrubbed) as object);
    this.memory.set(key, clean);
    // the checksum is of the value's text as stored (already at hand, scrubbed), not of a
    // canonical re-serialisation: sorting keys at every depth cost more than the append itself
    const checksum = answerChecksum(key, scrubbed);
    this.append(
      bucket,
      `{"key":${JSON.stringify(key)},"checksum":"${checksum}","value":${scrubbed},"pid":${OWNER.pid},"host":${JSON.stringify(OWNER.host)}}`,
    );
  }

  private note(
    bucket: CacheBucket,
    kind: 'claim' | 'release',
    key: string,
    batch?: { run: string; until?: number },
  ): boolean {
    const t = kind === 'claim' ? `,"t":${Date.now()}` : '';
    const run = batch ? `,"run":${JSON.stringify(batch.run)}` : '';
    const until = batch?.until !== undefined ? `,"until":${Math.round(batch.until)}` : '';
    return this.append(
      bucket,
      `{"${kind}":${JSON.stringify(key)},"pid":${OWNER.pid},"host":${JSON.stringify(OWNER.host)}${t}${run}${until}}`,
    );
  }

  private holds(c: ClaimRecord, now: number): boolean {
    return claimHolds(c, now, this.options.staleClaimMs);
  }

  /**
   * Who pays for the key now: the first owner in the file (a process, or a batch run with all its
   * processes) any of whose claims on the key still holds — so a batch run that extends its claim
   * when it submits keeps the place its first claim took.
   */
  private payer(bucket: CacheBucket, key: string, run?: string): ClaimRecord | undefined {
    const now = Date.now();
    const claims = bucket.claims.get(key) ?? [];
    const owner = (c: ClaimRecord) => c.run ?? `${c.pid}@${c.host}`;
    const live = new Set(claims.filter((c) => this.isOurs(c, run) || this.holds(c, now)).map(owner));
    return claims.find((c) => live.has(owner(c)));
  }

  private isOurs(c: ClaimRecord, run?: string): boolean {
    return run !== undefined && c.run !== undefined ? c.run === run : isOurs(c);
  }

  /**
   * A batch run's claim on a key it could not answer from the cache (`--batch` collecting its
   * requests): the same claim a synchronous call makes, so two runs sharing a cache — batch or not
   * — pay for a key once. `until` is how long the claim holds without its process (the batch run
   * extends it when the request goes to the provider, whose batch outlives the process).
   * Returns whether the key is already answered, this run pays for it, or another run does.
   */
  claimForBatch(name: string, run: string, until: number): 'answered' | 'ours' | 'theirs' {
    const key = storageKey(name);
    const bucket = this.bucketOf(key);
    if (this.lookup(bucket, key)) return 'answered';
    if (!this.note(bucket, 'claim', key, { run, until })) return 'ours'; // no disk: nobody else to ask
    this.refresh(bucket);
    if (this.readAnswer(bucket, key)) return 'answered';
    const payer = this.payer(bucket, key, run);
    return !payer || this.isOurs(payer, run) ? 'ours' : 'theirs';
  }

  /** Keeps a batch run's claims holding while its batch runs at the provider (up to its window). */
  extendBatchClaims(names: Iterable<string>, run: string, until: number): void {
    for (const name of names) {
      const key = storageKey(name);
      this.note(this.bucketOf(key), 'claim', key, { run, until });
    }
  }

  /** Ends a batch run's claim on a key it will not answer (failed beyond retries, never sent). */
  releaseBatchClaim(name: string, run: string): void {
    const key = storageKey(name);
    this.note(this.bucketOf(key), 'release', key, { run });
  }

  /**
   * For a batch run waiting on keys another run claimed: 'answered', 'waiting' while the other
   * run's claim holds, or 'lapsed' when it no longer does (the run may pay for the key itself).
   */
  awaitClaim(name: string, run: string): 'answered' | 'waiting' | 'lapsed' {
    const key = storageKey(name);
    const bucket = this.bucketOf(key);
    this.refresh(bucket);
    if (this.lookup(bucket, key)) return 'answered';
    const payer = this.payer(bucket, key, run);
    return payer && !this.isOurs(payer, run) ? 'waiting' : 'lapsed';
  }

  /**
   * The cached value for `key`, or the one `compute` makes. A miss is claimed first, so that a
   * second process (or a second call in this one) asking for the same key waits for this answer
   * instead of paying for its own. `compute` says whether its value may be cached (provider
   * errors and interruptions may not: a re-run retries them). Waiting is bounded: after
   * `maxWaitMs`, or when the claimant dies, the waiter computes itself.
   */
  async getOrCompute<T extends object>(
    name: string,
    compute: () => Promise<{ value: T; cacheable: boolean }>,
    signal?: AbortSignal,
  ): Promise<{ value: T; cached: boolean }> {
    const key = storageKey(name);
    const bucket = this.bucketOf(key);
    const hit = this.lookup<T>(bucket, key);
    if (hit) return { value: hit, cached: true };
    const running = this.inflight.get(key) as Promise<{ value: T; cacheable: boolean }> | undefined;
    if (running) {
      const r = await running;
      if (r.cacheable) return { value: r.value, cached: true };
    }
    const claimed = this.note(bucket, 'claim', key);
    const deadline = Date.now() + this.options.maxWaitMs;
    let delay = 25;
    for (;;) {
      if (claimed) {
        this.refresh(bucket);
        const published = this.readAnswer<T>(bucket, key);
        if (published) {
          // answered between the miss and the claim: the answer ends every claim, ours included
          this.memory.set(key, published);
          return { value: published, cached: true };
        }
      }
      const payer = claimed ? this.payer(bucket, key) : undefined;
      if (!payer || isOurs(payer) || signal?.aborted || Date.now() > deadline) {
        const work = compute();
        this.inflight.set(key, work);
        let answered = false;
        // renew the claim while the call runs, so processes on other hosts see it is still alive
        const heartbeat = claimed
          ? setInterval(() => this.note(bucket, 'claim', key), CLAIM_HEARTBEAT_MS)
          : null;
        heartbeat?.unref();
        try {
          const r = await work;
          if (r.cacheable) {
            this.publish(bucket, key, r.value);
            answered = true;
          }
          return { value: r.value, cached: false };
        } finally {
          if (heartbeat) clearInterval(heartbeat);
          this.inflight.delete(key);
          if (claimed && !answered) this.note(bucket, 'release', key);
        }
      }
      // another process is paying for this key: wait for its answer
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(500, delay * 2);
    }
  }
}

/**
 * Keys are 64 hex digits (JudgeCache.key): records are indexed by their fixed-width prefix. Any
 * other name a caller keys a value by (a batch export's notes) is stored under its hash.
 */
function storageKey(name: string): string {
  return /^[0-9a-f]{64}$/.test(name) ? name : sha256(name);
}

function closeBuckets(buckets: Map<string, CacheBucket>): void {
  for (const bucket of buckets.values()) bucket.close();
  buckets.clear();
}

/** Caches a library user dropped without close(): their descriptors are closed when they are collected. */
const openCaches = new FinalizationRegistry<{ buckets: Map<string, CacheBucket>; ref: WeakRef<JudgeCache> }>(
  ({ buckets, ref }) => {
    closeBuckets(buckets);
    liveCaches.delete(ref);
  },
);

/** Every cache not yet collected, for closeOpenCaches (weakly: holding one must not keep it alive). */
const liveCaches = new Set<WeakRef<JudgeCache>>();

/**
 * Closes every cache of this process (their indexes written, their registrations ended): what the
 * CLI does when a command ends, and what happens at exit to those a program left open.
 */
export function closeOpenCaches(): void {
  for (const ref of liveCaches) ref.deref()?.close();
}

let exitHook = false;
function closeAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', closeOpenCaches);
}

function isOurs(c: ClaimRecord): boolean {
  return c.pid === OWNER.pid && c.host === OWNER.host;
}

/** The value of an answer line if it is for `key` and its checksum (of the key and the value's text) holds. */
function checkedValue<T>(line: string, key: string): T | undefined {
  try {
    const text = checkedValueText(line, key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}
