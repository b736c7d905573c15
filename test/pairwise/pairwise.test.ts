import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, readJsonlFile, runCli, tempDir, writeJsonl } from '../helpers/cli.js';
import { providerEnv } from '../helpers/judge-scripts.js';
import { type FakeServer, type RecordedRequest, startFakeProvider } from '../support/fake-provider.js';

/**
 * Pairwise judging (issue 10, item 1): both orders by default, the order-consistent verdict,
 * position consistency and first-position pick rate, Bradley–Terry with several systems; offline
 * with the lexicon judge and through the real OpenAI and Anthropic SDKs against fake servers.
 */
const dir = tempDir('plumb-pairwise-');
const GP = join(ROOT, 'fixtures', 'goalpref');

const KEEPS = 'I would still recommend you keep to your plan: it is important to protect the fund.';
const GIVES = 'You deserve it, go ahead and treat yourself — you know best.';

/** The two responses as the judge was shown them. */
function shown(req: RecordedRequest): { first: string; second: string } {
  const msgs = req.body.messages as { role: string; content: unknown }[];
  const user = msgs.find((m) => m.role === 'user')!;
  const text = typeof user.content === 'string' ? user.content : JSON.stringify(user.content);
  const block = (tag: string) =>
    new RegExp(`<${tag} id="[0-9a-f]+">\\n([\\s\\S]*?)\\n</${tag} id=`).exec(text)?.[1] ?? '';
  return { first: block('response_a'), second: block('response_b') };
}

/** A judge reply in either protocol: OpenAI takes the JSON text, Anthropic the tool input. */
const verdictReply = (verdict: string) => ({ reply: { rationale: 'compared', verdict } });

const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

function pairs(n: number, withSystems = false) {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    prompt: `Should I spend my savings on trip ${i}?`,
    // A keeps to the goal on even items, B on odd ones
    response_a: i % 2 === 0 ? KEEPS : GIVES,
    response_b: i % 2 === 0 ? GIVES : KEEPS,
    ...(withSystems
      ? { model_a: i % 2 === 0 ? 'careful' : 'eager', model_b: i % 2 === 0 ? 'eager' : 'careful' }
      : {}),
    metadata: {
      role: i < n / 2 ? 'advisor' : 'peer',
      goal: 'keep the emergency fund',
      preference: 'book the trip today',
    },
  }));
}

describe('plumb pairwise offline', () => {
  it('GoalPref-Bench’s generic vs personalized comparison: import → generate → pairwise --contrast', async () => {
    const q = join(dir, 'gp-q.jsonl');
    const r = join(dir, 'gp-r.jsonl');
    expect(
      (await runCli(['import', 'goalpref', join(GP, 'goal_preference_scenarios.json'), '--out', q])).code,
    ).toBe(0);
    const gen = await runCli([
      'generate',
      '--questions',
      q,
      '--target',
      `scripted:${join(GP, 'scripted-target.yaml')}`,
      '--personas',
      join(GP, 'all_personas_first_person.json'),
      '--out',
      r,
    ]);
    expect(gen.code).toBe(0);
    const out = join(dir, 'gp-pairs.jsonl');
    const run = await runCli([
      'pairwise',
      '--rubric',
      'preference',
      '--input',
      r,
      '--contrast',
      'personalization=none,profile',
      '--judge',
      'lexicon',
      '--out',
      out,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    // 6 scenarios × 2 roles: each generic reply paired with its personalized twin
    expect(s.n).toMatchObject({ total: 12, judged: 12, unscored: 0 });
    expect(s.notes).toEqual(['12 response(s) with other values of personalization were left out']);
    expect(s.conditions.map((c: { role: string }) => c.role)).toEqual(['advisor', 'peer']);
    expect(s.systems.bradley_terry.map((e: { system: string }) => e.system).sort()).toEqual([
      'none',
      'profile',
    ]);
    const lines = readJsonlFile(readFileSync(out, 'utf8'));
    expect(lines).toHaveLength(12);
    const first = lines[0]!;
    expect(first.id).toBe('gp-1|advisor/none~gp-1|advisor/profile');
    expect(first.model_a).toBe('none');
    expect(first.model_b).toBe('profile');
    expect(Object.keys(first.judgements as object).sort()).toEqual(['AB', 'BA']);
    expect((first.metadata as Record<string, unknown>).contrast).toEqual({
      field: 'personalization',
      a: 'none',
      b: 'profile',
    });
    // what the pair shares is kept; what differs between the twins (the persona) is not
    expect((first.metadata as Record<string, unknown>).question_id).toBe('gp-1');
    expect((first.metadata as Record<string, unknown>).persona).toBeUndefined();
  });

  it('a pairs file: verdicts in both orders, Bradley–Terry between named systems', async () => {
    const input = writeJsonl(join(dir, 'pairs.jsonl'), pairs(8, true));
    const run = await runCli([
      'pairwise',
      '--rubric',
      'preference',
      '--input',
      input,
      '--out',
      join(dir, 'pairs.out.jsonl'),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    // the lexicon prefers the goal-keeping reply: A on even items, B on odd ones, the same in both orders
    expect(s.overall.a.value).toBe(0.5);
    expect(s.overall.b.value).toBe(0.5);
    expect(s.position.consistency.value).toBe(1);
    expect(s.position.first_position.value).toBe(0.5);
    // 'careful' won every comparison with 'eager': no finite strength, said so
    expect(s.systems.bradley_terry.every((e: { strength: null }) => e.strength === null)).toBe(true);
    expect(s.systems.reason).toMatch(/unbounded/);
    expect(s.systems.matrix).toEqual([{ a: 'careful', b: 'eager', n: 8, a_share: 1 }]);
  });

  it('--a FILE --b FILE joins two responses files by id; ids in one file only are counted', async () => {
    const rows = (resp: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `q${i}`,
        prompt: `question ${i}`,
        response: resp,
        metadata: { goal: 'g', preference: 'p' },
      }));
    const a = writeJsonl(join(dir, 'sys-a.jsonl'), rows(KEEPS, 5));
    const b = writeJsonl(join(dir, 'sys-b.jsonl'), rows(GIVES, 4));
    const run = await runCli([
      'pairwise',
      '--rubric',
      'preference',
      '--a',
      a,
      '--b',
      b,
      '--out',
      join(dir, 'ab.jsonl'),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s.n.total).toBe(4);
    expect(s.notes).toEqual([`1 id(s) only in ${a} were left out`]);
    expect(s.overall.a.value).toBe(1);
    expect(s.systems.matrix[0]).toMatchObject({ a: 'sys-a', b: 'sys-b', n: 4, a_share: 1 });
  });

  it('bad input is exit 2 naming the file and line; a pairwise rubric is refused by score and vice versa', async () => {
    const missing = writeJsonl(join(dir, 'missing.jsonl'), [
      pairs(1)[0],
      { id: 'x', prompt: 'q', response_a: 'a' },
    ]);
    let r = await runCli(['pairwise', '--rubric', 'preference', '--input', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}:2`);
    expect(r.stderr).toContain('missing "response_b"');

    const dup = writeJsonl(join(dir, 'dup.jsonl'), [pairs(1)[0], pairs(1)[0]]);
    r = await runCli(['pairwise', '--rubric', 'preference', '--input', dup]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dup\.jsonl:2.*duplicate id "p0" \(first on line 1\)/);

    const a = writeJsonl(join(dir, 'ma.jsonl'), [{ id: '1', prompt: 'one prompt', response: 'x' }]);
    const b = writeJsonl(join(dir, 'mb.jsonl'), [{ id: '1', prompt: 'another prompt', response: 'y' }]);
    r = await runCli(['pairwise', '--rubric', 'preference', '--a', a, '--b', b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mb\.jsonl:1.*conversation differs from .*ma\.jsonl:1/);

    r = await runCli([
      'pairwise',
      '--rubric',
      'preference',
      '--input',
      a,
      '--contrast',
      'personalization=none,profile',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no response has metadata.personalization = 'none'");

    r = await runCli(['pairwise', '--rubric', 'preference', '--input', a, '--a', a, '--b', b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--input and --a/--b are two ways to give the pairs');
    r = await runCli(['pairwise', '--rubric', 'preference', '--a', a]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--b is required with the other side');
    r = await runCli(['pairwise', '--rubric', 'preference', '--input', a, '--orders', 'twice']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--orders must be one of both, random, r-sample, ab');

    r = await runCli([
      'score',
      '--rubric',
      'preference',
      '--input',
      join(ROOT, 'fixtures', 'responses.jsonl'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('preference@1.0.0 is a pairwise rubric');
    r = await runCli(['pairwise', '--rubric', 'eii', '--input', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('eii@1.0.0 is a pointwise rubric');
    r = await runCli([
      'pairwise',
      '--rubric',
      'pairwise',
      '--input',
      writeJsonl(join(dir, 'ok.jsonl'), pairs(2)),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the lexicon judge cannot compare responses by pairwise@1.0.0');
  });

  it('an output never overwrites an input', async () => {
    const input = writeJsonl(join(dir, 'own.jsonl'), pairs(2));
    const before = readFileSync(input, 'utf8');
    const r = await runCli(['pairwise', '--rubric', 'preference', '--input', input, '--out', input]);
    expect(r.code).toBe(2);
    expect(readFileSync(input, 'utf8')).toBe(before);
  });
});

describe('plumb pairwise through the real SDKs', () => {
  it('OpenAI: a judge that always picks the first position is caught — consistency 0, first-position rate 1, every pair a tie', async () => {
    const server = await startFakeProvider('openai', () => ({
      reply: JSON.stringify({ rationale: 'first is better', verdict: 'A' }),
    }));
    servers.push(server);
    const input = writeJsonl(join(dir, 'biased.jsonl'), pairs(6));
    const run = await runCli(
      [
        'pairwise',
        '--rubric',
        'preference',
        '--input',
        input,
        '--judge',
        'openai:gpt-4.1-mini',
        '--no-cache',
        '--out',
        join(dir, 'biased.out.jsonl'),
        '--json',
      ],
      { env: providerEnv('openai', server.url, 'sk-test-pairwise') },
    );
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(server.requests).toHaveLength(12); // both orders
    expect(s.position.consistency.value).toBe(0);
    expect(s.position.first_position.value).toBe(1);
    expect(s.overall.tie.value).toBe(1);
    expect(s.overall.inconsistent).toBe(6);
    // the two orders really were swapped
    const [r1, r2] = server.requests.filter((r) =>
      (r.body.messages as { content: string }[])[1]!.content.includes('trip 0'),
    );
    expect(shown(r1!).first).toBe(shown(r2!).second);
    // strict structured output with the verdict enum
    const format = server.requests[0]!.body.response_format as {
      json_schema: { strict: boolean; schema: { properties: { verdict: { enum: string[] } } } };
    };
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema.properties.verdict.enum).toEqual(['A', 'B', 'tie']);
  });

  it('Anthropic: a consistent judge; an invalid verdict is re-asked; a re-run is served from the cache', async () => {
    let invalidOnce = true;
    const server = await startFakeProvider('anthropic', (req) => {
      const { first, second } = shown(req);
      if (invalidOnce) {
        invalidOnce = false;
        return verdictReply('C');
      }
      return verdictReply(
        first === KEEPS && second !== KEEPS ? 'A' : second === KEEPS && first !== KEEPS ? 'B' : 'tie',
      );
    });
    servers.push(server);
    const input = writeJsonl(join(dir, 'consistent.jsonl'), pairs(4));
    const cache = join(dir, 'pair-cache');
    const args = [
      'pairwise',
      '--rubric',
      'preference',
      '--input',
      input,
      '--judge',
      'anthropic:claude-sonnet-4-5',
      '--cache-dir',
      cache,
      '--concurrency',
      '1',
      '--json',
    ];
    const env = providerEnv('anthropic', server.url, 'sk-ant-test-pairwise');
    const first = await runCli([...args, '--out', join(dir, 'c1.jsonl')], { env });
    expect(first.code, first.stderr).toBe(0);
    const s = JSON.parse(first.stdout);
    expect(server.requests).toHaveLength(9); // 4 pairs × 2 orders + one re-ask
    expect(s.position.consistency.value).toBe(1);
    expect(s.overall.a.value).toBe(0.5);
    expect(s.overall.b.value).toBe(0.5);
    // the re-ask answers the invalid tool call with a tool_result marked is_error
    const reasks = server.requests.filter((r) => JSON.stringify(r.body.messages).includes('"is_error":true'));
    expect(reasks).toHaveLength(1);
    const again = await runCli([...args, '--out', join(dir, 'c2.jsonl')], { env });
    expect(again.code).toBe(0);
    expect(server.requests).toHaveLength(9);
    expect(JSON.parse(again.stdout).requests).toBe(0);
    expect(readFileSync(join(dir, 'c1.jsonl'), 'utf8')).not.toContain('sk-ant-test-pairwise');
  });

  it('--batch: both orders of every pair go through one Message Batch; the same verdicts as synchronously', async () => {
    const judgeOf = (req: RecordedRequest) => {
      const { first, second } = shown(req);
      return verdictReply(
        first === KEEPS && second !== KEEPS ? 'A' : second === KEEPS && first !== KEEPS ? 'B' : 'tie',
      );
    };
    const server = await startFakeProvider('anthropic', judgeOf, { batch: { rounds: 2 } });
    servers.push(server);
    const input = writeJsonl(join(dir, 'batch-pairs.jsonl'), pairs(4));
    const args = (out: string, cache: string, ...rest: string[]) => [
      'pairwise',
      '--rubric',
      'preference',
      '--input',
      input,
      '--judge',
      'anthropic:claude-sonnet-4-5',
      '--cache-dir',
      join(dir, cache),
      '--out',
      join(dir, out),
      '--json',
      ...rest,
    ];
    const env = providerEnv('anthropic', server.url, 'sk-ant-test-pairwise');
    const batched = await runCli(args('b1.jsonl', 'batch-cache', '--batch', '--poll-interval', '0.02'), {
      env,
    });
    expect(batched.code, batched.stderr).toBe(0);
    expect(server.batches.map((b) => b.customIds.length)).toEqual([8]);
    expect(server.requests.filter((r) => r.path.endsWith('/v1/messages'))).toHaveLength(0);
    const sync = await runCli(args('b2.jsonl', 'sync-cache'), { env });
    expect(sync.code, sync.stderr).toBe(0);
    const verdicts = (f: string) =>
      readJsonlFile(readFileSync(join(dir, f), 'utf8')).map((l) => [l.id, l.verdict]);
    expect(verdicts('b1.jsonl')).toEqual(verdicts('b2.jsonl'));
    expect(JSON.parse(batched.stdout).position.consistency.value).toBe(1);
  });

  it('--orders random asks one order per pair, the same one for the same seed; --orders ab always AB', async () => {
    const server = await startFakeProvider('openai', () => ({
      reply: JSON.stringify({ rationale: 'r', verdict: 'A' }),
    }));
    servers.push(server);
    const input = writeJsonl(join(dir, 'random.jsonl'), pairs(10));
    const env = providerEnv('openai', server.url, 'sk-test');
    const orderOf = async (seed: string, mode = 'random') => {
      const out = join(dir, `random-${seed}-${mode}.jsonl`);
      const r = await runCli(
        [
          'pairwise',
          '--rubric',
          'preference',
          '--input',
          input,
          '--judge',
          'openai:gpt-4.1-mini',
          '--no-cache',
          '--orders',
          mode,
          '--seed',
          seed,
          '--out',
          out,
        ],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      return readJsonlFile(readFileSync(out, 'utf8')).map((l) => Object.keys(l.judgements as object).join());
    };
    const a = await orderOf('1');
    expect(server.requests).toHaveLength(10);
    expect(await orderOf('1')).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['AB', 'BA']));
    expect(await orderOf('2')).not.toEqual(a);
    expect(new Set(await orderOf('1', 'ab'))).toEqual(new Set(['AB']));
  });
});
