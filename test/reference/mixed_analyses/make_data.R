# Datasets for test/mixed/analyses.test.ts (shareAgainstHalf, turnByCondition).
# R 4.2.2, run as: Rscript make_data.R  (writes *.csv next to this script; output is committed)
# y is NA where the observation is a tie (shares) or an unjudged turn (turns): left out by both sides.
set.seed(20250120)
wr <- function(d, f) write.csv(d, f, row.names = FALSE, quote = FALSE, na = "")
inv <- function(x) 1 / (1 + exp(-x))

# share_grouped: 30 questions with 1..4 pairs each, a typical question's share plogis(0.6), SD 1 between
nq <- 30; sizes <- sample(1:4, nq, replace = TRUE)
group <- rep(sprintf("q%02d", 1:nq), sizes)
b <- rnorm(nq, 0, 1)[rep(1:nq, sizes)]
y <- rbinom(length(group), 1, inv(0.6 + b))
y[sample(length(y), 6)] <- NA  # six ties
wr(data.frame(group, y), "share_grouped.csv")

# share_singular: 20 questions of 2 pairs, 16 split 1/0 and 4 both 1 — groups less alike than
# chance, so the question variance is estimated at zero (a singular fit)
s <- data.frame(group = rep(sprintf("s%02d", 1:20), each = 2),
                y = c(rep(c(1, 0), 16), rep(c(1, 1), 4)))
wr(s, "share_singular.csv")

# share_ones: one pair per question (25 questions): the random intercept is unidentifiable
o <- data.frame(group = sprintf("o%02d", 1:25), y = c(rep(1, 17), rep(0, 8)))
wr(o, "share_ones.csv")

# turns: 24 questions x 3 conditions x turns 1..5; the seed paper's turn x condition model
t <- expand.grid(turn = 1:5, condition = c("advisor/none", "advisor/profile", "peer/none"),
                 group = sprintf("g%02d", 1:24), stringsAsFactors = FALSE)
bg <- rnorm(24, 0, 0.9)
eff <- c("advisor/none" = 0, "advisor/profile" = 0.4, "peer/none" = -0.5)
slope <- c("advisor/none" = 0.25, "advisor/profile" = 0.45, "peer/none" = 0.1)
t$y <- rbinom(nrow(t), 1, inv(-1.4 + eff[t$condition] + slope[t$condition] * t$turn +
                                bg[as.integer(substr(t$group, 2, 3))]))
t$y[sample(nrow(t), 10)] <- NA  # ten unjudged turns
wr(t[, c("group", "condition", "turn", "y")], "turns.csv")

# turns_singular: 8 questions x 2 conditions x turns 1..4 with no question effect at all, drawn
# until lme4 finds the question variance at zero (a singular fit; the draw number is printed)
suppressMessages(library(lme4))
for (draw in 1:50) {
  u <- expand.grid(turn = 1:4, condition = c("control", "treated"), group = sprintf("h%d", 1:8),
                   stringsAsFactors = FALSE)
  u$y <- rbinom(nrow(u), 1, inv(-0.3 + 0.3 * (u$condition == "treated") + 0.1 * u$turn))
  m <- suppressMessages(glmer(y ~ turn * condition + (1 | group), u, family = binomial))
  if (isSingular(m)) break
}
cat("turns_singular: draw", draw, "\n")
wr(u[, c("group", "condition", "turn", "y")], "turns_singular.csv")
