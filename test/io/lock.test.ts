import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processAlive, tryLock } from '../../src/io/lock.js';
import { tempDir, waitFor } from '../helpers/cli.js';

/**
 * A process killed but not reaped (a zombie) is a dead writer (#23 item 22): here a background
 * `sleep` whose parent `exec`s into another `sleep`, which never waits for it, is killed.
 */
async function zombie(): Promise<{ pid: number; done: () => void }> {
  const parent = spawn('/bin/sh', ['-c', 'sleep 60 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  parent.stdout.on('data', (d) => {
    out += d;
  });
  await waitFor(() => /\d+\n/.test(out), 10_000, 'the background pid');
  const pid = Number(out.trim());
  process.kill(pid, 'SIGKILL');
  await waitFor(
    () => {
      try {
        process.kill(pid, 0); // a zombie still answers signal 0
        return !processAlive(pid);
      } catch {
        return false;
      }
    },
    10_000,
    'the child to become a zombie',
  );
  return { pid, done: () => parent.kill('SIGKILL') };
}

describe('locks and dead writers', () => {
  it('a zombie counts as dead, so its lock is reclaimed at once', async () => {
    const z = await zombie();
    try {
      expect(processAlive(z.pid)).toBe(false);
      const lock = join(tempDir(), 'out.jsonl.lock');
      writeFileSync(lock, JSON.stringify({ pid: z.pid, host: hostname(), started_at: 'earlier' }));
      expect(tryLock(lock)).toBe(true);
    } finally {
      z.done();
    }
  });

  it('a live process counts as alive', () => {
    expect(processAlive(process.pid)).toBe(true);
  });
});
