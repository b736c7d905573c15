# Reference fits for test/stats/mixed/*.test.ts. Run as: Rscript fit_lme4.R > lme4.json
# (then `npx biome format --write lme4.json` from the repository root: whitespace only, values untouched).
# R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1-31, lmerTest 3.1-3, Matrix 1.5-3 (Debian bookworm).
# Each case is fitted twice: with lme4's default control ("default") and with tight optimizer
# tolerances ("tight"), because lme4's default stopping rules leave ~1e-5..1e-4 of slack; plumb
# polishes to the optimum, so the tight fit is what it is compared with at the issue's tolerances.
suppressMessages({ library(lme4); library(lmerTest); library(jsonlite) })
rd <- function(f) read.csv(f, na.strings = c("", "NA"), stringsAsFactors = FALSE)
tightG <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-11, maxfun = 1e5))
tightL <- lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_abs = 1e-13, ftol_abs = 1e-15, xtol_rel = 0, ftol_rel = 0))

named <- function(x, nms) setNames(as.list(unname(x)), nms)  # a one-row coef table drops its names
info <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  s <- summary(m)
  cf <- coef(s)
  out <- list(
    fixef = as.list(fixef(m)), se = as.list(sqrt(diag(as.matrix(vcov(m))))),
    statistic = named(cf[, ncol(cf) - 1], rownames(cf)), p = named(cf[, ncol(cf)], rownames(cf)),
    theta = unname(getME(m, "theta")), thetaNames = names(getME(m, "theta")),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i], variance = vc$vcov[i], sd = vc$sdcor[i])),
    logLik = as.numeric(logLik(m)), AIC = AIC(m), BIC = BIC(m),
    nobs = nobs(m), ngrps = as.list(ngrps(m)), singular = isSingular(m),
    messages = as.list(m@optinfo$conv$lme4$messages))
  if (isGLMM(m)) {
    out$deviance <- unname(s$AICtab["deviance"]); out$conditionalDeviance <- deviance(m)
    out$seRX <- as.list(sqrt(diag(as.matrix(vcov(m, use.hessian = FALSE)))))
  } else {
    out$deviance <- if (isREML(m)) REMLcrit(m) else deviance(m)
    out$sigma <- sigma(m)
    out$df <- named(cf[, "df"], rownames(cf))
  }
  out
}
g <- function(name, formula, file, nAGQ = 1) {
  d <- rd(file); f <- as.formula(formula)
  list(name = name, file = file, family = "binomial", nAGQ = nAGQ,
       command = sprintf("glmer(%s, data = read.csv('%s', na.strings = c('', 'NA')), family = binomial, nAGQ = %d)", formula, file, nAGQ),
       tightControl = "glmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-11, maxfun = 1e5))",
       default = info(glmer(f, d, family = binomial, nAGQ = nAGQ)),
       tight = info(glmer(f, d, family = binomial, nAGQ = nAGQ, control = tightG)))
}
l <- function(name, formula, file, REML = TRUE) {
  d <- rd(file); f <- as.formula(formula)
  list(name = name, file = file, family = "gaussian", REML = REML,
       command = sprintf("summary(lmerTest::lmer(%s, data = read.csv('%s'), REML = %s))", formula, file, REML),
       tightControl = "lmerControl(optimizer = 'nloptwrap', optCtrl = list(xtol_abs = 1e-13, ftol_abs = 1e-15, xtol_rel = 0, ftol_rel = 0))",
       default = info(lmerTest::lmer(f, d, REML = REML)),
       tight = info(lmerTest::lmer(f, d, REML = REML, control = tightL)))
}
cases <- list(
  g("a_laplace", "y ~ x + (1 | question)", "logit1.csv"),
  g("b_agq10", "y ~ x + (1 | question)", "logit1.csv", nAGQ = 10),
  g("b_agq25", "y ~ x + (1 | question)", "logit1.csv", nAGQ = 25),
  g("c_crossed", "y ~ len + (1 | item) + (1 | judge)", "crossed.csv"),
  g("d_multiturn", "aligned ~ turn * condition + (1 | scenario)", "multiturn.csv"),
  g("e_singular", "y ~ x + (1 | g)", "singular.csv"),
  g("h_intercept", "y ~ 1 + (1 | question)", "logit1.csv"),
  g("h_intercept_agq5", "y ~ 1 + (1 | question)", "logit1.csv", nAGQ = 5),
  g("nested_logit", "pass ~ hours + (1 | school/class)", "nested.csv"),
  g("handmade", "verdict ~ flag + len + (1 | judge)", "handmade.csv"),
  l("f_reml", "score ~ treat * dose + (1 | subject)", "lmm.csv", REML = TRUE),
  l("g_ml", "score ~ treat * dose + (1 | subject)", "lmm.csv", REML = FALSE),
  l("nested_reml", "mark ~ hours + (1 | school/class)", "nested.csv", REML = TRUE),
  l("crossed_ml", "len ~ y + (1 | item) + (1 | judge)", "crossed.csv", REML = FALSE)
)
cat(toJSON(list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                lmerTest = as.character(packageVersion("lmerTest")), Matrix = as.character(packageVersion("Matrix")),
                cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE))
