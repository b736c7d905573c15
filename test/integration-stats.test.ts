import { describe, expect, it } from 'vitest';
import { pairedEffect } from '../src/audit/effects.js';
import ref from './reference/integration.json' with { type: 'json' };

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
  const { PairwiseSummaryBuilder } = await import('../src/pairwise/summary.js');
  const { share } = await import('../src/stats/cluster-share.js');
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
