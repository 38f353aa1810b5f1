"""The per-row records at extreme parameters and data (issue 15's numerical limits): shapes
of 1e6 to 1e12, where the direct forms of log f and its derivatives cancel terms near
a log a, and scales and data out to 1e+-300, where squares and products overflow while
log f and its derivatives are finite. References: mpmath at 50 digits, from each family's
definition."""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mlefit import families, gamma_arrays as ga

MPMATH_DPS = 50
EPS = 2.0 ** -52


def _gamma_ref(y, a, r):
    y, a, r = mp.mpf(y), mp.mpf(a), mp.mpf(r)
    return a * mp.log(r) + (a - 1) * mp.log(y) - r * y - mp.loggamma(a)


# ------------------------------------------------------------------ gamma at large shapes
LARGE_SHAPE = dict(log_a=st.floats(math.log(15.0), math.log(1e12)), t=st.floats(-6.0, 6.0),
                   log_r=st.floats(-230.0, 230.0))


@settings(max_examples=60, deadline=None)
@given(**LARGE_SHAPE)
def test_gamma_logpdf_at_large_shapes_equals_mpmath(log_a, t, log_r):
    """y = a exp(t/sqrt(a)) / rate, some t standard deviations from the mean: log f to what
    the rounding of u = rate y / a allows (sqrt(a) eps |t|, 1e-9 at a = 1e12), where
    the direct form lost a log(a) eps (3e-3 at 1e12)."""
    a, rate = math.exp(log_a), math.exp(log_r)
    y = a * math.exp(t / math.sqrt(a)) / rate
    dens, _ = families.density("gamma")
    want = float(_gamma_ref(y, a, rate))
    tol = 1e-14 * (1.0 + abs(math.log(y))) + 8 * EPS * math.sqrt(a) * (1.0 + abs(t))
    assert abs(float(dens.logpdf(np.array([y]), a, rate)[0]) - want) <= tol
    assert abs(float(dens.derivs(np.array([y]), a, rate)[0][0]) - want) <= tol


@settings(max_examples=60, deadline=None)
@given(**LARGE_SHAPE)
def test_gamma_shape_derivatives_at_large_shapes_equal_mpmath(log_a, t, log_r):
    """d/d shape = log(rate y) - psi(a) and, by the mean, log(y/mu) - (y/mu - 1) + log a -
    psi(a) with d2/d shape2 = 1/a - psi'(a): terms near log(a) and 1/a that cancel to
    1e-12 and 1e-25 at a = 1e12 (the direct differences kept no digit of the latter)."""
    from mlefit.families import gamma
    a, rate = math.exp(log_a), math.exp(log_r)
    y = a * math.exp(t / math.sqrt(a)) / rate
    ym, am, rm = mp.mpf(y), mp.mpf(a), mp.mpf(rate)
    want = mp.log(rm * ym) - mp.digamma(am)
    got = float(gamma.derivs(np.array([y]), a, rate)[1][0][0])
    assert abs(got - float(want)) <= 1e-12 * abs(float(want)) + 4 * EPS
    mu = a / rate
    r = ym / mp.mpf(mu)
    want_m = mp.log(r) - (r - 1) + mp.log(am) - mp.digamma(am)
    want_h = 1 / am - mp.polygamma(1, am)
    _, (_, got_m), (_, (_, got_h)) = gamma.mean_derivs(np.array([y]), mu, a)
    # to the rounding of y/mu (eps, moving log r - (r - 1) by eps |r - 1|)
    assert float(got_m[0]) == pytest.approx(float(want_m), rel=1e-9, abs=4 * EPS * float(abs(r - 1)))
    assert float(got_h[0]) == pytest.approx(float(want_h), rel=1e-13)


@pytest.mark.parametrize("a", [1e-300, 1e-8, 0.3, 1.0, 9.999, 10.0, 37.5, 1e6, 1e12, 1e200])
def test_log_minus_digamma_over_arrays_equals_mpmath(a):
    value, deriv = ga.log_minus_digamma(np.array([a, a]))
    am = mp.mpf(a)
    assert value[0] == pytest.approx(float(mp.log(am) - mp.digamma(am)), rel=1e-14)
    assert deriv[0] == pytest.approx(float(1 / am - mp.polygamma(1, am)), rel=1e-13)
    assert ga.log_minus_digamma(a) == (value[1], deriv[1])
    assert np.isnan(ga.log_minus_digamma(np.array([0.0, -1.0]))).all() and np.isnan(ga.log_minus_digamma(0.0)).all()


def test_gamma_rate_score_beyond_the_product_range():
    """rate y = 1e400 overflows: d/d rate = a/rate - y = -1e200 is still finite."""
    from mlefit.families import gamma
    _, (_, d_rate), _ = gamma.derivs(np.array([1e200]), 2.0, 1e200)
    assert float(d_rate[0]) == pytest.approx(-1e200, rel=1e-15)


# ------------------------------------------------------------------ counts of 1e12 and more
@settings(max_examples=60, deadline=None)
@given(log_y=st.floats(math.log(15.0), math.log(1e15)), t=st.floats(-6.0, 6.0), pi=st.sampled_from([0.0, 0.3]))
def test_poisson_logpdf_at_large_counts_equals_mpmath(log_y, t, pi):
    """log P(y) near the mean of a rate up to 1e15 (and the zero-inflated poisson's, which
    is built on it): the direct y log(rate) - rate - lgamma(y + 1) cancels terms near y log y
    (at 1e15 it was off by 1.4); Stirling's form keeps what the rounding of rate/y allows."""
    y = float(round(math.exp(log_y)))
    rate = y * math.exp(t / math.sqrt(y))
    ym, rm = mp.mpf(y), mp.mpf(rate)
    want = float(ym * mp.log(rm) - rm - mp.loggamma(ym + 1) + mp.log1p(-mp.mpf(pi)))
    tol = 1e-14 * (1.0 + abs(math.log(y))) + 8 * EPS * math.sqrt(y) * (1.0 + abs(t))
    if pi:
        got = families.density("zero_inflated_poisson")[0].logpdf(np.array([y]), pi, rate)
    else:
        got = families.density("poisson")[0].logpdf(np.array([y]), rate)
    assert abs(float(got[0]) - want) <= tol


@settings(max_examples=60, deadline=None)
@given(log_t=st.floats(math.log(30.0), math.log(1e15)), p=st.floats(0.01, 0.99), z=st.floats(-5.0, 5.0))
def test_binomial_logpdf_at_large_trials_equals_mpmath(log_t, p, z):
    """log P(y) for up to 1e15 trials, y within a few standard deviations of t p."""
    trials = float(round(math.exp(log_t)))
    y = float(min(max(round(trials * p + z * math.sqrt(trials * p * (1 - p))), 0.0), trials))
    tm, ym, pm = mp.mpf(trials), mp.mpf(y), mp.mpf(p)
    want = float(mp.loggamma(tm + 1) - mp.loggamma(ym + 1) - mp.loggamma(tm - ym + 1)
                 + ym * mp.log(pm) + (tm - ym) * mp.log1p(-pm))
    dens, _ = families.density("binomial:10")
    got = float(dens.logpdf(np.array([y]), p, trials)[0])
    tol = 1e-13 * (1.0 + abs(math.log(trials))) + 16 * EPS * math.sqrt(trials) * (1.0 + abs(z))
    assert abs(got - want) <= tol


def test_count_hessians_at_a_zero_count_and_a_tiny_rate():
    """-y/rate^2 at y = 0 and rate = 1e-300 is 0, not 0/0."""
    (h,), = families.density("poisson")[0].derivs(np.array([0.0, 2.0]), 1e-300)[2]
    assert h[0] == 0.0 and h[1] == -np.inf
    zip_h = families.density("zero_inflated_poisson")[0].derivs(np.array([0.0, 2.0]), 0.3, 1e-300)[2][1][1]
    assert np.isfinite(zip_h[0])


@pytest.mark.parametrize("trials, y", [(1e6, 2.0), (1e6 - 1, 999996.0), (2322.0, 12.0), (1e4, 0.0), (1e12, 5.0), (12.0, 4.0)])
def test_log_choose_beside_a_large_shape_equals_mpmath(trials, y):
    """log C(t, y) with few successes (or failures) among many trials, where scipy's betaln
    lost up to 7e-10 (betaln(1e6, 3))."""
    from mlefit.families.counts_common import log_choose
    want = mp.log(mp.binomial(mp.mpf(trials), mp.mpf(y)))
    assert float(log_choose(np.array([trials]), np.array([y]))[0]) == pytest.approx(float(want), rel=4e-15, abs=4e-15)


# ------------------------------------------------------------------ rows far out, scales far from 1
def _fd(f, theta, orders):
    """d^orders f at theta by central differences at 900 digits (a step of 1e-360 in mu beside y = 1: a second difference of 1e-720) (steps 1e-60 of each
    parameter's size, of the smallest nonzero one for a zero): exact to far beyond double."""
    with mp.workdps(900):
        th = [mp.mpf(t) for t in theta]
        small = min([abs(t) for t in th if t != 0] or [mp.mpf(1)])
        h = [mp.mpf("1e-60") * (abs(t) if t != 0 else small) for t in th]

        def at(shifts):
            x = list(th)
            for j, sign in shifts:
                x[j] += sign * h[j]
            return f(*x)
        idx = [j for j, o in enumerate(orders) for _ in range(o)]
        if len(idx) == 1:
            j, = idx
            return +((at([(j, 1)]) - at([(j, -1)])) / (2 * h[j]))
        j, k = idx
        if j == k:
            return +((at([(j, 1)]) - 2 * at([]) + at([(j, -1)])) / h[j] ** 2)
        return +((at([(j, 1), (k, 1)]) - at([(j, 1), (k, -1)]) - at([(j, -1), (k, 1)])
                  + at([(j, -1), (k, -1)])) / (4 * h[j] * h[k]))


def _check_against(name, y, theta, reference):
    """logpdf, score and Hessian of the record against mpmath's log f and its differences:
    each to 1e-10 of itself, a mixed term also within 1e-10 of sqrt(|h_jj h_kk|) (where it
    is 0 to the rounding of the others), a value below 1e-290 in both as 0."""
    dens, _ = families.density(name)
    f = lambda *t: reference(mp.mpf(y), *t)  # noqa: E731
    ll, score, hess = dens.derivs(np.array([y]), *theta)
    got_lp = float(np.asarray(dens.logpdf(np.array([y]), *theta))[0])
    want = f(*[mp.mpf(t) for t in theta])
    assert got_lp == pytest.approx(float(want), rel=1e-13), "logpdf"
    assert float(np.broadcast_to(ll, (1,))[0]) == pytest.approx(float(want), rel=1e-13), "derivs' logpdf"
    k = len(theta)
    diag = [float(_fd(f, theta, tuple(2 if i == j else 0 for i in range(k)))) for j in range(k)]

    def close(got, w, what, scale=0.0):
        got = float(np.broadcast_to(np.asarray(got, dtype=float), (1,))[0])
        if (abs(w) < 1e-290 and abs(got) < 1e-290) or (math.isinf(w) and got == w):
            return
        assert abs(got - w) <= 1e-10 * max(abs(w), scale), f"{what}: {got} against {w}"
    for j in range(k):
        close(score[j], float(_fd(f, theta, tuple(1 if i == j else 0 for i in range(k)))), f"score {j}")
        for m in range(j, k):
            orders = tuple((i == j) + (i == m) for i in range(k))
            close(hess[j][m], float(_fd(f, theta, orders)), f"hessian {j}{m}",
                  0.0 if j == m else math.sqrt(abs(diag[j] * diag[m])))


def _cauchy(y, mu, s):
    return -mp.log(mp.pi * s * (1 + ((y - mu) / s) ** 2))


def _student_t(y, mu, s, df):
    return (mp.loggamma((df + 1) / 2) - mp.loggamma(df / 2) - mp.log(df * mp.pi) / 2 - mp.log(s)
            - (df + 1) / 2 * mp.log1p(((y - mu) / s) ** 2 / df))


FAR_ROWS = [1e60, 1e100, 1e155, 1e200, 1e300, -1e300]


@pytest.mark.parametrize("y", FAR_ROWS)
def test_cauchy_rows_far_out_equal_mpmath(y):
    """A row 1e155 scales out or more: z^2 overflowed, giving log f = -inf (not -715), a
    score in sigma of -1 (not +1) and NaN Hessians."""
    _check_against("cauchy", y, (0.0, 1.0), _cauchy)
    _check_against("cauchy", 1.0, (0.0, y * 1e-300 if abs(y) < 1e300 else 1e-300), _cauchy)


@pytest.mark.parametrize("df", [0.5, 3.0, 1e6, 1e12])
@pytest.mark.parametrize("y", FAR_ROWS)
def test_student_t_rows_far_out_equal_mpmath(y, df):
    """z^4 and z^6 overflowed from 1e77 and 1e51 (NaN in the df terms), z^2 from 1e154."""
    _check_against("student_t", y, (0.0, 1.0, df), _student_t)


def test_student_t_at_a_tiny_scale_equals_mpmath():
    _check_against("student_t", 1.0, (0.0, 1e-200, 2.5), _student_t)
    _check_against("student_t", 1e200, (0.0, 1e-100, 2.5), _student_t)


def test_inverse_gaussian_far_above_the_mean():
    """(y - mu)^2 / (mu^2 y) at y = 1e200: q = 1e200, log f = -1e200, not -inf."""
    dens, _ = families.density("inverse_gaussian")
    for y in (1e200, 1e300):
        want = float(0.5 * mp.log(2 / (2 * mp.pi * mp.mpf(y) ** 3)) - 2 * (mp.mpf(y) - 1) ** 2 / (2 * mp.mpf(y)))
        assert float(dens.logpdf(np.array([y]), 1.0, 2.0)[0]) == pytest.approx(want, rel=1e-14)
        want_lam = 1 / mp.mpf(4) - (mp.mpf(y) - 1) ** 2 / (2 * mp.mpf(y))  # 1/(2 lambda) - q/2
        assert float(dens.derivs(np.array([y]), 1.0, 2.0)[1][1][0]) == pytest.approx(float(want_lam), rel=1e-14)


@pytest.mark.parametrize("name, y, theta", [("normal", 1e-200, (2e-200, 1e-200)), ("lognormal", 1.5, (math.log(1.5), 1e-200)),
                                            ("exponential", 1.0, (1e-300,)), ("geometric", 3.0, (1e-300,)),
                                            ("pareto", 1e-290, (1e-300, 2.5)), ("inverse_gaussian", 1e-200, (1e-200, 1e-200)),
                                            ("gamma3", 1e-200, (2.0, 1e-200, 0.0)), ("weibull", 1e-200, (2.0, 1e-200))])
def test_derivatives_at_tiny_parameters_do_not_raise(name, y, theta):
    """A Hessian term 1/t^2 for a parameter t below 1e-162 is infinite, not a division of
    Python floats by zero (which raised, and lost the finite terms beside it)."""
    dens, shapes = families.density(name)
    with np.errstate(all="ignore"):
        ll, score, _ = dens.derivs(np.array([y]), *theta, *shapes)
    assert np.isfinite(np.broadcast_to(ll, (1,))).all() and all(np.isfinite(np.broadcast_to(s, (1,))).all() for s in score[:1])


@pytest.mark.parametrize("shape", [1e6, 1e9, 1e12])
def test_gamma3_shape_score_at_large_shapes_equals_mpmath(shape):
    """gamma3's d/d shape = log u + (log a - psi(a)), u = (x - c)/(a b), as the gamma's."""
    dens, _ = families.density("gamma3")
    scale, c = 2.0 / shape, 5.0
    x = c + 2.0 * np.exp(np.array([-3.0, 0.5, 2.0]) / math.sqrt(shape))
    got = dens.derivs(x, shape, scale, c)[1][0]
    for xi, g in zip(x.tolist(), got.tolist()):
        want = mp.log((mp.mpf(xi) - c) / mp.mpf(scale)) - mp.digamma(mp.mpf(shape))
        assert g == pytest.approx(float(want), rel=1e-9, abs=4 * EPS)


# ------------------------------------------------------------------ negative binomial at large sizes
NB_POINTS = [(3.0, 1e9, 2.0), (0.0, 1e9, 1e9), (1e6, 1e12, 1e6), (1e12, 1e12, 1e12), (10.0, 16.0, 5.0),
             (10.0, 14.0, 5.0), (2.0, 0.3, 5.0), (1e5, 3.0, 1e5), (7.0, 1e15, 7.5), (1e6 + 3e3, 1e7, 1e6)]


@pytest.mark.parametrize("y, size, mu", NB_POINTS)
def test_negative_binomial_at_large_sizes_equals_mpmath(y, size, mu):
    """log P and its derivatives where the size (and the count) is large: the direct forms
    cancel terms near r log r (log P off by 5e-3 at size 1e12), and the size score
    psi(y + r) - psi(r) - log1p(mu/r) + (mu - y)/(r + mu) is near y^2/r^2 while its terms
    are near y/r (two digits left at r = 1e9)."""
    dens, _ = families.density("negative_binomial")
    ym, r, m = mp.mpf(y), mp.mpf(size), mp.mpf(mu)
    want = (mp.loggamma(ym + r) - mp.loggamma(r) - mp.loggamma(ym + 1) + r * mp.log(r / (r + m))
            + ym * mp.log(m / (r + m)))
    d_r = mp.digamma(ym + r) - mp.digamma(r) - mp.log1p(m / r) + (m - ym) / (r + m)
    h_rr = mp.polygamma(1, ym + r) - mp.polygamma(1, r) + m / (r * (r + m)) - (m - ym) / (r + m) ** 2
    d_m = ym / m - (r + ym) / (r + m)
    h_mm = -ym / m ** 2 + (r + ym) / (r + m) ** 2
    ll, (g_r, g_m), ((hh_rr, hh_rm), (_, hh_mm)) = dens.derivs(np.array([y]), size, mu)
    assert float(dens.logpdf(np.array([y]), size, mu)[0]) == pytest.approx(float(want), rel=1e-13, abs=1e-13)
    assert float(ll[0]) == pytest.approx(float(want), rel=1e-13, abs=1e-13)
    assert float(g_r[0]) == pytest.approx(float(d_r), rel=1e-9, abs=1e-300)
    assert float(hh_rr[0]) == pytest.approx(float(h_rr), rel=1e-9, abs=1e-300)
    # in mu: to the rounding of mu and r + mu (eps of each term y/mu)
    assert float(g_m[0]) == pytest.approx(float(d_m), rel=1e-9, abs=4 * EPS * y / mu)
    assert float(hh_mm[0]) == pytest.approx(float(h_mm), rel=1e-9, abs=4 * EPS * y / mu ** 2)
    assert float(hh_rm[0]) == pytest.approx(float((ym - m) / (r + m) ** 2), rel=1e-9, abs=1e-300)


# ------------------------------------------------------------------ beta_binomial at large shapes
BB_POINTS = [(1e9, 2e9), (1e12, 3e12), (3.0, 1e9), (1e9, 0.4), (0.5, 0.7), (20.0, 30.0), (14.9, 16.0)]
BB_ROWS = [(3.0, 10.0), (0.0, 10.0), (10.0, 10.0), (1.0, 1.0), (500.0, 1000.0)]


def _bb_ref(y, a, b, t):
    return (mp.loggamma(t + 1) - mp.loggamma(y + 1) - mp.loggamma(t - y + 1) + mp.loggamma(y + a)
            + mp.loggamma(t - y + b) - mp.loggamma(t + a + b) - mp.loggamma(a) - mp.loggamma(b) + mp.loggamma(a + b))


@pytest.mark.parametrize("a, b", BB_POINTS)
@pytest.mark.parametrize("y, trials", BB_ROWS)
def test_beta_binomial_at_large_shapes_equals_mpmath(y, trials, a, b):
    """log P and its derivatives where a shape is large: the log-beta differences cancel
    terms near y log a (log P off by 7e-6 at shapes of 1e9, 1e-2 at 1e12), and the digamma
    differences psi(y + a) - psi(a), near y/a, kept 7 digits at 1e9 (none at 1e12). The
    score in a shape is a difference of two such rises (y/a - t/(a + b)): to 1e-12 of them."""
    from mlefit.families import beta_binomial
    ym, am, bm, tm = (mp.mpf(v) for v in (y, a, b, trials))
    fails = tm - ym
    want = _bb_ref(ym, am, bm, tm)
    rise = lambda c, v, k=0: mp.polygamma(k, c + v) - mp.polygamma(k, c)  # noqa: E731
    d_a, d_b = rise(am, ym) - rise(am + bm, tm), rise(bm, fails) - rise(am + bm, tm)
    h_ab = -rise(am + bm, tm, 1)
    h_aa, h_bb = rise(am, ym, 1) + h_ab, rise(bm, fails, 1) + h_ab
    ll, (g_a, g_b), ((gh_aa, gh_ab), (_, gh_bb)) = beta_binomial.derivs(np.array([y]), a, b, trials)
    assert float(beta_binomial.logpdf(np.array([y]), a, b, trials)[0]) == pytest.approx(float(want), rel=1e-12)
    assert float(ll[0]) == pytest.approx(float(want), rel=1e-12)
    scale = abs(rise(am + bm, tm))
    for got, w, of in ((g_a, d_a, scale + abs(rise(am, ym))), (g_b, d_b, scale + abs(rise(bm, fails)))):
        assert abs(float(got[0]) - float(w)) <= 1e-12 * float(of) + 1e-300
    scale = abs(h_ab)
    for got, w, of in ((gh_aa, h_aa, scale + abs(rise(am, ym, 1))), (gh_ab, h_ab, scale),
                       (gh_bb, h_bb, scale + abs(rise(bm, fails, 1)))):
        assert abs(float(got[0]) - float(w)) <= 1e-12 * float(of) + 1e-300


@pytest.mark.parametrize("c", [1e-3, 0.7, 14.99, 15.0, 40.0, 1e6, 1e9, 1e13])
def test_log_gamma_rise_equals_mpmath(c):
    """lgamma(c + v) - lgamma(c) - v log c, near v^2/(2c) where c is large beside v: to
    2e-13 (log1pmx_array's digits near v/c = 1e-3), where the direct difference kept none
    of it beyond v log c eps (2e-6 at v = 1e3, c = 1e9)."""
    v = np.array([0.0, 1.0, 3.0, 17.0, 1e3, 1e6, 1e12])
    got = ga.log_gamma_rise(c, v)
    assert got[0] == 0.0
    for vi, g in zip(v[1:].tolist(), got[1:].tolist()):
        cm, vm = mp.mpf(c), mp.mpf(vi)
        want = mp.loggamma(cm + vm) - mp.loggamma(cm) - vm * mp.log(cm)
        assert abs(g - float(want)) <= 2e-13 * abs(float(want)) + 1e-14, (vi, g, want)


def _near_binomial(eps):
    """Counts out of 3 trials with weights of the binomial(3, 0.4) masses, its two ends
    raised by a factor 1 + eps: overdispersed by about eps, so the shapes are near 1/eps."""
    from scipy.stats import binom
    w = binom.pmf(np.arange(4), 3, 0.4) * 1e6
    w[[0, 3]] *= 1.0 + eps
    return np.arange(4.0), w


@pytest.mark.parametrize("eps", [1e-6, 1e-9])
def test_beta_binomial_fit_near_the_binomial_reports_an_exact_loglik(eps):
    """A fit whose shapes are near 1e6 and 1e9: the log-likelihood it reports, by the fast
    path and by the generic path (the per-row records), against mpmath at its estimates to
    1e-12 (the per-row log-beta differences were 7e-6 off per row at 1e9)."""
    import mlefit
    from mlefit.likelihood import fit_rows
    y, w = _near_binomial(eps)
    fast = mlefit.fit(y, "beta_binomial", weights=w, trials=3)
    a, b = fast.estimates["a"], fast.estimates["b"]
    assert 0.1 / eps < a + b < 10.0 / eps
    at = lambda a, b: sum(mp.mpf(wi) * _bb_ref(mp.mpf(yi), mp.mpf(a), mp.mpf(b), mp.mpf(3))  # noqa: E731
                          for yi, wi in zip(y.tolist(), w.tolist()))
    assert fast.loglik == pytest.approx(float(at(a, b)), rel=1e-12)
    dens, _ = families.density("beta_binomial")
    generic = fit_rows(dens, y, w, shapes=(3.0,), start=(a, b))
    assert generic.converged, generic.message
    assert generic.loglik == pytest.approx(float(at(*generic.theta)), rel=1e-12)
    assert generic.loglik == pytest.approx(fast.loglik, rel=1e-12)
    np.testing.assert_allclose(generic.theta, (a, b), rtol=1e-6)
