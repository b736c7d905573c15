import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  calibrateVerdicts,
  readGoldVerdicts,
  verdictAgreement,
  verdictCeiling,
} from '../../src/calibration/verdicts.js';
import type { Verdict } from '../../src/rubrics/pairwise.js';
import { ROOT, runCli, tempDir, writeJsonl } from '../helpers/cli.js';

/**
 * Pairwise calibration (issue 10, item 2): a pairwise judge's verdicts against people's. Reference:
 * scikit-learn 1.2.1 (accuracy_score, cohen_kappa_score, confusion_matrix on every (pair, rater)
 * label) and NLTK 3.8's AnnotationTask.alpha (nominal) — test/reference/verdicts_reference.py.
 */
const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'reference', 'verdicts.json'), 'utf8')) as {
  items: { id: string; judge: Verdict; ratings: Record<string, Verdict> }[];
  matched: number;
  ratings: number;
  accuracy: number;
  cohen_kappa: number;
  confusion: number[][];
  alpha_nominal: number;
  ceiling: { items: number; accuracy: number; mean_pairwise_kappa: number; alpha_nominal: number };
};
const items = ref.items
  .filter((it) => Object.keys(it.ratings).length)
  .map((it) => ({ id: it.id, judge: it.judge, ratings: new Map(Object.entries(it.ratings)) }));

describe('judge verdicts against people', () => {
  it('accuracy, Cohen’s kappa, the confusion matrix and nominal alpha equal sklearn and NLTK', () => {
    const a = verdictAgreement(items);
    expect(a.items).toBe(ref.matched);
    expect(a.ratings).toBe(ref.ratings);
    expect(a.accuracy).toBeCloseTo(ref.accuracy, 14);
    expect(a.cohen_kappa).toBeCloseTo(ref.cohen_kappa, 14);
    expect(a.confusion.counts).toEqual(ref.confusion);
    expect(a.krippendorff_alpha_nominal).toBeCloseTo(ref.alpha_nominal, 14);
  });

  it('the human ceiling equals the same figures among the raters', () => {
    const c = verdictCeiling(items);
    expect(c.items_with_2plus_raters).toBe(ref.ceiling.items);
    expect(c.accuracy).toBeCloseTo(ref.ceiling.accuracy, 14);
    expect(c.mean_pairwise_cohen_kappa).toBeCloseTo(ref.ceiling.mean_pairwise_kappa, 14);
    expect(c.krippendorff_alpha_nominal).toBeCloseTo(ref.ceiling.alpha_nominal, 14);
  });

  it("a rater's later line replaces the earlier one; an empty verdict clears it (plumb rate appends every change)", async () => {
    const f = writeJsonl(join(tempDir(), 'ratings.jsonl'), [
      { id: 'p1', rater: 'ann', verdict: 'A' },
      { id: 'p2', rater: 'ann', verdict: 'B' },
      { id: 'p1', rater: 'bob', verdict: 'tie' },
      { id: 'p1', rater: 'ann', verdict: null },
      { id: 'p2', rater: 'ann', verdict: 'A' },
      { id: 'p3', rater: 'bob', verdict: null },
    ]);
    expect(await readGoldVerdicts(f)).toEqual([
      { id: 'p2', rater: 'ann', verdict: 'A' },
      { id: 'p1', rater: 'bob', verdict: 'tie' },
    ]);
  });

  it('corner cases: perfect agreement, one label only, nothing to compare', () => {
    const same = [
      { id: 'a', judge: 'A' as Verdict, ratings: new Map([['r', 'A' as Verdict]]) },
      { id: 'b', judge: 'B' as Verdict, ratings: new Map([['r', 'B' as Verdict]]) },
    ];
    expect(verdictAgreement(same)).toMatchObject({
      accuracy: 1,
      cohen_kappa: 1,
      krippendorff_alpha_nominal: 1,
    });
    // everyone always says A: agreement is perfect but kappa and alpha are undefined (no variation), not 0 or 1
    const flat = same.map((s) => ({
      ...s,
      judge: 'A' as Verdict,
      ratings: new Map([['r', 'A' as Verdict]]),
    }));
    expect(verdictAgreement(flat)).toMatchObject({
      accuracy: 1,
      cohen_kappa: null,
      krippendorff_alpha_nominal: null,
    });
    expect(verdictAgreement([])).toMatchObject({ accuracy: null, cohen_kappa: null });
  });

  it('bootstrap intervals hold the estimate and are reproducible from the seed', () => {
    const judge = { verdicts: new Map(ref.items.map((it) => [it.id, it.judge])), unjudged: 0 };
    const gold = ref.items.flatMap((it) =>
      Object.entries(it.ratings).map(([rater, verdict]) => ({ id: it.id, rater, verdict })),
    );
    const opts = { resamples: 500, seed: 3, confidence: 0.95 };
    const r = calibrateVerdicts(judge, gold, opts);
    for (const k of ['accuracy', 'cohen_kappa', 'krippendorff_alpha_nominal'] as const) {
      const ci = r.ci[k]!;
      expect(ci[0]).toBeLessThan(r.agreement[k]!);
      expect(ci[1]).toBeGreaterThan(r.agreement[k]!);
    }
    expect(calibrateVerdicts(judge, gold, opts).ci).toEqual(r.ci);
  });
});

describe('plumb calibrate on a pairwise file', () => {
  const dir = tempDir('plumb-verdicts-');
  const judgeFile = writeJsonl(
    join(dir, 'pairwise.jsonl'),
    // a pairwise output carries much more; another tool's file needs only id and verdict
    [...ref.items.map((it) => ({ id: it.id, verdict: it.judge })), { id: 'p-unjudged', verdict: null }],
  );
  const goldFile = writeJsonl(
    join(dir, 'gold.jsonl'),
    ref.items.flatMap((it) =>
      Object.entries(it.ratings).map(([rater, verdict]) => ({ id: it.id, rater, verdict })),
    ),
  );

  it('prints and returns the figures, the human ceiling and the alt-test in its accuracy form', async () => {
    const r = await runCli([
      'calibrate',
      '--scores',
      judgeFile,
      '--gold',
      goldFile,
      '--alt-test',
      '--min-items',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.kind).toBe('verdict-calibration');
    expect(j.n).toMatchObject({ matched: 39, unjudged: 1, raters: ['ana', 'ben', 'cho'] });
    expect(j.agreement.cohen_kappa).toBeCloseTo(ref.cohen_kappa, 14);
    expect(j.alt_test.annotators).toHaveLength(3);
    expect(typeof j.alt_test.winning_rate).toBe('number');
    const text = await runCli(['calibrate', '--scores', judgeFile, '--gold', goldFile]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/accuracy\s+0\.663 \[/);
    expect(text.stdout).toMatch(/human ceiling over 38 pairs/);
  });

  it('bad input is exit 2 with file:line; score-only options are refused', async () => {
    const badGold = writeJsonl(join(dir, 'bad-gold.jsonl'), [
      { id: 'p0', rater: 'ana', verdict: 'A' },
      { id: 'p1', rater: 'ana', verdict: 'C' },
    ]);
    const r = await runCli(['calibrate', '--scores', judgeFile, '--gold', badGold]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${badGold}:2: verdict must be one of A, B, tie, got "C"`);
    const badJudge = writeJsonl(join(dir, 'bad-judge.jsonl'), [
      { id: 'p0', verdict: 'A' },
      { id: 'p1', verdict: 'b' },
    ]);
    const j = await runCli(['calibrate', '--scores', badJudge, '--gold', goldFile]);
    expect(j.code).toBe(2);
    expect(j.stderr).toContain(`${badJudge}:2: verdict must be one of A, B, tie`);
    const none = writeJsonl(join(dir, 'other-gold.jsonl'), [{ id: 'zzz', rater: 'ana', verdict: 'A' }]);
    const n = await runCli(['calibrate', '--scores', judgeFile, '--gold', none]);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/no gold id matches a judged pair/);
    const ppi = await runCli(['calibrate', '--scores', judgeFile, '--gold', goldFile, '--ppi']);
    expect(ppi.code).toBe(2);
    expect(ppi.stderr).toMatch(/--ppi applies to scores/);
  });
});
