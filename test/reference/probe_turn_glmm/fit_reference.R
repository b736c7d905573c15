# lme4 reference values for test/probe/turn-glmm.test.ts: Rscript fit_reference.R in this folder (R 4.2.2 Patched r83330, lme4 1.1-31).
# data.csv and fit.R were written by plumb (exportTurnGlmm) from transcripts.jsonl (make_transcripts.mjs).
suppressPackageStartupMessages(library(lme4))
d <- read.csv("data.csv", colClasses = c(abandoned = "numeric", turn = "numeric", condition = "character", question = "character"))
d$condition <- factor(d$condition, levels = c("none", "profile", "profile-plus"))
m <- glmer(abandoned ~ turn * condition + (1 | question), data = d, family = binomial,
           control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-11, maxfun = 1e5)))
print(coef(summary(m)), digits = 10)
cat("variance", format(as.data.frame(VarCorr(m))$vcov, digits = 10), " logLik", format(as.numeric(logLik(m)), digits = 12), " nobs", nobs(m), " singular", isSingular(m), "\n")
