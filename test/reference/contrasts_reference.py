"""Reference values for PPI++ contrasts between conditions (test/contrasts.test.ts).

Run with Debian bookworm's Python (numpy 1.24.2, scipy 1.10.1):

    /usr/bin/python3 test/reference/contrasts_reference.py > test/reference/contrasts.json

Four cells (role advisor/peer × personalization none/profile), each with gold labels Y, judge
scores f on the same items and judge scores f~ on items without gold. Each cell's PPI++ mean is
ppi_py's ppi_mean_ci written out (commit bd90caa: lambda from _calc_lam_glm with np.cov's ddof=1,
the CLT standard error with np.var's ddof=0); a contrast is sum(w * mean) with standard error
sqrt(sum(w^2 * se^2)) and a normal interval — the cells are independent samples.
"""
import json

import numpy as np
from scipy.stats import norm

rng = np.random.default_rng(11)
cells = {}
for role, shift in [("advisor", 0.0), ("peer", -0.3)]:
    for pers, eff in [("none", 0.0), ("profile", -0.2 if role == "peer" else 0.1)]:
        n, N = 25, 120
        truth = rng.normal(0.6 + shift + eff, 0.2, n + N)
        f = truth + rng.normal(0.05, 0.1, n + N)  # a judge biased upwards
        cells[f"{role} × {pers}"] = {"levels": [role, pers], "y": truth[:n].round(4).tolist(), "f": f[:n].round(4).tolist(), "fu": f[n:].round(4).tolist()}


def ppi(c):
    y, f, fu = np.array(c["y"]), np.array(c["f"]), np.array(c["fu"])
    n, N = len(y), len(fu)
    cov = np.mean((y - y.mean()) * (f - f.mean()))
    lam = cov / ((1 + n / N) * np.var(np.concatenate([f, fu]), ddof=1))
    lam = min(max(lam, 0.0), 1.0)
    est = lam * fu.mean() + (y - lam * f).mean()
    se = np.sqrt(lam**2 * np.var(fu) / N + np.var(y - lam * f) / n)
    allf = np.concatenate([f, fu])
    return {
        "ppi": (est, se),
        "classical": (y.mean(), np.sqrt(np.var(y) / n)),
        "naive": (allf.mean(), np.sqrt(np.var(allf) / len(allf))),
    }


z = norm.ppf(0.975)
est = {k: ppi(c) for k, c in cells.items()}


def contrast(terms):
    out = {}
    for kind in ["ppi", "classical", "naive"]:
        e = sum(w * est[c][kind][0] for c, w in terms)
        se = np.sqrt(sum(w**2 * est[c][kind][1] ** 2 for c, w in terms))
        out[kind] = {"estimate": e, "se": se, "ci": [e - z * se, e + z * se]}
    return out


out = {
    "versions": {"numpy": np.__version__, "scipy": __import__("scipy").__version__},
    "cells": cells,
    "contrasts": {
        "profile − none, advisor": contrast([("advisor × profile", 1), ("advisor × none", -1)]),
        "profile − none, peer": contrast([("peer × profile", 1), ("peer × none", -1)]),
        "interaction": contrast([("advisor × profile", 1), ("advisor × none", -1), ("peer × profile", -1), ("peer × none", 1)]),
    },
}
print(json.dumps(out, indent=1, default=float))
