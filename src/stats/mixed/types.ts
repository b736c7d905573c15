/**
 * Declared shapes of the mixed-effects engine: what `fitMixed` accepts and returns. Every number
 * follows lme4 1.1-31's conventions (and lmerTest 3.1's for Satterthwaite df), so a result can be
 * checked against `summary(glmer(...))` / `summary(lmer(...))` line by line.
 */

/** Response distribution: gaussian (identity link, `lmer`) or binomial with the logit link (`glmer`). */
export type MixedFamily = 'gaussian' | 'binomial';

/** Options of `fitMixed`. */
export interface MixedOptions {
  /** `'gaussian'` (default) fits a linear mixed model; `'binomial'` a logistic GLMM. */
  family?: MixedFamily;
  /** Gaussian only: restricted ML (default true, as `lmer`) or ML (false). Ignored for binomial. */
  reml?: boolean;
  /**
   * Binomial only: quadrature points per random effect. 1 (default) = Laplace approximation; 2..25 =
   * adaptive Gauss–Hermite quadrature, allowed only with a single grouping factor of random intercepts
   * (lme4's own restriction).
   */
  nAGQ?: number;
  /**
   * Field → the level to use as reference (R's `relevel`); otherwise the first sorted level. A numeric
   * field given a reference is treated as a factor (as `relevel(factor(x), ref)` in R).
   */
  reference?: Record<string, string>;
}

/** One fixed-effect coefficient, named as R's `model.matrix` names the column. */
export interface FixedEffect {
  /** Column name as R gives it, e.g. `(Intercept)`, `turn`, `conditionpersonalized:turn`, `flagTRUE`. */
  term: string;
  /** Estimate β̂. */
  estimate: number;
  /**
   * Standard error: √ of the diagonal of lme4's `vcov()` — for binomial fits from the finite-difference
   * Hessian of the deviance in (θ, β) (lme4's default), or (RX'RX)⁻¹ when that is not positive
   * definite (see `vcovSource`); for gaussian fits σ̂²(RX'RX)⁻¹.
   */
  se: number;
  /** Wald statistic estimate / se: z for binomial, t for gaussian. */
  statistic: number;
  /** Satterthwaite denominator df as lmerTest 3.1 (gaussian); `null` for binomial (z-test). */
  df: number | null;
  /** Two-sided p-value: normal for binomial; t with Satterthwaite df for gaussian. */
  p: number;
  /** 95 % Wald interval: estimate ± z₀.₉₇₅·se (binomial) or ± t₀.₉₇₅,df·se (gaussian). */
  ci95: [number, number];
}

/** One variance component: a random-intercept term, or the residual of a gaussian model. */
export interface VarianceComponent {
  /** Grouping factor as lme4 names it (`g`, `g1:g2` for the inner level of `(1|g1/g2)`), or `Residual`. */
  group: string;
  /** Always `(Intercept)`: random slopes are not supported. Empty for the residual. */
  term: string;
  /** Estimated variance (σ²·θ² for gaussian, θ² for binomial). */
  variance: number;
  /** Its square root, as `VarCorr` prints under `Std.Dev.`. */
  sd: number;
}

/** The result of `fitMixed`, the analogue of a fitted `merMod` summary. */
export interface MixedFit {
  kind: 'mixed-fit';
  /** The formula as given (trimmed). */
  formula: string;
  /** Response family; binomial always uses the logit link. */
  family: MixedFamily;
  /** `REML` or `ML` (gaussian), `Laplace` or `AGQ(K)` (binomial). */
  method: 'REML' | 'ML' | 'Laplace' | `AGQ(${number})`;
  /** Observations used after dropping incomplete rows. */
  nobs: number;
  /** Rows dropped for a missing response, predictor or grouping value. */
  dropped: {
    /** Number of rows dropped. */
    count: number;
    /** Field → rows in which that field was missing (a row missing two fields counts under both). */
    reasons: Record<string, number>;
  };
  /** Grouping factor name → number of levels among the used rows (as `ngrps()`). */
  groups: Record<string, number>;
  /** Fixed effects in `model.matrix` column order. */
  fixedEffects: FixedEffect[];
  /** Random-effect variances in lme4's `VarCorr` order, then `Residual` for gaussian. */
  varianceComponents: VarianceComponent[];
  /** Residual standard deviation σ̂ (gaussian); 1 for binomial, as `sigma()` gives. */
  sigma: number;
  /**
   * Log-likelihood as `logLik()`: the REML log-likelihood for REML fits, the (Laplace/AGQ-approximated)
   * marginal log-likelihood otherwise.
   */
  logLik: number;
  /** −2·logLik + 2·(number of parameters), parameters = fixed effects + variances (+ σ for gaussian). */
  AIC: number;
  /** −2·logLik + log(nobs)·(number of parameters). */
  BIC: number;
  /**
   * −2·logLik, the `deviance` column of lme4's summary. For a REML fit this is the REML criterion
   * ("REML criterion at convergence"), not the ML deviance.
   */
  deviance: number;
  /** What `deviance` means for this fit: `'-2logLik'` or `'REML criterion'`. */
  devianceKind: '-2logLik' | 'REML criterion';
  /**
   * Binomial only: `deviance()` of glmer, the sum of squared deviance residuals at the conditional
   * modes (lme4's "conditional deviance"); `null` for gaussian.
   */
  conditionalDeviance: number | null;
  /** Residual df as lme4's summary: nobs − number of parameters. */
  dfResidual: number;
  /** Optimizer outcome. */
  convergence: {
    /** True when the optimizer met its tolerances and the gradient at the optimum is small. */
    converged: boolean;
    /** Deviance-function evaluations used. */
    evaluations: number;
    /** Plain-language notes (empty when all is well). */
    messages: string[];
  };
  /** True when a variance is estimated at (or within 1e-4 of) zero, as `isSingular(fit, tol = 1e-4)`. */
  singular: boolean;
  /** Relative covariance parameters θ at the optimum (`getME(fit, 'theta')`). */
  theta: number[];
  /** How the fixed-effect SEs were computed: lme4's Hessian-based vcov or the RX-based one. */
  vcovSource: 'hessian' | 'RX';
  /** Everything a reader should know: singular fit, fallbacks, convergence doubts. */
  warnings: string[];
}
