import { type MixedResult, runMixed } from '../../mixed/run.js';
import { table } from '../../render/text.js';
import type { MixedFlags } from '../specs/mixed.js';

export async function mixedCommand(flags: MixedFlags): Promise<void> {
  const run = await runMixed({
    data: flags.data,
    formula: flags.formula,
    family: flags.family,
    reml: flags.ml ? false : flags.reml ? true : undefined,
    nAGQ: flags.nagq,
    reference: flags.reference,
    as: flags.as,
    pairwiseUnit: flags.pairwiseUnit,
    where: flags.where,
    out: flags.out ?? null,
    exportR: flags.export?.dir ?? null,
  });
  for (const note of run.notes) process.stderr.write(`plumb: note: ${note}\n`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(run.result, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${renderFit(run.result)}\n`);
  const written = [
    ...(run.out ? [`fit: ${run.out}`] : []),
    ...(run.exported
      ? [
          `for R: ${run.exported.csv} (${run.exported.rows} rows) and ${run.exported.script} (Rscript fit.R in that folder)`,
        ]
      : []),
  ];
  if (written.length) process.stdout.write(`\n${written.join('\n')}\n`);
}

/** 4 significant digits; exponent form for very large or small magnitudes. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

export function pValue(p: number): string {
  if (p < 2.2e-16) return '< 2.2e-16';
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}

/** The fit as lme4's summary() shows it, in plumb's words. */
export function renderFit(r: MixedResult): string {
  const gaussian = r.family === 'gaussian';
  const head = gaussian
    ? `linear mixed model (lmer) fit by ${r.method}; t tests with Satterthwaite df (lmerTest)`
    : `logistic mixed model (glmer, binomial logit) fit by maximum likelihood, ${r.method === 'Laplace' ? 'Laplace approximation' : `adaptive Gauss–Hermite quadrature, ${r.method.slice(4, -1)} points`}; Wald z tests`;
  const dropped = Object.entries(r.dropped.reasons)
    .map(([f, k]) => `${f} missing: ${k}`)
    .join(', ');
  const lines = [
    head,
    `formula  ${r.formula}`,
    `data     ${r.data.file} — ${r.data.rows}`,
    `rows     ${r.data.read} read, ${r.nobs} fitted${r.dropped.count ? `, ${r.dropped.count} dropped (${dropped})` : ''}`,
    ...r.data.notes.map((n) => `         ${n}`),
    '',
    'fixed effects (95% Wald intervals)',
    table(
      ['term', 'estimate', 'SE', gaussian ? 't' : 'z', ...(gaussian ? ['df'] : []), 'p', '95% CI'],
      r.fixedEffects.map((f) => [
        f.term,
        num(f.estimate),
        num(f.se),
        num(f.statistic, 3),
        ...(gaussian ? [f.df === null ? '—' : f.df.toFixed(1)] : []),
        pValue(f.p),
        `[${num(f.ci95[0])}, ${num(f.ci95[1])}]`,
      ]),
    ),
    '',
    `random effects${gaussian ? '' : ' (logit scale)'}`,
    table(
      ['group', 'term', 'variance', 'SD', 'levels'],
      r.varianceComponents.map((v) => [
        v.group,
        v.term,
        num(v.variance),
        num(v.sd),
        v.group === 'Residual' ? '' : String(r.groups[v.group] ?? ''),
      ]),
    ),
    '',
    `logLik ${num(r.logLik, 6)}  AIC ${num(r.AIC, 6)}  BIC ${num(r.BIC, 6)}  ${r.devianceKind === 'REML criterion' ? 'REML criterion' : 'deviance'} ${num(r.deviance, 6)}  df.resid ${r.dfResidual}`,
    `${r.convergence.converged ? 'converged' : 'NOT CONVERGED'} (${r.convergence.evaluations} evaluations)  singular fit: ${r.singular ? 'yes' : 'no'}`,
  ];
  if (r.warnings.length) lines.push('', 'warnings:', ...r.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}
