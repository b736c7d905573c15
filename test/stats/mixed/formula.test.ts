import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { fitMixed, parseFormula } from '../../../src/stats/mixed/index.js';
import { readCsv } from './csv.js';

describe('parseFormula (lme4 syntax)', () => {
  it('expands * and orders terms as R: by degree, then appearance; variables in formula order', () => {
    const f = parseFormula('aligned ~ turn * condition + (1 | scenario)');
    expect(f.response).toBe('aligned');
    expect(f.intercept).toBe(true);
    expect(f.fixed).toEqual([['turn'], ['condition'], ['turn', 'condition']]);
    expect(f.random).toEqual([{ factors: ['scenario'], name: 'scenario' }]);
    expect(parseFormula('y ~ a:b + a').fixed).toEqual([['a'], ['a', 'b']]);
    expect(parseFormula('y ~ a/b + (1|g)').fixed).toEqual([['a'], ['a', 'b']]);
  });

  it('handles the intercept: 1, 0, -1, and an intercept-only model', () => {
    expect(parseFormula('y ~ 1 + (1 | question)')).toMatchObject({ intercept: true, fixed: [] });
    expect(parseFormula('y ~ 0 + x + (1|g)').intercept).toBe(false);
    expect(parseFormula('y ~ x - 1 + (1|g)').intercept).toBe(false);
  });

  it('reads dotted paths and backticks as one identifier', () => {
    const f = parseFormula('verdict.ok ~ metadata.role + `odd name` + (1 | metadata.judge)');
    expect(f.response).toBe('verdict.ok');
    expect(f.fixed).toEqual([['metadata.role'], ['odd name']]);
    expect(f.random[0]!.name).toBe('metadata.judge');
  });

  it('expands nested (1 | a/b) as lme4: (1 | b:a) + (1 | a); crossed terms stay separate', () => {
    expect(parseFormula('y ~ x + (1 | school/class)').random).toEqual([
      { factors: ['school', 'class'], name: 'class:school' },
      { factors: ['school'], name: 'school' },
    ]);
    expect(parseFormula('y ~ (1|g1) + (1|g2)').random.map((r) => r.name)).toEqual(['g1', 'g2']);
  });

  it('gives the character position and a caret for a formula that does not parse', () => {
    expect(() => parseFormula('y ~ x + + (1|g)')).toThrow(UsageError);
    expect(() => parseFormula('y ~ x + + (1|g)')).toThrow(
      /character 9: .*\n {2}y ~ x \+ \+ \(1\|g\)\n {10}\^/,
    );
    expect(() => parseFormula('y x')).toThrow(/expected '~'/);
    expect(() => parseFormula('y ~ (1 | g')).toThrow(/expected '\)'/);
    expect(() => parseFormula('y ~ x $ z')).toThrow(/unexpected character '\$'/);
  });

  it('refuses random slopes and || with a message that says so', () => {
    expect(() => parseFormula('y ~ x + (1 + x | g)')).toThrow(
      /random slopes are not supported yet: \(1 \+ x \| g\)/,
    );
    expect(() => parseFormula('y ~ x + (x | g)')).toThrow(/random slopes are not supported yet/);
    expect(() => parseFormula('y ~ x + (1 || g)')).toThrow(/\(\|\|\) are not supported/);
  });
});

describe('fitMixed: model frame and errors', () => {
  const rows = readCsv('multiturn.csv');

  it('names columns as R: treatment contrasts, first sorted level as reference, interactions', () => {
    const f = fitMixed(rows, 'aligned ~ turn * condition + (1 | scenario)', { family: 'binomial' });
    expect(f.fixedEffects.map((x) => x.term)).toEqual([
      '(Intercept)',
      'turn',
      'conditionneutral',
      'conditionpersonalized',
      'turn:conditionneutral',
      'turn:conditionpersonalized',
    ]);
    const g = fitMixed(rows, 'aligned ~ condition * turn + (1 | scenario)', { family: 'binomial' });
    expect(g.fixedEffects.map((x) => x.term).slice(4)).toEqual([
      'conditionneutral:turn',
      'conditionpersonalized:turn',
    ]);
  });

  it('relevels with `reference`, and codes booleans as R codes logicals (xTRUE)', () => {
    const f = fitMixed(rows, 'aligned ~ condition + (1 | scenario)', {
      family: 'binomial',
      reference: { condition: 'personalized' },
    });
    expect(f.fixedEffects.map((x) => x.term)).toEqual([
      '(Intercept)',
      'conditioncontrol',
      'conditionneutral',
    ]);
    const b = rows.map((r) => ({ ...r, late: (r.turn as number) > 3 }));
    const g = fitMixed(b, 'aligned ~ late + (1 | scenario)', { family: 'binomial' });
    expect(g.fixedEffects.map((x) => x.term)).toEqual(['(Intercept)', 'lateTRUE']);
  });

  it('reads dotted paths into nested objects, and accepts true/false or two-level responses', () => {
    const nested = rows.map((r) => ({ meta: { scenario: r.scenario, turn: r.turn }, ok: r.aligned === 1 }));
    const f = fitMixed(nested, 'ok ~ meta.turn + (1 | meta.scenario)', { family: 'binomial' });
    const ref = fitMixed(rows, 'aligned ~ turn + (1 | scenario)', { family: 'binomial' });
    expect(f.fixedEffects.map((x) => x.term)).toEqual(['(Intercept)', 'meta.turn']);
    expect(f.logLik).toBeCloseTo(ref.logLik, 10);
    const labelled = rows.map((r) => ({ ...r, verdict: r.aligned === 1 ? 'yes' : 'no' }));
    expect(fitMixed(labelled, 'verdict ~ turn + (1 | scenario)', { family: 'binomial' }).logLik).toBeCloseTo(
      ref.logLik,
      10,
    );
  });

  it('throws UsageError for unknown fields, non-binary responses, one-level groups, no rows', () => {
    expect(() => fitMixed(rows, 'aligned ~ turns + (1 | scenario)', { family: 'binomial' })).toThrow(
      /unknown field 'turns'/,
    );
    expect(() => fitMixed(rows, 'turn ~ condition + (1 | scenario)', { family: 'binomial' })).toThrow(
      /not binary/,
    );
    const one = rows.map((r) => ({ ...r, g: 'all' }));
    expect(() => fitMixed(one, 'aligned ~ turn + (1 | g)', { family: 'binomial' })).toThrow(/only one level/);
    const empty = rows.map((r) => ({ ...r, turn: null }));
    expect(() => fitMixed(empty, 'aligned ~ turn + (1 | scenario)', { family: 'binomial' })).toThrow(
      /no rows left/,
    );
    expect(() => fitMixed(rows, 'aligned ~ turn', { family: 'binomial' })).toThrow(/no random-effects terms/);
    expect(() =>
      fitMixed(rows, 'aligned ~ turn + (1|scenario) + (1|condition)', { family: 'binomial', nAGQ: 5 }),
    ).toThrow(/single grouping factor/);
    expect(() => fitMixed(rows, 'aligned ~ turn + (1|scenario)', { family: 'binomial', nAGQ: 26 })).toThrow(
      /1 to 25/,
    );
    for (const bad of [() => fitMixed(rows, 'aligned ~ (1|scenario)', { family: 'binomial', nAGQ: 0 })])
      expect(bad).toThrow(UsageError);
  });

  it('refuses a rank-deficient fixed-effects matrix instead of dropping columns silently', () => {
    const dup = rows.map((r) => ({ ...r, turn2: 2 * (r.turn as number) }));
    expect(() => fitMixed(dup, 'aligned ~ turn + turn2 + (1 | scenario)', { family: 'binomial' })).toThrow(
      /rank deficient/,
    );
  });
});
