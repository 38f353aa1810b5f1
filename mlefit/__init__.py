"""mlefit: fit probability models to data by maximum likelihood.

    >>> import mlefit
    >>> r = mlefit.fit([3, 1, 4, 1, 5], "poisson")
    >>> r.estimates["rate"]
    2.8

The heavy modules (numpy, scipy, pyarrow) load on first use, so importing mlefit is cheap.
"""
__version__ = "0.1.0"
__all__ = ["fit", "read_column", "FitResult", "family_names",
           "MlefitError", "DataError", "UsageError", "FamilyError", "ConvergenceError"]

from .errors import ConvergenceError, DataError, FamilyError, MlefitError, UsageError


def fit(data, family=None, **options):
    """Fit `family` (or the family behind `loss=`) to `data`; see mlefit.estimate.fit."""
    from .estimate import fit as _fit
    return _fit(data, family, **options)


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
