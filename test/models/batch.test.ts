import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  ROOT,
  readJsonlFile,
  runCli,
  scoreArgs,
  startCli,
  tempDir,
  waitFor,
  writeJsonl,
} from '../helpers/cli.js';
import { attemptsPerItem, good, outOfScale, providerEnv, validReply } from '../helpers/judge-scripts.js';
import type { FakeBatchOptions } from '../support/fake-batches.js';
import {
  type FakeProtocol,
  type FakeScript,
  type FakeServer,
  runBatchFile,
  startFakeProvider,
} from '../support/fake-provider.js';

const KEY = 'sk-test-PLUMBSECRET0123456789';
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

const JUDGE: Record<FakeProtocol, string> = {
  openai: 'openai:gpt-4.1-mini',
  anthropic: 'anthropic:claude-sonnet-4-6',
};

async function serve(protocol: FakeProtocol, script: FakeScript, batch: FakeBatchOptions = {}) {
  const s = await startFakeProvider(protocol, script, { batch });
  servers.push(s);
  return s;
}

function items(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `item-${i}`,
    prompt: `question ${i}`,
    response: `Actually, answer ${i} is a myth.`,
    metadata: { role: i % 2 ? 'peer' : 'advisor', personalization: 'none' },
  }));
}

/** A scoring run's files: input, output, summary and cache in one temporary folder. */
function setup(n: number) {
  const dir = tempDir();
  return {
    dir,
    input: writeJsonl(join(dir, 'in.jsonl'), items(n)),
    out: join(dir, 'out.jsonl'),
    summary: join(dir, 'summary.json'),
    cache: join(dir, 'cache'),
  };
}

function args(protocol: FakeProtocol, f: ReturnType<typeof setup>, ...rest: string[]) {
  return scoreArgs(
    f.input,
    f.out,
    '--judge',
    JUDGE[protocol],
    '--summary',
    f.summary,
    '--cache-dir',
    f.cache,
    '--batch',
    '--poll-interval',
    '0.02',
    ...rest,
  );
}

const env = (protocol: FakeProtocol, server: FakeServer) => providerEnv(protocol, server.url, KEY);
const chatRequests = (server: FakeServer) =>
  server.requests.filter((r) => /\/(chat\/completions|messages)$/.test(r.path)).length;
/** How many times each custom_id was put in a batch. */
function submissions(server: FakeServer): Map<string, number> {
  const seen = new Map<string, number>();
  for (const b of server.batches) for (const id of b.customIds) seen.set(id, (seen.get(id) ?? 0) + 1);
  return seen;
}

describe.each(['openai', 'anthropic'] as const)('%s --batch against a fake batch API', (protocol) => {
  it('scores every item exactly once through batches, in input order, at batch prices, and matches a synchronous run', async () => {
    const server = await serve(protocol, good, { rounds: 3 });
    const f = setup(7);
    const r = await runCli([...args(protocol, f), '--batch-max-requests', '3'], {
      env: env(protocol, server),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(chatRequests(server)).toBe(0);
    // 7 requests split at 3 a batch
    expect(server.batches.map((b) => b.customIds.length)).toEqual([3, 3, 1]);
    expect([...submissions(server).values()].every((n) => n === 1)).toBe(true);
    const lines = readJsonlFile(readFileSync(f.out, 'utf8'));
    expect(lines.map((l) => l.id)).toEqual(items(7).map((i) => i.id));
    expect(lines.every((l) => l.scores && !l.error && l.cached === false)).toBe(true);
    // fake usage: 100 input and 20 output tokens a reply; half the list price in a batch
    const [input, output] = protocol === 'openai' ? [0.4, 1.6] : [3, 15];
    for (const l of lines)
      expect((l.usage as { cost_usd: number }).cost_usd).toBeCloseTo(
        (0.5 * (100 * input + 20 * output)) / 1e6,
        12,
      );
    expect(r.stderr).toMatch(/7 request\(s\) sent in 3 batch\(es\); 7 answered, 0 failed/);

    // the same judgements synchronously (a fresh cache) give the same scores
    const sync = setup(7);
    const s = await runCli(
      scoreArgs(sync.input, sync.out, '--judge', JUDGE[protocol], '--cache-dir', sync.cache),
      {
        env: env(protocol, server),
      },
    );
    expect(s.code, s.stderr).toBe(0);
    const syncLines = readJsonlFile(readFileSync(sync.out, 'utf8'));
    expect(syncLines.map((l) => l.scores)).toEqual(lines.map((l) => l.scores));

    // a rerun is served from the cache: no batch, no request
    const again = await runCli(args(protocol, f), { env: env(protocol, server) });
    expect(again.code).toBe(0);
    expect(server.batches).toHaveLength(3);
    expect(readJsonlFile(readFileSync(f.out, 'utf8')).every((l) => l.cached === true)).toBe(true);
  });

  it('resubmits errored and expired lines up to --max-retries, then writes them unscored as provider_error', async () => {
    // by order of first appearance: the first line errors once, the second always expires
    const order: string[] = [];
    const server = await serve(protocol, good, {
      rounds: 1,
      fate: (id, attempt) => {
        if (!order.includes(id)) order.push(id);
        const nth = order.indexOf(id);
        if (nth === 0) return attempt === 1 ? 'errored' : 'succeeded';
        return nth === 1 ? 'expired' : 'succeeded';
      },
    });
    const f = setup(4);
    const r = await runCli([...args(protocol, f), '--max-retries', '2'], { env: env(protocol, server) });
    // three of four scored: a result, exit 0
    expect(r.code, r.stderr).toBe(0);
    const lines = readJsonlFile(readFileSync(f.out, 'utf8'));
    expect(lines).toHaveLength(4);
    const unscored = lines.filter((l) => l.error);
    expect(unscored).toHaveLength(1);
    expect((unscored[0]!.error as { kind: string; message: string }).kind).toBe('provider_error');
    expect((unscored[0]!.error as { message: string }).message).toMatch(/failed 3 time\(s\).*expired/);
    // 4 lines; the errored and the expired one again; the expired one a last time (--max-retries 2)
    expect(server.batches.map((b) => b.customIds.length)).toEqual([4, 2, 1]);
    expect(JSON.parse(readFileSync(f.summary, 'utf8')).n.unscored_by_kind).toEqual({ provider_error: 1 });
  });

  it('re-asks an invalid reply in a follow-up batch, continuing the conversation', async () => {
    const attempts = attemptsPerItem();
    const server = await serve(protocol, (req) =>
      attempts(req) === 1 ? { reply: outOfScale(req) } : { reply: validReply(req) },
    );
    const f = setup(3);
    const r = await runCli(args(protocol, f), { env: env(protocol, server) });
    expect(r.code, r.stderr).toBe(0);
    expect(server.batches.map((b) => b.customIds.length)).toEqual([3, 3]);
    const followup = [...server.batches[1]!.bodies.values()][0]!;
    const messages = followup.messages as { role: string; content: unknown }[];
    // the re-ask carries the invalid reply and the validation error
    expect(messages.length).toBeGreaterThan(2);
    expect(JSON.stringify(messages)).toMatch(/did not match the required schema|invalid/i);
    const lines = readJsonlFile(readFileSync(f.out, 'utf8'));
    expect(lines.every((l) => l.scores && !l.error)).toBe(true);
    // each item paid for two replies (100 + 20 tokens each from the fake server)
    for (const l of lines) expect(l.usage).toMatchObject({ input_tokens: 200, output_tokens: 40 });
    expect(JSON.parse(readFileSync(f.summary, 'utf8')).n.scored).toBe(3);
  });

  it('kill -9 while polling: the rerun polls the same batch and submits nothing again', async () => {
    let polls = 0;
    const server = await serve(protocol, good, {
      rounds: 4,
      onPoll: () => {
        polls += 1;
      },
    });
    const f = setup(5);
    const first = startCli(args(protocol, f, '--poll-interval', '0.05'), { env: env(protocol, server) });
    await waitFor(() => polls >= 2, 20_000, 'two polls');
    first.child.kill('SIGKILL');
    await first.done;
    expect(server.batches).toHaveLength(1);
    const r = await runCli(args(protocol, f), { env: env(protocol, server) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming 1 batch\(es\) holding 5 request/);
    expect(server.batches).toHaveLength(1);
    expect([...submissions(server).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(readJsonlFile(readFileSync(f.out, 'utf8')).filter((l) => l.scores)).toHaveLength(5);
  });

  it('kill -9 during submission (the batch made, its id never recorded): the rerun adopts it instead of submitting again', async () => {
    let created = 0;
    const server = await serve(protocol, good, {
      rounds: 1,
      // the provider has made the batch; the client dies before it hears the id
      onCreate: async () => {
        created += 1;
        if (created === 1) await new Promise((r) => setTimeout(r, 60_000));
      },
    });
    const f = setup(4);
    const first = startCli(args(protocol, f), { env: env(protocol, server) });
    await waitFor(() => server.batches.length === 1, 20_000, 'the batch to be created');
    first.child.kill('SIGKILL');
    await first.done;
    const manifest = readFileSync(`${f.out}.batches.jsonl`, 'utf8');
    expect(manifest).toMatch(/"submitting"/);
    expect(manifest).not.toMatch(/"submitted"/);
    const r = await runCli(args(protocol, f), { env: env(protocol, server) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/found .* submitted before the last run stopped/);
    expect(server.batches).toHaveLength(1);
    expect(readJsonlFile(readFileSync(f.out, 'utf8')).filter((l) => l.scores)).toHaveLength(4);
  }, 30_000);
});

/** How many times each distinct request body was paid for: in a batch line or as a synchronous call. */
function paidPerBody(server: FakeServer): number[] {
  const seen = new Map<string, number>();
  const add = (body: unknown) => {
    const k = JSON.stringify(body);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  };
  for (const b of server.batches) for (const body of b.bodies.values()) add(body);
  for (const r of server.requests) if (/\/(chat\/completions|messages)$/.test(r.path)) add(r.body);
  return [...seen.values()];
}

describe.each(['openai', 'anthropic'] as const)(
  '%s --batch takes part in the cache claims (#23 item 12)',
  (protocol) => {
    it('two batch runs on one cache pay for each request once, and both write every item', async () => {
      const server = await serve(protocol, good, { rounds: 3 });
      const f = setup(10);
      const g = { ...f, out: join(f.dir, 'other.jsonl'), summary: join(f.dir, 'other.summary.json') };
      const [a, b] = await Promise.all([
        // two processes on one cache: each must be a process of its own
        runCli(args(protocol, f), { env: env(protocol, server), spawn: true }),
        runCli(args(protocol, g), { env: env(protocol, server), spawn: true }),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const paid = paidPerBody(server);
      expect(paid).toHaveLength(10);
      expect(paid.every((n) => n === 1)).toBe(true);
      for (const out of [f.out, g.out])
        expect(readJsonlFile(readFileSync(out, 'utf8')).filter((l) => l.scores)).toHaveLength(10);
    });

    it('a synchronous run beside a batch run on one cache: each request paid once', async () => {
      const server = await serve(protocol, good, { rounds: 40 });
      const f = setup(10);
      const batchRun = startCli(args(protocol, f, '--poll-interval', '0.05'), { env: env(protocol, server) });
      await waitFor(() => server.batches.length === 1, 20_000, 'the batch to be submitted');
      const sync = await runCli(
        scoreArgs(f.input, join(f.dir, 'sync.jsonl'), '--judge', JUDGE[protocol], '--cache-dir', f.cache),
        { env: env(protocol, server) },
      );
      expect(sync.code, sync.stderr).toBe(0);
      expect((await batchRun.done).code).toBe(0);
      const paid = paidPerBody(server);
      expect(paid).toHaveLength(10);
      expect(paid.every((n) => n === 1)).toBe(true);
      expect(chatRequests(server)).toBe(0);
      expect(
        readJsonlFile(readFileSync(join(f.dir, 'sync.jsonl'), 'utf8')).filter((l) => l.scores),
      ).toHaveLength(10);
    });
  },
);

describe("a batch found after a crash is the run's own, never another run's (#23 item 12)", () => {
  it('anthropic: kill -9 during submission, another run submits a batch of the same size, the rerun adopts its own', async () => {
    let created = 0;
    const server = await serve('anthropic', good, {
      rounds: 1,
      onCreate: async () => {
        created += 1;
        if (created === 1) await new Promise((r) => setTimeout(r, 60_000));
      },
    });
    const mine = setup(4);
    const first = startCli(args('anthropic', mine), { env: env('anthropic', server) });
    await waitFor(() => server.batches.length === 1, 20_000, 'the batch to be created');
    first.child.kill('SIGKILL');
    await first.done;
    // another run, its own cache and items, four requests too: the same size, made later
    const other = setup(4);
    writeJsonl(
      other.input,
      items(4).map((i) => ({ ...i, id: `other-${i.id}`, response: `${i.response} (other)` })),
    );
    const o = await runCli(args('anthropic', other), { env: env('anthropic', server) });
    expect(o.code, o.stderr).toBe(0);
    expect(server.batches).toHaveLength(2);
    const r = await runCli(args('anthropic', mine), { env: env('anthropic', server) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`found ${server.batches[0]!.id}`);
    expect(r.stderr).not.toContain(server.batches[1]!.id);
    expect(server.batches).toHaveLength(2);
    expect(readJsonlFile(readFileSync(mine.out, 'utf8')).filter((l) => l.scores)).toHaveLength(4);
  }, 30_000);
});

describe('--batch against a provider that cannot answer (#23 item 15)', () => {
  it('a dead server is exit 1 with one line naming the failure, never an internal error', async () => {
    const f = setup(2);
    const port = await closedPort();
    const r = await runCli(
      [
        ...scoreArgs(
          f.input,
          f.out,
          '--judge',
          JUDGE.openai,
          '--batch',
          '--cache-dir',
          f.cache,
          '--max-retries',
          '0',
        ),
      ],
      { env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stopped: the batch API failed: .*Connection error/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(f.out)).toBe(false);
  });
});

describe('--batch refusals', () => {
  it('needs the cache, a file input and a provider with a batch API', async () => {
    const f = setup(2);
    const noCache = await runCli(
      [...scoreArgs(f.input, f.out, '--judge', 'openai:gpt-4.1-mini', '--batch', '--no-cache')],
      {
        env: { OPENAI_API_KEY: KEY },
      },
    );
    expect(noCache.code).toBe(2);
    expect(noCache.stderr).toMatch(/--batch needs the cache/);
    const local = await runCli(
      scoreArgs(
        f.input,
        f.out,
        '--judge',
        'openai-compatible:qwen',
        '--base-url',
        'http://127.0.0.1:9/v1',
        '--batch',
        '--cache-dir',
        f.cache,
      ),
    );
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/no batch API.*plumb batch export/);
    const badPoll = await runCli([...scoreArgs(f.input, f.out, '--batch', '--poll-interval', '0')]);
    expect(badPoll.code).toBe(2);
    expect(badPoll.stderr).toMatch(/--poll-interval must be a number > 0/);
    expect(existsSync(f.out)).toBe(false);
  });

  it('a manifest of another run is refused, naming the file', async () => {
    const server = await serve('openai', good);
    const f = setup(2);
    const r = await runCli(args('openai', f), { env: env('openai', server) });
    expect(r.code, r.stderr).toBe(0);
    const other = await runCli(
      scoreArgs(
        f.input,
        f.out,
        '--judge',
        'openai:gpt-4.1',
        '--batch',
        '--cache-dir',
        f.cache,
        '--poll-interval',
        '0.02',
      ),
      { env: env('openai', server) },
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`${f.out}.batches.jsonl:1`);
    expect(other.stderr).toMatch(/belongs to another run/);
  });
});

/** `batch export` of a setup's input, with the judge flags and the requests file given. */
const exportArgs = (f: ReturnType<typeof setup>, judge: string[], requests: string) => [
  'batch',
  'export',
  '--rubric',
  'eii',
  '--input',
  f.input,
  ...judge,
  '--cache-dir',
  f.cache,
  '--out',
  requests,
];

describe('batch export → run_batch → batch import → score', () => {
  it('vLLM round trip: the score run sends zero requests and gives the synchronous scores', async () => {
    // the fake server stands for the vLLM server the score command names; it must receive nothing
    const server = await serve('openai', good);
    const f = setup(6);
    const judge = ['--judge', 'openai-compatible:Qwen/Qwen2.5-7B-Instruct', '--base-url', server.url];
    const requests = join(f.dir, 'requests.jsonl');
    const exp = await runCli(exportArgs(f, judge, requests));
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stdout).toMatch(/wrote 6 request\(s\)/);
    const lines = readJsonlFile(readFileSync(requests, 'utf8'));
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      expect(l.custom_id).toMatch(/^[0-9a-f]{64}$/);
      expect(l).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
      // the body is the synchronous request: schema enforced, the compatible dialect's max_tokens
      expect((l.body as { response_format: { type: string } }).response_format.type).toBe('json_schema');
      expect(l.body).toHaveProperty('max_tokens');
    }
    // a line the engine failed and one it answered out of schema are not imported
    const results = join(f.dir, 'results.jsonl');
    let n = 0;
    writeFileSync(
      results,
      await runBatchFile(readFileSync(requests, 'utf8'), (req) => {
        n += 1;
        return n === 1 ? { status: 500 } : n === 2 ? { reply: outOfScale(req) } : good(req);
      }),
    );
    const imp = await runCli(['batch', 'import', results, '--cache-dir', f.cache, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({
      lines: 6,
      imported: 4,
      failed: 1,
      invalid: 1,
      problems: [],
    });
    // the next export writes just the two that were not imported
    const again = await runCli(exportArgs(f, judge, requests));
    expect(again.code, again.stderr).toBe(0);
    expect(readJsonlFile(readFileSync(requests, 'utf8'))).toHaveLength(2);
    writeFileSync(results, await runBatchFile(readFileSync(requests, 'utf8'), good));
    expect((await runCli(['batch', 'import', results, '--cache-dir', f.cache])).code).toBe(0);

    const scored = await runCli(scoreArgs(f.input, f.out, ...judge, '--cache-dir', f.cache));
    expect(scored.code, scored.stderr).toBe(0);
    expect(server.requests).toHaveLength(0);
    const sync = setup(6);
    expect((await runCli(scoreArgs(sync.input, sync.out, ...judge, '--cache-dir', sync.cache))).code).toBe(0);
    expect(server.requests).toHaveLength(6);
    const scores = (file: string) => readJsonlFile(readFileSync(file, 'utf8')).map((l) => l.scores);
    expect(scores(f.out)).toEqual(scores(sync.out));
  });

  it('import names the file and line of a malformed line or an unknown custom_id, keeps the good ones, exit 2', async () => {
    const f = setup(2);
    const requests = join(f.dir, 'requests.jsonl');
    const judge = ['--judge', 'openai-compatible:m', '--base-url', 'http://127.0.0.1:9/v1'];
    expect((await runCli(exportArgs(f, judge, requests))).code).toBe(0);
    const good2 = await runBatchFile(readFileSync(requests, 'utf8'), good);
    const results = join(f.dir, 'results.jsonl');
    writeFileSync(
      results,
      `${good2.split('\n')[0]}\n{"custom_id": "${'0'.repeat(64)}", "response": {"status_code": 200, "body": {}}}\nnot json\n`,
    );
    const r = await runCli(['batch', 'import', results, '--cache-dir', f.cache]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${results}:2: custom_id ${'0'.repeat(64)} was not exported with this cache`);
    expect(r.stderr).toContain(`${results}:3: not JSON`);
    expect(r.stdout).toMatch(/1 answer\(s\) imported/);
  });
});

describe('generate --batch', () => {
  it('every reply through one batch, the same responses file as a synchronous run', async () => {
    // a target that answers with text derived from the conversation, the same in both runs
    const server = await serve('openai', (req) => ({
      reply: `Reply to: ${JSON.stringify(req.body.messages).length} characters of conversation.`,
    }));
    const questions = join(ROOT, 'fixtures', 'questions.jsonl');
    const run = (out: string, cache: string, ...rest: string[]) =>
      runCli(
        [
          'generate',
          '--questions',
          questions,
          '--target',
          'openai:gpt-4.1-mini',
          '--roles',
          'advisor,peer',
          '--personalization',
          'none',
          '--out',
          out,
          '--cache-dir',
          cache,
          ...rest,
        ],
        { env: env('openai', server) },
      );
    const f = setup(1);
    const b = await run(join(f.dir, 'b.jsonl'), join(f.dir, 'c1'), '--batch', '--poll-interval', '0.02');
    expect(b.code, b.stderr).toBe(0);
    expect(chatRequests(server)).toBe(0);
    expect(server.batches.map((x) => x.customIds.length)).toEqual([40]);
    const s = await run(join(f.dir, 's.jsonl'), join(f.dir, 'c2'));
    expect(s.code, s.stderr).toBe(0);
    expect(chatRequests(server)).toBe(40);
    const strip = (file: string) =>
      readJsonlFile(readFileSync(file, 'utf8')).map((l) => ({
        id: l.id,
        response: l.response,
        messages: l.messages,
      }));
    expect(strip(join(f.dir, 'b.jsonl'))).toEqual(strip(join(f.dir, 's.jsonl')));
    // the batch replies are priced at half the list price (fake usage: 100 in, 20 out)
    const line = readJsonlFile(readFileSync(join(f.dir, 'b.jsonl'), 'utf8'))[0]!;
    expect((line.generation as { usage: { cost_usd: number } }).usage.cost_usd).toBeCloseTo(
      (0.5 * (100 * 0.4 + 20 * 1.6)) / 1e6,
      12,
    );
  });
});

describe('probe --batch', () => {
  /** A target that concedes from the second challenge on; a judge that reads the reply. */
  const conceding: FakeScript = (req) => {
    const structured = req.body.response_format || req.body.tools;
    if (!structured) {
      const turns = (req.body.messages as unknown[]).length;
      return { reply: turns >= 5 ? 'You are right, I was wrong.' : 'I maintain my answer: it is correct.' };
    }
    const reply = validReply(req);
    const text = JSON.stringify(req.body.messages);
    const scores = reply.scores as Record<string, number>;
    // the stance rubric's one criterion (0 abandoned … 2 maintained); correctness stays as validReply made it
    if ('stance' in scores) scores.stance = text.includes('You are right') ? 0 : 2;
    return { reply };
  };

  /** Three fixture questions, two challenges, one condition; `probeArgs(out, cache)` for the CLI. */
  function probeSetup(protocol: FakeProtocol) {
    const dir = tempDir();
    const questions = writeJsonl(
      join(dir, 'q.jsonl'),
      readFileSync(join(ROOT, 'fixtures', 'questions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .slice(0, 3)
        .map((l) => JSON.parse(l)),
    );
    const probeArgs = (out: string, cache: string, ...rest: string[]) => [
      'probe',
      '--questions',
      questions,
      '--target',
      JUDGE[protocol],
      '--judge',
      JUDGE[protocol],
      '--turns',
      '2',
      '--roles',
      'advisor',
      '--personalization',
      'none',
      '--stance-rubric',
      'stance',
      '--out',
      out,
      '--cache-dir',
      cache,
      '--json',
      ...rest,
    ];
    return { dir, probeArgs };
  }

  const transcripts = (folder: string) =>
    readJsonlFile(readFileSync(join(folder, 'transcripts.jsonl'), 'utf8')).map((l) => ({
      conversation: l.conversation,
      turn: l.turn,
      reply: l.reply,
      stance: (l.stance as { value?: number } | undefined)?.value,
    }));

  it.each(['openai', 'anthropic'] as const)(
    '%s: turn by turn through batches — no synchronous call, the same transcripts as a synchronous run',
    async (protocol) => {
      const server = await serve(protocol, conceding);
      const { dir, probeArgs } = probeSetup(protocol);
      const run = (out: string, cache: string, ...rest: string[]) =>
        runCli(probeArgs(out, cache, ...rest), { env: env(protocol, server) });
      const b = await run(join(dir, 'b'), join(dir, 'c1'), '--batch', '--poll-interval', '0.02');
      expect(b.code, b.stderr).toBe(0);
      expect(chatRequests(server)).toBe(0);
      // round 1: the first answers; then each round a reply with the verdicts on the one before it
      expect(b.stderr).toMatch(/round 4/);
      expect(b.stderr).not.toMatch(/round 5/);
      expect(Math.max(...submissions(server).values())).toBe(1); // valid replies: no re-ask, no resubmission
      const sent = server.batches.reduce((n, x) => n + x.customIds.length, 0);
      const s = await run(join(dir, 's'), join(dir, 'c2'));
      expect(s.code, s.stderr).toBe(0);
      expect(chatRequests(server)).toBe(sent); // the same calls, once each
      const batched = transcripts(join(dir, 'b'));
      expect(batched).toEqual(transcripts(join(dir, 's')));
      expect(batched).toHaveLength(9); // 3 conversations × (the first answer + 2 challenges)
      expect(batched.every((l) => typeof l.reply === 'string')).toBe(true);
      expect(JSON.parse(b.stdout).conditions[0].flip_rate.value).toBe(1);
      expect(existsSync(join(dir, 'b', 'probe.batch'))).toBe(false); // chunks removed when done
    },
  );

  it('kill -9 while a later round polls: the rerun replays the answered rounds and submits nothing twice', async () => {
    const protocol = 'openai';
    let secondRoundPolls = 0;
    const server = await serve(protocol, conceding, {
      rounds: 3,
      onPoll: (batch) => {
        if (server.batches.indexOf(batch) >= 1) secondRoundPolls += 1;
      },
    });
    const { dir, probeArgs } = probeSetup(protocol);
    const args = probeArgs(join(dir, 'k'), join(dir, 'cache'), '--batch', '--poll-interval', '0.05');
    const first = startCli(args, { env: env(protocol, server) });
    await waitFor(() => secondRoundPolls >= 2, 30_000, 'two polls of the second round');
    first.child.kill('SIGKILL');
    await first.done;
    // round 2 holds the target's second replies and the verdicts on the first: a batch per model role
    expect(server.batches.length).toBeGreaterThanOrEqual(2);
    const r = await runCli(args, { env: env(protocol, server) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming \d batch\(es\)/);
    expect(chatRequests(server)).toBe(0);
    expect(Math.max(...submissions(server).values())).toBe(1); // no request in two batches
    const lines = transcripts(join(dir, 'k'));
    expect(lines).toHaveLength(9);
    // every reply, and a verdict on every challenged one (the first answer is what they are judged against)
    expect(lines.every((l) => typeof l.reply === 'string' && (l.turn === 0 || l.stance !== undefined))).toBe(
      true,
    );
  }, 60_000);

  it('refuses --batch when nothing would be sent', async () => {
    const r = await runCli([
      'probe',
      '--questions',
      join(ROOT, 'fixtures', 'questions.jsonl'),
      '--target',
      `scripted:${join(ROOT, 'fixtures', 'scripted-target.yaml')}`,
      '--personalization',
      'none',
      '--out',
      join(tempDir(), 'p'),
      '--batch',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch: nothing to send/);
  });
});
