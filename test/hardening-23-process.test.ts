import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJsonlFile, runCli, tempDir, writeJsonl } from './helpers/cli.js';
import { type FakeServer, startFakeProvider } from './support/fake-provider.js';

/**
 * Issue 23's remaining items that need the CLI as a child process (stdin from a pipe, a port held
 * by another process). Each test failed before its fix.
 */
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
let dir: string;
beforeAll(() => {
  dir = tempDir();
});

describe('pairwise --input - from a pipe (item 15)', () => {
  it('judges every pair, although the pairs are read twice (checked, then judged)', async () => {
    const server = await startFakeProvider('openai', () => ({
      reply: { rationale: 'compared', verdict: 'A' },
    }));
    servers.push(server);
    const pairs = Array.from({ length: 5 }, (_, i) => ({
      id: `p${i}`,
      prompt: `question ${i}`,
      response_a: `first ${i}`,
      response_b: `second ${i}`,
    }));
    const file = writeJsonl(join(dir, 'pairs.jsonl'), pairs);
    const out = join(dir, 'piped.pairwise.jsonl');
    const r = await runCli(
      [
        'pairwise',
        '--rubric',
        'preference',
        '--input',
        '-',
        '--judge',
        'openai:gpt-4.1-mini',
        '--out',
        out,
        '--json',
      ],
      {
        stdin: readFileSync(file, 'utf8'),
        spawn: true,
        env: { OPENAI_API_KEY: 'sk-test-PIPE0123456789', OPENAI_BASE_URL: server.url },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).n).toMatchObject({ total: 5, judged: 5 });
    expect(readJsonlFile(readFileSync(out, 'utf8'))).toHaveLength(5);
    expect(server.requests).toHaveLength(10); // both orders
    // a line that is wrong is named as stdin, not as a spooled copy
    const bad = await runCli(['pairwise', '--rubric', 'preference', '--input', '-', '--judge', 'lexicon'], {
      stdin: '{"id": "x", "prompt": "q", "response_a": "a"}\n',
      spawn: true,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/stdin:1: missing "response_b"/);
  });
});
