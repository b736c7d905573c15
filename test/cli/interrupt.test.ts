import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/models/rate-limit.js';
import { CLI, ROOT, readJsonlFile, runCli, tempDir } from '../helpers/cli.js';
import { good } from '../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('Ctrl-C', () => {
  it('flushes what is done to .partial, exits 130, and a re-run resumes from the cache', async () => {
    server = await startFakeProvider('openai', good, { latencyMs: 100 });
    const dir = tempDir();
    const out = join(dir, 'o.jsonl');
    const env = {
      PATH: process.env.PATH ?? '',
      OPENAI_API_KEY: 'sk-test-interrupt',
      OPENAI_BASE_URL: server.url,
      CI: 'true',
    };
    const args = [
      'score',
      '--rubric',
      'aai',
      '--input',
      FIXTURE,
      '--judge',
      'openai:gpt-4.1-mini',
      '--out',
      out,
      '--cache-dir',
      join(dir, 'cache'),
      '--concurrency',
      '4',
    ];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // interrupt once some, but not all, items are done
    const deadline = Date.now() + 20_000;
    while (server.requests.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    expect(existsSync(out)).toBe(false);
    const kept = readJsonlFile(readFileSync(`${out}.partial`, 'utf8'));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(120);
    expect(kept.every((l) => l.scores)).toBe(true); // nothing half-done was written as unscored
    const sentBefore = server.requests.length;

    const rerun = await runCli(args, {
      env: { OPENAI_API_KEY: 'sk-test-interrupt', OPENAI_BASE_URL: server.url },
    });
    expect(rerun.code).toBe(0);
    expect(readJsonlFile(readFileSync(out, 'utf8'))).toHaveLength(120);
    // the kept items came from the cache: at most the aborted in-flight ones are asked again
    expect(server.requests.length - sentBefore).toBeLessThanOrEqual(120 - kept.length + 4);
  });
});

describe('requests-per-minute and tokens-per-minute limits', () => {
  it('holds requests beyond the window limit until the window moves on', async () => {
    const limiter = new RateLimiter(3, undefined, 300);
    const t0 = Date.now();
    const at: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () => limiter.acquire(1).then(() => at.push(Date.now() - t0))),
    );
    at.sort((a, b) => a - b);
    expect(at.slice(0, 3).every((t) => t < 100)).toBe(true);
    expect(at[3]).toBeGreaterThanOrEqual(290);
  });

  it('weighs requests by tokens', async () => {
    const limiter = new RateLimiter(undefined, 1000, 300);
    const t0 = Date.now();
    await limiter.acquire(600);
    await limiter.acquire(300);
    expect(Date.now() - t0).toBeLessThan(100);
    await limiter.acquire(200); // 1100 > 1000 within the window: waits
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});
