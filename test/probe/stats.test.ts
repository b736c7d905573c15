import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repeatedMeasuresAnova2 } from '../../src/stats/anova.js';
import { mcnemarExact, wilson } from '../../src/stats/proportion.js';
import { wilcoxonSignedRank } from '../../src/stats/wilcoxon.js';
import integration from '../reference/integration.json' with { type: 'json' };

/**
 * Reference values computed independently with Debian bookworm's Python:
 *   /usr/bin/python3 test/reference/probe_reference.py > test/reference/probe.json
 * scipy 1.10.1 (wilcoxon), statsmodels 0.13.5 (mcnemar exact, proportion_confint wilson, AnovaRM).
 */
const REF = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'reference', 'probe.json'), 'utf8'));

describe('proportions', () => {
  it('Wilson interval equals statsmodels proportion_confint(method="wilson")', () => {
    const a = wilson(7, 20);
    expect(a.ci![0]).toBeCloseTo(0.18119182410108203, 9);
    expect(a.ci![1]).toBeCloseTo(0.5671457233147638, 9);
    const b = wilson(0, 12);
    expect(b.ci![0]).toBe(0);
    expect(b.ci![1]).toBeCloseTo(0.24249400665524096, 9);
  });
  it('exact McNemar equals statsmodels mcnemar(exact=True)', () => {
    expect(mcnemarExact(9, 2).p).toBeCloseTo(0.0654296875, 12);
    expect(mcnemarExact(0, 0).p).toBe(1);
    expect(mcnemarExact(40, 25).p).toBeCloseTo(0.08168153394154003, 10);
  });
});

describe('Wilcoxon signed-rank equals scipy.stats.wilcoxon (1.10.1)', () => {
  it('exact, no ties', () => {
    const r = wilcoxonSignedRank(REF.wilcoxon_exact.d)!;
    expect(r.method).toBe('exact');
    expect(r.statistic).toBe(11.0);
    expect(r.p).toBeCloseTo(0.02685546875, 12);
  });
  it('zeros dropped and ties: normal approximation with tie correction', () => {
    const r = wilcoxonSignedRank(REF.wilcoxon_ties.d)!;
    expect(r.method).toBe('approx');
    expect(r.statistic).toBe(14.0);
    expect(r.p).toBeCloseTo(0.046365826437845, 9);
  });
  it('n > 50: normal approximation', () => {
    const r = wilcoxonSignedRank(REF.wilcoxon_big.d)!;
    expect(r.statistic).toBe(870.0);
    expect(r.p).toBeCloseTo(0.7404372421920332, 9);
  });
});

describe('two-way repeated-measures ANOVA equals statsmodels AnovaRM', () => {
  it('gives no F and no effect size when nothing varies', () => {
    const flat = Array.from({ length: 5 }, () => [
      [0.7, 0.7, 0.7],
      [0.7, 0.7, 0.7],
    ]);
    for (const t of repeatedMeasuresAnova2(flat, ['role', 'personalization'])) {
      expect(t.F).toBeNull();
      expect(t.p).toBeNull();
      expect(t.partial_eta2).toBeNull();
    }
  });

  it('role × personalization on 8 subjects', () => {
    const rows = REF.anova.rows as { subject: number; role: string; personalization: string; y: number }[];
    const roles = ['advisor', 'peer'];
    const pers = ['none', 'profile', 'filler'];
    const data = Array.from({ length: 8 }, (_, s) =>
      roles.map((r) =>
        pers.map((p) => rows.find((x) => x.subject === s && x.role === r && x.personalization === p)!.y),
      ),
    );
    const res = repeatedMeasuresAnova2(data, ['role', 'personalization']);
    expect(res.map((t) => t.effect)).toEqual(['role', 'personalization', 'role:personalization']);
    const F = [57.94723183442667, 10.27329422042673, 6.706372218828606];
    const p = [0.00012499548350804245, 0.0017949819525323752, 0.00906209537817388];
    res.forEach((t, i) => {
      expect(t.F).toBeCloseTo(F[i]!, 9);
      expect(t.p).toBeCloseTo(p[i]!, 9);
      expect(t.df).toBe(REF.anova.df[i]);
      expect(t.df_error).toBe(REF.anova.df_error[i]);
    });
  });
});

describe('probe shares with clustered questions (issue 10 item 6, issue 21 item 6)', async () => {
  const { analyzeLabels } = await import('../../src/probe/analyze.js');
  // 12 conversations in one condition: 3 prompts (groups) of 4; flips concentrated in one group
  const flips = [1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0];
  const rows = (withGroups: boolean) =>
    flips.flatMap((f, i) =>
      [0, 1, 2].map((turn) => ({
        conversation: `c${i}`,
        turn,
        stance: turn === 0 ? 2 : f && turn === 2 ? 0 : 2,
        fields: {
          role: 'peer',
          personalization: 'none',
          ...(withGroups ? { group: `g${Math.floor(i / 4)}` } : {}),
        },
        line: i * 3 + turn + 1,
      })),
    );
  type Rate = { value: number; ci: [number, number]; interval: string; clusters?: number };
  const analyze = (withGroups: boolean) =>
    analyzeLabels(rows(withGroups), { convention: 'plumb', alpha: 0.05, file: 'labels.jsonl' })
      .conditions[0] as unknown as { flip_rate: Rate };
  // Korn–Graubard Clopper–Pearson at the CR2 effective n, computed in R
  // (test/reference/integration_reference.R: clubSandwich 0.5.8's CR2 SE, qbeta)
  const ref = integration.probe.flip_rate;

  it('conversations that share a group get the clustered interval (R), much wider with 3 groups', async () => {
    const clustered = analyze(true).flip_rate;
    const plain = analyze(false).flip_rate;
    expect(plain.value).toBeCloseTo(5 / 12, 15);
    expect(plain.clusters).toBeUndefined();
    expect(Math.abs(plain.ci[0] - ref.independent.lower)).toBeLessThan(1e-9);
    expect(Math.abs(plain.ci[1] - ref.independent.upper)).toBeLessThan(1e-9);
    expect(clustered).toMatchObject({ value: 5 / 12, clusters: 3 });
    expect(clustered.interval).toMatch(/Clopper–Pearson/);
    expect(Math.abs(clustered.ci[0] - ref.clustered.lower)).toBeLessThan(1e-9);
    expect(Math.abs(clustered.ci[1] - ref.clustered.upper)).toBeLessThan(1e-9);
    expect(clustered.ci[1] - clustered.ci[0]).toBeGreaterThan(plain.ci[1] - plain.ci[0]);
    // and the printed table says so, with the cluster count
    const { renderProbeConditions } = await import('../../src/cli/commands/probe.js');
    const printed = renderProbeConditions(
      analyzeLabels(rows(true), { convention: 'plumb', alpha: 0.05, file: 'labels.jsonl' }) as never,
    );
    expect(printed).toMatch(/shares are cluster-robust .* 3 clusters per condition/);
    const unclustered = renderProbeConditions(
      analyzeLabels(rows(false), { convention: 'plumb', alpha: 0.05, file: 'labels.jsonl' }) as never,
    );
    expect(unclustered).not.toMatch(/cluster-robust/);
  });
});
