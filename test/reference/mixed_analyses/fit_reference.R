# Reference values for test/mixed/analyses.test.ts. Run as: Rscript fit_reference.R > analyses.json
# (then `npx biome format --write analyses.json` from the repository root: whitespace only).
# R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1-31, Matrix 1.5-3 (Debian bookworm).
# GLMMs are fitted twice: lme4's default control ("default") and tight optimizer tolerances
# ("tight"); plumb polishes to the optimum, so it is held to the tight fit at 1e-4.
suppressMessages({ library(lme4); library(jsonlite) })
rd <- function(f) read.csv(f, na.strings = c("", "NA"), stringsAsFactors = FALSE)
tightG <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-11, maxfun = 1e5))
named <- function(x, nms) setNames(as.list(unname(x)), nms)
info <- function(m) {
  cf <- coef(summary(m))
  list(fixef = as.list(fixef(m)), se = named(cf[, 2], rownames(cf)), z = named(cf[, 3], rownames(cf)),
       p = named(cf[, 4], rownames(cf)), theta = unname(getME(m, "theta")),
       variance = as.data.frame(VarCorr(m))$vcov[1], logLik = as.numeric(logLik(m)),
       nobs = nobs(m), ngrps = as.list(ngrps(m)), singular = isSingular(m))
}
share <- function(name, file) {
  d <- rd(file); u <- d[!is.na(d$y), ]; k <- sum(u$y); n <- nrow(u)
  bt <- binom.test(k, n, 0.5); pt <- prop.test(k, n, correct = FALSE)
  g <- glm(y ~ 1, family = binomial, data = u); gs <- coef(summary(g))
  out <- list(name = name, file = file, ties = sum(is.na(d$y)), n = n, successes = k,
              groups = length(unique(u$group)),
              command = sprintf("d <- read.csv('%s'); u <- d[!is.na(d$y), ]; glmer(y ~ 1 + (1 | group), data = u, family = binomial); binom.test(sum(u$y), nrow(u), 0.5); prop.test(sum(u$y), nrow(u), correct = FALSE); glm(y ~ 1, family = binomial, data = u)", file),
              binom = list(p = bt$p.value, ci = as.numeric(bt$conf.int)),
              wilson = as.numeric(pt$conf.int),
              glm = list(estimate = gs[1, 1], se = gs[1, 2], z = gs[1, 3], p = gs[1, 4]))
  if (any(table(u$group) > 1)) {
    out$glmer <- list(default = info(glmer(y ~ 1 + (1 | group), u, family = binomial)),
                      tight = info(glmer(y ~ 1 + (1 | group), u, family = binomial, control = tightG)))
  }
  out
}
turns <- function(name, file, reference = NULL) {
  d <- rd(file)
  if (!is.null(reference)) d$condition <- relevel(factor(d$condition), ref = reference)
  f <- y ~ turn * condition + (1 | group)
  list(name = name, file = file, reference = reference,
       command = sprintf("d <- read.csv('%s'); %sglmer(y ~ turn * condition + (1 | group), data = d, family = binomial)",
                         file, if (is.null(reference)) "" else sprintf("d$condition <- relevel(factor(d$condition), ref = '%s'); ", reference)),
       default = info(glmer(f, d, family = binomial)),
       tight = info(glmer(f, d, family = binomial, control = tightG)))
}
exact <- lapply(list(c(17, 25), c(0, 10), c(10, 10), c(50, 100), c(3, 40), c(520, 1000), c(1, 1), c(7, 15)),
                function(kn) { b <- binom.test(kn[1], kn[2], 0.5)
                  list(k = kn[1], n = kn[2], p = b$p.value, ci = as.numeric(b$conf.int)) })
out <- list(
  R = R.version.string, lme4 = as.character(packageVersion("lme4")), Matrix = as.character(packageVersion("Matrix")),
  shares = list(share("grouped", "share_grouped.csv"), share("singular", "share_singular.csv"),
                share("one_per_group", "share_ones.csv")),
  turns = list(turns("turns", "turns.csv", reference = "peer/none"), turns("turns_default_ref", "turns.csv"),
               turns("turns_singular", "turns_singular.csv")),
  exact = exact)
cat(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE))
