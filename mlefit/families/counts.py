"""The count families with known trials: binomial and beta_binomial (zero_inflated_poisson:
its own file).

binomial:N (p)
    C(t, x) p^x (1-p)^(t-x), x = 0..t. Closed form p = sum x / sum t; exact
    Clopper-Pearson intervals when every trial failed (p = 0) or succeeded (p = 1).
beta_binomial:N (a, b)
    C(t, x) B(x+a, t-x+b) / B(a, b). Newton on (log a, log b) with the analytic score
    and information, from the method of moments. Every term is a sum over rows of
    log G(v+c) - log G(c) (v = x, t-x or t; c = a, b or a+b) and its derivatives,
    evaluated exactly as sum_j N(j) log(c+j), N(j) = the weight of the rows with v > j
    (so the cost per iteration depends on the largest count, not on n), or by gamma
    functions over the distinct values when the counts are very large.
    Not overdispersed data (sum (x - t p)^2 <= p (1-p) sum t, where the score of the
    dispersion vanishes or points to the binomial) have no finite MLE: a, b -> infinity
    with a/(a+b) = p, the binomial limit. That is a BoundaryError naming it, as the
    negative binomial does with the poisson.
The trials t are one number (binomial:12), or one per row: build(name, None), a family
whose data are the rows (successes, trials) (mlefit.fit(..., trials=...), --trials COLUMN).
"""
from types import SimpleNamespace

import numpy as np

from .. import gamma_arrays as ga, numerics as nm
from ..errors import BoundaryError, DataError
from .base import Family, Solution, scipy_special, scipy_stats
from .bernoulli import BERNOULLI
from .beta_binomial import LIMIT as BB_LIMIT, log_shares
from .catalog import BY_NAME
from .counts_common import upper_exact


def build(name, trials):
    """The family `name` ('binomial' or 'beta_binomial') with its trials: a whole number
    (named e.g. 'binomial:12'), or None for trials per row (named 'binomial'): one object
    whatever the data, whose data are the rows (successes, trials) (Family.sides; the
    trials travel with the values in the Record, mlefit.data, and resample with them)."""
    if trials is None:
        found = _PER_ROW.get(name)
        if found is None:
            found = _PER_ROW[name] = _MAKERS[name](BY_NAME[name], None)
        return found
    t = int(trials)
    return _MAKERS[name](BY_NAME[name].with_value(t, t), t)


_PER_ROW = {}  # name -> its family of trials per row (one each)


def _parts(t, x):
    """(values, trials) of a family's data x: the values with the one number t, or (t is
    None: trials per row) the rows (successes, trials)."""
    return (x, t) if t is not None else x.columns


def _whole(t):
    """The trials of draws, as integers."""
    return np.asarray(t).astype(np.int64)


def _log_choose(t, x):
    """log C(t, x), as scipy's binom and betabinom write it (any x: the log-mass)."""
    from scipy.special import betaln
    return -np.log1p(t) - betaln(t - x + 1.0, x + 1.0)


def _log_coef(t, x):
    """log C(t, x) = -log(t+1) - log B(t-x+1, x+1) for whole 0 <= x <= t (the constant of a
    fit), by the log-beta of gamma_arrays: numpy and math, no scipy.special to import
    (0.2-0.5 s); within 1e-14 of mpmath up to t = 2^52, where scipy's betaln is off by 5e-11
    at t = 1e5. Pairs of at most COEF_TABLE_UP_TO trials are looked up in a table of the
    same values, made once: the few hundred distinct pairs of a fit of trials per row took
    a third of it by log_beta's pieces (0.1 ms at 1000 rows)."""
    t, x = np.asarray(t, dtype=np.float64), np.asarray(x, dtype=np.float64)
    small = t <= COEF_TABLE_UP_TO
    if not small.any():
        return _log_coef_direct(t, x)
    table = _coef_table()
    if small.all():
        return table[(t * (t + 1.0) / 2.0 + x).astype(np.intp)]
    out = _log_coef_direct(t, x)
    out[small] = table[(t[small] * (t[small] + 1.0) / 2.0 + x[small]).astype(np.intp)]
    return out


def _log_coef_direct(t, x):
    return -np.log1p(t) - ga.log_beta(np.asarray(t - x + 1.0, dtype=np.float64), x + 1.0)


COEF_TABLE_UP_TO = 64  # trials up to which log C(t, x) is looked up (2145 values, 17 KiB)
_COEF_TABLE = []


def _coef_table():
    """log C(t, x) for 0 <= x <= t <= COEF_TABLE_UP_TO, row t from t (t + 1) / 2 on."""
    if not _COEF_TABLE:
        rows = np.arange(COEF_TABLE_UP_TO + 1)
        t = np.repeat(rows, rows + 1).astype(np.float64)
        x = np.arange(t.size) - (t * (t + 1.0) / 2.0)
        _COEF_TABLE.append(_log_coef_direct(t, x))
    return _COEF_TABLE[0]


def _pairs(x, t, w):
    """The distinct (x, trials) pairs and their weighted counts."""
    if np.isscalar(t):
        xv, c = nm.value_counts(x, w)
        return xv, np.full(xv.size, float(t)), c
    top = float(t.max()) + 1.0
    if top * top < 2.0 ** 53:  # one key t * top + x per row, made as integers in one array (no float temporary)
        key = np.multiply(t, top, out=np.empty(t.size, dtype=np.int64), casting="unsafe")
        key, c = nm.value_counts(np.add(key, x, out=key, casting="unsafe"), w)
        tv = np.floor(key / top)
        return key - tv * top, tv, c
    pairs, inverse = np.unique(np.column_stack([x, t]), axis=0, return_inverse=True)
    return pairs[:, 0], pairs[:, 1], np.bincount(inverse.ravel(), weights=w).astype(np.float64)


def _trial_stats(t, rising=False):
    def stats(x, w):
        xv, tv, c = _pairs(*_parts(t, x), w)
        s = SimpleNamespace(n=float(c.sum()), x=xv, t=tv, c=c, k=float(xv @ c), total=float(tv @ c),
                            log_coef=float(c @ _log_coef(tv, xv)))
        s.bernoulli = SimpleNamespace(n=s.total, k=s.k)  # the same p: k successes in total trials
        if rising:
            s.rx, s.ry, s.rt = (_rising_table(v, c) for v in (xv, tv - xv, tv))
        return s
    return stats


# ---------------------------------------------------------------- binomial
def _binomial(spec, t):
    def boundary(s, theta, confidence):
        alpha = 1.0 - confidence
        if s.k == 0:
            return {0: (0.0, 1.0 - upper_exact(alpha, s.total),
                        "p = 0 (no successes): exact Clopper-Pearson interval")}
        if s.k == s.total:
            return {0: (upper_exact(alpha, s.total), 1.0,
                        "p = 1 (no failures): exact Clopper-Pearson interval")}
        return {}

    def logpdf(x, theta):
        from scipy.special import xlog1py, xlogy
        x, tt = _parts(t, x)
        return _log_choose(tt, x) + xlogy(x, theta[0]) + xlog1py(tt - x, -theta[0])

    return Family(
        spec=spec, stats=_trial_stats(t),
        estimate=lambda s, c: Solution((s.k / s.total,), "closed form: p = sum x / sum trials"),
        loglik=lambda s, th: s.log_coef + BERNOULLI.loglik(s.bernoulli, th), logpdf=logpdf,
        observed_information=lambda s, th: BERNOULLI.observed_information(s.bernoulli, th),
        expected_information=lambda s, th: BERNOULLI.expected_information(s.bernoulli, th),
        scipy=lambda th: None if t is None else scipy_stats().binom(t, th[0]),
        cdf=lambda x, th: _binomial_cdf(*_parts(t, x), th[0]),
        sample=lambda rng, n, th, *sides: rng.binomial(_whole(sides[0] if t is None else t), th[0],
                                                       n).astype(np.float64),
        boundary=boundary, sides=_sides(t),
    )


def _sides(t):
    """The per-row columns of the data: the trials, when not one number for every row."""
    return ("trials",) if t is None else ()


def _binomial_cdf(x, t, p):
    """P(X <= x) = I_{1-p}(t - k, k + 1), k = floor(x), for 0 <= k < t."""
    k = np.clip(np.floor(x), 0.0, np.maximum(t - 1.0, 0.0))
    inside = scipy_special().betainc(np.maximum(t - k, 1.0), k + 1.0, 1.0 - p)
    return np.where(x < 0, 0.0, np.where(x >= t, 1.0, inside))


# ---------------------------------------------------------------- beta-binomial
def _rising_table(v, c):
    """Sums over rows of log G(v+a) - log G(a) = sum_{j<v} log(a+j): the weight N(j) of
    the rows with v > j for j = 0..max v - 1 (exact), or the distinct values and their
    weights when max v is too large for that (gamma functions)."""
    top = int(v.max()) if v.size else 0
    if top <= max(100_000, 20 * v.size):
        counts = np.bincount(v.astype(np.int64), weights=c, minlength=top + 1)
        above = np.cumsum(counts[::-1])[::-1][1:]  # above[j] = weight of v > j
        j = np.flatnonzero(above > 0)
        return "sums", j.astype(np.float64), above[j]
    return "gamma", v, c


def _rising(table, a):
    """sum log G(v+a) - log G(a) - v log a. The sum of v log a is left to _bb_loglik, which
    combines the three into the binomial's log-mass: kept in, it made each sum near k log a,
    whose differences lost digits at large shapes."""
    kind, v, c = table
    if kind == "sums":
        return float(c @ np.log1p(v / a))
    return float(c @ ga.log_gamma_rise(a, v))


def _rising_derivs(table, a):
    """The first and second derivatives in a of sum log G(v+a) - log G(a)."""
    kind, v, c = table
    if kind == "sums":
        inv = 1.0 / (a + v)
        return float(c @ inv), -float(c @ (inv * inv))
    rise, rise_deriv = ga.digamma_rises(a, v)
    return float(c @ rise), float(c @ rise_deriv)


def _bb_loglik(s, theta):
    """log_coef + k log(a/(a+b)) + (total-k) log(b/(a+b)) (the binomial at p = a/(a+b))
    + the rising sums, each without its v log c."""
    a, b = (float(v) for v in theta)
    share_a, share_b = log_shares(a, b)
    binomial = (s.k * share_a if s.k else 0.0) + ((s.total - s.k) * share_b if s.total > s.k else 0.0)
    return s.log_coef + binomial + _rising(s.rx, a) + _rising(s.ry, b) - _rising(s.rt, a + b)


def _bb_derivatives(s, a, b):
    """The score and the Hessian of the log-likelihood in (a, b)."""
    gx, hx = _rising_derivs(s.rx, a)
    gy, hy = _rising_derivs(s.ry, b)
    gt, ht = _rising_derivs(s.rt, a + b)
    return np.array([gx - gt, gy - gt]), np.array([[hx - ht, -ht], [-ht, hy - ht]])


def _bb_dispersion(s):
    """p-hat, sum w (x - t p)^2 - p (1-p) sum w t (the sign of the score of the
    dispersion at the binomial limit) and the binomial variance part p (1-p) sum w t."""
    p = s.k / s.total
    binomial = p * (1.0 - p) * s.total
    return p, float(s.c @ (s.x - s.t * p) ** 2) - binomial, binomial


def _bb_check(s):
    name = "the beta_binomial"
    if s.k == 0 or s.k == s.total:
        which = "0" if s.k == 0 else "equal to their trials"
        edge = "a" if s.k == 0 else "b"
        raise BoundaryError(f"all values are {which}: {name} MLE is on the edge {edge} -> 0 "
                            f"(p = {s.k / s.total:g}); use --dist binomial, whose p has an exact "
                            f"interval there", limit="binomial")
    several = s.t >= 2
    if not several.any():
        raise DataError(f"every row has 1 trial: {name} is then a bernoulli with p = a/(a+b), "
                        f"and a and b cannot be told apart; use --dist bernoulli or binomial")
    xs, ts = s.x[several], s.t[several]
    if bool(np.all((xs == 0) | (xs == ts))):
        raise DataError(f"every value (with 2 or more trials) is 0 or all of its trials: {name} "
                        f"fit tends to a, b -> 0 (each row all successes or all failures); "
                        f"fit the rows as a bernoulli instead")
    p, excess, binomial = _bb_dispersion(s)
    if excess <= 0:
        raise BoundaryError(
            f"{name} shapes have no finite MLE here: the values are not overdispersed (their "
            f"mean squared deviation from trials*p, {(excess + binomial) / s.n:.6g}, does not "
            f"exceed the binomial variance, {binomial / s.n:.6g}), so the fit tends to the binomial "
            f"limit (a, b -> infinity with a/(a+b) = {p:.6g}); use --dist binomial", limit="binomial",
            going=BB_LIMIT.going, start=BB_LIMIT.start((p,)))


BB_METHOD = "Newton on (log a, log b) from the method of moments"


def _bb_estimate(s, controls):
    """Newton on u = (log a, log b) with step halving (the log-likelihood never
    decreases), a gradient step where the Hessian is not negative definite, and steps
    capped at a factor e^3. The start is the method of moments: p = sum x / sum t and
    rho = 1/(a+b+1) from sum (x - t p)^2 = p (1-p) sum t (1 + (t-1) rho)."""
    p, excess, _ = _bb_dispersion(s)
    pairs = float(s.c @ (s.t * (s.t - 1.0)))
    rho = min(max(excess / (p * (1.0 - p) * pairs), 1e-12), 0.9)
    a, b = p * (1.0 / rho - 1.0), (1.0 - p) * (1.0 / rho - 1.0)
    start, u, f = (a, b), np.log([a, b]), _bb_loglik(s, (a, b))
    for it in range(1, controls.max_iter + 1):
        g, h = _bb_derivatives(s, a, b)
        theta = np.array([a, b])
        gu = g * theta
        hu = h * np.outer(theta, theta) + np.diag(gu)
        try:
            np.linalg.cholesky(-hu)
            step, newton = np.linalg.solve(-hu, gu), True
        except np.linalg.LinAlgError:
            step, newton = gu / np.maximum(np.abs(np.diag(hu)), 1e-300), False
        step *= min(1.0, 3.0 / max(float(np.max(np.abs(step))), 1e-300))
        lam = 1.0
        for _ in range(60):
            nu = u + lam * step
            nf = _bb_loglik(s, tuple(np.exp(nu)))
            if nf >= f - 1e-13 * abs(f):
                break
            lam /= 2.0
        else:  # no ascent left: at the optimum to rounding precision, or stuck
            ok = float(np.max(np.abs(step))) < 1e-8
            return Solution((a, b), BB_METHOD, it, ok, "" if ok else "line search failed", start)
        moved = float(np.max(np.abs(nu - u)))
        u, f = nu, nf
        a, b = (float(v) for v in np.exp(u))
        # a full Newton step this small leaves an error of its square
        if moved <= controls.tol or (newton and lam == 1.0 and moved <= 1e-7):
            return Solution((a, b), BB_METHOD, it, True, start=start)
    return Solution((a, b), BB_METHOD, controls.max_iter, False,
                    f"a and b did not converge in {controls.max_iter} iteration(s)", start)


def _beta_binomial(spec, t):
    def logpdf(x, theta):
        from scipy.special import betaln
        a, b = theta
        x, tt = _parts(t, x)
        inside = (x >= 0) & (x <= tt)
        with np.errstate(invalid="ignore"):  # outside 0..trials: mass 0, log -inf
            value = _log_choose(tt, x) + betaln(x + a, tt - x + b) - betaln(a, b)
        return np.where(inside, value, -np.inf)

    return Family(
        spec=spec, stats=_trial_stats(t, rising=True), estimate=_bb_estimate, loglik=_bb_loglik,
        logpdf=logpdf, observed_information=lambda s, th: -_bb_derivatives(s, *th)[1],
        scipy=lambda th: None if t is None else scipy_stats().betabinom(t, th[0], th[1]),
        cdf=None if t is not None else lambda x, th: _bb_cdf(*_parts(t, x), *th),
        sample=lambda rng, n, th, *sides: rng.binomial(_whole(sides[0] if t is None else t),
                                                       rng.beta(th[0], th[1], n)).astype(np.float64),
        check=_bb_check, sides=_sides(t),
        limit=BB_LIMIT,
    )


def _bb_cdf(x, t, a, b):
    """P(X <= x) of the rows (successes, trials): scipy's, row by row (the trials per row
    have no one distribution; one number of trials has, scipy(theta))."""
    return scipy_stats().betabinom(t, a, b).cdf(x)


_MAKERS = {"binomial": _binomial, "beta_binomial": _beta_binomial}
