import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusteredMoments, clusteredMean } from '../src/stats/cluster.js';
import { RunningMoments } from '../src/stats/descriptive.js';
import { ROOT, readJsonlFile, runCli, scoreArgs, tempDir, writeJsonl } from './helpers/cli.js';

/**
 * Clustered intervals in score summaries (issue 10, item 6): when items share `metadata.group`,
 * every mean's interval is cluster-robust. Reference: statsmodels 0.13.5 OLS(y, 1) with
 * cov_type='cluster', use_t=True (test/reference/cluster_reference.py → cluster.json; the t
 * quantile from mpmath).
 */
const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'reference', 'cluster.json'), 'utf8')) as {
  cases: {
    name: string;
    y: number[];
    groups: (string | null)[];
    mean: number;
    se: number;
    clusters: number;
    ci_mpmath: [number, number];
  }[];
};

describe('ClusteredMoments (streamed cluster-robust mean)', () => {
  it.each(ref.cases.map((c) => [c.name, c] as const))('%s: equals statsmodels', (_name, c) => {
    const m = new ClusteredMoments();
    for (const [i, y] of c.y.entries()) m.push(y, c.groups[i]);
    const e = m.estimate() as { value: number; ci: [number, number]; se: number; clusters: number };
    expect(e.value).toBeCloseTo(c.mean, 13);
    expect(e.se).toBeCloseTo(c.se, 13);
    expect(e.clusters).toBe(c.clusters);
    expect(e.ci[0]).toBeCloseTo(c.ci_mpmath[0], 12);
    expect(e.ci[1]).toBeCloseTo(c.ci_mpmath[1], 12);
    expect(m.clusters).toBe(c.clusters);
  });

  it('with no groups it is the ordinary t interval, and reports no cluster count', () => {
    const ys = [3, 1, 4, 1, 5, 9, 2, 6];
    const m = new ClusteredMoments();
    const plain = new RunningMoments();
    for (const y of ys) {
      m.push(y);
      plain.push(y);
    }
    expect(m.estimate()).toEqual(plain.estimate());
    expect(m.clustered).toBe(false);
  });

  it('one value per cluster gives the ordinary interval; one cluster gives none', () => {
    const ys = [2, 7, 1, 8, 2, 8];
    const each = new ClusteredMoments();
    for (const [i, y] of ys.entries()) each.push(y, `g${i}`);
    const plain = new RunningMoments();
    for (const y of ys) plain.push(y);
    expect(each.estimate().ci![0]).toBeCloseTo(plain.estimate().ci![0], 13);
    expect(each.estimate().ci![1]).toBeCloseTo(plain.estimate().ci![1], 13);
    const one = new ClusteredMoments();
    for (const y of ys) one.push(y, 'same');
    expect(one.estimate()).toMatchObject({ value: 14 / 3, ci: null, clusters: 1 });
  });
});

describe('score summaries with metadata.group', () => {
  it('report cluster-robust intervals and the cluster count; the lines say which items clustered', async () => {
    const dir = tempDir('plumb-cluster-');
    const rows = readFileSync(join(ROOT, 'fixtures', 'responses.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => {
        const row = JSON.parse(l);
        // twelve prompts, ten responses each
        return { ...row, metadata: { ...row.metadata, group: `prompt-${i % 12}` } };
      });
    const input = writeJsonl(join(dir, 'grouped.jsonl'), rows);
    const r = await runCli(scoreArgs(input, join(dir, 'out.jsonl'), '--summary', join(dir, 's.json')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/intervals are cluster-robust: 12 clusters by metadata.group/);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(s.clustered).toEqual({ by: 'metadata.group', clusters: 12 });
    // the overall interval is the clustered one of the per-item values (clusteredMean, checked above against statsmodels)
    const lines = readJsonlFile(readFileSync(join(dir, 'out.jsonl'), 'utf8'));
    const overall = lines.map((l) => l.overall as number);
    const groups = lines.map((l) => (l.metadata as { group: string }).group);
    const expected = clusteredMean(overall, groups);
    expect(s.overall.value).toBeCloseTo(expected.value!, 12);
    expect(s.overall.ci[0]).toBeCloseTo(expected.ci![0], 12);
    expect(s.overall.ci[1]).toBeCloseTo(expected.ci![1], 12);
    // without groups, the summary says so and uses the ordinary interval
    const ungrouped = writeJsonl(
      join(dir, 'ungrouped.jsonl'),
      rows.map(({ metadata: { group: _g, ...metadata }, ...row }) => ({ ...row, metadata })),
    );
    const plain = await runCli(scoreArgs(ungrouped, join(dir, 'p.jsonl'), '--summary', join(dir, 'p.json')));
    expect(plain.code).toBe(0);
    const p = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
    expect(p.clustered).toBeNull();
    const ordinary = new RunningMoments();
    for (const v of overall) ordinary.push(v);
    expect(p.overall.ci[0]).toBeCloseTo(ordinary.estimate().ci![0], 12);
    expect(p.overall.ci[1]).toBeCloseTo(ordinary.estimate().ci![1], 12);
  });
});
