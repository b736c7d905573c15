import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../src/calibration/gold-sample.js';
import { planGold } from '../../src/calibration/plan.js';
import { ROOT, readJsonlFile, runCli, scoreFixture, tempDir, writeJsonl } from '../helpers/cli.js';

/** Planning gold (issue 10, item 7): gold plan and Neyman allocation. */
describe('planGold', () => {
  it('a worked example: σ ≈ 1, ρ 0.8, 10,000 judged items, half-width 0.1 → 385 gold alone, 142 with PPI++', () => {
    // Python 3.11 + scipy 1.10.1: s = statistics.stdev([0, 2] * 5000) = 1.0000500037503126;
    // ceil((z s / 0.1)²) = 385; ceil(s²(1 − 0.64) / ((0.1/z)² − s²·0.64/10000)) = 142, z = norm.ppf(0.975)
    const judged = Array.from({ length: 10_000 }, (_, i) => (i % 2) * 2);
    const plan = planGold({ criterion: 'overall', judged, rho: 0.8, halfwidth: 0.1, alpha: 0.05 });
    expect(plan.sd_human).toBeCloseTo(1.0000500037503126, 14);
    expect(plan.classical.n).toBe(385);
    expect(plan.ppi.n).toBe(142);
    expect(plan.source).toBe('assumed');
  });

  it('ρ = 0 gives PPI++ no gain; an unreachable half-width says why instead of a number', () => {
    const judged = Array.from({ length: 10_000 }, (_, i) => (i % 2) * 2);
    const none = planGold({ criterion: 'overall', judged, rho: 0, halfwidth: 0.1, alpha: 0.05 });
    expect(none.ppi.n).toBe(none.classical.n);
    const tiny = planGold({
      criterion: 'overall',
      judged: judged.slice(0, 50),
      rho: 0.9,
      halfwidth: 0.01,
      alpha: 0.05,
    });
    expect(tiny.classical.n).toBeNull();
    expect(tiny.classical.reason).toMatch(/more than the 50 judged items/);
    expect(tiny.ppi.n).toBeNull();
  });
});

describe('allocate (stratified gold)', () => {
  it('Neyman: in proportion to N_h·S_h, largest remainder, ties to the earlier stratum', () => {
    // N = 100, 200, 700 and S = 4, 2, 1: weights 400, 400, 700 of 1,500 → 26.67, 26.67, 46.67 → 27, 27, 46
    expect(allocate(100, [100, 200, 700], [400, 400, 700])).toEqual([27, 27, 46]);
  });

  it('never more than a stratum holds: the excess goes to the others', () => {
    expect(allocate(50, [5, 100], [1000, 1])).toEqual([5, 45]);
    expect(allocate(10, [3, 3, 4], [3, 3, 4])).toEqual([3, 3, 4]);
    // constant strata (weight 0 under Neyman) only take what the others cannot
    expect(allocate(12, [10, 10], [0, 5])).toEqual([2, 10]);
    expect(allocate(500, [10, 20], [1, 1])).toEqual([10, 20]);
  });
});

describe('the commands', () => {
  it('gold plan from a pilot, and gold sample --allocation neyman', async () => {
    const dir = tempDir('plumb-plan-');
    const scores = await scoreFixture(dir);
    const r = await runCli([
      'gold',
      'plan',
      '--scores',
      scores,
      '--gold',
      join(ROOT, 'fixtures', 'gold.jsonl'),
      '--target-halfwidth',
      '0.5',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ source: 'pilot', pilot_items: 60, judged_items: 120 });
    expect(plan.ppi.n).toBeLessThanOrEqual(plan.classical.n);
    const missing = await runCli(['gold', 'plan', '--scores', scores, '--target-halfwidth', '0.5']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--gold FILE.*--rho R/);
    const badRho = await runCli([
      'gold',
      'plan',
      '--scores',
      scores,
      '--rho',
      '1',
      '--target-halfwidth',
      '0.5',
    ]);
    expect(badRho.code).toBe(2);
    // a stratum whose judge scores vary more gets more of the gold; a flat one keeps 2
    const rows = readJsonlFile(readFileSync(scores, 'utf8')).map((l, i) => ({
      ...l,
      overall: i < 60 ? 3 : (i % 5) + 1,
      metadata: { ...(l.metadata as object), band: i < 60 ? 'flat' : 'wide' },
    }));
    const banded = writeJsonl(join(dir, 'banded.jsonl'), rows);
    const n = await runCli([
      'gold',
      'sample',
      '--scores',
      banded,
      '--n',
      '20',
      '--stratify',
      'band',
      '--allocation',
      'neyman',
      '--out',
      join(dir, 'sheet'),
    ]);
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/neyman allocation \(flat: 2, wide: 18\)/);
    const p = await runCli([
      'gold',
      'sample',
      '--scores',
      banded,
      '--n',
      '20',
      '--stratify',
      'band',
      '--out',
      join(dir, 'sheet2'),
    ]);
    expect(p.stdout).toMatch(/proportional allocation \(flat: 10, wide: 10\)/);
  });
});

describe("the rating page's ratings as gold", () => {
  it('one rating a line; the latest of a rater for a criterion counts; a null clears it', async () => {
    const { readGold } = await import('../../src/calibration/gold.js');
    const dir = tempDir('plumb-ratings-');
    const file = writeJsonl(join(dir, 'sheet.ratings.jsonl'), [
      { rater: 'ana', id: 'x1', criterion: 'independence', value: 2, time: 't1' },
      { rater: 'ana', id: 'x1', criterion: 'independence', value: 4, time: 't2' },
      { rater: 'ana', id: 'x1', criterion: 'factual_accuracy', value: 3, time: 't3' },
      { rater: 'ana', id: 'x1', criterion: 'factual_accuracy', value: null, time: 't4' },
      { rater: 'ben', id: 'x1', criterion: 'independence', value: 5, time: 't5' },
    ]);
    const gold = await readGold(file);
    expect(gold.map((g) => [g.rater, g.id, g.scores])).toEqual([
      ['ana', 'x1', { independence: 4 }],
      ['ben', 'x1', { independence: 5 }],
    ]);
    const bad = writeJsonl(join(dir, 'bad.ratings.jsonl'), [
      { id: 'x1', criterion: 'independence', value: 2 },
    ]);
    await expect(readGold(bad)).rejects.toThrow(/bad\.ratings\.jsonl:1: missing "rater"/);
  });
});
