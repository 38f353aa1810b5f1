"""The record `mlefit regress` returns, and its one serializer, to_dict()."""
from dataclasses import dataclass, field

from .result import SCHEMA_VERSION, _clean


@dataclass(frozen=True)
class Coefficient:
    """A coefficient (or one of the family's other parameters, where z and p_value are
    None). exp_*: exp(coefficient) and its interval where the link is log or logit (a
    rate ratio or an odds ratio)."""

    name: str
    estimate: float
    se: float | None
    z: float | None
    p_value: float | None
    ci_lower: float | None
    ci_upper: float | None
    interval: str
    exp_estimate: float | None = None
    exp_ci_lower: float | None = None
    exp_ci_upper: float | None = None
    se_bootstrap: float | None = None  # --interval bootstrap: the standard deviation of the refitted values
    intervals: tuple = ()  # --interval bootstrap/all: every kind computed (result.Interval), as fit's
    disagree: bool | None = None  # --interval all: Wald and profile ends apart by over 10% of the profile width

    def to_dict(self):
        d = {"name": self.name, "estimate": self.estimate, "se": self.se, "z": self.z,
             "p_value": self.p_value, "ci_lower": self.ci_lower, "ci_upper": self.ci_upper,
             "interval": self.interval}
        if self.exp_estimate is not None:
            d.update(exp_estimate=self.exp_estimate, exp_ci_lower=self.exp_ci_lower,
                     exp_ci_upper=self.exp_ci_upper)
        if self.se_bootstrap is not None:
            d["se_bootstrap"] = self.se_bootstrap
        if self.intervals:
            d["intervals"] = {i.kind: i.to_dict() for i in self.intervals}
            d["wald_profile_disagree"] = self.disagree
        return d


@dataclass(frozen=True)
class RegressionResult:
    """One regression, as `mlefit regress` reports it: print(result) shows its table,
    result.to_dict() is its JSON, result.estimates is {name: estimate}. coefficients:
    one record per covariate (estimate, se, z, p_value, interval); parameters: the
    family's others (a normal sigma, a negative binomial size); loglik, the null model's,
    the likelihood-ratio test against it, deviance, AIC, BIC, pseudo R^2."""

    family: str
    link: str
    response: str
    coefficients: tuple
    parameters: tuple
    confidence: float
    n: float
    rows_read: int
    dropped: tuple
    loglik: float
    loglik_null: float | None
    lr_statistic: float | None
    lr_df: int | None
    lr_p_value: float | None
    deviance: float | None
    aic: float
    bic: float
    bits_per_sample: float
    bits_differential: bool
    pseudo_r2: float | None
    n_parameters: int
    converged: bool
    iterations: int
    method: str
    source: str | None = None
    loss: str | None = None
    weights: str | None = None
    offset: str | None = None
    information: str = "observed"  # the Fisher information behind the coefficients' SEs
    message: str = ""
    notes: tuple = field(default=())
    # a censored response: rows of each kind (exact, left, right, interval, truncated); None: not censored
    censoring: dict | None = None
    # a MAP regression (--prior, --penalty; priors/regression.py): the priors as given, the
    # penalty and the prior it equals, the log-prior and unnormalised log-posterior at the MAP
    prior: tuple = ()
    penalty: dict | None = None
    log_prior: float | None = None
    log_posterior: float | None = None
    mle: dict | None = None  # {name: MLE} beside the MAP, to see the shrinkage (None: no MLE)
    held_out: dict | None = None  # --folds K: held-out bits per sample (regression_cv.held_out)
    resampling: dict | None = None  # --interval bootstrap: how (regression_bootstrap): samples, kind, seed, failed
    # what `--save` writes beside to_dict() and `mlefit predict` needs: the design's
    # layout (columns, or the formula with its levels and transforms' state) and the
    # coefficients' covariance; never in to_dict(), ignored when results are compared
    model: dict | None = field(default=None, repr=False, compare=False)
    # factors held as level indices (mlefit.regression.indexed_design): {"term", "variable", "levels",
    # "coefficients", "reference"} each; the table shows each on one line
    factors: tuple = ()

    @property
    def n_dropped(self):
        return sum(d.count for d in self.dropped)

    def __str__(self):
        """The table `mlefit regress` prints, as plain text (print(result))."""
        from .regress import print_regression
        from .result import shown
        return shown(print_regression, self.to_dict())

    @property
    def estimates(self):
        """{name: estimate} of the coefficients and the other parameters, for Python."""
        return {c.name: c.estimate for c in self.coefficients + self.parameters}

    def to_dict(self):
        return _clean({
            "schema_version": SCHEMA_VERSION,
            "model": "regression",
            "family": self.family,
            "link": self.link,
            "loss": self.loss,
            "source": self.source,
            "response": self.response,
            "weights": self.weights,
            "offset": self.offset,
            "rows_read": self.rows_read,
            "rows_used": self.rows_read - self.n_dropped,
            "n": int(self.n) if float(self.n).is_integer() else self.n,
            "n_dropped": self.n_dropped,
            "dropped": [d.to_dict() for d in self.dropped],
            "coefficients": [c.to_dict() for c in self.coefficients],
            "parameters": [p.to_dict() for p in self.parameters],
            "confidence": self.confidence,
            "n_parameters": self.n_parameters,
            "loglik": self.loglik,
            "loglik_null": self.loglik_null,
            "lr_test": None if self.lr_statistic is None else {
                "statistic": self.lr_statistic, "df": self.lr_df, "p_value": self.lr_p_value},
            "deviance": self.deviance,
            "aic": self.aic,
            "bic": self.bic,
            "bits_per_sample": self.bits_per_sample,
            "bits_differential": self.bits_differential,
            "pseudo_r2": self.pseudo_r2,
            "map": bool(self.prior),
            "prior": [dict(p) for p in self.prior] or None,
            "penalty": self.penalty,
            "log_prior": self.log_prior,
            "log_posterior": self.log_posterior,
            "mle": self.mle,
            "information": self.information,
            "method": self.method,
            "converged": self.converged,
            "iterations": self.iterations,
            "message": self.message or None,
            "notes": list(self.notes),
            **({} if self.censoring is None else {"censoring": dict(self.censoring)}),
            **({} if self.held_out is None else {"held_out": self.held_out}),
            **({} if self.resampling is None else {"resampling": self.resampling}),
            **({"indexed_factors": [dict(f) for f in self.factors]} if self.factors else {}),
        })
