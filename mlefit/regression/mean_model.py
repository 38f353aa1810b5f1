"""Nonlinear regression by maximum likelihood (`mlefit regress --mean EXPR --params ...`):
a family whose mean parameter is any expression in covariates and named parameters,
the family's other parameters estimated too. The likelihood version of
scipy.optimize.curve_fit, for any family regress takes.

Rows are held as one array: the response, each covariate the expression uses, and (for
binomial) the trials. The per-row Density composes the family's own derivatives in its
mean parameter m with the expression's exact symbolic derivatives (mlefit.inference.symbolic):

    d l / d b_j        = s_m dm_j
    d2 l / d b_j d b_k = h_mm dm_j dm_k + s_m d2m_jk
    d2 l / d b_j d phi = h_m,phi dm_j          (phi: the family's other parameters)

and the fit is an ordinary Family (mlefit.own.model.family): Wald and profile intervals,
--derive with expressions, --fix, weights, JSON, like any fit."""
import re
from dataclasses import replace

import numpy as np

from ..own import spec as own_spec
from ..inference import symbolic
from ..errors import DataError, UsageError, plain
from ..inference.expression import MODEL_FUNCTIONS, parse
from ..families.catalog import BY_NAME, Param
from ..families.rowwise import Density
from ..own.model import OwnSpec, family

_IDENT = re.compile(r"(?<![\w.\]])[A-Za-z_][A-Za-z_0-9]*")


def covariate_names(text, params):
    """The names in the expression that are neither parameters, functions nor pi: the
    covariates, in order of first use."""
    out = []
    for word in _IDENT.findall(str(text)):
        if word not in params and word not in MODEL_FUNCTIONS and word != "pi" and word not in out:
            out.append(word)
    return out


def model(dist, mean, params, response="y", trials=False):
    """(the Family of the mean model, the covariate names, in the order of the rows'
    columns after the response). trials: the rows end with a trials column (binomial)."""
    from .linear_model import REGRESSED

    base = str(dist or "").strip().lower()
    regressed = {k: v for k, v in REGRESSED.items() if v.target is not None and v.mean_model}
    if base not in regressed:
        raise UsageError(f"--mean takes --dist {', '.join(sorted(regressed))} (got '{plain(dist or '', 30)}')")
    if (base == "binomial") != bool(trials):
        raise UsageError("--dist binomial needs --trials (a number or a column), and only binomial takes it")
    reg = regressed[base]
    dens = reg.density(base)
    plist = own_spec.parameters(params)
    names = tuple(p.name for p in plist)
    covs = covariate_names(mean, names)
    others = [i for i in range(dens.k) if i != reg.target]
    clash = [dens.params[i] for i in others if dens.params[i] in names]
    if clash:
        raise UsageError(f"--params: '{clash[0]}' is a parameter of {base} itself; choose another name")
    expr = parse(mean, names, MODEL_FUNCTIONS, data=tuple(covs))
    unused = [n for n in names if n not in expr.names]
    if unused:
        raise UsageError(f"the parameter {unused[0]} of --params does not appear in --mean '{plain(mean, 60)}'")
    rows = _density(base, dens, reg.target, others, expr.tree, plist, covs, trials)
    spec = OwnSpec(base, tuple(Param(p.name, p.domain, "a parameter of the mean") for p in plist) +
                   tuple(BY_NAME[base].params[i] for i in others),
                   BY_NAME[base].support, BY_NAME[base].discrete, False, str(mean), "", "",
                   not_selected="a user's own model",
                   own_support=own_spec.Support(0, False, 0, False, False, BY_NAME[base].support_text),
                   expression=str(mean), starts=tuple(p.start for p in plist))
    what = dens.params[reg.target]
    note = (f"mean model: {base}'s {what} = {plain(mean, 200)}" +
            (f", covariates {', '.join(covs)}" if covs else ""))
    how = f"Newton on the unconstrained scale with exact derivatives of the {what} expression"
    return family(spec, rows, note, how), covs


def _density(base, dens, target, others, tree, plist, covs, trials):
    names = tuple(p.name for p in plist)
    k = len(names)
    grad = [symbolic.derivative(tree, a) for a in names]
    hess = [[symbolic.derivative(grad[i], names[j]) for j in range(i + 1)] for i in range(k)]
    flat = [tree] + grad + [h for row in hess for h in row]

    def split(x, theta):
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        env = {c: x[:, 1 + j] for j, c in enumerate(covs)}
        env.update(zip(names, theta[:k]))
        return x[:, 0], env, ((x[:, -1],) if trials else ())

    def full(m, theta):
        out = [None] * dens.k
        out[target] = m
        for i, v in zip(others, theta[k:]):
            out[i] = v
        return out

    def logpdf(x, *theta):
        y, env, shapes = split(x, theta)
        m = symbolic.evaluate([tree], env)[0] + np.zeros(y.shape)
        return dens.logpdf(y, *full(m, theta), *shapes)

    def derivs(x, *theta):
        y, env, shapes = split(x, theta)
        zero = np.zeros(y.shape)
        values = [v + zero for v in symbolic.evaluate(flat, env)]
        m, dm, rest = values[0], values[1:1 + k], iter(values[1 + k:])
        low = [[next(rest) for _ in range(i + 1)] for i in range(k)]
        ll, s, h = dens.derivs(y, *full(m, theta), *shapes)
        t = target
        score = [s[t] * dm[j] for j in range(k)] + [s[i] for i in others]
        size = k + len(others)
        hm = [[None] * size for _ in range(size)]
        for j in range(k):
            for l in range(j + 1):
                hm[j][l] = hm[l][j] = h[t][t] * dm[j] * dm[l] + s[t] * low[j][l]
            for a, i in enumerate(others):
                hm[j][k + a] = hm[k + a][j] = h[t][i] * dm[j]
        for a, i in enumerate(others):
            for b, i2 in enumerate(others):
                hm[k + a][k + b] = h[i][i2]
        return ll, score, hm

    def start(x, w=None):
        y, _, shapes = split(x, ())
        theta = dens.start(y, w, *shapes)
        return tuple(p.start for p in plist) + tuple(theta[i] for i in others)

    def no_sampler(*_):
        raise UsageError("a mean model has no sampler: use --resample nonparametric for bootstrap intervals")

    def no_tails(*_):
        raise UsageError("a mean model has no distribution function in mlefit")

    return Density(base, names + tuple(dens.params[i] for i in others),
                   tuple(p.domain for p in plist) + tuple(dens.domains[i] for i in others),
                   logpdf, no_tails, no_tails, start, no_sampler, lambda *t: None, derivs=derivs,
                   discrete=dens.discrete)


def fit(rows, fam, *, prior=None, **settings):
    """Fit the mean model `fam` to rows (response, covariates[, trials]): a FitResult;
    prior: priors on its parameters (mlefit.fit's forms), making it MAP. rows: a Record of
    that matrix (its name, weights and report of the reading), or the matrix (named y)."""
    from ..data import Record, own_sides
    from ..estimate import from_stats
    from ..support import outside

    if not isinstance(rows, Record):
        rows = np.asarray(rows, dtype=np.float64)
        rows = Record("y", rows, None, rows.shape[0], ())
    rows, weights, _ = own_sides(rows)
    x = np.asarray(rows.values, dtype=np.float64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    col = rows.but(values=x, notes=())  # the report of the reading (its notes are the command's)
    place = col.where
    bad = np.flatnonzero(outside(fam.spec.support, x[:, 0]))
    if bad.size:
        shown = ", ".join(f"{place(i)}: {x[i, 0]:.10g}" for i in bad[:3])
        raise DataError(f"{col.label} has {bad.size} value{'s' if bad.size > 1 else ''} outside the support of "
                        f"{fam.name} ({fam.spec.support_text}): {shown}")
    dens = fam.rowwise[0]
    with np.errstate(all="ignore"):
        start = dens.start(x, w)
        terms = dens.logpdf(x, *start)
    bad = np.flatnonzero(~np.isfinite(terms))
    if bad.size:
        shown = ", ".join(place(i) for i in bad[:3])
        raise DataError(f"under the start values the {fam.name} log-likelihood is not finite at {bad.size} "
                        f"row{'s' if bad.size > 1 else ''} ({shown}): the mean leaves the family's domain there; "
                        f"choose other start values in --params")
    if settings.get("interval") in ("bootstrap", "all") and settings.get("resample", "parametric") == "parametric":
        raise UsageError("a mean model has no sampler for a parametric bootstrap: use --resample nonparametric")
    if prior is not None:
        from ..priors import map_fit
        map_fit.check_options(settings.get("interval", "wald"), settings.get("robust"), settings.get("derive"),
                              settings.get("bootstrap"), None, settings.get("information", "observed"))
        interval, derive = settings.pop("interval", "wald"), settings.pop("derive", ())
        boot = {k: settings.pop(k) for k in ("bootstrap", "resample", "seed", "on_step") if k in settings}
    stats = fam.stats(x, w)
    result = from_stats(fam, stats, col, (float(np.min(x[:, 0])), float(np.max(x[:, 0]))), w=w, **settings)
    if prior is not None and interval in ("bootstrap", "all"):  # the MAP refitted to resamples of the rows
        from ..priors import bootstrap as map_bootstrap
        ml = result
        result = map_fit.fit_map(ml, prior, settings.get("max_iter", 200), "profile" if interval == "all" else "wald",
                                 derive)
        result = map_bootstrap.extend(result, ml, prior, interval, boot.get("bootstrap"),
                                      boot.get("resample", "nonparametric"), boot.get("seed", 0),
                                      settings.get("max_iter", 200), boot.get("on_step"))
    elif prior is not None:
        result = map_fit.fit_map(result, prior, settings.get("max_iter", 200), interval, derive)
    return replace(result, weights=None if w is None else col.weights_name or "given")
