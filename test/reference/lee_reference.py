"""Reference values for src/stats/lee-interval.ts (test/stats/lee-interval.test.ts), computed by
RUNNING Lee et al.'s own package (github.com/UW-Madison-Lee-Lab/LLM-judge-reporting, commit
082884d075188bed2f2645234fa2cc3050a517c5, llm_judge_reporting/calibration.py: point_estimator and
confidence_interval). Their code is not part of plumb; check it out anywhere and point LEE_REPO at it:

  LEE_REPO=/path/to/LLM-judge-reporting python3 test/reference/lee_reference.py > test/reference/lee.json

Recorded with Python 3.11.7, numpy 2.x and scipy 1.17.1 (see the JSON header).
"""
import json
import os
import sys

import numpy as np
import scipy

sys.path.insert(0, os.environ["LEE_REPO"])
from llm_judge_reporting import confidence_interval, point_estimator  # noqa: E402

# (p, q0 = specificity, q1 = sensitivity, n = test items, m0 = gold negatives, m1 = gold positives, alpha)
cases = [
    ("typical", 0.7, 0.9, 0.85, 1000, 100, 150, 0.05),
    ("p-hat 0", 0.0, 0.95, 0.9, 500, 50, 50, 0.05),
    ("p-hat 1", 1.0, 0.8, 0.95, 200, 40, 60, 0.05),
    ("perfect calibration set", 0.6, 1.0, 1.0, 300, 30, 45, 0.05),
    ("tiny m0, m1", 0.4, 1.0, 0.5, 50, 1, 2, 0.05),
    # every item has gold: the test set is the gold set; 36/40 negatives and 51/60 positives judged right,
    # so 4 + 51 = 55 of 100 judged positive
    ("every item in gold", 0.55, 0.9, 0.85, 100, 40, 60, 0.05),
    ("alpha 0.1, large n", 0.33, 0.7, 0.75, 10000, 500, 500, 0.10),
    ("barely informative judge", 0.5, 0.55, 0.5, 100, 20, 20, 0.05),
    ("estimate clipped at 0", 0.02, 0.9, 0.9, 400, 80, 20, 0.05),
    ("estimate clipped at 1", 0.97, 0.92, 0.9, 400, 25, 75, 0.05),
    ("one gold each side", 0.5, 1.0, 1.0, 10, 1, 1, 0.05),
]
out = []
for name, p, q0, q1, n, m0, m1, alpha in cases:
    try:
        est = point_estimator(p, q0, q1)
    except ZeroDivisionError:
        est = None
    lo, hi = confidence_interval(p, q0, q1, n, m0, m1, alpha=alpha)
    out.append({"name": name, "p": p, "q0": q0, "q1": q1, "n": n, "m0": m0, "m1": m1, "alpha": alpha,
                "estimate": est, "lower": lo, "upper": hi})
# a judge worse than chance after smoothing: their code still returns numbers (recorded, plumb refuses)
lo, hi = confidence_interval(0.5, 0.4, 0.5, 100, 20, 20)
out.append({"name": "worse than chance (plumb refuses)", "p": 0.5, "q0": 0.4, "q1": 0.5, "n": 100, "m0": 20,
            "m1": 20, "alpha": 0.05, "estimate": point_estimator(0.5, 0.4, 0.5), "lower": lo, "upper": hi})
json.dump({"generated_by": "LEE_REPO=... python3 test/reference/lee_reference.py",
           "lee_commit": "082884d075188bed2f2645234fa2cc3050a517c5",
           "python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
           "cases": out}, sys.stdout, indent=1)
