"""Reference values for pairwise calibration (test/verdicts.test.ts): judge verdicts against three
raters' on 40 pairs, with missing ratings. Run with Debian bookworm's Python (scikit-learn 1.2.1,
nltk 3.8, numpy 1.24.2):

    /usr/bin/python3 test/reference/verdicts_reference.py > test/reference/verdicts.json

Agreement is over every (pair, rater) label: sklearn's accuracy_score, cohen_kappa_score and
confusion_matrix on the pooled labels. Krippendorff's alpha (nominal) is NLTK's AnnotationTask.alpha
(binary distance) with the judge as one more coder; the human ceiling is the same among the raters,
with sklearn's kappa for each pair of raters on the pairs both rated, averaged.
"""
import itertools
import json

import numpy as np
import sklearn
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix

LABELS = ["A", "B", "tie"]
rng = np.random.default_rng(7)
items = []
for i in range(40):
    truth = rng.choice(LABELS, p=[0.45, 0.4, 0.15])
    judge = truth if rng.random() < 0.75 else rng.choice(LABELS)
    ratings = {}
    for r in ["ana", "ben", "cho"]:
        if rng.random() < 0.15:
            continue  # not rated
        ratings[r] = truth if rng.random() < 0.8 else rng.choice(LABELS)
    items.append({"id": f"p{i}", "judge": str(judge), "ratings": {k: str(v) for k, v in ratings.items()}})

rated = [it for it in items if it["ratings"]]
human = [v for it in rated for v in it["ratings"].values()]
judge = [it["judge"] for it in rated for _ in it["ratings"]]


def alpha(rows):
    return AnnotationTask(data=rows).alpha()


judge_rows = [(c, it["id"], v) for it in rated for c, v in [("judge", it["judge"]), *it["ratings"].items()]]
multi = [it for it in items if len(it["ratings"]) >= 2]
human_rows = [(c, it["id"], v) for it in multi for c, v in it["ratings"].items()]
pairs = [(a, b) for it in multi for a, b in itertools.combinations(list(it["ratings"].values()), 2)]
kappas = []
for r1, r2 in itertools.combinations(["ana", "ben", "cho"], 2):
    both = [it for it in multi if r1 in it["ratings"] and r2 in it["ratings"]]
    kappas.append(cohen_kappa_score([it["ratings"][r1] for it in both], [it["ratings"][r2] for it in both], labels=LABELS))

out = {
    "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "nltk": __import__("nltk").__version__},
    "items": items,
    "matched": len(rated),
    "ratings": len(human),
    "accuracy": accuracy_score(human, judge),
    "cohen_kappa": cohen_kappa_score(human, judge, labels=LABELS),
    "confusion": confusion_matrix(human, judge, labels=LABELS).tolist(),
    "alpha_nominal": alpha(judge_rows),
    "ceiling": {
        "items": len(multi),
        "accuracy": sum(a == b for a, b in pairs) / len(pairs),
        "mean_pairwise_kappa": float(np.mean(kappas)),
        "alpha_nominal": alpha(human_rows),
    },
}
print(json.dumps(out, indent=1))
