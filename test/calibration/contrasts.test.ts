import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrastsOf, type PromptCells } from '../../src/calibration/contrasts.js';
import type { DesignPpi } from '../../src/calibration/design.js';
import { RunningMoments } from '../../src/stats/descriptive.js';
import { ppiPairedContrast } from '../../src/stats/ppi-design.js';
import { ROOT, runCli, scoreFixture, tempDir } from '../helpers/cli.js';

/**
 * Corrected comparisons (issue 10 item 4, issue 21 item 2): contrasts of per-cell PPI++ means under
 * the gold's design, the seed study's interaction among them, and contrasts paired by prompt
 * (PPI++ over the prompts' contrast values, refused below 10 gold prompts).
 */

/** A cell's estimate as designMean returns it, with chosen numbers (not plumb's output). */
function cell(estimate: number, se: number, df: number, warnings: string[] = []): DesignPpi {
  const side = { estimate, ci: null, se, df, interval: 't' };
  return {
    estimate,
    ci: [estimate - 2 * se, estimate + 2 * se],
    se,
    df,
    interval: 't',
    n_labelled: df + 1,
    n_unlabelled: 50,
    design: 'srs',
    classical: side,
    naive: side,
    warnings,
  };
}

describe('contrasts of independent cells: Σ w·mean, Σ w²·SE², Welch–Satterthwaite t', () => {
  // reference: scipy 1.17.1, V = Σ w² se², df = V² / Σ (w² se²)²/df_k, t.ppf(0.975, df)
  const cells = [
    { levels: ['advisor', 'none'], ppi: cell(0.62, 0.05, 19, ['the gold records no design']) },
    { levels: ['advisor', 'profile'], ppi: cell(0.48, 0.07, 9) },
    { levels: ['peer', 'none'], ppi: cell(0.55, 0.04, 29) },
    { levels: ['peer', 'profile'], ppi: cell(0.3, 0.06, 14) },
  ];
  const list = contrastsOf(['role', 'personalization'], cells, 0.05);

  it.each([
    [
      'personalization profile − none, role advisor',
      {
        estimate: -0.14,
        se: 0.08602325267042628,
        df: 18.27328077433456,
        lo: -0.3205346047717771,
        hi: 0.04053460477177706,
      },
    ],
    [
      '(profile − none | advisor) − (profile − none | peer)',
      {
        estimate: 0.11,
        se: 0.11224972160321825,
        df: 39.583961553744054,
        lo: -0.11693944872913895,
        hi: 0.33693944872913906,
      },
    ],
  ])('%s = scipy', (label, r) => {
    const c = list.find((x) => x.label === label)!;
    for (const kind of ['ppi', 'classical', 'naive'] as const) {
      expect(c[kind]!.estimate).toBeCloseTo(r.estimate, 14);
      expect(c[kind]!.se).toBeCloseTo(r.se, 14);
      expect(c[kind]!.df!).toBeCloseTo(r.df, 10);
      expect(c[kind]!.ci[0]).toBeCloseTo(r.lo, 12);
      expect(c[kind]!.ci[1]).toBeCloseTo(r.hi, 12);
    }
  });

  it('carries the warnings of the cells it is built from', () => {
    const c = list.find((x) => x.label === 'personalization profile − none, role advisor')!;
    expect(c.warnings).toEqual(['the gold records no design']);
    const peer = list.find((x) => x.label === 'personalization profile − none, role peer')!;
    expect(peer.warnings).toEqual([]);
  });

  it('one field: each level against the base (none when present); a cell without an estimate gives its reason', () => {
    const one = contrastsOf(
      ['personalization'],
      [
        { levels: ['none'], ppi: cell(0.6, 0.05, 19) },
        { levels: ['profile'], ppi: cell(0.5, 0.05, 19) },
        {
          levels: ['filler'],
          ppi: {
            ...cell(0.5, 0.05, 4),
            estimate: null,
            ci: null,
            reason: 'needs at least 10 gold items (has 5)',
          },
        },
      ],
      0.05,
    );
    expect(one.map((c) => c.label)).toEqual([
      'personalization: filler − none',
      'personalization: profile − none',
    ]);
    expect(one[0]!.ppi).toBeNull();
    expect(one[0]!.reason).toMatch(
      /no PPI\+\+ estimate for filler \(needs at least 10 gold items \(has 5\)\)/,
    );
    expect(one[1]!.ppi!.estimate).toBeCloseTo(-0.1, 14);
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
  const cellsOf = ['advisor × none', 'advisor × profile', 'peer × none', 'peer × profile'];
  const w: Record<string, number> = {
    'advisor × profile': 1,
    'advisor × none': -1,
    'peer × profile': -1,
    'peer × none': 1,
  };
  /** 30 prompts with an item in every cell; the first `rated` have gold in every cell. */
  function promptsWith(rated: number): PromptCells {
    const prompts: PromptCells = new Map();
    let s = 7;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    for (let p = 0; p < 30; p++) {
      const base = rand();
      prompts.set(
        `prompt-${p}`,
        new Map(
          cellsOf.map((c, k) => {
            const y = base + (c === 'peer × profile' ? -0.3 : 0) + 0.1 * rand();
            return [c, { f: y + 0.05 + 0.05 * rand() + 0.01 * k, y: p < rated ? y : undefined }];
          }),
        ),
      );
    }
    return prompts;
  }
  const contrastVectors = (prompts: PromptCells) => {
    const gold: { human: number; judge: number }[] = [];
    const judgeOnly: number[] = [];
    for (const byCell of prompts.values()) {
      const judge = cellsOf.reduce((s, c) => s + w[c]! * byCell.get(c)!.f, 0);
      if (byCell.get(cellsOf[0]!)!.y !== undefined)
        gold.push({ human: cellsOf.reduce((s, c) => s + w[c]! * byCell.get(c)!.y!, 0), judge });
      else judgeOnly.push(judge);
    }
    return { gold, judgeOnly };
  };
  const cells = cellsOf.map((c) => ({ levels: c.split(' × '), ppi: null }));

  it('each prompt with every cell gives one contrast value; PPI++ runs over prompts (t on gold prompts − 1)', () => {
    const prompts = promptsWith(12);
    const interaction = contrastsOf(['role', 'personalization'], { cells, prompts }, 0.05).find(
      (c) => c.kind === 'interaction',
    )!;
    const { gold, judgeOnly } = contrastVectors(prompts);
    const expected = ppiPairedContrast(gold, judgeOnly, { alpha: 0.05, seed: 1 });
    expect(interaction.paired!.estimate).toBeCloseTo(expected.estimate!, 14);
    expect(interaction.paired!.ci[0]).toBeCloseTo(expected.ci![0], 14);
    expect(interaction.paired!.df).toBe(11);
    expect(interaction.paired).toMatchObject({ prompts_labelled: 12, prompts: 30 });
    // near the planted interaction (+0.3)
    expect(Math.abs(interaction.paired!.estimate - 0.3)).toBeLessThan(0.1);
    // the unpaired estimate has no cells here (null), with its reason; pairing does not need them
    expect(interaction.ppi).toBeNull();
  });

  it('below 10 prompts with gold in every cell: refused, with the count', () => {
    const [c] = contrastsOf(['role', 'personalization'], { cells, prompts: promptsWith(9) }, 0.05);
    expect(c!.paired).toBeNull();
    expect(c!.paired_counts).toEqual({ prompts_labelled: 9, prompts: 30 });
    expect(c!.paired_reason).toMatch(/^9 prompts with gold in every cell .* needs at least 10/);
  });

  it('every prompt rated in full: the prompts’ human contrasts with their t interval (PPI++ needs prompts without gold)', () => {
    const prompts = promptsWith(30);
    const interaction = contrastsOf(['role', 'personalization'], { cells, prompts }, 0.05).find(
      (c) => c.kind === 'interaction',
    )!;
    const m = new RunningMoments();
    for (const g of contrastVectors(prompts).gold) m.push(g.human);
    expect(interaction.paired!.estimate).toBeCloseTo(m.mean, 14);
    expect(interaction.paired!.ci[0]).toBeCloseTo(m.estimate().ci![0], 12);
    expect(interaction.paired!.interval).toMatch(/every prompt rated/);
  });
});
