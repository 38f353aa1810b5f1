"""mlefit.regress: a family whose mean moves with covariates, fitted by maximum likelihood
on the per-row likelihood core (linear_model.fit_linear, softmax_model.fit_softmax).
This module resolves the model, runs the fit and turns it into a RegressionResult (the
intervals, the likelihood-ratio test, the deviance); the rows are read and checked in
regression/rows.py, separation in regression/separation.py."""
import math
from dataclasses import replace

import numpy as np

from .. import families
from . import links, quantile as quantile_regress, rows as rows, separation
from ..censored.rows import counts as censored_counts
from ..errors import ConvergenceError, DataError, UsageError, plain
from ..inference.information import z_value
from ..families.catalog import edges, support
from ..families.rowwise import SCALES
from ..likelihood import saturated_loglik
from .linear_model import AFT, CENSORABLE, REGRESSED, fit_linear, parts
from .quantile import LP_FAMILIES
from ..report.regression_result import Coefficient, RegressionResult
from ..families.negative_binomial import size_runs_off

LOG_LINKS = ("log", "logit", "softmax")


def regress(data, response=None, covariates=(), *, formula=None, dist=None, loss=None, link=None,
            weights=None, trials=None, offset=None, exposure=None, intercept=True, positive=None,
            robust=False, cluster=None, fix=None, interval="wald", information="observed", confidence=0.95,
            max_iter=100, options=None, censoring=None, prior=None, penalty=None, folds=None, seed=0,
            bootstrap=None, on_step=None, chunk_size=None, progress=None, engine="local", scheduler=None):
    """The regression behind mlefit.regress, whose docstring documents every option (help(mlefit.regress))."""
    if isinstance(covariates, str):  # 'a,b,c', as --covariates takes them
        covariates = [c.strip() for c in covariates.split(",") if c.strip()]
    name, loss_label, note, shape = _family(dist, loss)
    censoring = _censoring(name, censoring)
    if name in LP_FAMILIES:
        _refuse_for_linear_program(robust, cluster, interval, information, prior, penalty, fix)
    how = REGRESSED[name]
    target, allowed = how.target, how.links
    link = link or how.link
    if link not in allowed:
        raise UsageError(f"the {name} family takes the link{'s' if len(allowed) > 1 else ''} "
                         f"{', '.join(allowed)} (got '{link}')")
    if not (0.0 < confidence < 1.0):
        raise UsageError(f"confidence must be strictly between 0 and 1 (got {confidence})")
    rhs = None
    if formula is not None:
        if covariates:
            raise UsageError("give --formula, or --response with --covariates, not both")
        from .formula import parse
        named, (response, rhs, covariates) = response, parse(formula)
        if named is not None and named != response:
            raise UsageError(f"--response '{plain(named, 40)}' is not the formula's response "
                             f"'{plain(response, 40)}'; give the formula alone (its left side is the response)")
    if response is None and not (censoring and censoring["lower_col"]):
        raise UsageError("name the response column: --response/-y NAME (or give --formula)")
    if information not in ("observed", "expected"):
        raise UsageError(f"information must be 'observed' or 'expected' (got '{information}')")
    if interval not in ("wald", "profile", "bootstrap", "all"):
        raise UsageError(f"interval must be 'wald', 'profile', 'bootstrap' or 'all' (got '{interval}')")
    from . import bootstrap as regression_bootstrap
    regression_bootstrap.check(interval, bootstrap)
    if interval in ("profile", "all") and (robust or cluster is not None):
        raise UsageError("--interval profile is the model's own likelihood; it does not go with --robust or --cluster"
                         if interval == "profile" else "--interval all includes the profile likelihood, the model's "
                         "own; it does not go with --robust or --cluster")
    if trials is not None and name not in ("binomial", "categorical"):
        binary = " (it is the binomial with one trial per row)" if support(name) == "binary" else ""
        raise UsageError(f"--trials is for the binomial family (the number of trials of each row); the {name} "
                         f"family takes none{binary}: drop --trials")
    if support(name) == "labels" and (trials is not None or offset is not None or exposure is not None):
        raise UsageError("--trials, --offset and --exposure do not apply to the categorical family")
    if folds is not None and (isinstance(folds, bool) or not isinstance(folds, (int, np.integer))):
        raise UsageError(f"folds must be a whole number >= 2 (got {folds!r})")
    if chunk_size != 0 or engine != "local":  # a large file: in chunks (regress_stream.plan)
        from . import stream as streamed
        needs = streamed.in_memory_needs(name, formula, censoring, prior, penalty, interval, robust, cluster, folds,
                                         information, trials, positive)
        planned = streamed.plan(data, name, chunk_size, needs, options, engine)
        if planned is not None:
            from ..io.regress_read import TextResponse
            try:
                return streamed.regress_file(data, name, response, list(covariates), dens=how.density(name),
                                             target=target, link=link, fix=fix, intercept=intercept, weights=weights,
                                             offset=offset, exposure=exposure, options=options, chunk_rows=chunk_size,
                                             max_iter=max_iter, confidence=confidence, notes=[note] if note else [],
                                             loss_label=loss_label, progress=progress, engine=planned,
                                             scheduler=scheduler)
            except TextResponse:  # yes/no labels: read in memory, unless chunks were asked for
                import os
                if chunk_size is not None or planned != "chunks" or not os.path.isfile(data):
                    raise
    d = rows.prepare(data, name, response, list(covariates), rhs, intercept, weights=weights, trials=trials,
                     offset=offset, exposure=exposure, cluster=cluster, positive=positive, options=options,
                     censoring=censoring, wide=bool(prior or penalty))
    if shape is not None:  # asymmetric_laplace's tau, huber's delta: the trailing argument of its density
        d = replace(d, shape=(shape,))
    if folds is not None:
        from ..folds import check
        check(folds, d.y.size)
    indexed = hasattr(d.X, "codes")  # a many-level factor held as level indices (mlefit.regression.indexed_regress)
    if indexed:
        from .indexed_regress import refuse
        refuse(name, d, interval, folds)
    notes = list(d.notes) + ([note] if note else [])
    where = d.names.index("Intercept") if "Intercept" in d.names else None
    if where is None and name not in LP_FAMILIES:
        notes.append(NO_INTERCEPT)
    coef_prior = _coef_prior(prior, penalty, name, link, d, interval, robust, cluster, information)
    if (prior or penalty) and not (coef_prior is not None and not coef_prior.firth
                                   and coef_prior.covers_every_slope(d.names)):
        rows.check_size(d)  # without a proper prior on every slope, the rows must determine them
    if (prior or penalty) and not (coef_prior is not None and (
            coef_prior.firth or len(getattr(coef_prior, "covered", ())) == len(d.names))):
        rows.check_constant(name, d)  # a response at its edge: finite only with a prior on every coefficient
    if support(name) == "labels":
        from .softmax_model import fit_softmax
        if fix:
            raise UsageError("the categorical family has no other parameter to fix")
        dens, fixed = None, {}
        fit = fit_softmax(d.rows, d.names, d.labels, intercept=where, max_iter=max_iter, prior=coef_prior)
    else:
        dens = how.density(name)  # gamma by its mean
        fixed = _fixed(dens, target, fix)
        try:
            fit = _fit_rows(dens, d, name, target, link, where, fixed, max_iter, coef_prior)
        except ArithmeticError as exc:  # a scale run to 0: the covariates give the response exactly
            raise DataError(f"the {name} fit breaks down ({type(exc).__name__}: {exc}): where the covariates "
                            f"give the response exactly, its scale's maximum likelihood estimate is 0 and the "
                            f"likelihood is unbounded; check for a covariate that copies the response") from None
    if coef_prior is not None and coef_prior.firth and fit.converged:  # logistf's errors (firth.py)
        from .firth import FirthObjective
        from ..inference.information import covariance_from_information
        fit = replace(fit, covariance=covariance_from_information(FirthObjective(fit.objective).information(fit.vec)))
    sigma = dict(fit.others).get("sigma")
    if sigma is not None and sigma <= 1e-10 * float(np.std(d.y)):
        raise DataError(f"the covariates give the response exactly (residual scale {sigma:.3g} against a spread "
                        f"of {float(np.std(d.y)):.3g}): sigma's maximum likelihood estimate is 0 and the "
                        f"likelihood is unbounded; check for a covariate that copies the response")
    every = coef_prior is not None and coef_prior.covers_every_slope(d.names)
    edge = edges(name)
    if edge == "both" and indexed and not every:
        from .indexed_checks import check_separation
        check_separation(fit, d.rows)
    elif edge == "both" and not every:  # a prior on every slope keeps the MAP finite
        separation.check(fit, d.names, d.rows)
    if support(name) == "labels" and not every:
        separation.check_softmax(fit, d.names, d.rows, len(d.labels))
    if edge == "zero" and link == "log" and d.censored is None and not every \
            and not indexed:  # (a level index of all-zero counts is refused before: indexed_checks)
        separation.check_counts(fit, d.names, d.rows)
    if name == "negative_binomial" and size_runs_off(dict(fit.others).get("size", 0), fit.converged):
        raise DataError("the negative binomial's size runs to infinity: the counts are not overdispersed "
                        "(their variance is no more than their mean), so the fit is the poisson regression; "
                        "use --dist poisson")
    if information == "expected" and d.censored is not None:
        raise UsageError("censored regressions use the observed information (the expected one depends on the "
                         "censoring mechanism); drop --information expected")
    if information == "expected" and support(name) != "labels":  # softmax: its link is canonical
        if indexed:
            from .indexed_regress import expected_covariance
        else:
            from .linear_model import expected_covariance
        expected = expected_covariance(fit)
        if expected is None:
            raise UsageError(f"the {name} family has no closed-form expected information here; "
                             f"use --information observed")
        fit = replace(fit, covariance=expected)
        notes.append("standard errors of the coefficients from the expected (Fisher) information"
                     + (", of the other parameters from the observed" if fit.others else ""))
    cov, how = _covariance(fit, d, robust, cluster, notes)
    if name in LP_FAMILIES:
        how = quantile_regress.HOW
    ends = None
    if interval in ("profile", "all") and fit.converged:
        from ..inference.profile_engine import newton_interval as profile
        from .ends import doubtful_ends, open_ends
        p = len(fit.names)
        search, top = fit.objective, fit.loglik  # with a prior: the log-posterior's profile
        if coef_prior is not None:
            search, top = coef_prior.wrap(fit.objective), fit.loglik + fit.log_prior
        stopped, reached = {j: [] for j in range(fit.vec.size)}, {j: [] for j in range(fit.vec.size)}
        ends = {j: profile(search, fit.vec, top, fit.covariance, j, confidence, max_iter,
                           log_scale=j >= p and fit.other_domains[j - p] != "real", stopped=stopped[j],
                           reached=reached[j])
                for j in range(fit.vec.size)}
        if coef_prior is not None and coef_prior.firth:  # several inner maxima far out: check each end
            notes += doubtful_ends(search, top, confidence, reached, ends, fit, max_iter)
        how = "profile likelihood" if coef_prior is None else \
            "profile penalised likelihood" if coef_prior.firth else "profile log-posterior"
        notes += open_ends(ends, stopped, fit, coef_prior is not None and coef_prior.firth)
    result = _result(name, link, dens, fit, d, confidence, notes, loss_label, weights, offset or exposure,
                     cov, how, fixed, ends, beside=interval == "all")
    result = replace(result, information=information,
                     censoring=None if d.censored is None else censored_counts(d.censored))
    if shape is not None or name in LP_FAMILIES:
        result = _fixed_shape_result(result, name, shape, fit)
    if coef_prior is not None:
        result = _as_map(result, fit, coef_prior)
        mle, why = _mle_beside(dens, d, name, target, link, where, fixed, max_iter)
        result = replace(result, mle=mle, notes=result.notes + ((why,) if why else ()))
    k = len(fit.names)
    result = replace(result, model={"family": result.family, "link": link, "response": response, "design": d.layout,
                                    "offset": offset, "exposure": exposure, "labels": d.labels,
                                    "covariance": None if cov is None else cov.saved() if indexed
                                    else _saved(cov[:k, :k])})
    if indexed:
        from .indexed_regress import labelled
        result = labelled(result, d.X)
    if not fit.converged:
        raise ConvergenceError(f"the {name} regression did not converge: {fit.message}; try a larger "
                               f"--max-iter, or check the design", result)
    if interval in ("bootstrap", "all"):
        redo = regression_bootstrap.refitter(name, dens, target, link, fixed, max_iter, coef_prior, d)
        result = regression_bootstrap.intervals(result, fit, d, redo, samples=bootstrap, seed=seed, on_step=on_step,
                                              headline=interval == "bootstrap")
    if folds is not None:
        from .cv import held_out
        cv = held_out(d, name, dens, target, link, where, fixed, max_iter, prior, penalty, folds, seed)
        result = replace(result, held_out=dict(cv, in_sample_bits_per_sample=result.bits_per_sample))
    return result


NO_INTERCEPT = ("no intercept: no null (intercept-only) model to compare with, so no null log-likelihood, "
                "likelihood-ratio test or pseudo R2")


def _saved(cov):
    """The coefficients' covariance for --save: a lasso coefficient on its kink (NaN: no
    curvature there) counts as held at its value, with no variance or covariance."""
    return np.where(np.isnan(cov), 0.0, cov).tolist()


def _fit_rows(dens, d, name, target, link, intercept, fixed, max_iter, prior=None):
    """The LinearFit of the rows `d` (censored ones by mlefit.censored.regress, a categorical
    response by softmax_model), MAP with `prior`."""
    if support(name) == "labels":
        from .softmax_model import fit_softmax
        return fit_softmax(d.rows, d.names, d.labels, intercept=intercept, max_iter=max_iter, prior=prior)
    if name in LP_FAMILIES:
        return quantile_regress.fit(name, d.rows, d.names, quantile_regress.tau_of(name, d.shapes),
                                    intercept=intercept)
    if hasattr(d.X, "codes"):
        from .indexed_regress import fit
        return fit(dens, d.rows, target=target, link=link, shape=d.shape, fixed=fixed, max_iter=max_iter,
                   prior=prior, family=name)
    if d.censored is not None:
        from ..censored import regress as censored_regress
        return censored_regress.fit(dens, families.get(name), d.censored, d.names, target=target, link=link,
                                    intercept=intercept, fixed=fixed, max_iter=max_iter, prior=prior)
    return fit_linear(dens, d.rows, d.names, target=target, link=link, shape=d.shape, intercept=intercept,
                      fixed=fixed, max_iter=max_iter, prior=prior)


def _mle_beside(dens, d, name, target, link, intercept, fixed, max_iter):
    """({name: MLE} of the coefficients and other parameters, None) for a MAP regression,
    to show what the prior did to each; (None, why) where the MLE does not exist
    (separation, more coefficients than the data determine) or the ML fit fails."""
    try:
        ml = _fit_rows(dens, d, name, target, link, intercept, fixed, max_iter)
        if name in ("bernoulli", "binomial"):
            try:
                if hasattr(d.X, "codes"):
                    from .indexed_checks import check_separation
                    check_separation(ml, d.rows)
                else:
                    separation.check(ml, d.names, d.rows)
            except DataError as exc:
                return None, (f"no MLE beside the MAP: {str(exc).split(';')[0]}; the prior keeps the MAP "
                              f"finite")
    except DataError as exc:
        return None, f"no MLE beside the MAP: {exc}"
    except (ArithmeticError, np.linalg.LinAlgError, ValueError):
        return None, "no MLE beside the MAP: the maximum-likelihood fit breaks down on these data"
    if not ml.converged:
        return None, f"no MLE beside the MAP: the maximum-likelihood fit did not converge ({ml.message})"
    if ml.covariance is None:
        return None, ("no MLE beside the MAP: the likelihood alone does not determine every coefficient (its "
                      "curvature cannot be inverted: more coefficients than the data pin down, or collinear ones)")
    out = {n: float(b) for n, b in zip(ml.names, ml.beta)}
    out.update({n: float(v) for n, v in ml.others})
    return out, None


def _coef_prior(prior, penalty, name, link, d, interval, robust, cluster, information):
    """The coefficients' priors (regression_prior.CoefPriors) of --prior/--penalty, or None;
    the options a MAP regression does not take are refused."""
    if not prior and not penalty:
        return None
    if robust or cluster is not None or information != "observed":
        raise UsageError("--prior and --penalty give intervals from the log-posterior (its curvature, or its "
                         "profile with --interval profile): not with --robust, --cluster or --information expected")
    from ..priors.regression import resolve
    n = float(d.y.size if d.w is None else np.sum(d.w))
    if support(name) == "labels":  # softmax: the coefficients are 'label:term', a term's prior on every label's
        from .softmax_model import coefficient_names
        found = resolve(prior, penalty, coefficient_names(d.names, d.labels), n, terms=d.names)
    else:
        dens = REGRESSED[name].density(name)
        found = resolve(prior, penalty, d.names, n, dens.params, family_domains=dens.domains,
                        target=REGRESSED[name].target)
    if interval in ("profile", "all") and getattr(found, "kinks", ()):
        raise UsageError(f"--interval {interval} does not go with laplace priors (lasso, --penalty l1 or elasticnet): "
                         "their kinks leave the profile without derivatives there")
    if found is not None and found.firth:
        from .firth import check
        check(name, link)
    return found


def _as_map(result, fit, coef_prior):
    """A regression result made MAP: the log-prior and log-posterior beside the data's
    log-likelihood, the priors said, no likelihood-ratio test, pseudo R2, AIC or BIC."""
    said = coef_prior.note(list(fit.names))
    profiled = any(c.interval.startswith("profile") for c in result.coefficients)
    zeros = [c.name for c in result.coefficients if c.se is not None and math.isnan(c.se)]  # on a kink
    if zeros:
        notes_zero = [f"{', '.join(zeros)} {'is' if len(zeros) == 1 else 'are'} exactly at the laplace prior's centre "
                      f"(lasso's zeros): the posterior mode sits on the kink, so no standard error"]
    else:
        notes_zero = []
    how = (f"intervals: where the {'penalised likelihood' if coef_prior.firth else 'log-posterior'}, maximised "
           f"over the other coefficients, falls chi2_1(level)/2 below its maximum; standard errors and p-values "
           f"as without --interval profile" if profiled else coef_prior.interval_note)
    notes = list(result.notes) + notes_zero + [said, how, "AIC, BIC, the likelihood-ratio test and pseudo R2 are not "
                                  "reported: they are for maximum-likelihood fits, and this is a MAP fit; compare MAP "
                                  "fits by held-out bits per sample: --folds K (docs/priors.md)"]
    coefs = tuple(_laplace(c, coef_prior.firth) if c.interval.startswith("profile") else
                  replace(c, interval="wald" if coef_prior.firth else "laplace") for c in result.coefficients)
    others = tuple(_laplace(p, coef_prior.firth) if p.interval.startswith("profile") or coef_prior.firth else
                   replace(p, interval=p.interval.replace("wald", "laplace")) for p in result.parameters)
    return replace(result, coefficients=coefs, parameters=others, aic=math.nan, bic=math.nan, lr_statistic=None,
                   lr_df=None, lr_p_value=None, pseudo_r2=None, notes=tuple(notes),
                   method="MAP: " + result.method + ("; Jeffreys' prior's exact gradient, with the augmented "
                                                     "information as the curvature (Fisher scoring, as logistf)"
                                                     if coef_prior.firth else "; proximal Newton for the laplace priors' "
                                                     "kinks (coordinate descent on each quadratic model, as glmnet)"
                                                     if getattr(coef_prior, "kinks", ()) else ""),
                   prior=coef_prior.given, penalty=coef_prior.penalty, log_prior=fit.log_prior,
                   log_posterior=fit.loglik + fit.log_prior)


def _laplace(c, firth):
    """A MAP coefficient whose Wald interval beside the profile one (--interval all) is the
    Laplace approximation's (Firth's stays Wald: its curvature is the information's)."""
    if firth or not c.intervals:
        return c
    return replace(c, intervals=tuple(replace(i, kind="laplace", method=i.method.replace("wald", "laplace"))
                                      if i.kind == "wald" else i for i in c.intervals))


def _covariance(fit, d, robust, cluster, notes):
    """(the covariance reported, how the intervals are made): the inverse observed
    information, or the sandwich with --robust or --cluster (a note says which)."""
    if not robust and cluster is None:
        return fit.covariance, "wald"
    from .linear_model import sandwich
    sandwich = getattr(fit.objective, "sandwich", sandwich)  # level indices: in blocks (mlefit.regression.indexed_fit)
    if cluster is None:
        notes.append("sandwich (HC0) standard errors: valid even where the family is wrong")
        return sandwich(fit, d.rows), "wald, sandwich"
    count = len(np.unique(d.clusters))
    if count < 2:
        raise DataError(f"--cluster '{cluster}' puts every row in one cluster; cluster-robust errors need two or more")
    notes.append(f"standard errors robust to correlation within the {count} clusters of '{cluster}' "
                 f"(sandwich with the adjustment G/(G-1)); with few clusters they are themselves uncertain")
    return sandwich(fit, d.rows), f"wald, cluster-robust ({count} clusters of '{cluster}')"


def _censoring(name, opts):
    """The censoring options of a censored fit, or None: every AFT family's response is
    read as censored rows (with nothing censored when no option is given)."""
    from ..censored.request import NAMES, asked

    unknown = sorted(set(opts or {}) - set(NAMES))
    if unknown:
        raise UsageError(f"censoring: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                         f"(the keys are {', '.join(NAMES)})")
    opts = None if opts is None else {k: opts.get(k) for k in NAMES}
    if opts is not None and asked(opts):
        if name not in CENSORABLE:
            raise UsageError(f"censored responses go with the families {', '.join(CENSORABLE)} (normal: Tobit); "
                             f"not {name}")
        return opts
    return {k: None for k in NAMES} if name in AFT else None


def _family(dist, loss):
    """(canonical family, loss label, note on the loss, its fixed shape or None: tau, delta)."""
    if (dist is None) == (loss is None):
        raise UsageError("give a family (--dist, e.g. bernoulli) or a loss (--loss, e.g. bce), not both"
                         if dist is not None else "give a family (--dist, e.g. poisson) or a loss (--loss, e.g. mse)")
    note = label = None
    if loss is not None:
        from .. import losses
        spec, value = losses.resolve(loss)
        dist = losses.family_name(spec, value)
        label = spec.label(value)
        note = f"loss {label} = {spec.formula} is the NLL of the {dist} family with {spec.dropped} dropped"
    name = families.resolve(dist)
    if name is None:
        families.get(dist)  # the error naming the nearest family
    if name not in REGRESSED:
        raise UsageError(f"regress fits the families {', '.join(REGRESSED)}; '{dist}' is not one of them yet")
    shape = families.shape_value(dist) if name in ("asymmetric_laplace", "huber") else None
    return name, label, note, shape


def _refuse_for_linear_program(robust, cluster, interval, information, prior, penalty, fix):
    """The options median and quantile regression do not take, refused by name."""
    given = [o for o, on in (("--robust", robust), ("--cluster", cluster is not None),
                             ("--interval profile", interval == "profile"), ("--interval all", interval == "all"),
                             ("--information expected", information == "expected"),
                             ("--prior", bool(prior)), ("--penalty", bool(penalty)), ("--fix", bool(fix))) if on]
    if given:
        raise UsageError(f"{' and '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to median and "
                         f"quantile regression: its coefficients are a linear program's solution, with Powell's "
                         f"kernel sandwich as their standard errors (robust already); drop "
                         f"{'it' if len(given) == 1 else 'them'}")


def _fixed_shape_result(result, name, shape, fit):
    """The result of a laplace, asymmetric_laplace:TAU or huber:DELTA regression: the family
    named with its shape; for the linear programs, how they were solved, their notes, and no
    likelihood-ratio test (the asymmetric Laplace likelihood is a working likelihood for a
    quantile: twice its log-ratio is chi-squared only where the errors are asymmetric Laplace)."""
    from ..losses import shortest
    family = name if shape is None else f"{name}:{shortest(shape)}"
    if name == "huber":
        return replace(result, family=family, notes=result.notes + (
            f"huber:{shortest(shape)} has unit scale (as fit --dist huber:DELTA): delta and the fit are in the "
            f"units of the response; divide y by a robust scale first for a scale-free delta",))
    tau = quantile_regress.tau_of(name, (shape,))
    what = "median" if tau == 0.5 else f"{shortest(tau)}-quantile"
    scale = "b, the mean absolute residual" if name == "laplace" else "sigma, the mean check loss"
    method = (f"linear program: min sum w rho_{shortest(tau)}(y - x'b) (the {what} regression) by "
              f"scipy.optimize.linprog (HiGHS, on its dual); {scale} (its MLE given b)")
    notes = list(result.notes) + ([fit.message] if fit.message else []) + [
        "standard errors: Powell's kernel sandwich H^-1 J H^-1 (Gaussian kernel, Hall-Sheather bandwidth, as R's "
        "quantreg summary.rq(se = 'ker')); the likelihood has kinks, so no Hessian is inverted",
        "no likelihood-ratio test: the asymmetric Laplace likelihood is a working likelihood for the quantile"]
    return replace(result, family=family, method=method, message="", lr_statistic=None, lr_df=None,
                   lr_p_value=None, pseudo_r2=None, notes=tuple(notes), information="none")


def _fixed(dens, target, fix):
    """{parameter index: value} from {name: value}, checked: a parameter of the family
    other than the one the covariates move, with a value in its domain."""
    out = {}
    movable = [n for i, n in enumerate(dens.params) if i != target]
    for key, text in (fix or {}).items():
        if key not in movable:
            what = f"its other parameters are {', '.join(movable)}" if movable else "it has no other parameter"
            raise UsageError(f"--fix {key}: the {dens.name} regression cannot fix '{key}' ({what}; the "
                             f"coefficients are estimated)")
        try:
            value = float(text)
        except (TypeError, ValueError):
            raise UsageError(f"--fix {key}={text}: the value must be a number") from None
        index = dens.params.index(key)
        if not math.isfinite(value) or (dens.domains[index] == "positive" and value <= 0):
            raise UsageError(f"--fix {key}={text}: {key} must be a finite number"
                             f"{' > 0' if dens.domains[index] == 'positive' else ''}")
        out[index] = value
    return out


def _result(name, link, dens, fit, d, confidence, notes, loss_label, weights, offset, cov, how, fixed=None,
            ends=None, beside=False, summed=None):
    """The RegressionResult of a fit (dens: the family's per-row record; None for the
    categorical family's softmax). ends: {coordinate: (lower, upper)} of profile
    intervals on the fit's own scale (None: Wald intervals); beside: keep the Wald interval
    beside the profile one (--interval all). summed: (n, deviance) of rows read in chunks
    (regress_stream), where d holds no rows."""
    z = z_value(confidence)
    p = len(fit.names)
    coefs = []
    for j, (cname, b) in enumerate(zip(fit.names, fit.beta)):
        se = math.sqrt(cov[j, j]) if cov is not None else None
        lo, hi = wald = (b - z * se, b + z * se) if se is not None else (None, None)
        if ends is not None:
            lo, hi = ends[j]
        zval = b / se if se else None
        pval = math.erfc(abs(zval) / math.sqrt(2.0)) if zval is not None else None
        expo = {}
        if (link in LOG_LINKS or name in AFT) and se is not None:
            expo = dict(exp_estimate=_exp(b), exp_ci_lower=None if lo is None else _exp(lo),
                        exp_ci_upper=None if hi is None else _exp(hi))
        coefs.append(Coefficient(cname, float(b), se, zval, pval, lo, hi, how, **expo,
                                 **(_beside(wald, (lo, hi), "wald", how) if beside and se is not None else {})))
    params = []
    for j, ((pname, value), dom) in enumerate(zip(fit.others, fit.other_domains)):
        se_free = math.sqrt(cov[p + j, p + j]) if cov is not None else None
        free = float(_to_free(value, dom))
        if se_free is None:
            params.append(Coefficient(pname, value, None, None, None, None, None, "none"))
            continue
        wald = tuple(_from_free(v, dom) for v in (free - z * se_free, free + z * se_free))
        lo, hi = ends[p + j] if ends is not None else (free - z * se_free, free + z * se_free)
        lo, hi = (None if lo is None else _from_free(lo, dom)), (None if hi is None else _from_free(hi, dom))
        se = se_free * (value if dom == "positive" else value * (1 - value) if dom == "unit" else 1.0)
        scale = "" if dom == "real" else f", {'log' if dom == 'positive' else 'logit'} scale"
        params.append(Coefficient(pname, value, se, None, None, lo, hi, how + ("" if ends is not None else scale),
                                  **(_beside(wald, (lo, hi), "wald" + scale, how) if beside else {})))
    for index, value in (fixed or {}).items():
        params.append(Coefficient(dens.params[index], value, None, None, None, None, None, "fixed"))
    n = float(d.y.size if d.w is None else np.sum(d.w)) if summed is None else summed[0]
    k = p + len(fit.others)
    discrete = dens is None or dens.discrete
    ll = fit.loglik
    lr = df = lr_p = r2 = None
    intercepts = sum(1 for c in fit.names if c == "Intercept" or c.endswith(":Intercept"))  # K - 1 for softmax
    if fit.loglik_null is not None and p > intercepts:
        from scipy.special import chdtrc
        lr, df = max(0.0, 2.0 * (ll - fit.loglik_null)), p - intercepts
        lr_p = float(chdtrc(df, lr))
        r2 = 1.0 - ll / fit.loglik_null if discrete and fit.loglik_null < 0 else None
    if intercepts and p > intercepts and fit.loglik_null is None:
        notes.append("the intercept-only model did not converge: no likelihood-ratio test or pseudo R2")
    deviance = None if d.censored is not None else summed[1] if summed is not None else \
        _deviance(name, dens, fit, d.rows, link, d.shape)
    method = (f"Newton on the per-row {name} log-likelihood with analytic derivatives "
              f"({link} link)")
    if d.censored is not None:
        method = (f"Newton on the per-row censored {name} log-likelihood (log f, log F, log S and "
                  f"interval terms) with analytic derivatives ({link} link)")
    return RegressionResult(
        family=name, link=link, response=d.censored.name if d.censored is not None else d.table.names[0], coefficients=tuple(coefs), parameters=tuple(params),
        confidence=float(confidence), n=n, rows_read=d.table.rows_read, dropped=d.table.dropped,
        loglik=ll, loglik_null=fit.loglik_null, lr_statistic=lr, lr_df=df, lr_p_value=lr_p,
        deviance=deviance, aic=2.0 * k - 2.0 * ll, bic=k * math.log(n) - 2.0 * ll,
        bits_per_sample=-ll / (n * math.log(2.0)), bits_differential=not discrete, pseudo_r2=r2,
        n_parameters=k, converged=fit.converged, iterations=fit.iterations, method=method,
        source=d.table.source, loss=loss_label, weights=weights, offset=offset, message=fit.message,
        notes=tuple(notes))


def _beside(wald, profile, wald_how, how):
    """The Wald and profile intervals side by side (--interval all), and whether their ends
    differ by more than 10% of the profile interval's width (fit's rule)."""
    from ..inference.intervals import _disagree
    from ..report.result import Interval
    found = (Interval("wald", *wald, wald_how), Interval("profile", *profile, how))
    return {"intervals": found, "disagree": _disagree(found)}


def _exp(v):
    return math.exp(v) if v < 709.0 else math.inf


def _to_free(value, dom):
    return float(SCALES[dom][3](value))


def _from_free(v, dom):
    with np.errstate(over="ignore"):
        return float(SCALES[dom][0](v))


def _deviance(name, dens, fit, rows, link, shape=()):
    """2 (saturated log-likelihood - log-likelihood) for the count and binary families
    (the saturated model puts each row's mean at its response, other parameters as
    fitted); the residual sum of squares for normal, as R's glm reports it; over the
    Record `rows` (read by linear_model.parts; shape: a fixed shape, huber's delta)."""
    if support(name) == "labels":  # the saturated model gives each row its label: log-likelihood 0
        return -2.0 * fit.loglik
    if support(name) == "binary":  # the saturated model puts each p at its 0/1 response: log-likelihood 0
        return -2.0 * fit.loglik
    y, X, w, shapes, offset = parts(rows, shape)
    obj = fit.objective
    if name == "poisson" and getattr(obj, "canonical", None) is not None and obj.y is y:
        return float(2.0 * (saturated_loglik(dens, y, w) - fit.loglik))
    eta = X @ fit.beta + (0.0 if offset is None else offset)
    mean = links.inverse(link)(eta)[0]
    ww = 1.0 if w is None else w
    if name == "normal":
        return float(np.sum(ww * (y - mean) ** 2))
    if name == "gamma":  # R's glm: 2 sum ((y - mu)/mu - log(y/mu)), without the shape
        return float(2.0 * np.sum(ww * ((y - mean) / mean - np.log(y / mean))))
    if name not in ("bernoulli", "binomial", "poisson", "negative_binomial"):
        return None
    theta = dict(fit.others)  # the estimated other parameters, and those held by --fix
    theta.update({dens.params[i]: v for i, v in (getattr(obj, "fixed", None) or {}).items()})
    sat = y / shapes[0] if name == "binomial" else y
    args = {"bernoulli": (sat,), "binomial": (sat,), "poisson": (sat,),
            "negative_binomial": (theta.get("size"), sat)}[name]
    with np.errstate(all="ignore"):
        terms = dens.logpdf(y, *args, *shapes)
    if name in ("poisson", "negative_binomial"):  # a count of 0 with mean 0 has probability 1
        terms = np.where(y == 0, 0.0, terms)
    return float(2.0 * (np.sum(ww * terms) - fit.loglik))
