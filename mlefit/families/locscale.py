"""Shared machinery of the location-scale families on the real line (student_t,
logistic, cauchy, gumbel): a density f(x) = f0((x - mu)/sigma)/sigma given by the
standard log-density l = log f0 and its first two derivatives.

- stats: the data, the weighted median (centre) and a robust spread; estimators work
  on y = (x - centre)/spread, so data with a tiny spread around a huge mean keep their
  precision, and starting values are O(1). The data are a chunks.InMemory (an array
  and its weights) or, for a file fitted in chunks, a chunks.OnChunks: every sum over
  them goes through data.sum, and centre and spread come from data.sample() (all the
  values in memory, a subsample of at most 1e6 of them in chunks);
- sums: the log-likelihood with its gradient and Hessian in (mu, tau = log sigma);
- maximise: a safeguarded Newton maximiser, also used with a bounded coordinate
  (student_t's 1/df >= 0).
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from .. import order_stats
from ..io.chunks import InMemory, OnChunks
from ..errors import DataError
from ..inference.information import small_inverse


def quantiles(x, w, taus):
    """The tau-quantiles (by one selection, without a sort, when there are no weights)."""
    if w is None:
        return order_stats.quantiles(x, taus)
    return [nm.weighted_quantile(x, w, tau) for tau in taus]


def stats(x, w):
    return from_data(InMemory(x, w))


def chunked(chunks):
    """The stats of values held in chunks (mlefit.io.chunks): centre and spread from the
    chunks' sample (start values and a standardisation: they need only be about right)."""
    return from_data(OnChunks(chunks))


def from_data(data):
    """n, the data (chunks.InMemory or OnChunks), the median (centre) and half the
    interquartile range (spread) of the data's sample: all the values when in memory."""
    xs, ws = data.sample()
    centre = nm.weighted_median(xs, ws)
    q1, q3 = quantiles(xs, ws, [0.25, 0.75])
    spread = 0.5 * (q3 - q1)
    if not spread > 0:  # more than half the weight on a few values: the sd instead
        spread = math.sqrt(data.map(lambda x: x - centre).mean_and_m2()[1])
    if not (spread > 0 and math.isfinite(spread)):
        raise DataError("the values are (numerically) all equal: zero spread; "
                        "this family needs spread to estimate its scale")
    return SimpleNamespace(n=data.n, data=data, centre=centre, spread=spread)


def standardised(s):
    """y = (x - centre)/spread, as data of the same kind."""
    centre, spread = s.centre, s.spread
    return s.data.map(lambda x: (x - centre) / spread, increasing=True)


def refuse_ties(s, family, why, half=False):
    """DataError when one value carries more than half the weight (with `half`: half or
    more), or the data take at most two distinct values: there the likelihood of
    `family` has no (unique) interior maximum. `why` says what happens instead. The
    candidates are the values next to the centre in the sample (all the values in
    memory); their weights, and the weight strictly between the extremes, are summed
    over all the data."""
    # a value with half the weight is a lower or upper median: next to the centre
    xs, _ = s.data.sample()
    nearest = (float(xs[xs <= s.centre].max()), float(xs[xs >= s.centre].min()))
    lo, hi = s.data.bounds()

    def counts(x, w):
        return (nm.wsum(x == nearest[0], w), nm.wsum(x == nearest[1], w),
                float(np.count_nonzero((x > lo) & (x < hi))))
    below, above, inside = s.data.sum(counts)
    tied, value = max((below, nearest[0]), (above, nearest[1]))
    if tied > 0.5 * s.n or (half and tied == 0.5 * s.n):
        share = "half or more" if half else "more than half"
        raise DataError(f"{tied:.10g} of the {s.n:.10g} values equal {value:.10g} ({share}): "
                        f"{why}; the {family} MLE does not exist, choose another family")
    if not inside > 0:
        raise DataError(f"the values take only two distinct values ({lo:.10g} and {hi:.10g}): "
                        f"the {family} MLE does not exist or is not unique; choose another family")


SUMS_BLOCK = 8192  # values a call: the dozen temporaries of a call (64 KiB each) stay in L2, and its
#                   dot products stay below OpenBLAS's size for threads (0.7 ms a product to wake them at 12000)


def sums(parts, data, n, mu, sigma, derivs):
    """The log-likelihood sum(l(z)) - n log(sigma), z = (y - mu)/sigma for the values y
    of `data` (chunks.InMemory or OnChunks), and when `derivs`, its gradient and Hessian
    in (mu, tau = log sigma): g = (-S(l')/sigma, -S(l' z) - n),
    H = [[S(l'')/sigma^2, S(l'' z + l')/sigma], [., S(l'' z^2 + l' z)]], S a weighted sum."""
    if not derivs:
        value = data.sum(lambda y, w: nm.wsum(parts((y - mu) / sigma, 0)[0], w), SUMS_BLOCK) - n * math.log(sigma)
        return value if math.isfinite(value) else -math.inf

    def part(y, w):
        z = y - mu
        z /= sigma
        l, d1, d2 = parts(z, 2)
        d2z = d2 * z
        if w is None:  # the sums of products as dot products (no temporary; SUMS_BLOCK keeps them on one core)
            return (float(l.sum()), float(d1.sum()), float(d1 @ z), float(d2.sum()), float(d2z.sum()),
                    float(d2z @ z))
        return (nm.wsum(l, w), nm.wsum(d1, w), nm.wsum(d1 * z, w),
                nm.wsum(d2, w), nm.wsum(d2z, w), nm.wsum(d2z * z, w))
    sl, s1, s1z, s2, s2z, s2zz = data.sum(part, SUMS_BLOCK)
    value = sl - n * math.log(sigma)
    g = np.array([-s1 / sigma, -s1z - n])
    cross = (s2z + s1) / sigma
    return value, g, np.array([[s2 / sigma ** 2, cross], [cross, s2zz + s1z]])


def natural_hessian(g, h, d1, d2):
    """The Hessian in theta from the gradient g and Hessian h in u, where each u_i is a
    function of theta_i alone with derivatives d1 = du/dtheta and d2 = d2u/dtheta2."""
    d1 = np.asarray(d1, dtype=np.float64)
    return h * np.outer(d1, d1) + np.diag(np.asarray(d2, dtype=np.float64) * g)


def observed(parts, s, theta):
    """Minus the Hessian of the log-likelihood in (mu, sigma)."""
    mu, sigma = theta
    _, g, h = sums(parts, s.data, s.n, mu, sigma, True)
    return _information(g, h, sigma)


def _information(g, h, sigma):
    """Minus the Hessian in (mu, sigma) from the gradient and Hessian in (mu, log sigma)."""
    return -natural_hessian(g, h, (1.0, 1.0 / sigma), (0.0, -1.0 / sigma ** 2))


def newton_fit(parts, s, log_scale0, controls, method=None, derivs=False):
    """Maximise over (mu, log sigma) from (centre, spread e^log_scale0) by `maximise`;
    returns ((mu, sigma), iterations, converged, message, at): `at` is (log-likelihood,
    observed information in (mu, sigma)) at the estimate, from the last evaluation, or
    None; with `derivs`, (log-likelihood, gradient, Hessian) in (mu, tau = log sigma),
    for a family that carries them to its own parameters. (`method` is not used: kept
    for callers that pass their method text.)"""
    y = standardised(s)
    last = {}

    def f(u, derivs):
        if not abs(u[1]) < 300.0:
            return -math.inf
        last["u"], last["at"] = u, sums(parts, y, s.n, u[0], math.exp(u[1]), derivs)
        return last["at"]

    scale = lambda u: np.array([math.exp(u[1]), 1.0])  # noqa: E731
    u0 = (0.0, log_scale0)
    if not y.in_memory:  # values in chunks: Newton's first steps on their sample, the last ones on all
        u0 = sample_start(lambda ys, n, u, derivs: sums(parts, ys, n, u[0], math.exp(u[1]), derivs),
                          y, u0, scale, controls)
    u, it, ok, message = maximise(f, u0, scale=scale, max_iter=controls.max_iter, tol=controls.tol)
    theta = (s.centre + s.spread * u[0], s.spread * math.exp(u[1]))
    at = last.get("at")
    # handed over only where rounding theta moves z by no more than rounding: the
    # centre within 1e3 scales of 0 (else loglik and information are taken at theta)
    if not (isinstance(at, tuple) and np.array_equal(last["u"], u) and abs(theta[0]) <= 1e3 * theta[1]):
        return theta, it, ok, message, None
    # y = (x - centre)/spread: the same z, so loglik(x) = loglik(y) - n log(spread), and
    # d/dmu = d/du0 / spread, d/dtau = d/du1 (tau = log sigma = log spread + u1)
    value, g, h = at
    back = np.array([1.0 / s.spread, 1.0])
    g, h, value = g * back, h * np.outer(back, back), value - s.n * math.log(s.spread)
    return theta, it, ok, message, ((value, g, h) if derivs else (value, _information(g, h, theta[1])))


def sample_start(objective, y, u0, scale, controls, lower=None):
    """Where Newton's method from u0 converges on the sample of values held in chunks
    (chunks.OnChunks.sample(): at most about a million of them, spread over the file),
    or u0 where it does not: a start for the fit on all the values within sampling error
    of their maximum, from which Newton's quadratic convergence needs a few passes over
    the chunks where a start from u0 needed up to a dozen (and the start values came
    from that sample anyway). objective(data, n, u, derivs) is the log-likelihood of the
    values in data (n of them) at u, with its gradient and Hessian when derivs."""
    ys, _ = y.sample()
    sample, n = InMemory(ys), float(ys.size)

    def f(u, derivs):
        if not abs(u[1]) < 300.0:
            return -math.inf
        return objective(sample, n, u, derivs)
    u, _, ok, _ = maximise(f, u0, scale=scale, max_iter=controls.max_iter, tol=controls.tol, lower=lower)
    return u if ok else np.asarray(u0, dtype=np.float64)


def rescale(c):
    return (c, c), (0.0, 0.0)


def ascent_direction(a, g):
    """Solve a step = g for a symmetric a, adding Marquardt damping lambda diag(|a|)
    until the system is positive definite, so that g . step > 0. Returns the step and
    whether it was damped."""
    if a.shape == (2, 2):
        return _ascent_direction_2(a.tolist(), g.tolist())
    d = np.maximum(np.abs(np.diag(a)), 1e-300)
    lam = 0.0
    for _ in range(40):
        try:
            chol = np.linalg.cholesky(a + lam * np.diag(d))
            return np.linalg.solve(chol.T, np.linalg.solve(chol, g)), lam > 0
        except np.linalg.LinAlgError:
            lam = 1e-4 if lam == 0.0 else lam * 10.0
    return g / d, True


def _ascent_direction_2(a, g):
    """ascent_direction for two coordinates in floats (numpy's linear algebra costs tens
    of microseconds a call on a 2 x 2 system: most of a small sample's fit), with the
    positive-definiteness test of inference.small_inverse (Cholesky's)."""
    (p, q), (_, r) = a
    d1, d2 = max(abs(p), 1e-300), max(abs(r), 1e-300)
    lam = 0.0
    for _ in range(40):
        inverse = small_inverse([[p + lam * d1, q], [q, r + lam * d2]])
        if inverse is not None:
            return inverse @ np.asarray(g), lam > 0
        lam = 1e-4 if lam == 0.0 else lam * 10.0
    return np.array([g[0] / d1, g[1] / d2]), True


def maximise(f, u0, *, scale, max_iter, tol, lower=None):
    """Maximise f over u (u >= lower where lower is given), by Newton's method.

    Each iteration solves (-H) step = g on the free coordinates; where -H is not
    positive definite the step is damped (Levenberg-Marquardt) until it is, so it
    points uphill; then it is halved until f does not fall, so the iteration cannot
    diverge. A coordinate on its lower bound whose gradient points out of the domain
    is held there (projected Newton): a maximum on the bound is reached exactly.

    f(u, derivs) -> the value, or (value, gradient, Hessian) when derivs is true; a
        non-finite value (alone, or first in the tuple) marks a point outside the
        domain. (Every point is evaluated with derivs true; f takes the flag for
        callers that want the value alone.)
    scale(u) -> the size of each coordinate: converged at u when the undamped Newton step
        from u (from u's own gradient and Hessian, the last evaluation) is below tol times
        it in every coordinate. That step is not taken: it would cost another evaluation
        (a pass over values held in chunks) to move by less than tol, and the returned u
        is the point whose log-likelihood, gradient and Hessian were evaluated last.
    Returns (u, iterations, converged, message).
    """
    u = np.asarray(u0, dtype=np.float64).copy()
    low = np.full(u.size, -np.inf) if lower is None else np.asarray(lower, dtype=np.float64)
    at = f(u, True)
    if not (isinstance(at, tuple) and math.isfinite(at[0])):
        return u, 0, False, "the log-likelihood is not finite at the start values"
    value, g, h = at
    for it in range(1, max_iter + 1):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
            return u, it, False, "the derivatives of the log-likelihood are not finite"
        if lower is None:  # every coordinate free (a few microseconds less an iteration)
            step, damped = ascent_direction(-h, g)
        else:
            free = ~((u <= low) & (g <= 0.0))
            step, damped = np.zeros(u.size), False
            if free.any():
                step[free], damped = ascent_direction(-h[np.ix_(free, free)], g[free])
        size = float(np.max(np.abs(step) / scale(u)))
        if size <= tol and not damped:  # u's own Newton step is within tol: the maximum, to tol
            return u, it, True, ""
        t = 1.0
        for _ in range(60):
            # each trial with its derivatives: an accepted step (nearly all of them)
            # needs them next, so an iteration costs one pass over the data, not two
            trial = u + t * step if lower is None else np.maximum(u + t * step, low)
            at = f(trial, True)
            new = at[0] if isinstance(at, tuple) else at
            if new >= value - 1e-13 * max(1.0, abs(value)):  # uphill, up to rounding
                break
            t /= 2.0
        else:  # no step keeps the value: the maximum to rounding precision, or stuck
            ok = size <= 1e-7 and not damped
            return u, it, ok, "" if ok else "the line search found no higher log-likelihood"
        u, (value, g, h) = trial, at
    return u, max_iter, False, f"did not converge in {max_iter} iteration(s)"
