import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairItem } from '../../src/judges/pairwise-types.js';
import { orderDrawer, positionsByModel } from '../../src/pairwise/run.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startRawServer } from '../study/presets/raw-server.js';

/**
 * `--orders r-sample` and `plumb pairwise --preset kelley-riedl-2026`: one order per pair as the
 * released GoalPref-Bench judge draws it — R's set.seed(456), then sample(c("generic_is_A",
 * "personalized_is_A"), 1) per row in file order (evaluate_alignment.R 29, 152–154). The recorded
 * draws are R 4.2.2's (test/study/presets/data/ab_order_seed456.csv, made by `Rscript seeds.R` as
 * test/study/r-random.test.ts says).
 */
const R_ORDERS = readFileSync(
  join(import.meta.dirname, '..', 'study', 'presets', 'data', 'ab_order_seed456.csv'),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',')[1]!.replace(/"/g, ''));

const pair = (i: number): PairItem =>
  ({
    id: `p${i}`,
    messages: [],
    a: 'generic',
    b: 'personalized',
    metadata: {},
    raw: {},
  }) as unknown as PairItem;

describe('--orders r-sample', () => {
  it("draws R's 250 orders, in input order, whatever the ids", () => {
    const draw = orderDrawer('r-sample', 0);
    // asked out of order (as a concurrent run may ask), each pair gets its position's draw
    const asked = Array.from({ length: 250 }, (_, i) => (i * 97) % 250);
    const byPosition: string[] = [];
    for (const i of asked) byPosition[i] = draw(pair(250 - i), i)[0]!;
    const ours = byPosition;
    expect(ours).toEqual(R_ORDERS.map((o) => (o === 'generic_is_A' ? 'AB' : 'BA')));
    // a new pass draws the same orders again (the batch run's collecting pass, then its final pass)
    const again = orderDrawer('r-sample', 0);
    expect(again(pair(1), 0)).toEqual([ours[0]]);
    // 129 of R's 250 rows show the generic reply first
    expect(ours.filter((o) => o === 'AB')).toHaveLength(129);
  });

  it("starts R's draw again for each model, as R judges one responses file per model", () => {
    const position = positionsByModel();
    const withModel = (model: string | undefined) =>
      ({ ...pair(0), metadata: model === undefined ? {} : { model } }) as PairItem;
    const seq = ['m1', 'm2', 'm1', 'm1', 'm2', undefined, 'm2', undefined].map((m) => position(withModel(m)));
    expect(seq).toEqual([0, 0, 1, 2, 1, 0, 2, 1]);
  });
});

describe('plumb pairwise --preset kelley-riedl-2026', () => {
  let srv: Awaited<ReturnType<typeof startRawServer>>;
  let dir: string;
  let pairs: string;
  beforeAll(async () => {
    srv = await startRawServer(() => 'A');
    dir = tempDir();
    pairs = join(dir, 'pairs.jsonl');
    writeFileSync(
      pairs,
      Array.from({ length: 12 }, (_, i) =>
        JSON.stringify({
          id: `s${i + 1}`,
          prompt: `statement ${i + 1}`,
          response_a: `generic reply ${i + 1}`,
          response_b: `personalized reply ${i + 1}`,
          metadata: { question_id: `s${i + 1}`, ai_agent_goal: `goal ${i + 1}` },
        }),
      )
        .join('\n')
        .concat('\n'),
    );
  });
  afterAll(async () => {
    await srv.close();
  });
  const run = (...extra: string[]) =>
    runCli(
      [
        'pairwise',
        '--preset',
        'kelley-riedl-2026',
        '--input',
        pairs,
        '--judge',
        'openai-compatible:openai/gpt-4o-mini',
        '--base-url',
        srv.url,
        '--no-cache',
        '--concurrency',
        '4',
        ...extra,
      ],
      { env: { OPENAI_COMPATIBLE_API_KEY: 'sk-test' } },
    );

  it("shows each pair in R's order and maps the bare answer back to the side", async () => {
    const out = join(dir, 'out.jsonl');
    const r = await run('--out', out);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const [i, line] of lines.entries()) {
      const generic = R_ORDERS[i] === 'generic_is_A';
      // the judge always answers 'A': the reply shown first wins
      expect(line.verdict, line.id).toBe(generic ? 'A' : 'B');
      expect(Object.keys(line.judgements)).toEqual([generic ? 'AB' : 'BA']);
      const sent = srv.requests
        .map((q) => JSON.parse(q.body.toString('utf8')))
        .find((b) => b.messages[1].content.includes(`goal ${i + 1}\n`));
      expect(sent.messages[1].content, line.id).toContain(
        `Response A: ${generic ? 'generic' : 'personalized'} reply ${i + 1}\n`,
      );
      expect(Object.keys(sent)).toEqual(['model', 'messages', 'max_tokens', 'temperature']);
      expect([sent.max_tokens, sent.temperature]).toEqual([10, 0]);
    }
  });

  it('refuses what nothing would use, and a rubric the R body cannot carry (exit 2)', async () => {
    const seed = await run('--seed', '7');
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/--seed 7 would be ignored/);
    const schema = await run('--rubric', 'preference');
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/preference@1\.0\.0 answers through a JSON schema/);
    const none = await runCli(['pairwise', '--input', pairs, '--judge', 'lexicon']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--rubric is required \(or --preset kelley-riedl-2026\)/);
  });

  it('--orders random --seed 7 under the preset is allowed: the seed draws the orders', async () => {
    const r = await run('--orders', 'random', '--seed', '7', '--out', join(dir, 'random.jsonl'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ orders: 'random', n: { total: 12 } });
  });
});
