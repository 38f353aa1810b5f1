"""mlefit.regress on a design with a many-level factor held as level indices
(mlefit.regression.indexed_design): the fit (mlefit.regression.indexed_fit), its refusals, and the same
RegressionResult a dense design gives (every level's coefficient with its SE; the table
shows the factor on one line, mlefit.report.regress)."""
from dataclasses import replace

import numpy as np

from . import indexed_fit, links
from ..errors import UsageError
from .linear_model import LinearFit, _start, fit_linear
from ..families.catalog import support
from ..families.rowwise import from_free, to_free


def fit(dens, rows, *, target, link, shape=(), fixed=None, max_iter=100, prior=None, family=None):
    """The LinearFit of the rows over an IndexedDesign; its covariance is a SchurCovariance.
    rows: the regression's Record (the response, its weights, trials and offset, the
    IndexedDesign as its covariates); shape: the density's fixed trailing argument
    (huber's delta). prior: regression_prior.CoefPriors (MAP;
    their smooth priors only); family: the family's name, for the levels' checks
    (mlefit.regression.indexed_checks.check_levels: a level with a prior on its coefficient
    may have only zero counts, its MAP is finite)."""
    design = rows.covariates
    from .indexed_checks import check_levels
    if prior is not None and (prior.firth or getattr(prior, "kinks", ())):
        raise UsageError(f"{'--prior jeffreys' if prior.firth else 'laplace priors (lasso, --penalty l1 or elasticnet)'}"
                         f" do not go with {design.term}'s {len(design.levels)} levels held as indices; use normal "
                         f"priors (ridge: --penalty l2:LAMBDA)")
    covered = set() if prior is None else {j - design.dense.shape[1] for j in prior.covered}
    check_levels(family or dens.name, rows, covered)
    objective = indexed_fit.IndexedObjective(dens, rows, target, link, shape=shape, fixed=fixed)
    where = design.dense_names.index("Intercept") if "Intercept" in design.dense_names else None
    null = None
    if where is not None:
        null = fit_linear(dens, rows.but(covariates=np.ones((rows.n, 1))), ("Intercept",), target=target, link=link,
                          shape=shape, intercept=0, fixed=fixed, max_iter=max_iter)
    k = len(objective.others)
    if null is not None and null.converged:
        vec0 = np.zeros(objective.p + k)
        vec0[where] = null.beta[0]
        vec0[objective.p:] = to_free([v for _, v in null.others], objective.domains)
    else:
        vec0 = _start(dens, objective.data, objective, None, link, shape=shape)
        if objective.offset is None and where is None:  # every level's coefficient starts at the unconditional mean
            theta = dens.start(objective.y, objective.w, *objective.shapes)
            vec0[objective.pd:objective.p] = links.link_of(link, theta[target])
    search = objective if prior is None else indexed_fit.IndexedPenalised(objective, prior)
    found = indexed_fit.newton(search, vec0, max_iter)
    cov = indexed_fit.covariance(found.blocks, objective.pd)
    p = objective.p
    others = tuple(zip((dens.params[i] for i in objective.others), from_free(found.vec[p:], objective.domains)))
    loglik = found.value if prior is None else objective.value(found.vec)
    return LinearFit(design.names, found.vec[:p].copy(), others, loglik,
                     null.loglik if null is not None and null.converged else None, cov, objective.domains,
                     found.iterations, found.converged, found.message, objective, found.vec,
                     None if prior is None else found.value - loglik)


def refuse(name, d, interval, folds):
    """The options a fit over level indices does not take, refused with the reason."""
    term = d.X.term
    if support(name) == "labels" or d.censored is not None or name in ("laplace", "asymmetric_laplace"):
        raise UsageError(f"{term} has {len(d.X.levels)} levels, held as level indices, which the {name} "
                         f"regression{' of a censored response' if d.censored is not None else ''} does not "
                         f"take yet; use fewer levels")
    held = f"{term}'s {len(d.X.levels)} levels held as indices"
    if interval != "wald":
        raise UsageError(f"--interval {interval} does not go with {held} (a profile of each level's coefficient, or "
                         f"a refit per resample, is thousands of refits); drop it for Wald intervals")
    if folds is not None:  # (compare-losses with covariates always scores held-out folds)
        from .indexed_design import INDEX_FROM
        raise UsageError(f"held-out bits (--folds, and compare-losses with covariates) do not go with {held} "
                         f"(held-out rows would meet levels their training rows never saw): drop --folds, or "
                         f"give the factor at most {INDEX_FROM} levels")


def expected_covariance(fit):
    """As linear_model.expected_covariance over level indices: the coefficients' blocks from
    the expected information, the other parameters' from the observed, no cross terms
    between them; None where the family has no expected information."""
    obj, observed = fit.objective, fit.covariance
    if observed is None or obj.dens.expected is None:
        return None
    blocks = obj.blocks(fit.vec, expected=True)
    if blocks is None:
        return None
    cov = indexed_fit.covariance(blocks, obj.pd)
    if cov is None:
        return None
    a, cross, pd = cov.a.copy(), cov.cross.copy(), obj.pd
    a[pd:, :] = a[:, pd:] = 0.0
    a[pd:, pd:] = observed.a[pd:, pd:]
    cross[pd:] = 0.0
    return indexed_fit.SchurCovariance(a, cross, cov.levels, pd, expected=True)


def labelled(result, design):
    """The result of a fit over level indices: the factor listed (indexed_factors), the method saying how."""
    return replace(result, factors=(design.summary(),),
                   method=f"{result.method}; {design.term}'s {len(design.levels):,} levels held as indices, each "
                          f"Newton step solved through the Schur complement of their diagonal block")
