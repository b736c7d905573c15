import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Message } from '../../src/core/types.js';
import { createJudge } from '../../src/judges/create.js';
import { LexiconJudge } from '../../src/judges/lexicon.js';
import { LlmJudge } from '../../src/judges/llm.js';
import type { PairItem, PairJudge, PairResult } from '../../src/judges/pairwise-types.js';
import type { LlmParams, OutputShape, Transport, TransportReply } from '../../src/models/transport.js';
import { combineOrder, combinePair, type OrderOutcome, sumAccounting } from '../../src/pairwise/combine.js';
import type { PairSource } from '../../src/pairwise/inputs.js';
import { type OrdersMode, runPairwise } from '../../src/pairwise/run.js';
import { BUILTIN_RUBRICS_DIR, loadAnyRubricFile, resolvePairwiseRubric } from '../../src/rubrics/load.js';
import type { PairwiseRubric, Verdict } from '../../src/rubrics/pairwise.js';
import { seededRandom } from '../../src/stats/random.js';
import { readJsonlFile, tempDir } from '../helpers/cli.js';
import { providerEnv } from '../helpers/judge-scripts.js';
import { type FakeProtocol, type FakeServer, startFakeProvider } from '../support/fake-provider.js';

/**
 * Forced choice (issue 19, item 1): a forced-choice rubric's verdicts are A or B, never a tie —
 * not from the judge (a tie is invalid: re-asked, then unscored), not from combining samples, a
 * panel or two orders (a disagreement is no verdict, reported as such). Rubrics that allow ties
 * combine exactly as before.
 */

const ok = (verdict: Verdict): PairResult => ({
  ok: true,
  verdict,
  shown: verdict,
  rationale: `said ${verdict}`,
  usage: { input_tokens: 1, output_tokens: 1, cost_usd: 0 },
  cached: false,
  requests: 1,
});
const acct = sumAccounting([]);

describe('combining under forced choice', () => {
  it('rubrics that allow ties: a split vote and disagreeing orders are ties, as before', () => {
    expect(combineOrder([ok('A'), ok('B')], 'AB', 'sample')).toMatchObject({ ok: true, verdict: 'tie' });
    const orders: Record<'AB' | 'BA', OrderOutcome> = {
      AB: { ok: true, verdict: 'A', shown: 'A', rationale: '' },
      BA: { ok: true, verdict: 'B', shown: 'A', rationale: '' },
    };
    expect(combinePair(orders, acct)).toMatchObject({ verdict: 'tie', consistent: false });
    expect(combinePair(orders, acct).error).toBeUndefined();
  });

  it('forced choice: a split vote is no verdict (split_vote), with the votes kept', () => {
    const split = combineOrder([ok('A'), ok('B')], 'BA', 'sample', { forcedChoice: true });
    expect(split).toMatchObject({ ok: false, error: { kind: 'split_vote' }, votes: { A: 1, B: 1, tie: 0 } });
    expect(combineOrder([ok('A'), ok('B'), ok('B')], 'BA', 'sample', { forcedChoice: true })).toMatchObject({
      ok: true,
      verdict: 'B',
      shown: 'A',
    });
    // a pair with a split order has no verdict, for the same reason
    expect(combinePair({ AB: split }, acct, { forcedChoice: true })).toMatchObject({
      verdict: null,
      error: { kind: 'split_vote' },
    });
  });

  it('forced choice: disagreeing orders are no verdict (orders_disagree), each order kept; one order is its verdict', () => {
    const orders: Record<'AB' | 'BA', OrderOutcome> = {
      AB: { ok: true, verdict: 'A', shown: 'A', rationale: '' },
      BA: { ok: true, verdict: 'B', shown: 'A', rationale: '' },
    };
    const pair = combinePair(orders, acct, { forcedChoice: true });
    expect(pair).toMatchObject({ verdict: null, consistent: false, error: { kind: 'orders_disagree' } });
    expect(pair.error!.message).toMatch(/AB chose A, BA chose B/);
    expect(pair.orders).toBe(orders);
    expect(combinePair({ BA: orders.BA }, acct, { forcedChoice: true })).toMatchObject({
      verdict: 'B',
      consistent: null,
    });
    expect(combinePair({ AB: orders.AB, BA: orders.AB }, acct, { forcedChoice: true })).toMatchObject({
      verdict: 'A',
      consistent: true,
    });
  });
});

/**
 * A judge model in process, answering whatever `answer` says: for the property test, where a
 * thousand calls through HTTP would only be slower. (The real SDKs are driven below.)
 */
class ScriptTransport implements Transport {
  readonly stamp = { provider: 'openai', model: 'script' };
  readonly provider = 'openai' as const;
  constructor(private readonly answer: (structured: boolean) => string) {}
  start(messages: Message[], shape: OutputShape | null) {
    return { messages, structured: shape !== null };
  }
  body(conversation: unknown, _params: LlmParams) {
    return conversation as object;
  }
  parse(): TransportReply {
    throw new Error('not used');
  }
  async send(conversation: unknown): Promise<TransportReply> {
    const { structured } = conversation as { structured: boolean };
    const raw = this.answer(structured);
    const usage = { input_tokens: 1, output_tokens: 1 };
    if (!structured) return { raw, value: raw, finish: 'complete', usage };
    try {
      return { raw, value: JSON.parse(raw), finish: 'complete', usage };
    } catch (err) {
      return { raw, jsonError: (err as Error).message, finish: 'complete', usage };
    }
  }
  reask(conversation: unknown) {
    return conversation;
  }
  isAbort() {
    return false;
  }
}

function source(pairs: PairItem[]): PairSource {
  return {
    label: 'memory',
    inputs: [],
    count: pairs.length,
    notes: [],
    pairs: async function* () {
      yield* pairs;
    },
  };
}

function makePairs(n: number, rand: () => number): PairItem[] {
  const words = [
    'I hear you',
    'perhaps',
    'you are right',
    'actually',
    'NTA',
    'you were wrong',
    'go ahead',
    'I recommend',
  ];
  const reply = () =>
    Array.from({ length: 1 + Math.floor(rand() * 4) }, () => words[Math.floor(rand() * words.length)]).join(
      '. ',
    );
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    messages: [{ role: 'user', content: `question ${i}` }],
    a: reply(),
    b: reply(),
    metadata: { ai_agent_goal: 'keep the fund' },
    systems: { a: null, b: null },
    raw: { id: `p${i}` },
  }));
}

async function writeRubric(extra: Record<string, unknown>): Promise<PairwiseRubric> {
  const dir = tempDir();
  const path = join(dir, 'forced-1.0.0.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    path,
    stringify({
      id: 'forced',
      version: '1.0.0',
      kind: 'pairwise',
      description: 'd',
      verdicts: { A: 'a', B: 'b' },
      forced_choice: true,
      instructions: 'Pick one.',
      ...extra,
    }),
  );
  return (await loadAnyRubricFile(path)) as PairwiseRubric;
}

describe('property: forced-choice verdicts never contain a tie, whatever the judge replies', () => {
  // replies a judge might give: valid and invalid, ties in every spelling
  const STRUCTURED = [
    '{"rationale":"r","verdict":"A"}',
    '{"rationale":"r","verdict":"B"}',
    '{"rationale":"r","verdict":"tie"}',
    '{"rationale":"r","verdict":"Tie"}',
    '{"verdict":"A"}',
    'A',
    'not json',
    '{"rationale":"r","verdict":"C"}',
  ];
  const LABELS = ['A', 'B', 'A.', ' B\n', 'tie', 'Tie.', 'neither', 'a', 'A or B', '', 'TIE', '**A**'];

  for (const mode of ['structured', 'label'] as const)
    it(`${mode} answers: 15 random runs of 16 pairs (orders, samples, panels, replies)`, async () => {
      const rubric = await writeRubric(mode === 'label' ? { answer: 'label', labels: ['A', 'B'] } : {});
      const rand = seededRandom(mode === 'label' ? 19 : 2026);
      let judged = 0;
      let undecided = 0;
      for (let run = 0; run < 15; run++) {
        const replies = mode === 'label' ? LABELS : STRUCTURED;
        const judges: PairJudge[] = Array.from(
          { length: 1 + Math.floor(rand() * 3) },
          (_, j) =>
            new LlmJudge({
              name: `script-${j}`,
              transport: new ScriptTransport(() => replies[Math.floor(rand() * replies.length)]!),
              params: { temperature: 0, seed: 0, maxTokens: 10 },
              reasks: Math.floor(rand() * 3),
              cache: null,
            }),
        );
        const orders = (['both', 'random', 'ab'] as OrdersMode[])[Math.floor(rand() * 3)]!;
        const out = join(tempDir(), 'out.jsonl');
        const result = await runPairwise({
          rubric,
          judges,
          source: source(makePairs(16, rand)),
          out,
          orders,
          samples: 1 + Math.floor(rand() * 4),
          seed: run,
          concurrency: 4,
          minScored: 0,
        });
        const lines = readJsonlFile(readFileSync(result.outPath!, 'utf8'));
        for (const l of lines) {
          expect(l.verdict).not.toBe('tie');
          expect(['A', 'B', null]).toContain(l.verdict);
          for (const j of Object.values(
            l.judgements as Record<
              string,
              { verdict?: string; shown?: string; votes?: Record<string, number> }
            >,
          )) {
            expect(j.verdict).not.toBe('tie');
            expect(j.shown).not.toBe('tie');
            expect(j.votes?.tie ?? 0).toBe(0);
          }
          if (l.verdict !== null) judged += 1;
          const kind = (l.error as { kind?: string } | undefined)?.kind;
          if (kind === 'orders_disagree' || kind === 'split_vote') undecided += 1;
          if (l.verdict === null) expect(kind).toBeDefined();
        }
        expect(result.summary.overall.tie.value ?? 0).toBe(0);
      }
      // the random replies reach every outcome: verdicts, and disagreements that are not ties
      expect(judged).toBeGreaterThan(50);
      expect(undecided).toBeGreaterThan(5);
    });

  it('the lexicon judge breaks a forced-choice tie by the pair id: never a tie, the same side in both orders and every run', async () => {
    const lexicon = new LexiconJudge();
    for (const id of [
      'emotional_validation',
      'hedging',
      'framing_acceptance',
      'openness',
      'responsibility',
    ]) {
      const rubric = await resolvePairwiseRubric(id, [BUILTIN_RUBRICS_DIR]);
      const pairs = makePairs(60, seededRandom(id.length));
      // equal replies: every pair is a tie on markers
      pairs.push(
        ...makePairs(20, seededRandom(7)).map((p) => ({
          ...p,
          id: `same-${p.id}`,
          raw: { id: `same-${p.id}` },
          b: p.a,
        })),
      );
      const run = async () => {
        const r = await runPairwise({
          rubric,
          judges: [lexicon],
          source: source(pairs),
          out: join(tempDir(), 'out.jsonl'),
          orders: 'both',
          samples: 1,
          seed: 0,
          concurrency: 4,
        });
        return readJsonlFile(readFileSync(r.outPath!, 'utf8'));
      };
      const lines = await run();
      for (const l of lines) {
        expect(['A', 'B']).toContain(l.verdict);
        expect(l.consistent).toBe(true);
      }
      const ties = lines.filter((l) => String(l.id).startsWith('same-'));
      expect(ties.every((l) => /broken by the hash of the pair id/.test(JSON.stringify(l.judgements)))).toBe(
        true,
      );
      // about half each way, not all one side
      const a = ties.filter((l) => l.verdict === 'A').length;
      expect(a).toBeGreaterThan(2);
      expect(a).toBeLessThan(18);
      expect((await run()).map((l) => l.verdict)).toEqual(lines.map((l) => l.verdict));
    }
  });
});

const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe.each(['openai', 'anthropic'] as const)(
  '%s: a forced-choice rubric through the schema',
  (protocol: FakeProtocol) => {
    it('the schema sent has no tie; a tie reply is re-asked with the validation error; disagreeing orders are reported, not tied', async () => {
      let n = 0;
      const server = await startFakeProvider(protocol, (req) => {
        n += 1;
        const retry = (req.body.messages as unknown[]).length > (protocol === 'openai' ? 2 : 1);
        // the first answer of every conversation is a tie; then always the response shown first
        return { reply: { rationale: 'compared', verdict: retry ? 'A' : 'tie' } };
      });
      servers.push(server);
      const rubric = await writeRubric({});
      const judge = await createJudge(
        protocol === 'openai' ? 'openai:gpt-4.1-mini' : 'anthropic:claude-sonnet-4-6',
        {
          env: providerEnv(protocol, server.url, 'sk-test-0123456789'),
          maxRetries: 1,
        },
      );
      const result = await runPairwise({
        rubric,
        judges: [judge],
        source: source(makePairs(2, seededRandom(1))),
        out: join(tempDir(), 'out.jsonl'),
        orders: 'both',
        samples: 1,
        seed: 0,
        concurrency: 2,
      });
      expect(n).toBe(8); // 2 pairs × 2 orders × (tie, then A)
      const schema =
        protocol === 'openai'
          ? (
              server.requests[0]!.body.response_format as {
                json_schema: { schema: { properties: { verdict: { enum: string[] } } } };
              }
            ).json_schema.schema
          : (
              server.requests[0]!.body.tools as {
                input_schema: { properties: { verdict: { enum: string[] } } };
              }[]
            )[0]!.input_schema;
      expect(schema.properties.verdict.enum).toEqual(['A', 'B']);
      const reask = JSON.stringify(
        server.requests.find((r) => (r.body.messages as unknown[]).length > 2)!.body.messages,
      );
      expect(reask).toMatch(/verdict/);
      // the zod error, JSON-escaped here: the allowed verdicts are A and B, nothing else
      expect(reask).toContain('expected one of \\"A\\"|\\"B\\"\\n');
      // always "the response shown first": AB says A, BA says B — the orders disagree
      const lines = readJsonlFile(readFileSync(result.outPath!, 'utf8'));
      for (const l of lines)
        expect(l).toMatchObject({
          verdict: null,
          consistent: false,
          error: { kind: 'orders_disagree' },
          judgements: { AB: { verdict: 'A' }, BA: { verdict: 'B' } },
        });
      // judged, not failed: the run completes, and the summary counts them as undecided
      expect(result.complete).toBe(true);
      expect(result.summary.forced_choice).toBe(true);
      expect(result.summary.n).toMatchObject({
        total: 2,
        judged: 0,
        undecided: 2,
        undecided_by_kind: { orders_disagree: 2 },
        unscored: 0,
        unscored_by_kind: {},
      });
    });
  },
);
