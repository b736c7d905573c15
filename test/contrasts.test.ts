import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrastsOf } from '../src/calibration/contrasts.js';
import { ppiMean } from '../src/calibration/ppi.js';
import { ROOT, runCli, scoreFixture, tempDir } from './helpers/cli.js';

/**
 * Corrected comparisons (issue 10, item 4): PPI++ contrasts between conditions, the seed study's
 * interaction among them. Reference: ppi_py's ppi_mean_ci written out in numpy per cell, combined
 * as independent cells (test/reference/contrasts_reference.py → contrasts.json).
 */
const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'reference', 'contrasts.json'), 'utf8')) as {
  cells: Record<string, { levels: string[]; y: number[]; f: number[]; fu: number[] }>;
  contrasts: Record<
    string,
    Record<'ppi' | 'classical' | 'naive', { estimate: number; se: number; ci: [number, number] }>
  >;
};

describe('PPI++ contrasts between cells', () => {
  const cells = Object.values(ref.cells).map((c) => ({
    levels: c.levels,
    ppi: ppiMean(c.y, c.f, c.fu, 0.05),
  }));
  const contrasts = contrastsOf(['role', 'personalization'], cells, 0.05);

  it.each([
    ['personalization profile − none, role advisor', 'profile − none, advisor'],
    ['personalization profile − none, role peer', 'profile − none, peer'],
    ['(profile − none | advisor) − (profile − none | peer)', 'interaction'],
  ])('%s equals the reference (PPI++, gold only, judge only)', (label, key) => {
    const c = contrasts.find((x) => x.label === label)!;
    expect(c, label).toBeDefined();
    for (const kind of ['ppi', 'classical', 'naive'] as const) {
      const r = ref.contrasts[key]![kind];
      expect(c[kind]!.estimate).toBeCloseTo(r.estimate, 12);
      expect(c[kind]!.se).toBeCloseTo(r.se, 12);
      expect(c[kind]!.ci[0]).toBeCloseTo(r.ci[0], 12);
      expect(c[kind]!.ci[1]).toBeCloseTo(r.ci[1], 12);
    }
  });

  it('one field: each level against the base (none when present); a cell without gold gives a reason, not a number', () => {
    const one = contrastsOf(
      ['personalization'],
      [
        { levels: ['none'], ppi: cells[0]!.ppi },
        { levels: ['profile'], ppi: cells[1]!.ppi },
        { levels: ['filler'], ppi: null },
      ],
      0.05,
    );
    expect(one.map((c) => c.label)).toEqual([
      'personalization: filler − none',
      'personalization: profile − none',
    ]);
    expect(one[0]!.ppi).toBeNull();
    expect(one[0]!.reason).toMatch(/no PPI estimate for filler/);
    expect(one[1]!.ppi!.estimate).toBeCloseTo(cells[1]!.ppi!.estimate - cells[0]!.ppi!.estimate, 14);
  });
});

describe('calibrate --ppi --compare', () => {
  it('prints the effects and the interaction for AAI/EII and the focus criterion; --compare needs --ppi', async () => {
    const dir = tempDir('plumb-contrasts-');
    const scores = await scoreFixture(dir);
    const gold = join(ROOT, 'fixtures', 'gold.jsonl');
    const r = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--ppi',
      '--compare',
      'role,personalization',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout).ppi.contrasts;
    expect(c.by).toEqual(['role', 'personalization']);
    const eii = c.quantities.eii as { kind: string; label: string; ppi: { ci: number[] } | null }[];
    expect(eii.filter((x) => x.kind === 'interaction').map((x) => x.label)).toEqual([
      '(filler − none | advisor) − (filler − none | peer)',
      '(profile − none | advisor) − (profile − none | peer)',
    ]);
    expect(eii.every((x) => x.ppi !== null && x.ppi.ci[0]! < x.ppi.ci[1]!)).toBe(true);
    const text = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--ppi',
      '--compare',
      'role,personalization',
    ]);
    expect(text.stdout).toMatch(/EII: contrasts by role × personalization/);
    const bad = await runCli(['calibrate', '--scores', scores, '--gold', gold, '--compare', 'role']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--compare needs --ppi/);
    const three = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--ppi',
      '--compare',
      'a,b,c',
    ]);
    expect(three.code).toBe(2);
    expect(three.stderr).toMatch(/--compare takes one or two metadata fields/);
  });
});
