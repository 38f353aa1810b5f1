"""Bootstrap intervals of a MAP fit (--prior with --interval bootstrap or all): the MAP
refitted to each resample, its percentile intervals. The resamples are the ML bootstrap's
(mlefit.inference.resample): rows drawn with replacement (nonparametric), or values drawn from the
fitted distribution at the MAP (parametric). Each resample's MLE is found as the ML
bootstrap finds it and the MAP refitted from it by mlefit.priors.map_fit, the same prior
counted once per resample. Censored rows are resampled with their bounds (nonparametric
only); a dirichlet prior's resamples keep every label (a lost one counts 0) and take the
dirichlet posterior's mode in closed form. These are intervals of the MAP estimator's
sampling distribution (frequentist), not credible intervals: the output says so."""
from dataclasses import replace

import numpy as np

from ..inference import resample as rs
from ..errors import DataError, UsageError
from ..report.result import Interval


def check(result, interval, kind="nonparametric"):
    """UsageError where the MAP bootstrap is not defined: a prior on normal_mixture, and a
    parametric one of censored rows (it would need the censoring mechanism)."""
    if interval not in ("bootstrap", "all"):
        return
    if result.censoring is not None and kind == "parametric":
        raise UsageError("a parametric bootstrap would need the censoring mechanism, which the data do not "
                         "give; use --resample nonparametric (rows resampled with their censoring)")
    if result.fitted is not None and result.fitted.family.map_fit is not None:
        raise UsageError(f"--interval bootstrap/all does not go with a prior on {result.fitted.family.spec.base} "
                         f"yet (each resample would need the MAP-EM search from its many starts); its intervals "
                         f"are the Laplace approximation's")


def _dirichlet_estimates(ml, given, samples, kind, rng, map_theta, on_step):
    """(thetas, failed) of a dirichlet prior on categorical p: each resample's label counts
    (every label of the fit, those the resample lost at 0) and its MAP in closed form, the
    mode of dirichlet(counts + a). Nonparametric: the rows drawn as the ML bootstrap draws
    them; parametric: multinomial(n, p at the MAP) counts."""
    from . import dirichlet as dirichlet_prior

    f = ml.fitted
    labels = f.stats.labels
    a = np.asarray(dirichlet_prior.concentrations(given, labels)[0])
    where = {label: k for k, label in enumerate(labels)}
    if kind == "parametric":
        n = int(round(float(np.sum(f.stats.counts))))
        p = np.asarray(map_theta, dtype=np.float64)
        draw = lambda rng: rng.multinomial(n, p / p.sum()).astype(np.float64)  # noqa: E731
    else:
        rows = rs._nonparametric(f)

        def draw(rng):
            _, xb, wb = rows(rng)
            st = f.family.stats(xb, wb)
            counts = np.zeros(len(labels))
            counts[[where[label] for label in st.labels]] = st.counts
            return counts
    thetas, failed = [], 0
    for _ in range(samples):
        try:
            thetas.append(dirichlet_prior.mode(draw(rng) + a)[0])
        except DataError:  # no single mode (every count + a_k at most 1)
            failed += 1
        if on_step is not None:
            on_step()
    return np.array(thetas, dtype=np.float64).reshape(len(thetas), len(labels)), failed


def estimates(ml, given, samples, kind, seed, max_iter, map_theta, on_step=None):
    """(thetas, failed): the MAPs of `samples` resamples of the ML fit `ml`'s data, one row
    each (failed: the resamples whose MLE or MAP is undefined, left out)."""
    from .map_fit import fit_map

    fitted = ml.fitted
    rng = rs.seed_for(seed, f"{fitted.family.name}/{kind}/map")
    if fitted.family.spec.support == "labels":
        return _dirichlet_estimates(ml, given, samples, kind, rng, map_theta, on_step)
    if kind == "parametric":
        draw = rs._parametric(replace(fitted, theta=tuple(map_theta)))
    else:
        draw = rs._nonparametric(fitted)  # censored rows: each with its bounds (resample._record_rows)
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
    from ..inference.intervals import DEFAULT_SAMPLES
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
