"""Bootstrap distributions and percentile intervals (mlefit.inference.resample).

References: the t interval for a normal mean; scipy.stats.bootstrap (method='percentile');
for the parametric bootstrap of a poisson rate the exact limit as B -> infinity (the
quantiles of Poisson(sum x) / n, since a resample's sum is Poisson(n * rate-hat)) and
Garwood's exact interval. Tolerances are in units of the standard error and cover the
Monte-Carlo error of B resamples (the SE of a 2.5% quantile is ~0.06 SE at B = 2000);
every check is seeded, so none is flaky."""
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import mlefit
from mlefit.errors import UsageError
from mlefit.inference.resample import Draws, bootstrap, parameter_intervals, percentile_interval

DATA = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def normal200():
    x = np.random.default_rng(11).normal(10.0, 2.0, 200)
    se = x.std(ddof=1) / math.sqrt(x.size)
    half = stats.t.ppf(0.975, x.size - 1) * se
    return x, mlefit.fit(x, "normal").fitted, (x.mean() - half, x.mean() + half), se


def near_poisson_counts():
    """Poisson(3) counts whose variance just exceeds the mean (so negative_binomial has a
    finite MLE, while many resamples do not)."""
    x = np.random.default_rng(1).poisson(3.0, 200)
    assert 1.0 < x.var() / x.mean() < 1.1
    return x


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("kind", ["parametric", "nonparametric"])
def test_same_seed_same_draws_other_seed_other_draws(kind):
    f = mlefit.fit(np.random.default_rng(2).gamma(2.5, 1.3, 300), "gamma").fitted
    a, b = bootstrap(f, 40, kind, seed=7), bootstrap(f, 40, kind, seed=7)
    np.testing.assert_array_equal(a.thetas, b.thetas)
    assert parameter_intervals(f, a) == parameter_intervals(f, b)
    c = bootstrap(f, 40, kind, seed=8)
    assert not np.any(a.thetas == c.thetas)
    assert (a.samples, a.failed, a.kind, a.seed) == (40, 0, kind, 7)
    assert a.thetas.shape == (40, 2) and a.values.shape == (40, 0)


# ---------------------------------------------------------------- reference intervals
@pytest.mark.parametrize("kind", ["nonparametric", "parametric"])
def test_normal_mean_interval_is_close_to_the_t_interval(normal200, kind):
    x, f, (t_lo, t_hi), se = normal200
    d = bootstrap(f, 4000, kind, seed=1)
    lo, hi = parameter_intervals(f, d)[0]
    # the percentile interval is ~1% narrower than t (z and divisor n); MC error ~0.05 SE
    assert abs(lo - t_lo) < 0.15 * se and abs(hi - t_hi) < 0.15 * se
    assert lo < x.mean() < hi


def test_normal_mean_agrees_with_scipy_bootstrap(normal200):
    x, f, _, se = normal200
    d = bootstrap(f, 2000, "nonparametric", seed=3, functions=(lambda th: th[0],))
    ref = stats.bootstrap((x,), np.mean, n_resamples=2000, method="percentile",
                          confidence_level=0.95, rng=np.random.default_rng(4)).confidence_interval
    for lo, hi in (parameter_intervals(f, d, level=0.95)[0], percentile_interval(d.values[:, 0], 0.95)):
        assert abs(lo - ref.low) < 0.3 * se and abs(hi - ref.high) < 0.3 * se  # 2 MC errors: ~0.09 SE
    # the spread of the resampled means: SD ~ sigma_mle / sqrt(n), as for scipy's
    assert np.std(d.thetas[:, 0]) == pytest.approx(x.std() / math.sqrt(x.size), rel=0.06)


def test_poisson_rate_parametric_interval_is_close_to_the_exact_ones():
    x = np.random.default_rng(12).poisson(4.0, 60)
    s, n = int(x.sum()), x.size
    f = mlefit.fit(x, "poisson").fitted
    lo, hi = parameter_intervals(f, bootstrap(f, 4000, "parametric", seed=2))[0]
    se = math.sqrt(s) / n
    limit = (stats.poisson.ppf(0.025, s) / n, stats.poisson.ppf(0.975, s) / n)  # B -> infinity
    garwood = (stats.chi2.ppf(0.025, 2 * s) / (2 * n), stats.chi2.ppf(0.975, 2 * s + 2) / (2 * n))
    assert abs(lo - limit[0]) < 0.2 * se and abs(hi - limit[1]) < 0.2 * se
    assert abs(lo - garwood[0]) < 0.35 * se and abs(hi - garwood[1]) < 0.35 * se


def test_bernoulli_parametric_draws_stay_zero_one():
    x = np.r_[np.ones(51), np.zeros(49)]
    f = mlefit.fit(x, "bernoulli").fitted
    d = bootstrap(f, 2000, "parametric", seed=1)
    lo, hi = parameter_intervals(f, d)[0]
    assert 0.0 < lo < 0.51 < hi < 1.0
    # the B -> infinity limit: binomial(100, 0.51) quantiles / 100
    assert lo == pytest.approx(stats.binom.ppf(0.025, 100, 0.51) / 100, abs=0.015)
    assert hi == pytest.approx(stats.binom.ppf(0.975, 100, 0.51) / 100, abs=0.015)


# ---------------------------------------------------------------- weights
def horsekicks():
    table = np.loadtxt(DATA / "horsekicks_table.csv", delimiter=",", skiprows=1)
    return table[:, 0], table[:, 1]


@pytest.mark.parametrize("kind", ["nonparametric", "parametric"])
def test_weighted_table_bootstraps_like_its_expanded_rows(kind):
    deaths, years = horsekicks()
    table = mlefit.fit(deaths, "poisson", weights=years).fitted
    rows = mlefit.fit(np.repeat(deaths, years.astype(int)), "poisson").fitted
    a, b = bootstrap(table, 2000, kind, seed=5), bootstrap(rows, 2000, kind, seed=5)
    # a resample holds 200 corps-years (not 5 table rows): every rate is k/200
    assert np.allclose(a.thetas[:, 0] * 200, np.round(a.thetas[:, 0] * 200))
    # drawn over the distinct values either way: the same resamples
    np.testing.assert_allclose(a.thetas, b.thetas, rtol=1e-12)
    # and with another seed, the same interval within Monte-Carlo error; near the normal
    # approximation of the mean of 200 draws from the table (rate 0.61, var 0.6079)
    se = math.sqrt(float(np.average((deaths - 0.61) ** 2, weights=years)) / 200)
    lo, hi = parameter_intervals(table, a)[0]
    lo2, hi2 = parameter_intervals(rows, bootstrap(rows, 2000, kind, seed=6))[0]
    assert abs(lo - lo2) < 0.3 * se and abs(hi - hi2) < 0.3 * se
    assert abs(lo - (0.61 - 1.96 * se)) < 0.25 * se and abs(hi - (0.61 + 1.96 * se)) < 0.25 * se


def test_weighted_continuous_rows_bootstrap_like_their_expanded_rows():
    rng = np.random.default_rng(13)
    x, w = rng.normal(5.0, 1.0, 20), rng.integers(1, 20, 20).astype(float)
    table = mlefit.fit(x, "normal", weights=w).fitted
    rows = mlefit.fit(np.repeat(x, w.astype(int)), "normal").fitted
    n = w.sum()
    for kind in ("nonparametric", "parametric"):
        a, b = bootstrap(table, 2000, kind, seed=1), bootstrap(rows, 2000, kind, seed=2)
        for i in (0, 1):
            se = table.theta[1] / math.sqrt(n) * (1.0 if i == 0 else math.sqrt(0.5))
            (lo, hi), (lo2, hi2) = parameter_intervals(table, a)[i], parameter_intervals(rows, b)[i]
            assert abs(lo - lo2) < 0.3 * se and abs(hi - hi2) < 0.3 * se


def test_fractional_weights_keep_their_weights_in_nonparametric_resamples():
    x = np.random.default_rng(4).normal(size=30)
    half = mlefit.fit(x, "normal", weights=np.full(30, 0.5)).fitted
    plain = mlefit.fit(x, "normal").fitted
    a, b = bootstrap(half, 100, "nonparametric"), bootstrap(plain, 100, "nonparametric")
    np.testing.assert_allclose(a.thetas, b.thetas, rtol=1e-12)  # a row drawn j times weighs j/2
    with pytest.raises(UsageError, match="fractions; use the nonparametric bootstrap"):
        bootstrap(half, 10, "parametric")


def test_per_row_trials_follow_their_values():
    rng = np.random.default_rng(5)
    t = rng.integers(1, 30, 300)
    x = rng.binomial(t, 0.3)
    f = mlefit.fit(x, "binomial", trials=t).fitted
    p, se = x.sum() / t.sum(), math.sqrt(0.21 / t.sum())
    for kind in ("nonparametric", "parametric"):
        lo, hi = parameter_intervals(f, bootstrap(f, 1000, kind, seed=1))[0]
        assert abs(lo - (p - 1.96 * se)) < 0.25 * se and abs(hi - (p + 1.96 * se)) < 0.25 * se


@pytest.mark.parametrize("kind", ["parametric", "nonparametric"])
def test_per_row_trials_resample_as_rows_of_the_one_family(kind):
    """Issue 15, point 2: a resample is rows (successes, trials) refitted by the fit's own
    family, never a family rebuilt for the resample's trials; each draw's trials are those
    of a row of the data."""
    from mlefit.inference import resample
    rng = np.random.default_rng(9)
    t = rng.integers(1, 30, 200)
    x = rng.binomial(t, rng.beta(2.0, 3.0, 200))
    f = mlefit.fit(x, "beta_binomial", trials=t).fitted
    draw = (resample._parametric if kind == "parametric" else resample._nonparametric)(f)
    for seed in range(5):
        fitted_b, rows, w = draw(np.random.default_rng(seed))
        assert fitted_b is f and rows.shape[1] == 2
        successes, trials = rows.columns
        assert set(trials) <= set(t.astype(float)) and np.all(successes <= trials)
        total = rows.shape[0] if w is None else w.sum()
        assert total == x.size


# ---------------------------------------------------------------- fixed values, limits, failures
@pytest.mark.parametrize("kind", ["parametric", "nonparametric"])
def test_fixed_parameters_stay_fixed(kind):
    x = np.random.default_rng(6).gamma(2.0, 0.5, 200)
    f = mlefit.fit(x, "gamma", fix={"shape": 2.0}).fitted
    d = bootstrap(f, 200, kind)
    assert np.all(d.thetas[:, 0] == 2.0)
    assert np.unique(d.thetas[:, 1]).size > 150
    intervals = parameter_intervals(f, d)
    assert list(intervals) == [1]
    lo, hi = intervals[1]
    rate = f.theta[1]  # rate = 2/mean; SE of the rate = rate / sqrt(n shape)
    assert abs((hi - lo) / (2 * 1.96 * rate / math.sqrt(400)) - 1) < 0.15


@pytest.mark.parametrize("kind", ["parametric", "nonparametric"])
def test_negative_binomial_near_poisson_records_the_limit(kind):
    x = near_poisson_counts()
    f = mlefit.fit(x, "negative_binomial").fitted
    d = bootstrap(f, 400, kind, seed=1, functions=(lambda th: th[1] + th[1] ** 2 / th[0],))
    assert 0.2 * d.samples < d.at_limit < 0.8 * d.samples
    at = np.isinf(d.thetas[:, 0])
    assert at.sum() == d.at_limit
    (size_lo, size_hi), (mu_lo, mu_hi) = parameter_intervals(f, d).values()
    assert size_hi == math.inf and 0 < size_lo < f.theta[0]
    se = math.sqrt(x.mean() / x.size)
    assert abs(mu_lo - (x.mean() - 1.96 * se)) < 0.3 * se and abs(mu_hi - (x.mean() + 1.96 * se)) < 0.3 * se
    # at the poisson limit the variance mu + mu^2/size is mu
    np.testing.assert_allclose(d.values[at, 0], d.thetas[at, 1])
    # ... and mu is the resample mean (the poisson MLE), a multiple of 1/200
    assert np.unique(d.thetas[at, 1]).size > 10
    np.testing.assert_allclose(d.thetas[at, 1] * 200, np.round(d.thetas[at, 1] * 200), atol=1e-9)
    assert any("poisson limit" in note for note in d.notes)
    assert d.failed <= 2


def test_negative_binomial_limit_with_mu_fixed_and_size_fixed():
    x = near_poisson_counts()
    f = mlefit.fit(x, "negative_binomial", fix={"mu": 3.0}).fitted
    d = bootstrap(f, 200, "nonparametric")
    assert np.all(d.thetas[:, 1] == 3.0) and d.at_limit > 0
    assert parameter_intervals(f, d)[0][1] == math.inf
    # given size, mu's MLE is the mean, also for resamples that are not overdispersed
    g = mlefit.fit(x, "negative_binomial", fix={"size": 30.0}).fitted
    d = bootstrap(g, 200, "nonparametric")
    assert np.all(d.thetas[:, 0] == 30.0) and d.at_limit == 0 and d.failed == 0
    np.testing.assert_allclose(d.thetas[:, 1] * 200, np.round(d.thetas[:, 1] * 200), atol=1e-6)


def test_beta_binomial_near_binomial_records_the_limit():
    rng = np.random.default_rng(8)
    t = np.full(300, 10)
    x = rng.binomial(t, rng.beta(60.0, 140.0, 300))
    f = mlefit.fit(x, "beta_binomial", trials=t).fitted
    d = bootstrap(f, 100, "nonparametric", functions=(lambda th: th[0] / (th[0] + th[1]),))
    assert d.at_limit > 0 and d.failed == 0
    intervals = parameter_intervals(f, d)
    assert intervals[0][1] == math.inf and intervals[1][1] == math.inf
    p = x.sum() / t.sum()
    assert np.all(np.abs(d.values[:, 0] - p) < 0.03)  # a/(a+b) is p on the way to the limit


def test_student_t_normal_limit_is_infinite_df():
    x = np.random.default_rng(3).standard_t(30.0, 300)
    f = mlefit.fit(x, "student_t").fitted
    d = bootstrap(f, 60, "nonparametric")
    assert d.at_limit == int(np.isinf(d.thetas[:, 2]).sum()) > 0
    assert parameter_intervals(f, d)[2][1] == math.inf


def test_exact_intervals_are_pointed_to():
    f = mlefit.fit(np.random.default_rng(1).pareto(3.0, 100) + 1.0, "pareto").fitted
    assert "xm, alpha: the estimate is on an edge" in bootstrap(f, 10, "nonparametric").notes[0]


def test_failed_resamples_are_counted_and_left_out():
    f = mlefit.fit([1.0, 2.0, 3.0], "normal").fitted
    d = bootstrap(f, 900, "nonparametric")
    # a resample of 3 rows repeats one row with probability 3/27
    assert 60 < d.failed < 140
    assert d.thetas.shape == (900 - d.failed, 2) and d.refitted == 900 - d.failed
    assert np.all(d.thetas[:, 1] > 0)
    assert (d.failed > 90) == any("%" in note and "left out" in note for note in d.notes)
    g = mlefit.fit([1.0, 2.0], "normal").fitted
    d = bootstrap(g, 200, "nonparametric")  # half the resamples are constant
    assert 70 < d.failed < 130 and "could not be refitted" in d.notes[0] and "%" in d.notes[0]


# ---------------------------------------------------------------- derived values, API
def test_derived_functions_are_evaluated_per_resample():
    f = mlefit.fit(np.random.default_rng(9).gamma(3.0, 2.0, 100), "gamma").fitted

    def broken(th):
        raise ZeroDivisionError
    d = bootstrap(f, 50, "nonparametric", functions=(lambda th: th[0] / th[1], broken, lambda th: math.nan))
    assert d.values.shape == (50, 3)
    np.testing.assert_array_equal(d.values[:, 0], d.thetas[:, 0] / d.thetas[:, 1])
    assert np.all(np.isnan(d.values[:, 1:]))
    lo, hi = percentile_interval(d.values[:, 0], 0.9)
    assert lo < np.mean(d.thetas[:, 0] / d.thetas[:, 1]) < hi


def test_categorical_resamples_lacking_a_label_give_it_zero():
    x = ["a"] * 30 + ["b"] * 8 + ["c"]
    f = mlefit.fit(x, "categorical").fitted
    d = bootstrap(f, 200, "nonparametric")
    assert d.thetas.shape == (200, 3)
    np.testing.assert_allclose(d.thetas.sum(axis=1), 1.0)
    assert np.mean(d.thetas[:, 2] == 0.0) == pytest.approx((38 / 39) ** 39, abs=0.1)
    with pytest.raises(UsageError, match="no distribution to draw from"):
        bootstrap(f, 10, "parametric")


def test_on_step_once_per_resample_and_bad_arguments():
    f = mlefit.fit([1.0, 2.0, 3.0], "normal").fitted
    steps = []
    bootstrap(f, 37, "nonparametric", on_step=lambda: steps.append(1))
    assert len(steps) == 37  # failed resamples step too
    for bad in (0, -3, 2.5, True):
        with pytest.raises(UsageError, match="whole number >= 1"):
            bootstrap(f, bad)
    with pytest.raises(UsageError, match="'parametric' or 'nonparametric'"):
        bootstrap(f, 10, kind="jackknife")
    with pytest.raises(UsageError, match="seed"):
        bootstrap(f, 10, seed=-1)
    with pytest.raises(UsageError, match="functions of the parameters"):
        bootstrap(f, 10, functions=(2.0,))


def test_percentile_interval_is_numpy_quantile_with_infinities():
    v = np.random.default_rng(10).normal(size=1001)
    for level in (0.5, 0.9, 0.95, 0.99):
        np.testing.assert_allclose(percentile_interval(v, level),
                                   np.quantile(v, [(1 - level) / 2, (1 + level) / 2]), rtol=1e-14)
    with_inf = np.r_[np.arange(90.0), np.full(10, np.inf)]
    with np.errstate(invalid="ignore"):
        assert np.isnan(np.quantile(with_inf, 0.95))  # numpy: inf - inf
    assert percentile_interval(with_inf, 0.9) == (pytest.approx(np.quantile(with_inf, 0.05)), math.inf)
    assert percentile_interval(np.full(5, np.inf), 0.9) == (math.inf, math.inf)
    assert percentile_interval(np.r_[-np.inf, -np.inf, 1.0, 2.0], 0.5)[0] == -math.inf
    assert percentile_interval([1.0, np.nan, 2.0, 3.0], 0.5) == (1.5, 2.5)
    assert all(math.isnan(b) for b in percentile_interval([np.nan], 0.9))
    with pytest.raises(UsageError, match="between 0 and 1"):
        percentile_interval(v, 1.5)


def test_draws_are_read_only():
    f = mlefit.fit([1.0, 2.0, 3.0, 5.0], "normal").fitted
    d = bootstrap(f, 5, "parametric")
    assert isinstance(d, Draws)
    with pytest.raises(ValueError):
        d.thetas[0, 0] = 1.0


def test_uniform_counts_are_multinomial_counts():
    """The nonparametric resample's counts (n row numbers drawn uniformly, counted) have
    the multinomial(n, 1/n) moments: each row's count has mean 1 and variance 1 - 1/n,
    two rows' counts covariance -1/n, and every draw sums to n."""
    from mlefit.inference.resample import uniform_counts
    rng = np.random.default_rng(7)
    n, reps = 50, 20000
    c = np.array([uniform_counts(rng, n) for _ in range(reps)])
    assert np.all(c.sum(axis=1) == n)
    se = math.sqrt(2.0 / reps)  # about the sd of a sample variance near 1
    assert abs(c.mean() - 1.0) < 1e-12
    assert np.all(np.abs(c.var(axis=0) - (1.0 - 1.0 / n)) < 5 * se)
    cov = np.cov(c[:, 0], c[:, 1])[0, 1]
    assert abs(cov + 1.0 / n) < 5 / math.sqrt(reps)


def test_student_t_and_beta_binomial_record_their_limits_from_their_records():
    """The limits are fields of the family records (Limit, one with the per-row density's):
    student_t's df runs to the normal limit (df = inf, with the estimate at DF_LIMIT as the
    point near it), and beta_binomial's shapes to the binomial limit; each bootstrap note names its limit."""
    x = np.random.default_rng(5).normal(size=60)
    f = mlefit.fit(x, "student_t").fitted
    d = bootstrap(f, 60, "nonparametric", seed=2)
    assert d.at_limit > 0 and np.isinf(d.thetas[:, 2]).sum() == d.at_limit
    assert any("recorded at the normal limit: df = inf" in note for note in d.notes)
    y = np.random.default_rng(6).binomial(10, 0.3, size=80).astype(float)
    f = mlefit.fit(y, "beta_binomial:10").fitted
    d = bootstrap(f, 60, "nonparametric", seed=3)
    assert d.at_limit > 0 and np.isinf(d.thetas[:, 0]).sum() == d.at_limit
    assert any("recorded at the binomial limit: a = b = inf" in note for note in d.notes)
