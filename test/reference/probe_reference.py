"""Reference values for test/probe-stats.test.ts, computed independently of plumb.

Run with Debian bookworm's Python: /usr/bin/python3 test/reference/probe_reference.py
Versions used: scipy 1.10.1, statsmodels 0.13.5, pandas and numpy from Debian bookworm.
"""
import json
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.anova import AnovaRM

out = {}
out["wilson"] = [list(proportion_confint(7, 20, alpha=0.05, method="wilson")), list(proportion_confint(0, 12, method="wilson"))]
out["mcnemar"] = [mcnemar([[10, 9], [2, 15]], exact=True).pvalue, mcnemar([[5, 0], [0, 5]], exact=True).pvalue, mcnemar([[30, 40], [25, 30]], exact=True).pvalue]

d_exact = [0.3, -0.1, 0.45, 0.2, 0.05, -0.25, 0.6, 0.35, 0.15, -0.07, 0.5, 0.42]
r = stats.wilcoxon(d_exact)
out["wilcoxon_exact"] = {"d": d_exact, "statistic": float(r.statistic), "p": float(r.pvalue)}
d_ties = [0.5, 0.5, -0.25, 0.25, 0.0, 0.75, 0.5, -0.5, 0.25, 0.25, 1.0, 0.0, 0.5, -0.25]
r = stats.wilcoxon(d_ties)
out["wilcoxon_ties"] = {"d": d_ties, "statistic": float(r.statistic), "p": float(r.pvalue)}
rng = np.random.default_rng(5)
d_big = np.round(rng.normal(0.1, 0.5, 60), 3)
r = stats.wilcoxon(d_big)
out["wilcoxon_big"] = {"d": d_big.tolist(), "statistic": float(r.statistic), "p": float(r.pvalue)}

# two-way repeated-measures ANOVA: 8 subjects x role(2) x personalization(3)
rng = np.random.default_rng(21)
rows = []
for s in range(8):
    base = rng.normal(0.6, 0.1)
    for i, role in enumerate(["advisor", "peer"]):
        for j, pers in enumerate(["none", "profile", "filler"]):
            effect = -0.15 if (role == "peer" and pers == "profile") else 0.0
            rows.append({"subject": s, "role": role, "personalization": pers, "y": round(float(base - 0.05 * i + effect + rng.normal(0, 0.05)), 4)})
df = pd.DataFrame(rows)
# (a column named "pers" makes statsmodels 0.13.5 silently drop the factor: use full names)
res = AnovaRM(df, "y", "subject", within=["role", "personalization"]).fit().anova_table
out["anova"] = {"rows": rows, "F": res["F Value"].tolist(), "p": res["Pr > F"].tolist(), "df": res["Num DF"].tolist(), "df_error": res["Den DF"].tolist(), "terms": res.index.tolist()}
print(json.dumps(out))
