"""The per-row face of every family (families/<name>.py, DENSITY): log-density, tails and
derivatives with a parameter per row, against scipy.stats and numeric derivatives; and
the generic likelihood path (mlefit.likelihood) against each family's fast path."""
import importlib
import math
import pkgutil

import numpy as np
import pytest

import mlefit
from mlefit import families
from mlefit.families.catalog import POSITIVE, REAL, SPECS, UNIT
from mlefit.likelihood import fit_rows, loglik

from cases import CASES, REFERENCE, REFERENCE_CDF


def _huber_logpdf(theta, y, delta=1.345):
    from mlefit.families.robust import huber_log_norm, huber_loss
    return -huber_loss(y - theta[0], delta) - huber_log_norm(delta)


def _huber_cdf(theta, y, delta=1.345):
    import scipy.integrate
    return scipy.integrate.quad(lambda u: math.exp(_huber_logpdf((0.0,), u, delta)), -np.inf,
                                float(y) - theta[0], epsabs=1e-14, epsrel=1e-12)[0]


# families the shared cases lack, with a sampler from the family itself
CASES = dict(CASES)
CASES["huber:1.345"] = (lambda rng, n: families.density("huber:1.345")[0].sample(rng, n, 0.7, 1.345), (0.7,))
CASES["asymmetric_laplace:0.3"] = (
    lambda rng, n: families.get("asymmetric_laplace:0.3").draw(rng, n, (1.0, 0.8)), (1.0, 0.8))
REFERENCE = dict(REFERENCE, huber=_huber_logpdf)
REFERENCE_CDF = dict(REFERENCE_CDF, huber=_huber_cdf)


def _has_density(canonical):
    try:
        module = importlib.import_module(f"mlefit.families.{canonical}")
    except ModuleNotFoundError:
        return False
    return hasattr(module, "DENSITY") or hasattr(module, "density")


WRITTEN = [name for name in sorted(CASES) if _has_density(families.resolve(name))]


def base(name):
    return name.split(":")[0]


def spread(theta, domains, rng, n):
    """One parameter vector per row around theta, inside each domain."""
    out = []
    for t, d in zip(theta, domains):
        u = rng.uniform(-1.0, 1.0, n)
        if d == UNIT:
            out.append(1.0 / (1.0 + np.exp(-(math.log(t / (1 - t)) + 0.3 * u))))
        elif d == POSITIVE:
            out.append(t * np.exp(0.2 * u))
        else:
            out.append(t + 0.2 * (abs(t) + 1.0) * u)
    return out


def setup(name, n=60, seed=1):
    dens, shapes = families.density(name)
    rng = np.random.default_rng(seed)
    sampler, theta = CASES[name]
    y = sampler(rng, n)
    per_row = spread(theta, dens.domains, rng, n)
    return dens, shapes, y, theta, per_row


def scipy_rows(dens, shapes, name, y, per_row, what):
    """scipy's logpdf/logcdf/logsf row by row (or the cases' reference for the families
    scipy lacks)."""
    out = np.empty(y.size)
    for i in range(y.size):
        th = tuple(float(p[i]) for p in per_row)
        if base(name) in REFERENCE:
            if what == "logpdf":
                out[i] = REFERENCE[base(name)](th, y[i])
            else:
                cdf = REFERENCE_CDF[base(name)](th, y[i])
                out[i] = math.log(cdf) if what == "logcdf" else math.log1p(-cdf)
            continue
        frozen = dens.scipy(*th, *shapes)
        if what == "logpdf":
            out[i] = frozen.logpmf(y[i]) if dens.discrete else frozen.logpdf(y[i])
        else:
            out[i] = getattr(frozen, what)(y[i])
    return out


@pytest.mark.parametrize("name", WRITTEN)
def test_logpdf_per_row_equals_scipy(name):
    dens, shapes, y, theta, per_row = setup(name)
    got = dens.logpdf(y, *per_row, *shapes)
    np.testing.assert_allclose(got, scipy_rows(dens, shapes, name, y, per_row, "logpdf"), rtol=1e-11, atol=1e-12)
    # a scalar parameter is one shared by every row
    np.testing.assert_allclose(dens.logpdf(y, *theta, *shapes),
                               scipy_rows(dens, shapes, name, y, [np.full(y.size, t) for t in theta], "logpdf"),
                               rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("what", ["logcdf", "logsf"])
@pytest.mark.parametrize("name", WRITTEN)
def test_tails_per_row_equal_scipy(name, what):
    dens, shapes, y, theta, per_row = setup(name)
    got = getattr(dens, what)(y, *per_row, *shapes)
    want = scipy_rows(dens, shapes, name, y, per_row, what)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in WRITTEN if base(n) not in REFERENCE])
def test_logsf_accurate_far_in_the_upper_tail(name):
    """Where 1 - F underflows (P(Y > y) = 1e-30 and 1e-200), logsf still holds every digit."""
    dens, shapes, _, theta, _ = setup(name)
    frozen = dens.scipy(*theta, *shapes)
    for p in (1e-30, 1e-200):
        y = frozen.isf(p)
        if not np.isfinite(y) or y >= frozen.support()[1]:
            continue  # a bounded support has no far tail
        want = frozen.logsf(y)
        if not np.isfinite(want):
            # scipy's logsf underflows at its own quantile, or its isf gave up (invgauss beyond
            # 1e-16 returns 5.6e248): no trustworthy reference here; the family's own tests
            # check this tail against mpmath
            continue
        assert dens.logsf(y, *theta, *shapes) == pytest.approx(want, rel=1e-8)


def _numeric(f, theta, j, h):
    up, down = list(theta), list(theta)
    up[j] = up[j] + h[j]
    down[j] = down[j] - h[j]
    return (f(up) - f(down)) / (2.0 * h[j])


@pytest.mark.parametrize("name", [n for n in WRITTEN])
def test_score_and_hessian_equal_numeric_derivatives(name):
    dens, shapes, y, theta, per_row = setup(name)
    if dens.derivs is None:
        pytest.skip(f"{name}: no analytic derivatives ({dens.note})")
    ll, score, hess = dens.derivs(y, *per_row, *shapes)
    np.testing.assert_allclose(np.broadcast_to(ll, y.shape), dens.logpdf(y, *per_row, *shapes), rtol=1e-12, atol=1e-12)
    h = [1e-6 * np.maximum(np.abs(p), 1e-3) for p in per_row]
    for j in range(dens.k):
        if j in dens.extreme:
            continue
        want = _numeric(lambda t: dens.logpdf(y, *t, *shapes), per_row, j, h)
        np.testing.assert_allclose(np.broadcast_to(score[j], y.shape), want, rtol=1e-5, atol=1e-6,
                                   err_msg=f"score in {dens.params[j]}")
        for k in range(dens.k):
            if k in dens.extreme:
                continue
            want = _numeric(lambda t: dens.derivs(y, *t, *shapes)[1][j], per_row, k, h)
            np.testing.assert_allclose(np.broadcast_to(hess[j][k], y.shape), want, rtol=1e-5, atol=1e-6,
                                       err_msg=f"hessian in {dens.params[j]}, {dens.params[k]}")


@pytest.mark.parametrize("name", WRITTEN)
def test_generic_path_equals_fast_path(name):
    """The generic estimator (Newton on the per-row derivatives, from the family's simple
    start) reaches the fast path's estimate and log-likelihood."""
    dens, shapes, _, _, _ = setup(name)
    sampler, _ = CASES[name]
    y = sampler(np.random.default_rng(0), 301)
    fast = mlefit.fit(y, name)
    generic = fit_rows(dens, y, shapes=shapes)
    assert generic.converged, generic.message
    assert generic.loglik == pytest.approx(fast.loglik, rel=1e-10, abs=1e-9)
    if dens.smooth:
        np.testing.assert_allclose(generic.theta, [p.estimate for p in fast.parameters], rtol=1e-8, atol=1e-10)
        if generic.free:  # SEs where the fast path gives one (not pareto's exact intervals)
            se = np.sqrt(np.diag(np.linalg.inv(generic.information)))
            for i, s in zip(generic.free, se):
                if fast.parameters[i].se is not None:
                    assert s == pytest.approx(fast.parameters[i].se, rel=1e-6)


@pytest.mark.parametrize("name", WRITTEN)
def test_weights_are_repeated_rows(name):
    """An integer weight k is the row repeated k times, in the generic path too."""
    dens, shapes, _, _, _ = setup(name)
    sampler, _ = CASES[name]
    y = sampler(np.random.default_rng(2), 80)
    w = np.random.default_rng(3).integers(1, 4, y.size).astype(float)
    a = fit_rows(dens, y, w=w, shapes=shapes)
    b = fit_rows(dens, np.repeat(y, w.astype(int)), shapes=shapes)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
    if dens.smooth:  # a kink (laplace at an even total weight) may leave a flat top: any point of it
        np.testing.assert_allclose(a.theta, b.theta, rtol=1e-7)


def test_generic_path_at_large_offsets_stops_on_the_data_spread():
    """Convergence is judged on the Newton decrement and the rounding of the estimate,
    never on a step relative to |mu|: at 1e13 + N(0, 10) the fit converges and matches the
    centred fit shifted back."""
    rng = np.random.default_rng(0)
    noise = rng.normal(0.0, 10.0, 1000)
    dens, _ = families.density("normal")
    for offset in (1e9, 1e13):
        y = offset + noise
        centred = fit_rows(dens, y - offset)  # exact: the values as stored, less the offset
        got = fit_rows(dens, y)
        assert got.converged
        assert got.theta[0] - offset == pytest.approx(centred.theta[0], abs=4 * np.spacing(offset))
        assert got.theta[1] == pytest.approx(centred.theta[1], rel=1e-9)


def test_loglik_weights_are_applied_once():
    dens, _ = families.density("poisson")
    y = np.array([0.0, 1.0, 4.0])
    w = np.array([2.0, 0.5, 1.0])
    assert loglik(dens, y, (2.0,), w) == pytest.approx(float(np.dot(w, dens.logpdf(y, 2.0))))


@pytest.mark.parametrize("name", [n for n in WRITTEN if families.density(n)[0].canonical])
def test_canonical_link_terms_equal_the_chain_rule(name):
    """A family's per-row terms in the linear predictor (its canonical link) equal its
    log-density at link^-1(eta), and their derivatives equal numeric ones in eta."""
    from mlefit.regression import links
    dens, shapes, y, theta, _ = setup(name)
    link, terms, constant = dens.canonical
    eta = np.linspace(-3.0, 3.0, y.size)
    ll, d1, d2 = terms(y, eta, *shapes)
    np.testing.assert_allclose(ll + constant(y, *shapes), dens.logpdf(y, links.inverse(link)(eta)[0], *shapes),
                               rtol=1e-12, atol=1e-12)
    h = 1e-6
    up, down = terms(y, eta + h, *shapes), terms(y, eta - h, *shapes)
    np.testing.assert_allclose(d1, (up[0] - down[0]) / (2 * h), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(d2, (up[1] - down[1]) / (2 * h), rtol=1e-6, atol=1e-7)


def test_a_log_scale_parameter_near_one_converges_at_its_rounding():
    """inverse_gaussian(1, 1e6): mu = 1 is eta = log mu = 0, where eps |eta| is no step at
    all; the estimate can move only by one unit in mu's last place (eps in eta), and the
    fit stops there instead of running to its iteration limit."""
    dens, _ = families.density("inverse_gaussian")
    for seed in range(4):
        y = np.random.default_rng(seed).wald(1.0, 1e6, 3000)
        got = fit_rows(dens, y)
        assert got.converged, got.message
        fast = mlefit.fit(y, "inverse_gaussian")
        np.testing.assert_allclose(got.theta, [p.estimate for p in fast.parameters], rtol=1e-12)


@pytest.mark.parametrize("name", [n for n in WRITTEN if families.density(n)[0].expected is not None])
def test_expected_information_is_the_mean_of_minus_the_hessian(name):
    """Each closed-form expected information E[-d2 logpdf / dt^2] equals the expectation
    of minus the analytic Hessian, by summation over the support (counts) or quadrature."""
    import scipy.integrate
    dens, shapes, _, theta, _ = setup(name)
    frozen = dens.scipy(*theta, *shapes)
    want = dens.expected(*theta, *shapes)
    for j, value in enumerate(want):
        if value is None:
            continue

        def minus_h(y):
            return -np.broadcast_to(dens.derivs(np.atleast_1d(y), *theta, *shapes)[2][j][j], np.shape(np.atleast_1d(y)))
        if dens.discrete:
            k = np.arange(0.0, frozen.ppf(1 - 1e-14) + 1)
            got = float(np.sum(frozen.pmf(k) * minus_h(k)))
        else:
            lo, hi = frozen.support()
            got = scipy.integrate.quad(lambda y: frozen.pdf(y) * float(minus_h(y)[0]), lo, hi, limit=200)[0]
        assert got == pytest.approx(float(value), rel=1e-6), dens.params[j]
