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

describe('paired contrasts (by prompt)', () => {
  it('each prompt with every cell gives one contrast value; PPI++ runs over prompts', () => {
    const cellsOf = ['advisor × none', 'advisor × profile', 'peer × none', 'peer × profile'];
    const prompts: import('../src/calibration/contrasts.js').PromptCells = new Map();
    const rand = (() => {
      let s = 7;
      return () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return s / 2147483648;
      };
    })();
    for (let p = 0; p < 30; p++) {
      const base = rand();
      const rated = p < 12; // gold for every cell of the first 12 prompts
      prompts.set(
        `prompt-${p}`,
        new Map(
          cellsOf.map((c, k) => {
            const y = base + (c === 'peer × profile' ? -0.3 : 0) + 0.1 * rand();
            return [c, { f: y + 0.05 + 0.05 * rand() + 0.01 * k, y: rated ? y : undefined }];
          }),
        ),
      );
    }
    const cells = cellsOf.map((c) => ({ levels: c.split(' × '), ppi: null }));
    const list = contrastsOf(['role', 'personalization'], { cells, prompts }, 0.05);
    const interaction = list.find((c) => c.kind === 'interaction')!;
    // the same PPI++ on the contrast vectors built by hand: (AP − AN) − (PP − PN)
    const w: Record<string, number> = {
      'advisor × profile': 1,
      'advisor × none': -1,
      'peer × profile': -1,
      'peer × none': 1,
    };
    const y: number[] = [];
    const f: number[] = [];
    const fu: number[] = [];
    for (const byCell of prompts.values()) {
      const jf = cellsOf.reduce((s, c) => s + w[c]! * byCell.get(c)!.f, 0);
      const rated = byCell.get(cellsOf[0]!)!.y !== undefined;
      if (rated) {
        y.push(cellsOf.reduce((s, c) => s + w[c]! * byCell.get(c)!.y!, 0));
        f.push(jf);
      } else fu.push(jf);
    }
    const expected = ppiMean(y, f, fu, 0.05)!;
    expect(interaction.paired!.estimate).toBeCloseTo(expected.estimate, 14);
    expect(interaction.paired!.ci[0]).toBeCloseTo(expected.ci[0], 14);
    expect(interaction.paired).toMatchObject({ prompts_labelled: 12, prompts: 30 });
    // near the planted interaction (+0.3)
    expect(Math.abs(interaction.paired!.estimate - 0.3)).toBeLessThan(0.1);
    // the unpaired estimate has no cells here (null), with its reason; pairing does not need them
    expect(interaction.ppi).toBeNull();
  });

  it('fewer than 2 prompts with gold in every cell: no paired estimate, and why', () => {
    const prompts: import('../src/calibration/contrasts.js').PromptCells = new Map([
      [
        'p1',
        new Map([
          ['a', { f: 1, y: 1 }],
          ['b', { f: 2, y: 2 }],
        ]),
      ],
      [
        'p2',
        new Map([
          ['a', { f: 1, y: undefined }],
          ['b', { f: 2, y: 2 }],
        ]),
      ],
    ]);
    const [c] = contrastsOf(
      ['x'],
      {
        cells: [
          { levels: ['a'], ppi: null },
          { levels: ['b'], ppi: null },
        ],
        prompts,
      },
      0.05,
    );
    expect(c!.paired).toBeNull();
    expect(c!.paired_reason).toMatch(/1 prompt\(s\) with gold in every cell and 1 without/);
  });
});
