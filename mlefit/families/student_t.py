"""student_t(mu, sigma, df): location mu, scale sigma, degrees of freedom df; scipy's
t(df, loc=mu, scale=sigma).

Method: Newton's method (locscale.maximise) in (mu, tau = log sigma, eta = 1/df) with
the analytic score and Hessian, from the best of a few starts (the normal fit; mean and
sd with df from the kurtosis; median and MAD with df from a quantile tail ratio, and
with df = 1), then from the next ones while none has reached a maximum above their
log-likelihood (so the fit is never below the normal fit). eta = 1/df keeps the
normal limit df -> infinity at the finite point eta = 0, where the log-likelihood is
smooth: with q = eta z^2,

    log f = c(eta) - log(2 pi)/2 - log(sigma) - (1 + eta)/2 z^2 phi(q),
    phi(q) = log(1 + q)/q,  c = lgamma((df+1)/2) - lgamma(df/2) - log(df/2)/2,

and phi, c and their derivatives are evaluated by series where they would cancel, so
df up to 1e30 and beyond is exact. The iteration keeps eta >= 0.

The normal limit: when the data are no heavier-tailed than a normal the maximum is at
eta = 0 (df = infinity). The fit then returns mu and sigma of the normal fit, df
reported as DF_LIMIT = 1e30 (where the t density equals the normal one in double
precision, so the log-likelihood is the normal fit's, never below it) with a note and
a profile-likelihood lower bound for df as its interval.

With mu or sigma fixed (--fix, and the refits of profile intervals) fit_given runs the
same Newton on the free coordinates, so df leaves the limit whenever the slope in eta
is positive there; constrained.fit_fixed calls it.

A file is fitted chunk by chunk (chunked_stats): every sum is a pass over the chunks,
the starts come from their sample, and the normal fit's moments are exact.

Beware: with df free the t likelihood is unbounded as df -> 0 and sigma -> 0 at any
data value (Fernandez and Steel 1999); the fit is the usual local maximum. Data with
more than half the weight on one value, where no such maximum exists, are refused.
"""
import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from .. import special_series as ss
from ..errors import DataError
from . import locscale as ls
from .base import Family, Limit, Solution, scipy_special, scipy_stats
from .catalog import POSITIVE, REAL, Param, Regression, Spec
from .normal import NORMAL
from .rowwise import Density
from .t_series import ETA_SWITCH, FISHER_ETA, const, phi, sums
from . import t_start_quantiles as tsq
from .t_tails import row_tail


SPEC = Spec("student_t",
            (Param("mu", REAL, "location (centre)"), Param("sigma", POSITIVE, "scale (not the sd)"),
             Param("df", POSITIVE, "degrees of freedom; sd = sigma sqrt(df/(df-2)) for df > 2; "
                                   "1e30 marks the normal limit (df -> infinity)")),
            "real", False, False,
            "G((df+1)/2) / (G(df/2) sqrt(df pi) sigma) (1 + ((x-mu)/sigma)^2/df)^(-(df+1)/2)",
            "t(df, loc=mu, scale=sigma)", "dt((x-mu)/sigma, df)/sigma",
            aliases=("t", "student", "studentt", "students_t"),
            estimator="Newton in (mu, log sigma, 1/df); df -> infinity is the normal fit", listed=180, select_rank=40,
            nests=(("normal", "student_t as df -> infinity", 1, True, 80),
                   ("cauchy", "student_t with df = 1", 1, False, 90)),
            regression=Regression(70, 0, "identity", ("identity",)))


DF_LIMIT = 1e30


def _eta(df):
    return 1.0 / df


def _loglik(s, theta):
    """At df >= DF_LIMIT, the normal log-likelihood (equal to the t one within 1e-30
    relative), computed exactly as the normal family does: the fit at the normal limit
    has the normal fit's log-likelihood to the last bit."""
    mu, sigma, df = theta
    if df >= DF_LIMIT:
        return NORMAL.loglik(s.normal, (mu, sigma))
    return sums(s.data, s.n, mu, sigma, _eta(df), False)


def _logpdf(x, theta):
    mu, sigma, df = theta
    eta = _eta(df)
    z2 = ((np.asarray(x, dtype=np.float64) - mu) / sigma) ** 2
    return (const(eta, 0)[0] - nm.HALF_LOG_2PI - math.log(sigma)
            - 0.5 * (1.0 + eta) * z2 * phi(eta * z2, 0)[0])


def _observed(s, theta):
    mu, sigma, df = theta
    eta = _eta(df)
    _, g, h = sums(s.data, s.n, mu, sigma, eta, True)
    return -ls.natural_hessian(g, h, (1.0, 1.0 / sigma, -eta * eta), (0.0, -1.0 / sigma ** 2, 2.0 * eta ** 3))


def _fisher_eta(eta):
    """Per-observation expected information in eta = 1/df:
    df^4 [(trigamma(df/2) - trigamma((df+1)/2))/4 - (df+5)/(2 df (df+1) (df+3))]."""
    if eta <= ETA_SWITCH:
        return float(np.polynomial.polynomial.polyval(eta, FISHER_ETA))
    nu = 1.0 / eta  # trigamma(a) = 1/a - D'(a), D as in _const
    diff = ss.log_minus_digamma(0.5 * nu + 0.5)[1] - ss.log_minus_digamma(0.5 * nu)[1]
    return nu ** 4 * (0.25 * diff - 1.0 / (nu * (nu + 1.0) * (nu + 3.0)))


def _expected(s, theta):
    """n [[(df+1)/((df+3) sigma^2), 0, 0], [0, 2 df/((df+3) sigma^2), -2/((df+1)(df+3) sigma)],
    [0, ., I_df]] (Lange, Little and Taylor 1989), written in eta = 1/df. At the normal
    limit (a boundary estimate, not a Wald-regular one) the df row is decoupled, so mu
    and sigma keep the normal fit's standard errors, as with the observed information
    (where the score in df decouples it)."""
    _, sigma, df = theta
    eta = _eta(df)
    a, b = 1.0 + eta, 1.0 + 3.0 * eta
    cross = -2.0 * eta * eta / (a * b * sigma) if df < DF_LIMIT else 0.0
    return s.n * np.array([[a / (b * sigma ** 2), 0.0, 0.0], [0.0, 2.0 / (b * sigma ** 2), cross],
                           [0.0, cross, eta ** 4 * _fisher_eta(eta)]])


# ---------------------------------------------------------------- estimation
METHOD = "Newton in (mu, log sigma, 1/df)"


def _objective(s, y):
    def f(u, derivs):
        if not (abs(u[1]) < 300.0 and u[2] < 1e3):  # df < 1e-3: degenerate
            return -math.inf
        return sums(y, s.n, u[0], math.exp(u[1]), u[2], derivs)
    return f


def _starts(s, y):
    """Start points (mu, log sigma, eta) on the standardised data y: the normal fit; the
    mean and sd with df from the excess kurtosis 6/(df - 4) when it is positive; the
    median (0 on y) with df matching the ratio of the 90% to the 50% quantile of |y|
    (a tail weight, from 6.3 for the cauchy down to 2.44 for the normal) and sigma from
    the median absolute deviation; and the median and MAD with df = 1. All from y's
    sample: every value in memory, a subsample of at most 1e6 of them in chunks. The t
    quantiles come from a table (t_start_quantiles, scipy's to 1e-13): no scipy on the
    fit's path, and no quantile computed per fit."""
    y, w = y.sample()
    n = nm.total_weight(w, y.size)
    mean, m2 = nm.mean_and_m2(y, w)
    sd = math.sqrt(m2)
    out = [(mean, math.log(sd), 0.0)]
    d2 = (y - mean) / sd
    d2 *= d2
    kurtosis = nm.wsum(d2 * d2, w) / n - 3.0  # (d2 * d2: ** 4 calls pow, 6x slower)
    if kurtosis > 0:
        df = 4.0 + 6.0 / kurtosis
        out.append((mean, math.log(sd * math.sqrt((df - 2.0) / df)), 1.0 / df))
    a = np.abs(y)
    mad, top = nm.weighted_median(a, w), ls.quantiles(a, w, [0.9])[0]
    if mad > 0:
        def shortfall(v):  # increasing in v = log df; no derivative: bisection
            q95, q75 = tsq.log_quantiles(v)
            return top / mad - math.exp(q95 - q75), 0.0

        v = nm.solve_increasing(shortfall, tsq.LO, tsq.HI, 0.0, max_iter=60, tol=1e-3)[0]
        out.append((0.0, math.log(mad) - tsq.log_quantiles(v)[1], math.exp(-v)))
        out.append((0.0, math.log(mad), 1.0))  # the cauchy: df = 1
    return out


def _theta(s, u):
    eta = float(u[2])
    return (s.centre + s.spread * float(u[0]), s.spread * math.exp(u[1]),
            1.0 / eta if eta > 1.0 / DF_LIMIT else DF_LIMIT)


def _stats(x, w):
    s = ls.stats(x, w)
    s.normal = NORMAL.stats(x, w)
    return s


def _chunked_stats(chunks):
    """The stats of values held in chunks (mlefit.io.chunks): the location-scale ones
    (centre and spread from the sample) and the normal fit's moments, exact (from the sums
    the chunks kept as the file was read: LocalChunks(moments=True); else by passes)."""
    s = ls.chunked(chunks)
    mean, m2 = s.data.mean_and_m2()
    s.normal = SimpleNamespace(n=s.n, mean=mean, m2=m2, jacobian=0.0)  # NORMAL's stats
    return s


def _estimate(s, controls):
    """The fit from the best of the starts (_multistart); for values held in chunks, that
    fit on their sample, then one Newton run on all of them from there (_warm: a few
    passes over the chunks where the starts took a dozen)."""
    if s.data.in_memory:
        return _multistart(s, controls)
    sample = _estimate(_stats(s.data.sample()[0], None), controls)
    last = {}
    fit = _warm(s, sample.theta, controls, METHOD, last)
    if fit.method != METHOD:  # (the full estimator: that run did not converge)
        return fit
    if fit.theta[2] == DF_LIMIT:
        return replace(fit, method=METHOD + ": df -> infinity, the normal limit", start=sample.start)
    return replace(fit, start=sample.start, at=_handed_over(s, fit.theta, last))


def _handed_over(s, theta, last):
    """(log-likelihood, observed information) at theta from the Newton run's last
    evaluation, when that was at theta with its derivatives (the fit then makes no pass
    for them), else None. As in locscale.newton_fit: y = (x - centre)/spread has the same
    z, so the log-likelihood is y's less n log(spread), and d/dmu = d/du0 / spread; only
    where rounding theta moves z by no more than rounding (mu within 1e3 scales of 0)."""
    at = last.get("at")
    if not (isinstance(at, tuple) and np.array_equal(last["u"], last["final"])
            and abs(theta[0]) <= 1e3 * theta[1]):
        return None
    value, g, h = at
    back = np.array([1.0 / s.spread, 1.0, 1.0])
    sigma, eta = theta[1], 1.0 / theta[2]
    info = -ls.natural_hessian(g * back, h * np.outer(back, back), (1.0, 1.0 / sigma, -eta * eta),
                               (0.0, -1.0 / sigma ** 2, 2.0 * eta ** 3))
    return value - s.n * math.log(s.spread), info


def _multistart(s, controls):
    y = ls.standardised(s)
    f = _objective(s, y)
    starts = sorted(((f(u, False), i, u) for i, u in enumerate(map(np.array, _starts(s, y)))),
                    key=lambda start: start[:2], reverse=True)
    runs = []
    for value, _, start in starts:
        # the best start first; the others only while no run has converged to a maximum
        # above them (small samples: a start can lie on the slope of the unbounded
        # df -> 0 ridge, or lead to a lower local maximum)
        if runs and runs[0][0] and runs[0][1] >= value:
            break
        u, it, ok, message = ls.maximise(
            f, start, scale=lambda u: np.array([math.exp(u[1]), 1.0, max(1.0, u[2])]),
            lower=(-np.inf, -np.inf, 0.0), max_iter=controls.max_iter, tol=controls.tol)
        runs.append((ok, f(u, False), u, it, message, start))
        runs.sort(key=lambda run: run[:2], reverse=True)
    ok, _, u, it, message, start = runs[0]
    if not ok and (u[2] > 1.0 or u[1] < math.log(1e-6)):
        raise DataError("the student_t likelihood has no local maximum for these data: it grows "
                        "without bound as df -> 0 and sigma -> 0 at a data value (repeated values?); "
                        "choose another family (cauchy, laplace)")
    theta = _theta(s, u)
    if theta[2] == DF_LIMIT:  # the normal limit: exactly the normal fit
        theta = (*NORMAL.estimate(s.normal, controls).theta, DF_LIMIT)
    method = METHOD + (": df -> infinity, the normal limit" if theta[2] == DF_LIMIT else "")
    return Solution(theta, method, it, ok, message, _theta(s, start))


def _warm(s, theta, controls, method=METHOD + " from the given start", last=None):
    """The fit from theta (the fit a bootstrap sample was drawn at, close to the
    sample's own MLE): one Newton run in (mu, log sigma, eta) from there instead of
    the estimator's four starts and their sorts (a bootstrap refit at 1e5 values: 3-4
    iterations instead of up to 4 runs). The full estimator where that run does not
    converge. last: a dict given the run's last evaluation ("at") and its point ("u"),
    and the point the run ended at ("final")."""
    y = ls.standardised(s)
    f = _objective(s, y)
    if last is not None:
        g = f

        def f(u, derivs):
            last["u"], last["at"] = np.array(u), g(u, derivs)
            return last["at"]
    u, it, ok, message = ls.maximise(
        f, _to_u(s, theta), scale=lambda u: np.array([math.exp(u[1]), 1.0, max(1.0, u[2])]),
        lower=(-np.inf, -np.inf, 0.0), max_iter=controls.max_iter, tol=controls.tol)
    if last is not None:
        last["final"] = u
    if not ok:
        return _multistart(s, controls)
    theta = _theta(s, u)
    if theta[2] == DF_LIMIT:
        theta = (*NORMAL.estimate(s.normal, controls).theta, DF_LIMIT)
    return Solution(theta, method, it, ok, message)


def _profile_lower_df(s, theta, confidence):
    """The lower end of the profile-likelihood interval for df when the MLE is at the
    normal limit: the eta > 0 where 2 (loglik_max - max over mu, sigma of loglik) equals
    z^2 (z: the normal quantile of the level). Bracketed Newton in log eta (the
    profile's slope in eta is the partial derivative at the profile point), from the
    root of the profile's quadratic expansion at eta = 0."""
    from ..inference.information import z_value

    f = _objective(s, ls.standardised(s))
    u = np.array([(theta[0] - s.centre) / s.spread, math.log(theta[1] / s.spread), 0.0])
    top, g, h = f(u, True)
    half = 0.5 * z_value(confidence) ** 2
    info = -h[2, 2] + h[2, :2] @ np.linalg.solve(h[:2, :2], h[:2, 2])  # profile information in eta
    eta0 = (g[2] + math.sqrt(g[2] ** 2 + 2.0 * info * half)) / info if info > 0 else 0.01

    def drop(v):
        u[2] = math.exp(v)
        u[:2] = ls.maximise(_held(f, u, [0, 1]), u[:2], max_iter=100, tol=1e-10,
                            scale=lambda p: np.array([math.exp(p[1]), 1.0]))[0]
        value, g, _ = f(u, True)
        return top - half - value, -u[2] * g[2]

    v0 = math.log(min(eta0, 1.0))
    lo, hi = v0 - 1.0, v0 + 1.0
    while drop(lo)[0] >= 0 and lo > -70.0:
        lo -= 2.0
    while not drop(hi)[0] > 0:  # no bound when even df = 0.1 is within reach
        if hi > math.log(10.0):
            return 0.0
        hi += 1.0
    v, _, _ = nm.solve_increasing(drop, lo, hi, v0, max_iter=100, tol=1e-8)
    return math.exp(-v)


def _held(f, base, free):
    """f as a function of the coordinates `free` of u alone, the others held at their
    values in `base` (read at each call)."""
    def restricted(p, derivs):
        u = np.array(base, dtype=np.float64)
        u[free] = p
        out = f(u, derivs)
        if not (derivs and isinstance(out, tuple)):  # the value alone, or -inf off the domain
            return out
        value, g, h = out
        return value, g[free], h[np.ix_(free, free)]
    return restricted


LIMIT_NOTE = (f"df -> infinity, the normal limit (shown as {DF_LIMIT:g}): tails no heavier than a normal's; "
              f"mu and sigma are the normal fit; interval: [profile-likelihood lower bound, infinity)")


def _boundary(s, theta, confidence):
    if theta[2] < DF_LIMIT:
        return {}
    try:
        lower = _profile_lower_df(s, theta, confidence)
    except (ArithmeticError, ValueError, np.linalg.LinAlgError):  # a profile beyond double precision
        lower = 0.0
    return {2: (lower, math.inf, LIMIT_NOTE, "profile likelihood")}


# ---------------------------------------------------------------- with mu or sigma fixed
FIXED_ETAS = (0.05, 0.2, 0.5)  # fit_given's finite starts: df = 20, 5, 2


def _to_u(s, theta):
    """(mu, log sigma, eta) on the standardised data; eta = 0 at the normal limit."""
    mu, sigma, df = theta
    return np.array([(mu - s.centre) / s.spread, math.log(sigma / s.spread),
                     0.0 if df >= DF_LIMIT else 1.0 / df])


def _normal_given(s, fixed):
    """(mu, sigma) of the normal fit with mu or sigma (or both) held: the mean given
    sigma, the root mean square deviation about mu given mu."""
    mu = fixed.get(0, s.normal.mean)
    return mu, fixed.get(1, math.sqrt(s.normal.m2 + (s.normal.mean - mu) ** 2))


def fit_given(s, fixed, start, controls):
    """The fit with df free and mu or sigma (or both) held at their values in `fixed`
    ({index: value}): Newton (locscale.maximise) on the free coordinates of (mu, log
    sigma, eta = 1/df), eta >= 0, as the unconstrained fit does. In eta the normal limit
    is the finite point 0 where the log-likelihood is smooth, so a run starting there
    leaves it whenever the slope in eta is positive (a generic optimiser on log df sees
    the slope times eta, 0 at df = DF_LIMIT, and stays at the limit). Starts: `start`
    (the unconstrained fit, or a profile neighbour), the normal fit given the fixed
    values (eta = 0), and df = 20, 5, 2 with the others from `start`, run from the
    highest down while no converged run has reached a maximum above the next start (as
    in the unconstrained fit); the highest maximum is kept, converged runs first. When
    that is at eta = 0 (the limit is the supremum) the result is the normal fit given
    the fixed values, with df = DF_LIMIT."""
    if 2 in fixed:
        raise ValueError("fit_given fits df: it cannot hold df fixed")
    f = _objective(s, ls.standardised(s))
    free = [i for i in range(3) if i not in fixed]
    base = _to_u(s, [fixed.get(i, t) for i, t in enumerate(start)])
    starts = [base, _to_u(s, (*_normal_given(s, fixed), DF_LIMIT))]
    starts += [np.array([base[0], base[1], eta]) for eta in FIXED_ETAS]
    objective = _held(f, base, free)

    def scale(p):
        u = base.copy()
        u[free] = p
        return np.array([math.exp(u[1]), 1.0, max(1.0, u[2])])[free]

    ranked = sorted(((objective(u0[free], False), -k, u0[free]) for k, u0 in enumerate(starts)),
                    key=lambda r: r[:2], reverse=True)
    runs = []
    for value, _, p0 in ranked:
        if runs and runs[0][0] and runs[0][1] >= value:
            break  # as in the unconstrained fit: a converged maximum above the other starts
        p, it, ok, message = ls.maximise(objective, p0, scale=scale, lower=np.array([-np.inf, -np.inf, 0.0])[free],
                                         max_iter=controls.max_iter, tol=controls.tol)
        runs.append((ok, objective(p, False), p, it, message))
        runs.sort(key=lambda run: run[:2], reverse=True)
    ok, _, p, it, message = runs[0]
    u = base.copy()
    u[free] = p
    at_limit = u[2] <= 1.0 / DF_LIMIT
    theta = (*_normal_given(s, fixed), DF_LIMIT) if at_limit else _theta(s, u)
    theta = tuple(fixed.get(i, t) for i, t in enumerate(theta))  # the fixed values exactly, not round-tripped
    names = ", ".join(("mu", "sigma", "df")[i] for i in free)
    method = f"{METHOD} on {names} with the others fixed" + (": df -> infinity, the normal limit" if at_limit else "")
    return Solution(theta, method, it, ok, message)


def _check(s):
    ls.refuse_ties(s, "student_t", "the likelihood grows without bound as df and sigma -> 0 at that value")


def _cdf(x, theta):
    mu, sigma, df = theta
    z = (np.asarray(x, dtype=np.float64) - mu) / sigma
    sp = scipy_special()
    return sp.ndtr(z) if df >= DF_LIMIT else sp.stdtr(df, z)


def _sample(rng, n, theta):
    mu, sigma, df = theta
    return mu + sigma * (rng.standard_normal(n) if df >= DF_LIMIT else rng.standard_t(df, n))


# the normal limit: one record for the fast path (the bootstrap, --fix while df is free) and the
# per-row density (censored fits)
LIMIT = Limit(family=lambda: "normal", going=("df",), why=LIMIT_NOTE, text="the normal limit: df = inf",
              near=lambda theta: theta[2] > 1e4, inside=lambda theta: (theta[0], theta[1], 5.0),
              lift=lambda theta: (theta[0], theta[1], DF_LIMIT), index=2, at=DF_LIMIT, given=fit_given)


STUDENT_T = Family(
    spec=SPEC,
    moments=(2, "df", 1, 2),
    stats=_stats,
    chunked_stats=_chunked_stats,
    chunked_moments=True,
    estimate=_estimate,
    loglik=_loglik,
    logpdf=_logpdf,
    observed_information=_observed,
    expected_information=_expected,
    scipy=lambda t: scipy_stats().t(t[2], t[0], t[1]),
    check=_check,
    boundary=_boundary,
    refine=_warm,
    rescale=lambda c: ((c, c, 1.0), (0.0, 0.0, 0.0)),
    cdf=_cdf,
    sample=_sample,
    min_n=3,
    needs_spread=True,
    limit=LIMIT,
)


# ---------------------------------------------------------------- per row (likelihood.fit_rows)
# The per-row record (families.density): mu, sigma and df may differ by row. The same
# formulas as _sums, in eta = 1/df (exact up to df = 1e30 and beyond), carried to df:
# deta/ddf = -eta^2, d2eta/ddf2 = 2 eta^3.
def _by_value(f, x):
    """f(x) for each distinct value of x (f scalar, list-valued), as arrays of x's shape."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:
        return [np.float64(v) for v in f(float(x))]
    values, inverse = np.unique(x, return_inverse=True)
    table = np.array([f(float(v)) for v in values])
    return [table[inverse.reshape(-1), i].reshape(x.shape) for i in range(table.shape[1])]


def _row_terms(y, mu, sigma, df, order):
    """eta, a = 1 + eta, z, and the terms of log f and its derivatives in q = eta z^2,
    [z^2 phi(q), z^4 phi'(q), z^6 phi''(q)][:order + 1] (phi: t_series.phi, its series
    below q = 0.1), and [c, ...][:order + 1]. Rows beyond |z| = FAR_Z, where z^6 (then z^4,
    z^2) would overflow while the terms do not, take them as q^k phi^(k-1)(q) / eta^k:
    L/eta, (q r - L)/eta^2 and -((q r)^2 + 2 (q r - L))/eta^3, L = log1p(q) (log(eta) +
    2 log|z| where q overflows), r = 1/(1 + q)."""
    eta = 1.0 / np.asarray(df, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = np.asarray((y - mu) / sigma, dtype=np.float64)
        z2 = z * z
        q = np.asarray(eta * z2)
        p = [v.reshape(q.shape) for v in phi(q.reshape(-1), order)]
        terms = [z2 * p[0]]
        if order:
            z4 = z2 * z2
            terms += [z4 * p[1], z4 * z2 * p[2]]
        if q.size and np.max(np.abs(z)) > FAR_Z:
            terms = _far_rows(z, q, eta, terms)
    return z, eta, 1.0 + eta, q, terms, _by_value(lambda e: const(e, order), eta)


FAR_Z = 1e50  # |z| beyond which z^6 nears overflow: _far_rows


def _far_rows(z, q, eta, terms):
    z, q, eta = np.broadcast_arrays(z, q, eta)
    far = np.abs(z) > FAR_Z
    zf, qf, ef = z[far], q[far], eta[far]
    lf = np.where(np.isinf(qf), np.log(ef) + 2.0 * np.log(np.abs(zf)), np.log1p(qf))
    qr = np.where(np.isinf(qf), 1.0, qf / (1.0 + qf))
    far_terms = [lf / ef, (qr - lf) / (ef * ef), -(qr * qr + 2.0 * (qr - lf)) / (ef * ef * ef)]
    out = []
    for t, v in zip(terms, far_terms):
        t = np.array(np.broadcast_to(t, z.shape))
        t[far] = v
        out.append(t)
    return out


HUGE = np.finfo(float).max
PHI_SERIES_BELOW = 0.1  # phi's own series below this q (t_series.phi); the far forms above


def row_logpdf(y, mu, sigma, df):
    with np.errstate(over="ignore", invalid="ignore"):
        _, _, a, _, t, c = _row_terms(y, mu, sigma, df, 0)
        out = c[0] - nm.HALF_LOG_2PI - np.log(sigma) - 0.5 * a * t[0]
    return np.where(np.isinf(y), -np.inf, out)  # |y| = inf


def row_derivs(y, mu, sigma, df):
    """The score and Hessian of _sums per row, in (mu, sigma, eta), then in df; from
    z r, z^2 r and r (r = 1/(1 + q)), finite for any z (z r = 1/(1/z + eta z))."""
    z, eta, a, q, (z2p0, z4p1, z6p2), c = _row_terms(y, mu, sigma, df, 2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = 1.0 / (1.0 + q)
        zr = 1.0 / (1.0 / z + eta * z)
        z2r = zr * z
        azr = a * zr
        u_z = zr * r - z2r * zr  # z (1 - z^2) r^2
        u_z2 = zr * zr - z2r * z2r  # z^2 (1 - z^2) r^2
        l_eta = c[1] - 0.5 * z2p0 - 0.5 * a * z4p1
        h_ee = c[2] - z4p1 - 0.5 * a * z6p2
        e2 = eta * eta
        h_md, h_sd = -e2 * u_z / sigma, -e2 * u_z2 / sigma
        h_ms = -2.0 * azr * r / sigma / sigma  # -a z r ((1 - q) r + 1)/sigma^2, (1 - q) r + 1 = 2r
        return (c[0] - nm.HALF_LOG_2PI - np.log(sigma) - 0.5 * a * z2p0,
                (azr / sigma, (a * z2r - 1.0) / sigma, -e2 * l_eta),
                ((-a * ((r / sigma) ** 2 - eta * (zr / sigma) ** 2), h_ms, h_md),
                 (h_ms, (1.0 - a * z2r * (1.0 + 2.0 * r)) / sigma / sigma, h_sd),
                 (h_md, h_sd, e2 * e2 * h_ee + 2.0 * e2 * eta * l_eta)))


def row_start(y, w):
    """mu = the weighted median; df from the excess kurtosis k, 4 + 6/k (30 when k <= 0);
    sigma = the median absolute deviation over the t quantile at 0.75 for that df (from
    t_start_quantiles' table, as the fast path's start: no scipy.special to import)."""
    y = np.asarray(y, dtype=np.float64)
    mu = nm.weighted_median(y, w)
    mean, m2 = nm.mean_and_m2(y, w)
    k = nm.wsum(((y - mean) ** 2 / m2) ** 2, w) / nm.total_weight(w, y.size) - 3.0 if m2 > 0 else 0.0
    df = 4.0 + 6.0 / k if k > 0 else 30.0
    mad = nm.weighted_median(np.abs(y - mu), w)
    sigma = mad / tsq.quantile_75(df) if mad > 0 else math.sqrt(max(m2, 1e-300))
    return mu, sigma, df


DENSITY = Density(
    name="student_t", params=("mu", "sigma", "df"), domains=(REAL, POSITIVE, POSITIVE),
    logpdf=row_logpdf, derivs=row_derivs, start=row_start,
    logcdf=row_tail, logsf=lambda y, mu, sigma, df: row_tail(y, mu, sigma, df, upper=True),
    sample=lambda rng, size, mu, sigma, df: mu + sigma * rng.standard_t(df, size),
    scipy=lambda mu, sigma, df: scipy_stats().t(df, mu, sigma),
    note="df is free on its log scale: on data no heavier-tailed than a normal's it grows without "
         "bound (the fast path reports the normal limit, df = 1e30)",
    expected=lambda mu, sigma, df: ((df + 1.0) / ((df + 3.0) * sigma * sigma), 2.0 * df / ((df + 3.0) * sigma * sigma), None),
    limit=LIMIT,
    scale_of={0: 1},  # mu's unit is sigma (censored tails' numeric steps)
)
