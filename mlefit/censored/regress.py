"""Regression with censored and truncated responses: accelerated failure time (AFT)
models and Tobit.

An AFT model moves the time scale of a survival family with the covariates: log of the
scale = x'b (weibull and log_logistic: their scale by the log link; lognormal: its
meanlog, the log of its median, by the identity; exponential: its mean 1/rate by the
log_mean link), the shape shared by every row and estimated. Tobit is the normal with
mu = x'b and censoring limits. exp(b) is a time ratio: the factor by which a unit of the
covariate stretches every quantile of the time. Censored counts (poisson and
negative_binomial: '5 or more', '<2') keep their log link; their bounds are the points of
F-differences (mlefit.censored.rows.points).

The log-likelihood is the censored one of mlefit.censored.terms (log f of values seen,
log F / log S of censored rows, log(F(hi) - F(lo)) of intervals, minus each row's
truncation term), each row with its own parameters (Group.rows picks them), summed per
row and carried to the coefficients by linear_model.Objective's chain rule: the per-row
score and Hessian in the family's parameters are all it needs."""
import numpy as np

from . import terms as ct
from .fit import refuse_impossible, refuse_unseen, rows_array, start_theta, surrogate, terms_of
from ..regression.linear_model import Objective, fit_linear


class CensoredObjective(Objective):
    """sum_i w_i (row i's censored term, its truncation subtracted) as a function of
    (b, the family's other parameters on their free scale), over the Record `rows` (sorted
    by kind, their values the surrogate of each row: objective_maker)."""

    def __init__(self, dens, terms, rows, target, link, fixed=None, inverse=None, shift=0.0, constant=0.0):
        # shift, constant: log c and the terms' shift, where the times were divided by c (regression.aft_scale)
        super().__init__(dens, rows, target, link, fixed=fixed)
        if shift:
            self.offset = (0.0 if self.offset is None else self.offset) - np.full(self.y.size, shift)
        self.canonical, self.constant, self.shift = None, constant, shift  # the terms are not log f(y) alone
        self.terms = terms
        self.unsort = inverse  # the rows are in the order of their groups: where each row of the data went
        # a group's rows as a slice where they are consecutive (rows sorted by kind: no scatter)
        self.slots = tuple(slice(int(g.rows[0]), int(g.rows[-1]) + 1)
                           if g.rows.size and g.rows[-1] - g.rows[0] + 1 == g.rows.size else g.rows
                           for g in terms.groups)

    def row_values(self, theta):
        out = np.zeros(self.y.size)
        for g, slot in zip(self.terms.groups, self.slots):
            v = ct.values(self.dens, g, theta)
            out[slot] += v if g.w is None else g.w * v
        return out

    def row_scores(self, vec):
        scores = super().row_scores(vec)
        return scores if self.unsort is None else scores[self.unsort]

    def row_derivs(self, theta):
        n, k = self.y.size, self.dens.k
        ll = np.zeros(n)
        score = [np.zeros(n) for _ in range(k)]
        hess = [[np.zeros(n) for _ in range(k)] for _ in range(k)]
        for g, slot in zip(self.terms.groups, self.slots):
            v, s, h, _ = ct.derivs(self.dens, g, theta, (), self.terms.spread)
            sign = 1.0 if g.w is None else g.w  # -1: a truncation term
            ll[slot] += sign * v
            for i in range(k):
                score[i][slot] += sign * s[i]
                for j in range(i + 1):
                    hess[i][j][slot] += sign * h[i][j]
        for i in range(k):
            for j in range(i):
                hess[j][i] = hess[i][j]
        return ll, tuple(score), tuple(tuple(r) for r in hess)


def fit(dens, family, rows, names, *, target, link, intercept=None, fixed=None, max_iter=100, prior=None):
    """The LinearFit of censored rows `rows` (a Record with bounds, mlefit.censored.rows, its
    design as covariates, its weights and offset); prior: coefficient priors
    (linear_model.fit_linear's), making it MAP."""
    make, sorted_rows, theta0 = objective_maker(dens, family, rows, target=target, link=link, fixed=fixed)
    return fit_linear(dens, sorted_rows, names, target=target, link=link, intercept=intercept, fixed=fixed,
                      max_iter=max_iter, make=make, start=theta0, prior=prior)


def objective_maker(dens, family, rows, *, target, link, fixed=None):
    """(make, the rows sorted, theta0) of censored rows `rows` (a Record with bounds, its
    design as covariates, its weights and offset), checked: make(part) is the
    CensoredObjective over `part`, the sorted rows or the same with another design; the
    rows are sorted by kind (each kind's rows consecutive), their values the surrogate of
    each row; theta0 the family's start."""
    from ..regression import aft_scale
    discrete = family.spec.discrete
    w = rows.weights
    x = rows_array(rows, discrete)
    x, shift, constant = aft_scale.divided(x, w, aft_scale.power(x, family.name))  # times beyond 1e+-100
    terms = terms_of(x, None, discrete, shared=False)
    refuse_unseen(terms, family.name)
    theta0 = start_theta(dens, (), x, w, family.spec.support, discrete)
    with np.errstate(all="ignore"):
        values = ct.per_row(dens, terms, theta0, (), rows.n)
    refuse_impossible(values, rows, family.name, family.spec.support_text)
    # the rows sorted by kind, so that each group's rows are consecutive (a slice, not a scatter)
    order = np.concatenate([g.rows for g in terms.groups if g.w is None])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    x = x[order]
    terms = terms_of(x, None, discrete, shared=False)
    ordered = rows.but(clusters=None).take(order).but(values=surrogate(x, discrete))

    def make(part):
        return CensoredObjective(dens, terms, part, target, link, fixed=fixed, inverse=inverse, shift=shift,
                                 constant=constant)

    return make, ordered, theta0


def columns(response, opts):
    """(the response column, {option: its column} of the censoring options naming columns,
    the columns whose blanks keep their row, the columns kept as text) for regress."""
    from .request import check
    from ..errors import UsageError

    if opts["lower_col"] is not None and response is not None:
        raise UsageError("with --lower and --upper the bounds are the response: drop -y/--response")
    check(opts, None)
    roles = {"--event": opts["event"], "--event-left": opts["event_left"], "--entry": opts["entry"]}
    optional, text = (), ()
    if opts["lower_col"] is not None:
        response = opts["lower_col"]
        roles["--upper"] = opts["upper_col"]
        optional = (opts["lower_col"], opts["upper_col"])
    if opts["entry"] is not None:
        optional += (opts["entry"],)
    if opts["censored_cells"]:
        if response is None:
            raise UsageError("--censored-cells reads the response's cells: name it with -y/--response")
        text = (response,)
    return response, {k: v for k, v in roles.items() if v is not None}, optional, text


def read(table, cols, response, opts, decimal):
    """(the censored rows, a Record with bounds; the table without rows that say nothing) from the columns read:
    the response with an event indicator, detection limits or censored cells, or lower and
    upper bounds (a row with neither is left out and counted), and the truncation."""
    from . import rows as censoring

    y = table.columns[table.names[0]]
    where, name = table.where, table.names[0]
    if opts["lower_col"] is not None:
        lo, hi = y, table.columns[cols[opts["upper_col"]]]
        none = np.isnan(lo) & np.isnan(hi)
        if none.any():
            table = table.without((none, "no bound given"))
            lo, hi, where = lo[~none], hi[~none], table.where
        cens = censoring.from_bounds(lo, hi, where=where, name=f"{opts['lower_col']}..{opts['upper_col']}")
    elif opts["censored_cells"]:
        cens = censoring.from_cells(list(y), decimal=decimal, where=where, name=name)
    elif opts["event"] or opts["event_left"]:
        indicator = opts["event"] or opts["event_left"]
        cens = censoring.from_event(y, table.columns[cols[indicator]], left=bool(opts["event_left"]), where=where,
                                    name=name, event_name="--event-left" if opts["event_left"] else "--event")
    elif opts["lower_limit"] is not None or opts["upper_limit"] is not None:
        cens = censoring.from_limits(y, lower_limit=opts["lower_limit"], upper_limit=opts["upper_limit"],
                                     where=where, name=name)
    else:
        cens = censoring.exact(y, where=where, name=name)
    entry = table.columns[cols[opts["entry"]]] if opts["entry"] else None
    if entry is not None or opts["truncate_lower"] is not None or opts["truncate_upper"] is not None:
        cens = censoring.truncated(cens, opts["truncate_lower"], opts["truncate_upper"], entry)
    return cens, table.with_column(table.names[0], surrogate(rows_array(cens, False), False))


