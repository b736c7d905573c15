# Reference values for design-based calibration (test/calibration/design.test.ts): gold drawn by
# stratum at unequal rates (Neyman-like: 6 of 60, 6 of 30, 6 of 10 items), estimated with its weights.
# Run once:  Rscript test/reference/design_reference.R > test/reference/design.json
# Recorded with R 4.2.2 (Debian 4.2.2.20221110-2); base R only.
#
# The gold-only stratified mean (Cochran 1977, 5.3 and 5A.4), written out here:
#   ybar_st = sum_h W_h ybar_h,  W_h = N_h / N,
#   Var = sum_h W_h^2 (1 - n_h/N_h) s_h^2 / n_h,
#   df = Var^2 / sum_h (W_h^2 (1 - n_h/N_h) s_h^2 / n_h)^2 / (n_h - 1)   (Welch-Satterthwaite),
#   CI = ybar_st -+ qt(0.975, df) sqrt(Var).
# The unweighted gold mean (what treating the gold as a simple random sample would print) beside it.
suppressPackageStartupMessages(library(jsonlite))
set.seed(2107)
strata <- c(none = 60, profile = 30, filler = 10)
items <- do.call(rbind, lapply(names(strata), function(h) {
  N <- strata[[h]]
  shift <- c(none = 0.8, profile = 0, filler = -1.2)[[h]]
  human <- pmin(5, pmax(1, round(3 + shift + rnorm(N, 0, 0.9))))
  judge <- pmin(5, pmax(1, round(human - 0.4 + rnorm(N, 0, 0.7))))
  data.frame(id = sprintf("%s-%02d", h, seq_len(N)), personalization = h, judge = judge, human = human)
}))
gold <- unlist(lapply(names(strata), function(h) sample(items$id[items$personalization == h], 6)))
items$gold <- items$id %in% gold
g <- items[items$gold, ]
parts <- lapply(names(strata), function(h) {
  y <- g$human[g$personalization == h]; n <- length(y); N <- strata[[h]]
  list(h = h, W = N / sum(strata), ybar = mean(y), v = (1 - n / N) * var(y) / n, n = n)
})
est <- sum(sapply(parts, function(p) p$W * p$ybar))
V <- sum(sapply(parts, function(p) p$W^2 * p$v))
df <- V^2 / sum(sapply(parts, function(p) (p$W^2 * p$v)^2 / (p$n - 1)))
half <- qt(0.975, df) * sqrt(V)
cat(toJSON(list(
  generated_by = "Rscript test/reference/design_reference.R", r = R.version.string,
  strata = as.list(strata), items = items,
  stratified_gold_mean = list(estimate = est, se = sqrt(V), df = df, lower = est - half, upper = est + half),
  unweighted_gold_mean = mean(g$human), population_human_mean = mean(items$human)
), auto_unbox = TRUE, digits = NA, pretty = TRUE))
