"""beta_binomial(a, b) with trials t per row (a trailing argument): per-row log-mass,
tails and derivatives. C(t, y) B(y + a, t - y + b) / B(a, b), y = 0..t."""
import numpy as np

from .base import scipy_stats
from .catalog import POSITIVE, Param, Spec
from .counts_common import inside_unit, log_choose, masked, on_support, tail, wsum
from .rowwise import Density, Limit
from .tails import LN2, log1mexp


SPEC = Spec("beta_binomial", (Param("a", POSITIVE, "first shape (alpha)"), Param("b", POSITIVE, "second shape (beta)")),
            "count", True, False, "C(trials, x) B(x+a, trials-x+b) / B(a, b), x = 0..trials",
            "betabinom(n=trials, a=a, b=b)", "extraDistr::dbbinom(x, size=trials, alpha=a, beta=b)",
            aliases=("betabinom", "betabinomial"), shape="trials",
            estimator="Newton on (log a, log b) from the method of moments", listed=290, select_rank=70,
            nests=(("binomial", "beta_binomial as a + b -> infinity", 1, True, 70),),
            shape_example="10", shape_rule="a positive whole number",
            shape_range=(1, True, 9007199254740992, False, True))


def _log_terms(y, a, b, t):
    """log C(t, y) + log B(y + a, t - y + b): the log-mass before its constant -log B(a, b)."""
    from scipy.special import betaln
    return log_choose(t, y) + betaln(y + a, t - y + b)


def logpdf(y, a, b, trials):
    from scipy.special import betaln
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _log_terms(y, a, b, trials) - betaln(a, b)
    return masked(on_support(y, trials), value)


def derivs(y, a, b, trials):
    """d/da = psi(y+a) - psi(a) - psi(t+a+b) + psi(a+b), and likewise in b with t - y;
    the Hessian the same in trigamma (the cross term only from t+a+b and a+b)."""
    from scipy.special import digamma, polygamma
    y = np.asarray(y, dtype=np.float64)
    fails, ab, tab = trials - y, a + b, trials + a + b
    common = digamma(ab) - digamma(tab)
    d_a = digamma(y + a) - digamma(a) + common
    d_b = digamma(fails + b) - digamma(b) + common
    h_ab = polygamma(1, ab) - polygamma(1, tab) + 0.0 * y
    h_aa = polygamma(1, y + a) - polygamma(1, a) + h_ab
    h_bb = polygamma(1, fails + b) - polygamma(1, b) + h_ab
    return logpdf(y, a, b, trials), (d_a, d_b), ((h_aa, h_ab), (h_ab, h_bb))


def _log_mass_sums(k, a, b, trials):
    """(log P(Y <= k), log P(Y > k)) per row, k in 0..t-1. scipy.special has no
    beta-binomial distribution function: each tail is the running log-sum of its own
    terms (np.logaddexp.accumulate, upwards from 0 and downwards from t), so neither is
    1 - the other, far out in either tail. The terms are computed once per distinct
    (a, b, t), for a few thousand of them at a time (at most about 2^21 terms)."""
    from scipy.special import betaln
    k, a, b, t = (v.ravel() for v in np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (k, a, b, trials))))
    groups, which = np.unique(np.column_stack([a, b, t]), axis=0, return_inverse=True)
    order = np.argsort(which.ravel(), kind="stable")
    which, k = which.ravel()[order], k[order].astype(np.int64)
    lower, upper = np.empty(k.size), np.empty(k.size)
    j = np.arange(int(groups[:, 2].max()) + 1, dtype=np.float64) if k.size else np.zeros(1)
    step = max(1, 2 ** 21 // j.size)
    for g0 in range(0, len(groups), step):
        ga, gb, gt = (groups[g0:g0 + step, i][:, None] for i in range(3))
        with np.errstate(invalid="ignore"):  # j beyond a group's t: no mass
            terms = np.where(j <= gt, _log_terms(j, ga, gb, gt), -np.inf) - betaln(ga, gb)
        at_most = np.logaddexp.accumulate(terms, axis=1)  # log P(Y <= j)
        at_least = np.logaddexp.accumulate(terms[:, ::-1], axis=1)[:, ::-1]  # log P(Y >= j)
        lo, hi = np.searchsorted(which, [g0, g0 + step])
        g, kk = which[lo:hi] - g0, k[lo:hi]
        lower[order[lo:hi]], upper[order[lo:hi]] = at_most[g, kk], at_least[g, kk + 1]
    return lower, upper


def _tail(y, a, b, trials, upper):
    """log P(Y > k) (upper) or log P(Y <= k), k = floor(y): the direct sum where it is at
    most 1/2, else log(1 - the other tail's sum), which is then accurate near 0."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in (y, a, b, trials)))

    def formula(k):
        below, above = _log_mass_sums(k, a, b, trials)
        want, other = (above, below) if upper else (below, above)
        return np.where(want <= -LN2, want, log1mexp(other)).reshape(shape)

    return formula


def logcdf(y, a, b, trials):
    return tail(y, _tail(y, a, b, trials, False), -np.inf, trials, 0.0)


def logsf(y, a, b, trials):
    return tail(y, _tail(y, a, b, trials, True), 0.0, trials, -np.inf)


def start(y, w, trials):
    """The method of moments: p = sum w y / sum w t and the intra-class correlation
    rho = 1/(a+b+1) from sum w (y - t p)^2 = p (1-p) sum w t (1 + (t-1) rho), kept in
    [1e-6, 0.9] (data not overdispersed have no finite MLE: the binomial limit)."""
    y = np.asarray(y, dtype=np.float64)
    t = np.broadcast_to(np.asarray(trials, dtype=np.float64), y.shape)
    p = inside_unit(wsum(y, y, w) / wsum(t, y, w), 1e-6)
    spread = p * (1.0 - p)
    pairs = wsum(t * (t - 1.0), y, w)
    excess = wsum((y - t * p) ** 2, y, w) - spread * wsum(t, y, w)
    rho = min(max(excess / (spread * pairs), 1e-6), 0.9) if pairs > 0 else 0.5
    return p * (1.0 / rho - 1.0), (1.0 - p) * (1.0 / rho - 1.0)


def sample(rng, size, a, b, trials):
    return rng.binomial(np.asarray(trials).astype(np.int64), rng.beta(a, b, size)).astype(np.float64)


DENSITY = Density(
    name="beta_binomial", params=("a", "b"), domains=(POSITIVE, POSITIVE), discrete=True,
    shapes=("trials",), logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=sample, scipy=lambda a, b, trials: scipy_stats().betabinom(trials, a, b),
    note="a and b have no finite MLE when the data are not overdispersed (the binomial limit)",
    limit=Limit(family=lambda trials: f"binomial:{trials:g}", near=lambda theta: theta[0] + theta[1] > 1e4,
                inside=lambda theta: tuple(10.0 * t / (theta[0] + theta[1]) for t in theta),
                going=("a", "b"), why="the values are not overdispersed, so the fit tends to the binomial "
                                      "limit (a, b -> infinity with a/(a+b) = p); use --dist binomial",
                start=lambda theta: (theta[0], 1.0 - theta[0])),
)


def build(trials):
    """beta_binomial:TRIALS (a whole number), or beta_binomial with trials per row (None: its data are
    the rows (successes, trials)): the fast path's record (counts.py)."""
    from .counts import build
    return build("beta_binomial", trials)
