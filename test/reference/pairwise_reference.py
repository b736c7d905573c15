"""Reference values for test/pairwise-stats.test.ts, computed independently of plumb.

Run with Debian bookworm's Python (scipy 1.10.1, statsmodels 0.13.5, numpy 1.24.2):

    /usr/bin/python3 test/reference/pairwise_reference.py > test/reference/pairwise.json

- Wilson intervals: scipy.stats.binomtest(k, n).proportion_ci(method='wilson').
- (The CR1 cluster-robust mean and Korn-Graubard Wilson share once recorded here were retired with
  issue #21: plumb's clustered intervals are CR2, referenced in integration_reference.R.)
- Bradley-Terry: statsmodels GLM, binomial family with a logit link, one row per pair of systems
  (endog = i's share of the points against j, ties a half; var_weights = comparisons), design
  +1 for i and -1 for j with system 0 dropped; strengths centred to mean 0.
"""
import json

import numpy as np
import statsmodels.api as sm
from scipy import stats

out = {"versions": {"scipy": __import__("scipy").__version__, "statsmodels": sm.__version__, "numpy": np.__version__}}

out["wilson"] = []
for k, n in [(0, 10), (10, 10), (7, 20), (1, 3), (493, 1000), (0, 1)]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    out["wilson"].append({"k": k, "n": n, "lo": ci.low, "hi": ci.high})

# Bradley-Terry: four systems, wins and ties between every pair that met
systems = ["alpha", "beta", "gamma", "delta"]
# (i, j, i_wins, j_wins, ties)
games = [
    (0, 1, 7, 3, 2),
    (0, 2, 5, 5, 0),
    (0, 3, 9, 1, 1),
    (1, 2, 4, 6, 3),
    (1, 3, 6, 2, 0),
    (2, 3, 8, 4, 1),
]
rows, endog, weights = [], [], []
for i, j, wi, wj, t in games:
    x = np.zeros(len(systems))
    x[i], x[j] = 1, -1
    rows.append(x[1:])
    n = wi + wj + t
    endog.append((wi + 0.5 * t) / n)
    weights.append(n)
glm = sm.GLM(np.array(endog), np.array(rows), family=sm.families.Binomial(), var_weights=np.array(weights, float)).fit(tol=1e-14)
beta = np.concatenate([[0.0], glm.params])
beta = beta - beta.mean()
out["bradley_terry"] = {
    "systems": systems,
    "games": [list(gm) for gm in games],
    "strengths": beta.tolist(),
}

print(json.dumps(out, indent=2))
