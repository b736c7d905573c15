import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRatingServer } from '../../src/rate/server.js';
import { readSheet } from '../../src/rate/sheet.js';
import { resolveRubric } from '../../src/rubrics/load.js';
import { runCli, scoreArgs, scoreFixture, tempDir, writeJsonl } from '../helpers/cli.js';
import { good } from '../helpers/judge-scripts.js';
import { type FakeServer, type RecordedRequest, startFakeProvider } from '../support/fake-provider.js';

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

/** A port on 127.0.0.1 held by another program for the test's length. */
async function heldPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

describe('plumb rate and plumb view at start (items 7 and 20)', () => {
  let sheet: string;
  let scores: string;
  beforeAll(async () => {
    scores = await scoreFixture(dir);
    sheet = join(dir, 'sheet');
    const r = await runCli(['gold', 'sample', '--scores', scores, '--n', '4', '--out', sheet]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a --port in use is one line and exit 2, no stack trace (rate and view)', async () => {
    const held = await heldPort();
    try {
      const rate = await runCli(['rate', `${sheet}.jsonl`, '--rater', 'ana', '--port', String(held.port)]);
      expect(rate.code).toBe(2);
      expect(rate.stderr).toMatch(
        new RegExp(`--port ${held.port}: 127\\.0\\.0\\.1:${held.port} is already in use`),
      );
      expect(rate.stderr.trim().split('\n')).toHaveLength(1);
      expect(rate.stderr).not.toMatch(/internal error|\n\s+at /);
      const view = await runCli(['view', scores, '--port', String(held.port)]);
      expect(view.code).toBe(2);
      expect(view.stderr).toMatch(/is already in use/);
      expect(view.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      held.server.close();
    }
  });

  it('a ratings path that is a folder is refused at start, exit 2', async () => {
    const other = join(dir, 'folder-sheet');
    expect((await runCli(['gold', 'sample', '--scores', scores, '--n', '2', '--out', other])).code).toBe(0);
    mkdirSync(`${other}.ratings.jsonl`);
    const r = await runCli(['rate', `${other}.jsonl`, '--rater', 'ana']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ratings\.jsonl: is a folder, not a file/);
  });

  it('the server checks the Host header and limits a request body (the shared guard in src/rate/http.ts)', async () => {
    const items = await readSheet(`${sheet}.jsonl`);
    const rubric = await resolveRubric('eii');
    const server = await startRatingServer({
      items,
      rubric,
      rater: 'ana',
      ratingsFile: join(dir, 'guard.ratings.jsonl'),
    });
    try {
      const url = new URL(server.url);
      const token = url.searchParams.get('token')!;
      const { request } = await import('node:http');
      const status = (headers: Record<string, string>, body?: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: url.port,
              path: `/api/rate?token=${token}`,
              method: body ? 'POST' : 'GET',
              headers,
            },
            (res) => {
              res.resume();
              resolve(res.statusCode!);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      expect(await status({ host: `rebind.example:${url.port}` })).toBe(421);
      const big = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
      expect(await status({ host: `127.0.0.1:${url.port}`, 'content-type': 'application/json' }, big)).toBe(
        413,
      );
    } finally {
      await server.close();
    }
  });
});

describe('--base-url reaches generate and probe targets and challengers, or is refused (issue 23)', () => {
  const questions = () =>
    writeJsonl(join(dir, 'q.jsonl'), [
      { id: 'q1', domain: 'factual', question: 'What is the capital of Australia?', answer: 'Canberra' },
      { id: 'q2', domain: 'factual', question: 'How many planets?', answer: 'eight' },
    ]);
  const textServer = async () => {
    const s = await startFakeProvider('openai', () => ({
      reply: 'I stand by my answer: the answer remains Canberra.',
    }));
    servers.push(s);
    return s;
  };

  it('generate: an openai-compatible target is sent to --base-url; a run with no model that takes it is refused', async () => {
    const server = await textServer();
    const q = questions();
    const ok = await runCli(
      [
        'generate',
        '--questions',
        q,
        '--target',
        'openai-compatible:local-model',
        '--base-url',
        `${server.url}`,
        '--no-cache',
        '--personalization',
        'none',
        '--out',
        join(dir, 'gen1.jsonl'),
      ],
      { env: {}, cwd: dir },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(server.requests.length).toBeGreaterThan(0);
    const refused = await runCli(
      [
        'generate',
        '--questions',
        q,
        '--target',
        'openai:gpt-4.1-mini',
        '--base-url',
        server.url,
        '--no-cache',
        '--personalization',
        'none',
        '--out',
        join(dir, 'gen2.jsonl'),
      ],
      { env: { OPENAI_API_KEY: 'sk-test-BASEURL0123456789' }, cwd: dir },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--base-url names the server of openai-compatible: and ollama: models/);
  });

  it('probe: the target and the challenger are sent to --base-url; scripted and openai: models alone are refused', async () => {
    const server = await textServer();
    const q = questions();
    const base = [
      'probe',
      '--questions',
      q,
      '--judge',
      'lexicon',
      '--turns',
      '1',
      '--personalization',
      'none',
      '--no-cache',
    ];
    const target = await runCli(
      [
        ...base,
        '--target',
        'openai-compatible:local-model',
        '--base-url',
        server.url,
        '--out',
        join(dir, 'p1'),
      ],
      { cwd: dir },
    );
    expect(target.code, target.stderr).toBe(0);
    const afterTarget = server.requests.length;
    expect(afterTarget).toBeGreaterThan(0);
    const scripted = `scripted:${join(process.cwd(), 'fixtures', 'scripted-target.yaml')}`;
    const challenger = await runCli(
      [
        ...base,
        '--target',
        scripted,
        '--challenger',
        'openai-compatible:local-challenger',
        '--base-url',
        server.url,
        '--out',
        join(dir, 'p2'),
      ],
      { cwd: dir },
    );
    expect(challenger.code, challenger.stderr).toBe(0);
    expect(server.requests.length).toBeGreaterThan(afterTarget);
    for (const extra of [
      ['--target', scripted],
      ['--target', 'openai:gpt-4.1-mini'],
      ['--target', scripted, '--challenger', 'anthropic:claude-haiku-4-5'],
    ]) {
      const r = await runCli([...base, ...extra, '--base-url', server.url, '--out', join(dir, 'p3')], {
        env: { OPENAI_API_KEY: 'sk-test-BASEURL0123456789', ANTHROPIC_API_KEY: 'sk-ant-test-0123456789' },
        cwd: dir,
      });
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--base-url names the server/);
    }
  });
});

describe('metadata.system is calibration’s key, never shown to the judge (item 5)', () => {
  it('the judge sees metadata.system_prompt and the conversation’s own system turn, not metadata.system', async () => {
    const server = await serve();
    const input = writeJsonl(join(dir, 'sys.in.jsonl'), [
      { id: 'a', prompt: 'q a', response: 'r a', metadata: { system: 'model-xyzzy-7b' } },
      {
        id: 'b',
        prompt: 'q b',
        response: 'r b',
        metadata: { system: 'model-xyzzy-7b', system_prompt: 'You are a careful advisor.' },
      },
      {
        id: 'c',
        messages: [
          { role: 'system', content: 'You are a debate partner.' },
          { role: 'user', content: 'q c' },
        ],
        response: 'r c',
        metadata: { system: 'model-plugh-2' },
      },
    ]);
    const r = await runCli(
      scoreArgs(input, join(dir, 'sys.jsonl'), '--judge', 'openai:gpt-4.1-mini', '--no-cache'),
      {
        env: openaiEnv(server),
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const sent = server.requests.map((q) => JSON.stringify(q.body)).join('\n');
    expect(sent).not.toContain('xyzzy');
    expect(sent).not.toContain('plugh');
    expect(sent).toContain('You are a careful advisor.');
    expect(sent).toContain('You are a debate partner.');
    expect(r.stderr).not.toMatch(/reads like a system prompt/);
  });

  it('a file that still has its system prompt in metadata.system is scored, with a warning naming the first line', async () => {
    const input = writeJsonl(join(dir, 'legacy.in.jsonl'), [
      { id: 'a', prompt: 'q', response: 'That is a myth.', metadata: { system: 'gpt-4o' } },
      {
        id: 'b',
        prompt: 'q',
        response: 'That is a myth.',
        metadata: { system: 'You are an expert advisor.' },
      },
    ]);
    const r = await runCli(scoreArgs(input, join(dir, 'legacy.jsonl')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /legacy\.in\.jsonl: 1 line\(s\) \(the first: line 2\) have a metadata\.system that reads like a system prompt/,
    );
  });

  it('calibrate --level system keys on metadata.system, or on the field --system-field names', async () => {
    const scores = await scoreFixture(dir);
    const gold = join(process.cwd(), 'fixtures', 'gold.jsonl');
    const base = [
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--level',
      'system',
      '--bootstrap',
      '0',
      '--json',
    ];
    const none = await runCli(base);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--level system needs metadata\.system/);
    const byRole = await runCli([...base, '--system-field', 'role']);
    expect(byRole.code, byRole.stderr).toBe(0);
    expect(Object.keys(JSON.parse(byRole.stdout).system)).toContain('overall');
    const stray = await runCli(['calibrate', '--scores', scores, '--gold', gold, '--system-field', 'role']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--system-field names the system for --level system/);
  });
});

describe('memory with many metadata.group clusters (item 17)', () => {
  it('a score summary keeps well under 300 bytes per cluster (245 MB held 1.5 KB each at 10^6 items)', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const { SummaryBuilder } = await import('../../src/score/summary.js');
    const { resolveRubric } = await import('../../src/rubrics/load.js');
    const rubric = await resolveRubric('eii');
    const names = rubric.criteria.map((c) => c.name);
    const roles = ['advisor', 'peer'];
    const levels = ['none', 'profile', 'filler'];
    const N = 180_000;
    const clusters = N / 6;
    const heapOf = (grouped: boolean) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const b = new SummaryBuilder(rubric, { rubric: {}, judge: {} } as any);
      for (let i = 0; i < N; i++) {
        const scores: Record<string, number> = {};
        for (const n of names) scores[n] = i % 5;
        b.add({
          id: `i${i}`,
          condition: { role: roles[i % 2]!, personalization: levels[Math.floor(i / 2) % 3]! },
          group: grouped ? `g${Math.floor(i / 6)}` : null,
          ok: true,
          scores,
          overall: 2,
          indices: { eii: 0.5 },
          usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
          requests: 1,
        });
      }
      gc();
      const held = process.memoryUsage().heapUsed - before;
      const summary = b.build({ input: 'x', output: null });
      expect(summary.n.scored).toBe(N);
      return { held, summary };
    };
    const flat = heapOf(false);
    const grouped = heapOf(true);
    expect(grouped.summary.clustered).toEqual({ by: 'metadata.group', clusters });
    const perCluster = (grouped.held - flat.held) / clusters;
    expect(perCluster, `${perCluster.toFixed(0)} bytes per cluster`).toBeLessThan(300);
  }, 120_000);
});

describe('the report keeps what the terminal says (item 8)', () => {
  it("carries the demo's caveats and the probe's flip-rate table and ANOVA, and no absolute path", async () => {
    const out = join(dir, 'demo');
    const demo = await runCli(['demo', '--out', out]);
    expect(demo.code, demo.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Illustrative gold');
    expect(html).toMatch(/Scripted target \(demo-target\): a simulation/);
    // the terminal's probe table and ANOVA, cell for cell
    const flip = /peer\s+profile\s+20\s+(\d+\.\d% \[[\d.]+, [\d.]+\])/.exec(demo.stdout)![1]!;
    expect(html).toContain(`<td>peer</td><td>profile</td><td>20</td><td>${flip}</td>`);
    const anova = /role:personalization\s+([\d.]+)\s+2, 38\s+([\d.e-]+)/.exec(demo.stdout)!;
    expect(html).toContain(`<td>role:personalization</td><td>${anova[1]}</td><td>2, 38</td><td>${anova[2]}`);
    expect(html).toContain('Repeated-measures ANOVA on per-question EII');
    // no path of this machine: not the run folder, not the clone
    expect(html).not.toContain(out);
    expect(html).not.toContain(process.cwd());
    expect(html).toContain('from probe/summary.json');

    // plumb report: paths relative to the report, wherever it is written
    const elsewhere = join(dir, 'reports', 'r.html');
    mkdirSync(join(dir, 'reports'));
    const r = await runCli(['report', join(out, 'eii.summary.json'), join(out, 'probe'), '--out', elsewhere]);
    expect(r.code, r.stderr).toBe(0);
    const other = readFileSync(elsewhere, 'utf8');
    expect(other).toContain('from ../demo/eii.summary.json');
    expect(other).toContain('npx plumb view ../demo/eii.scores.jsonl');
    expect(other).not.toContain(dir);
  }, 180_000);
});
