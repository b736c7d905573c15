import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Lock files: `<path>.lock` created exclusively, holding the owner's pid and host. A lock whose
 * owner is a dead process on this host is stale and is reclaimed (kill -9 leaves one behind); a
 * lock from another host is trusted until it is older than `staleMs`, since its pid cannot be
 * checked from here. Output locks (one writer per output file) and the probe's run folder use them.
 */
export interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
}

const HOST = hostname();

/** This process as a lock's owner names it: what makes a lock (or a cache entry) left by it recognisable. */
export const LOCK_OWNER = { pid: process.pid, host: HOST };

/** Whether a process with this pid exists on this host (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
    // EPERM: it exists, owned by someone else — alive unless it is a zombie (below)
  }
  return !isZombie(pid);
}

/**
 * A process killed but not yet reaped is a zombie: `kill(pid, 0)` still finds it — for a moment
 * after kill -9, and for good in a container without an init process — but it will never write
 * again. On Linux its state in /proc/<pid>/stat is `Z`; elsewhere there is no such file and this
 * says no.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command name, which may hold spaces and parentheses) state …": the state follows the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export function readLockOwner(lockPath: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockOwner;
  } catch {
    return null; // vanished, or torn while being written: treat as no owner we can name
  }
}

/** True when the lock's owner is gone: a dead pid on this host, or an old lock from elsewhere. */
export function lockIsStale(lockPath: string, staleMs: number): boolean {
  const owner = readLockOwner(lockPath);
  if (owner && owner.host === HOST) return owner.pid !== process.pid && !processAlive(owner.pid);
  try {
    // a live owner's file is unreadable only for the instant it is being written: one still torn
    // after seconds was left by a process killed mid-write
    const age = Date.now() - statSync(lockPath).mtimeMs;
    return age > (owner ? staleMs : Math.min(staleMs, UNREADABLE_STALE_MS));
  } catch {
    return true; // already gone
  }
}

/** How long a lock file may stay unreadable (torn) before it counts as left by a dead process. */
const UNREADABLE_STALE_MS = 10_000;

const held = new Set<string>();
let exitHookInstalled = false;

/**
 * Tries to create the lock file. Returns true when this process now holds it, false when another
 * live owner does. Stale locks are removed and retried once. Other errors (a read-only folder)
 * are thrown to the caller, which decides whether running unlocked is acceptable.
 */
export function tryLock(lockPath: string, staleMs = 24 * 3600_000): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (attempt === 0 && lockIsStale(lockPath, staleMs)) {
        try {
          unlinkSync(lockPath);
        } catch {
          // someone else reclaimed it first: try again
        }
        continue;
      }
      return false;
    }
    try {
      const owner: LockOwner = { pid: process.pid, host: HOST, started_at: new Date().toISOString() };
      writeSync(fd, JSON.stringify(owner));
    } finally {
      closeSync(fd);
    }
    held.add(lockPath);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // a normal exit, an error exit or Ctrl-C: no lock of ours outlives the process
      process.once('exit', () => {
        for (const p of held) releaseLock(p);
      });
    }
    return true;
  }
  return false;
}

export function releaseLock(lockPath: string): void {
  if (!held.delete(lockPath)) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
