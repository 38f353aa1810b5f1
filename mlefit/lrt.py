"""Likelihood-ratio tests between nested families.

The statistic is 2 (loglik_alt - loglik_null). Where the null sits inside the alternative
at an interior point (exponential = gamma with shape 1), it is chi-square with as many
df as parameters fixed. Where the null is the alternative's limit on the edge of its
parameter space (poisson = negative_binomial as size -> infinity, normal = student_t as
df -> infinity, poisson = zero_inflated_poisson at pi = 0) the statistic is a 50:50
mixture of chi-square(0) (a point mass at 0) and chi-square(1) (Self and Liang 1987), so
the p-value is half the chi-square(1) tail.
"""
import math
from dataclasses import dataclass

from .errors import BoundaryError, UsageError


@dataclass(frozen=True)
class Nesting:
    null: str
    alt: str
    where: str      # how the null sits in the alternative, for the output
    df: int
    boundary: bool  # on the edge of the parameter space: 50:50 chi-square mixture


NESTED = (
    Nesting("exponential", "gamma", "gamma with shape = 1", 1, False),
    Nesting("exponential", "weibull", "weibull with shape = 1", 1, False),
    Nesting("rayleigh", "weibull", "weibull with shape = 2", 1, False),
    Nesting("geometric", "negative_binomial", "negative_binomial with size = 1", 1, False),
    Nesting("poisson", "negative_binomial", "negative_binomial as size -> infinity", 1, True),
    Nesting("poisson", "zero_inflated_poisson", "zero_inflated_poisson with pi = 0", 1, True),
    Nesting("binomial", "beta_binomial", "beta_binomial as a + b -> infinity", 1, True),
    Nesting("normal", "student_t", "student_t as df -> infinity", 1, True),
    Nesting("cauchy", "student_t", "student_t with df = 1", 1, False),
)
BY_PAIR = {(n.null, n.alt): n for n in NESTED}


def nesting(null, alt):
    """The Nesting of family `null` in `alt` (canonical names), or UsageError."""
    found = BY_PAIR.get((null, alt))
    if found is None:
        if (alt, null) in BY_PAIR:
            raise UsageError(f"{null} is not nested in {alt}, but {alt} is nested in {null}: "
                             f"swap --null and --alt")
        pairs = ", ".join(f"{n.null} in {n.alt}" for n in NESTED)
        raise UsageError(f"{null} is not known to be nested in {alt}; the nested pairs are: {pairs}")
    return found


def p_value(statistic, nest):
    from scipy.stats import chi2
    tail = float(chi2.sf(statistic, nest.df))
    if nest.boundary:
        return 1.0 if statistic <= 0 else 0.5 * tail
    return tail


def test(nest, null_fit, alt_fit):
    """The test as a plain dict. alt_fit may be a BoundaryError whose limit is the null:
    the alternative's MLE is then the null itself and the statistic is 0."""
    if isinstance(alt_fit, BoundaryError):
        statistic, alt_loglik = 0.0, null_fit.loglik
        note = f"the {nest.alt} MLE is on the boundary ({nest.where}): it is the {nest.null} fit"
    else:
        alt_loglik = alt_fit.loglik
        statistic = 2.0 * (alt_fit.loglik - null_fit.loglik)
        note = None
        if statistic < 0:
            # the alternative contains the null, so its maximum cannot be lower; a tiny
            # negative value is rounding, a large one a failed fit
            scale = 1e-8 * max(1.0, abs(null_fit.loglik))
            if statistic < -scale:
                note = (f"the {nest.alt} log-likelihood is below the {nest.null} one by "
                        f"{-statistic / 2:.3g}: its fit did not reach the maximum")
            statistic = 0.0
    p = p_value(statistic, nest)
    ref = "50:50 chi2(0)+chi2(1), boundary" if nest.boundary else f"chi2({nest.df})"
    return {"null": nest.null, "alt": nest.alt, "nesting": nest.where,
            "loglik_null": null_fit.loglik, "loglik_alt": alt_loglik, "statistic": statistic,
            "df": nest.df, "reference": ref, "p_value": p, "note": note}


def applicable(fitted):
    """The nested pairs among `fitted` ({name: FitResult or exception})."""
    out = []
    for nest in NESTED:
        null, alt = fitted.get(nest.null), fitted.get(nest.alt)
        if null is None or isinstance(null, Exception) or alt is None:
            continue
        if isinstance(alt, Exception) and not (isinstance(alt, BoundaryError) and alt.limit == nest.null):
            continue
        out.append(test(nest, null, alt))
    return out


def significant(p, level=0.05):
    return p is not None and math.isfinite(p) and p < level
