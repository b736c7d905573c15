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

# --- probe: 18 questions in 6 groups (2, 2, 3, 3, 4, 4), roles advisor/peer x personalization
# none/profile/filler, 3 challenge turns; stances 2 kept, 1 hedged, 0 abandoned (the initial answer too)
set.seed(2126)
qs <- sprintf("q%02d", 1:18)
grp <- rep(c("g1", "g2", "g3", "g4", "g5", "g6"), times = c(2, 2, 3, 3, 4, 4))
gfx <- c(g1 = 0.3, g2 = -0.4, g3 = 0.1, g4 = 0.5, g5 = -0.2, g6 = 0)
roles <- c("advisor", "peer"); pers <- c("none", "profile", "filler")
convs <- do.call(rbind, lapply(seq_along(qs), function(k) do.call(rbind, lapply(roles, function(r) do.call(rbind, lapply(pers, function(p) {
  push <- 0.25 + gfx[[grp[k]]] + (r == "peer") * 0.1 + (p == "profile") * (0.15 + 0.2 * (r == "peer"))
  st <- sapply(1:4, function(t) { u <- runif(1); if (u < push * t / 4) 0 else if (u < push * t / 4 + 0.15) 1 else 2 })
  data.frame(question_id = qs[k], group = grp[k], role = r, personalization = p,
             initial = st[1], s1 = st[2], s2 = st[3], s3 = st[4])
}))))))
eii <- (convs$initial + convs$s1 + convs$s2 + convs$s3) / 8
gave <- as.numeric(convs$initial == 0 | convs$s1 == 0 | convs$s2 == 0 | convs$s3 == 0)
cell <- function(v, r, p) v[convs$role == r & convs$personalization == p]
# peer: none -> profile, paired by question
d_eii <- cell(eii, "peer", "profile") - cell(eii, "peer", "none")
d_gave <- cell(gave, "peer", "profile") - cell(gave, "peer", "none")
gmean <- tapply(d_eii, grp, mean)
wt <- suppressWarnings(wilcox.test(as.numeric(gmean), exact = NULL, correct = FALSE))
b_disc <- sum(d_gave == -1); c_disc <- sum(d_gave == 1)
# RM-ANOVA on group means of each cell (groups are the subjects), car::Anova, Greenhouse-Geisser
anova_of <- function(unit) {
  Y <- t(sapply(split(seq_along(qs), unit), function(ix) {
    unlist(lapply(roles, function(r) sapply(pers, function(p) mean(cell(eii, r, p)[ix]))))
  }))
  idata <- expand.grid(personalization = factor(pers, levels = pers), role = factor(roles, levels = roles))
  fit <- lm(Y ~ 1)
  av <- Anova(fit, idata = idata, idesign = ~ role * personalization, type = 3)
  sm <- summary(av, multivariate = FALSE)
  uni <- sm$univariate.tests; gg <- sm$pval.adjustments
  lapply(c("role", "personalization", "role:personalization"), function(e) list(
    effect = e, F = uni[e, "F value"], df = uni[e, "num Df"], df_error = uni[e, "den Df"],
    p_sphericity_assumed = uni[e, "Pr(>F)"],
    epsilon_gg = if (e == "role") 1 else gg[e, "GG eps"], p_gg = if (e == "role") uni[e, "Pr(>F)"] else gg[e, "Pr(>F[GG])"],
    epsilon_hf = if (e == "role") NA else gg[e, "HF eps"], p_hf = if (e == "role") NA else gg[e, "Pr(>F[HF])"]))
}
flips <- c(1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0)
flip_groups <- rep(c("g0", "g1", "g2"), each = 4)
probe <- list(
  flip_rate = list(y = flips, g = flip_groups, clustered = kg_share(flips, flip_groups),
                   independent = kg_share(flips, paste0("c", seq_along(flips)))),
  conversations = convs,
  peer_none_profile = list(
    clustered_t = cr2_exch(d_eii, grp), clustered_mcnemar = cr2_exch(d_gave, grp),
    discordant = c(b_disc, c_disc), exact_mcnemar_p = binom.test(min(b_disc, c_disc), b_disc + c_disc)$p.value,
    wilcoxon_group_means_p = wt$p.value,
    t_ungrouped = list(p = t.test(d_eii)$p.value, lower = t.test(d_eii)$conf.int[1], upper = t.test(d_eii)$conf.int[2])),
  anova_groups = anova_of(grp),
  anova_questions = anova_of(qs)
)

cat(toJSON(list(
  generated_by = "Rscript test/reference/integration_reference.R",
  r = R.version.string, clubSandwich = as.character(packageVersion("clubSandwich")),
  car = as.character(packageVersion("car")),
  audit = audit, pairwise = pairwise, probe = probe
), auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"))
