import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run.js';
import type { Judge, JudgeRequest, JudgeResult } from '../../src/judges/types.js';
import { resolveRubric } from '../../src/rubrics/load.js';
import { seededRandom } from '../../src/stats/random.js';
import { loadAuditConfig } from '../../src/study/config.js';
import { ROOT, runCli, tempDir, writeJsonl } from '../helpers/cli.js';
import { candidateOf, providerEnv, validReply } from '../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

/**
 * plumb audit (issue 10, item 3): bias probes on a judge. A seeded simulation plants a verbosity
 * bias, an authority bias and self-preference in a simulated judge and checks each is recovered
 * inside its 95 % interval at the nominal rate, and that an unplanted probe finds nothing at the
 * nominal rate; the CLI runs offline and through the real OpenAI SDK against a fake server.
 */

const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

/** A seeded generator from a seed string. */
const randomFrom = (seed: string) => seededRandom(createHash('sha256').update(seed).digest().readUInt32BE(0));

/** A standard normal draw from a seed string (Box–Muller on the seeded generator). */
function normal(seed: string): number {
  const rand = randomFrom(seed);
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const PLANTED = { verbosity: 0.5, authority_positive: 0.3, self: 0.4 };

/**
 * A judge with planted biases: an item's score is its quality (item and prompt-group effects)
 * plus noise for each variant it is shown in, plus the planted amounts when the response carries
 * the padding, the prompt the positive claim, or the response was written by its own family.
 */
class BiasedJudge implements Judge {
  readonly stamp = { provider: 'simulated', model: 'gpt-sim' };
  readonly name = 'simulated:gpt-sim';
  constructor(private readonly rep: number) {}
  assertSupports(): void {}
  async judge({ rubric, item }: JudgeRequest): Promise<JudgeResult> {
    const text = JSON.stringify(item.messages);
    const padded = item.response.includes('I hope this explanation is helpful');
    const positive = text.includes('expect the answer I get to be excellent');
    const negative = text.includes('expect the answer I get to be wrong');
    const variant = padded ? 'pad' : positive ? 'pos' : negative ? 'neg' : 'orig';
    const group = String(item.metadata.group);
    let v =
      3 +
      0.7 * normal(`${this.rep}|group|${group}`) +
      0.5 * normal(`${this.rep}|item|${item.id}`) +
      0.4 * normal(`${this.rep}|noise|${item.id}|${variant}`);
    if (padded) v += PLANTED.verbosity;
    if (positive) v += PLANTED.authority_positive;
    if (String(item.metadata.model).startsWith('gpt')) v += PLANTED.self;
    const scores = Object.fromEntries(rubric.criteria.map((c) => [c.name, v]));
    return {
      ok: true,
      scores,
      extra: {},
      rationale: '',
      usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      cached: false,
      requests: 0,
    };
  }
}

function items(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `a${i}`,
    prompt: `Question ${Math.floor(i / 4)}: is it true?`,
    response: `Answer ${i}. It depends on the evidence.`,
    metadata: { group: `prompt-${Math.floor(i / 4)}`, model: i % 2 ? 'claude-x' : 'gpt-4o' },
  }));
}

describe('audit: a seeded simulation with planted biases', () => {
  it('recovers each planted effect inside its 95% CI in ≥ 93% of repetitions, and finds an unplanted one at ≤ the nominal rate (CI-sized: 100 repetitions; npm run bench runs more)', async () => {
    const rubric = await resolveRubric('eii');
    const config = await loadAuditConfig();
    const dir = tempDir('plumb-audit-sim-');
    const input = writeJsonl(join(dir, 'in.jsonl'), items(40));
    const covered = { verbosity: 0, positive: 0, self: 0 };
    let falsePositives = 0;
    const reps = 100;
    for (let rep = 0; rep < reps; rep++) {
      const { report } = await runAudit({
        rubric,
        judge: new BiasedJudge(rep),
        input,
        out: join(dir, `rep${rep}`),
        probes: ['verbosity', 'authority', 'self-preference'],
        padTokens: 30,
        config,
      });
      const p = report.probes as Record<string, any>;
      const inside = (ci: [number, number], x: number) => ci[0] <= x && x <= ci[1];
      if (inside(p.verbosity.effect.ci, PLANTED.verbosity)) covered.verbosity += 1;
      if (inside(p.authority.variants.positive.effect.ci, PLANTED.authority_positive)) covered.positive += 1;
      if (inside(p['self-preference'].ci, PLANTED.self)) covered.self += 1;
      if (p.authority.variants.negative.p_value < 0.05) falsePositives += 1;
    }
    expect(covered.verbosity / reps).toBeGreaterThanOrEqual(0.93);
    expect(covered.positive / reps).toBeGreaterThanOrEqual(0.93);
    expect(covered.self / reps).toBeGreaterThanOrEqual(0.93);
    expect(falsePositives / reps).toBeLessThanOrEqual(0.08);
  }, 240_000);
});

describe('plumb audit from the command line', () => {
  it('offline with the lexicon judge: every variant is a score run in the audit folder; self-preference needs authors', async () => {
    const dir = tempDir('plumb-audit-');
    const out = join(dir, 'audit');
    const r = await runCli([
      'audit',
      '--rubric',
      'eii',
      '--input',
      join(ROOT, 'fixtures', 'responses.jsonl'),
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a.perturbations).toMatchObject({ id: 'audit', version: '1.0.0' });
    expect(a.perturbations.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.probes.position.applicable).toBe(false);
    expect(a.probes['self-preference']).toMatchObject({ applicable: false });
    // the lexicon reads words, not tone: an authority claim in the prompt moves nothing
    expect(a.probes.authority.variants.positive.effect.value).toBe(0);
    expect(a.probes.verbosity.clusters).toBe(20);
    for (const f of ['original', 'verbosity', 'authority-positive', 'authority-negative'])
      expect(existsSync(join(out, `${f}.scores.jsonl`)), f).toBe(true);
    // the padded responses are in the folder, tagged
    const padded = readFileSync(join(out, 'verbosity.input.jsonl'), 'utf8').split('\n')[0]!;
    expect(JSON.parse(padded).metadata.audit).toEqual({ probe: 'verbosity', pad_tokens: 60 });
    const bad = await runCli([
      'audit',
      '--rubric',
      'eii',
      '--input',
      join(ROOT, 'fixtures', 'responses.jsonl'),
      '--probes',
      'tone',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--probes takes a comma-separated list of position, verbosity, self-preference, authority/,
    );
  });

  it('through the real OpenAI SDK: a judge that rewards length shows a verbosity effect', async () => {
    // scores one point higher (capped) when the candidate carries the padding
    const server = await startFakeProvider('openai', (req) => {
      const reply = validReply(req) as { scores: Record<string, number> };
      if (candidateOf(req).includes('thank you for the thoughtful question'))
        for (const k of Object.keys(reply.scores)) reply.scores[k] = Math.min(5, reply.scores[k]! + 1);
      return { reply };
    });
    servers.push(server);
    const dir = tempDir('plumb-audit-sdk-');
    const rows = items(12).map((it) => ({ ...it, response: `${it.response} Option ${it.id} is fine.` }));
    const input = writeJsonl(join(dir, 'in.jsonl'), rows);
    const r = await runCli(
      [
        'audit',
        '--rubric',
        'eii',
        '--input',
        input,
        '--judge',
        'openai:gpt-4.1-mini',
        '--probes',
        'verbosity,self-preference',
        '--out',
        join(dir, 'a'),
        '--cache-dir',
        join(dir, 'cache'),
        '--json',
      ],
      { env: providerEnv('openai', server.url, 'sk-test-AUDIT0123456789') },
    );
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a.probes.verbosity.effect.value).toBeGreaterThan(0);
    expect(a.probes.verbosity.changed.value).toBeGreaterThan(0.5);
    // gpt-4.1-mini judging responses by gpt-4o (its family) and claude-x
    expect(a.probes['self-preference']).toMatchObject({ family: 'openai', n_a: 6, n_b: 6 });
    expect(server.requests).toHaveLength(24);
    expect(readFileSync(join(dir, 'a', 'audit.json'), 'utf8')).not.toContain('sk-test-AUDIT');
  });
});

describe('position bias: a seeded simulation through plumb pairwise', () => {
  it('a planted first-position pick rate is inside its 95% CI in ≥ 93% of repetitions; with none, 0.5 is rejected at ≤ the nominal rate', async () => {
    const { runPairwise } = await import('../../src/pairwise/run.js');
    const { resolvePairwiseRubric } = await import('../../src/rubrics/load.js');
    const { unshow } = await import('../../src/judges/pairwise-types.js');
    const rubric = await resolvePairwiseRubric('pairwise');
    const pairs = Array.from({ length: 40 }, (_, i) => ({
      id: `p${i}`,
      messages: [{ role: 'user' as const, content: `q${i}` }],
      a: `first answer ${i}`,
      b: `second answer ${i}`,
      metadata: {},
      systems: { a: null, b: null },
      raw: { id: `p${i}` },
    }));
    const source = {
      label: 'sim',
      inputs: [],
      count: pairs.length,
      notes: [],
      pairs: async function* () {
        yield* pairs;
      },
    };
    const run = async (firstRate: number, rep: number) => {
      const judge = {
        name: 'simulated',
        pairStamp: () => ({ provider: 'simulated', model: 'sim' }),
        assertSupportsPairwise() {},
        async judgePair({ pair, order }: { pair: { id: string }; order: 'AB' | 'BA' }) {
          // a pure position effect: the response shown first wins with probability firstRate
          const shown =
            randomFrom(`${rep}|${pair.id}|${order}`)() < firstRate ? ('A' as const) : ('B' as const);
          return {
            ok: true as const,
            shown,
            verdict: unshow(shown, order),
            rationale: '',
            usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
            cached: false,
            requests: 0,
          };
        },
      };
      const r = await runPairwise({
        rubric,
        judges: [judge],
        source,
        out: null,
        orders: 'both',
        samples: 1,
        seed: rep,
        concurrency: 4,
        minScored: 0,
      });
      return r.summary.position.first_position;
    };
    const reps = 100;
    let covered = 0;
    let rejected = 0;
    for (let rep = 0; rep < reps; rep++) {
      const biased = await run(0.7, rep);
      if (biased.ci && biased.ci[0] <= 0.7 && 0.7 <= biased.ci[1]) covered += 1;
      const fair = await run(0.5, rep + 100_000);
      if (fair.ci && (fair.ci[0] > 0.5 || fair.ci[1] < 0.5)) rejected += 1;
    }
    expect(covered / reps).toBeGreaterThanOrEqual(0.93);
    expect(rejected / reps).toBeLessThanOrEqual(0.08);
  }, 120_000);
});

describe('self-preference adjusted for gold', () => {
  it('gives the difference of judge − human residuals between own-family and other authors', async () => {
    const dir = tempDir('plumb-audit-gold-');
    const rows = readFileSync(join(ROOT, 'fixtures', 'responses.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => {
        const row = JSON.parse(l);
        // the lexicon judge's own "family" wrote every other response
        return { ...row, metadata: { ...row.metadata, model: i % 2 ? 'lexicon-v1' : 'gpt-4o' } };
      });
    const input = writeJsonl(join(dir, 'in.jsonl'), rows);
    const r = await runCli([
      'audit',
      '--rubric',
      'eii',
      '--input',
      input,
      '--probes',
      'self-preference',
      '--gold',
      join(ROOT, 'fixtures', 'gold.jsonl'),
      '--out',
      join(dir, 'a'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout).probes['self-preference'];
    expect(s).toMatchObject({ family: 'lexicon', n_a: 60, n_b: 60 });
    expect(s.adjusted_for_gold.what).toMatch(/residual/);
    expect(s.adjusted_for_gold.n_a + s.adjusted_for_gold.n_b).toBe(60); // the 60 rated items
    expect(s.adjusted_for_gold.ci[0]).toBeLessThan(s.adjusted_for_gold.ci[1]);
  });
});

describe('the audit statistics against scipy', () => {
  it("Welch's difference equals scipy.stats.ttest_ind(equal_var=False)", async () => {
    const { welchDifference } = await import('../../src/audit/effects.js');
    // scipy 1.10.1: ttest_ind(a, b, equal_var=False) → t 3.4218633577813042, p 0.0048156936962495435;
    // Welch df 12.450921465082372; difference 0.875 with t.ppf(0.975, df) · SE → [0.3200884034045086, 1.4299115965954905]
    const w = welchDifference([3.1, 2.7, 4.0, 3.6, 2.9, 3.3, 4.4, 3.8], [2.5, 3.0, 2.2, 2.8, 3.1, 2.0, 2.6]);
    expect(w.estimate).toBeCloseTo(0.875, 14);
    expect(w.df).toBeCloseTo(12.450921465082372, 10);
    expect(w.p_value).toBeCloseTo(0.0048156936962495435, 12);
    expect(w.ci![0]).toBeCloseTo(0.3200884034045086, 8);
    expect(w.ci![1]).toBeCloseTo(1.4299115965954905, 8);
    expect(welchDifference([1], [2, 3]).estimate).toBeNull();
  });

  it('model families', async () => {
    const { familyOf } = await import('../../src/audit/effects.js');
    expect(
      [
        'gpt-4.1-mini',
        'o3',
        'claude-sonnet-4-6',
        'meta-llama/Llama-3.1-8B',
        'Qwen/Qwen2.5-7B-Instruct',
        'gemini-2.5-pro',
      ].map(familyOf),
    ).toEqual(['openai', 'openai', 'anthropic', 'meta', 'qwen', 'google']);
  });
});
