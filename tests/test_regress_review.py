"""Defects a review of `mlefit regress` found (issue 16, 18), each checked against an
independent reference: statsmodels for a negative binomial at a fixed size, scipy for
a MAP where every response is 0."""
import json
import subprocess
import sys

import numpy as np
import pytest

import mlefit
from mlefit.errors import DataError, UsageError


def _nb_data(n=400, seed=3):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    mu = np.exp(1.0 + 0.3 * x1 - 0.2 * x2)
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float)
    return {"y": y, "x1": x1, "x2": x2}


def test_negative_binomial_at_a_fixed_size_is_statsmodels_glm_at_that_alpha():
    """--fix size=2 is the GLM with alpha = 1/2: its deviance took the size from the
    estimated parameters, where a fixed one is not, and crashed."""
    sm = pytest.importorskip("statsmodels.api")
    d = _nb_data()
    r = mlefit.regress(d, "y", ["x1", "x2"], dist="negative_binomial", fix={"size": 2})
    X = sm.add_constant(np.column_stack([d["x1"], d["x2"]]))
    ref = sm.GLM(d["y"], X, family=sm.families.NegativeBinomial(alpha=0.5)).fit(tol=1e-12)
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ref.params, rtol=1e-7)
    assert r.deviance == pytest.approx(ref.deviance, rel=1e-9)
    assert r.loglik == pytest.approx(ref.llf, rel=1e-10)
    expected = mlefit.regress(d, "y", ["x1", "x2"], dist="negative_binomial", fix={"size": 2},
                              information="expected")
    np.testing.assert_allclose([c.se for c in expected.coefficients], ref.bse, rtol=1e-6)
    for more in ({"folds": 3}, {"prior": ["coef ~ normal(0, 1)"]}):
        assert mlefit.regress(d, "y", ["x1", "x2"], dist="negative_binomial", fix={"size": 2}, **more).deviance > 0


def _all_zero(n=60, seed=4):
    rng = np.random.default_rng(seed)
    return {"y": np.zeros(n), "x": rng.normal(size=n)}


def test_every_response_0_with_a_proper_prior_on_every_coefficient_has_a_finite_map():
    from scipy.optimize import minimize
    from scipy.special import log_expit
    d = _all_zero()
    r = mlefit.regress(d, "y", ["x"], dist="bernoulli", prior=["Intercept ~ normal(0, 2)", "coef ~ normal(0, 1)"])

    def minus_log_posterior(b):
        eta = b[0] + b[1] * d["x"]
        return -(np.sum(log_expit(-eta)) - 0.5 * (b[0] / 2.0) ** 2 - 0.5 * b[1] ** 2)
    ref = minimize(minus_log_posterior, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ref.x, rtol=1e-6, atol=1e-8)
    firth = mlefit.regress(d, "y", ["x"], dist="bernoulli", prior=["jeffreys"])
    assert all(np.isfinite(c.estimate) for c in firth.coefficients)


def test_every_response_0_with_a_prior_on_the_slopes_only_is_refused():
    with pytest.raises(DataError, match=r"every response is 0 .* --prior jeffreys gives a finite MAP"):
        mlefit.regress(_all_zero(), "y", ["x"], dist="bernoulli", prior=["coef ~ normal(0, 1)"])


def test_a_prior_on_coefficients_of_the_wrong_support_suggests_what_coefficients_take():
    d = _nb_data()
    with pytest.raises(UsageError) as err:
        mlefit.regress(d, "y", ["x1"], dist="poisson", prior=["coef ~ beta(2, 2)"])
    assert "use normal (ridge), laplace (lasso), student_t or cauchy" in str(err.value)
    assert "uniform" not in str(err.value)


def _labels_by(x, cuts, names):
    return np.array([names[int(np.searchsorted(cuts, v))] for v in x], dtype=object)


@pytest.mark.parametrize("k", [2, 3])
def test_softmax_regression_refuses_complete_separation_as_the_binary_fit_does(k):
    """A covariate that orders the labels perfectly: the MLE does not exist; the fit had
    reported 'converged' with a coefficient of 277 and an SE of 2.6e8."""
    rng = np.random.default_rng(8)
    x, z = rng.normal(size=90), rng.normal(size=90)
    cuts = [0.0] if k == 2 else [-0.4, 0.4]
    y = _labels_by(x, cuts, ["a", "b", "c"][:k])
    with pytest.raises(DataError, match=r"^separation: x separates the labels, so the maximum likelihood estimate "
                                        r"does not exist .*--prior 'coef ~ normal\(0, 2.5\)'"):
        mlefit.regress({"y": y, "x": x, "z": z}, "y", ["x", "z"], dist="categorical")
    if k == 2:
        with pytest.raises(DataError, match="complete separation: x separates the outcomes"):
            mlefit.regress({"y": (y == "b").astype(float), "x": x, "z": z}, "y", ["x", "z"], dist="bernoulli")
    # with a prior on every slope the MAP is finite
    r = mlefit.regress({"y": y, "x": x, "z": z}, "y", ["x", "z"], dist="categorical", prior=["coef ~ normal(0, 2.5)"])
    assert all(np.isfinite(c.estimate) for c in r.coefficients)


def test_softmax_regression_refuses_quasi_separation_of_one_label():
    """Label c in every row with x > 1 and in none below it; at x = 1 all three labels:
    quasi-complete separation (and no refusal before: c:x reached 11123, SE 1.1e9)."""
    rng = np.random.default_rng(9)
    x, z = rng.normal(size=200), rng.normal(size=200)
    x[:6] = 1.0
    y = np.where(rng.random(200) < 0.5, "a", "b").astype(object)
    y[x > 1.0] = "c"
    y[:3] = ["a", "b", "c"]
    with pytest.raises(DataError, match=r"^separation: x separates the labels"):
        mlefit.regress({"y": y, "x": x, "z": z}, "y", ["x", "z"], dist="categorical")


def test_softmax_regression_without_separation_is_fitted():
    """Strong effects that leave the labels overlapping: no refusal, statsmodels' MNLogit."""
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(10)
    x, z = rng.normal(size=400), rng.normal(size=400)
    eta = np.column_stack([np.zeros(400), 3.0 * x, -3.0 * x + z])
    p = np.exp(eta - eta.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    codes = np.array([rng.choice(3, p=row) for row in p])
    y = np.array(["a", "b", "c"], dtype=object)[codes]
    r = mlefit.regress({"y": y, "x": x, "z": z}, "y", ["x", "z"], dist="categorical")
    ref = sm.MNLogit(codes, sm.add_constant(np.column_stack([x, z]))).fit(disp=0, tol=1e-12, maxiter=200)
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ref.params.T.reshape(-1), rtol=1e-6)


def test_an_open_profile_end_where_the_inner_fits_fail_says_so(monkeypatch):
    """Inner fits that stop converging beyond some value (made to here, past x's upper
    Wald end): the end is open, and the note says why and where (it said the profile
    never falls far enough)."""
    from mlefit.inference import profile_engine
    real = profile_engine.held_newton
    d = _nb_data()
    r0 = mlefit.regress(d, "y", ["x1", "x2"], dist="poisson")
    edge = r0.coefficients[1].estimate + 0.5 * (r0.coefficients[1].ci_upper - r0.coefficients[1].estimate)

    def failing(objective, vec_hat, j, value, max_iter=100):
        ll, vec, ok = real(objective, vec_hat, j, value, max_iter)
        return ll, vec, ok and not (j == 1 and value > edge)
    monkeypatch.setattr(profile_engine, "held_newton", failing)
    r = mlefit.regress(d, "y", ["x1", "x2"], dist="poisson", interval="profile")
    assert r.coefficients[1].ci_upper is None and r.coefficients[1].ci_lower is not None
    said = [n for n in r.notes if n.startswith("the upper end of x1's profile interval is open as far as mlefit "
                                                "can tell: beyond ")]
    assert len(said) == 1 and "did not converge" in said[0]
    assert not any("never falls far enough" in n for n in r.notes)


def test_a_missing_response_is_counted_under_its_column_name(tmp_path):
    """Every column used names itself in the drops, the response's too (it was 'missing
    value (blank, NA, NaN, null, None)' without the column), from a CSV as from a dict."""
    path = tmp_path / "m.csv"
    path.write_text("ybin,x1\n1,0.5\n,0.7\n0,\n1,0.2\n0,0.9\n1,0.1\n0,0.3\n")
    r = mlefit.regress(str(path), "ybin", ["x1"], dist="bernoulli")
    assert {d.reason: d.count for d in r.dropped} == {"missing value in column 'ybin'": 1,
                                                      "missing value in column 'x1'": 1}


def test_covariates_as_one_comma_separated_string():
    d = _nb_data()
    a = mlefit.regress(d, "y", "x1, x2", dist="poisson")
    b = mlefit.regress(d, "y", ["x1", "x2"], dist="poisson")
    assert [c.name for c in a.coefficients] == ["Intercept", "x1", "x2"]
    assert [c.estimate for c in a.coefficients] == [c.estimate for c in b.coefficients]


def test_trials_with_a_family_other_than_binomial_is_refused():
    d = _nb_data()
    d["b"] = (d["y"] > 2).astype(float)
    with pytest.raises(UsageError, match=r"^--trials is for the binomial family .* the bernoulli family takes none "
                                         r"\(it is the binomial with one trial per row\): drop --trials$"):
        mlefit.regress(d, "b", ["x1"], dist="bernoulli", trials=3)
    with pytest.raises(UsageError, match=r"the poisson family takes none: drop --trials$"):
        mlefit.regress(d, "y", ["x1"], dist="poisson", trials=3)


def test_no_intercept_says_why_there_is_no_null_model():
    r = mlefit.regress(_nb_data(), "y", ["x1", "x2"], dist="poisson", intercept=False)
    assert r.loglik_null is None and r.lr_statistic is None
    assert any(n.startswith("no intercept: no null (intercept-only) model") for n in r.notes)
    assert not any(n.startswith("no intercept") for n in mlefit.regress(_nb_data(), "y", ["x1"], dist="poisson").notes)


def test_a_transform_undefined_on_some_rows_is_one_line_naming_it(capfd):
    """log(x) of a column with values <= 0: one line naming the term as the user wrote it
    (it quoted formulaic's 'np.log( x )' internals), and no numpy warning on stderr."""
    d = _nb_data()
    with pytest.raises(UsageError, match=r"^--formula: log\(x1\) is not a number in some rows \(a log of values at "
                                         r"or below 0, or a sqrt of negative ones\?\)"):
        mlefit.regress(d, formula="y ~ log(x1) + x2", dist="poisson")
    assert "RuntimeWarning" not in capfd.readouterr().err


def test_whole_number_levels_are_named_as_whole_numbers(tmp_path):
    """A CSV's 0, 1, 2 in C(k) (read as floats): levels named 1 and 2, not 1.0 and 2.0."""
    rng = np.random.default_rng(12)
    k, x = rng.integers(0, 3, 150), rng.normal(size=150)
    y = (rng.random(150) < 1 / (1 + np.exp(-(0.5 * k - 0.5 + x)))).astype(int)
    path = tmp_path / "k.csv"
    path.write_text("y,k,x\n" + "".join(f"{a},{b},{c}\n" for a, b, c in zip(y, k, x)))
    r = mlefit.regress(str(path), formula="y ~ C(k) + x", dist="bernoulli")
    assert [c.name for c in r.coefficients] == ["Intercept", "C(k)[T.1]", "C(k)[T.2]", "x"]
    dense = mlefit.regress({"y": y, "k": k.astype(str), "x": x}, formula="y ~ C(k) + x", dist="bernoulli")
    np.testing.assert_allclose([c.estimate for c in r.coefficients], [c.estimate for c in dense.coefficients],
                               rtol=1e-12)


def _penalised(X, y):
    from scipy.special import expit, log_expit

    def value(b):
        eta = X @ b
        w = expit(eta) * expit(-eta)
        sign, logdet = np.linalg.slogdet(X.T @ (w[:, None] * X))
        return np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta)) + 0.5 * logdet if sign > 0 else -np.inf
    return value


def _profile_drop(value, top, j, v, starts):
    """top minus the penalised likelihood maximised over the other coefficients, from many
    starts (Nelder-Mead, then BFGS): the drop at coefficient j = v."""
    from scipy.optimize import minimize
    best = -np.inf
    for st in starts:
        f = (lambda s: -value(np.insert(s, j, v)))
        r = minimize(f, st, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-12, "maxfev": 20000})
        r2 = minimize(f, r.x, method="BFGS", options={"gtol": 1e-10})
        best = max(best, -r.fun, -r2.fun)
    return top - best


@pytest.mark.slow
def test_firth_profile_ends_are_the_global_profiles_or_left_open():
    """Firth far into separated data: the penalised likelihood, maximised over the other
    coefficients, has several local maxima, so an end found along one of them may not be
    the profile's. Each end mlefit gives is checked here from 30 starts (the drop is then
    chi2_1(0.95)/2 = 1.9207); an end it leaves open is one where a higher inner maximum
    exists (the drop at its last value is below the threshold). Before, every far end
    was open with a note saying the profile never falls far enough."""
    from scipy.optimize import minimize
    rng = np.random.default_rng(21)
    dose, z = rng.uniform(0, 10, 60), rng.normal(size=60)
    y = (dose > 5).astype(float)
    r = mlefit.regress({"y": y, "dose": dose, "z": z}, "y", ["dose", "z"], dist="bernoulli",
                       prior=["jeffreys"], interval="profile")
    X = np.column_stack([np.ones(60), dose, z])
    value = _penalised(X, y)
    est = np.array([c.estimate for c in r.coefficients])
    top = -minimize(lambda b: -value(b), est, method="BFGS", options={"gtol": 1e-10}).fun
    found = 0
    for j, c in enumerate(r.coefficients):
        others = [k for k in range(3) if k != j]
        starts = [est[others]] + [est[others] * rng.uniform(0, 4, 2) + rng.normal(0, 5, 2) for _ in range(29)]
        for end in (c.ci_lower, c.ci_upper):
            if end is not None:
                found += 1
                assert _profile_drop(value, top, j, end, starts) == pytest.approx(1.920729, abs=2e-5)
    assert found >= 3


def _rare_zero_counts(n=500, seed=8):
    rng = np.random.default_rng(seed)
    x1, r = rng.normal(size=n), np.zeros(n)
    r[:8] = 1
    y = rng.poisson(np.exp(0.5 + 0.3 * x1)).astype(float)
    y[:8] = [1, 0, 0, 0, 0, 0, 0, 2]
    return {"y": y, "x1": x1, "r": r}


def test_counts_all_zero_on_one_side_are_refused_naming_the_covariate():
    """A level whose counts are all 0: the Poisson MLE of its coefficient is -infinity (it
    had 'converged' at -30 with an SE of 3e5); with a prior the MAP is finite."""
    d = _rare_zero_counts()
    d["y"][:8] = 0.0
    with pytest.raises(DataError, match=r"^the zero counts are separated: r picks out rows whose counts are all 0"):
        mlefit.regress(d, "y", ["x1", "r"], dist="poisson")
    with pytest.raises(DataError, match=r"^the zero counts are separated: r"):
        mlefit.regress(d, "y", ["x1", "r"], dist="negative_binomial")
    r = mlefit.regress(d, "y", ["x1", "r"], dist="poisson", prior=["coef ~ normal(0, 2.5)"])
    assert -10 < r.coefficients[2].estimate < 0
    assert mlefit.regress(_rare_zero_counts(), "y", ["x1", "r"], dist="poisson").converged  # two counts above 0


@pytest.mark.parametrize("dist", ["poisson", "categorical"])
def test_bootstrap_resamples_whose_estimate_does_not_exist_are_counted_and_left_out(dist):
    """Resamples that draw none of the rare rows with a count (or label) in them have no
    MLE; Newton stopped near -30 and those went into the percentiles (-29.3 as an end)."""
    d = _rare_zero_counts()
    if dist == "categorical":
        rng = np.random.default_rng(3)
        d["y"] = np.where(rng.random(500) < 0.5, "a", "b").astype(object)
        d["y"][:8] = ["s", "a", "a", "b", "a", "b", "a", "b"]
        d["y"][8:40] = "s"
    r = mlefit.regress(d, "y", ["x1", "r"], dist=dist, interval="bootstrap", bootstrap=200, seed=1)
    failed = r.resampling["failed_reasons"]
    assert r.resampling["failed"] > 0 and all("separat" in why for why in failed)
    assert all(c.ci_lower > -15 for c in r.coefficients)


def test_a_product_of_large_whole_numbers_keeps_its_floats():
    """Whole-number columns stay floats in a formula (their product 3.6e19 overflowed as
    int64 when they were made integers to name their levels)."""
    rng = np.random.default_rng(10)
    big = rng.integers(4_000_000_000, 9_000_000_000, size=300).astype(float)
    big2 = rng.integers(4_000_000_000, 9_000_000_000, size=300).astype(float)
    y = 1 + 1e-19 * big * big2 + rng.normal(size=300) * 0.1
    r = mlefit.regress({"y": y, "big": big, "big2": big2}, formula="y ~ big:big2", dist="normal")
    X = np.column_stack([np.ones(300), big * big2 / 1e19])  # scaled for lstsq
    ols = np.linalg.lstsq(X, y, rcond=None)[0] / [1.0, 1e19]
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ols, rtol=1e-6)


def test_a_large_file_of_yes_no_labels_is_fitted_in_memory(tmp_path, monkeypatch):
    """A file big enough to be read in chunks by default, whose bernoulli response is two
    labels: read in memory (it was refused with 'drop --chunk-size', never given); with
    --chunk-size given, refused as before."""
    from mlefit.io import plan as read_plan
    monkeypatch.setattr(read_plan, "chunkable_file", lambda path, encoding=None: True)
    rng = np.random.default_rng(14)
    x = rng.normal(size=400)
    y = np.where(rng.random(400) < 1 / (1 + np.exp(-x)), "yes", "no")
    path = tmp_path / "yn.csv"
    path.write_text("y,x\n" + "".join(f"{a},{b}\n" for a, b in zip(y, x)))
    r = mlefit.regress(str(path), "y", ["x"], dist="bernoulli")
    ref = mlefit.regress({"y": y.astype(object), "x": x}, "y", ["x"], dist="bernoulli")
    np.testing.assert_allclose([c.estimate for c in r.coefficients], [c.estimate for c in ref.coefficients],
                               rtol=1e-10)
    with pytest.raises(UsageError, match="holds text labels, which are read in memory: drop --chunk-size"):
        mlefit.regress(str(path), "y", ["x"], dist="bernoulli", chunk_size=100)


def test_compare_losses_with_a_many_level_factor_says_what_to_do(tmp_path):
    """compare-losses scores held-out folds (no --folds given): the refusal names it and
    the way out (it said 'drop it' of --folds)."""
    from click.testing import CliRunner

    from mlefit.cli import cli
    rng = np.random.default_rng(17)
    g, x = rng.integers(0, 150, 1500), rng.normal(size=1500)
    y = rng.poisson(np.exp(0.2 + 0.3 * x))
    p = tmp_path / "ml.csv"
    p.write_text("y,x,g\n" + "".join(f"{a},{b},L{c}\n" for a, b, c in zip(y, x, g)))
    r = CliRunner().invoke(cli, ["compare-losses", str(p), "--target", "y", "-f", "y ~ x + C(g)",
                                 "--losses", "mse,poisson"])
    assert r.exit_code == 2
    assert ("held-out bits (--folds, and compare-losses with covariates) do not go with C(g)'s 150 levels held "
            "as indices") in r.output and "give the factor at most 100 levels" in r.output
