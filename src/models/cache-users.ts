import { existsSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { outputError } from '../io/errors.js';
import { LOCK_OWNER, type LockOwner, lockIsStale, readLockOwner, releaseLock, tryLock } from '../io/lock.js';

/**
 * Who uses a cache folder, so that compaction never replaces a bucket file a process has open (it
 * would go on appending to the unlinked file and lose the answers it paid for).
 *
 * Each JudgeCache that opens buckets registers itself: a lock file of its own under
 * `<dir>/users/` (io/lock.ts: pid, host, start), removed when it closes or its process exits.
 * Compaction takes `<dir>/compact.lock`, then lists the users; any live one and it refuses. A
 * user registers, then looks for the compaction lock; if it is held, it steps back and waits.
 * Each side writes its own file before it reads the other's, so at least one of two that start
 * together sees the other — both may step back, never both go on. A registration left by a
 * crashed process on this host is reclaimed (its pid is dead, as for io/lock.ts's locks); one from
 * another host cannot be checked and counts as live for REMOTE_USER_MS.
 */
const USERS = 'users';
const COMPACT_LOCK = 'compact.lock';
/** A registration or compaction lock from another host is trusted this long. */
const REMOTE_USER_MS = 24 * 3600_000;

let registrations = 0;

/** How the messages name a process. */
export function describeOwner(owner: LockOwner | null): string {
  if (!owner) return 'a plumb process (its lock file is being written)';
  if (owner.pid === LOCK_OWNER.pid && owner.host === LOCK_OWNER.host) return 'this process';
  return `plumb process ${owner.pid} on ${owner.host} (since ${owner.started_at})`;
}

/** This cache user's registration file, or null when the folder cannot take one (read-only). */
function register(dir: string): string | null {
  const host = LOCK_OWNER.host.replace(/[^\w.-]/g, '_');
  registrations += 1;
  const path = join(dir, USERS, `${host}-${LOCK_OWNER.pid}-${registrations}.lock`);
  try {
    mkdirSync(join(dir, USERS), { recursive: true });
    return tryLock(path) ? path : null;
  } catch {
    // a cache that cannot be written cannot be compacted by this user either, and a reader of
    // a replaced file still reads the old one whole: nothing to guard
    return null;
  }
}

/** Who holds the compaction lock, if a live process does. */
function compactor(dir: string): LockOwner | null {
  const path = join(dir, COMPACT_LOCK);
  if (!existsSync(path) || lockIsStale(path, REMOTE_USER_MS)) return null;
  return readLockOwner(path) ?? { pid: 0, host: '?', started_at: '?' };
}

/** Sleeps without returning to the event loop: the cache's calls are synchronous (cache.ts). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Registers a process about to open buckets. While a compaction holds the folder, waits (up to
 * `waitMs`) for it to end; `busy` names the compactor when it did not end in time.
 */
export function enterCache(
  dir: string,
  waitMs: number,
): { registration: string | null; busy: LockOwner | null } {
  const deadline = Date.now() + waitMs;
  for (let delay = 20; ; delay = Math.min(1_000, delay * 2)) {
    const registration = register(dir);
    const holder = compactor(dir);
    if (!holder) return { registration, busy: null };
    if (registration) releaseLock(registration);
    const left = deadline - Date.now();
    if (left <= 0) return { registration: null, busy: holder };
    sleepSync(Math.min(delay, left));
  }
}

export function leaveCache(registration: string | null): void {
  if (registration) releaseLock(registration);
}

/** The live users of a cache folder; registrations of dead processes are removed on the way. */
export function liveUsers(dir: string): (LockOwner | null)[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, USERS));
  } catch {
    return [];
  }
  const live: (LockOwner | null)[] = [];
  for (const name of names.filter((n) => n.endsWith('.lock'))) {
    const path = join(dir, USERS, name);
    if (lockIsStale(path, REMOTE_USER_MS)) {
      try {
        unlinkSync(path);
      } catch {
        // reclaimed by someone else already
      }
    } else live.push(readLockOwner(path));
  }
  return live;
}

/**
 * Takes the folder for compaction: its lock, then a check that no live process uses the cache.
 * Refuses (UsageError, exit 2) naming the compactor or a live user. Returns the release.
 */
export function lockForCompaction(dir: string): () => void {
  const path = join(dir, COMPACT_LOCK);
  let got: boolean;
  try {
    got = tryLock(path, REMOTE_USER_MS);
  } catch (err) {
    throw outputError(path, err, 'cannot take the compaction lock');
  }
  if (!got)
    throw new UsageError(
      `the cache at ${dir} is being compacted by ${describeOwner(readLockOwner(path))}: wait for it to finish`,
    );
  const users = liveUsers(dir);
  if (users.length) {
    releaseLock(path);
    const others = users.length > 1 ? ` and ${users.length - 1} other user(s)` : '';
    throw new UsageError(
      `the cache at ${dir} is in use by ${describeOwner(users[0]!)}${others}: compacting it now would make ` +
        'that run append to a replaced file and lose answers it paid for. Run `plumb cache compact` when ' +
        `no plumb run uses this cache (a registration under ${join(dir, USERS)} left by a crashed process on ` +
        'this host is cleared by itself; one from another host after 24 hours)',
    );
  }
  return () => releaseLock(path);
}
