import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRatingServer } from '../../src/rate/server.js';
import { readSheet } from '../../src/rate/sheet.js';
import { resolveRubric } from '../../src/rubrics/load.js';
import { readJsonlFile, runCli, scoreFixture, tempDir, writeJsonl } from '../helpers/cli.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

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

/** Mounts a tmpfs of `kb` KiB (root, Linux); null where this machine does not allow it. */
function tinyDisk(kb: number): string | null {
  const at = join(dir, `tiny-${kb}`);
  mkdirSync(at, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', at], { stdio: 'ignore' });
    return at;
  } catch {
    return null;
  }
}

describe('plumb rate on a full disk (item 20)', () => {
  it('a rating that does not fit gets an error on the page; the server lives on and the file stays whole', async (ctx) => {
    const disk = tinyDisk(8);
    if (!disk) {
      process.stderr.write('skipped: cannot mount a tmpfs here (needs root on Linux)\n');
      ctx.skip();
      return;
    }
    try {
      const scores = await scoreFixture(dir);
      const sheet = join(dir, 'sheet');
      expect((await runCli(['gold', 'sample', '--scores', scores, '--n', '4', '--out', sheet])).code).toBe(0);
      const items = await readSheet(`${sheet}.jsonl`);
      const rubric = await resolveRubric('eii');
      const ratingsFile = join(disk, 'full.ratings.jsonl');
      const server = await startRatingServer({ items, rubric, rater: 'ana', ratingsFile });
      const post = (body: unknown) =>
        fetch(new URL('/api/rate', server.url).href + new URL(server.url).search, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      try {
        const item = items[0]!;
        const rating = { rater: 'ana', id: item.id, criterion: item.criteria[0], value: rubric.scale.min };
        expect((await post(rating)).status).toBe(200);
        // fill the disk to within a few bytes
        const filler = join(disk, 'filler');
        writeFileSync(filler, '');
        try {
          for (;;) writeFileSync(filler, Buffer.alloc(512), { flag: 'a' });
        } catch {}
        let refused: Response | null = null;
        for (let i = 0; i < 50 && !refused; i++) {
          const r = await post(rating);
          if (r.status !== 200) refused = r;
        }
        expect(refused, 'a rating was refused once the disk was full').not.toBeNull();
        const answer = (await refused!.json()) as { error: string };
        expect(answer.error).toMatch(/full\.ratings\.jsonl: cannot save .*ENOSPC/);
        // alive: the session still answers; every line kept parses (no torn line)
        const session = await fetch(new URL('/api/session', server.url).href + new URL(server.url).search);
        expect(session.status).toBe(200);
        const kept = readFileSync(ratingsFile, 'utf8');
        expect(kept.endsWith('\n')).toBe(true);
        for (const line of kept.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
        // room again: the next rating is saved and follows the others cleanly
        rmSync(filler);
        expect((await post(rating)).status).toBe(200);
        const after = readFileSync(ratingsFile, 'utf8').trim().split('\n');
        for (const line of after) expect(() => JSON.parse(line)).not.toThrow();
      } finally {
        await server.close();
      }
    } finally {
      execFileSync('umount', [disk]);
      if (existsSync(disk)) rmSync(disk, { recursive: true, force: true });
    }
  });
});
