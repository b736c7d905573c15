import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitData, isSyntacticR, readMixedData, rFormula, runMixed } from '../../src/mixed/index.js';
import { tempDir } from '../helpers/cli.js';

/**
 * `--export r DIR`: the CSV holds exactly the rows fitted, and reading it back gives plumb the same
 * fit; the script sets the types and levels plumb used. (That lme4 re-fits the same model from it
 * was checked by hand with R 4.2.2 / lme4 1.1-31: docs/mixed-models.md; R is not needed here.)
 */
const dir = tempDir('plumb-mixed-export-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rows(): Record<string, unknown>[] {
  const arms = ['b', 'a', 'c, "x"'];
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: 150 }, (_, i) => {
    const arm = arms[i % 3]!;
    const dose = Math.round(rand() * 1e6) / 1e5;
    const q = `q${String(i % 15).padStart(2, '0')}`;
    const eta = -0.5 + (arm === 'a' ? 0.8 : 0) + 0.2 * dose + (i % 15 < 7 ? 0.6 : -0.6);
    return {
      outcome: { y: i % 17 === 0 ? null : rand() < 1 / (1 + Math.exp(-eta)) ? 1 : 0 },
      meta: { arm },
      dose: i % 23 === 0 ? undefined : dose,
      flag: i % 4 === 0,
      who: { q },
      note: 'unused, "quoted", with a comma',
    };
  });
}

describe('export for R', () => {
  it('the CSV round-trips to the same fit in plumb; the script sets levels, the reference and types as plumb did', async () => {
    const data = join(dir, 'rows.jsonl');
    writeFileSync(
      data,
      `${rows()
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const formula = 'outcome.y ~ meta.arm * dose + flag + (1 | who.q)';
    const out = join(dir, 'r');
    const run = await runMixed({
      data,
      formula,
      family: 'binomial',
      reference: { 'meta.arm': 'b' },
      exportR: out,
      out: join(dir, 'fit.json'),
    });
    const fit = run.result;
    expect(fit.dropped.count).toBeGreaterThan(0);
    expect(run.exported!.rows).toBe(fit.nobs);
    const csv = readFileSync(join(out, 'data.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('outcome.y,meta.arm,dose,flag,who.q,source_line');
    expect(csv).toHaveLength(fit.nobs + 1);
    expect(csv[1]).toMatch(/^\d,a,[\d.]+,FALSE,q01,2$/);
    expect(csv).toContain(csv.find((l) => l.includes('"c, ""x"""')));

    const back = await readMixedData(join(out, 'data.csv'));
    expect(back.rows).toHaveLength(fit.nobs);
    const refit = fitData(back, formula, { family: 'binomial', reference: { 'meta.arm': 'b' } });
    expect(refit.nobs).toBe(fit.nobs);
    expect(refit.dropped.count).toBe(0);
    expect(refit.fixedEffects.map((f) => f.term)).toEqual(fit.fixedEffects.map((f) => f.term));
    refit.fixedEffects.forEach((f, j) => {
      expect(f.estimate).toBe(fit.fixedEffects[j]!.estimate);
      expect(f.se).toBe(fit.fixedEffects[j]!.se);
    });
    expect(refit.logLik).toBe(fit.logLik);

    const script = readFileSync(join(out, 'fit.R'), 'utf8');
    expect(script).toContain(
      'colClasses = c("outcome.y" = "numeric", "meta.arm" = "character", "dose" = "numeric", "flag" = "character", "who.q" = "character")',
    );
    expect(script).toContain(
      'd[["meta.arm"]] <- factor(d[["meta.arm"]], levels = c("b", "a", "c, \\"x\\""))  # first level "b" is the reference',
    );
    expect(script).toContain('d[["flag"]] <- factor(d[["flag"]], levels = c("FALSE", "TRUE"))');
    expect(script).toContain(
      'm <- glmer(outcome.y ~ meta.arm * dose + flag + (1 | who.q), data = d, family = binomial, nAGQ = 1)',
    );
    expect(script).toContain(`stopifnot(nrow(d) == ${fit.nobs}L)`);
    expect(script).toContain('library(lme4)');
    expect(script).toContain('--reference meta.arm=b');
    expect(JSON.parse(readFileSync(join(dir, 'fit.json'), 'utf8')).kind).toBe('mixed-fit');
  });

  it('gaussian: lmerTest with REML as fitted, non-syntactic names in backticks, a numeric factor read as text', async () => {
    const data = join(dir, 'lmm.jsonl');
    const lines = Array.from({ length: 40 }, (_, i) => ({
      'my score': ((i * 37) % 11) + (i % 4) * 0.5,
      dose: [10, 100000, 2][i % 3],
      subject: `s${i % 8}`,
    }));
    writeFileSync(data, `${lines.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const run = await runMixed({
      data,
      formula: '`my score` ~ dose + (1 | subject)',
      reml: false,
      reference: { dose: '100000' },
      exportR: join(dir, 'lmm'),
    });
    expect(run.result.method).toBe('ML');
    const script = readFileSync(join(dir, 'lmm', 'fit.R'), 'utf8');
    expect(script).toContain('library(lmerTest)');
    expect(script).toContain('m <- lmer(`my score` ~ dose + (1 | subject), data = d, REML = FALSE)');
    expect(script).toContain('"dose" = "character"');
    expect(script).toContain('levels = c("100000", "2", "10")');
    expect(script).toContain('cmp$plumb_df');
  });

  it('rFormula quotes only what R would not parse', () => {
    expect(rFormula('y ~ a.b * `x y` + _z + (1 | g/h)')).toBe('y ~ a.b * `x y` + `_z` + (1 | g/h)');
    expect(isSyntacticR('.x')).toBe(true);
    expect(isSyntacticR('.2x')).toBe(false);
    expect(isSyntacticR('if')).toBe(false);
  });
});
