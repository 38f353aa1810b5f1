"""Softmax (multinomial logistic) regression: the categorical family with the
probabilities of row i's K labels p_ik = exp(eta_ik) / sum_l exp(eta_il), eta_i0 = 0 for
the reference label and eta_ik = x_i'b_k for the others. Its log-likelihood is the same
per-row sum, log p_{i, y_i}, in the linear predictors themselves (the categorical
family's canonical link), maximised by the same Newton iteration (mlefit.maximize):

    d l_i / d b_k = (y_ik - p_ik) x_i
    d2 l_i / d b_k d b_l = -p_ik ([k = l] - p_il) x_i x_i'
"""
import math

import numpy as np

from ..likelihood import total
from .linear_model import LinearFit, maximise, weighted_gram
from ..maximize import EPS, Point


class Softmax:
    """sum_i w_i log p_{i, y_i} as a function of vec = (b_1, ..., b_{K-1}), each b_k of
    length p (label k's coefficients against the reference label 0), over the Record
    `rows`: its values the labels' codes 0..k-1, its covariates the design, its weights."""

    def __init__(self, rows, k):
        codes, X = rows.values, rows.covariates
        self.codes, self.X, self.k, self.w = codes, X, k, rows.weights
        self.p = X.shape[1]
        self.n_coefficients = (k - 1) * self.p  # every coordinate is a coefficient (no other parameters)
        self.onehot = (codes[:, None] == np.arange(1, k)[None, :]).astype(np.float64)
        self.col_max = np.maximum(X.max(axis=0), -X.min(axis=0)) if X.shape[0] else np.zeros(self.p)

    def parts(self, vec):
        """(log p_{i, y_i}, p_ik for k >= 1), stably (log-sum-exp with the reference's 0)."""
        eta = self.X @ vec.reshape(self.k - 1, self.p).T
        top = np.maximum(eta.max(axis=1), 0.0)
        e = np.exp(eta - top[:, None])
        norm = np.exp(-top) + e.sum(axis=1)
        chosen = np.where(self.codes > 0, eta[np.arange(eta.shape[0]), np.maximum(self.codes - 1, 0)], 0.0)
        return chosen - top - np.log(norm), e / norm[:, None]

    def value(self, vec):
        with np.errstate(all="ignore"):
            v = total(self.parts(vec)[0], self.w, self.codes.size)
        return v if math.isfinite(v) else -math.inf

    def row_scores(self, vec):
        prob = self.parts(vec)[1]
        return np.hstack([self.X * (self.onehot[:, j] - prob[:, j])[:, None] for j in range(self.k - 1)])

    def __call__(self, vec):
        with np.errstate(all="ignore"):
            ll, prob = self.parts(vec)
            ww = 1.0 if self.w is None else self.w
            resid = (self.onehot - prob) * (ww if self.w is None else ww[:, None])
            grad = (self.X.T @ resid).T.reshape(-1)
            q = self.k - 1
            hess = np.zeros((q * self.p, q * self.p))
            for a in range(q):
                for b in range(a, q):
                    curv = -prob[:, a] * ((a == b) - prob[:, b]) * ww
                    block = weighted_gram(self.X, curv)
                    hess[a * self.p:(a + 1) * self.p, b * self.p:(b + 1) * self.p] = block
                    hess[b * self.p:(b + 1) * self.p, a * self.p:(a + 1) * self.p] = block.T
            noise = EPS * np.tile(self.col_max, q) * np.repeat(np.abs(resid).sum(axis=0), self.p)
            value = total(ll, self.w, self.codes.size)
        return Point(value if math.isfinite(value) else -math.inf, grad, hess, noise)


def fit_softmax(rows, names, labels, *, intercept=None, max_iter=100, prior=None):
    """The MLE of the coefficients of labels[1:] against labels[0], named 'label:term', over
    the Record `rows` (Softmax's). With an intercept, the start and the null model are
    the intercepts alone, in closed form: log(n_k / n_0). prior: coefficient priors
    (regression_prior.CoefPriors over the names 'label:term'), making it MAP."""
    model = Softmax(rows, len(labels))
    codes, X, w, k = model.codes, model.X, model.w, model.k
    counts = np.bincount(codes, weights=w, minlength=k)
    vec0 = np.zeros((k - 1) * X.shape[1])
    loglik_null = None
    if intercept is not None and np.all(counts > 0):
        for j in range(1, k):
            vec0[(j - 1) * X.shape[1] + intercept] = math.log(counts[j] / counts[0])
        loglik_null = float(np.sum(counts * np.log(counts / counts.sum())))
    _, found, cov, loglik, log_prior = maximise(model, vec0, prior, max_iter)
    return LinearFit(coefficient_names(names, labels), found.eta.copy(), (), loglik,
                     loglik_null if X.shape[1] > 1 else None, cov, (), found.iterations, found.converged,
                     found.message, model, found.eta, log_prior)


def coefficient_names(terms, labels):
    """'label:term' for each label but the reference (labels[0]) and each term."""
    return tuple(f"{label}:{term}" for label in labels[1:] for term in terms)
