import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rubric } from '../../src/rubrics/schema.js';
import { SummaryBuilder } from '../../src/score/summary.js';
import { RunningMoments } from '../../src/stats/descriptive.js';
import { ROOT, readJsonlFile, runCli, scoreArgs, tempDir, writeJsonl } from '../helpers/cli.js';
import ref from '../reference/summary.json' with { type: 'json' };

/**
 * The intervals of score summaries (issue 10 item 6, issue 21 items 5 and 6). With items sharing
 * `metadata.group`: CR2 with Satterthwaite df under an exchangeable working model; a 0/1
 * criterion on a 0–1 scale: Korn–Graubard Clopper–Pearson at the CR2 effective n; intervals cut
 * at the scale. Reference: `Rscript test/reference/summary_reference.R > test/reference/summary.json`
 * (R 4.2.2, clubSandwich 0.5.8 for the CR2 SE; the exchangeable-model df by brute-force N×N
 * matrices and aov()'s ANOVA ICC; qt and qbeta for the quantiles) — see the script.
 */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** A one-criterion rubric on a given scale, enough for SummaryBuilder. */
function rubricOn(min: number, max: number): Rubric {
  return {
    id: 'test',
    version: '1.0.0',
    hash: 'h',
    scale: { min, max },
    criteria: [{ name: 'c' }],
    indices: {},
  } as unknown as Rubric;
}

function summarise(ys: number[], groups: (string | null)[], range: readonly number[]) {
  const b = new SummaryBuilder(rubricOn(range[0]!, range[1]!), {
    rubric: null,
    judge: null,
    samples: 1,
    calibration: null,
    ladder: null,
  });
  ys.forEach((y, i) => {
    b.add({
      id: `i${i}`,
      condition: { role: '', personalization: '' },
      group: groups[i],
      ok: true,
      scores: { c: y },
      overall: y,
      indices: {},
      usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      requests: 0,
    });
  });
  return b.build({ input: 'in', output: null });
}

describe('score summary means = R clubSandwich 0.5.8 CR2, exchangeable-model Satterthwaite df', () => {
  for (const c of ref.means)
    it(c.name, () => {
      const s = summarise(c.y, c.groups, c.range);
      const e = s.criteria.c!;
      expect(rel(e.value!, c.mean)).toBeLessThan(1e-13);
      expect(rel(e.se!, c.se)).toBeLessThan(1e-10);
      expect(rel(e.df!, c.df)).toBeLessThan(1e-9);
      expect(e.clusters).toBe(c.clusters);
      expect(Math.abs(e.ci![0] - c.lower)).toBeLessThan(1e-9);
      expect(Math.abs(e.ci![1] - c.upper)).toBeLessThan(1e-9);
      expect(e.clipped === true).toBe(c.clipped);
      if (c.clipped) expect(e.clipped_to).toEqual(c.range);
      expect(e.interval).toBe('CR2, Satterthwaite t');
      expect(s.clustered).toEqual({ by: 'metadata.group', clusters: c.clusters });
    });
});

describe('score summary shares of a 0/1 criterion = Korn–Graubard Clopper–Pearson (R qbeta)', () => {
  for (const c of ref.shares)
    it(c.name, () => {
      const e = summarise(c.y, c.groups, [0, 1]).criteria.c!;
      expect(e.value).toBeCloseTo(c.value, 15);
      expect(rel(e.effective_n!, c.effective_n)).toBeLessThan(1e-9);
      expect(Math.abs(e.ci![0] - c.lower)).toBeLessThan(1e-9);
      expect(Math.abs(e.ci![1] - c.upper)).toBeLessThan(1e-9);
      // the cluster count only when items share groups
      expect(e.clusters).toBe(c.groups.some((g) => g !== null) ? c.clusters : undefined);
      expect(e.interval).toMatch(/Clopper–Pearson/);
    });

  it('a 0–1 scale with non-binary values (means over samples) is a clipped mean, not a share', () => {
    const e = summarise([1, 1, 1, 0.5, 1, 1, 1, 1], [null, null, null, null, null, null, null, null], [0, 1])
      .criteria.c!;
    expect(e.interval).toBeUndefined();
    expect(e.ci![1]).toBe(1);
    expect(e.clipped).toBe(true);
  });
});

describe('score summaries without groups', () => {
  it('are the ordinary t interval exactly, with nothing else', () => {
    const ys = [3, 1, 4, 1, 5, 2, 2, 5];
    const plain = new RunningMoments();
    for (const y of ys) plain.push(y);
    const e = summarise(
      ys,
      ys.map(() => null),
      [1, 5],
    ).criteria.c!;
    expect(e).toEqual(plain.estimate());
  });

  it('one cluster gives no interval; one value gives none', () => {
    const one = summarise([2, 7, 1], ['same', 'same', 'same'], [0, 10]).criteria.c!;
    expect(one).toMatchObject({ value: 10 / 3, ci: null, clusters: 1 });
    expect(summarise([4], [null], [0, 10]).criteria.c).toMatchObject({ value: 4, ci: null, n: 1 });
  });
});

describe('score summaries with metadata.group, end to end', () => {
  it('report cluster-robust intervals and the cluster count; without groups the ordinary interval', async () => {
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
    expect(s.overall).toMatchObject({ clusters: 12, interval: 'CR2, Satterthwaite t' });
    // equal cluster sizes: CR2 = CR1 and the df are G − 1 whatever the working model
    expect(s.overall.df).toBeCloseTo(11, 9);
    const lines = readJsonlFile(readFileSync(join(dir, 'out.jsonl'), 'utf8'));
    const overall = lines.map((l) => l.overall as number);
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
    expect(p.overall).toEqual(ordinary.estimate());
  });
});
