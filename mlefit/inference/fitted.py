"""What further inference needs from one fit: the family, the data it was fitted to,
the estimate and its covariance. Profile and bootstrap intervals, derived quantities,
robust errors and plots all start from a Fitted; it is never serialized."""
import math
from dataclasses import dataclass, field

import numpy as np

from ..families.base import Controls


@dataclass(frozen=True)
class Fitted:
    """family: the family fitted (its trials bound, for binomial and beta_binomial).
    x, w: the values used (in their own unit) and their frequency weights (or None).
    stats: family.stats(x, w). theta: the MLE, fixed values included.
    fixed: {parameter index: value} held fixed (--fix).
    exact: indexes whose intervals the family gives exactly (pareto's and uniform's
        bounds, a ZIP pi of 0, a student_t df at infinity): not regular, so no Wald,
        profile or sandwich treatment applies to them.
    cov: covariance of theta (k x k; NaN rows and columns for fixed and exact
        parameters), or None when the information cannot be inverted; a 1-d array
        holds the variances alone (categorical: K labels would make K^2 covariances)."""

    family: object
    x: np.ndarray
    w: np.ndarray | None
    stats: object
    theta: tuple
    loglik: float
    confidence: float
    information: str = "observed"
    fixed: dict = field(default_factory=dict)
    exact: frozenset = frozenset()
    cov: np.ndarray | None = None
    max_iter: int = 200

    @property
    def names(self):
        return self.family.names(self.stats)

    @property
    def domains(self):
        return self.family.domains(self.stats)

    @property
    def n(self):
        return float(self.stats.n)

    @property
    def free(self):
        """Indexes of the estimated parameters (not fixed)."""
        return tuple(i for i in range(len(self.theta)) if i not in self.fixed)

    @property
    def regular(self):
        """Indexes of the estimated parameters with regular (Wald, profile) inference."""
        return tuple(i for i in self.free if i not in self.exact)

    @property
    def controls(self):
        return Controls(max_iter=self.max_iter)

    def loglik_at(self, theta):
        """The log-likelihood of the data at theta (-inf where it is not finite)."""
        with np.errstate(all="ignore"):
            try:
                value = float(self.family.loglik(self.stats, tuple(float(t) for t in theta)))
            except (ArithmeticError, ValueError):
                return -math.inf
        return value if math.isfinite(value) else -math.inf

    def refit(self, x, w=None, start=None):
        """The MLE for other data (a bootstrap resample) with the same family and the
        same fixed values: a tuple. Raises MlefitError (BoundaryError for an estimate on
        the family's limit, e.g. negative_binomial on underdispersed counts),
        ArithmeticError or ValueError when the data leave it undefined."""
        from ..errors import MlefitError
        from .gof import _refit

        if not self.fixed:
            return _refit(self.family, x, w, self.controls, start)
        from ..constrained import fit_fixed
        stats = self.family.stats(x, w)
        if self.family.check is not None:
            self.family.check(stats)
        sol = self.family.estimate(stats, self.controls)
        sol = fit_fixed(self.family, stats, self.fixed, sol.theta, self.controls)
        if not sol.converged:
            raise MlefitError("refit did not converge")
        return tuple(float(t) for t in sol.theta)
