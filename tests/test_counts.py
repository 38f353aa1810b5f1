"""binomial and beta_binomial with known trials (one number or one per row), and the
zero-inflated poisson: closed forms and optima against scipy.stats / statsmodels, the
boundaries, trials from the command line, and their errors."""
import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize
import scipy.stats
from cases import REFERENCE
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.errors import BoundaryError, DataError, MlefitError, UsageError
from mlefit.families import counts
from mlefit.families.base import rows_of
from mlefit.inference.information import numeric_hessian, z_value

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
SAXONY = [3, 24, 104, 286, 670, 1033, 1343, 1112, 829, 478, 181, 45, 7]  # boys 0..12


def estimates(r):
    return [p.estimate for p in r.parameters]


def per_row(seed=0, n=80):
    """Counts with trials that vary by row, overdispersed (beta-distributed p)."""
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 30, n).astype(float)
    return rng.binomial(t.astype(int), rng.beta(2.0, 3.0, n)).astype(float), t


def optimum(nll, start):
    """An independent optimiser on the log scale of positive parameters."""
    res = scipy.optimize.minimize(lambda u: nll(np.exp(u)), np.log(start), method="Nelder-Mead",
                                  options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    return np.exp(res.x), res.fun


# ---------------------------------------------------------------- binomial
def test_binomial_closed_form_and_se_against_scipy():
    x, t = per_row(1)
    r = mlefit.fit(x, "binomial", trials=t)
    p = x.sum() / t.sum()
    assert r.family == "binomial" and r.estimates["p"] == pytest.approx(p, rel=1e-15)
    assert r.loglik == pytest.approx(scipy.stats.binom.logpmf(x, t, p).sum(), rel=1e-13)
    assert r.parameters[0].se == pytest.approx(math.sqrt(p * (1 - p) / t.sum()), rel=1e-12)
    assert "trials per row: from 1 to 29" in r.notes
    expected = mlefit.fit(x, "binomial", trials=t, information="expected").parameters[0].se
    assert expected == pytest.approx(r.parameters[0].se, rel=1e-12)  # equal at the MLE


def test_binomial_with_one_number_of_trials():
    x = np.random.default_rng(2).binomial(12, 0.35, 300).astype(float)
    by_name, by_option = mlefit.fit(x, "binomial:12"), mlefit.fit(x, "binomial", trials=12)
    assert by_name.to_dict() == by_option.to_dict() and by_name.family == "binomial:12"
    assert mlefit.fit(x, "binom", trials=np.full(300, 12.0)).to_dict() == by_name.to_dict()
    assert by_name.estimates["p"] == pytest.approx(x.mean() / 12, rel=1e-15)


@pytest.mark.parametrize("k", [0, 36])
def test_binomial_boundary_has_the_exact_clopper_pearson_interval(k):
    x = [k // 3] * 3  # 3 rows of 12 trials: 0 or 36 successes in 36
    r = mlefit.fit(x, "binomial:12", confidence=0.9)
    ci = scipy.stats.binomtest(k, 36).proportion_ci(0.9, method="exact")
    p = r.parameters[0]
    assert (p.estimate, p.se, p.interval) == (k / 36, None, "exact")
    assert (p.ci_lower, p.ci_upper) == pytest.approx((ci.low, ci.high), rel=1e-12, abs=1e-15)


def test_binomial_on_the_saxony_families():
    """Geissler's table: p-hat = 38100 / 73380 boys, as in every textbook."""
    boys = np.arange(13.0)
    r = mlefit.fit(boys, "binomial:12", weights=SAXONY)
    assert r.n == 6115 and r.estimates["p"] == 38100 / 73380
    assert r.loglik == pytest.approx(np.dot(SAXONY, scipy.stats.binom.logpmf(boys, 12, 38100 / 73380)), rel=1e-13)


@pytest.mark.parametrize("name,theta", [("binomial", (0.3,)), ("beta_binomial", (1.5, 2.5))])
def test_distribution_functions_with_trials_per_row(name, theta):
    x, t = per_row(10, n=200)
    fam = mlefit.families.build(name, None)  # trials per row: the data are rows (successes, trials)
    ref = scipy.stats.binom(t, *theta) if name == "binomial" else scipy.stats.betabinom(t, *theta)
    for grid in (x, x + 0.5, x - 1, t + 1):
        np.testing.assert_allclose(fam.cdf_values(rows_of(grid, t), theta), ref.cdf(grid), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fam.logpdf(rows_of(x, t), theta), ref.logpmf(x), rtol=1e-12)
    draws = np.array([fam.draw(np.random.default_rng(s), 200, theta, (t,)) for s in range(300)])
    assert draws.dtype == np.float64 and np.all(draws <= t) and np.all(draws == np.floor(draws))
    np.testing.assert_allclose(draws.mean(axis=0).mean(), ref.mean().mean(), rtol=0.01)


# ---------------------------------------------------------------- beta-binomial
@pytest.mark.slow
def test_beta_binomial_on_the_saxony_families():
    """The overdispersion of Geissler's table: MLE by an independent optimiser on
    scipy's betabinom (about a = 34.1, b = 31.6, log-likelihood -12492.87)."""
    boys = np.arange(13.0)
    r = mlefit.fit(boys, "beta_binomial", trials=12, weights=SAXONY)
    nll = lambda th: -np.dot(SAXONY, scipy.stats.betabinom.logpmf(boys, 12, *th))
    ref, ref_nll = optimum(nll, [30.0, 30.0])
    np.testing.assert_allclose(estimates(r), ref, rtol=1e-5)
    assert -r.loglik <= ref_nll + 1e-9 and r.loglik == pytest.approx(-12492.87136, abs=1e-5)
    info = numeric_hessian(nll, estimates(r))
    np.testing.assert_allclose([p.se for p in r.parameters], np.sqrt(np.diag(np.linalg.inv(info))), rtol=1e-5)


def test_beta_binomial_with_trials_per_row_against_scipy():
    x, t = per_row(3, n=400)
    r = mlefit.fit(x, "beta_binomial", trials=t)
    nll = lambda th: -scipy.stats.betabinom.logpmf(x, t, *th).sum()
    ref, ref_nll = optimum(nll, [1.0, 1.0])
    np.testing.assert_allclose(estimates(r), ref, rtol=1e-5)
    assert r.loglik == pytest.approx(-nll(estimates(r)), rel=1e-12) and -r.loglik <= ref_nll + 1e-9
    fam = mlefit.families.build("beta_binomial", None)
    np.testing.assert_allclose(fam.observed_information(fam.stats(rows_of(x, t), None), estimates(r)),
                               numeric_hessian(nll, estimates(r)), rtol=1e-5)


def test_log_coefficient_without_scipy_against_mpmath():
    """Issue 21: the constant log C(t, x) of the binomial fits comes from gamma_arrays'
    log-beta (no scipy.special to import): within 1e-14 of mpmath up to t = 2^52."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    for t in (1, 12, 30, 1000, 12345, 1e5, 1e9, 2.0 ** 52):
        x = np.unique(np.concatenate([np.arange(0.0, min(t, 60) + 1), np.linspace(0.0, t, 40).round()]))
        got = counts._log_coef(np.full(x.size, float(t)), x)
        want = np.array([float(mpmath.log(mpmath.binomial(int(t), int(v)))) for v in x])
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)


def test_log_coefficient_table_is_the_direct_form():
    """The table log C(t, x) is looked up in for t <= COEF_TABLE_UP_TO holds the direct
    form's values, and a mix of table and direct pairs gets each its own."""
    top = counts.COEF_TABLE_UP_TO
    t = np.repeat(np.arange(top + 1.0), np.arange(1, top + 2))
    x = np.concatenate([np.arange(k + 1.0) for k in range(top + 1)])
    np.testing.assert_array_equal(counts._log_coef(t, x), counts._log_coef_direct(t, x))
    mixed_t, mixed_x = np.array([3.0, 1000.0, top, top + 1.0]), np.array([1.0, 400.0, 7.0, 7.0])
    np.testing.assert_array_equal(counts._log_coef(mixed_t, mixed_x), counts._log_coef_direct(mixed_t, mixed_x))


def test_beta_binomial_sums_equal_gamma_functions():
    """The exact sums over j < v and the gamma-function form of the same terms."""
    v = np.array([0.0, 1.0, 4.0, 17.0, 250.0])
    c = np.array([2.0, 1.5, 3.0, 1.0, 0.5])
    sums = counts._rising_table(v, c)
    assert sums[0] == "sums"
    for a in (0.03, 1.7, 45.0, 3e4):
        for of in (counts._rising, counts._rising_derivs):
            np.testing.assert_allclose(of(sums, a), of(("gamma", v, c), a), rtol=1e-10)


def test_beta_binomial_with_huge_trials_uses_gamma_functions():
    rng = np.random.default_rng(4)
    t = np.full(60, 2e6)
    x = rng.binomial(2_000_000, rng.beta(3.0, 5.0, 60)).astype(float)
    fam = mlefit.families.build("beta_binomial", 2_000_000)
    assert fam.stats(x, None).rt[0] == "gamma"
    r = mlefit.fit(x, "beta_binomial", trials=t)
    nll = lambda th: -scipy.stats.betabinom.logpmf(x, 2_000_000, *th).sum()
    ref, ref_nll = optimum(nll, [3.0, 5.0])
    np.testing.assert_allclose(estimates(r), ref, rtol=1e-4)
    assert -r.loglik <= ref_nll + 1e-7 * abs(ref_nll)


@pytest.mark.parametrize("x,trials,message", [
    ([5, 6, 5, 6], 12, "not overdispersed"),
    ([0, 0, 0], 12, "all values are 0"),
    ([12, 12], 12, "all values are equal to their trials"),
])
def test_beta_binomial_at_the_binomial_limit_is_a_boundary_error(x, trials, message):
    with pytest.raises(BoundaryError, match=message) as err:
        mlefit.fit(x, "beta_binomial", trials=trials)
    assert err.value.limit == "binomial" and "use --dist binomial" in str(err.value)


def test_beta_binomial_without_information_on_the_dispersion():
    with pytest.raises(DataError, match="every row has 1 trial"):
        mlefit.fit([0, 1, 1, 0], "beta_binomial", trials=1)
    with pytest.raises(DataError, match="tends to a, b -> 0"):
        mlefit.fit([0, 12, 0, 12, 1], "beta_binomial", trials=[12, 12, 12, 12, 1])


def test_beta_binomial_nearly_binomial_converges_to_large_shapes():
    x = np.random.default_rng(5).binomial(20, 0.3, 2000).astype(float)
    x[:10] = [0, 0, 0, 0, 0, 15, 15, 15, 15, 15]  # a few outlying rows: slightly overdispersed
    r = mlefit.fit(x, "beta_binomial:20")
    a, b = estimates(r)
    assert r.converged and a / (a + b) == pytest.approx(x.mean() / 20, rel=1e-3) and a + b > 20
    ref = mlefit.fit(x, "binomial:20")
    assert r.loglik > ref.loglik


# ---------------------------------------------------------------- zero-inflated poisson
def zip_sample(seed, n=500, pi=0.3, rate=2.5):
    rng = np.random.default_rng(seed)
    return np.where(rng.random(n) < pi, 0, rng.poisson(rate, n)).astype(float)


def test_zero_inflated_poisson_against_statsmodels():
    from statsmodels.discrete.count_model import ZeroInflatedPoisson
    x = zip_sample(6)
    r = mlefit.fit(x, "zip")
    ones = np.ones((x.size, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = ZeroInflatedPoisson(x, ones, exog_infl=ones, inflation="logit").fit(disp=0, method="bfgs",
                                                                                  maxiter=1000, gtol=1e-10)
    pi, rate = 1 / (1 + math.exp(-sm.params[0])), math.exp(sm.params[1])
    np.testing.assert_allclose(estimates(r), [pi, rate], rtol=1e-6)
    assert r.loglik == pytest.approx(sm.llf, rel=1e-10)
    # statsmodels' Hessian on (logit pi, log rate) has the right diagonal, but (0.15) a zero
    # cross term, so its SEs are not compared; the SEs are checked against scipy's instead
    fam = mlefit.families.get("zip")
    jac = np.diag([pi * (1 - pi), rate])
    info = jac @ fam.observed_information(fam.stats(x, None), (pi, rate)) @ jac
    np.testing.assert_allclose(np.diag(info), np.diag(-sm.model.hessian(sm.params)), rtol=1e-5)
    nll = lambda th: -np.sum(REFERENCE["zero_inflated_poisson"](tuple(th), x))
    np.testing.assert_allclose([p.se for p in r.parameters],
                               np.sqrt(np.diag(np.linalg.inv(numeric_hessian(nll, (pi, rate))))), rtol=1e-6)


def test_zero_inflated_poisson_score_equations():
    """The fitted P(X = 0) is the share of zeros, and rate / (1 - e^-rate) the mean of
    the positive counts."""
    x = zip_sample(7)
    pi, rate = estimates(mlefit.fit(x, "zero_inflated_poisson"))
    assert pi + (1 - pi) * math.exp(-rate) == pytest.approx(np.mean(x == 0), rel=1e-12)
    assert rate / -math.expm1(-rate) == pytest.approx(x[x > 0].mean(), rel=1e-12)
    assert np.sum(REFERENCE["zero_inflated_poisson"]((pi, rate), x)) == pytest.approx(
        mlefit.fit(x, "zip").loglik, rel=1e-12)


def test_zero_inflated_poisson_without_excess_zeros_is_the_poisson_fit():
    x = [0, 1, 1, 2, 3, 1, 2, 0, 4, 2]  # 2 zeros in 10 against e^-1.6 = 0.20 expected
    r, pois = mlefit.fit(x, "zip"), mlefit.fit(x, "poisson")
    pi, rate = r.parameters
    assert (pi.estimate, rate.estimate) == (0.0, pois.estimates["rate"])
    assert r.loglik == pytest.approx(pois.loglik, rel=1e-15)
    assert pi.interval == "profile likelihood" and pi.ci_lower == 0.0 and "no excess zeros" in pi.note
    # at the upper end twice the profile log-likelihood has dropped by z^2
    nll = lambda p, lam: -np.sum(REFERENCE["zero_inflated_poisson"]((p, lam), np.array(x, float)))
    prof = scipy.optimize.minimize_scalar(lambda u: nll(pi.ci_upper, math.exp(u)), bracket=(0.0, 1.0), tol=1e-12)
    assert 2 * (prof.fun + r.loglik) == pytest.approx(z_value(0.95) ** 2, rel=1e-7)
    assert rate.se is not None and rate.ci_lower < rate.estimate < rate.ci_upper


def test_zero_inflated_poisson_with_no_zeros_at_all():
    r = mlefit.fit([3, 1, 2, 2], "zip", confidence=0.9)
    assert estimates(r) == [0.0, 2.0]
    assert r.parameters[0].ci_upper == pytest.approx(-math.expm1(-z_value(0.9) ** 2 / 8), rel=1e-10)


def test_zero_inflated_poisson_distribution_functions():
    fam = mlefit.families.get("zero_inflated_poisson")
    k = np.arange(-1.0, 20.0)
    cdf = fam.cdf_values(k, (0.25, 3.0))
    pmf = np.exp(REFERENCE["zero_inflated_poisson"]((0.25, 3.0), np.maximum(k, 0)))
    np.testing.assert_allclose(cdf, np.where(k < 0, 0, np.cumsum(np.where(k < 0, 0, pmf))), rtol=1e-12)
    draws = fam.draw(np.random.default_rng(8), 20000, (0.25, 3.0))
    assert np.mean(draws == 0) == pytest.approx(0.25 + 0.75 * math.exp(-3), abs=0.01)


def test_zero_inflated_poisson_errors():
    with pytest.raises(DataError, match="all values are 0"):
        mlefit.fit([0, 0, 0], "zip")
    with pytest.raises(DataError, match="outside the support"):
        mlefit.fit([0, 1.5], "zip")


# ---------------------------------------------------------------- trials, weights and rows
@pytest.mark.parametrize("name", ["binomial", "beta_binomial"])
@pytest.mark.parametrize("seed", range(4))
def test_integer_weight_equals_repeating_the_row_with_trials(name, seed):
    x, t = per_row(seed, n=40)
    k = np.random.default_rng(seed).integers(1, 5, 40)
    full = mlefit.fit(np.repeat(x, k), name, trials=np.repeat(t, k))
    weighted = mlefit.fit(x, name, trials=t, weights=k)
    assert weighted.n == full.n == k.sum()
    np.testing.assert_allclose(estimates(weighted), estimates(full), rtol=1e-9)
    np.testing.assert_allclose([p.se for p in weighted.parameters], [p.se for p in full.parameters], rtol=1e-7)
    assert weighted.loglik == pytest.approx(full.loglik, rel=1e-11)


def test_trials_align_with_the_rows_like_weights():
    """Missing values, missing trials and zero weights leave out their rows only."""
    x = [3, None, 5, 2, 7, 0]
    t = [10, 4, np.nan, 6, 9, 0]
    w = [1, 1, 1, 0, 2, 1]
    r = mlefit.fit(x, "binomial", trials=t, weights=w)
    assert r.estimates["p"] == pytest.approx((3 + 2 * 7) / (10 + 2 * 9), rel=1e-15)
    assert {d.reason: d.first for d in r.dropped} == {
        "missing value (blank, NA, NaN, null, None)": ("index 1",), "zero weight": ("index 3",),
        "missing trials": ("index 2",), "zero trials": ("index 5",)}
    assert r.loglik == pytest.approx(scipy.stats.binom.logpmf(3, 10, r.estimates["p"])
                                     + 2 * scipy.stats.binom.logpmf(7, 9, r.estimates["p"]), rel=1e-13)



@pytest.mark.parametrize("bad,shown", [(6.5, "6.5"), (-2.0, "-2"), (np.inf, "inf"), (2.0 ** 53, "9.007199255e+15")])
def test_a_bad_trial_count_among_many_is_found_and_named(bad, shown):
    """Past the small-array size the trials are checked in blocks (numerics.all_whole):
    one bad count anywhere is still refused and named."""
    n = 3 * 65536 + 11
    t = np.full(n, 12.0)
    t[n - 5] = bad
    t[7] = np.nan  # missing: left out, not refused
    with pytest.raises(DataError, match=rf"1 trial count is not a whole number >= 0 \(index {n - 5}: {re.escape(shown)}\)"):
        mlefit.fit(np.zeros(n), "binomial", trials=t)


def test_a_fit_with_trials_per_row_makes_no_temporary_the_size_of_the_data_beside_its_rows():
    """One integer key per row for the distinct (successes, trials) pairs (8 bytes a row) is
    all a fit of trials per row adds at its peak: the rows are the columns given (Rows), not
    a matrix made per fit, the trials are checked in blocks, and the key is made as
    integers. A matrix, floor(trials) and a float key cost 32 bytes a row, and page faults
    in a loop of fits (binomial at 1e5: 1.2 -> 2.1 ms a fit)."""
    import tracemalloc
    n = 200_000
    rng = np.random.default_rng(3)
    t = rng.integers(1, 30, n) * 1.0
    s = rng.binomial(t.astype(int), 0.4) * 1.0
    expected = mlefit.fit(s, "binomial", trials=t)
    tracemalloc.start()
    r = mlefit.fit(s, "binomial", trials=t)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * n, peak / n
    assert r.estimates == expected.estimates and r.estimates["p"] == s.sum() / t.sum()

@pytest.mark.parametrize("kwargs,error,message", [
    ({"family": "binomial", "trials": [5, 6, 1]}, DataError,
     (r"the data has 1 value above the number of trials \(index 2: 5 > 1\); the binomial family counts "
      r"successes: 0 <= x <= trials")),
    ({"family": "binomial", "trials": [5, -6, 7]}, DataError,
     r"1 trial count is not a whole number >= 0 \(index 1: -6\)"),
    ({"family": "beta_binomial", "trials": [5, 6.5, 7]}, DataError, r"\(index 1: 6.5\)"),
    ({"family": "binomial", "trials": [5, 6]}, UsageError, "there are 2 trials for 3 values"),
    ({"family": "binomial", "trials": 2.5}, UsageError, r"trials must be a positive whole number \(got 2.5\)"),
    ({"family": "binomial", "trials": "n"}, UsageError, "--trials N or --trials COLUMN"),
    ({"family": "poisson", "trials": 5}, UsageError,
     "trials apply to the binomial and beta_binomial families, not to poisson"),
    ({"family": "binomial:5", "trials": 5}, UsageError, "the trials are given twice"),
    ({"family": "binomial"}, mlefit.FamilyError, "the binomial family needs the number of trials"),
    ({"family": "binomial:3"}, DataError, r"\(index 0: 4 > 3, index 2: 5 > 3\)"),
])
def test_trials_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        mlefit.fit([4, 2, 5], **kwargs)


EDGE = [[3.0], [0.0, 0.0], [1.0, 2.0], [0.0, 1e9, 3.0], [1e15, 2e15], [0.0] * 50 + [1000.0], [2.5, 1.0]]


@pytest.mark.parametrize("name", ["binomial", "beta_binomial"])
@pytest.mark.parametrize("data", EDGE, ids=[str(d[:3]) for d in EDGE])
def test_edge_data_with_trials(name, data):
    """A finite result or a one-line error, never a warning or a NaN."""
    for trials in (1000, np.array(data) * 2 + 1, np.array(data) + 1e9):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                r = mlefit.fit(data, name, trials=trials)
            except MlefitError as exc:
                assert str(exc) and "\n" not in str(exc)
                continue
        d = r.to_dict()
        json.dumps(d, allow_nan=False)
        assert all(math.isfinite(p["estimate"]) for p in d["parameters"]) and math.isfinite(d["loglik"])


# ---------------------------------------------------------------- command line
def test_cli_trials_column_equals_the_library():
    x, t = per_row(9, n=30)
    text = "successes,n\n" + "".join(f"{int(a)},{int(b)}\n" for a, b in zip(x, t))
    for name in ("binomial", "beta_binomial"):
        result = CliRunner().invoke(cli, ["fit", "-", "-c", "successes", "--trials", "n", "-d", name, "--json"],
                                    input=text)
        assert result.exit_code == 0, result.output
        out, lib = json.loads(result.stdout), mlefit.fit(x, name, trials=t, column="successes").to_dict()
        assert out == {**lib, "source": "<stdin>"}
    assert out["family"] == "beta_binomial" and out["notes"] == ["trials per row: from 1 to 29"]
    assert lib["parameters"][0]["estimate"] != x.sum() / t.sum()  # the beta_binomial's a, not p


def test_cli_trials_number_and_the_saxony_file():
    saxony = str(SAMPLE / "saxony.csv")
    base = ["fit", saxony, "-c", "boys", "-w", "families", "--json"]
    by_number = json.loads(CliRunner().invoke(cli, base + ["-d", "beta_binomial", "--trials", "12"]).stdout)
    by_column = json.loads(CliRunner().invoke(cli, base + ["-d", "betabinom", "--trials", "children"]).stdout)
    by_name = json.loads(CliRunner().invoke(cli, base + ["-d", "beta_binomial:12"]).stdout)
    assert by_number == by_column == by_name and by_name["family"] == "beta_binomial:12"
    assert by_name["n"] == 6115 and by_name["rows_used"] == 13
    lib = mlefit.fit(np.repeat(np.arange(13.0), SAXONY), "beta_binomial:12")
    np.testing.assert_allclose([p["estimate"] for p in by_name["parameters"]], estimates(lib), rtol=1e-9)


def test_cli_trials_errors():
    text = "x,n,w\n3,10,1\n4,,2\n"
    cases = [
        (["-c", "x", "--trials", "n", "-d", "binomial", "--by", "w"], 2, "--trials COLUMN does not go with --by"),
        (["-c", "x", "--trials", "n", "-l", "mse"], 2, "--trials goes with --dist binomial"),
        (["-c", "x", "--trials", "m", "-d", "binomial"], 2, "no column 'm'"),
        (["-c", "x", "--trials", "n", "-d", "binomial", "--strict"], 1, "--strict refuses"),
        (["-c", "x", "--trials", "3", "-d", "binomial"], 1, "(line 3: 4 > 3)"),
    ]
    for args, code, message in cases:
        result = CliRunner().invoke(cli, ["fit", "-", *args], input=text)
        assert result.exit_code == code and message in result.stderr, (args, result.output)
    result = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "--trials", "n", "-w", "w", "-d", "binomial", "--json"],
                                input=text)
    out = json.loads(result.stdout)
    assert out["dropped"] == [{"reason": "missing trials", "count": 1, "first": ["line 3"]}]
    assert out["family"] == "binomial:10" and out["weights"] == "w"


@pytest.mark.parametrize("name", ["binomial", "beta_binomial"])
def test_trials_per_row_are_data_of_one_family(name):
    """Issue 15, point 2: the family of trials per row is one object whatever the data; the
    trials travel in the Record and reach it as data, the rows (successes, trials)."""
    x, t = per_row(12, n=120)
    one, other = mlefit.fit(x, name, trials=t).fitted, mlefit.fit(x[:60], name, trials=t[:60]).fitted
    assert one.family is other.family is mlefit.families.build(name, None)
    assert one.family.sides == ("trials",) and one.family.name == name
    assert one.x.shape == (x.size, 2) and len(one.x) == x.size
    values, (trials,) = one.family.split(one.x)
    np.testing.assert_array_equal(values, x)
    np.testing.assert_array_equal(trials, t)
    # the family reads the values and trials given, uncopied (no matrix of them made per fit)
    assert np.shares_memory(values, x) and np.shares_memory(trials, t)
    rows = one.x[np.array([3, 0, 3])]
    assert [c.tolist() for c in rows.columns] == [[x[3], x[0], x[3]], [t[3], t[0], t[3]]]
    # every row with the same number of trials is that family with a fixed shape
    assert mlefit.fit(x, name, trials=np.full(x.size, 30.0)).family == f"{name}:30"


def test_a_fit_with_trials_per_row_is_refused_a_plot_by_its_sides(tmp_path):
    """The family of trials per row is known by its data (Family.sides), not by its name:
    each row has its own distribution, so there is no one fitted distribution to draw."""
    from mlefit.report.plots import plot_fit
    x, t = per_row(14, n=50)
    r = mlefit.fit(x, "binomial", trials=t)
    with pytest.raises(UsageError, match=r"^cannot plot a binomial fit with trials per row \(each row has its own "
                                         r"distribution\); fit rows with one number of trials \(binomial:N\)$"):
        plot_fit(r, str(tmp_path / "fit.png"))


@pytest.mark.parametrize("trials, named", [(12, "binomial:12"), ([12, 12, 12], "binomial:12"),
                                           ([12, 10, 12], "binomial")])
def test_a_value_outside_the_support_names_the_family_with_its_trials(trials, named):
    """The library's support error names the family as the fit would (binomial:12; the
    family of trials per row where they differ), as the command line does (was: 'binomial',
    and 'binomial:1' before that)."""
    with pytest.raises(mlefit.DataError, match=rf"outside the support of {named} \("):
        mlefit.fit([1.0, 2.5, 3.0], "binomial", trials=trials)
