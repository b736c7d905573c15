# Generates the CSV datasets used by fit_lme4.R and test/stats/mixed/*.test.ts.
# R 4.2.2, run as: Rscript make_data.R  (writes *.csv next to this script; output is committed)
# Numbers are rounded to 6 decimals so the CSV text is exactly what both R and the tests read.
set.seed(20240601)
wr <- function(d, f) write.csv(d, f, row.names = FALSE, quote = FALSE, na = "")
inv <- function(x) 1 / (1 + exp(-x))

# (a, b, h) logistic, one random intercept, unbalanced: 40 questions with 4..16 rows each
nq <- 40; sizes <- sample(4:16, nq, replace = TRUE)
question <- rep(sprintf("q%02d", 1:nq), sizes)
b <- rnorm(nq, 0, 0.9)[rep(1:nq, sizes)]
x <- round(rnorm(length(question)), 6)
y <- rbinom(length(question), 1, inv(0.3 + 0.8 * x + b))
wr(data.frame(question, x, y), "logit1.csv")

# (c) two crossed random intercepts: 30 items x 8 judges, ~15% of cells missing
g <- expand.grid(item = sprintf("i%02d", 1:30), judge = sprintf("j%d", 1:8), stringsAsFactors = FALSE)
g <- g[runif(nrow(g)) > 0.15, ]
bi <- rnorm(30, 0, 0.8); bj <- rnorm(8, 0, 0.5)
g$len <- round(rnorm(nrow(g)), 6)
g$y <- rbinom(nrow(g), 1, inv(-0.2 + 0.5 * g$len + bi[as.integer(substr(g$item, 2, 3))] + bj[as.integer(substr(g$judge, 2, 2))]))
wr(g[, c("item", "judge", "len", "y")], "crossed.csv")

# (d) the seed paper's multi-turn model: 36 scenarios x 3 conditions x turns 1..5
d <- expand.grid(turn = 1:5, condition = c("control", "neutral", "personalized"), scenario = sprintf("s%02d", 1:36),
                 stringsAsFactors = FALSE)
bs <- rnorm(36, 0, 1)
eff <- c(control = 0, neutral = -0.2, personalized = -0.6)
slope <- c(control = 0, neutral = -0.05, personalized = -0.25)
d$aligned <- rbinom(nrow(d), 1, inv(1.2 + eff[d$condition] + (slope[d$condition] - 0.1) * d$turn +
                                       bs[as.integer(substr(d$scenario, 2, 3))]))
wr(d[, c("scenario", "condition", "turn", "aligned")], "multiturn.csv")

# (f, g) linear model: 24 subjects (unbalanced), treatment x numeric dose
ns <- 24; sz <- sample(3:9, ns, replace = TRUE)
l <- data.frame(subject = rep(sprintf("p%02d", 1:ns), sz))
l$treat <- ifelse(rep(1:ns, sz) %% 2 == 0, "drug", "placebo")
l$dose <- round(runif(nrow(l), 0, 2), 6)
l$score <- round(10 + 1.5 * (l$treat == "drug") + 0.8 * l$dose - 0.6 * (l$treat == "drug") * l$dose +
                 rnorm(ns, 0, 1.2)[rep(1:ns, sz)] + rnorm(nrow(l), 0, 1), 6)
wr(l, "lmm.csv")

# nested (1 | school/class): 8 schools x 3..5 classes x 4..8 pupils, linear and logistic responses
rows <- list()
for (s in 1:8) {
  bsch <- rnorm(1, 0, 1)
  for (k in 1:sample(3:5, 1)) {
    bcl <- rnorm(1, 0, 0.7); m <- sample(4:8, 1)
    hrs <- round(runif(m, 0, 10), 6)
    rows[[length(rows) + 1]] <- data.frame(school = sprintf("s%d", s), class = sprintf("c%d", k), hours = hrs,
      mark = round(50 + 2 * hrs + 3 * bsch + 3 * bcl + rnorm(m, 0, 4), 6),
      pass = rbinom(m, 1, inv(-1 + 0.25 * hrs + bsch + bcl)))
  }
}
wr(do.call(rbind, rows), "nested.csv")

# (e) singular: one observation per group, so the per-group intercept is not identifiable.
# Its own seed: with set.seed(2) lme4 puts the variance at exactly zero (boundary (singular) fit).
set.seed(2)
n <- 80
e <- data.frame(g = sprintf("g%02d", 1:n), x = round(rnorm(n), 6))
e$y <- rbinom(n, 1, inv(0.2 + 0.7 * e$x))
wr(e, "singular.csv")

