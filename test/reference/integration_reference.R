# Reference values for where issue #21's statistics are used (test/integration-stats.test.ts):
# the audit's paired effect, the probe's clustered paired tests and sphericity-corrected ANOVA.
# Run once:  Rscript test/reference/integration_reference.R > test/reference/integration.json
# Recorded with R 4.2.2 (Debian 4.2.2.20221110-2), clubSandwich 0.5.8 (r-cran-clubsandwich 0.5.8-1)
# and car 3.1-1 (r-cran-car).
#
# CR2 + exchangeable-model Satterthwaite df: clubSandwich's CR2 SE of lm(y ~ 1); the df by
# brute-force N x N matrices (see summary_reference.R), rho the one-way ANOVA ICC from aov().
# Shares: Korn & Graubard's Clopper-Pearson interval at the CR2 effective n (qbeta).
suppressPackageStartupMessages({ library(clubSandwich); library(jsonlite); library(car) })

icc_anova <- function(y, g) {
  G <- length(unique(g)); N <- length(y)
  if (G < 2 || N <= G) return(0)
  a <- suppressWarnings(anova(aov(y ~ factor(g))))
  msb <- a[["Mean Sq"]][1]; msw <- a[["Mean Sq"]][2]
  n0 <- (N - sum(table(g)^2) / N) / (G - 1)
  den <- msb + (n0 - 1) * msw
  if (!(den > 0)) return(0)
  max(0, min(1, (msb - msw) / den))
}
df_exchangeable <- function(g, rho) {
  N <- length(g); lev <- unique(g)
  Phi <- outer(g, g, "==") * rho; diag(Phi) <- 1
  P <- sapply(lev, function(k) { m <- sum(g == k); (1 / sqrt(1 - m / N)) / N * ((g == k) - m / N) })
  M <- t(P) %*% Phi %*% P
  sum(diag(M))^2 / sum(M^2)
}
cr2_exch <- function(y, g) {
  se <- coef_test(lm(y ~ 1), vcov = "CR2", cluster = g, test = "Satterthwaite")$SE[1]
  rho <- icc_anova(y, g)
  df <- df_exchangeable(g, rho)
  half <- qt(0.975, df) * se
  list(value = mean(y), se = se, df = df, icc = rho, lower = mean(y) - half, upper = mean(y) + half,
       p = 2 * pt(-abs(mean(y) / se), df), clusters = length(unique(g)))
}
kg_share <- function(y, g) {
  n <- length(y); x <- sum(y); p <- x / n
  se <- coef_test(lm(y ~ 1), vcov = "CR2", cluster = g, test = "Satterthwaite")$SE[1]
  df <- df_exchangeable(g, icc_anova(y, g))
  base <- if (p > 0 && p < 1 && se > 0) min(n, p * (1 - p) / se^2) else min(n, length(unique(g)))
  ne <- base * (qt(0.975, n - 1) / qt(0.975, df))^2
  xs <- p * ne
  list(value = p, effective_n = ne, lower = if (x == 0) 0 else qbeta(0.025, xs, ne - xs + 1),
       upper = if (x == n) 1 else qbeta(0.975, xs + 1, ne - xs))
}

# --- audit: perturbed - original on items of 7 prompts of unequal size
audit_orig <- c(3, 4, 2, 5, 3, 3, 4, 2, 1, 3, 4, 4, 5, 2, 3, 3, 4, 2)
audit_pert <- c(4, 4, 3, 5, 3, 4, 5, 3, 2, 4, 5, 4, 5, 2, 3, 3, 4, 2)
audit_g <- c("a", "a", "a", "b", "b", "c", "c", "c", "c", "c", "d", "e", "e", "f", "f", "f", "g", "g")
d <- audit_pert - audit_orig
audit <- list(original = audit_orig, perturbed = audit_pert, groups = audit_g,
              effect = cr2_exch(d, audit_g), changed = kg_share(as.numeric(d != 0), audit_g))

# --- pairwise: a win rate over pairs clustered by prompt, and over independent pairs
pw_y <- c(1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1)
pw_g <- c("a", "a", "a", "b", "b", "c", "c", "d", "d", "d", "d", "e", "e", "e")
pairwise <- list(y = pw_y, g = pw_g, clustered = kg_share(pw_y, pw_g),
                 independent = kg_share(pw_y, paste0("p", seq_along(pw_y))))

cat(toJSON(list(
  generated_by = "Rscript test/reference/integration_reference.R",
  r = R.version.string, clubSandwich = as.character(packageVersion("clubSandwich")),
  car = as.character(packageVersion("car")),
  audit = audit, pairwise = pairwise
), auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"))
