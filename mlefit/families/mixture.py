"""Gaussian mixtures, normal_mixture:K: density sum_j w[j] N(x; mu[j], sigma[j]), 1 <= K <= 20.

Parameters, in this order: w[1], mu[1], sigma[1], ..., w[K], mu[K], sigma[K]. The weights
sum to one, so 3K - 1 are free (w[K] = 1 - the others). The likelihood is the same under
any relabelling of the components (label switching); the fit reports them in increasing
mu (then sigma), one labelling for every fit.

Method (mixture_em.py): the data become their distinct values with summed frequency
weights (so an integer weight is exactly a repeated row, and row order cannot matter),
centred and divided by a power of two near the sd (exact); that table merges chunk by
chunk (mixture_stats.py), so a large file streams, its fit equal to the in-memory one. EM in log space (log-sum-exp,
so far-out points do not underflow) from many starts drawn with a fixed seed (quantile
groups, k-means++, tail groups, random partitions and parameters, nested scales), the
best few carried on with Newton steps on the 3K-1 free parameters (analytic Hessian) to
full precision; the best log-likelihood wins. K = 1 is the normal fit, in closed form.

Degenerate spikes: a component on a single value with sigma -> 0 sends the likelihood to
infinity. A run in which a sigma falls below FLOOR x the data's spread (the smaller of sd
and IQR/1.349), or a weight to ~0, is discarded as collapsing (the method text says how
many were); when all are, a DataError says the data do not support K components.

Information: minus the Hessian of sum c log sum_j w_j N_j in all 3K parameters (weights
treated as free), from the per-observation score s_i = (r_ij a_ij)_j, a = d log(w N)/d
(w, mu, sigma) = (1/w, z/sigma, (z^2-1)/sigma):  H = sum_i c_i [blockdiag_j r_ij (a a^T +
d^2 log(w N)) - s_i s_i^T]. `covariance` restricts it to the free parameters, inverts and
maps back, so var(w[K]) = var(1 - the other weights).
"""
import math

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from ..inference.information import scaled_inverse
from . import mixture_em as em
from . import mixture_stats
from .base import Family, Solution
from .catalog import BY_NAME

HALF_LOG_2PI = nm.HALF_LOG_2PI


def build(name, k):
    return _family(int(k))


def _estimate(s, controls):
    if s.k == 1:
        return Solution((1.0, s.mean, math.sqrt(s.m2)),
                        "closed form: one component is the normal fit (mean, sd with divisor n)")
    return em.estimate(s, controls)


# ---------------------------------------------------------------- the family's hooks
def _check(s):
    need = 3 * s.k - 1
    if s.y.size < need:
        fewer = (s.y.size + 1) // 3
        raise DataError(
            f"normal_mixture:{s.k} needs at least {need} distinct values ({need} free parameters, "
            f"and every component needs spread); the data have {s.y.size}; use fewer components"
            + (f", e.g. normal_mixture:{fewer}" if fewer >= 1 else ""))


def _loglik(s, theta):
    return em.loglik_inside(s.y, s.counts, em.inside(s, theta)) - s.n * math.log(s.scale)


def _unscale(s):
    return np.tile([1.0, s.scale, s.scale], s.k)


def _observed(s, theta):
    d = 1.0 / _unscale(s)
    return -em.derivatives(s.y, s.counts, em.inside(s, theta))[2] * np.outer(d, d)


def _covariance(s, theta):
    a = em.free_map(s.k)
    inv = scaled_inverse(-(a.T @ em.derivatives(s.y, s.counts, em.inside(s, theta))[2] @ a))
    if inv is None:
        return None
    d = _unscale(s)
    return (a @ inv @ a.T) * np.outer(d, d)


def _split(theta):
    return np.asarray(theta, dtype=np.float64).reshape(-1, 3).T


def _logpdf(x, theta):
    x = np.asarray(x, dtype=np.float64)
    w, mu, sig = _split(theta)
    z = (x.reshape(-1) - mu[:, None]) / sig[:, None]
    lp = (np.log(w) - np.log(sig) - HALF_LOG_2PI)[:, None] - 0.5 * z * z
    top = lp.max(axis=0)
    return (top + np.log(np.exp(lp - top).sum(axis=0))).reshape(x.shape)


def _cdf(x, theta):
    from scipy.special import ndtr
    x = np.asarray(x, dtype=np.float64)
    return np.clip(sum(wj * ndtr((x - m) / sd) for wj, m, sd in zip(*_split(theta))), 0.0, 1.0)


# a component on fewer points than this, narrower than this share of the data's sd, is a
# spike on a few close values: the likelihood grows without bound as it narrows
FEW_POINTS, NARROW = 20.0, 0.25
DEGENERATE = "degenerate component"


def degenerate(s, theta):
    """Notes on the components that sit on a handful of points with a tiny sigma, and on
    how far the AIC comparison can be trusted then."""
    w, _, sig = _split(theta)
    sd = math.sqrt(s.m2) if s.m2 > 0 else 0.0
    share = w / w.sum()
    bad = [j for j in range(w.size) if s.n * share[j] < FEW_POINTS and sd > 0 and sig[j] < NARROW * sd]
    if not bad:
        return ()
    said = "; ".join(f"component {j + 1} holds about {s.n * share[j]:.3g} of {s.n:.6g} points (w = {share[j]:.3g}) "
                     f"with sigma {sig[j] / sd:.2g} of the data's sd" for j in bad)
    return (f"{DEGENERATE}{'s' if len(bad) > 1 else ''}: {said}. A narrow spike on a few close values "
            f"raises the likelihood without bound as it narrows, so the AIC or BIC advantage it wins is not "
            f"evidence of {s.k} groups: check it with a bootstrap likelihood-ratio test or more data, unless "
            f"the spike is a real repeated value (rounding, a detection limit)",)


def _sample(rng, n, theta):
    w, mu, sig = _split(theta)
    j = rng.choice(w.size, size=n, p=w / w.sum())
    return rng.normal(mu[j], sig[j])


def _map_fit(result, given):
    """A prior on a mixture: MAP-EM from many starts (priors/mixture.py)."""
    from ..priors.mixture import fit_map
    return fit_map(result, given)


def _family(k):
    one = k == 1
    return Family(
        spec=BY_NAME["normal_mixture"].with_value(k, k),
        stats=mixture_stats.stats(k), merge=mixture_stats.merge, estimate=_estimate, loglik=_loglik, logpdf=_logpdf,
        refine=None if k == 1 else em.refine,
        observed_information=_observed, scipy=lambda theta: None, check=_check,
        boundary=(lambda s, t, conf: {0: (1.0, 1.0, "one component: its weight is 1 by construction")})
        if one else None,
        covariance=_covariance,
        param_names=lambda s: [f"{p}[{j}]" for j in range(1, k + 1) for p in ("w", "mu", "sigma")],
        rescale=lambda f: ((1.0, f, f) * k, (0.0,) * (3 * k)),
        cdf=_cdf, sample=_sample, closed=CLOSED,
        param_domains=lambda s: ("unit", "real", "positive") * k,
        free_count=lambda s: 3 * k - 1,
        constraint=lambda s: em.free_map(s.k), map_fit=_map_fit,
        min_n=3 * k - 1, needs_spread=True,
        estimate_notes=None if one else degenerate,
        info_note="" if one else
        f"standard errors from the observed information of the {3 * k - 1} free parameters "
        f"(w[{k}] = 1 - the other weights); components labelled in increasing mu",
    )


# ---------------------------------------------------------------- its distribution, for --derive
def _components(theta):
    """Weights (normalised: off the constraint, as in a numeric derivative, any smooth
    extension gives the same delta method, and this one leaves one component's weight
    out of everything), means and sds of a normal mixture."""
    w, mu, sigma = np.asarray(theta, dtype=np.float64).reshape(-1, 3).T
    return w / np.sum(w), mu, sigma


def _mixture_quantile(theta, p):
    """The root of cdf(x) = p (of sf(x) = 1 - p above the median, for tail accuracy)."""
    from scipy.special import ndtr

    from ..scalar_search import find_root
    w, mu, sigma = _components(theta)
    if not (np.all(sigma > 0) and np.all(np.isfinite(theta))):
        return math.nan
    if p <= 0.5:
        def g(x):
            return float(np.sum(w * ndtr((x - mu) / sigma))) - p
    else:
        def g(x):
            return (1.0 - p) - float(np.sum(w * ndtr((mu - x) / sigma)))
    lo, hi = float(np.min(mu - 40.0 * sigma)), float(np.max(mu + 40.0 * sigma))
    if not g(lo) < 0.0 < g(hi):
        return math.nan
    return float(find_root(g, lo, hi, 1e-300, 4.0 * np.finfo(float).eps, 500))


def _mixture_cdf(x, theta, upper=False):
    from scipy.special import ndtr
    w, mu, sigma = _components(theta)
    return float(np.sum(w * ndtr((mu - x) / sigma if upper else (x - mu) / sigma)))


def _mixture_var(theta):
    w, mu, sigma = _components(theta)
    centre = np.sum(w * mu)
    return float(np.sum(w * (sigma ** 2 + (mu - centre) ** 2)))


CLOSED = {"mean": lambda t: float(np.sum(_components(t)[0] * _components(t)[1])), "var": _mixture_var,
          "ppf": lambda p, t: _mixture_quantile(t, p), "cdf": _mixture_cdf,
          "sf": lambda x, t: _mixture_cdf(x, t, upper=True)}
