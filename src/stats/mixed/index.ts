import { UsageError } from '../../core/errors.js';
import { normalQuantile, normalSf, tQuantile, tSf } from '../distributions.js';
import { parseFormula } from './formula.js';
import { buildFrame, type GroupFactor, type ModelFrame } from './frame.js';
import { fitGlmm } from './glmm.js';
import { fitLmm } from './lmm.js';
import { makeStructure, type ReStructure } from './penalized.js';
import { satterthwaite } from './satterthwaite.js';
import type { FixedEffect, MixedFit, MixedOptions, VarianceComponent } from './types.js';

export type { ParsedFormula, RandomTerm } from './formula.js';
export { parseFormula } from './formula.js';
export type { FixedEffect, MixedFamily, MixedFit, MixedOptions, VarianceComponent } from './types.js';

/**
 * Fit a mixed-effects model to `rows` as lme4 1.1-31 would: `lmer` (gaussian, REML by default, with
 * lmerTest's Satterthwaite df) or `glmer` (binomial logit, Laplace or adaptive Gauss–Hermite).
 *
 *   fitMixed(rows, 'aligned ~ turn * condition + (1 | scenario)', { family: 'binomial' })
 *
 * Throws `UsageError` for a formula that does not parse, an unknown field, a non-binary binomial
 * response, a grouping factor with one level, no complete rows, or an unsupported model (random slopes).
 */
export function fitMixed(
  rows: Record<string, unknown>[],
  formula: string,
  options: MixedOptions = {},
): MixedFit {
  const family = options.family ?? 'gaussian';
  if (family !== 'gaussian' && family !== 'binomial')
    throw new UsageError(`unknown family '${String(family)}': use gaussian or binomial`);
  const nAGQ = options.nAGQ ?? 1;
  if (!Number.isInteger(nAGQ) || nAGQ < 1 || nAGQ > 25)
    throw new UsageError(`nAGQ must be an integer from 1 to 25 (got ${nAGQ})`);
  if (nAGQ > 1 && family !== 'binomial') throw new UsageError('nAGQ applies to binomial models only');
  const parsed = parseFormula(formula);
  if (parsed.random.length === 0) {
    throw new UsageError(
      `no random-effects terms in '${formula}': add one such as (1 | group), or use a plain regression`,
    );
  }
  const seen = new Set<string>();
  parsed.random = parsed.random.filter((r) => !seen.has(r.name) && seen.add(r.name));
  if (nAGQ > 1 && parsed.random.length !== 1) {
    throw new UsageError(
      'nAGQ > 1 is only available for models with a single grouping factor of random intercepts (as in lme4)',
    );
  }
  const frame = buildFrame(rows, parsed, family, options.reference ?? {});
  const groups = lme4TermOrder(frame.groups);
  checkFrame(frame, groups, family);
  const s = makeStructure(
    groups.map((g) => g.levels.length),
    groups.map((g) => g.index),
    frame.X,
    frame.p,
  );
  const common = { formula: formula.trim(), frame, groups };
  return family === 'gaussian' ? lmmFit(s, common, options.reml ?? true) : glmmFit(s, common, nAGQ);
}

interface Common {
  formula: string;
  frame: ModelFrame;
  groups: GroupFactor[];
}

/** mkReTrms: when some term has more levels than the one before it, order by rev(order(nlevels)). */
function lme4TermOrder(groups: GroupFactor[]): GroupFactor[] {
  const nl = groups.map((g) => g.levels.length);
  if (!nl.some((v, i) => i > 0 && v > nl[i - 1]!)) return groups;
  const asc = nl.map((_, i) => i).sort((a, b) => nl[a]! - nl[b]! || a - b);
  return asc.reverse().map((i) => groups[i]!);
}

/** lme4's checkControl defaults that stop a fit. */
function checkFrame(frame: ModelFrame, groups: GroupFactor[], family: string): void {
  if (family === 'gaussian') {
    const bad = groups.filter((g) => g.levels.length >= frame.n).map((g) => g.name);
    if (bad.length > 0) {
      throw new UsageError(
        `number of levels of each grouping factor must be < number of observations (problems: ${bad.join(', ')}): ` +
          'with one observation per level the group variance cannot be told from the residual variance',
      );
    }
    const q = groups.reduce((a, g) => a + g.levels.length, 0);
    if (frame.n <= q)
      throw new UsageError(`number of observations (=${frame.n}) <= number of random effects (=${q})`);
  } else if (frame.y.every((v) => v === frame.y[0])) {
    throw new UsageError(`response is constant (all ${frame.y[0]}): nothing to model`);
  }
}

function lmmFit(s: ReStructure, c: Common, reml: boolean): MixedFit {
  const fit = fitLmm(s, c.frame.y, reml);
  const sat = satterthwaite(s, c.frame.y, fit.theta, fit.sigma, fit.vcov, reml);
  const warnings = [...fit.messages];
  if (!sat.hessianPd)
    warnings.push(
      'Satterthwaite: the Hessian of the deviance in (θ, σ) is not positive definite; df may be unreliable',
    );
  const fixed = c.frame.xNames.map((term, j): FixedEffect => {
    const est = fit.beta[j]!;
    const se = Math.sqrt(fit.vcov[j * s.p + j]!);
    const df = sat.df[j]!;
    const t = est / se;
    const half = tQuantile(0.975, df) * se;
    return {
      term,
      estimate: est,
      se,
      statistic: t,
      df,
      p: 2 * tSf(Math.abs(t), df),
      ci95: [est - half, est + half],
    };
  });
  const vc: VarianceComponent[] = c.groups.map((g, k) => component(g.name, (fit.sigma * fit.theta[k]!) ** 2));
  vc.push({ group: 'Residual', term: '', variance: fit.sigma ** 2, sd: fit.sigma });
  const npar = s.p + s.q.length + 1;
  return assemble(c, {
    family: 'gaussian',
    method: reml ? 'REML' : 'ML',
    fixed,
    vc,
    sigma: fit.sigma,
    criterion: fit.criterion,
    devianceKind: reml ? 'REML criterion' : '-2logLik',
    conditionalDeviance: null,
    npar,
    theta: fit.theta,
    convergence: { converged: fit.converged, evaluations: fit.evaluations, messages: fit.messages },
    vcovSource: 'RX',
    warnings,
  });
}

function glmmFit(s: ReStructure, c: Common, nAGQ: number): MixedFit {
  const fit = fitGlmm(s, c.frame.y, nAGQ);
  const z975 = normalQuantile(0.975);
  const fixed = c.frame.xNames.map((term, j): FixedEffect => {
    const est = fit.beta[j]!;
    const se = Math.sqrt(fit.vcov[j * s.p + j]!);
    const z = est / se;
    return {
      term,
      estimate: est,
      se,
      statistic: z,
      df: null,
      p: 2 * normalSf(Math.abs(z)),
      ci95: [est - z975 * se, est + z975 * se],
    };
  });
  const vc = c.groups.map((g, k) => component(g.name, fit.theta[k]! ** 2));
  return assemble(c, {
    family: 'binomial',
    method: nAGQ > 1 ? `AGQ(${nAGQ})` : 'Laplace',
    fixed,
    vc,
    sigma: 1,
    criterion: fit.deviance,
    devianceKind: '-2logLik',
    conditionalDeviance: fit.mode.devRes,
    npar: s.p + s.q.length,
    theta: fit.theta,
    convergence: { converged: fit.converged, evaluations: fit.evaluations, messages: fit.messages },
    vcovSource: fit.vcovSource,
    warnings: [...fit.messages],
  });
}

function component(group: string, variance: number): VarianceComponent {
  return { group, term: '(Intercept)', variance, sd: Math.sqrt(variance) };
}

interface Parts {
  family: MixedFit['family'];
  method: MixedFit['method'];
  fixed: FixedEffect[];
  vc: VarianceComponent[];
  sigma: number;
  criterion: number;
  devianceKind: MixedFit['devianceKind'];
  conditionalDeviance: number | null;
  npar: number;
  theta: Float64Array;
  convergence: MixedFit['convergence'];
  vcovSource: MixedFit['vcovSource'];
  warnings: string[];
}

/** The common tail: information criteria, singularity (isSingular, tol 1e-4) and its warning. */
function assemble(c: Common, x: Parts): MixedFit {
  const n = c.frame.n;
  const logLik = -x.criterion / 2;
  const warnings = [...x.warnings];
  const singularTerms = c.groups.filter((_, k) => x.theta[k]! < 1e-4);
  for (const g of singularTerms) {
    const k = c.groups.indexOf(g);
    const perLevel = n / g.levels.length;
    warnings.push(
      `boundary (singular) fit: variance of (1 | ${g.name}) estimated at ${x.theta[k] === 0 ? 'zero' : 'nearly zero'}: ` +
        `the data show no variation between its ${g.levels.length} levels beyond what the rest of the model explains` +
        (perLevel < 1.5
          ? ` — with about one observation per level (${n} rows, ${g.levels.length} levels) the per-level intercept is unidentifiable`
          : ''),
    );
  }
  return {
    kind: 'mixed-fit',
    formula: c.formula,
    family: x.family,
    method: x.method,
    nobs: n,
    dropped: c.frame.dropped,
    groups: Object.fromEntries(c.groups.map((g) => [g.name, g.levels.length])),
    fixedEffects: x.fixed,
    varianceComponents: x.vc,
    sigma: x.sigma,
    logLik,
    AIC: x.criterion + 2 * x.npar,
    BIC: x.criterion + Math.log(n) * x.npar,
    deviance: x.criterion,
    devianceKind: x.devianceKind,
    conditionalDeviance: x.conditionalDeviance,
    dfResidual: n - x.npar,
    convergence: x.convergence,
    singular: singularTerms.length > 0,
    theta: [...x.theta],
    vcovSource: x.vcovSource,
    warnings,
  };
}
