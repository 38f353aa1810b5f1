"""The shaped families behind the pinball and Huber losses, checked like every family."""
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import scipy.stats

import mlefit
from mlefit import families
from mlefit.families.robust import huber_log_norm, huber_loss
from mlefit.inference.information import numeric_hessian

X = np.random.default_rng(11).standard_t(3, 301) * 2.0 + 1.0


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_asymmetric_laplace_against_scipy(tau):
    fam = families.get(f"asymmetric_laplace:{tau}")
    r = mlefit.fit(X, fam)
    theta = tuple(p.estimate for p in r.parameters)
    ref = fam.scipy(theta).logpdf(X)
    np.testing.assert_allclose(fam.logpdf(X, theta), ref, rtol=1e-12, atol=1e-13)
    assert r.loglik == pytest.approx(ref.sum(), rel=1e-12)
    # the estimate is the optimum of scipy's likelihood
    nll = lambda t: -fam.scipy((t[0], math.exp(t[1]))).logpdf(X).sum()  # noqa: E731
    opt = scipy.optimize.minimize(nll, [np.median(X), 0.0], method="Nelder-Mead",
                                  options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert -r.loglik <= opt.fun + 1e-9 * abs(opt.fun)
    assert r.estimates["mu"] == pytest.approx(np.quantile(X, tau, method="inverted_cdf"), abs=0.5)
    # the scale's information equals the numeric Hessian of scipy's NLL
    h = numeric_hessian(lambda s: -fam.scipy((theta[0], s[0])).logpdf(X).sum(), [theta[1]])
    assert fam.observed_information(fam.stats(X, None), theta)[1, 1] == pytest.approx(h[0, 0], rel=1e-5)


def test_asymmetric_laplace_at_half_is_laplace():
    r = mlefit.fit(X, "asymmetric_laplace:0.5")
    lap = mlefit.fit(X, "laplace")
    assert r.estimates["mu"] == lap.estimates["mu"]
    assert r.estimates["sigma"] * 2 == pytest.approx(lap.estimates["b"], rel=1e-14)
    assert r.loglik == pytest.approx(lap.loglik, rel=1e-13)


@pytest.mark.parametrize("delta", [0.3, 1.345, 5.0])
def test_huber_density_is_normalised_and_fitted(delta):
    z = scipy.integrate.quad(lambda u: math.exp(-float(huber_loss(u, delta))), -np.inf, np.inf,
                             epsabs=1e-13, epsrel=1e-13, points=None)[0]
    assert math.log(z) == pytest.approx(huber_log_norm(delta), rel=1e-10)
    fam = families.get(f"huber:{delta}")
    r = mlefit.fit(X, fam)
    mu = r.estimates["mu"]
    nll = lambda m: float(np.sum(huber_loss(X - m, delta)))  # noqa: E731
    ref = scipy.optimize.minimize_scalar(nll, bounds=(X.min(), X.max()), method="bounded",
                                         options={"xatol": 1e-12})
    assert nll(mu) <= ref.fun + 1e-9
    assert r.loglik == pytest.approx(float(np.sum(fam.logpdf(X, (mu,)))), rel=1e-13)
    assert r.loglik == pytest.approx(-X.size * math.log(z) - nll(mu), rel=1e-10)
    info = fam.observed_information(fam.stats(X, None), (mu,))[0, 0]
    assert info == np.sum(np.abs(X - mu) < delta)
    # expected information: n P(|X - mu| < delta) under the Huber density
    inside = scipy.integrate.quad(lambda u: math.exp(-float(huber_loss(u, delta))) / z, -delta, delta)[0]
    assert fam.expected_information(fam.stats(X, None), (mu,))[0, 0] == pytest.approx(X.size * inside, rel=1e-10)


def test_shaped_family_names_need_their_value():
    with pytest.raises(mlefit.FamilyError, match=r"needs its tau after a colon, e.g. asymmetric_laplace:0.9"):
        mlefit.fit(X, "asymmetric_laplace")
    with pytest.raises(mlefit.FamilyError, match="tau must be strictly between 0 and 1"):
        mlefit.fit(X, "ald:1")


def test_huber_sums_block_by_block_with_the_whole_arrays_results(monkeypatch):
    """huber's estimate, log-likelihood and information sum over blocks of the values
    (chunks.InMemory.sum: a 1e7-value fit peaked at 748 MiB with whole-array
    temporaries, 376 after): no call sees more than a block, and the fit solves the
    score equation, with the log-likelihood and information of the whole arrays."""
    from mlefit.io import chunks
    monkeypatch.setattr(chunks, "BLOCK", 64)
    sizes, original = [], chunks.InMemory.sum

    def recording(self, fn, block=None):
        return original(self, lambda x, w: sizes.append(x.size) or fn(x, w), block)
    monkeypatch.setattr(chunks.InMemory, "sum", recording)
    x = np.random.default_rng(6).standard_t(3.0, 1001) + 5.0
    fit = mlefit.fit(x, "huber:1.345")
    mu = fit.estimates["mu"]
    assert sizes and max(sizes) <= 64
    assert abs(np.sum(np.clip(x - mu, -1.345, 1.345))) <= 1e-9 * x.size
    assert fit.loglik == pytest.approx(-x.size * huber_log_norm(1.345) - np.sum(huber_loss(x - mu, 1.345)),
                                       rel=1e-13)
    inside = np.count_nonzero(np.abs(x - mu) < 1.345)
    assert fit.parameters[0].se == pytest.approx(1.0 / math.sqrt(inside), rel=1e-12)


@pytest.mark.parametrize("name,tau", [("laplace", 0.5), ("asymmetric_laplace:0.3", 0.3)])
def test_check_loss_sums_block_by_block(monkeypatch, name, tau):
    """laplace's and asymmetric_laplace's sums of |x - mu| and of the check loss are taken
    block by block (a 1e7-value fit peaked at 519 MiB with two whole-array temporaries,
    367 after), and once at the estimate: the scale is the mean check loss (for laplace,
    the mean absolute deviation) of the whole array at the quantile, and the
    log-likelihood agrees."""
    from mlefit.io import chunks
    from mlefit.families.robust import check_loss
    monkeypatch.setattr(chunks, "BLOCK", 64)
    sizes, original = [], chunks.InMemory.sum

    def recording(self, fn, block=None):
        return original(self, lambda x, w: sizes.append(x.size) or fn(x, w), block)
    monkeypatch.setattr(chunks.InMemory, "sum", recording)
    x = np.random.default_rng(7).gamma(2.0, 3.0, 1001)
    fit = mlefit.fit(x, name)
    mu, scale = fit.estimates.values()
    assert sizes and max(sizes) <= 64 and len(sizes) == -(-x.size // 64)  # one pass: kept at the estimate
    mean = np.mean(check_loss(x - mu, tau))
    assert scale == pytest.approx(2.0 * mean if name == "laplace" else mean, rel=1e-13)
    density = families.get(name).logpdf(x, (mu, scale))
    assert fit.loglik == pytest.approx(float(np.sum(density)), rel=1e-13)


@pytest.mark.parametrize("delta", [1.345, 0.5, 1e-3, 2.2e-308, 1e300])
def test_huber_loss_is_its_two_branch_definition_to_the_bit(delta):
    """huber_loss as c (u - c/2), c = clip(u, -delta, delta): bit for bit the definition
    u^2/2 within delta, delta (|u| - delta/2) beyond, at every magnitude and both infinities."""
    rng = np.random.default_rng(5)
    u = np.concatenate((rng.normal(size=20000) * rng.choice([1e-300, 1e-5, 1.0, 1e5, 1e200], 20000),
                        [np.inf, -np.inf, 0.0, delta, -delta, np.nextafter(delta, 0.0)]))
    a = np.abs(u)
    with np.errstate(over="ignore"):
        want = np.where(a <= delta, 0.5 * u * u, delta * (a - 0.5 * delta))
        got = huber_loss(u, delta)
    assert np.array_equal(got, want)
    rows = rng.uniform(0.1, 3.0, u.size)  # a delta per row
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.array_equal(huber_loss(u, rows), np.where(a <= rows, 0.5 * u * u, rows * (a - 0.5 * rows)))
