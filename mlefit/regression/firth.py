"""Firth's bias-reduced logistic regression (`regress --prior jeffreys`): the log-likelihood
plus the log of Jeffreys' prior, 1/2 log det I(b), I(b) = X' W X with W = diag(w_i t_i p_i
(1 - p_i)) (weights w, trials t). Its maximum exists under separation, where the MLE does
not (Firth 1993; Heinze and Schemper 2002; R's logistf).

The gradient is exact: X'(w (y - t p)) + X'(h (1/2 - p)), h_i = W_i x_i' I^-1 x_i the hat
values. The curvature given to Newton's iteration is minus the augmented information
X' diag(W + h p (1 - p)) X (Fisher scoring, as logistf and firthmodels iterate: Firth's
estimate is the MLE of the rows each split in two, weights 1 + h/2 on its outcome and
h/2 on the other); the exact Hessian adds a term costing O(n p^3) per step, three times
slower at 1e4 x 20 for the same estimate. Its inverse is also the covariance logistf and
firthmodels report."""
import math

import numpy as np

from ..errors import UsageError
from ..inference.information import scaled_inverse
from ..maximize import Point

FAMILIES = ("bernoulli", "binomial")


def check(name, link):
    if name not in FAMILIES or link != "logit":
        raise UsageError(f"--prior jeffreys is Firth's logistic regression: bernoulli or binomial with the logit "
                         f"link (got {name} with the {link} link)")


class Jeffreys:
    """The marker of `--prior jeffreys` for a regression, with what regression_prior's
    CoefPriors offers: wrap(objective), the record as given, the note."""

    given = ({"parameter": "all coefficients", "transform": None, "given": "jeffreys", "distribution": "jeffreys",
              "args": {}},)
    penalty = None
    firth = True
    interval_note = ("Wald intervals and p-values from the augmented information, as logistf's and firthmodels' "
                     "bse; --interval profile gives logistf's default, profile penalised-likelihood intervals")

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

    def _scoring(self, vec):
        """(p, I(b), the exact gradient of the log-prior, the augmented information)."""
        X = self.base.X
        p, W, info = self._parts(vec)
        inv = scaled_inverse(info)
        if inv is None:
            raise np.linalg.LinAlgError("the information is not positive definite")
        h = W * np.sum((X @ inv) * X, axis=1)
        return p, info, X.T @ (h * (0.5 - p)), (X * (W + h * p * (1.0 - p))[:, None]).T @ X

    def __call__(self, vec):
        point = self.base(vec)
        with np.errstate(all="ignore"):
            try:
                _, info, g, aug = self._scoring(vec)
            except np.linalg.LinAlgError:
                return Point(-math.inf, point.grad, point.hess, point.noise, point.floor)
            sign, logdet = np.linalg.slogdet(info)
        grad, hess = point.grad.copy(), point.hess.copy()
        grad[:self.p] += g
        hess[:self.p, :self.p] = -aug
        value = point.value + 0.5 * logdet if sign > 0 else -math.inf
        return Point(value, grad, hess, point.noise, point.floor)

    def information(self, vec):
        """The augmented information at vec, whose inverse is the covariance logistf and
        firthmodels report."""
        return self._scoring(vec)[3]
