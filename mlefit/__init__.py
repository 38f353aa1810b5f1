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

import sys

from .errors import ConvergenceError, DataError, FamilyError, MlefitError, UsageError

_ESTIMATE = __name__ + ".estimate"  # fit() finds it in sys.modules once loaded: no import statement per call


def fit(data, family=None, **options):
    """Fit `family` to `data` by maximum likelihood and return a FitResult.

        >>> r = mlefit.fit([2.1, 3.4, 1.2, 5.5, 2.2], "gamma", derive=["mean"])
        >>> print(r)                  # the table `mlefit fit` prints
        >>> r.estimates               # {'shape': ..., 'rate': ...}
        >>> r.to_dict()               # the JSON of `mlefit fit --json`

    data: a sequence or 1-d array of values (None/NaN are missing and reported), a
        Record (mlefit.data: the values with their per-row weights and trials, which
        the fit uses where weights= and trials= are not given; mlefit.io.column.read_column
        reads one), or censored rows (a Record with its bounds, from mlefit.censored.rows:
        from_event(times, event), from_bounds(lower, upper), from_limits(values,
        lower_limit=...), from_cells(['<0.04', '0.31', ...]), each made truncated by
        truncated(rows, lower=..., upper=..., entry=...); see docs/censoring.md).
    family: a family name or alias ('poisson', 'gaussian', 'nbinom', ...).
    loss: instead of a family, a loss name ('mse', 'MSELoss', 'pinball:0.9', ...): the
        family whose negative log-likelihood the loss is gets fitted, and said.
    weights: frequency weights, one per value of `data` (for a Record: one per value it
        holds): a row of weight k counts as k identical rows; fractional weights scale a
        row's contribution to the log-likelihood. Rows of weight 0 are left out and reported.
    trials: the number of trials of the binomial and beta_binomial families ('binomial'
        with trials=12 is 'binomial:12'): one whole number, or one per value aligned like
        the weights. Rows with missing or zero trials are left out and reported.
    fix: {parameter name: value} held fixed; the others are estimated given them, the
        fixed ones are shown without SE, and AIC/BIC count only the free parameters.
    prior: priors on parameters, making the fit MAP (maximum a posteriori): 'p ~ beta(2, 2)',
        a list of such strings (one per parameter), {'p': 'beta(2, 2)'}, 'p ~ dirichlet(1, 2, 3)'
        for categorical p (one concentration per label), or 'jeffreys' (the family's Jeffreys
        prior, where mlefit has its closed form: docs/priors.md); the result's
        loglik is the data's at the MAP, with log_prior, log_posterior (unnormalised), the MLE
        beside (mle), Laplace intervals (profile ones of the log-posterior with interval='profile',
        percentile ones of the MAP refitted to resamples with 'bootstrap'), the exact posterior
        of a conjugate pair (posterior) and no AIC/BIC (see docs/priors.md).
    confidence: level of the intervals, in (0, 1).
    information: 'observed' (default) or 'expected' Fisher information.
    interval: 'wald' (default), 'profile' (profile likelihood), 'bootstrap' (percentile,
        `bootstrap` samples (default 999) drawn by `resample`: 'parametric' or
        'nonparametric', seeded by `seed`), or 'all'; the headline interval is the profile
        one for 'profile' and 'all', and every kind is kept in each parameter's .intervals.
    robust: also sandwich (Godambe) standard errors, and TIC.
    derive: quantities derived from the parameters ('mean', 'median', 'var', 'sd',
        'quantile:0.99', 'sf:100', 'cdf:3', or an expression like 'shape/rate^2'), each
        with a delta-method interval (and profile or bootstrap ones with `interval`).
    bootstrap, resample, seed: the bootstrap's samples (default 999), 'parametric' or
        'nonparametric', and seed (default 0).
    max_iter (default 200), tol (default 1e-12): the iterative estimators' limits.
    on_step: called once per bootstrap sample (progress).
    Raises DataError for data the family cannot take, and ConvergenceError (holding the
    partial result as .result) when the optimiser does not converge.
    """
    estimate = sys.modules.get(_ESTIMATE)
    if estimate is None:
        from . import estimate  # not at import time: numpy loads on first use
    return estimate.fit(data, family, **options)


def regress(data, response=None, covariates=(), **options):
    """Fit `dist` (or the family whose NLL `loss` is) to the column `response` with its
    mean moving with the numeric `covariates`: theta_i = link^-1(Intercept + x_i'b + offset_i).
    Returns a RegressionResult: print(result) shows the table `mlefit regress` prints,
    result.to_dict() is its JSON, result.estimates is {name: estimate}.

        >>> r = mlefit.regress("sample_data/infert.csv", "case", ["spontaneous", "induced"],
        ...                    dist="bernoulli")
        >>> print(r)

    dist: 'bernoulli' (logistic regression), 'binomial', 'poisson', 'negative_binomial',
        'normal' (linear regression), 'gamma', 'laplace' (median regression),
        'asymmetric_laplace:0.9' (quantile regression, a linear program), 'huber:1.345', ...
        ('mlefit families'); loss: instead, a loss name ('mse', 'bce', 'poisson', 'mae',
        'pinball:0.9', 'huber:1.345').
    data: a CSV path (or '-'), a dict of arrays, or a pandas DataFrame.
    covariates: a list of column names, or one string of them comma-separated ('x1,x2').
    formula: instead of response and covariates, 'y ~ x1 + C(group) + x1:x2' (Wilkinson
        notation, expanded by formulaic after a check of its grammar: mlefit.regression.formula).
    link: the default is the family's canonical one (logit, log, identity).
    weights, offset, exposure: column names (offset enters the linear predictor with
        coefficient 1; exposure E enters as log E). trials: binomial's trials, a number
        or a column name. positive: for a two-label bernoulli response, the label that
        counts as 1 (default: the second in sorted order). options: how to read a CSV
        (mlefit.io.readers.ReadOptions).
    robust: sandwich (HC0) standard errors, robust to a wrong family; cluster: a column
        whose values group the rows: cluster-robust errors (rows of a cluster may be
        correlated), with R's sandwich::vcovCL adjustment G/(G-1).
    information: 'observed' (default: minus the Hessian) or 'expected' (Fisher's, as
        statsmodels' GLM and R's glm report; equal on a canonical link).
    interval: 'wald' (default), 'profile' (profile likelihood: where the log-likelihood
        maximised over everything else falls chi2_1/2 below its maximum) or 'bootstrap'
        (percentile intervals of `bootstrap` resamples of the rows, default 999, seeded by
        `seed`; with cluster, of the clusters: result.resampling says how; docs/regress.md)
        or 'all' (Wald, profile and bootstrap side by side, the profile one the headline).
    fix: {name: value} of the family's other parameters held fixed (student_t's df, the
        negative binomial's size, normal's sigma), shown as fixed and not counted in AIC.
    censoring: a censored response, {key: value} with the keys of the censoring options
        (event, event_left, lower_col, upper_col, censored_cells, lower_limit, upper_limit,
        truncate_lower, truncate_upper, entry), e.g. {"event": "arrest"} or
        {"lower_limit": 0}: accelerated failure time models (dist 'weibull', 'lognormal',
        'log_logistic', 'exponential': log of the time scale = x'b), Tobit ('normal') and
        censored counts ('poisson', 'negative_binomial');
        result.censoring counts the rows of each kind (docs/regress.md).
    prior: priors on the coefficients, making the fit MAP: 'coef ~ normal(0, 2.5)' (every
        coefficient but the intercept; ridge), 'age ~ normal(0, 1)' (one by name, over
        coef), 'sigma ~ half_normal(1)' (the family's other parameters), 'jeffreys'
        (Firth's logistic regression), or a list of them; penalty: 'l2:LAMBDA', glmnet's lambda, the same as the prior
        normal(0, 1/sqrt(n LAMBDA)) on every coefficient but the intercept (docs/priors.md).
    folds: K-fold cross-validation of the same model after the fit (seed: of the split,
        compare-losses' folds): result.held_out is {"folds", "seed", "bits_per_sample" (held
        out), "se", "in_sample_bits_per_sample", "per_fold", ...} (docs/regress.md).
    chunk_size: a CSV file read chunk by chunk, this many rows at a time, and fitted by
        Newton passes over a float64 copy of its columns in a temporary file (0: in memory;
        default: files over 16 MB, where the model allows); engine='dask' (scheduler: its
        address, None for a local cluster): the same on a Dask cluster
        (docs/large-files.md). progress: a context (progress._progress) for stderr.
    Rows with a missing value in any column used are left out and reported. Raises
    DataError for data the model cannot take, UsageError for bad options, and
    ConvergenceError (with the partial result) when the fit does not converge.
    """
    from .regression.model import regress as _regress
    return _regress(data, response, covariates, **options)


def select(data, families=None, **options):
    """Fit every candidate family (or the names in `families`) to `data` and rank them:
    the dict `mlefit select --json` prints. Options: criterion ('aic', 'aicc', 'bic',
    'bits'), weights, trials, continuous, bootstrap (0: textbook p-values), seed,
    confidence, max_iter."""
    from .io.column import from_values
    from .data import Record
    from .inference.selection import select as _select
    col = data if isinstance(data, Record) else from_values(data)
    return _select(col, list(families) if families else None, **options)


def lrt(data, null, alt, **options):
    """Likelihood-ratio test of family `null` within `alt` on `data`: the dict `mlefit
    lrt --json` prints (without its source keys). Options: weights, trials."""
    from .io.column import from_values
    from .data import Record
    from .inference.likelihood_ratio import run
    col = data if isinstance(data, Record) else from_values(data)
    return run(col, null, alt, **options)


def read_column(paths, column=None, labels=False, **options):
    """Read one column of one or more files ('-' for stdin) with its report of dropped
    rows. Options: delimiter, decimal, encoding, header (True/False/None to detect),
    na_values (extra missing-value markers), strict (refuse missing values)."""
    from .io.column import read_column as _read
    from .io.readers import ReadOptions
    strict = options.pop("strict", False)
    if "na_values" in options:
        options["na_values"] = tuple(options["na_values"])
    return _read(paths, column=column, labels=labels, options=ReadOptions(**options), strict=strict)


def family_names():
    from .families import names
    return names()


def __getattr__(name):
    if name == "FitResult":
        from .report.result import FitResult
        return FitResult
    raise AttributeError(f"module 'mlefit' has no attribute '{name}'")
