import { describe, expect, it } from 'vitest';
import { type AgainstHalfPair, againstHalf } from '../../src/pairwise/against-half.js';

/**
 * The test against 50 % (Kelley & Riedl 2026) on pairs whose B side is the treatment, checked
 * against R 4.2.2 (2022-11-10 r83330), lme4 1.1.31:
 *
 *   binom.test(sum(d$y), nrow(d), 0.5)
 *   glmer(y ~ 1 + (1|q), data = d, family = binomial)
 *
 * with d the data below (`q` the question, `y` 1 when B, the personalized reply, was chosen).
 */
const M1 = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1];
// q = rep(paste0("q", 1:8), each = 4); y = M1
// sum 24 of 32; binom.test p 0.0070003667, CI 0.5659506251 0.8853839949
// glmer: (Intercept) 1.733910494 SE 1.001443831 z 1.73141063 p 0.08337855208; var 3.040846987; isSingular FALSE
const M2 = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1];
// q = rep(paste0("q", 1:8), each = 3); y = M2
// sum 17 of 24; binom.test p 0.0639146566, CI 0.4890521861 0.8738479115
// glmer: (Intercept) 0.8873031558 SE 0.4490886843 z 1.975786046 p 0.04817901454; var 0; isSingular TRUE

const contrast = { field: 'personalization', a: 'none', b: 'profile' };

function pairs(model: string, ys: number[], per: number): AgainstHalfPair[] {
  return ys.map((y, i) => ({
    id: `${model}-${i}`,
    verdict: y === 1 ? 'B' : 'A',
    metadata: {
      model,
      dataset: 'oeq',
      role: 'advisory',
      question_id: `q${Math.floor(i / per) + 1}`,
      contrast,
    },
    rubric: 'emotional_validation',
  }));
}

describe('againstHalf: the share preferring the treatment, against 50 %', () => {
  const extra: AgainstHalfPair[] = [
    // judged without a verdict: counted by reason, not in the share
    {
      id: 'u1',
      verdict: null,
      errorKind: 'orders_disagree',
      metadata: { model: 'm1', dataset: 'oeq', role: 'advisory', question_id: 'q1', contrast },
      rubric: 'emotional_validation',
    },
    {
      id: 'u2',
      verdict: null,
      errorKind: 'split_vote',
      metadata: { model: 'm1', dataset: 'oeq', role: 'advisory', question_id: 'q2', contrast },
      rubric: 'emotional_validation',
    },
    // a failure: counted apart
    {
      id: 'f1',
      verdict: null,
      errorKind: 'provider_error',
      metadata: { model: 'm1', dataset: 'oeq', role: 'advisory', question_id: 'q3', contrast },
      rubric: 'emotional_validation',
    },
    // not a contrast pair: left out
    { id: 'x', verdict: 'B', metadata: { model: 'm1' }, rubric: 'emotional_validation' },
  ];
  const groups = againstHalf([...pairs('m2', M2, 3), ...extra, ...pairs('m1', M1, 4)]);

  it('groups by model (and dataset, role, rubric), sorted', () => {
    expect(groups.map((g) => g.model)).toEqual(['m1', 'm2']);
    expect(groups[0]).toMatchObject({
      dataset: 'oeq',
      role: 'advisory',
      rubric: 'emotional_validation',
      field: 'personalization',
      baseline: 'none',
      treatment: 'profile',
      pairs: 35,
      decided: 32,
      undecided: { orders_disagree: 1, split_vote: 1 },
      failed: 1,
      ties: 0,
      preferring_treatment: 24,
      questions: 8,
    });
  });

  it("equals R's binom.test and glmer (non-singular)", () => {
    const g = groups[0]!;
    expect(g.share).toBe(0.75);
    expect(g.binom!.p).toBeCloseTo(0.0070003667, 9);
    expect(g.binom!.ci95[0]).toBeCloseTo(0.5659506251, 8);
    expect(g.binom!.ci95[1]).toBeCloseTo(0.8853839949, 8);
    expect(g.glmm!.model).toBe('glmm');
    expect(g.glmm!.singular).toBe(false);
    expect(g.glmm!.estimate).toBeCloseTo(1.733910494, 4);
    expect(g.glmm!.se).toBeCloseTo(1.001443831, 4);
    expect(g.glmm!.z).toBeCloseTo(1.73141063, 4);
    expect(g.glmm!.p).toBeCloseTo(0.08337855208, 4);
    expect(g.glmm!.question_variance!).toBeCloseTo(3.040846987, 3);
    // Wilson 95 %: prop.test(24, 32, correct = FALSE)$conf.int, R 4.2.2 → 0.5789344101 0.8674759908
    expect(g.wilson95![0]).toBeCloseTo(0.5789344101, 9);
    expect(g.wilson95![1]).toBeCloseTo(0.8674759908, 9);
  });

  it("equals R's figures and flags the singular fit", () => {
    const g = groups[1]!;
    expect(g).toMatchObject({ decided: 24, preferring_treatment: 17, failed: 0 });
    expect(g.binom!.p).toBeCloseTo(0.0639146566, 9);
    expect(g.glmm!.singular).toBe(true);
    expect(g.glmm!.estimate).toBeCloseTo(0.8873031558, 4);
    expect(g.glmm!.se).toBeCloseTo(0.4490886843, 4);
    expect(g.glmm!.z).toBeCloseTo(1.975786046, 4);
    expect(g.glmm!.p).toBeCloseTo(0.04817901454, 4);
    expect(g.notes.join(' ')).toContain('estimated at zero');
  });

  it('a group without a fit says why in glmm_note (separation, or nothing decided); a fitted one has none', () => {
    expect(groups[0]!.glmm_note).toBeNull();
    const [all] = againstHalf(pairs('m3', [1, 1, 1, 1, 1, 1], 2));
    expect(all!.glmm).toBeNull();
    expect(all!.share).toBe(1);
    expect(all!.glmm_note).toMatch(
      /^all 6 decided pairs prefer the treatment \(profile\): the GLMM has no finite estimate \(separation/,
    );
    const [none] = againstHalf(pairs('m4', [0, 0, 0], 1));
    expect(none!.glmm_note).toMatch(/^all 3 decided pairs prefer the baseline \(none\)/);
    const [empty] = againstHalf([{ ...extra[0]!, metadata: { ...extra[0]!.metadata, model: 'm5' } }]);
    expect(empty!.decided).toBe(0);
    expect(empty!.glmm_note).toBe('no decided pair: nothing to test, so no GLMM');
  });
});
