"""Reference tails for src/stats/distributions.ts, beta.ts and proportion.ts's mcnemarExact
(test/stats/distributions-precision.test.ts).

Run once:  python3 test/reference/tails_reference.py > test/reference/tails.json
Recorded with Python 3.11.7, mpmath 1.3.0 (60 digits; the reference) and scipy 1.17.1 (its values
are stored beside mpmath's for comparison: scipy.stats.f.sf, scipy.stats.binomtest, scipy.special.ndtri).
"""
import json
import sys

import mpmath as mp
import scipy
import scipy.special
import scipy.stats

mp.mp.dps = 60

f_cases = []
for d1 in [1, 2, 3, 5, 7.5, 18, 20, 22, 24, 26, 28, 30, 32, 1.37, 2.9, 12.4]:
    for d2 in [1, 3.2, 6, 17.3, 33, 45, 55, 100, 300, 2000, 1e5]:
        for x in [0.05, 0.7, 1.05, 1.4, 2.5, 6, 30]:
            z = mp.mpf(d2) / (d2 + d1 * mp.mpf(x))
            v = mp.betainc(mp.mpf(d2) / 2, mp.mpf(d1) / 2, 0, z, regularized=True)
            f_cases.append({"x": x, "d1": d1, "d2": d2, "sf": float(v), "scipy": float(scipy.stats.f.sf(x, d1, d2))})

binom_cases = []
for n, k in [(11, 2), (65, 25), (100, 0), (1000, 470), (2001, 900), (2500, 1100), (5000, 2400), (10000, 4900),
             (20000, 9700), (100000, 49500), (1000000, 499000), (1000000, 490000), (3000, 10), (40001, 20000)]:
    # two-sided exact p = min(1, 2 P(X <= k)), X ~ Binomial(n, 1/2)
    # P(X <= k) = pmf(k) * (1 + r_1 + r_2 + ...), r_{j+1} = r_j (k - j) / (n - k + j + 1), at 60 digits
    term = mp.binomial(n, k) / mp.mpf(2) ** n
    cdf, r, j = term, mp.mpf(1), 0
    while j < k:
        r *= mp.mpf(k - j) / (n - k + j + 1)
        cdf += term * r
        j += 1
        if r < mp.mpf(10) ** -70:
            break
    p = min(mp.mpf(1), 2 * cdf)
    sp = scipy.stats.binomtest(k, n, 0.5).pvalue
    binom_cases.append({"n": n, "k": k, "p": float(p), "log_p": float(mp.log(p)), "scipy": float(sp)})

q_cases = []
for p in ["1e-300", "1e-100", "1e-20", "1e-14", "1e-10", "1e-5", "0.001", "0.025", "0.075", "0.2", "0.4", "0.4999",
          "0.5", "0.6", "0.975", "0.999999"]:
    # solve Φ(q) = p at 60 digits, starting from scipy's value
    pf = float(p)  # the double nearest p: the quantile of exactly that number
    start = float(scipy.special.ndtri(pf))
    q = mp.findroot(lambda z: mp.ncdf(z) - mp.mpf(pf), mp.mpf(start)) if start != 0 else mp.mpf(0)
    q_cases.append({"p": pf, "q": float(q), "scipy": start})

json.dump({
    "generated_by": "python3 test/reference/tails_reference.py",
    "python": sys.version.split()[0], "mpmath": mp.__version__, "scipy": scipy.__version__,
    "f_sf": f_cases, "binom_two_sided": binom_cases, "normal_quantile": q_cases,
}, sys.stdout, indent=1)
