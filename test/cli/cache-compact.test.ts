import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ROOT,
  readJsonlFile,
  runCli,
  scoreArgs,
  startCli,
  tempDir,
  waitFor,
  writeJsonl,
} from '../helpers/cli.js';
import { examplesOf, shellWords } from '../helpers/examples.js';
import { good } from '../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

/**
 * `plumb cache compact` (#18) against a real second process: it refuses while a score run (a child
 * process, waiting on a server that never answers) has the cache open, names that process, and
 * goes ahead once it is gone (a kill -9 leaves its registration and claims behind, reclaimed as a
 * dead pid's); after compaction every answer is served as before and a re-run pays for nothing.
 * The compaction run is the example docs/scoring.md shows.
 */
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe('plumb cache compact', () => {
  it('refuses while another process uses the cache; afterwards every answer is served and a re-run pays nothing', async () => {
    const server = await startFakeProvider('openai', good);
    servers.push(server);
    const env = { OPENAI_API_KEY: 'sk-test-COMPACT0123456789', OPENAI_BASE_URL: server.url };
    const cwd = tempDir();
    const input = writeJsonl(
      join(cwd, 'in.jsonl'),
      Array.from({ length: 12 }, (_, i) => ({
        id: `c${i}`,
        prompt: `question ${i}`,
        response: `answer ${i} is a myth.`,
      })),
    );
    const score = (out: string) =>
      runCli(
        scoreArgs(input, join(cwd, out), '--judge', 'openai:gpt-4.1-mini', '--cache-dir', '.plumb-cache'),
        {
          env,
          cwd,
        },
      );
    expect((await score('first.jsonl')).code).toBe(0);
    expect((await score('second.jsonl')).code).toBe(0); // served from the cache: what compaction must keep
    expect(server.requests).toHaveLength(12);

    const [example] = examplesOf(readFileSync(join(ROOT, 'docs', 'scoring.md'), 'utf8')).filter((l) =>
      l.includes('cache compact'),
    );
    expect(example).toBe('npx plumb cache compact --cache-dir .plumb-cache');
    const compact = () => runCli(shellWords(example!).slice(2), { cwd });

    // a second run on the same cache, stuck on a provider that never answers
    const stuck = await startFakeProvider('openai', () => ({ hang: true }));
    servers.push(stuck);
    const other = writeJsonl(join(cwd, 'other.jsonl'), [{ id: 'o1', prompt: 'other', response: 'other' }]);
    const user = startCli(
      [
        ...scoreArgs(other, join(cwd, 'other.out.jsonl'), '--judge', 'openai:gpt-4.1-mini'),
        '--cache-dir',
        '.plumb-cache',
      ],
      { cwd, env: { ...env, OPENAI_BASE_URL: stuck.url } },
    );
    const users = join(cwd, '.plumb-cache', 'users');
    await waitFor(() => stuck.requests.length > 0 && existsSync(users) && readdirSync(users).length > 0);
    const refused = await compact();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`in use by plumb process ${user.child.pid} on `);
    // kill -9: no chance to remove its registration or release its claim; both are a dead pid's
    user.child.kill('SIGKILL');
    await user.done;
    const done = await compact();
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/kept {4}12 answer\(s\), 0 open claim\(s\)/);
    // the first run's 12 claims (answered) and the killed run's claim on o1
    expect(done.stdout).toMatch(/dropped 0 superseded answer\(s\), 0 corrupt line\(s\), 13 closed claim/);
    expect(done.stdout).toMatch(/→/);

    const again = await score('third.jsonl');
    expect(again.code).toBe(0);
    expect(server.requests).toHaveLength(12); // nothing paid twice
    const scores = (f: string) =>
      readJsonlFile(readFileSync(join(cwd, f), 'utf8')).map((l) => [l.id, l.scores, l.cached]);
    expect(scores('third.jsonl')).toEqual(scores('second.jsonl'));
    expect(scores('third.jsonl').every(([, , cached]) => cached === true)).toBe(true);
  });
});
