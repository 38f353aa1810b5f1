"""mlefit: fit probability models to data by maximum likelihood.

    >>> import mlefit
    >>> r = mlefit.fit([3, 1, 4, 1, 5], "poisson")
    >>> r.estimates["rate"]
    2.8

The heavy modules (numpy, scipy, pyarrow) load on first use, so importing mlefit is cheap.
"""
__version__ = "0.1.0"
__all__ = ["fit", "regress", "select", "lrt", "read_column", "FitResult", "family_names",
           "MlefitError", "DataError", "UsageError", "FamilyError", "ConvergenceError"]

from .errors import ConvergenceError, DataError, FamilyError, MlefitError, UsageError


def fit(data, family=None, **options):
    """Fit `family` (or the family behind `loss=`) to `data`; see mlefit.estimate.fit."""
    from . import estimate  # not at import time: numpy loads on first use
    return estimate.fit(data, family, **options)


def regress(data, response=None, covariates=(), **options):
    """Fit a family whose mean moves with `covariates` (logistic, probit, Poisson,
    negative binomial, linear regression ...): the record `mlefit regress` prints.
    data: a CSV path, a dict of arrays or a pandas DataFrame. Options: dist or loss,
    link, weights, trials, offset, exposure, intercept, positive, confidence, max_iter;
    see mlefit.regression.regress."""
    from .regression import regress as _regress
    return _regress(data, response, covariates, **options)


def select(data, families=None, **options):
    """Fit every candidate family (or the names in `families`) to `data` and rank them:
    the dict `mlefit select --json` prints. Options: criterion ('aic', 'aicc', 'bic',
    'bits'), weights, trials, continuous, bootstrap (0: textbook p-values), seed,
    confidence, max_iter."""
    from .data import Column, from_values
    from .selection import select as _select
    col = data if isinstance(data, Column) else from_values(data)
    return _select(col, list(families) if families else None, **options)


def lrt(data, null, alt, **options):
    """Likelihood-ratio test of family `null` within `alt` on `data`: the dict `mlefit
    lrt --json` prints (without its source keys). Options: weights, trials."""
    from .data import Column, from_values
    from .likelihood_ratio import run
    col = data if isinstance(data, Column) else from_values(data)
    return run(col, null, alt, **options)


def read_column(paths, column=None, labels=False, **options):
    """Read one column of one or more files ('-' for stdin) with its report of dropped
    rows. Options: delimiter, decimal, encoding, header (True/False/None to detect),
    na_values (extra missing-value markers), strict (refuse missing values)."""
    from .data import read_column as _read
    from .readers import ReadOptions
    strict = options.pop("strict", False)
    if "na_values" in options:
        options["na_values"] = tuple(options["na_values"])
    return _read(paths, column=column, labels=labels, options=ReadOptions(**options), strict=strict)


def family_names():
    from .families import names
    return names()


def __getattr__(name):
    if name == "FitResult":
        from .result import FitResult
        return FitResult
    raise AttributeError(f"module 'mlefit' has no attribute '{name}'")
