"""Families with a fixed shape, the likelihoods behind the pinball and Huber losses:
asymmetric_laplace:TAU (quantile regression's check loss) and huber:DELTA."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..io.chunks import InMemory, OnChunks
from ..losses import shortest
from .base import Family, Solution, scipy_stats
from .catalog import BY_NAME


def check_loss(u, tau):
    """rho_tau(u) = u (tau - [u < 0]), the pinball loss."""
    return u * (tau - (u < 0))


def huber_loss(u, delta):
    """rho_delta(u) = u^2/2 for |u| <= delta, delta (|u| - delta/2) beyond: c (u - c/2)
    with c = clip(u, -delta, delta), which rounds as those two do (u - u/2 is exact, and
    (-delta)(u + delta/2) is delta (|u| - delta/2) with its sign flipped twice) in half
    their operations."""
    c = np.clip(u, -delta, delta)
    return c * (u - 0.5 * c)


def huber_log_norm(delta):
    """log Z(delta), Z = integral of exp(-rho_delta(u)) du
    = sqrt(2 pi) (2 Phi(delta) - 1) + 2 exp(-delta^2/2) / delta."""
    inner = math.sqrt(2.0 * math.pi) * math.erf(delta / math.sqrt(2.0))
    return math.log(inner + 2.0 * math.exp(-0.5 * delta * delta) / delta)


def build(name, value):
    return {"asymmetric_laplace": _asymmetric_laplace, "huber": _huber}[name](value)


# ---------------------------------------------------------------- asymmetric Laplace
def _asymmetric_laplace(tau):
    def stats(x, w):
        return SimpleNamespace(n=nm.total_weight(w, x.size), x=x, w=w, data=InMemory(x, w),
                               q=nm.weighted_quantile(x, w, tau))

    def chunked(chunks):
        """The exact tau-quantile of values held in chunks and the check loss about it,
        in one pass (chunk_select)."""
        from ..chunk_select import quantile
        q, at_q = quantile(chunks, tau, lambda u: check_loss(u, tau), 1.0 - tau, tau)
        return SimpleNamespace(n=float(chunks.n), data=OnChunks(chunks), q=q, at_q=at_q)

    def total_check(s, mu):
        """sum w rho_tau(x - mu), block by block (chunks.InMemory.sum: no temporaries as
        large as the data) or chunk by chunk, kept for the quantile (the estimate, its
        loglik and information)."""
        if mu == s.q and getattr(s, "at_q", None) is not None:
            return s.at_q
        total = s.data.sum(lambda x, w: nm.wsum(check_loss(x - mu, tau), w))
        if mu == s.q:
            s.at_q = total
        return total

    def estimate(s, controls):
        return Solution((s.q, total_check(s, s.q) / s.n),
                        f"closed form: mu = the {shortest(tau)}-quantile, sigma = mean check loss")

    def given(s, fixed, start, controls):
        """The closed form given the fixed value (--fix): sigma = the mean check loss about
        the fixed mu, or mu = the tau-quantile whatever the fixed sigma."""
        if 0 in fixed:
            mu = float(fixed[0])
            return Solution((mu, total_check(s, mu) / s.n), "closed form given mu: sigma = mean check loss")
        return Solution((s.q, float(fixed[1])), f"closed form given sigma: mu = the {shortest(tau)}-quantile")

    def loglik(s, theta):
        mu, sigma = theta
        return s.n * math.log(tau * (1.0 - tau) / sigma) - total_check(s, mu) / sigma

    def observed(s, theta):
        mu, sigma = theta
        return np.array([[s.n * tau * (1 - tau) / sigma ** 2, 0.0],
                         [0.0, -s.n / sigma ** 2 + 2.0 * total_check(s, mu) / sigma ** 3]])

    def scipy(theta):
        mu, sigma = theta
        return scipy_stats().laplace_asymmetric(math.sqrt(tau / (1 - tau)), loc=mu,
                                                scale=sigma / math.sqrt(tau * (1 - tau)))

    return Family(
        spec=BY_NAME["asymmetric_laplace"].with_value(tau, shortest(tau)),
        stats=stats, chunked_stats=chunked, estimate=estimate, loglik=loglik, given=given,
        logpdf=lambda x, t: math.log(tau * (1 - tau) / t[1]) - check_loss(x - t[0], tau) / t[1],
        observed_information=observed,
        expected_information=lambda s, t: np.diag([s.n * tau * (1 - tau) / t[1] ** 2, s.n / t[1] ** 2]),
        scipy=scipy, min_n=2, needs_spread=True,
        info_note="the check loss has no second derivative in mu; its information is the "
                  "expected n tau (1-tau)/sigma^2",
        rescale=lambda c: ((c, c), (0.0, 0.0)),
    )


# ---------------------------------------------------------------- Huber
def _huber(delta):
    log_z = huber_log_norm(delta)
    inside = math.sqrt(2.0 * math.pi) * math.erf(delta / math.sqrt(2.0)) / math.exp(log_z)

    def stats(x, w):
        return SimpleNamespace(n=nm.total_weight(w, x.size), x=x, w=w, data=InMemory(x, w), median=None)

    def chunked(chunks):
        """Values held in chunks: their exact median (chunk_select: the start, as in
        memory), and every sum a pass over them."""
        from ..chunk_select import quantile
        return SimpleNamespace(n=float(chunks.n), data=OnChunks(chunks), median=quantile(chunks, 0.5)[0])

    def within(u, w):
        """sum w [|u| < delta]; unweighted a count (the same number: a sum of ones is exact)."""
        if w is None:
            return float(np.count_nonzero(np.abs(u) < delta))
        return nm.wsum((np.abs(u) < delta).astype(float), w)

    def at(s, mu):
        """(sum w rho_delta(x - mu), sum w [|x - mu| < delta]) in one pass, kept for the
        last mu (the estimate's loglik and information)."""
        def part(x, w):
            u = x - mu
            return nm.wsum(huber_loss(u, delta), w), within(u, w)
        if getattr(s, "at", (None,))[0] != mu:
            s.at = mu, s.data.sum(part)
        return s.at[1]

    def estimate(s, controls):
        """mu solves sum psi(x - mu) = 0, psi = clip(., -delta, delta): increasing in mu;
        safeguarded Newton between min(x) and max(x), stopped at tol times the data's
        range (not |mu|: at 1e13 a relative 1e-12 is 10 units), or at rounding precision.
        Every sum is taken block by block (chunks.InMemory.sum): no temporary as large
        as the data (three of them made a 1e7-value fit peak at 748 MiB)."""
        def part(x, w, mu):
            u = x - mu
            return -nm.wsum(np.clip(u, -delta, delta), w), within(u, w)

        def f(mu):
            return s.data.sum(lambda x, w: part(x, w, mu))
        lo, hi = s.data.bounds()
        start = nm.weighted_median(s.x, s.w) if s.median is None else s.median
        if lo == hi:
            return Solution((lo,), "closed form: all values equal", 0, True, start=(lo,))
        mu, it, ok = nm.solve_increasing(f, lo, hi, start, max_iter=controls.max_iter,
                                         tol=controls.tol, scale=hi - lo)
        return Solution((mu,), "Newton on the Huber score", it, ok,
                        "" if ok else f"mu did not converge in {it} iteration(s)", (start,))

    def loglik(s, theta):
        return -s.n * log_z - at(s, theta[0])[0]

    def observed(s, theta):
        return np.array([[at(s, theta[0])[1]]])

    return Family(
        spec=BY_NAME["huber"].with_value(delta, shortest(delta)),
        stats=stats, chunked_stats=chunked, estimate=estimate, loglik=loglik,
        logpdf=lambda x, t: -log_z - huber_loss(x - t[0], delta),
        observed_information=observed,
        expected_information=lambda s, t: np.array([[s.n * inside]]),
        scipy=None, min_n=1, closed=huber_closed(delta),
    )


# ---------------------------------------------------------------- huber:DELTA, unit scale
# density exp(-rho(u))/Z, rho(u) = u^2/2 for |u| <= d, d(|u| - d/2) beyond,
# Z = sqrt(2 pi)(2 Phi(d) - 1) + 2 exp(-d^2/2)/d (mlefit.families.robust)
def _huber_z(d):
    return math.sqrt(2.0 * math.pi) * math.erf(d / math.sqrt(2.0)) + 2.0 * math.exp(-0.5 * d * d) / d


def _huber_cdf(d, u):
    """P(U <= u): the exponential tail below -d, the normal piece up to 0, symmetry above."""
    from scipy.special import ndtr
    if u > 0.0:
        return 1.0 - _huber_cdf(d, -u)
    z, tail = _huber_z(d), math.exp(-0.5 * d * d) / d
    if u <= -d:
        return math.exp(d * u + 0.5 * d * d) / (d * z)
    return (tail + math.sqrt(2.0 * math.pi) * (float(ndtr(u)) - float(ndtr(-d)))) / z


def _huber_quantile(d, p):
    from scipy.special import ndtr, ndtri
    if p >= 0.5:
        return 0.0 if p == 0.5 else -_huber_quantile(d, 1.0 - p)
    z, tail = _huber_z(d), math.exp(-0.5 * d * d) / d
    if p * z <= tail:
        return (math.log(p * d * z) - 0.5 * d * d) / d
    return float(ndtri(float(ndtr(-d)) + (p * z - tail) / math.sqrt(2.0 * math.pi)))


def _huber_var(d):
    """E U^2 = (2/Z) [int_0^d u^2 e^(-u^2/2) du + int_d^inf u^2 e^(-d u + d^2/2) du]
    = (2/Z) [sqrt(2 pi)(Phi(d) - 1/2) + e^(-d^2/2) (2/d + 2/d^3)]."""
    inner = math.sqrt(2.0 * math.pi) * 0.5 * math.erf(d / math.sqrt(2.0))
    return 2.0 * (inner + math.exp(-0.5 * d * d) * (2.0 / d + 2.0 / d ** 3)) / _huber_z(d)


def huber_closed(d):
    """mean, var, cdf, sf and ppf of huber:d about its location (Family.closed)."""
    return {"mean": lambda t: t[0], "var": lambda t: _huber_var(d),
            "cdf": lambda x, t: _huber_cdf(d, x - t[0]), "sf": lambda x, t: _huber_cdf(d, t[0] - x),
            "ppf": lambda p, t: t[0] + _huber_quantile(d, p)}
