import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  binomTestHalf,
  readMixedData,
  type ShareRow,
  shareAgainstHalf,
  type TurnRow,
  turnByCondition,
} from '../../src/mixed/index.js';

/**
 * The analyses other commands report, against R. The reference values are in
 * test/reference/mixed_analyses/analyses.json, written by `Rscript fit_reference.R > analyses.json`
 * in that folder with R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1-31, Matrix 1.5-3, on the CSV
 * files make_data.R wrote (seeded); every case carries its exact R command (`command`).
 *
 * GLMMs: plumb against lme4 with tight optimizer tolerances (`tight`) at 1e-4 relative in β̂
 * (1e-4 SE for a coefficient smaller than its SE) and in SE, 1e-3 in the variance, 1e-5 in logLik;
 * against lme4's defaults, whose stopping rule leaves slack, at 1e-3 SE.
 * The exact test against binom.test at 1e-10 relative (p) and 1e-9 (Clopper–Pearson bounds); the
 * Wilson interval against prop.test(correct = FALSE) at 1e-12; the logistic fallback against
 * glm(y ~ 1, binomial) at 1e-8.
 */
const DIR = join(import.meta.dirname, '..', 'reference', 'mixed_analyses');

interface RFit {
  fixef: Record<string, number>;
  se: Record<string, number>;
  z: Record<string, number>;
  p: Record<string, number>;
  theta: number;
  variance: number;
  logLik: number;
  nobs: number;
  ngrps: Record<string, number>;
  singular: boolean;
}
interface RShare {
  name: string;
  file: string;
  ties: number;
  n: number;
  successes: number;
  groups: number;
  command: string;
  binom: { p: number; ci: [number, number] };
  wilson: [number, number];
  glm: { estimate: number; se: number; z: number; p: number };
  glmer?: { default: RFit; tight: RFit };
}
interface RTurns {
  name: string;
  file: string;
  reference: string | null;
  command: string;
  default: RFit;
  tight: RFit;
}
const ref = JSON.parse(readFileSync(join(DIR, 'analyses.json'), 'utf8')) as {
  R: string;
  lme4: string;
  shares: RShare[];
  turns: RTurns[];
  exact: { k: number; n: number; p: number; ci: [number, number] }[];
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const share = (name: string) => ref.shares.find((s) => s.name === name)!;
const turns = (name: string) => ref.turns.find((t) => t.name === name)!;

async function rowsOf(file: string): Promise<Record<string, unknown>[]> {
  return (await readMixedData(join(DIR, file))).rows;
}
const shareRows = async (file: string): Promise<ShareRow[]> =>
  (await rowsOf(file)).map((r) => ({ y: r.y as 0 | 1 | null, group: String(r.group) }));
const turnRows = async (file: string): Promise<TurnRow[]> =>
  (await rowsOf(file)).map((r) => ({
    y: r.y as 0 | 1 | null,
    turn: r.turn as number,
    condition: String(r.condition),
    group: String(r.group),
  }));

describe('binomTestHalf is R binom.test(k, n, 0.5)', () => {
  it.each(ref.exact.map((e) => [`${e.k}/${e.n}`, e] as const))('%s', (_, e) => {
    const t = binomTestHalf(e.k, e.n);
    expect(rel(t.p, e.p)).toBeLessThan(1e-10);
    expect(Math.abs(t.ci95[0] - e.ci[0])).toBeLessThan(1e-9);
    expect(Math.abs(t.ci95[1] - e.ci[1])).toBeLessThan(1e-9);
  });
});

describe('shareAgainstHalf', () => {
  it('grouped pairs: the GLMM intercept as lme4, the raw share, Wilson and binom.test beside it; ties counted', async () => {
    const r = share('grouped');
    const s = shareAgainstHalf(await shareRows(r.file));
    expect([s.n, s.ties, s.successes, s.groups]).toEqual([r.n, r.ties, r.successes, r.groups]);
    expect(s.model).toBe('glmm');
    const t = r.glmer!.tight;
    const b = s.intercept!;
    expect(rel(b.estimate, t.fixef['(Intercept)']!)).toBeLessThan(1e-4);
    expect(rel(b.se, t.se['(Intercept)']!)).toBeLessThan(1e-4);
    expect(Math.abs(b.z - t.z['(Intercept)']!)).toBeLessThan(1e-3);
    expect(rel(b.p, t.p['(Intercept)']!)).toBeLessThan(1e-3);
    expect(rel(s.groupVariance!, t.variance)).toBeLessThan(1e-3);
    // lme4's default stopping rule: within 1e-3 SE
    const d = r.glmer!.default;
    expect(Math.abs(b.estimate - d.fixef['(Intercept)']!) / b.se).toBeLessThan(1e-3);
    expect(s.singular).toBe(false);
    expect(s.modelShare!.estimate).toBeCloseTo(1 / (1 + Math.exp(-b.estimate)), 14);
    expect(s.modelShare!.ci95[0]).toBeCloseTo(1 / (1 + Math.exp(-b.ci95[0])), 14);
    expect(s.share.estimate).toBeCloseTo(r.successes / r.n, 14);
    expect(Math.abs(s.share.ci95![0] - r.wilson[0])).toBeLessThan(1e-12);
    expect(Math.abs(s.share.ci95![1] - r.wilson[1])).toBeLessThan(1e-12);
    expect(rel(s.exact!.p, r.binom.p)).toBeLessThan(1e-10);
    expect(Math.abs(s.exact!.ci95[0] - r.binom.ci[0])).toBeLessThan(1e-9);
    expect(s.warnings).toEqual([]);
  });

  it('a singular fit (groups less alike than chance) is kept, flagged and explained', async () => {
    const r = share('singular');
    const s = shareAgainstHalf(await shareRows(r.file));
    expect(r.glmer!.tight.singular).toBe(true);
    expect(s.model).toBe('glmm');
    expect(s.singular).toBe(true);
    expect(s.groupVariance!).toBeLessThan(1e-8);
    // at a zero variance the GLMM is the logistic intercept: logit(24/40)
    expect(rel(s.intercept!.estimate, r.glmer!.tight.fixef['(Intercept)']!)).toBeLessThan(1e-4);
    expect(rel(s.intercept!.se, r.glmer!.tight.se['(Intercept)']!)).toBeLessThan(1e-4);
    expect(rel(s.intercept!.estimate, r.glm.estimate)).toBeLessThan(1e-4);
    expect(s.warnings.join('\n')).toMatch(/boundary \(singular\) fit/);
    expect(s.warnings.join('\n')).toMatch(/reduces to the plain logistic intercept/);
  });

  it('one pair per question: the random intercept is unidentifiable, so the plain logistic intercept (as glm), saying so', async () => {
    const r = share('one_per_group');
    const s = shareAgainstHalf(await shareRows(r.file));
    expect(s.model).toBe('logistic');
    expect(s.fit).toBeNull();
    expect(s.groups).toBe(25);
    // exact: β₀ = logit(17/25), SE = √(1/17 + 1/8); glm's IRLS stops when the deviance changes by
    // less than 1e-8 and takes the SE from that step's weights, 3e-7 off the exact value
    expect(s.intercept!.estimate).toBeCloseTo(Math.log(17 / 8), 14);
    expect(s.intercept!.se).toBeCloseTo(Math.sqrt(1 / 17 + 1 / 8), 14);
    expect(rel(s.intercept!.estimate, r.glm.estimate)).toBeLessThan(1e-8);
    expect(rel(s.intercept!.se, r.glm.se)).toBeLessThan(1e-6);
    expect(rel(s.intercept!.z, r.glm.z)).toBeLessThan(1e-6);
    expect(rel(s.intercept!.p, r.glm.p)).toBeLessThan(1e-5);
    expect(rel(s.exact!.p, r.binom.p)).toBeLessThan(1e-10);
    expect(s.warnings.join('\n')).toMatch(
      /every group has one row .*unidentifiable.*plain logistic intercept/,
    );
  });

  it('one group, every row alike, or only ties: no GLMM, and a reason', () => {
    const one = shareAgainstHalf([0, 1, 1, 1].map((y) => ({ y: y as 0 | 1, group: 'g' })));
    expect(one.model).toBe('logistic');
    expect(one.intercept!.estimate).toBeCloseTo(Math.log(3), 12);
    expect(one.warnings[0]).toMatch(/one group/);
    const same = shareAgainstHalf(['a', 'a', 'b', 'b'].map((group) => ({ y: 1, group })));
    expect(same.model).toBeNull();
    expect(same.intercept).toBeNull();
    expect(same.exact!.p).toBeCloseTo(0.125, 14);
    expect(same.warnings[0]).toMatch(/logit of the share is infinite/);
    const ties = shareAgainstHalf([{ y: null, group: 'a' }]);
    expect([ties.n, ties.ties, ties.exact]).toEqual([0, 1, null]);
    expect(() => shareAgainstHalf([{ y: 2 as 1, group: 'a' }])).toThrow(/0, 1 or null/);
  });
});

describe('turnByCondition', () => {
  it.each([
    ['turns', 'peer/none'],
    ['turns_default_ref', undefined],
  ] as const)(
    '%s: y ~ turn * condition + (1 | group) as lme4, effects named by condition',
    async (name, reference) => {
      const r = turns(name);
      const t = turnByCondition(await turnRows(r.file), reference);
      const tight = r.tight;
      expect(t.n).toBe(tight.nobs);
      expect(t.dropped).toBe(10);
      expect(t.groups).toBe(tight.ngrps.group);
      expect(t.fit.fixedEffects.map((f) => f.term)).toEqual(Object.keys(tight.fixef));
      const levels = t.levels.slice(1);
      expect(t.levels[0]).toBe(reference ?? 'advisor/none');
      const named = [
        t.intercept,
        t.turn,
        ...levels.map((l) => t.conditions[l]!),
        ...levels.map((l) => t.interactions[l]!),
      ];
      expect(named.map((c) => c.term)).toEqual(Object.keys(tight.fixef));
      for (const c of named) {
        // 1e-4 relative, or 1e-4 SE for a coefficient near zero (conditionpeer/none: 0.0295, SE 0.85)
        expect(
          Math.abs(c.estimate - tight.fixef[c.term]!) / Math.max(Math.abs(c.estimate), c.se),
        ).toBeLessThan(1e-4);
        expect(rel(c.se, tight.se[c.term]!)).toBeLessThan(1e-4);
        expect(Math.abs(c.z - tight.z[c.term]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(c.z)));
        expect(Math.abs(c.estimate - r.default.fixef[c.term]!) / c.se).toBeLessThan(1e-3);
      }
      expect(rel(t.groupVariance, tight.variance)).toBeLessThan(1e-3);
      expect(Math.abs(t.fit.logLik - tight.logLik)).toBeLessThan(1e-5);
      expect(t.singular).toBe(false);
    },
  );

  it('a singular fit (no question effect) is flagged with its warning', async () => {
    const r = turns('turns_singular');
    const t = turnByCondition(await turnRows(r.file));
    expect(r.tight.singular).toBe(true);
    expect(t.singular).toBe(true);
    expect(t.levels).toEqual(['control', 'treated']);
    for (const c of [t.intercept, t.turn, t.conditions.treated!, t.interactions.treated!]) {
      expect(Math.abs(c.estimate - r.tight.fixef[c.term]!)).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(c.estimate)),
      );
      expect(rel(c.se, r.tight.se[c.term]!)).toBeLessThan(1e-4);
    }
    expect(Math.abs(t.fit.logLik - r.tight.logLik)).toBeLessThan(1e-5);
    expect(t.warnings.join('\n')).toMatch(
      /boundary \(singular\) fit.*\n.*reduces to a plain logistic regression/,
    );
  });

  it('refuses a single condition', () => {
    expect(() =>
      turnByCondition(
        [1, 2, 3, 4].map((turn) => ({ y: (turn % 2) as 0 | 1, turn, condition: 'a', group: `g${turn % 2}` })),
      ),
    ).toThrow(/at least two conditions/);
  });
});
