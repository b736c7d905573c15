import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitMixed, type MixedFit } from '../../../src/stats/mixed/index.js';
import { REF_DIR, readCsv } from './csv.js';

/**
 * plumb's mixed models against lme4, case by case. The recorded values are in
 * test/reference/mixed/lme4.json, written by `Rscript fit_lme4.R > lme4.json` in that folder with
 * R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1-31, lmerTest 3.1-3, Matrix 1.5-3; every case there
 * carries the exact R call beside its values (`command`), on the CSV file it names (written by
 * make_data.R, read here byte for byte by readCsv).
 *
 * Each case was fitted twice in R: with lme4's default control (`default`) and with tight optimizer
 * tolerances (`tight`, the `tightControl` of the case). plumb converges to the optimum, so it is held
 * to the tolerances against the tight fit, and to looser ones against the default fit, whose
 * stopping rule leaves up to ~6e-4 relative slack in β̂ (case d) — lme4's slack, not plumb's.
 */

interface RFit {
  fixef: Record<string, number>;
  se: Record<string, number>;
  statistic: Record<string, number>;
  p: Record<string, number>;
  df?: Record<string, number>;
  theta: number[];
  varcorr: { group: string; variance: number; sd: number }[];
  logLik: number;
  AIC: number;
  BIC: number;
  deviance: number;
  conditionalDeviance?: number;
  sigma?: number;
  nobs: number;
  ngrps: Record<string, number>;
  singular: boolean;
}
interface RCase {
  name: string;
  file: string;
  family: 'gaussian' | 'binomial';
  nAGQ?: number;
  REML?: boolean;
  command: string;
  tightControl: string;
  default: RFit;
  tight: RFit;
}
const ref = JSON.parse(readFileSync(join(REF_DIR, 'lme4.json'), 'utf8')) as {
  R: string;
  lme4: string;
  lmerTest: string;
  cases: RCase[];
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const formulaOf = (c: RCase) => /(?:glmer|lmer)\((.*?), data/.exec(c.command)![1]!;

function fitCase(c: RCase): MixedFit {
  return fitMixed(readCsv(c.file), formulaOf(c), { family: c.family, nAGQ: c.nAGQ, reml: c.REML });
}

/** The tolerances: β̂ and SE 1e-4 rel, variances 1e-3 rel (1e-6 abs at 0), logLik 1e-5 abs, df 1e-4 rel. */
function expectClose(
  f: MixedFit,
  r: RFit,
  tol: { beta: number; se: number; vc: number; ll: number; df: number; betaInSe?: boolean },
) {
  expect(f.nobs).toBe(r.nobs);
  expect(f.groups).toEqual(r.ngrps);
  expect(f.fixedEffects.map((x) => x.term)).toEqual(Object.keys(r.fixef));
  for (const fe of f.fixedEffects) {
    // Against lme4's default stopping rule β̂ is compared in units of its SE (`betaInSe`): a
    // coefficient near zero can differ by 1e-3 relative there while agreeing to 1e-3 SE.
    const db = Math.abs(fe.estimate - r.fixef[fe.term]!);
    expect(tol.betaInSe ? db / fe.se : db / Math.abs(r.fixef[fe.term]!)).toBeLessThan(tol.beta);
    expect(rel(fe.se, r.se[fe.term]!)).toBeLessThan(tol.se);
    expect(Math.abs(fe.statistic - r.statistic[fe.term]!)).toBeLessThan(
      tol.se * 10 * Math.max(1, Math.abs(fe.statistic)),
    );
    expect(Math.abs(fe.p - r.p[fe.term]!)).toBeLessThan(tol.se * 10);
    if (r.df) expect(rel(fe.df!, r.df[fe.term]!)).toBeLessThan(tol.df);
  }
  expect(f.varianceComponents.map((v) => v.group)).toEqual(r.varcorr.map((v) => v.group));
  f.varianceComponents.forEach((v, i) => {
    const rv = r.varcorr[i]!.variance;
    if (rv < 1e-8) expect(Math.abs(v.variance - rv)).toBeLessThan(1e-6);
    else expect(rel(v.variance, rv)).toBeLessThan(tol.vc);
  });
  expect(Math.abs(f.logLik - r.logLik)).toBeLessThan(tol.ll);
  expect(Math.abs(f.AIC - r.AIC)).toBeLessThan(2 * tol.ll);
  expect(Math.abs(f.BIC - r.BIC)).toBeLessThan(2 * tol.ll);
  expect(Math.abs(f.deviance - r.deviance)).toBeLessThan(2 * tol.ll);
  if (r.conditionalDeviance !== undefined) {
    expect(Math.abs(f.conditionalDeviance! - r.conditionalDeviance)).toBeLessThan(tol.vc);
  }
  if (r.sigma !== undefined) expect(rel(f.sigma, r.sigma)).toBeLessThan(tol.vc);
  expect(f.singular).toBe(r.singular);
}

describe(`mixed models vs ${ref.R}, lme4 ${ref.lme4}, lmerTest ${ref.lmerTest}`, () => {
  for (const c of ref.cases) {
    it(`${c.name}: ${c.command}`, () => {
      const f = fitCase(c);
      expectClose(f, c.tight, { beta: 1e-4, se: 1e-4, vc: 1e-3, ll: 1e-5, df: 1e-4 });
      // lme4's own default stopping rule: the same fit to within its slack.
      expectClose(f, c.default, { beta: 1e-3, se: 1e-3, vc: 1e-2, ll: 1e-5, df: 1e-3, betaInSe: true });
      expect(f.convergence.converged).toBe(true);
      expect(f.method).toBe(
        c.family === 'gaussian' ? (c.REML ? 'REML' : 'ML') : c.nAGQ! > 1 ? `AGQ(${c.nAGQ})` : 'Laplace',
      );
      expect(f.devianceKind).toBe(c.REML ? 'REML criterion' : '-2logLik');
    });
  }

  it('singular fits say which variance is at zero and why (case e: one observation per group)', () => {
    const f = fitCase(ref.cases.find((c) => c.name === 'e_singular')!);
    expect(f.singular).toBe(true);
    expect(f.varianceComponents[0]!.variance).toBe(0);
    expect(f.warnings.join('\n')).toMatch(
      /variance of \(1 \| g\) estimated at zero: .*one observation per level/,
    );
  });

  it('the intercept-only model tests a share against 50 % (case h): z = β̂₀/SE, normal p-value', () => {
    const c = ref.cases.find((x) => x.name === 'h_intercept')!;
    const f = fitCase(c);
    const b0 = f.fixedEffects[0]!;
    expect(b0.term).toBe('(Intercept)');
    expect(b0.df).toBeNull();
    expect(Math.abs(b0.p - c.tight.p['(Intercept)']!)).toBeLessThan(1e-6);
    expect(b0.ci95[0]).toBeCloseTo(b0.estimate - 1.959963984540054 * b0.se, 12);
  });

  it('counts the rows it drops (handmade.csv: missing len, flag and judge; an unused empty column is ignored)', () => {
    const f = fitCase(ref.cases.find((x) => x.name === 'handmade')!);
    expect(f.dropped).toEqual({ count: 3, reasons: { len: 1, flag: 1, judge: 1 } });
    expect(f.fixedEffects.map((x) => x.term)).toEqual(['(Intercept)', 'flagTRUE', 'len']);
  });
});
