"""Reference values for the streamed cluster-robust means of score summaries (test/cluster.test.ts).

Run with Debian bookworm's Python (statsmodels 0.13.5, numpy 1.24.2, mpmath 1.2.1):

    /usr/bin/python3 test/reference/cluster_reference.py > test/reference/cluster.json

Each case is a mean with statsmodels' cluster-robust interval: OLS(y, 1).fit(cov_type='cluster',
cov_kwds={'groups': g}, use_t=True), whose small-sample factor for one regressor is G/(G - 1) and
whose t has G - 1 degrees of freedom; items with no group get a group label of their own. The
t quantile comes from mpmath (scipy 1.10.1's t.ppf is off by ~1e-9 at few degrees of freedom), and
the half-width is recomputed from statsmodels' standard error with it.
"""
import json

import mpmath as mp
import numpy as np
import statsmodels.api as sm

mp.mp.dps = 40


def t_quantile(p, v):
    v = mp.mpf(v)

    def cdf(x):
        ib = mp.betainc(v / 2, mp.mpf(1) / 2, 0, v / (v + x * x), regularized=True)
        return 1 - ib / 2 if x > 0 else ib / 2

    return float(mp.findroot(lambda x: cdf(x) - mp.mpf(p), 2.0))


def case(name, y, groups):
    # None = no group: a cluster of its own
    labels = [g if g is not None else f"__single_{i}" for i, g in enumerate(groups)]
    codes = {l: k for k, l in enumerate(dict.fromkeys(labels))}
    g = np.array([codes[l] for l in labels])
    y = np.array(y, dtype=float)
    fit = sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
    G = len(codes)
    se = float(fit.bse[0])
    half = t_quantile("0.975", G - 1) * se
    lo, hi = (float(v) for v in fit.conf_int(alpha=0.05)[0])
    return {
        "name": name,
        "y": y.tolist(),
        "groups": groups,
        "mean": float(fit.params[0]),
        "se": se,
        "clusters": G,
        "ci_mpmath": [float(fit.params[0]) - half, float(fit.params[0]) + half],
        "ci_statsmodels": [lo, hi],
    }


rng = np.random.default_rng(20261123)
y1 = rng.integers(1, 6, 40).tolist()
g1 = [f"q{i // 4}" for i in range(40)]  # ten prompts, four responses each
y2 = rng.integers(0, 11, 30).tolist()
g2 = [f"p{i % 7}" if i % 3 else None for i in range(30)]  # groups mixed with ungrouped items
out = {
    "versions": {"statsmodels": sm.__version__ if hasattr(sm, "__version__") else __import__("statsmodels").__version__, "numpy": np.__version__},
    "cases": [
        case("ten prompts, four responses each", y1, g1),
        case("groups and ungrouped items mixed", y2, g2),
        case("constant within clusters, different between", [2, 2, 2, 4, 4, 4, 3, 3], ["a", "a", "a", "b", "b", "b", "c", "c"]),
    ],
}
print(json.dumps(out, indent=1))
