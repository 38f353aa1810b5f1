"""Bootstrap intervals of a MAP fit (--prior with --interval bootstrap or all): the MAP
refitted to each resample, its percentile intervals. The resamples are the ML bootstrap's
(mlefit.resample): rows drawn with replacement (nonparametric), or values drawn from the
fitted distribution at the MAP (parametric). Each resample's MLE is found as the ML
bootstrap finds it and the MAP refitted from it by mlefit.map_fit, the same prior
counted once per resample. These are intervals of the MAP estimator's sampling
distribution (frequentist), not credible intervals: the output says so."""
from dataclasses import replace

import numpy as np

from . import resample as rs
from .errors import UsageError
from .result import Interval


def check(result, interval):
    """UsageError where the MAP bootstrap is not defined: a categorical fit (a resample
    may lose a label, and with it a parameter) and censored rows."""
    if interval not in ("bootstrap", "all"):
        return
    if result.censoring is not None:
        raise UsageError("--interval bootstrap/all with a prior is for values seen exactly; with censored rows use "
                         "--interval profile (the profile log-posterior)")
    if result.fitted is not None and result.fitted.family.name.startswith("normal_mixture"):
        raise UsageError("--interval bootstrap/all does not go with a prior on normal_mixture yet (each resample "
                         "would need the MAP-EM search from its many starts); its intervals are the Laplace "
                         "approximation's")
    if result.fitted is not None and result.fitted.family.spec.support == "labels":
        raise UsageError("--interval bootstrap/all does not go with a dirichlet prior: a resample may lose a "
                         "label and with it a probability; the exact posterior's intervals are reported")


def estimates(ml, given, samples, kind, seed, max_iter, map_theta, on_step=None):
    """(thetas, failed): the MAPs of `samples` resamples of the ML fit `ml`'s data, one row
    each (failed: the resamples whose MLE or MAP is undefined, left out)."""
    from .map_fit import fit_map

    fitted = ml.fitted
    if kind == "parametric":
        draw = rs._parametric(replace(fitted, theta=tuple(map_theta)))
    else:
        draw = rs._nonparametric(fitted)
    rng = rs.seed_for(seed, f"{fitted.family.name}/{kind}/map")
    thetas, failed = [], 0
    for _ in range(samples):
        fitted_b, xb, wb = draw(rng)
        with np.errstate(all="ignore"):
            try:
                mle = fitted_b.refit(xb, wb, start=fitted.theta)
                at = replace(fitted_b, x=xb, w=wb, stats=fitted_b.family.stats(xb, wb), theta=tuple(mle), cov=None)
                thetas.append([p.estimate for p in fit_map(replace(ml, fitted=at, notes=()), given,
                                                             max_iter).parameters])
            except rs.UNDEFINED:
                failed += 1
        if on_step is not None:
            on_step()
    return np.array(thetas, dtype=np.float64).reshape(len(thetas), len(fitted.theta)), failed


def extend(result, ml, given, interval, samples, kind, seed, max_iter, on_step=None):
    """The MAP fit `result` with bootstrap percentile intervals beside its Laplace (or
    exact, or profile) ones; the headline with --interval bootstrap."""
    from .intervals import DEFAULT_SAMPLES
    samples = DEFAULT_SAMPLES if samples is None else int(samples)
    theta = [p.estimate for p in result.parameters]
    thetas, failed = estimates(ml, given, samples, kind, seed, max_iter, theta, on_step)
    fixed = ml.fitted.fixed
    method = f"{kind} bootstrap of the MAP, percentile (sampling distribution, not a credible interval)"
    parameters = []
    for i, p in enumerate(result.parameters):
        if i in fixed or not len(thetas):
            parameters.append(p)
            continue
        lo, hi = rs.percentile_interval(thetas[:, i], ml.fitted.confidence)
        found = list(p.intervals) or [Interval("laplace", p.ci_lower, p.ci_upper, p.interval)]
        found.append(Interval("bootstrap", lo, hi, method))
        if interval == "bootstrap":
            p = replace(p, ci_lower=lo, ci_upper=hi, interval="bootstrap")
        parameters.append(replace(p, intervals=tuple(found)))
    notes = [f"bootstrap intervals: the MAP refitted to {samples} {kind} resamples (the prior counted once in "
             f"each); they describe the MAP's sampling variability and are not credible intervals"]
    if failed:
        notes.append(f"{failed} of {samples} resamples had no MLE or MAP and are left out")
    if not len(thetas):
        notes.append("no resample had a MAP: no bootstrap intervals")
    resampling = {"samples": samples, "kind": kind, "seed": seed, "failed": failed, "at_limit": 0,
                  "method": f"{kind} bootstrap of the MAP, percentile intervals"}
    return replace(result, parameters=tuple(parameters), resampling=resampling,
                   interval_kind="bootstrap" if interval == "bootstrap" else result.interval_kind,
                   notes=tuple(result.notes) + tuple(notes))
