"""MAP fits: the mode of log-likelihood + log-prior, found by the one Newton maximiser of
the generic path (likelihood.maximize_sum) over the family's per-row record, with the
priors' analytic derivatives (mlefit.priors.distributions) added to the likelihood's. The likelihood
and the prior stay apart in every number reported: loglik is the data's log-likelihood
at the MAP, log_prior the priors' log-density there, log_posterior their sum (the
unnormalised log-posterior). Standard errors come from the curvature of the
log-posterior (the Laplace approximation), intervals are built on the unconstrained
scale like Wald ones; conjugate pairs also get their exact posterior (mlefit.priors.conjugate).
AIC and BIC are for maximum-likelihood fits and are not reported (null)."""
import math
from dataclasses import replace

import numpy as np

from .. import families
from ..inference import information as inference
from ..errors import ConvergenceError, UsageError
from ..likelihood import loglik as data_loglik
from ..likelihood import RowFit, maximize_sum, sums
from ..report.result import Interval, ParameterEstimate

LAPLACE = "Laplace approximation: curvature of the log-posterior"
NO_CRITERIA = ("AIC and BIC are not reported: they are for maximum-likelihood fits, and this is a MAP fit "
               "(the log-likelihood is at the MAP, not at its maximum); bits per sample on held-out data is "
               "the comparison that stays valid (docs/priors.md)")


def check_options(interval, robust, derive, bootstrap, data=None, information="observed"):
    """The fit options a MAP fit takes: Wald-type (Laplace) or profile intervals, and
    derived quantities (plug-in, with Laplace delta-method intervals)."""
    if information != "observed":
        raise UsageError("a MAP fit's standard errors come from the curvature of the log-posterior at the MAP "
                         "(observed): drop --information expected")
    if robust:
        raise UsageError("a prior gives Laplace-approximation intervals (curvature of the log-posterior), or "
                         "with --interval profile the profile log-posterior's, or bootstrap ones of the MAP: "
                         "--robust (sandwich errors of the likelihood alone) does not go with --prior")


def fit_map(result, given, max_iter=200, interval="wald", derive=()):
    """The MAP fit for the priors `given` (priors.parse_all's forms), from the ML fit
    `result` (its data, family and fixed values): a FitResult with map fields set.
    interval: 'wald' (Laplace) or 'profile' (the profile log-posterior's, Laplace beside).
    derive: quantities of the parameters (mlefit.inference.derive's specs), at the MAP."""
    from .distributions import parse_all

    f = result.fitted
    if f is None:
        raise UsageError("a prior needs the values in memory in their own unit: values beyond 1e+-100 are "
                         "rescaled for the fit, which a prior's scale would not follow; rescale the data")
    fam = f.family
    if fam.map_fit is not None:
        if derive or interval != "wald":
            raise UsageError(f"a prior on {fam.name} gives Laplace-approximation intervals only: "
                             f"{'--derive' if derive else '--interval ' + interval} does not go with it yet")
        return fam.map_fit(result, given)
    from . import dirichlet as dirichlet_prior
    if dirichlet_prior.is_categorical(fam):
        if derive:
            raise UsageError("--derive does not go with a dirichlet prior yet (the categorical fit has no "
                             "covariances between its probabilities)")
        return dirichlet_prior.fit_map(result, given, interval)
    dens, shapes = _density(fam)
    names, domains = tuple(f.names), tuple(f.domains)
    from . import jeffreys as jeffreys_prior
    censored = result.censoring is not None
    if jeffreys_prior.asked(given):
        if censored:
            raise UsageError("--prior jeffreys is the family's Jeffreys prior for values seen exactly; with "
                             "censored rows the information, and so the prior, depends on the censoring: give "
                             "PARAM ~ DIST(NUMBERS) priors")
        trials = (f.stats.t, f.stats.c) if fam.sides else (np.asarray(shapes[:1] or [0.0]), np.ones(1))
        priors = jeffreys_prior.priors(fam.name, names, f.fixed, f.n, trials)
    else:
        priors = parse_all(given, names, domains, f.fixed, f"the {fam.name} family")
    held = {i: float(g(f.x, f.w)) for i, g in dens.extreme.items() if i not in f.fixed}
    from . import bound as bound_prior
    bounds = {i: bound_prior.side(dens, i, p, f.x, f.w, held[i]) for p in priors for i in p.indices if i in held}
    y, w = f.x, f.w
    if fam.sides:  # trials per row (--trials COLUMN), the rows' side column: the distinct
        y, w, shapes = f.stats.x, f.stats.c, (f.stats.t,)  # (successes, trials) pairs with their counts
    if censored:  # the rows' log f, log F, log S and log-differences (mlefit.censored.terms)
        from ..censored import terms as ct

        def loglik_of(theta):
            with np.errstate(all="ignore"):
                return ct.loglik(dens, f.stats.terms, theta, shapes)

        def data_sums(theta):
            return ct.sums(dens, f.stats.terms, theta, shapes)
    else:  # numpy scalars: a trial step's sigma = 0 gives inf, not ZeroDivisionError (own and mean models)
        def loglik_of(theta):
            return data_loglik(dens, y, [np.float64(t) for t in theta], w, shapes)

        def data_sums(theta):
            return sums(dens, y, [np.float64(t) for t in theta], w, shapes)

    def log_prior(theta):
        return sum(p.at(theta) for p in priors)

    def value_at(theta):
        return loglik_of(theta) + log_prior(theta)

    def sums_at(theta):
        try:
            v, g, h, noise = data_sums(theta)
        except (ArithmeticError, ValueError):  # a trial step out of the family's reach (df -> 0):
            k = len(theta)  # rejected, as value_at's -inf is
            return -math.inf, np.zeros(k), np.zeros((k, k)), np.zeros(k)
        g, h = g.copy(), h.copy()
        for p in priors:
            v += p.add_derivs(theta, g, h)
        return v, g, h, noise

    if bounds:  # a prior on a support bound: its MAP by a 1-D search on its side of the extreme
        held = {**held, **_bound_map(dens, priors, value_at, sums_at, _start(f.theta, domains, priors, f.n),
                                     f.fixed, held, bounds, max_iter)}
    from .conjugate import edge_log_prior, posterior
    exact = None if censored else posterior(fam.name, priors, y, w, f.fixed, f.theta, f.confidence, shapes)
    if exact is not None and _on_edge(exact["mode"], domains[priors[0].index]):
        # the posterior density rises to the edge of the range (a flat or U-shaped prior and
        # data all on one side): its mode, the MAP, is there, out of the unconstrained
        # scale's reach; the closed form gives it
        theta = list(f.theta)
        theta[priors[0].index] = exact["mode"]
        found = RowFit(tuple(theta), math.nan, None, tuple(i for i in range(dens.k) if i not in f.fixed), 0,
                       True, "", "closed form: the conjugate posterior's mode, on the edge of the range")
        lp = edge_log_prior(priors[0], exact["mode"])
    else:
        start = _start(f.theta, domains, priors, f.n)
        with np.errstate(all="ignore"):  # trial steps to the edge of a range: inf and nan, rejected
            found = maximize_sum(_solver(dens, priors), value_at, sums_at, start, f.fixed, held, max_iter)
        found = replace(found, theta=_ties_at_the_mle(found.theta, f.theta, priors, value_at))
        lp = None
    theta = tuple(float(t) for t in found.theta)
    loglik = loglik_of(theta)
    lp = log_prior(theta) if lp is None else lp
    with np.errstate(all="ignore"):  # nan where a run stopped on an edge: no SEs, said below
        info = _information(dens, sums_at, value_at, theta, found.free, None if censored else
                            _kinked_information(dens, f, priors, theta))
    cov = inference.covariance_from_information(info) if len(found.free) else None
    profiled = {}
    if interval == "profile" and found.free:
        from . import profile as map_profile
        with np.errstate(all="ignore"):
            profiled = map_profile.intervals(_solver(dens, priors), value_at, sums_at, theta, found.free, f.fixed, held, cov,
                                             f.confidence, max_iter,
                                             skip={i for i in found.free if _on_edge(theta[i], domains[i])})
    parameters, notes = _parameters(result, theta, cov, found.free, domains, exact, f.confidence, profiled)
    if bounds:
        parameters, notes = _bound_records(parameters, notes, bounds, theta, value_at, names, f, held)
    mle = {n: float(t) for n, t in zip(names, f.theta)}
    shrink = "; ".join(f"{names[i]} {mle[names[i]]:.6g} -> {theta[i]:.6g}" for i in _with_prior(priors))
    notes = [n for n in result.notes] + notes + [
        f"MAP (maximum a posteriori) with the prior {', '.join(p.said() for p in priors)}: "
        f"the MLE moved {shrink}", NO_CRITERIA]
    notes += [p.note for p in priors if getattr(p, "note", "")]
    if jeffreys_prior.asked(given) and fam.name in jeffreys_prior.UNBOUNDED:
        notes.append(f"the MAP is a local mode: {jeffreys_prior.UNBOUNDED[fam.name]}")
    if censored and result.censoring.get("fitted_median") is not None:  # the median at the MAP, not the MLE
        from ..censored.fit import fitted_median
        lo = f.stats.x[:, 0]
        result = replace(result, censoring={**result.censoring,
                                            "fitted_median": fitted_median(dens, theta, shapes, lo)})
    derived = _derived(f, theta, cov, found.free, loglik, derive) if derive else ()
    if derived:
        notes.append("derived quantities are g at the MAP (a plug-in: a MAP is not invariant to "
                     "reparametrisation, so this is not the MAP of g), with delta-method intervals from the "
                     "Laplace approximation")
    method = found.method
    if bounds:
        said = " and ".join(sd.name for sd in bounds.values())
        method = (f"{said} by a 1-D search of the log-posterior on {'their' if len(bounds) > 1 else 'its'} side of "
                  f"the sample extreme (grid, Brent, the ends checked), the others at their conditional MAP; "
                  + method.replace("held at the sample extreme", "held there"))
    out = replace(result, parameters=tuple(parameters), derived=derived, loglik=loglik, aic=math.nan, bic=math.nan,
                  bits_per_sample=-loglik / (f.n * math.log(2.0)), method="MAP: " + method,
                  converged=found.converged, iterations=found.iterations, message=found.message,
                  notes=tuple(notes), prior=tuple(p.to_dict() for p in priors), log_prior=lp,
                  log_posterior=loglik + lp, posterior=exact, mle=mle, fitted=None,
                  interval_kind="profile" if profiled else "laplace")
    if not found.converged and jeffreys_prior.asked(given) and fam.name in jeffreys_prior.UNBOUNDED:
        raise ConvergenceError(f"the MAP fit did not converge ({found.message}): "
                               f"{jeffreys_prior.UNBOUNDED[fam.name]}, and from the MLE the search ran to that edge "
                               f"instead; give PARAM ~ DIST(NUMBERS) priors, "
                               f"e.g. 'rate ~ gamma(2, 1)'", out)
    if not found.converged:
        raise ConvergenceError(f"the MAP fit did not converge ({found.message}): the log-posterior may keep "
                               f"rising toward the edge of a parameter's range or of a uniform or pareto prior's "
                               f"support (a flat prior there); "
                               f"use a prior that pulls away from the edge, or a larger --max-iter", out)
    return out


def _bound_map(dens, priors, value_at, sums_at, start, fixed, held, bounds, max_iter):
    """{index: MAP} of the support bounds with a prior (bounds: {index: bound_prior.Side}):
    the log-posterior maximised over the other free parameters (the MAP's Newton, the
    bounds held) is maximised over the bounds by bound_prior.search."""
    from . import bound as bound_prior

    last = [list(start)]  # each search starts where the last ended (the bounds move by small steps)

    def profile(at):
        with np.errstate(all="ignore"):
            found = maximize_sum(_solver(dens, priors), value_at, sums_at, last[0], fixed, {**held, **at}, max_iter)
            value = value_at(list(found.theta))
        if math.isfinite(value):
            last[0] = list(found.theta)
        return value
    return bound_prior.search(bounds, profile)


def _bound_records(parameters, notes, bounds, theta, value_at, names, f, held):
    """The records of the bounds with a prior (no SE; the exact conditional posterior
    interval), with the notes that say how they were found (held: every bound's index)."""
    from . import bound as bound_prior
    parameters = list(parameters)
    for i, sd in bounds.items():
        def conditional(t, i=i):
            at = list(theta)
            at[i] = t
            with np.errstate(all="ignore"):
                return value_at(at)
        others = ", ".join(names[j] for j in range(len(names)) if j != i and j not in f.fixed)
        with np.errstate(all="ignore"):
            ends = bound_prior.interval(sd, conditional, theta[i], f.confidence)
        parameters[i] = bound_prior.estimate_record(parameters[i], sd, theta[i], ends, others)
    said = " and ".join(sd.name for sd in bounds.values())
    notes = [n for n in notes if not n.startswith(tuple(f"{sd.name}: " for sd in bounds.values()))]
    notes.append(f"{said} {'are support bounds' if len(bounds) > 1 else 'is a support bound'}: the log-posterior "
                 f"is maximised exactly on the side of the sample extreme the data allow (docs/priors.md"
                 f"#support-bounds); the Laplace approximation does not apply there (no SE), so the interval is "
                 f"the exact posterior's given the other parameters at their MAP, and theirs are given "
                 f"{said} at {'their' if len(bounds) > 1 else 'its'} MAP")
    bare = [names[i] for i in held if i not in bounds]
    if bare:
        notes.append(f"{', '.join(bare)} without a prior stays at its MLE, the sample extreme (where the "
                     f"log-posterior is highest in it), with its exact ML interval, a confidence interval")
    if not any(p.interval.startswith("laplace") for p in parameters):  # every interval is exact here
        notes = [n for n in notes if not n.startswith("intervals are credible intervals: ")]
    return parameters, notes


def _derived(f, theta, cov, free, loglik, specs):
    """ParameterEstimate records of the quantities `specs` at the MAP theta: the plug-in
    value, with the delta method on the Laplace covariance `cov` (over `free`)."""
    from ..inference import derive as dm
    from ..inference.fitted import Fitted
    from ..inference.intervals import _derived as delta_record
    k = len(theta)
    full = None
    if cov is not None:
        full = np.full((k, k), np.nan)
        full[np.ix_(list(free), list(free))] = cov
    at = Fitted(f.family, f.x, f.w, f.stats, tuple(theta), loglik, f.confidence, fixed=f.fixed, cov=full,
                max_iter=f.max_iter)
    out = []
    for j, spec in enumerate(specs):
        d = delta_record(at, dm.quantity(at, spec), j, ("wald",), None, None, dm, None)
        method = d.interval if d.interval == "none" else f"Laplace approximation, {d.interval}"
        out.append(replace(d, interval=method, intervals=tuple(
            replace(i, kind="laplace", method=f"Laplace approximation, {i.method}") for i in d.intervals)))
    return tuple(out)


def _ties_at_the_mle(theta, mle, priors, value_at):
    """theta with each parameter that has no prior put back at its MLE where the
    log-posterior is as high there: where the maximum is flat along it (laplace's mu on an
    even number of rows, any point between the two middle values), the MAP is reported at
    the MLE's choice rather than wherever the search stopped."""
    theta = list(theta)
    top = value_at(theta)
    for i in set(range(len(theta))) - set(_with_prior(priors)):
        trial = theta[:i] + [float(mle[i])] + theta[i + 1:]
        if trial[i] != theta[i] and value_at(trial) >= top - 1e-13 * max(1.0, abs(top)):
            theta = trial
    return tuple(theta)


def _solver(dens, priors):
    """The per-row record the maximiser takes: marked not smooth where a prior has a kink
    (laplace), so that it is maximised without derivatives."""
    return dens if all(p.smooth for p in priors) else dens._replace(smooth=False)


def _with_prior(priors):
    """The indices of the parameters the priors are on, in order."""
    return sorted({i for p in priors for i in p.indices})


def _on_edge(t, domain):
    """An estimate on the edge of its domain (0 or 1 for a probability, 0 for a positive
    parameter), or within rounding of it, where the Laplace approximation does not apply."""
    if domain == "unit":
        return not 1e-12 < t < 1.0 - 1e-12
    return domain == "positive" and not t > 1e-300


def _density(fam):
    try:
        dens, shapes = families.density(fam)  # a Family: a user's own model carries its own
    except (AttributeError, ImportError):
        dens = None
    if dens is None or fam.spec.support == "labels":
        raise UsageError(f"--prior is not available for the {fam.name} family yet (it has no per-row "
                         f"record with fixed parameters)")
    return dens, shapes


def _start(theta, domains, priors, n):
    """The MLE moved inside the parameters' domains and the priors' supports (an MLE of
    p = 1 or rate = 0 is on an edge the unconstrained scale cannot reach)."""
    out = list(theta)
    edge = 0.5 / (n + 1.0)
    for i, d in enumerate(domains):
        if d == "unit":
            out[i] = min(max(out[i], edge), 1.0 - edge)
        elif d == "positive" and not out[i] > 0:
            out[i] = edge
    for p in priors:
        if p.distribution == "uniform" and not math.isfinite(p.logpdf(out[p.index])):
            out[p.index] = 0.5 * (p.args[0] + p.args[1])
        if p.distribution == "pareto" and not math.isfinite(p.logpdf(out[p.index])):  # below its xm: inside its support
            out[p.index] = p.args[0] * 1.5 if p.transform is None else math.exp(p.args[0] + 0.5)
    return out


def _kinked_information(dens, f, priors, theta):
    """For a family with a kink in its log-density (laplace, asymmetric_laplace: smooth
    False), no second derivative exists in the location; its information there is the
    family's own (the expected n/b^2, as the ML fit reports), valid at any theta, plus minus
    the priors' second derivatives: the k x k matrix, or None for smooth families."""
    if dens.smooth or f.family.observed_information is None:
        return None
    info = np.array(f.family.observed_information(f.stats, tuple(theta)), dtype=float)
    g, h = np.zeros(len(theta)), np.zeros_like(info)
    for p in priors:
        p.add_derivs(list(theta), g, h)
    return info - h


def _information(dens, sums_at, value_at, theta, free, kinked=None):
    """Minus the Hessian of the log-posterior in the free parameters, at theta: analytic,
    or numeric for families without analytic derivatives (kinked: the family's own, for
    log-densities with a kink)."""
    free = list(free)
    if kinked is not None:
        return kinked[np.ix_(free, free)]
    if dens.derivs is not None:
        h = sums_at(list(theta))[2]
        return -h[np.ix_(free, free)]

    def at(sub):
        t = list(theta)
        for i, v in zip(free, sub):
            t[i] = float(v)
        return value_at(t)
    return -inference.numeric_hessian(at, np.array([theta[i] for i in free]))


def _parameters(result, theta, cov, free, domains, exact, confidence, profiled):
    """ParameterEstimate records at the MAP: Laplace SEs and intervals (on the log or
    logit scale for bounded parameters), the exact interval headline where conjugate, the
    profile one where asked (profiled: {index: (lower, upper, note)})."""
    notes = [] if cov is not None or not free else [
        "the log-posterior's curvature cannot be inverted at the MAP: no standard errors"]
    z = inference.z_value(confidence)
    out = []
    for p, t, domain in zip(result.parameters, theta, domains):
        i = len(out)
        if i not in free:
            out.append(replace(p, estimate=t))
            continue
        j = free.index(i)
        se = math.sqrt(cov[j, j]) if cov is not None and cov[j, j] > 0 and not _on_edge(t, domain) else None
        if se is None:
            laplace = Interval("laplace", None, None, LAPLACE, "no curvature at this estimate")
            lo = hi = None
            if _on_edge(t, domain):
                notes.append(f"{p.name}'s MAP is on the edge of its range ({t:.6g}): the log-posterior rises "
                             f"toward it, so the Laplace approximation does not apply there (no SE)")
        else:
            lo, hi, scale = inference.wald_interval(t, se, domain, z)
            laplace = Interval("laplace", lo, hi, f"{LAPLACE} ({scale})")
        kinds = (laplace,)
        how = "laplace"
        if exact is not None and exact["parameter"] == p.name:
            kinds += (Interval("exact", exact["ci_lower"], exact["ci_upper"],
                               f"equal-tailed, exact {exact['label']} posterior"),)
            lo, hi, how = exact["ci_lower"], exact["ci_upper"], "exact posterior"
        if i in profiled:
            from .profile import METHOD
            lo, hi, note = profiled[i]
            kinds = (Interval("profile", lo, hi, METHOD, note),) + kinds
            how = "profile"
        out.append(ParameterEstimate(p.name, t, se, lo, hi, how, None, intervals=kinds if len(kinds) > 1 else ()))
    notes.append(f"intervals are credible intervals: {LAPLACE} on the log/logit scale for bounded parameters"
                 + ("; exact where the prior is conjugate" if exact is not None else ""))
    if profiled:
        notes.append("the headline intervals are the profile log-posterior's: where it, maximised over the other "
                     "parameters, falls chi2_1(level)/2 below the MAP's (the Laplace ones listed under them)")
        notes += [n for _, _, n in profiled.values() if n]
    return out, notes
