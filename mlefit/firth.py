"""Firth's bias-reduced logistic regression (`regress --prior jeffreys`): the log-likelihood
plus the log of Jeffreys' prior, 1/2 log det I(b), I(b) = X' W X with W = diag(w_i t_i p_i
(1 - p_i)) (weights w, trials t). Its maximum exists under separation, where the MLE does
not (Firth 1993; Heinze and Schemper 2002; R's logistf).

Derivatives, written out (h_i = W_i x_i' I^-1 x_i, the hat values; Q = X I^-1 X'):

    gradient  X'(w (y - t p)) + X'(h (1/2 - p))
    Hessian   -I + 1/2 X' diag(h ((1 - 2p)^2 - 2 p (1 - p))) X
                 - 1/2 X' D (Q o Q) D X,   D = diag(W (1 - 2p))

the last term taken by blocks of rows (Q is n x n). The standard errors are those of
logistf and firthmodels: from the augmented information (FirthObjective.information)."""
import math

import numpy as np

from .errors import UsageError
from .maximize import Point

BLOCK = 2048  # rows of Q per block (2048 x n floats)
FAMILIES = ("bernoulli", "binomial")


def check(name, link):
    if name not in FAMILIES or link != "logit":
        raise UsageError(f"--prior jeffreys is Firth's logistic regression: bernoulli or binomial with the logit "
                         f"link (got {name} with the {link} link)")


class Jeffreys:
    """The marker of `--prior jeffreys` for a regression, with what regression_prior's
    CoefPriors offers: wrap(objective), the record as given, the note."""

    given = ({"parameter": "all coefficients", "given": "jeffreys", "distribution": "jeffreys", "args": {}},)
    penalty = None
    firth = True
    interval_note = ("Wald intervals and p-values from the augmented information, as logistf's and firthmodels' "
                     "bse; logistf's default profile penalised-likelihood intervals are not computed here")

    def wrap(self, objective):
        return FirthObjective(objective)

    def note(self, names):
        return ("Firth's penalised likelihood: the log-likelihood + 1/2 log det I(b), the log of Jeffreys' prior "
                "on every coefficient (the intercept included), as R's logistf; standard errors from the "
                "augmented information X' diag((w t + h) p (1 - p)) X (h: the hat values), as logistf's")

    def covers_every_slope(self, names):
        return True


class FirthObjective:
    """The Objective of a logit-link binary regression with Jeffreys' prior added."""

    def __init__(self, base):
        self.base, self.p = base, base.p
        n = base.y.size
        self.t = np.broadcast_to(np.asarray(base.shapes[0] if base.shapes else 1.0, dtype=float), (n,))
        self.w = np.ones(n) if base.w is None else np.asarray(base.w, dtype=float)

    def _parts(self, vec):
        eta = self.base.eta(vec)
        p = 1.0 / (1.0 + np.exp(-eta))
        W = self.w * self.t * p * (1.0 - p)
        X = self.base.X
        info = (X * W[:, None]).T @ X
        return p, W, info

    def log_prior(self, vec):
        _, _, info = self._parts(vec)
        sign, logdet = np.linalg.slogdet(info)
        return 0.5 * logdet if sign > 0 else -math.inf

    def value(self, vec):
        v = self.base.value(vec)
        return v + self.log_prior(vec) if math.isfinite(v) else v

    def __call__(self, vec):
        point = self.base(vec)
        X = self.base.X
        with np.errstate(all="ignore"):
            p, W, info = self._parts(vec)
            try:
                inv = np.linalg.inv(info)
            except np.linalg.LinAlgError:
                return Point(-math.inf, point.grad, point.hess, point.noise, point.floor)
            q = np.einsum("ij,jk,ik->i", X, inv, X)
            h = W * q
            grad = point.grad.copy()
            grad[:self.p] += X.T @ (h * (0.5 - p))
            c = h * ((1.0 - 2.0 * p) ** 2 - 2.0 * p * (1.0 - p))
            d = W * (1.0 - 2.0 * p)
            pen = 0.5 * (X * c[:, None]).T @ X
            DX = X * d[:, None]
            for i in range(0, X.shape[0], BLOCK):
                qb = (X[i:i + BLOCK] @ inv) @ X.T  # rows i.. of Q
                pen[:] -= 0.5 * DX[i:i + BLOCK].T @ ((qb * qb) @ DX)
            hess = point.hess.copy()
            hess[:self.p, :self.p] += pen
            sign, logdet = np.linalg.slogdet(info)
        value = point.value + 0.5 * logdet if sign > 0 else -math.inf
        return Point(value, grad, hess, point.noise, point.floor)

    def information(self, vec):
        """The augmented information X' diag(W + h p (1 - p)) X at vec, whose inverse is the
        covariance logistf and firthmodels report: Firth's estimate is the MLE of the data
        with each row split in two, weights 1 + h/2 (its outcome) and h/2 (the other)."""
        p, W, info = self._parts(vec)
        X = self.base.X
        h = W * np.einsum("ij,jk,ik->i", X, np.linalg.inv(info), X)
        aug = W + h * p * (1.0 - p)
        return (X * aug[:, None]).T @ X
