"""categorical: the fit of labels' probabilities from their counts (no per-row record: with
covariates it is softmax regression, mlefit.regression.softmax_model)."""
from types import SimpleNamespace

import numpy as np

from .base import Family, Solution
from .catalog import UNIT, Param, Regression, Spec


SPEC = Spec("categorical", (Param("p[label]", UNIT, "probability of each observed label"),),
            "labels", True, True, "p[x]", "multinomial(1, p)", "dmultinom",
            aliases=("multinoulli",), not_selected="labels, not numbers: nothing to compare it with",
            estimator="closed form: count / n", listed=20,
            regression=Regression(80, None, "softmax", ("softmax",)))


def _cat_stats(x, w):
    labels, inverse = np.unique(np.asarray(x).astype(str), return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=w, minlength=labels.size).astype(np.float64)
    order = sorted(range(labels.size), key=lambda i: label_key(str(labels[i])))
    return SimpleNamespace(n=float(counts.sum()), labels=tuple(str(labels[i]) for i in order),
                           counts=counts[order])


def label_key(label):
    """Numeric labels in numeric order, then the others alphabetically."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


def _cat_loglik(s, theta):
    p = np.asarray(theta)
    mask = s.counts > 0
    return float(np.sum(s.counts[mask] * np.log(p[mask])))


def _cat_covariance(s, theta):
    """The variances p(1-p)/n, the diagonal of the multinomial covariance
    (diag(p) - p p^T)/n: only the diagonal is needed, and K labels would make the full
    matrix K^2."""
    p = np.asarray(theta)
    return p * (1.0 - p) / s.n


def _cat_observed(s, theta):
    """Information for the K-1 free probabilities (the last is 1 minus the others)."""
    p = np.asarray(theta)
    c = s.counts
    return np.diag(c[:-1] / p[:-1] ** 2) + c[-1] / p[-1] ** 2


def _cat_expected(s, theta):
    p = np.asarray(theta)
    return s.n * (np.diag(1.0 / p[:-1]) + 1.0 / p[-1])


def _cat_boundary(s, theta, confidence):
    if len(s.labels) == 1:
        return {0: (1.0, 1.0, "only one label observed: its probability is 1 by construction")}
    return {}


CATEGORICAL = Family(
    spec=SPEC,
    stats=_cat_stats,
    estimate=lambda s, c: Solution(tuple((s.counts / s.n).tolist()), "closed form: p = count / n"),
    loglik=_cat_loglik,
    logpdf=None,  # the log-mass needs the labels: see categorical_logpmf
    observed_information=_cat_observed,
    expected_information=_cat_expected,
    scipy=None,
    boundary=_cat_boundary,
    covariance=_cat_covariance,
    param_names=lambda s: [f"p[{lab}]" for lab in s.labels],
)


def categorical_logpmf(x, labels, theta):
    """log P(X = x) for each x, given the labels and their probabilities."""
    index = {lab: i for i, lab in enumerate(labels)}
    logp = np.log(np.asarray(theta, dtype=float))
    return np.array([logp[index[str(v)]] if str(v) in index else -np.inf for v in x])
