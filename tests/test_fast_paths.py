"""The fast paths of the statistics (one-pass moments, sums of logs by blocks, direct
differences for the gamma d, the inverse Gaussian D and the pareto T) agree with the
careful forms, and with exact arithmetic, to the precision their error bounds promise;
where a bound says the fast path is not good enough, the careful form is what is used.
No timings here: benchmarks/ measures speed."""
import math
from fractions import Fraction

import numpy as np
import pytest

import mlefit
from mlefit import families
from mlefit import numerics as nm
from mlefit import special_series as ss
from mlefit.families import beta, gamma, inverse_gaussian, pareto


def exact_sum(values):
    return sum((Fraction(v) for v in values), Fraction(0))


def exact_mean_m2(x, w=None):
    w = np.ones_like(x) if w is None else w
    n = exact_sum(w.tolist())
    wx = [Fraction(a) * Fraction(b) for a, b in zip(w.tolist(), x.tolist())]
    mean = sum(wx, Fraction(0)) / n
    m2 = sum((Fraction(b) * (Fraction(a) - mean) ** 2 for a, b in zip(x.tolist(), w.tolist())), Fraction(0)) / n
    return mean, m2


def rel(a, b):
    return abs(float(a) - float(b)) / abs(float(b))


def careful_gamma_d(x):
    """The cancellation-free form of d = log(mean) - mean(log x), as the gamma stats take it."""
    mean = nm.mean(x)
    t = (x - mean) / mean
    return ss.log1pmx(float(np.sum(t)) / x.size) - float(np.sum(ss.log1pmx_array(t))) / x.size


# ---------------------------------------------------------------- moments
@pytest.mark.parametrize("centre,spread", [(3.0, 2.0), (0.0, 1.0), (-5.0, 3.0), (1e9, 1e-3), (1.0, 1e-9),
                                           (170.0, 10.0)])
def test_mean_and_m2_to_full_precision(centre, spread):
    """One pass where the mean is small against the spread, two about the mean (with the
    compensation term) where it is not: 1e9 with a spread of 1e-3 keeps every digit."""
    x = centre + spread * np.random.default_rng(4).standard_normal(5001)
    mean, m2 = nm.mean_and_m2(x)
    exact_mean, exact_m2 = exact_mean_m2(x)
    assert abs(mean - float(exact_mean)) <= 2 * math.ulp(float(exact_mean)) + 1e-16 * spread
    assert rel(m2, exact_m2) < 1e-13


def test_mean_and_m2_weighted_to_full_precision():
    rng = np.random.default_rng(5)
    w = rng.integers(1, 5, 3001).astype(float)
    for x in (rng.gamma(2.0, 3.0, 3001), 1e9 + 1e-3 * rng.standard_normal(3001)):
        mean, m2 = nm.mean_and_m2(x, w)
        exact_mean, exact_m2 = exact_mean_m2(x, w)
        assert rel(mean, exact_mean) < 1e-15 and rel(m2, exact_m2) < 1e-13
        rep = np.repeat(x, w.astype(int))
        assert rel(nm.mean_and_m2(rep)[1], exact_m2) < 1e-13


@pytest.mark.parametrize("centre,spread", [(10.0, 3.0), (1e6, 1.0), (-1e9, 1e-3), (1.0, 1e-9)])
def test_mean_and_m2_takes_one_pass_about_a_value_of_the_data(centre, spread, monkeypatch):
    """Data far from 0 against their spread (normal(10, 3), and further) take the one
    shifted pass, never a second: the shift is a value of the data, so (mean - shift)^2
    stays within a few m2 however large the mean."""
    calls = []
    shifted = nm.shifted_sums
    monkeypatch.setattr(nm, "shifted_sums", lambda *a, **k: calls.append(a[2]) or shifted(*a, **k))
    x = centre + spread * np.random.default_rng(7).standard_normal(200_003)
    mean, m2 = nm.mean_and_m2(x)
    assert len(calls) == 1
    exact_mean, exact_m2 = exact_mean_m2(x[:2001])  # the exact check on a part (Fractions are slow)
    small = nm.mean_and_m2(x[:2001])
    assert abs(small[0] - float(exact_mean)) <= 2 * math.ulp(float(exact_mean)) + 1e-16 * spread
    assert rel(small[1], exact_m2) < 1e-13
    ref = math.fsum(x.tolist()) / x.size  # a compensated two-pass reference for the whole
    d = x - ref
    assert rel(m2, (math.fsum((d * d).tolist()) - math.fsum(d.tolist()) ** 2 / x.size) / x.size) < 1e-13


def test_mean_and_m2_with_an_outlier_for_a_shift():
    """Where the shift lands on an outlier, a second pass about the mean keeps every digit."""
    x = 1e9 + 1e-3 * np.random.default_rng(8).standard_normal(3001)
    x[0] = x[1500] = x[-1] = 1e12
    mean, m2 = nm.mean_and_m2(x)
    exact_mean, exact_m2 = exact_mean_m2(x)
    assert rel(mean, exact_mean) < 1e-15 and rel(m2, exact_m2) < 1e-13


@pytest.mark.parametrize("rows", ["vecdot", "einsum"])
def test_dot_is_within_its_bound(rows, monkeypatch):
    """Whichever kernel takes the rows' dots (numpy 2's vecdot, einsum before it), and
    whether or not n is a whole number of rows."""
    if rows == "einsum":
        monkeypatch.setattr(nm, "_row_dots", nm._row_dots_einsum)
        monkeypatch.setattr(nm, "_short_dot", nm._short_dot_einsum)
    rng = np.random.default_rng(6)
    for n in (3, nm.DOT_BLOCK - 1, 700, 1023, 100 * nm.DOT_BLOCK, 100_003):
        a, b = rng.standard_normal(n), rng.gamma(2.0, 1.0, n)
        exact = sum((Fraction(p) * Fraction(q) for p, q in zip(a.tolist(), b.tolist())), Fraction(0))
        scale = float(np.sum(np.abs(a * b)))
        assert abs(nm.dot(a, b) - float(exact)) <= nm.dot_bound(n) * scale
        assert nm.dot(a, b) == pytest.approx(float(exact), rel=1e-13, abs=1e-14 * scale)


def test_shifted_sums_without_the_total_are_the_same_sums():
    """mean_and_m2 asks for sum x only where the mean is near 0 against the spread: the
    two other sums are the same bits either way, for one block and for several."""
    rng = np.random.default_rng(9)
    w = rng.integers(1, 4, 300_001).astype(float)
    for x in (10.0 + 3.0 * rng.standard_normal(300_001), 1e9 + rng.integers(0, 9, 300_001)):
        for size in (1000, 100_000, 300_001):
            for ws in (None, w[:size]):
                full = nm.shifted_sums(x[:size], ws, float(x[7]))
                assert nm.shifted_sums(x[:size], ws, float(x[7]), total=False) == (*full[:2], None)


@pytest.mark.parametrize("n", [1001, 200_003])
def test_mean_near_zero_is_the_plain_mean_correctly_rounded(n):
    """Values of few digits about 0 (counts, differences of counts): the mean is sum x / n,
    the sum exact, so the mean is the exact mean correctly rounded, and m2 to 1e-13;
    with an offset of 1e9 (integers again) the mean is within an ulp."""
    rng = np.random.default_rng(10)
    for x, ulps in ((rng.integers(-3, 4, n).astype(float), 0), (rng.integers(-3, 4, n) * 0.25, 0),
                    (1e9 + rng.integers(-3, 4, n), 1)):
        mean, m2 = nm.mean_and_m2(x)
        exact_mean = Fraction(int(math.fsum((4 * x).tolist())), 4 * n)  # 4x: whole numbers, summed exactly
        assert abs(mean - float(exact_mean)) <= ulps * math.ulp(float(exact_mean))
        d = x - float(exact_mean)
        ref = (math.fsum((d * d).tolist()) - math.fsum(d.tolist()) ** 2 / n) / n
        assert rel(m2, ref) < 1e-13


# ---------------------------------------------------------------- sums of logs by blocks
SPANS = {
    "gamma": lambda r: r.gamma(2.0, 3.0, 100_003),
    "near one": lambda r: 1.0 + 1e-6 * r.standard_normal(100_003),
    "wide": lambda r: np.exp(30.0 * r.standard_normal(100_003)),
    "beta": lambda r: r.beta(2.0, 5.0, 100_003),
}


@pytest.mark.parametrize("name", sorted(SPANS))
def test_sum_log_by_blocks_within_u_per_value(name):
    """Blocks add at most u (2^-53) per value, absolute, to the error of the direct sum."""
    x = SPANS[name](np.random.default_rng(7))
    exact = math.fsum(math.log(v) for v in x.tolist())  # each log correctly rounded, summed exactly
    fast = nm.sum_log(x, (float(x.min()), float(x.max())))
    magnitude = math.fsum(abs(math.log(v)) for v in x.tolist())
    assert abs(fast - exact) <= x.size * nm.U + (nm.LOG_ERROR + nm.sum_bound(x.size)) * magnitude
    if x.max() < 1:
        exact = math.fsum(math.log1p(-v) for v in x.tolist())
        fast = nm.sum_log1m(x, (float(x.min()), float(x.max())))
        magnitude = -exact
        assert abs(fast - exact) <= 2 * x.size * nm.U + (nm.LOG_ERROR + nm.sum_bound(x.size)) * magnitude


def test_sum_log_falls_back_to_direct_logs_where_blocks_would_leave_the_normal_range():
    x = np.array([1e-300, 1e-20, 1e300] * 1000)  # partial products would pass through subnormals
    direct = float(np.sum(np.log(x)))
    assert nm.sum_log(x, (1e-300, 1e300)) == direct
    assert nm.sum_log(x) == direct
    y = np.random.default_rng(8).uniform(0.0, 1.0 - 1e-300, 5000)
    y[0] = 1.0 - 2.0 ** -53
    assert nm.sum_log1m(y, (float(y.min()), float(y.max()))) == pytest.approx(
        math.fsum(math.log1p(-v) for v in y.tolist()), rel=1e-13)


def test_log1pmx_array_gives_the_bits_of_the_plain_expressions():
    rng = np.random.default_rng(9)

    def plain(t):
        small = np.abs(t) < 1e-3
        series = -t * t * (0.5 - t * (1.0 / 3 - t * (0.25 - t * (0.2 - t / 6))))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(small, series, np.log1p(t) - t)
    for t in (1e-5 * rng.standard_normal(999), 1e-3 * rng.standard_normal(999),
              np.clip(0.5 * rng.standard_normal(999), -0.99, None)):
        np.testing.assert_array_equal(ss.log1pmx_array(t), plain(t))
    t = 1e-6 * rng.standard_normal(999)
    np.testing.assert_array_equal(ss.log1pmx_array(t, small_all=True), plain(t))


# ---------------------------------------------------------------- gamma d
def gamma_stats(x, with_span=True):
    span = (float(x.min()), float(x.max())) if with_span else None
    return gamma._gamma_stats(x, None, span=span)


@pytest.mark.parametrize("shape", [0.5, 2.0, 30.0, 200.0])
@pytest.mark.parametrize("with_span", [True, False])
def test_gamma_direct_d_agrees_with_the_careful_form(shape, with_span):
    x = np.random.default_rng(10).gamma(shape, 3.0, 50_001)
    s = gamma_stats(x, with_span)
    careful = careful_gamma_d(x)
    assert rel(s.d, careful) < 1e-11
    assert s.mean == pytest.approx(float(np.mean(x)), rel=1e-14)
    assert s.meanlog == pytest.approx(math.fsum(math.log(v) for v in x.tolist()) / x.size, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("shape", [0.05, 3.0])
def test_gamma_direct_d_against_exact_arithmetic(shape):
    """Also for values far below the mean (shape 0.05: x/mean below 2^-53 for a tenth of
    them), where the careful form's log1p(t) meets t = -1 and gives an infinite d."""
    import mpmath
    x = np.random.default_rng(11).gamma(shape, 2.0, 5001)
    with mpmath.workdps(40):
        vals = [mpmath.mpf(v) for v in x.tolist()]
        exact = mpmath.log(mpmath.fsum(vals) / len(vals)) - mpmath.fsum(mpmath.log(v) for v in vals) / len(vals)
    assert rel(gamma_stats(x).d, exact) < 1e-12
    assert mlefit.fit(x, "gamma").converged


@pytest.mark.parametrize("shape", [1e4, 1e8, 1e12])
def test_clustered_gamma_data_keep_the_careful_form_exactly(shape):
    """Where the direct difference cancels, its error bound sends the stats to the careful
    form: the same bits as before the fast path existed."""
    rng = np.random.default_rng(12)
    x = rng.gamma(shape, 1.0 / shape, 20_001)
    for span in ((float(x.min()), float(x.max())), None):
        s = gamma._gamma_stats(x, None, span=span)
        assert s.d == careful_gamma_d(x)
        assert s.mean == nm.mean(x)
        assert s.meanlog == float(np.sum(np.log(x))) / x.size
    assert mlefit.fit(x, "gamma").estimates["shape"] == pytest.approx(shape, rel=0.05)


def test_gamma_direct_error_bound_rejects_what_it_cannot_vouch_for():
    """The bound grows with |log mean| and shrinks relative to d as d grows: a d of 1e-6
    (shape 5e5) is never taken directly, a d of 0.3 (shape 2) always is."""
    for mean in (1e-50, 1e-3, 1.0, 1e3, 1e50):
        assert gamma._gamma_direct_error(1e6, mean, 1e-6) > gamma.GAMMA_DIRECT_REL * 1e-6
    for mean in (1e-3, 1.0, 1e3):
        assert gamma._gamma_direct_error(1e6, mean, 0.3) < gamma.GAMMA_DIRECT_REL * 0.3


# ---------------------------------------------------------------- inverse Gaussian, pareto, beta
def careful_ig_d(x):
    mean = nm.mean(x)
    r = (x - mean) / mean
    return float(np.sum(r * r / x))


@pytest.mark.parametrize("mu,lam", [(2.0, 5.0), (1.0, 0.1), (3.0, 300.0)])
def test_inverse_gaussian_direct_d_agrees_with_the_careful_form(mu, lam):
    x = np.random.default_rng(13).wald(mu, lam, 50_001)
    s = inverse_gaussian._ig_stats(x, None, span=(float(x.min()), float(x.max())))
    assert rel(s.d, careful_ig_d(x)) < 1e-12
    assert s.sumlog == pytest.approx(math.fsum(math.log(v) for v in x.tolist()), rel=1e-13)


def test_clustered_inverse_gaussian_data_keep_the_careful_form_exactly():
    x = np.random.default_rng(14).wald(1e6, 1e14, 20_001)  # squared CV 1e-8
    s = inverse_gaussian._ig_stats(x, None, span=(float(x.min()), float(x.max())))
    assert s.d == careful_ig_d(x) and s.mean == nm.mean(x)


def careful_pareto_t(x):
    m = float(x.min())
    return float(np.sum(np.log1p((x - m) / m)))


@pytest.mark.parametrize("alpha,xm", [(2.5, 1.5), (0.3, 1e-5), (50.0, 1e6)])
def test_pareto_direct_t_agrees_with_the_careful_form(alpha, xm):
    x = xm * (1.0 + np.random.default_rng(15).pareto(alpha, 50_001))
    s = pareto._pareto_stats(x, None, span=(float(x.min()), float(x.max())))
    assert s.m == float(x.min())
    assert rel(s.t, careful_pareto_t(x)) < 1e-12


def test_clustered_pareto_data_keep_the_careful_form_exactly():
    x = 1e3 * (1.0 + np.random.default_rng(16).pareto(1e7, 20_001))
    s = pareto._pareto_stats(x, None, span=(float(x.min()), float(x.max())))
    assert s.t == careful_pareto_t(x) and s.sumlog == float(np.sum(np.log(x)))


@pytest.mark.parametrize("a,b", [(2.0, 5.0), (0.3, 0.4), (50.0, 1.0), (1.0, 1e5), (1e5, 1.0)])
def test_beta_mean_logs_agree_with_the_direct_sums(a, b):
    """By blocks where |mean log| >= 1e-3 (within 2.2e-13 of it), directly elsewhere:
    beta(1, 1e5) values are all near 0, so mean log(1 - x) is tiny."""
    x = np.random.default_rng(17).beta(a, b, 50_001)
    x = x[(x > 0) & (x < 1)]
    s = beta._beta_stats(x, None, span=(float(x.min()), float(x.max())))
    l1 = math.fsum(math.log(v) for v in x.tolist()) / x.size
    l2 = math.fsum(math.log1p(-v) for v in x.tolist()) / x.size
    assert rel(s.l1, l1) < 1e-12 and rel(s.l2, l2) < 1e-12
    if abs(l2) < beta.BETA_BLOCK_MIN:
        assert s.l2 == float(np.sum(np.log1p(-x))) / x.size
    if abs(l1) < beta.BETA_BLOCK_MIN:
        assert s.l1 == float(np.sum(np.log(x))) / x.size


# ---------------------------------------------------------------- the fits, with and without the extremes
FAMILY_DATA = {
    "gamma": lambda r: r.gamma(2.5, 2.0, 30_001),
    "beta": lambda r: r.beta(2.0, 5.0, 30_001),
    "pareto": lambda r: 1.5 * (1.0 + r.pareto(2.5, 30_001)),
    "inverse_gaussian": lambda r: r.wald(2.0, 5.0, 30_001),
    "rayleigh": lambda r: r.rayleigh(2.0, 30_001),
    "uniform": lambda r: r.uniform(1.0, 3.0, 30_001),
    "poisson": lambda r: r.poisson(4.0, 30_001).astype(float),
    "negative_binomial": lambda r: r.negative_binomial(3.0, 0.4, 30_001).astype(float),
}


@pytest.mark.parametrize("name", sorted(FAMILY_DATA))
def test_stats_given_the_extremes_equal_those_that_find_them(name):
    """estimate.fit hands the stats the (min, max) its validation found; the estimates
    are those the stats give without them, to rounding."""
    fam = families.get(name)
    x = FAMILY_DATA[name](np.random.default_rng(18))
    assert getattr(fam.stats, "takes_span", False)
    with_span = fam.stats(x, None, span=(float(x.min()), float(x.max())))
    without = fam.stats(x, None)
    controls = families.base.Controls()
    a = fam.estimate(with_span, controls).theta
    b = fam.estimate(without, controls).theta
    np.testing.assert_allclose(a, b, rtol=1e-12)
    r = mlefit.fit(x, name)
    np.testing.assert_allclose(list(r.estimates.values()), a, rtol=1e-12)
    assert r.loglik == pytest.approx(fam.loglik(without, b), rel=1e-12)


def test_weighted_fits_equal_repeated_rows_on_the_fast_paths():
    rng = np.random.default_rng(19)
    w = rng.integers(1, 4, 4001).astype(float)
    for name, x in (("normal", rng.normal(3.0, 2.0, 4001)), ("gamma", rng.gamma(2.0, 3.0, 4001)),
                    ("weibull", 3.0 * rng.weibull(1.5, 4001)), ("inverse_gaussian", rng.wald(2.0, 5.0, 4001)),
                    ("beta", rng.beta(2.0, 5.0, 4001)), ("pareto", 1.5 * (1.0 + rng.pareto(2.5, 4001)))):
        a = mlefit.fit(x, name, weights=w)
        b = mlefit.fit(np.repeat(x, w.astype(int)), name)
        np.testing.assert_allclose(list(a.estimates.values()), list(b.estimates.values()), rtol=1e-10)
        assert a.loglik == pytest.approx(b.loglik, rel=1e-10)


def test_weibull_estimate_solves_its_profile_equation():
    x = 3.0 * np.random.default_rng(20).weibull(1.5, 20_001)
    k, scale = mlefit.fit(x, "weibull").estimates.values()
    lx = np.log(x)
    xk = x ** k
    h = math.fsum((xk * lx).tolist()) / math.fsum(xk.tolist()) - 1.0 / k - math.fsum(lx.tolist()) / x.size
    assert abs(h) < 1e-13
    assert scale ** k == pytest.approx(math.fsum(xk.tolist()) / x.size, rel=1e-12)


def test_negative_binomial_newton_evaluates_its_size_score_once_a_step(monkeypatch):
    """The size's bracket beyond the start is tentative (numerics.solve_increasing's verify):
    a Newton step inside it evaluates the score (one pass of gamma_arrays.digamma_rise over
    the table of counts) at no far end, so there is one evaluation per iteration; the root
    is the one scipy finds for the same score."""
    import scipy.optimize
    from scipy.special import digamma
    from mlefit import gamma_arrays as ga
    fam, calls, rise = families.get("negative_binomial"), [], ga.digamma_rise
    monkeypatch.setattr(ga, "digamma_rise", lambda v, r: (calls.append(r), rise(v, r))[1])
    for seed in range(4):
        for size, mu, n in [(3.0, 4.5, 100), (0.5, 3.0, 1000), (20.0, 50.0, 10_000), (0.05, 0.2, 300)]:
            x = np.random.default_rng(seed).negative_binomial(size, size / (size + mu), n).astype(float)
            s = fam.stats(x, None)
            calls.clear()
            sol = fam.estimate(s, families.base.Controls())
            assert sol.converged and len(calls) == sol.iterations
            score = lambda r: float(s.counts @ (digamma(s.values + r) - digamma(r))) + s.n * math.log(r / (r + s.mean))
            root = scipy.optimize.brentq(score, sol.theta[0] / 2, sol.theta[0] * 2, xtol=1e-14, rtol=1e-13)
            assert sol.theta[0] == pytest.approx(root, rel=1e-9) and sol.theta[1] == s.mean


@pytest.mark.parametrize("size, mu", [(3.0, 4.5), (0.3, 12.0), (40.0, 2.0)])
def test_negative_binomial_information_equals_the_per_row_hessian_anywhere(size, mu):
    """The fast path's observed information (its terms in mu in closed form from the total
    and n) equals minus the sum of the per-row record's Hessians, at the estimate and away
    from it (mu off the mean, as with --fix), weighted or not."""
    from mlefit.families import negative_binomial as nb
    fam = families.get("negative_binomial")
    rng = np.random.default_rng(21)
    x = rng.negative_binomial(size, size / (size + mu), 500).astype(float)
    w = rng.integers(0, 4, x.size).astype(float)
    for weights in (None, w):
        s = fam.stats(x, weights)
        at = tuple(map(float, fam.estimate(s, families.base.Controls()).theta))
        for theta in (at, (at[0] * 1.3, at[1] * 0.8)):
            _, _, hess = nb.derivs(x, *theta)
            rows = np.ones_like(x) if weights is None else weights
            per_row = -np.array([[float(rows @ np.broadcast_to(h, x.shape)) for h in line] for line in hess])
            scale = float(np.max(np.abs(np.diag(per_row))))  # (the cross term is 0 at the estimate, but for rounding)
            np.testing.assert_allclose(fam.observed_information(s, theta), per_row, rtol=1e-10, atol=1e-13 * scale)
