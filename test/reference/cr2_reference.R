# Reference values for src/stats/cr2.ts (test/stats/cr2.test.ts).
# Run once:  Rscript test/reference/cr2_reference.R > test/reference/cr2.json
# Recorded with R 4.2.2 (Debian 4.2.2.20221110-2) and clubSandwich 0.5.8 (Debian r-cran-clubsandwich 0.5.8-1).
suppressPackageStartupMessages({ library(clubSandwich); library(jsonlite) })

row <- function(fit, cluster, coef) {
  ct <- coef_test(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite")
  ci <- conf_int(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite", level = 0.95)
  cr1 <- coef_test(fit, vcov = "CR1", cluster = cluster, test = "naive-t")
  i <- which(ct$Coef == coef)
  list(coef = coef, beta = ct$beta[i], se = ct$SE[i], df = ct$df_Satt[i], p = ct$p_Satt[i],
       lower = ci$CI_L[i], upper = ci$CI_U[i], se_cr1 = cr1$SE[i])
}

# intercept-only means: y ~ 1 with clusters
means <- list(
  list(name = "G3 unequal", y = c(2.1, 3.4, 1.9, 4.2, 5.0, 3.3, 2.8, 0.7, 1.1), g = c(1, 1, 1, 1, 1, 2, 2, 3, 3)),
  list(name = "G4 unequal", y = c(3, 4, 5, 2, 1, 4, 4, 5, 3, 2, 1, 5), g = c("a", "a", "b", "b", "b", "b", "b", "b", "c", "d", "d", "d")),
  list(name = "G5 binary rare", y = c(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), g = c(1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5)),
  list(name = "G5 equal", y = c(1.5, 2.5, 0.3, 0.9, 4.4, 3.1, 2.2, 2.0, 1.0, 0.1), g = c(1, 1, 2, 2, 3, 3, 4, 4, 5, 5)),
  list(name = "G8 singletons mixed", y = c(0.2, 0.9, 0.4, 0.7, 0.1, 0.95, 0.5, 0.33, 0.61, 0.8, 0.05), g = c(1, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8))
)
set.seed(20261204)
gbig <- rep(1:20, times = c(1, 2, 3, 5, 8, 13, 2, 2, 1, 30, 4, 4, 6, 7, 1, 1, 9, 3, 2, 11))
means[[length(means) + 1]] <- list(name = "G20 skewed sizes", y = round(rnorm(length(gbig)) + gbig / 10, 4), g = gbig)

out_means <- lapply(means, function(d) {
  fit <- lm(d$y ~ 1)
  c(list(name = d$name, y = d$y, g = as.character(d$g)), row(fit, d$g, "(Intercept)"))
})

# two conditions, clusters spanning both (prompts rated under A and B) and not
contrasts <- list(
  list(name = "crossed G4", y = c(3, 4, 2, 5, 4, 3, 1, 2, 2, 3, 4, 4, 5), x = c(0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1), g = c(1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 4)),
  list(name = "nested G6", y = c(0.1, 0.3, 0.2, 0.8, 0.9, 0.4, 0.6, 0.7, 0.75, 0.2, 0.25), x = c(0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1), g = c(1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6))
)
out_contrasts <- lapply(contrasts, function(d) {
  fit <- lm(d$y ~ d$x)
  c(list(name = d$name, y = d$y, x = d$x, g = as.character(d$g)), row(fit, d$g, "d$x"))
})

cat(toJSON(list(
  generated_by = "Rscript test/reference/cr2_reference.R",
  r = R.version.string, clubSandwich = as.character(packageVersion("clubSandwich")),
  means = out_means, contrasts = out_contrasts
), auto_unbox = TRUE, digits = NA, pretty = TRUE))
