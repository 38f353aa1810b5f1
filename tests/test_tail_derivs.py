"""The closed-form derivatives of an interval's log-probability (tail_derivs.interval_derivs):
each row takes the form that does not cancel (log-CDFs in the lower part of the
distribution, log-survivals in the upper), computed on its own rows and put back in
place; so a row's numbers are those it has alone, whatever the other rows, and they are
the derivatives of log(F(hi) - F(lo)) (scipy.stats, by central differences)."""
import numpy as np
import pytest
from scipy import stats

from mlefit import families
from mlefit.tail_derivs import interval_derivs

CASES = [("lognormal", (1.0, 0.5), lambda t: stats.lognorm(t[1], scale=np.exp(t[0]))),
         ("weibull", (1.5, 2.0), lambda t: stats.weibull_min(t[0], scale=t[1])),
         ("normal", (3.0, 1.5), lambda t: stats.norm(t[0], t[1])),
         ("log_logistic", (2.0, 3.0), lambda t: stats.fisk(t[0], scale=t[1])),
         ("exponential", (0.4,), lambda t: stats.expon(scale=1 / t[0]))]


def bounds(seed):
    rng = np.random.default_rng(seed)
    y = np.exp(rng.normal(1.0, 0.8, 400))
    w = rng.uniform(0.05, 2.0, 400)
    lo = np.maximum(y - w, 0.0)
    lo[:3] = 0.0  # from the support's edge
    return lo, lo + w


def flat(d):
    value, score, hess, noise = d
    return [value, *score, *[h for row in hess for h in row], *noise]


@pytest.mark.parametrize("name, theta, _", CASES)
def test_each_row_alone(name, theta, _):
    dens, shapes = families.density(name)
    lo, hi = bounds(1)
    together = flat(interval_derivs(dens, lo, hi, theta, shapes, 1.0))
    for i in (0, 1, 5, 17, 200, 399):
        alone = flat(interval_derivs(dens, lo[i:i + 1], hi[i:i + 1], theta, shapes, 1.0))
        assert all(np.array_equal(a[i:i + 1], b, equal_nan=True) for a, b in zip(together, alone)), i
    rng = np.random.default_rng(2)  # per-row parameters (a regression's)
    rows = tuple(t * np.exp(rng.normal(0, 0.2, lo.size)) for t in theta)
    together = flat(interval_derivs(dens, lo, hi, rows, shapes, 1.0))
    for i in (3, 50, 333):
        alone = flat(interval_derivs(dens, lo[i:i + 1], hi[i:i + 1], tuple(t[i:i + 1] for t in rows), shapes, 1.0))
        assert all(np.array_equal(a[i:i + 1], b, equal_nan=True) for a, b in zip(together, alone)), i


@pytest.mark.parametrize("name, theta, frozen", CASES)
def test_against_scipy(name, theta, frozen):
    dens, shapes = families.density(name)
    lo, hi = bounds(3)
    value, score, _, _ = interval_derivs(dens, lo, hi, theta, shapes, 1.0)

    def logp(t):  # scipy's difference on the side where it does not cancel
        d = frozen(t)
        with np.errstate(divide="ignore"):
            return np.where(d.cdf(hi) < 0.5, np.log(d.cdf(hi) - d.cdf(lo)), np.log(d.sf(lo) - d.sf(hi)))
    assert np.allclose(value, logp(theta), rtol=1e-12)
    for j in range(len(theta)):
        h = 1e-5 * theta[j]
        up, down = list(theta), list(theta)
        up[j] += h
        down[j] -= h
        assert np.allclose(score[j], (logp(up) - logp(down)) / (2 * h), rtol=1e-7, atol=1e-9), j


@pytest.mark.parametrize("name, theta, _", CASES)
def test_rows_inside_the_support_alike_with_or_without_one_outside(name, theta, _):
    """log S's derivatives of rows inside a positive support are the same numbers when
    another row lies at its edge (where they are 0) and when none does."""
    dens, _ = families.density(name)
    y = bounds(4)[1]
    inside = flat((*dens.sf_derivs(y, *theta), ()))
    edge = flat((*dens.sf_derivs(np.r_[0.0, y], *theta), ()))
    assert all(np.array_equal(a, b[1:]) for a, b in zip(inside, edge))
    assert name == "normal" or all(b[0] == 0 for b in edge)  # normal: 0 is inside its support
