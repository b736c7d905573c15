import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createJudge } from '../../src/judges/create.js';
import type { LlmJudge } from '../../src/judges/llm.js';
import { labelInstruction, pairwiseTask, parseLabelReply } from '../../src/judges/pairwise-task.js';
import { BatchBroker } from '../../src/models/batch/broker.js';
import { batchCallers, throughBatches } from '../../src/models/batch/rounds.js';
import { JudgeCache } from '../../src/models/cache.js';
import type { ModelRuntime } from '../../src/models/runtime.js';
import { pairsFile } from '../../src/pairwise/inputs.js';
import { runPairwise } from '../../src/pairwise/run.js';
import { BUILTIN_RUBRICS_DIR, loadAnyRubricFile, resolvePairwiseRubric } from '../../src/rubrics/load.js';
import type { PairwiseRubric } from '../../src/rubrics/pairwise.js';
import { readJsonlFile, tempDir, writeJsonl } from '../helpers/cli.js';
import { providerEnv } from '../helpers/judge-scripts.js';
import {
  type FakeAction,
  type FakeProtocol,
  type FakeServer,
  type RecordedRequest,
  startFakeProvider,
} from '../support/fake-provider.js';

/**
 * Bare-label answers (issue 19, item 1): a rubric with `answer: label` is asked in plain chat — no
 * JSON schema, no tool — with its own max_tokens and temperature; the reply is read strictly, and
 * anything but a bare label is re-asked with the problem stated, then unscored `invalid_output`
 * with the raw reply kept. Through the real OpenAI and Anthropic SDKs against the fake servers,
 * synchronously and through their batch APIs.
 */

describe('parseLabelReply reads a bare label strictly', () => {
  const labels = ['A', 'B'] as const;
  it.each([
    ['A', 0],
    ['B', 1],
    [' A\n', 0],
    ['B.', 1],
    ['\tA. ', 0],
  ])('%j is label %i', (raw, at) => {
    expect(parseLabelReply(raw, labels)).toEqual({ ok: true, output: at });
  });

  it.each([
    'a',
    'b.',
    "'A'",
    '"B"',
    '**A**',
    'Response A',
    'A or B',
    'A..',
    'A B',
    'AB',
    '',
    '.',
    'tie',
    'A\nB',
  ])('%j is not, and the problem says what is', (raw) => {
    const r = parseLabelReply(raw, labels);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/Answer with the single letter A or B, and nothing else\.$/);
  });

  it('a non-string reply is invalid; longer labels are named as they are', () => {
    expect(parseLabelReply(undefined, labels).ok).toBe(false);
    expect(labelInstruction(['first', 'second'])).toBe('Answer with only first or second, and nothing else.');
  });
});

const KEY = 'sk-test-PLUMBSECRET0123456789';
const SPEC: Record<FakeProtocol, string> = {
  openai: 'openai:gpt-4o-mini',
  anthropic: 'anthropic:claude-haiku-4-5',
};
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

/** The text of every message the judge was sent (Anthropic's system block included). */
function texts(req: RecordedRequest): string[] {
  const msgs = req.body.messages as { role: string; content: unknown }[];
  const sys = req.body.system as { text: string }[] | undefined;
  return [
    ...(sys ?? []).map((s) => s.text),
    ...msgs.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))),
  ];
}
const firstUser = (req: RecordedRequest) =>
  (req.body.messages as { role: string; content: string }[]).find((m) => m.role === 'user')!.content;
const attempt = (req: RecordedRequest) =>
  (req.body.messages as { role: string }[]).filter((m) => m.role === 'assistant').length;

/**
 * The judge's behaviour per pair (keyed by the response shown first): p0 answers A; p1 " B.\n";
 * p2 "a" then B; p3 "Response A" every time; p4 runs past the token limit once, then answers A.
 */
function script(protocol: FakeProtocol) {
  return (req: RecordedRequest): FakeAction => {
    const which = /Response A: reply-(\d)/.exec(firstUser(req))?.[1];
    const n = attempt(req);
    const cut = protocol === 'openai' ? 'length' : 'max_tokens';
    switch (which) {
      case '0':
        return { reply: 'A' };
      case '1':
        return { reply: ' B.\n' };
      case '2':
        return { reply: n === 0 ? 'a' : 'B' };
      case '3':
        return { reply: 'Response A' };
      case '4':
        return n === 0 ? { reply: 'The first response is clearly', finish: cut } : { reply: 'A' };
      default:
        return { reply: 'B' };
    }
  };
}

function pairsInput(dir: string, n = 5) {
  return writeJsonl(
    join(dir, 'pairs.jsonl'),
    Array.from({ length: n }, (_, i) => ({
      id: `p${i}`,
      prompt: `I feel awful about trip ${i}.`,
      response_a: `reply-${i} generic`,
      response_b: `reply-${i} personalized`,
      metadata: { ai_agent_goal: 'help the client keep the fund' },
    })),
  );
}

function runtimeFor(protocol: FakeProtocol, server: FakeServer, extra: ModelRuntime = {}): ModelRuntime {
  return { env: providerEnv(protocol, server.url, KEY), maxRetries: 1, timeoutMs: 5_000, ...extra };
}

async function judgeRun(
  protocol: FakeProtocol,
  server: FakeServer,
  rubric: PairwiseRubric,
  dir: string,
  extra: ModelRuntime = {},
) {
  const judge = await createJudge(SPEC[protocol], runtimeFor(protocol, server, extra));
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  const result = await runPairwise({
    rubric,
    judges: [judge],
    source: await pairsFile(pairsInput(dir)),
    out,
    orders: 'ab',
    samples: 1,
    seed: 0,
    concurrency: 2,
  });
  const lines = readJsonlFile(readFileSync(result.outPath!, 'utf8'));
  return { judge: judge as LlmJudge, result, lines };
}

describe.each(['openai', 'anthropic'] as const)('%s: bare-label answers through the real SDK', (protocol) => {
  it('plain chat with the rubric’s 10 tokens and temperature; strict reading; re-asks with the problem; unscored with the raw reply', async () => {
    const server = await startFakeProvider(protocol, script(protocol));
    servers.push(server);
    const rubric = await resolvePairwiseRubric('emotional_validation', [BUILTIN_RUBRICS_DIR]);
    const dir = tempDir();
    const { lines, result } = await judgeRun(protocol, server, rubric, dir);
    expect(result.complete).toBe(true);

    // every request: no JSON schema, no tool, the rubric's token limit (and temperature on OpenAI)
    for (const req of server.requests) {
      expect(req.body).not.toHaveProperty('response_format');
      expect(req.body).not.toHaveProperty('tools');
      expect(req.body).not.toHaveProperty('tool_choice');
      if (protocol === 'openai')
        expect(req.body).toMatchObject({ max_completion_tokens: 10, temperature: 0 });
      else expect(req.body).toMatchObject({ max_tokens: 10 });
    }

    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(byId.p0).toMatchObject({ verdict: 'A', judgements: { AB: { verdict: 'A', shown: 'A' } } });
    expect(byId.p1).toMatchObject({ verdict: 'B' });
    expect(byId.p2).toMatchObject({ verdict: 'B' });
    expect(byId.p4).toMatchObject({ verdict: 'A' });
    expect(byId.p3).toMatchObject({
      verdict: null,
      error: { kind: 'invalid_output' },
      judgements: { AB: { error: { kind: 'invalid_output' }, raw_reply: 'Response A' } },
    });
    expect((byId.p3!.error as { message: string }).message).toMatch(/after 3 attempt\(s\)/);
    for (const l of lines) expect(l.verdict).not.toBe('tie');

    const forPair = (i: number) =>
      server.requests.filter((r) => firstUser(r).includes(`Response A: reply-${i}`));
    expect(forPair(0)).toHaveLength(1);
    expect(forPair(1)).toHaveLength(1);
    expect(forPair(3)).toHaveLength(3); // first try + 2 re-asks
    const reask = texts(forPair(2)[1]!);
    expect(reask.at(-2)).toBe('a'); // the invalid reply, as the judge gave it
    expect(reask.at(-1)).toBe(
      'Your previous reply was invalid. The reply was "a", not a bare A or B. Answer with the single letter A or B, and nothing else.',
    );
    expect(reask.join('\n')).not.toMatch(/JSON|record_scores|schema/);
    expect(texts(forPair(4)[1]!).at(-1)).toMatch(
      /^Your previous reply was invalid\. The reply ran past the output token limit \(10\)\. The reply was "The first response is clearly", not a bare A or B\./,
    );

    // the lines say the answer was a bare label
    expect((byId.p0!.judgements as { AB: { rationale: string } }).AB.rationale).toBe('bare label: A');
  });

  it('answers replay from the cache, whose key has the answer mode and the rubric’s settings', async () => {
    const server = await startFakeProvider(protocol, script(protocol));
    servers.push(server);
    const rubric = await resolvePairwiseRubric('emotional_validation', [BUILTIN_RUBRICS_DIR]);
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const first = await judgeRun(protocol, server, rubric, dir, { cache: new JudgeCache(cache) });
    const sent = server.requests.length;
    const again = await judgeRun(protocol, server, rubric, dir, { cache: new JudgeCache(cache) });
    expect(server.requests.length).toBe(sent);
    expect(again.lines.map((l) => l.verdict)).toEqual(first.lines.map((l) => l.verdict));
    expect(again.lines.filter((l) => l.verdict !== null).every((l) => l.cached === true)).toBe(true);

    const p = (await pairsFile(pairsInput(dir))).pairs()[Symbol.asyncIterator]();
    const pair = (await p.next()).value!;
    const task = pairwiseTask(rubric, pair, 'AB');
    expect(task.key).toMatchObject({ answer: 'label', labels: ['A', 'B'], forced_choice: true });
    const params = first.judge.paramsFor(task);
    expect(params).toMatchObject({ maxTokens: 10, temperature: 0 });
    // the same task under the judge's own settings is another key
    expect(first.judge.taskCacheKey(task.key, 0, params)).not.toBe(first.judge.taskCacheKey(task.key, 0));
    const { answer: _a, labels: _l, ...structured } = task.key;
    expect(first.judge.taskCacheKey(structured, 0, params)).not.toBe(
      first.judge.taskCacheKey(task.key, 0, params),
    );
  });

  it('a bare-label rubric without a template asks for the label in plumb’s own tagged prompt', async () => {
    const server = await startFakeProvider(protocol, () => ({ reply: 'second' }));
    servers.push(server);
    const dir = tempDir();
    const path = join(dir, 'plain-label-1.0.0.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      path,
      stringify({
        id: 'plain-label',
        version: '1.0.0',
        kind: 'pairwise',
        description: 'd',
        verdicts: { A: 'a better', B: 'b better' },
        forced_choice: true,
        answer: 'label',
        labels: ['first', 'second'],
        max_tokens: 5,
        instructions: 'Pick the better one.',
      }),
    );
    const rubric = (await loadAnyRubricFile(path)) as PairwiseRubric;
    const { lines } = await judgeRun(protocol, server, rubric, dir);
    expect(lines.every((l) => l.verdict === 'B')).toBe(true);
    const all = texts(server.requests[0]!).join('\n');
    expect(all).toMatch(
      /Answer with only first \(response_a\) or second \(response_b\): no rationale, no other text\./,
    );
    expect(all).toMatch(/Which response is better by the rubric\? Answer with only first or second\.$/);
    expect(all).not.toMatch(/- tie:|structured format/);
    expect(server.requests[0]!.body).toMatchObject(
      protocol === 'openai' ? { max_completion_tokens: 5 } : { max_tokens: 5 },
    );
  });
});

describe.each(['openai', 'anthropic'] as const)(
  '%s: bare-label answers through the batch API',
  (protocol) => {
    it('the batch lines are plain chat with the rubric’s settings; a re-ask goes in a follow-up batch; the final pass answers from the cache', async () => {
      const server = await startFakeProvider(protocol, script(protocol), { batch: { rounds: 1 } });
      servers.push(server);
      const rubric = await resolvePairwiseRubric('goal_alignment_pairwise', [BUILTIN_RUBRICS_DIR]);
      const dir = tempDir();
      const runtime: ModelRuntime = runtimeFor(protocol, server, {
        cache: new JudgeCache(join(dir, 'cache')),
        broker: new BatchBroker(),
      });
      const judge = await createJudge(SPEC[protocol], runtime);
      const source = await pairsFile(pairsInput(dir));
      const out = join(dir, 'out.jsonl');
      const run = (final: boolean) =>
        runPairwise({
          rubric,
          judges: [judge],
          source,
          out: final ? out : null,
          orders: 'ab',
          samples: 1,
          seed: 0,
          concurrency: 2,
          minScored: final ? 1 : 0,
        });
      const outcome = await throughBatches(
        {
          runtime,
          callers: batchCallers([judge]),
          out,
          fingerprint: { test: 'label batch', rubric: rubric.hash },
          signal: new AbortController().signal,
          maxRetries: 1,
          pollIntervalMs: 10,
          log: () => {},
        },
        run,
      );
      expect(outcome.ok).toBe(true);
      const chat = server.requests.filter((r) => /\/(chat\/completions|messages)$/.test(r.path));
      expect(chat).toHaveLength(0); // nothing synchronous
      // 5 first requests; follow-ups: p2 and p4 once, p3 twice
      expect(server.batches.map((b) => b.customIds.length)).toEqual([5, 3, 1]);
      for (const b of server.batches)
        for (const body of b.bodies.values()) {
          expect(body).not.toHaveProperty('response_format');
          expect(body).not.toHaveProperty('tools');
          expect(body).toMatchObject(
            protocol === 'openai' ? { max_completion_tokens: 10, temperature: 0 } : { max_tokens: 10 },
          );
          const sys =
            protocol === 'openai'
              ? (body.messages as { role: string; content: string }[])[0]!.content
              : (body.system as { text: string }[])[0]!.text;
          expect(sys).toBe(rubric.instructions);
        }
      const lines = readJsonlFile(readFileSync(out, 'utf8'));
      expect(lines.map((l) => l.verdict)).toEqual(['A', 'B', 'B', null, 'A']);
      expect(lines[3]).toMatchObject({
        error: { kind: 'invalid_output' },
        judgements: { AB: { raw_reply: 'Response A' } },
      });
      expect(lines[0]!.judge).toMatchObject({ prompt: 'pairwise-template-v1' });
    });
  },
);
