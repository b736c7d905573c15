# Reference values for src/stats/sphericity.ts (test/stats/sphericity.test.ts).
# Run once:  Rscript test/reference/sphericity_reference.R > test/reference/sphericity.json
# Recorded with R 4.2.2 (Debian 4.2.2.20221110-2), whose stats:::sphericity computes
#   GG = (Σλ)² / (p Σλ²),  HF = ((n + 1) p GG − 2) / (p (n − p GG)),  n = residual df of the mlm,
# i.e. Huynh–Feldt with Lecoutre's (1991) correction (n + 1 = N − g + 1 subjects); with one group
# (g = 1) this equals the original Huynh–Feldt (1976) N p GG − 2 over p (N − 1 − p GG).
# anova.mlm(test = "Spherical") gives F, its df and the G-G / H-F corrected p-values (H-F capped at 1).
suppressPackageStartupMessages(library(jsonlite))

eps <- function(fit, M, X, idata) {
  Mm <- if (inherits(M, "formula")) model.matrix(M, idata) else M
  Xm <- if (inherits(X, "formula")) model.matrix(X, idata) else X
  Tm <- stats:::Thin.row(stats:::proj.matrix(Mm) - stats:::proj.matrix(Xm))
  stats:::sphericity(SSD(fit), T = Tm)
}
row <- function(fit, M, X, idata, effect) {
  a <- anova(fit, M = M, X = X, idata = idata, test = "Spherical")
  s <- eps(fit, M, X, idata)
  i <- 1L # the (Intercept) row: the within effect
  list(effect = effect, F = a$F[i], df = a[["num Df"]][i], df_error = a[["den Df"]][i], p = a[["Pr(>F)"]][i],
       gg = s$GG.eps, hf = s$HF.eps, p_gg = a[["G-G Pr"]][i], p_hf = a[["H-F Pr"]][i])
}

# one-way: 8 subjects × 4 levels
Y1 <- matrix(c(
  3.1, 4.0, 4.8, 6.1,
  2.2, 2.9, 3.1, 3.8,
  4.5, 4.1, 5.9, 7.2,
  1.9, 3.3, 2.8, 4.9,
  3.6, 3.5, 4.4, 5.0,
  2.8, 4.6, 4.9, 7.9,
  3.3, 3.0, 3.7, 4.1,
  4.0, 5.2, 6.3, 6.0), ncol = 4, byrow = TRUE)
fit1 <- lm(Y1 ~ 1)
id1 <- data.frame(level = factor(1:4))
one <- c(list(data = Y1), row(fit1, ~level, ~1, id1, "level"),
         list(mauchly_W = unname(mauchly.test(fit1, X = ~1)$statistic), mauchly_p = mauchly.test(fit1, X = ~1)$p.value))

# two-way within: 10 subjects × A (3 levels) × B (3 levels); column (i, j) = i·3 + j, B fastest
set.seed(4)
N <- 10; a <- 3; b <- 3
subj <- rnorm(N, 0, 1)
Y2 <- t(sapply(1:N, function(s) {
  v <- numeric(a * b)
  for (i in 1:a) for (j in 1:b) v[(i - 1) * b + j] <- round(subj[s] * (1 + 0.4 * i) + 0.3 * i - 0.2 * j + 0.25 * i * j * (s %% 3) + rnorm(1, 0, 0.5), 2)
  v
}))
fit2 <- lm(Y2 ~ 1)
id2 <- expand.grid(B = factor(1:b), A = factor(1:a))
two <- list(data = Y2, a = a, b = b, terms = list(
  row(fit2, ~A, ~1, id2, "A"),
  row(fit2, ~B, ~1, id2, "B"),
  row(fit2, ~A + B + A:B, ~A + B, id2, "A:B")))

# 2 × 4 within, 6 subjects (A has one df: epsilon 1)
set.seed(11)
Y3 <- matrix(round(rnorm(6 * 8, rep(c(1, 2, 2.5, 4, 1.5, 2, 3, 5), each = 6), 1), 2), nrow = 6)
fit3 <- lm(Y3 ~ 1)
id3 <- expand.grid(B = factor(1:4), A = factor(1:2))
three <- list(data = Y3, a = 2, b = 4, terms = list(
  row(fit3, ~A, ~1, id3, "A"),
  row(fit3, ~B, ~1, id3, "B"),
  row(fit3, ~A + B + A:B, ~A + B, id3, "A:B")))

cat(toJSON(list(generated_by = "Rscript test/reference/sphericity_reference.R", r = R.version.string,
                one_way = one, two_way = list(two, three)), auto_unbox = TRUE, digits = NA, pretty = TRUE))
