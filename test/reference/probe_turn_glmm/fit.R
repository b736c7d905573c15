# Re-fit in R of a mixed model fitted by plumb-judge 0.1.0 (plumb mixed).
# Data: data.csv beside this script, exactly the 279 rows plumb fitted (from transcripts.jsonl).
# plumb fitted: abandoned ~ turn * condition + (1 | question)   [binomial, Laplace]
# Run in this folder:  Rscript fit.R
# The same fit in plumb:  npx plumb mixed --data data.csv --formula 'abandoned ~ turn * condition + (1 | question)' --family binomial --reference condition=none
# plumb is checked against R 4.2.2, lme4 1.1-31 and lmerTest 3.1-3 (docs/mixed-models.md).

suppressPackageStartupMessages(library(lme4))
d <- read.csv("data.csv", colClasses = c("abandoned" = "numeric", "turn" = "numeric", "condition" = "character", "question" = "character"),
              na.strings = character(0), check.names = FALSE, encoding = "UTF-8")
stopifnot(nrow(d) == 279L)
# factor levels in the order plumb used
d[["condition"]] <- factor(d[["condition"]], levels = c("none", "profile", "profile-plus"))  # first level "none" is the reference

m <- glmer(abandoned ~ turn * condition + (1 | question), data = d, family = binomial, nAGQ = 1)
print(summary(m))
cat("singular fit:", isSingular(m), "\n\n")

# lme4's default stopping rule leaves slack (up to ~1e-3 of an estimate); plumb polishes to the
# optimum, so it is compared with a fit at tight tolerances as well
mt <- update(m, control = glmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-11, maxfun = 1e5)))
# lme4's estimates beside plumb's
plumb <- data.frame(estimate = c(-1.9087216886589593, 0.32424390242714307, 0.6958101186530176, -0.3930739282002813, 0.012083359583092614, 0.4885811966565183), se = c(0.6495640476997934, 0.2187208205245119, 0.8427715971631491, 0.8857690198627362, 0.2942548235429398, 0.3100412476762468),
                    row.names = c("(Intercept)", "turn", "conditionprofile", "conditionprofile-plus", "turn:conditionprofile", "turn:conditionprofile-plus"))
cf <- coef(summary(m))
ct <- coef(summary(mt))
cmp <- data.frame(lme4 = cf[, "Estimate"], lme4_tight = ct[, "Estimate"], plumb = plumb[rownames(cf), "estimate"],
                  lme4_se = cf[, "Std. Error"], lme4_tight_se = ct[, "Std. Error"], plumb_se = plumb[rownames(cf), "se"])
print(cmp, digits = 7)
cat("logLik: lme4", format(as.numeric(logLik(m)), digits = 10), " lme4 tight", format(as.numeric(logLik(mt)), digits = 10), " plumb", "-169.82885684779978", "\n")
