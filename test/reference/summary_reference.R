# Reference values for the intervals of score summaries (src/score/summary.ts, test/cluster.test.ts).
# Run once:  Rscript test/reference/summary_reference.R > test/reference/summary.json
# Recorded with R 4.2.2 (Debian 4.2.2.20221110-2) and clubSandwich 0.5.8 (Debian r-cran-clubsandwich 0.5.8-1).
#
# A clustered mean: the CR2 standard error from clubSandwich's coef_test(lm(y ~ 1), vcov = "CR2",
# cluster = g, test = "Satterthwaite"); the Satterthwaite df under an exchangeable working model,
# computed here by brute force with N x N matrices (clubSandwich's formula
# df = (sum_g p_g' Phi p_g)^2 / sum_{g,h} (p_g' Phi p_h)^2, p_g = the CR2-adjusted contrast vectors of
# the identity working model, Phi = 1 on the diagonal and rho within a cluster), rho the one-way
# ANOVA intra-cluster correlation from aov(), truncated to [0, 1]; the interval mean +- qt(0.975, df) * SE,
# clipped to the range the values live in. Items with no group are clusters of one.
# A 0/1 criterion: Korn & Graubard's Clopper-Pearson interval at the effective n
# n* = min(n, p(1 - p) / SE^2) * (qt(0.975, n - 1) / qt(0.975, df))^2 with qbeta.
suppressPackageStartupMessages({ library(clubSandwich); library(jsonlite) })

icc_anova <- function(y, g) {
  G <- length(unique(g)); N <- length(y)
  if (G < 2 || N <= G) return(0)
  a <- anova(aov(y ~ factor(g)))
  msb <- a[["Mean Sq"]][1]; msw <- a[["Mean Sq"]][2]
  n0 <- (N - sum(table(g)^2) / N) / (G - 1)
  den <- msb + (n0 - 1) * msw
  if (!(den > 0)) return(0)
  max(0, min(1, (msb - msw) / den))
}

df_exchangeable <- function(g, rho) {
  N <- length(g); lev <- unique(g)
  Phi <- outer(g, g, "==") * rho; diag(Phi) <- 1
  P <- sapply(lev, function(k) {
    m <- sum(g == k)
    (1 / sqrt(1 - m / N)) / N * ((g == k) - m / N)
  })
  M <- t(P) %*% Phi %*% P
  sum(diag(M))^2 / sum(M^2)
}

mean_case <- function(name, y, groups, range) {
  g <- ifelse(is.na(groups), paste0("__single_", seq_along(y)), groups)
  fit <- lm(y ~ 1)
  ct <- coef_test(fit, vcov = "CR2", cluster = g, test = "Satterthwaite")
  se <- ct$SE[1]
  rho <- icc_anova(y, g)
  df <- df_exchangeable(g, rho)
  half <- qt(0.975, df) * se
  lo <- mean(y) - half; hi <- mean(y) + half
  list(name = name, y = y, groups = groups, range = range, mean = mean(y), se = se,
       df_independence = ct$df_Satt[1], icc = rho, df = df, clusters = length(unique(g)),
       lower = max(range[1], lo), upper = min(range[2], hi),
       clipped = (lo < range[1]) || (hi > range[2]))
}

share_case <- function(name, y, groups) {
  g <- ifelse(is.na(groups), paste0("__single_", seq_along(y)), groups)
  n <- length(y); x <- sum(y); p <- x / n
  se <- coef_test(lm(y ~ 1), vcov = "CR2", cluster = g, test = "Satterthwaite")$SE[1]
  rho <- icc_anova(y, g)
  df <- df_exchangeable(g, rho)
  base <- if (p > 0 && p < 1 && se > 0) min(n, p * (1 - p) / se^2) else min(n, length(unique(g)))
  ne <- base * (qt(0.975, n - 1) / qt(0.975, df))^2
  xs <- p * ne
  lo <- if (x == 0) 0 else qbeta(0.025, xs, ne - xs + 1)
  hi <- if (x == n) 1 else qbeta(0.975, xs + 1, ne - xs)
  list(name = name, y = y, groups = groups, value = p, effective_n = ne, df = df, icc = rho,
       clusters = length(unique(g)), lower = lo, upper = hi)
}

means <- list(
  mean_case("ten prompts, four responses each",
    c(5, 1, 3, 2, 5, 1, 3, 3, 1, 4, 5, 3, 4, 3, 1, 1, 1, 5, 3, 1, 5, 5, 5, 3, 5, 4, 5, 5, 1, 4, 5, 3, 4, 5, 1, 1, 1, 5, 1, 1),
    rep(paste0("q", 0:9), each = 4), c(1, 5)),
  mean_case("groups and ungrouped items mixed",
    c(5, 0, 3, 4, 9, 7, 2, 10, 7, 10, 2, 1, 3, 10, 4, 4, 6, 2, 0, 2, 2, 5, 7, 0, 7, 0, 3, 10, 0, 8),
    c(NA, "p1", "p2", NA, "p4", "p5", NA, "p0", "p1", NA, "p3", "p4", NA, "p6", "p0", NA, "p2", "p3", NA, "p5", "p6", NA, "p1", "p2", NA, "p4", "p5", NA, "p0", "p1"),
    c(0, 10)),
  mean_case("constant within clusters, different between",
    c(2, 2, 2, 4, 4, 4, 3, 3), c("a", "a", "a", "b", "b", "b", "c", "c"), c(1, 5)),
  mean_case("unequal prompts on a 0-1 index, near the top",
    c(0.95, 0.9, 1, 0.85, 0.9, 0.97, 1, 1, 0.92, 0.99, 0.7, 0.75, 0.8, 1, 0.96, 0.98, 0.99, 1, 0.6, 0.65, 0.94),
    c("a", "b", "b", "c", "c", "c", "d", "d", "d", "d", "d", "d", "d", "d", "e", "e", "f", "f", "g", "g", "h"),
    c(0, 1))
)
shares <- list(
  share_case("pass/fail criterion, 6 prompts of unequal size",
    c(1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0),
    c("a", "a", "a", "a", "a", "b", "b", "c", "c", "c", "c", "c", "c", "d", "e", "e", "e", "f", "f", "f")),
  share_case("pass/fail criterion, no groups",
    c(1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1), rep(NA, 12))
)

cat(toJSON(list(
  generated_by = "Rscript test/reference/summary_reference.R",
  r = R.version.string, clubSandwich = as.character(packageVersion("clubSandwich")),
  means = means, shares = shares
), auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"))
