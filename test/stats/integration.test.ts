import { describe, expect, it } from 'vitest';
import { pairedEffect } from '../../src/audit/effects.js';
import ref from '../reference/integration.json' with { type: 'json' };

/**
 * Where issue #21's statistics are used: each integration point against values computed in R
 * (`Rscript test/reference/integration_reference.R > test/reference/integration.json`; R 4.2.2,
 * clubSandwich 0.5.8, car 3.1-1 — the script records the method of each).
 */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('audit: the paired effect is CR2 with exchangeable-model Satterthwaite df', () => {
  const a = ref.audit;
  const original = new Map(a.original.map((v, i) => [`i${i}`, { value: v, cluster: a.groups[i]! }]));
  const perturbed = new Map(a.perturbed.map((v, i) => [`i${i}`, v]));
  const r = pairedEffect(original, perturbed);

  it('effect, SE, df, interval and p = R', () => {
    expect(r.n).toBe(a.original.length);
    expect(r.clusters).toBe(a.effect.clusters);
    expect(rel(r.effect.value!, a.effect.value)).toBeLessThan(1e-13);
    expect(rel(r.effect.se!, a.effect.se)).toBeLessThan(1e-10);
    expect(rel(r.effect.df!, a.effect.df)).toBeLessThan(1e-9);
    expect(Math.abs(r.effect.ci![0] - a.effect.lower)).toBeLessThan(1e-9);
    expect(Math.abs(r.effect.ci![1] - a.effect.upper)).toBeLessThan(1e-9);
    expect(rel(r.p_value!, a.effect.p)).toBeLessThan(1e-8);
  });

  it('the share of items that changed: Korn–Graubard Clopper–Pearson (qbeta)', () => {
    expect(r.changed.value).toBeCloseTo(a.changed.value, 14);
    expect(rel(r.changed.effective_n!, a.changed.effective_n)).toBeLessThan(1e-9);
    expect(Math.abs(r.changed.ci![0] - a.changed.lower)).toBeLessThan(1e-9);
    expect(Math.abs(r.changed.ci![1] - a.changed.upper)).toBeLessThan(1e-9);
  });

  it('no spread: an effect of exactly 0 has p = 1; nothing changed gives [0, upper]', () => {
    const same = pairedEffect(
      new Map([
        ['a', { value: 2, cluster: 'x' }],
        ['b', { value: 3, cluster: 'y' }],
        ['c', { value: 3, cluster: 'y' }],
      ]),
      new Map([
        ['a', 2],
        ['b', 3],
        ['c', 3],
      ]),
    );
    expect(same.p_value).toBe(1);
    expect(same.changed.ci![0]).toBe(0);
    expect(same.changed.ci![1]).toBeGreaterThan(0);
    expect(same.changed.ci![1]).toBeLessThanOrEqual(1);
  });
});

describe('pairwise summary: every share is the clustered share', async () => {
  const { PairwiseSummaryBuilder } = await import('../../src/pairwise/summary.js');
  const { share } = await import('../../src/stats/cluster-share.js');
  const pw = ref.pairwise;
  it('win rates by prompt group = R (Korn–Graubard Clopper–Pearson at the CR2 effective n)', () => {
    const b = new PairwiseSummaryBuilder({
      rubric: { id: 'p', version: '1', hash: 'h' },
      judge: { provider: 'lexicon', model: 'x' } as never,
      orders: 'ab',
      samples: 1,
      notes: [],
      seed: 1,
    });
    pw.y.forEach((y, i) => {
      b.add(
        {
          id: `p${i}`,
          messages: [],
          a: 'x',
          b: 'y',
          metadata: { group: pw.g[i] },
          systems: { a: null, b: null },
          raw: {},
        },
        {
          verdict: y ? 'A' : 'B',
          consistent: null,
          orders: {},
          usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
          cached: false,
          requests: 1,
        },
      );
    });
    const s = b.build({ input: 'in', output: null });
    expect(s.clustered_by).toBe('metadata.group');
    expect(Math.abs(s.overall.a.ci![0] - pw.clustered.lower)).toBeLessThan(1e-9);
    expect(Math.abs(s.overall.a.ci![1] - pw.clustered.upper)).toBeLessThan(1e-9);
    expect(s.overall.b.ci).toEqual(
      share(
        pw.y.map((y) => 1 - y),
        pw.g.map((g) => `g:${g}`),
      ).ci,
    );
    expect(s.overall.tie).toMatchObject({ value: 0, clusters: 5 });
    expect(s.overall.tie.ci![0]).toBe(0);
  });
});

describe('probe: paired tests clustered when questions share a group; ANOVA with sphericity corrections', async () => {
  const { compareConditionsPaired, conditionMetrics } = await import('../../src/probe/metrics.js');
  const p = ref.probe;
  const convs = (grouped: boolean) =>
    p.conversations.map((c) => ({
      question_id: c.question_id,
      domain: 'd',
      role: c.role,
      personalization: c.personalization,
      initial: c.initial,
      stances: [c.s1, c.s2, c.s3],
      correct_before: null,
      correct_after: null,
      cluster: grouped ? c.group : c.question_id,
    }));
  const grouped = compareConditionsPaired(convs(true), { alpha: 0.05 });
  const plain = compareConditionsPaired(convs(false), { alpha: 0.05 });
  const pick = (r: typeof grouped) =>
    r.pairs.find((x) => x.role === 'peer' && x.a === 'none' && x.b === 'profile')! as unknown;

  it('grouped questions: CR2 t on EII differences, clustered McNemar, Wilcoxon on group means = R', () => {
    const r = pick(grouped) as unknown as {
      clusters: number;
      paired_t: { p: number; df: number; ci: [number, number]; method: string };
      mcnemar: { p: number; method: string; flipped_only_in_a: number; flipped_only_in_b: number };
      wilcoxon: { p: number; on: string };
    };
    const ref = p.peer_none_profile;
    expect(r.clusters).toBe(6);
    expect(rel(r.paired_t.p, ref.clustered_t.p)).toBeLessThan(1e-8);
    expect(rel(r.paired_t.df, ref.clustered_t.df)).toBeLessThan(1e-9);
    expect(Math.abs(r.paired_t.ci[0] - ref.clustered_t.lower)).toBeLessThan(1e-9);
    expect(Math.abs(r.paired_t.ci[1] - ref.clustered_t.upper)).toBeLessThan(1e-9);
    expect(r.paired_t.method).toMatch(/CR2/);
    expect([r.mcnemar.flipped_only_in_a, r.mcnemar.flipped_only_in_b]).toEqual(ref.discordant);
    expect(rel(r.mcnemar.p, ref.clustered_mcnemar.p)).toBeLessThan(1e-8);
    expect(r.mcnemar.method).toMatch(/clustered/);
    expect(rel(r.wilcoxon.p, ref.wilcoxon_group_means_p)).toBeLessThan(1e-9);
    expect(r.wilcoxon.on).toBe('question-group means');
  });

  it('independent questions: exact McNemar (binom.test) and the paired t-test (t.test)', () => {
    const r = pick(plain) as unknown as {
      clusters?: number;
      paired_t: { p: number; ci: [number, number] };
      mcnemar: { p: number; method: string };
    };
    const ref = p.peer_none_profile;
    expect(r.clusters).toBeUndefined();
    expect(r.mcnemar.method).toBe('exact');
    expect(rel(r.mcnemar.p, ref.exact_mcnemar_p)).toBeLessThan(1e-12);
    expect(rel(r.paired_t.p, ref.t_ungrouped.p)).toBeLessThan(1e-9);
    expect(Math.abs(r.paired_t.ci[0] - ref.t_ungrouped.lower)).toBeLessThan(1e-10);
  });

  for (const [name, result, expected, subjects] of [
    ['groups as subjects', grouped, p.anova_groups, 6],
    ['questions as subjects', plain, p.anova_questions, 18],
  ] as const)
    it(`RM-ANOVA, ${name}: F, Greenhouse–Geisser (printed p) and Huynh–Feldt = car::Anova`, () => {
      const a = result.anova!;
      expect(a.correction).toBe('Greenhouse–Geisser');
      expect((a as { n_subjects?: number }).n_subjects ?? a.n_questions).toBe(subjects);
      a.terms.forEach((t, i) => {
        const e = expected[i]!;
        expect(t.effect).toBe(e.effect);
        expect(rel(t.F!, e.F)).toBeLessThan(1e-9);
        expect(rel(t.p_sphericity_assumed!, e.p_sphericity_assumed)).toBeLessThan(1e-8);
        expect(rel(t.epsilon_gg!, e.epsilon_gg)).toBeLessThan(1e-9);
        expect(rel(t.p!, e.p_gg)).toBeLessThan(1e-8);
        if (e.epsilon_hf !== null) {
          expect(rel(t.epsilon_hf!, e.epsilon_hf)).toBeLessThan(1e-9);
          expect(rel(t.p_hf!, e.p_hf!)).toBeLessThan(1e-8);
        }
      });
    });

  it('condition means stay in range and are clustered; shares stay in [0, 1]', () => {
    const cs = convs(true).filter((c) => c.role === 'peer' && c.personalization === 'profile');
    const m = conditionMetrics(cs, 3);
    for (const e of [m.eii, m.pwc]) {
      expect(e.ci![0]).toBeGreaterThanOrEqual(0);
      expect(e.ci![1]).toBeLessThanOrEqual(1);
      expect(e).toMatchObject({ clusters: 6, interval: 'CR2, Satterthwaite t' });
    }
    expect(m.number_of_flips.ci![0]).toBeGreaterThanOrEqual(0);
    expect(m.flip_rate.ci![0]).toBeGreaterThanOrEqual(0);
    expect(m.flip_rate.ci![1]).toBeLessThanOrEqual(1);
    // two conversations that gave in at once and one that held: EII's t interval would leave [0, 1]
    const tiny = conditionMetrics(
      [0, 2, 2].map((s, i) => ({
        question_id: `t${i}`,
        domain: 'd',
        role: 'peer',
        personalization: 'none',
        initial: 2,
        stances: [s, s, s],
        correct_before: null,
        correct_after: null,
      })),
      3,
    );
    expect(tiny.eii).toMatchObject({ clipped: true, clipped_to: [0, 1] });
    expect(tiny.eii.ci![1]).toBe(1);
    expect(tiny.number_of_flips.ci![0]).toBe(0);
  });
});
