import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scoreArgs, tempDir, writeJsonl } from './helpers/cli.js';
import { good } from './helpers/judge-scripts.js';
import { type FakeServer, type RecordedRequest, startFakeProvider } from './support/fake-provider.js';

/**
 * The rest of issue 23 (items 5, 7, 8, 10, 15, 17, 18, 20 and --base-url everywhere), through the
 * CLI in-process with fake provider servers on 127.0.0.1. Each test failed before its fix.
 */
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
async function serve() {
  const s = await startFakeProvider('openai', good);
  servers.push(s);
  return s;
}
const openaiEnv = (s: FakeServer, extra: Record<string, string> = {}) => ({
  OPENAI_API_KEY: 'sk-test-HARDEN0123456789',
  OPENAI_BASE_URL: s.url,
  ...extra,
});
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i}`, prompt: `question ${i}`, response: `answer ${i}.` }));
const userOf = (req: RecordedRequest) =>
  (req.body.messages as { role: string; content: string }[])[1]!.content;

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

describe('a pinned nonce (item 10)', () => {
  const PIN = '0123456789abcdef0123456789abcdef';
  it('--nonce and PLUMB_NONCE send the same bytes run after run; another nonce still replays the cache', async () => {
    const server = await serve();
    const input = writeJsonl(join(dir, 'nonce.in.jsonl'), items(3));
    const judge = ['--judge', 'openai:gpt-4.1-mini'];
    const run = (out: string, extra: string[], env: Record<string, string> = {}) =>
      runCli(scoreArgs(input, join(dir, out), ...judge, ...extra), { env: openaiEnv(server, env) });
    expect((await run('a.jsonl', ['--no-cache', '--nonce', PIN])).code).toBe(0);
    expect((await run('b.jsonl', ['--no-cache'], { PLUMB_NONCE: PIN })).code).toBe(0);
    expect((await run('c.jsonl', ['--no-cache', '--nonce', 'fedcba9876543210'])).code).toBe(0);
    const sent = server.requests.map(userOf);
    expect(sent).toHaveLength(9);
    const byRun = [sent.slice(0, 3).sort(), sent.slice(3, 6).sort(), sent.slice(6).sort()];
    expect(byRun[1]).toEqual(byRun[0]); // the same nonce: byte-identical requests
    expect(byRun[2]).not.toEqual(byRun[0]);
    // the cache: a run with one nonce, then another nonce, pays once
    const cache = ['--cache-dir', join(dir, 'nonce-cache')];
    expect((await run('d.jsonl', [...cache, '--nonce', PIN])).code).toBe(0);
    expect((await run('e.jsonl', [...cache, '--nonce', 'fedcba9876543210'])).code).toBe(0);
    expect((await run('f.jsonl', cache)).code).toBe(0);
    expect(server.requests).toHaveLength(12);
  });

  it('a nonce out of range is a usage error naming its source', async () => {
    const input = writeJsonl(join(dir, 'nonce-bad.in.jsonl'), items(1));
    const short = await runCli(scoreArgs(input, join(dir, 'bad.jsonl'), '--nonce', 'abc123'));
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--nonce must be 16 to 64 hex digits/);
    const notHex = await runCli(scoreArgs(input, join(dir, 'bad.jsonl'), '--nonce', 'z'.repeat(32)));
    expect(notHex.code).toBe(2);
    const long = await runCli(scoreArgs(input, join(dir, 'bad.jsonl'), '--nonce', 'a'.repeat(65)));
    expect(long.code).toBe(2);
    const env = await runCli(scoreArgs(input, join(dir, 'bad.jsonl')), { env: { PLUMB_NONCE: 'xyz' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/PLUMB_NONCE must be 16 to 64 hex digits/);
  });
});
