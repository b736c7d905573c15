import { utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseLock, tryLock } from '../../src/io/lock.js';
import { tempDir } from '../helpers/cli.js';

describe('lock files left torn by a killed process', () => {
  it('a torn lock (a kill mid-write) is held while fresh and taken over after a few seconds', () => {
    const dir = tempDir('plumb-lock-');
    const path = join(dir, 'k.json.claim');
    writeFileSync(path, '{"key": "abc", "chec'); // the writer died here
    expect(tryLock(path, 15 * 60_000)).toBe(false);
    const old = new Date(Date.now() - 20_000);
    utimesSync(path, old, old);
    expect(tryLock(path, 15 * 60_000)).toBe(true);
    releaseLock(path);
  });

  it('a readable lock of a live process on this host is never taken over, however old', () => {
    const dir = tempDir('plumb-lock-');
    const path = join(dir, 'live.claim');
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname() }));
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(path, old, old);
    expect(tryLock(path, 1_000)).toBe(false);
  });
});
