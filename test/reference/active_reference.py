"""Reference values for src/stats/active.ts and src/stats/confidence-sequence.ts
(test/stats/active.test.ts, test/stats/confidence-sequence.test.ts).

Two independent sources:
  1. the estimator, the inclusion probabilities, the asymptotic CS and the expected saving are
     written again here from their formulas with numpy/scipy (not a port of the TypeScript: the cap
     of the probabilities is solved by bisection on κ, the Satterthwaite df and the t quantile come
     from numpy and scipy.stats.t), together with Zrnic & Candès' own formula for their estimator
     (github.com/tijana-zrnic/active-inference, commit 0f99f7e, pew79-post-election-research.ipynb:
     pointest = mean(Yhat + (Y − Yhat)·xi/probs), std = np.std(...)/sqrt(n));
  2. the hedged-capital betting CS is computed by RUNNING Waudby-Smith & Ramdas' own package
     (github.com/WannabeSmith/confseq, commit c9f8c44, src/confseq/betting.py: betting_cs with
     lambda_predmix_eb for both capital processes, as in the paper's hedged capital process). Not
     hedged_cs itself: it passes the bare lambda_predmix_eb as the negative process's bet function,
     which betting_mart calls as f(x, m), so m lands in lambda_predmix_eb's `truncation` argument
     and the downward bets are capped at m as well — an asymmetry the paper does not have, which
     makes confseq's upper bounds wider than the method's (e.g. 0.848 instead of 0.648 after 10
     Beta(2, 5) draws). Their code is not part of plumb;
     check it out anywhere and point CONFSEQ_REPO at its src/ folder (it imports matplotlib and
     multiprocess, which are stubbed here: neither is used on this path):

  CONFSEQ_REPO=/path/to/confseq/src python3 test/reference/active_reference.py > test/reference/active.json

Recorded with Python 3.11.7, numpy 2.4.6 and scipy 1.17.1 (see the JSON header).
"""
import json
import os
import sys
import types

import numpy as np
import scipy
from scipy import optimize, stats

for name in ["matplotlib", "matplotlib.pyplot", "multiprocess"]:
    sys.modules.setdefault(name, types.ModuleType(name))
sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]
sys.path.insert(0, os.environ["CONFSEQ_REPO"])
from confseq.betting import betting_cs  # noqa: E402
from confseq.betting_strategies import lambda_predmix_eb  # noqa: E402


def probabilities(u, budget, tau):
    """π = min(1, κ·shape) with Σπ = budget, κ by bisection (an independent route to the cap)."""
    u = np.asarray(u, dtype=float)
    N = len(u)
    if budget >= N:
        return np.ones(N)
    shape = (1 - tau) * u / u.sum() + tau / N if u.sum() > 0 else np.full(N, 1 / N)
    lo, hi = 0.0, 1.0 / shape.min()
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.minimum(1, mid * shape).sum() < budget:
            lo = mid
        else:
            hi = mid
    return np.minimum(1, hi * shape)


def active_mean(f, pi, xi, y, folds, intercept, alpha=0.05):
    """The active estimate with a cross-fitted shift c (λ = 1) or none, population and items variances."""
    f, pi, xi, y = map(np.asarray, (f, pi, xi, y))
    N = len(f)
    g = f.astype(float).copy()
    if intercept:
        for k in np.unique(folds):
            out = (folds != k) & (xi == 1)
            w = (1 - pi[out]) / pi[out] ** 2
            c = np.sum(w * (y[out] - f[out])) / np.sum(w) if np.sum(w > 0) > 0 else 0.0
            g[folds == k] = f[folds == k] + c
    T = g + np.where(xi == 1, (y - g) / pi, 0.0)
    est = T.mean()
    n = int(xi.sum())
    e = (T - est) / N
    v_pop = np.sum(e**2) * N / (N - 1)
    df_pop = min(n - 1, 2 * np.sum(e**2) ** 2 / np.sum(e**4))
    r = (y - g)[xi == 1]
    p = pi[xi == 1]
    d = (1 - p) * r**2 / p**2
    v_items = d.sum() / N**2
    df_items = min(n - 1, 2 * d.sum() ** 2 / np.sum(d**2))
    out = {}
    for name, v, df in [("population", v_pop, df_pop), ("items", v_items, df_items)]:
        se = np.sqrt(v)
        q = stats.t.ppf(1 - alpha / 2, df)
        out[name] = {"se": se, "df": df, "lower": est - q * se, "upper": est + q * se}
    out["estimate"] = est
    out["uniform_labels"] = N * np.sum(r**2 / p) / np.sum(r**2 / p**2)
    # Zrnic & Candès' notebook formula (λ = 1, no shift): point estimate and np.std (ddof 0)/√n
    zc = f + (y - f) * xi / pi
    out["zc_estimate"] = np.mean(zc)
    out["zc_std"] = np.std(zc) / np.sqrt(N)
    return out


def mixture_half(t, rho2, alpha):
    a = t * rho2 + 1
    return np.sqrt(2 * a / (t * t * rho2) * np.log(np.sqrt(a) / alpha))


def expected_saving(u, budget, tau, explained):
    u = np.asarray(u, dtype=float)
    N = len(u)
    pi = probabilities(u, budget, tau)
    s2 = (1 - explained) * np.mean(u**2) + explained * u**2
    n_u = N * s2.sum() / np.sum(s2 / pi)
    v_act = np.sum((1 / pi - 1) * s2)
    v_unif = (N / budget - 1) * s2.sum()
    return {"uniform_labels": n_u, "saving": 1 - budget / n_u, "variance_ratio": v_act / v_unif}


rng = np.random.default_rng(20240624)
result = {
    "generated_by": "CONFSEQ_REPO=... python3 test/reference/active_reference.py",
    "confseq_commit": "c9f8c44",
    "active_inference_commit": "0f99f7e",
    "python": sys.version.split()[0],
    "numpy": np.__version__,
    "scipy": scipy.__version__,
}

# 1. inclusion probabilities (ties, zeros, caps)
prob_cases = []
for name, u, budget, tau in [
    ("ties and zeros", [0, 0, 1, 1, 2, 0, 0.5, 0.5], 3, 0.5),
    ("one item capped", [0, 0, 1, 1, 3, 0], 3, 0.5),
    ("several capped, τ = 0.1", [10, 9, 0.1, 0.2, 0.1, 0.3, 0.1, 0.2, 0.1, 0.1, 8, 0.2], 5, 0.1),
    ("random 200, budget 40, τ = 0.3", list(np.round(rng.gamma(0.7, 1.0, 200), 6)), 40, 0.3),
]:
    prob_cases.append({"name": name, "u": u, "budget": budget, "tau": tau, "pi": list(probabilities(u, budget, tau))})
result["probabilities"] = prob_cases

# 2. the estimator on seeded data, explicit folds
est_cases = []
for name, N, budget, scale, tau in [
    ("ordinal 1–5, N = 300, budget 60", 300, 60, "ordinal", 0.5),
    ("0/1, N = 500, budget 80", 500, 80, "binary", 0.5),
    ("heavy weights: a signal unrelated to the errors, τ = 0.05, N = 400, budget 50", 400, 50, "unrelated", 0.05),
]:
    if scale == "unrelated":
        y = rng.choice([1, 2, 3, 4, 5], size=N, p=[0.05, 0.1, 0.2, 0.35, 0.3]).astype(float)
        f = np.clip(np.round(y + 0.8 * rng.normal(size=N)), 1, 5)
        u = rng.gamma(0.5, 1.0, N)
    elif scale == "ordinal":
        y = rng.choice([1, 2, 3, 4, 5], size=N, p=[0.05, 0.1, 0.2, 0.35, 0.3]).astype(float)
        hard = rng.random(N) < 0.3
        f = np.clip(np.round(y + 0.3 + np.where(hard, 1.3, 0.3) * rng.normal(size=N)), 1, 5)
        u = np.where(hard, 1.0, 0.2) + 0.1 * rng.random(N)
    else:
        y = (rng.random(N) < 0.2).astype(float)
        share = np.where(rng.random(N) < 0.3, 0.6, 0.97)
        f = np.array([np.mean(rng.random(5) < (s if yi else 1 - s)) for yi, s in zip(y, share)])
        u = np.sqrt(f * (1 - f))
    pi = probabilities(u, budget, tau)
    xi = (rng.random(N) < pi).astype(int)
    folds = rng.permutation(np.arange(N) % 5)
    case = {
        "name": name,
        "f": list(f),
        "y": list(y),
        "pi": list(pi),
        "xi": list(map(int, xi)),
        "folds": list(map(int, folds)),
        "shift": active_mean(f, pi, xi, y, folds, True),
        "no_shift": active_mean(f, pi, xi, y, folds, False),
    }
    est_cases.append(case)
result["estimator"] = est_cases

# 3. the hedged betting CS, by Waudby-Smith & Ramdas' own code
cs_cases = []
for name, x, trunc in [
    ("Beta(2, 5), trunc ½", rng.beta(2, 5, 300), 0.5),
    ("Beta(2, 5), trunc 0.9", rng.beta(2, 5, 300), 0.9),
    ("Bernoulli(0.1), trunc ½", (rng.random(300) < 0.1).astype(float), 0.5),
    ("concentrated at 0.62 ± 0.01, trunc 0.9", 0.62 + 0.01 * rng.uniform(-1, 1, 300), 0.9),
]:
    lam = lambda x, m: lambda_predmix_eb(x, alpha=0.05)  # noqa: E731
    lo, hi = betting_cs(
        x,
        lambdas_fns_positive=[lam],
        lambdas_fns_negative=[lam],
        alpha=0.05,
        breaks=1000,
        running_intersection=True,
        theta=0.5,
        trunc_scale=trunc,
        m_trunc=True,
        convex_comb=False,
    )
    times = [1, 2, 5, 10, 25, 50, 100, 200, 300]
    cs_cases.append(
        {
            "name": name,
            "x": list(x),
            "truncation": trunc,
            "times": times,
            "lower": [float(lo[t - 1]) for t in times],
            "upper": [float(hi[t - 1]) for t in times],
        }
    )
result["betting"] = cs_cases

# 4. the asymptotic CS: half-width factor, and the ρ that minimises it at t* (scipy's bounded search)
asy = []
for t_star, alpha in [(100, 0.05), (200, 0.05), (1000, 0.1)]:
    res = optimize.minimize_scalar(lambda lr: mixture_half(t_star, np.exp(lr), alpha), bounds=(-20, 2), method="bounded", options={"xatol": 1e-10})
    rho2 = float(np.exp(res.x))
    x = rng.normal(3, 1, 150)
    t = np.arange(1, 151)
    mu = np.cumsum(x) / t
    sd = np.array([np.std(x[:k], ddof=1) if k > 1 else np.nan for k in t])
    half = sd * mixture_half(t, rho2, alpha)
    asy.append({"t_star": t_star, "alpha": alpha, "rho2": rho2, "x": list(x), "t": [40, 80, 150], "lower": [float(mu[k - 1] - half[k - 1]) for k in [40, 80, 150]], "upper": [float(mu[k - 1] + half[k - 1]) for k in [40, 80, 150]]})
result["asymptotic"] = asy

# 5. expected saving before any label
u = list(np.round(rng.gamma(0.8, 1.0, 400), 6))
result["expected_saving"] = [
    {"u": u, "budget": b, "tau": tau, "explained": s, **expected_saving(u, b, tau, s)}
    for b, tau, s in [(60, 0.5, 0.5), (60, 0.5, 1.0), (120, 0.2, 0.8), (60, 1.0, 0.7)]
]

json.dump(result, sys.stdout, indent=1, default=float)
print()
