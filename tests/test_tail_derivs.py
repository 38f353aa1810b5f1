"""The closed-form derivatives of an interval's log-probability (tail_derivs.interval_derivs):
each row takes the form that does not cancel (log-CDFs in the lower part of the
distribution, log-survivals in the upper), elementwise in its own bounds; so a row's
numbers are those it has alone, whatever the other rows, and they are the derivatives of
log(F(hi) - F(lo)) (scipy.stats, by central differences), far in either tail too."""
import numpy as np
import pytest
from scipy import stats

from mlefit import families
from mlefit.censored.tail_derivs import interval_derivs

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


@pytest.mark.parametrize("name, theta, _", CASES)
def test_hessian_is_the_derivative_of_the_score(name, theta, _):
    """The Hessian of log(F(hi) - F(lo)) (both forms, rows at the support's edge among
    them) equals central differences of the score, which test_against_scipy checks."""
    dens, shapes = families.density(name)
    lo, hi = bounds(5)
    _, _, hess, _ = interval_derivs(dens, lo, hi, theta, shapes, 1.0)
    for j in range(len(theta)):
        h = 1e-5 * theta[j]
        up, down = list(theta), list(theta)
        up[j] += h
        down[j] -= h
        s_up = interval_derivs(dens, lo, hi, up, shapes, 1.0)[1]
        s_down = interval_derivs(dens, lo, hi, down, shapes, 1.0)[1]
        for i in range(len(theta)):
            assert np.allclose(hess[i][j], (s_up[i] - s_down[i]) / (2 * h), rtol=1e-6, atol=1e-8), (i, j)
            assert np.array_equal(hess[i][j], hess[j][i])


def test_far_tails_of_the_normal():
    """Intervals 30 standard deviations out on either side (probabilities near 1e-200,
    where F(hi) - F(lo) would be 0 - 0 and 1 - 1): the value and the derivatives are
    those of log(Phi(b) - Phi(a)) taken where it does not cancel (scipy's log_ndtr),
    by central differences."""
    from scipy.special import log_ndtr

    dens, shapes = families.density("normal")
    lo = np.array([-31.0, -30.5, 29.0, 30.0, -1.0])
    hi = np.array([-30.0, -30.49, 29.5, 40.0, 30.0])

    def logp(t):
        a, b = (lo - t[0]) / t[1], (hi - t[0]) / t[1]
        lower = np.log(-np.expm1(log_ndtr(-b))) <= log_ndtr(-a)
        big = np.where(lower, log_ndtr(b), log_ndtr(-a))
        small = np.where(lower, log_ndtr(a), log_ndtr(-b))
        return big + np.log1p(-np.exp(small - big))
    theta = (0.0, 1.0)
    value, score, hess, _ = interval_derivs(dens, lo, hi, theta, shapes, 1.0)
    np.testing.assert_allclose(value, logp(theta), rtol=1e-13)
    assert np.all(value[:4] < -400)
    for j in range(2):
        h = 1e-4
        up, down = list(theta), list(theta)
        up[j] += h
        down[j] -= h
        np.testing.assert_allclose(score[j], (logp(up) - logp(down)) / (2 * h), rtol=1e-6)
        for i in range(2):
            s_up = interval_derivs(dens, lo, hi, up, shapes, 1.0)[1][i]
            s_down = interval_derivs(dens, lo, hi, down, shapes, 1.0)[1][i]
            np.testing.assert_allclose(hess[i][j], (s_up - s_down) / (2 * h), rtol=1e-6)


def test_far_lower_tail_of_a_left_censored_normal():
    """log F(y) 30 standard deviations below the mean (F near 1e-200, S/F near 1e200):
    its Hessian is finite and the derivative of its score, the score that of scipy's
    log_ndtr, where S/F (1 + S/F) would overflow."""
    from scipy.special import log_ndtr

    from mlefit.censored.tail_derivs import tail_derivs

    dens, shapes = families.density("normal")
    y = np.array([-35.0, -30.0, -5.0, 0.0, 3.0])
    theta, h = (0.0, 1.0), 1e-5
    value, score, hess, _ = tail_derivs(dens, "left", y, theta, shapes, 1.0)
    np.testing.assert_allclose(value, log_ndtr(y), rtol=1e-13)
    for j in range(2):
        up, down = list(theta), list(theta)
        up[j] += h
        down[j] -= h
        numeric = (log_ndtr((y - up[0]) / up[1]) - log_ndtr((y - down[0]) / down[1])) / (2 * h)
        np.testing.assert_allclose(score[j], numeric, rtol=1e-6)
        for i in range(2):
            s_up = tail_derivs(dens, "left", y, up, shapes, 1.0)[1][i]
            s_down = tail_derivs(dens, "left", y, down, shapes, 1.0)[1][i]
            np.testing.assert_allclose(hess[i][j], (s_up - s_down) / (2 * h), rtol=1e-6)


def test_normal_log_survival_is_scipys_log_ndtr_everywhere():
    """log S of the normal (taken from ndtr where that is accurate, log_ndtr's own
    formulas beyond) is scipy's log_ndtr(-v) to 1e-15 from -40 to 40 standard units,
    with its derivative h = phi/S in both tails."""
    from scipy.special import log_ndtr

    dens, _ = families.density("normal")
    y = np.r_[np.linspace(-40.0, 40.0, 8001), -20.0, -1.0, 1.0, 20.0]
    value, score, _ = dens.sf_derivs(y, 0.0, 1.0)
    ref = log_ndtr(-y)
    np.testing.assert_allclose(value, ref, rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(score[0], np.exp(-0.5 * y * y - 0.5 * np.log(2 * np.pi) - ref), rtol=1e-12)


@pytest.mark.parametrize("name, theta, _", CASES)
def test_a_scalar_row(name, theta, _):
    """Scalar bounds and parameters (a row of its own) give the numbers of a row of one."""
    dens, shapes = families.density(name)
    one = flat(interval_derivs(dens, np.array([2.0]), np.array([3.0]), theta, shapes, 1.0))
    alone = flat(interval_derivs(dens, np.float64(2.0), np.float64(3.0), theta, shapes, 1.0))
    assert all(np.ndim(b) == 0 for b in alone)
    np.testing.assert_allclose(np.array(alone, dtype=float), np.array([a[0] for a in one]), rtol=1e-14)


def test_far_tails_of_the_weibull():
    """Weibull intervals where F(hi) is near 1e-200 (bounds near 0) and where S(lo) is
    near e^-500: value and score are those of log(F(hi) - F(lo)) taken where it does not
    cancel (scipy's logcdf and logsf), the Hessian the derivative of the score."""
    lo = np.array([1e-140, 2e-140, 1.0, 2.0 * 500.0 ** (1 / 1.5), 2.0 * 400.0 ** (1 / 1.5)])
    hi = np.array([3e-140, 2.5e-140, 2.0, 2.0 * 510.0 ** (1 / 1.5), 2.0 * 401.0 ** (1 / 1.5)])
    dens, shapes = families.density("weibull")

    def logp(t):
        d = stats.weibull_min(t[0], scale=t[1])
        a, b = d.logcdf(hi), d.logcdf(lo)  # the lower part: log F(hi) + log1p(-F(lo)/F(hi))
        c, e = d.logsf(lo), d.logsf(hi)  # the upper part
        with np.errstate(divide="ignore"):  # each form where it cancels, which np.where leaves out
            return np.where(a <= c, a + np.log1p(-np.exp(b - a)), c + np.log1p(-np.exp(e - c)))
    theta = (1.5, 2.0)
    value, score, hess, _ = interval_derivs(dens, lo, hi, theta, shapes, 1.0)
    np.testing.assert_allclose(value, logp(theta), rtol=1e-11)
    assert value[0] < -400 and value[3] < -400
    for j in range(2):
        h = 1e-6 * theta[j]
        up, down = list(theta), list(theta)
        up[j] += h
        down[j] -= h
        np.testing.assert_allclose(score[j], (logp(up) - logp(down)) / (2 * h), rtol=1e-6)
        s_up = interval_derivs(dens, lo, hi, up, shapes, 1.0)[1]
        s_down = interval_derivs(dens, lo, hi, down, shapes, 1.0)[1]
        for i in range(2):
            np.testing.assert_allclose(hess[i][j], (s_up[i] - s_down[i]) / (2 * h), rtol=1e-6)
