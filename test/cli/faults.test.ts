import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { neutralise, renderJudgePrompt } from '../../src/judges/prompt.js';
import { BUILTIN_RUBRICS_DIR, resolveRubric } from '../../src/rubrics/load.js';
import {
  filesUnder,
  ROOT,
  readJsonlFile,
  runCli,
  scoreArgs,
  startCli,
  tempDir,
  waitFor,
  writeJsonl,
} from '../helpers/cli.js';
import { attemptsPerItem, good, validReply } from '../helpers/judge-scripts.js';
import {
  type FakeAction,
  type FakeServer,
  type RecordedRequest,
  startFakeProvider,
} from '../support/fake-provider.js';

/**
 * The fault-injection audit's findings (issue 13, items 2 and R1–R7): interrupted reruns,
 * concurrent runs, an unwritable or shared cache, secrets, injection, pipes, the probe checkpoint
 * and request counting. Each test failed on the code before the fix.
 */
const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
async function serve(
  script: (req: RecordedRequest) => FakeAction | Promise<FakeAction>,
  options: { latencyMs?: number; protocol?: 'openai' | 'anthropic' } = {},
) {
  const s = await startFakeProvider(options.protocol ?? 'openai', script, { latencyMs: options.latencyMs });
  servers.push(s);
  return s;
}
const openaiEnv = (s: FakeServer) => ({ OPENAI_API_KEY: 'sk-test-FAULTS0123456789', OPENAI_BASE_URL: s.url });
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `i${i}`,
    prompt: `question ${i}`,
    response: `answer ${i} is a myth.`,
  }));

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

describe('a rerun that is interrupted leaves the previous run whole (item 2)', () => {
  it('Ctrl-C during a rerun keeps the old scores and the old summary, both intact', async () => {
    const out = join(dir, 'keep.jsonl');
    const summary = join(dir, 'keep.summary.json');
    expect((await runCli(scoreArgs(FIXTURE, out, '--summary', summary))).code).toBe(0);
    const before = [readFileSync(out, 'utf8'), readFileSync(summary, 'utf8')];
    const server = await serve(good, { latencyMs: 150 });
    const run = startCli(
      scoreArgs(
        FIXTURE,
        out,
        '--judge',
        'openai:gpt-4.1-mini',
        '--summary',
        summary,
        '--concurrency',
        '2',
        '--no-cache',
      ),
      { env: openaiEnv(server) },
    );
    await waitFor(() => server.requests.length >= 4, 20_000, 'the rerun to start judging');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect([readFileSync(out, 'utf8'), readFileSync(summary, 'utf8')]).toEqual(before);
    expect(existsSync(`${out}.partial`)).toBe(true);
    expect(existsSync(`${summary}.partial`)).toBe(false);
    expect(existsSync(`${summary}.items.partial`)).toBe(false);
  });
});

describe('two runs, one output (R2)', () => {
  it('the second run refuses with exit 2 while the first writes; the first completes whole', async () => {
    // the first run's requests wait until the second run has been refused: no race with the clock
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const server = await serve(async (req) => {
      await held;
      return good(req);
    });
    const input = writeJsonl(join(dir, 'two.in.jsonl'), items(30));
    const out = join(dir, 'two.jsonl');
    const summary = join(dir, 'two.summary.json');
    const args = scoreArgs(
      input,
      out,
      '--judge',
      'openai:gpt-4.1-mini',
      '--concurrency',
      '2',
      '--no-cache',
      '--summary',
      summary,
    );
    const first = startCli(args, { env: openaiEnv(server) });
    // the refused run must not touch the first run's summary side files (#23 item 11)
    await waitFor(() => existsSync(`${summary}.items.partial`), 20_000, 'the first run to open its outputs');
    const second = await runCli(args, { env: openaiEnv(server) });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/two\.jsonl is being written by another plumb run \(pid \d+/);
    release();
    expect((await first.done).code).toBe(0);
    const ids = readJsonlFile(readFileSync(out, 'utf8')).map((l) => l.id);
    expect(ids).toEqual(items(30).map((i) => i.id));
    expect(Object.keys(JSON.parse(readFileSync(summary, 'utf8')).items)).toHaveLength(30);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('a lock left by a killed run (dead pid) is reclaimed', async () => {
    const out = join(dir, 'stale.jsonl');
    const dead = startCli(['--version']);
    await dead.done;
    writeFileSync(
      `${out}.lock`,
      JSON.stringify({ pid: dead.child.pid, host: hostname(), started_at: 'earlier' }),
    );
    const r = await runCli(scoreArgs(FIXTURE, out));
    expect(r.code).toBe(0);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('the cache (R3, R4)', () => {
  it('a cache that cannot be written degrades to memory with one warning; paid results reach the output', async () => {
    const server = await serve(good);
    const notADir = join(dir, 'cache-is-a-file');
    writeFileSync(notADir, 'x');
    const input = writeJsonl(join(dir, 'ro.in.jsonl'), items(12));
    const out = join(dir, 'ro.jsonl');
    const r = await runCli(scoreArgs(input, out, '--judge', 'openai:gpt-4.1-mini', '--cache-dir', notADir), {
      env: openaiEnv(server),
    });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/warning: cannot write the cache/g)).toHaveLength(1);
    expect(readJsonlFile(readFileSync(out, 'utf8')).every((l) => l.scores)).toBe(true);
    expect(server.requests).toHaveLength(12);
    expect(filesUnder(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('two processes sharing a cache pay once for each item', async () => {
    const server = await serve(good, { latencyMs: 80 });
    const input = writeJsonl(join(dir, 'shared.in.jsonl'), items(30));
    const cache = join(dir, 'shared-cache');
    const args = (out: string) =>
      scoreArgs(input, out, '--judge', 'openai:gpt-4.1-mini', '--cache-dir', cache, '--concurrency', '4');
    const [a, b] = await Promise.all([
      // two processes on one cache: each must be a process of its own
      runCli(args(join(dir, 'shared-a.jsonl')), { env: openaiEnv(server), spawn: true }),
      runCli(args(join(dir, 'shared-b.jsonl')), { env: openaiEnv(server), spawn: true }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(server.requests).toHaveLength(30);
    const scoresOf = (f: string) => readJsonlFile(readFileSync(f, 'utf8')).map((l) => l.scores);
    expect(scoresOf(join(dir, 'shared-a.jsonl'))).toEqual(scoresOf(join(dir, 'shared-b.jsonl')));
  });
});

describe('secrets never reach an output (R5)', () => {
  const secretIn = (root: string, secret: string) =>
    filesUnder(root).filter((f) => readFileSync(f, 'utf8').includes(secret));

  it('OPENAI_COMPATIBLE_API_KEY echoed by a server is scrubbed from lines, summary and cache', async () => {
    const key = 'compat-KEY-5f2a9c7e1b';
    const server = await serve((req) => ({
      reply: { ...validReply(req), rationale: `your header was ${String(req.headers.authorization)}` },
    }));
    const sub = join(dir, 'compat');
    mkdirSync(sub);
    const input = writeJsonl(join(sub, 'in.jsonl'), items(4));
    const r = await runCli(
      scoreArgs(
        input,
        join(sub, 'out.jsonl'),
        '--judge',
        'openai-compatible:qwen',
        '--base-url',
        server.url,
        '--summary',
        join(sub, 's.json'),
        '--cache-dir',
        join(sub, 'cache'),
      ),
      { env: { OPENAI_COMPATIBLE_API_KEY: key } },
    );
    expect(r.code).toBe(0);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`); // it was really sent
    expect(readFileSync(join(sub, 'out.jsonl'), 'utf8')).toMatch(/your header was Bearer \[redacted\]/);
    expect(secretIn(sub, key)).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('credentials inside --base-url are stripped from every stamped URL', async () => {
    const server = await serve(good);
    const sub = join(dir, 'url-cred');
    mkdirSync(sub);
    const input = writeJsonl(join(sub, 'in.jsonl'), items(3));
    // a query-string key: the run works, and nothing it writes carries the key
    const r = await runCli(
      scoreArgs(
        input,
        join(sub, 'out.jsonl'),
        '--judge',
        'openai-compatible:qwen',
        '--base-url',
        `${server.url}?api-key=qs-SECRET-99bb22`,
        '--summary',
        join(sub, 's.json'),
      ),
      { env: {} },
    );
    expect(r.code).toBe(0);
    const lines = readJsonlFile(readFileSync(join(sub, 'out.jsonl'), 'utf8'));
    expect(lines).toHaveLength(3);
    for (const l of lines) expect((l.judge as { base_url: string }).base_url).toBe(server.url);
    expect(JSON.parse(readFileSync(join(sub, 's.json'), 'utf8')).judge.base_url).toBe(server.url);
    // user:password@ in the URL: sent as basic auth, stamped without it
    const u = await runCli(
      scoreArgs(
        input,
        join(sub, 'u.jsonl'),
        '--judge',
        'openai-compatible:qwen',
        '--base-url',
        server.url.replace('http://', 'http://alice:pw-SECRET-77aa11@'),
      ),
      { env: {} },
    );
    expect(u.code).toBe(0);
    for (const l of readJsonlFile(readFileSync(join(sub, 'u.jsonl'), 'utf8')))
      expect((l.judge as { base_url: string }).base_url).toBe(server.url);
    expect(r.stdout + r.stderr + u.stdout + u.stderr).not.toMatch(/SECRET/);
    expect(secretIn(sub, 'SECRET')).toEqual([]);
  });
});

describe('prompt injection (R6)', () => {
  it('a tag hidden behind invisible characters or a look-alike < is neutralised', () => {
    for (const attack of [
      '<\u200Bcandidate_response',
      '<\u200D/candidate_response>',
      '< / mes\u00ADsage>',
      '\uFF1Cconversation>',
      '<\uFEFFreference_answer',
    ]) {
      const out = neutralise(`before ${attack} after`);
      expect(out, JSON.stringify(attack)).not.toMatch(/[<\uFF1C]/);
      expect(out).toContain('\u2039');
    }
    // text that only looks a little like it, and emoji joiners elsewhere, are left alone
    expect(neutralise('a < b, <b>bold</b>, family 👨\u200D👩\u200D👧')).toBe(
      'a < b, <b>bold</b>, family 👨\u200D👩\u200D👧',
    );
  });

  it('the block nonce is keyed by a per-run secret (not computable from the line), yet answers replay', async () => {
    const rubric = await resolveRubric('eii', [BUILTIN_RUBRICS_DIR]);
    const item = { id: 'x', messages: [], response: 'r', metadata: {}, raw: {} };
    const nonceOf = (text: string) => /id="([0-9a-f]+)"/.exec(text)![1];
    expect(nonceOf(renderJudgePrompt(rubric, item).user)).toBe(nonceOf(renderJudgePrompt(rubric, item).user));
    const server = await serve(good);
    const input = writeJsonl(join(dir, 'nonce.in.jsonl'), items(1));
    const cache = join(dir, 'nonce-cache');
    // the nonce's secret is drawn once per process: the first run is a child process, the other
    // two run in this one (another secret)
    const run = (spawn: boolean) =>
      runCli(
        scoreArgs(input, join(dir, 'nonce.jsonl'), '--judge', 'openai:gpt-4.1-mini', '--cache-dir', cache),
        { env: openaiEnv(server), spawn },
      );
    expect((await run(true)).code).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect((await run(false)).code).toBe(0);
    expect(server.requests).toHaveLength(1); // the second run, another secret, replays from the cache
    await runCli(
      scoreArgs(input, join(dir, 'nonce2.jsonl'), '--judge', 'openai:gpt-4.1-mini', '--no-cache'),
      { env: openaiEnv(server) },
    );
    const userOf = (req: RecordedRequest) =>
      (req.body.messages as { role: string; content: string }[])[1]!.content;
    expect(nonceOf(userOf(server.requests[0]!))).not.toBe(nonceOf(userOf(server.requests[1]!)));
    // the system turn (the rubric) is identical across runs and items: a cacheable prefix
    const systemOf = (req: RecordedRequest) => (req.body.messages as { content: string }[])[0]!.content;
    expect(systemOf(server.requests[0]!)).toBe(systemOf(server.requests[1]!));
  });
});

describe('pipes, the probe checkpoint, request counts, SDK warnings (R7)', () => {
  it('input from a pipe is read once and scored', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    for (const input of ['/dev/stdin', '-']) {
      const out = join(dir, `pipe${input === '-' ? 'dash' : 'dev'}.jsonl`);
      const r = await runCli(scoreArgs(input, out), { stdin: text });
      expect(r.code).toBe(0);
      expect(readJsonlFile(readFileSync(out, 'utf8'))).toHaveLength(120);
    }
    const bad = await runCli(scoreArgs('-', join(dir, 'p.jsonl')), {
      stdin: '{"id": 1, "response": "x"}\n{broken\n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^plumb: stdin:2: malformed JSON/);
  });

  it('a second kill during a probe resume never shrinks the checkpoint', async () => {
    const server = await serve(() => ({ reply: 'The answer is Canberra, and I stand by it.' }), {
      latencyMs: 40,
    });
    const out = join(dir, 'probe-kill');
    const checkpoint = join(out, 'transcripts.jsonl.partial');
    const args = [
      'probe',
      '--questions',
      join(ROOT, 'fixtures', 'questions.jsonl'),
      '--target',
      'openai:gpt-4.1-mini',
      '--judge',
      'lexicon',
      '--roles',
      'advisor,peer',
      '--personalization',
      'none',
      '--turns',
      '2',
      '--concurrency',
      '2',
      '--out',
      out,
    ];
    const conversations = () =>
      existsSync(checkpoint)
        ? new Set(
            readFileSync(checkpoint, 'utf8')
              .split('\n')
              .filter((l) => l.endsWith('}'))
              .map((l) => JSON.parse(l).conversation),
          ).size
        : 0;
    const first = startCli(args, { env: openaiEnv(server) });
    await waitFor(() => conversations() >= 8, 30_000, 'eight conversations in the checkpoint');
    first.child.kill('SIGKILL');
    await first.done;
    const afterFirst = conversations();
    const second = startCli(args, { env: openaiEnv(server) });
    await waitFor(
      () => second.stderrSoFar().length > 0 || server.requests.length > afterFirst * 3 + 2,
      20_000,
      'the resume to start',
    );
    second.child.kill('SIGKILL');
    await second.done;
    expect(conversations()).toBeGreaterThanOrEqual(afterFirst);
    const third = await runCli(args, { env: openaiEnv(server) });
    expect(third.code).toBe(0);
    expect(readJsonlFile(readFileSync(join(out, 'transcripts.jsonl'), 'utf8'))).toHaveLength(40 * 3);
  });

  it("the summary's request count includes the SDK's retries", async () => {
    const attempt = attemptsPerItem();
    const server = await serve((req) =>
      attempt(req) === 1 ? { status: 429, headers: { 'retry-after': '0' } } : good(req),
    );
    const input = writeJsonl(join(dir, 'retry.in.jsonl'), items(5));
    const summary = join(dir, 'retry.summary.json');
    const r = await runCli(
      scoreArgs(
        input,
        join(dir, 'retry.jsonl'),
        '--judge',
        'openai:gpt-4.1-mini',
        '--summary',
        summary,
        '--no-cache',
      ),
      {
        env: openaiEnv(server),
      },
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(server.requests).toHaveLength(10);
    expect(s.requests).toBe(10);
    expect(s.retries).toBe(5);
  });

  it("the Anthropic SDK's deprecation warning prints once per run, not once per request", async () => {
    const server = await serve(good, { protocol: 'anthropic' });
    const input = writeJsonl(join(dir, 'dep.in.jsonl'), items(6));
    const r = await runCli(
      scoreArgs(input, join(dir, 'dep.jsonl'), '--judge', 'anthropic:claude-sonnet-4-5', '--no-cache'),
      {
        env: {
          ANTHROPIC_API_KEY: 'sk-ant-test-0123456789',
          ANTHROPIC_BASE_URL: server.url.replace(/\/v1$/, ''),
        },
        spawn: true, // "once per run" is once per process: a fresh one
      },
    );
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(6);
    expect(r.stderr.match(/is deprecated/g)).toHaveLength(1);
  });
});

describe('the stance rating sheet shows what a rater needs (item 15)', () => {
  it("the question and the model's first answer beside the challenge and the reply", async () => {
    const out = join(dir, 'probe-sheet');
    const p = await runCli([
      'probe',
      '--questions',
      join(ROOT, 'fixtures', 'questions.jsonl'),
      '--target',
      `scripted:${join(ROOT, 'fixtures', 'scripted-target.yaml')}`,
      '--roles',
      'advisor',
      '--personalization',
      'none',
      '--turns',
      '2',
      '--out',
      out,
    ]);
    expect(p.code).toBe(0);
    const sheet = join(dir, 'stance-sheet');
    expect(
      (
        await runCli([
          'gold',
          'sample',
          '--scores',
          join(out, 'stance.scores.jsonl'),
          '--n',
          '4',
          '--out',
          sheet,
        ])
      ).code,
    ).toBe(0);
    const [header, row] = readFileSync(`${sheet}.csv`, 'utf8').split('\n');
    // the criteria people fill in, then how each item was drawn (the sheet's design columns)
    expect(header).toBe(
      'id,rater,stratum,question,first_answer,challenge,response,reference,stance,' +
        'stratified_by,stratum_size,inclusion_probability,clustered_by,cluster,design',
    );
    expect(row).toMatch(/\?,"?The answer is /); // the question, then the first answer
  });
});
