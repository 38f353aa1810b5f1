"""Likelihood-ratio tests between nested families.

The statistic is 2 (loglik_alt - loglik_null). Where the null sits inside the alternative
at an interior point (exponential = gamma with shape 1), it is chi-square with as many
df as parameters fixed. Where the null is the alternative's limit on the edge of its
parameter space (poisson = negative_binomial as size -> infinity, normal = student_t as
df -> infinity, poisson = zero_inflated_poisson at pi = 0) the statistic is a 50:50
mixture of chi-square(0) (a point mass at 0) and chi-square(1) (Self and Liang 1987), so
the p-value is half the chi-square(1) tail.
"""
from dataclasses import dataclass

from ..errors import BoundaryError, UsageError
from ..families.catalog import SPECS


@dataclass(frozen=True)
class Nesting:
    """How a null family sits in an alternative, for a likelihood-ratio test."""

    null: str
    alt: str
    where: str      # how the null sits in the alternative, for the output
    df: int
    boundary: bool  # on the edge of the parameter space: 50:50 chi-square mixture


# every nested pair, from the alternatives' records (Spec.nests)
NESTED = tuple(Nesting(null, spec.name, where, df, boundary) for spec, (null, where, df, boundary, _) in
               sorted(((spec, row) for spec in SPECS for row in spec.nests), key=lambda pair: pair[1][4]))
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
    from scipy.special import chdtrc  # chi2.sf, without importing scipy.stats
    tail = float(chdtrc(nest.df, statistic))
    if nest.boundary:
        return 1.0 if statistic <= 0 else 0.5 * tail
    return tail


def compare(nest, null_fit, alt_fit, limit_fit=None):
    """The test as a plain dict. alt_fit may be a BoundaryError: the alternative's MLE is
    then on the edge where it becomes its limit family; if that limit is the null, the
    statistic is 0, otherwise the supremum is `limit_fit` (the limit family's fit:
    geometric in negative_binomial on counts that are not overdispersed, whose supremum
    is the poisson fit)."""
    note = None
    if isinstance(alt_fit, BoundaryError):
        where = f"the {nest.alt} MLE is on the boundary (its {alt_fit.limit} limit)"
        if alt_fit.limit == nest.null or limit_fit is None:
            alt_loglik, note = null_fit.loglik, f"{where}: it is the {nest.null} fit"
        else:
            alt_loglik, note = limit_fit.loglik, f"{where}: its supremum is the {alt_fit.limit} fit"
    else:
        alt_loglik = alt_fit.loglik
    statistic = 2.0 * (alt_loglik - null_fit.loglik)
    if statistic < 0:
        # the alternative contains the null, so its maximum cannot be lower; a tiny
        # negative value is rounding, a large one a failed fit
        if statistic < -2e-8 * max(1.0, abs(null_fit.loglik)):
            note = (f"the {nest.alt} log-likelihood is below the {nest.null} one by "
                    f"{-statistic / 2:.3g}: its fit did not reach the maximum")
        statistic = 0.0
    p = p_value(statistic, nest)
    ref = "50:50 chi2(0)+chi2(1), boundary" if nest.boundary else f"chi2({nest.df})"
    return {"null": nest.null, "alt": nest.alt, "nesting": nest.where,
            "loglik_null": null_fit.loglik, "loglik_alt": alt_loglik, "statistic": statistic,
            "df": nest.df, "reference": ref, "p_value": p, "note": note}


def run(col, null, alt, *, weights=None, trials=None):
    """Fit `null` and `alt` (any names or aliases) to the Record `col` and test them:
    {"test", "null_fit", "alt_fit"} (alt_fit None when its MLE is on the boundary).
    trials: for binomial and beta_binomial, one number or one per value. weights, trials:
    default the Record's own."""
    import numpy as np

    from .. import families
    from ..data import carrying
    from ..estimate import fit

    col, trials = carrying(col, weights, trials)  # each fit takes the record's weights (and trials per row)
    plain = col.but(trials=None) if col.trials is not None else col

    def canonical(name):
        found = families.resolve(name)
        return found if found is not None else families.get(name).name  # the unknown-family error

    nest = nesting(canonical(null), canonical(alt))

    def fitted(name):
        if families.spec(name).shape != "trials":
            return fit(plain, name)
        if trials is None:
            raise UsageError(f"{name} needs the number of trials: --trials N or --trials COLUMN")
        if np.ndim(trials) == 0:
            return fit(plain, f"{name}:{int(trials)}")
        return fit(col, name)

    null_fit, limit_fit = fitted(nest.null), None
    try:
        alt_fit = fitted(nest.alt)
    except BoundaryError as exc:
        alt_fit = exc
        if exc.limit != nest.null:
            limit_fit = fitted(exc.limit)
    return {"test": compare(nest, null_fit, alt_fit, limit_fit), "null_fit": null_fit.to_dict(),
            "alt_fit": None if isinstance(alt_fit, Exception) else alt_fit.to_dict()}


def declared(null, alt, *, boundary=False):
    """The test of two models the user says are nested (at least one of them a user's own
    model: mlefit.own.model): null and alt are Family records or family names. mlefit
    cannot check the nesting of two expressions; it takes the df as the difference of
    their numbers of free parameters (which must be positive) and says so. boundary: the
    null is the alternative's limit on the edge of its space (50:50 mixture)."""
    from .. import families

    null_fam, alt_fam = families.get(null), families.get(alt)
    k_null, k_alt = len(null_fam.spec.params), len(alt_fam.spec.params)
    if k_alt <= k_null:
        raise UsageError(f"the alternative has {k_alt} parameter{'s' if k_alt != 1 else ''} and the null {k_null}: "
                         f"a null nested in its alternative fixes some of the alternative's parameters, so it has "
                         f"fewer; check --null and --alt")
    null_name, alt_name = _label(null_fam), _label(alt_fam)
    return Nesting(null_name, alt_name, f"{alt_name}, as you say (not checked): df = {k_alt} - {k_null}",
                   k_alt - k_null, bool(boundary)), null_fam, alt_fam


def _label(fam):
    from ..errors import plain
    from ..own.model import OwnSpec
    return f"{fam.name} '{plain(fam.spec.expression, 50)}'" if isinstance(fam.spec, OwnSpec) else fam.name


def run_declared(col, null, alt, *, weights=None, boundary=False):
    """declared()'s test on the Record (censored rows too) `col`: {"test", "null_fit",
    "alt_fit"}, each model fitted by its own estimator. weights: default the rows' own."""
    from ..own import model as own_model
    from ..data import carrying
    from ..estimate import fit

    col, _ = carrying(col, weights)  # each fit takes the rows' weights
    if col.trials is not None:  # an own model writes its trials into the expression
        col = col.but(trials=None)

    nest, null_fam, alt_fam = declared(null, alt, boundary=boundary)

    def fitted(fam):
        if isinstance(fam.spec, own_model.OwnSpec):
            return own_model.fit(col, fam)
        return fit(col, fam)

    null_fit, alt_fit = fitted(null_fam), fitted(alt_fam)
    return {"test": compare(nest, null_fit, alt_fit), "null_fit": null_fit.to_dict(),
            "alt_fit": alt_fit.to_dict()}


def applicable(fitted):
    """The nested pairs among `fitted` ({name: FitResult or exception})."""
    out = []
    for nest in NESTED:
        null, alt = fitted.get(nest.null), fitted.get(nest.alt)
        if null is None or isinstance(null, Exception) or alt is None:
            continue
        limit = None
        if isinstance(alt, BoundaryError):
            limit = fitted.get(alt.limit)
            if alt.limit != nest.null and (limit is None or isinstance(limit, Exception)):
                continue
        elif isinstance(alt, Exception):
            continue
        out.append(compare(nest, null, alt, limit))
    return out
