"""Median and quantile regression (laplace, asymmetric_laplace:TAU) as linear programs, and
huber:DELTA regression: against statsmodels QuantReg, scipy.stats' densities, a direct
minimisation, and their own identities (whole weights, offsets, predict)."""
import json
import math

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

from mlefit.cli import cli
from mlefit.errors import DataError, UsageError
from mlefit.families.robust import check_loss, huber_loss
from mlefit.regression.quantile import hall_sheather, solve
from mlefit.regression.model import regress

sm = pytest.importorskip("statsmodels.api")


def data(n=300, seed=3):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.uniform(size=n)
    y = 1.0 + 2.0 * a - b + rng.standard_t(3, size=n) * (1.0 + b)
    return {"y": y, "a": a, "b": b}, np.column_stack([np.ones(n), a, b])


def statsmodels_vertex(y, X, q):
    """statsmodels QuantReg's solution (IRLS, which stops near the LP's vertex: its residuals
    are floored at 1e-6), carried to the vertex it approaches: the coefficients through the
    p rows it fits most closely."""
    ref = sm.QuantReg(y, X).fit(q=q, p_tol=1e-10, max_iter=20000).params
    rows = np.argsort(np.abs(y - X @ ref))[:X.shape[1]]
    vertex = np.linalg.solve(X[rows], y[rows])
    assert np.max(np.abs(vertex - ref)) < 1e-4  # the same vertex
    return ref, vertex


@pytest.mark.parametrize("q, how", [(0.5, {"dist": "laplace"}), (0.5, {"loss": "mae"}),
                                    (0.9, {"dist": "asymmetric_laplace:0.9"}), (0.9, {"loss": "pinball:0.9"})])
def test_coefficients_equal_statsmodels_quantreg(q, how):
    cols, X = data()
    ref, vertex = statsmodels_vertex(cols["y"], X, q)
    r = regress(cols, "y", ["a", "b"], **how)
    beta = np.array([c.estimate for c in r.coefficients])
    np.testing.assert_allclose(beta, vertex, rtol=1e-6, atol=1e-9)
    assert np.sum(check_loss(cols["y"] - X @ beta, q)) <= np.sum(check_loss(cols["y"] - X @ ref, q)) + 1e-9
    assert not any("unique" in n for n in r.notes)  # continuous data: one optimum


def test_loglik_and_aic_are_the_asymmetric_laplace_likelihood_at_the_lp_solution():
    cols, X = data()
    y = cols["y"]
    for how, q in (({"dist": "laplace"}, 0.5), ({"loss": "pinball:0.9"}, 0.9)):
        r = regress(cols, "y", ["a", "b"], **how)
        mu = X @ np.array([c.estimate for c in r.coefficients])
        scale = r.parameters[0].estimate
        if q == 0.5:
            assert r.family == "laplace" and r.parameters[0].name == "b"
            assert scale == pytest.approx(np.mean(np.abs(y - mu)), rel=1e-12)
            ll = st.laplace(mu, scale).logpdf(y).sum()
        else:
            assert r.family == "asymmetric_laplace:0.9" and r.parameters[0].name == "sigma"
            assert scale == pytest.approx(np.mean(check_loss(y - mu, q)), rel=1e-12)
            kappa = math.sqrt(q / (1 - q))
            ll = st.laplace_asymmetric(kappa, loc=mu, scale=scale / math.sqrt(q * (1 - q))).logpdf(y).sum()
        assert r.loglik == pytest.approx(ll, rel=1e-10)
        assert r.aic == pytest.approx(2 * 4 - 2 * ll, rel=1e-10)
        assert r.bic == pytest.approx(4 * math.log(y.size) - 2 * ll, rel=1e-10)
        assert r.lr_statistic is None and r.information == "none"
        assert r.coefficients[0].interval == "wald, Powell kernel sandwich"


def test_intercept_only_powell_se_equals_statsmodels_with_the_gaussian_kernel():
    """With only an intercept, Powell's sandwich tau (1 - tau) n / (sum f_i)^2 is statsmodels'
    tau (1 - tau) / (n fhat0^2) (vcov='iid', kernel='gau', the same Hall-Sheather bandwidth;
    on Laplace data the IQR/1.34 branch of the scale is taken, where the two agree)."""
    rng = np.random.default_rng(7)
    y = rng.laplace(size=401)  # an odd count: one median, one 0.75-quantile
    for q in (0.5, 0.75):
        r = regress({"y": y}, "y", [], dist=f"asymmetric_laplace:{q}")
        ref = sm.QuantReg(y, np.ones((y.size, 1))).fit(q=q, vcov="iid", kernel="gau", p_tol=1e-12, max_iter=50000)
        assert r.coefficients[0].se == pytest.approx(ref.bse[0], rel=1e-9)
    from statsmodels.regression.quantile_regression import hall_sheather as sm_hs
    assert hall_sheather(400, 0.9) == pytest.approx(sm_hs(400, 0.9), rel=1e-12)


@pytest.mark.slow
def test_powell_se_tracks_the_sampling_spread_under_heteroskedastic_errors():
    """Seeded Monte Carlo: the mean Powell SE of the slope is within 10% of the slope's
    standard deviation over 100 samples whose error spread grows 5-fold with the covariate
    (statsmodels' default 'robust' SE, one density at 0 for every row, is 16% low here)."""
    rng = np.random.default_rng(11)
    n, slopes, ses = 1000, [], []
    for _ in range(100):
        a = rng.uniform(0, 2, size=n)
        y = 1 + a + rng.normal(size=n) * (0.5 + a)
        r = regress({"y": y, "a": a}, "y", ["a"], dist="asymmetric_laplace:0.75")
        slopes.append(r.coefficients[1].estimate)
        ses.append(r.coefficients[1].se)
    assert np.mean(ses) == pytest.approx(np.std(slopes, ddof=1), rel=0.10)


def test_whole_weights_equal_repeated_rows():
    cols, _ = data(80, seed=5)
    w = np.random.default_rng(1).integers(1, 4, size=80).astype(float)
    rep = {k: np.repeat(v, w.astype(int)) for k, v in cols.items()}
    for dist in ("laplace", "asymmetric_laplace:0.8"):
        a = regress(dict(cols, w=w), "y", ["a", "b"], dist=dist, weights="w")
        b = regress(rep, "y", ["a", "b"], dist=dist)
        for x, z in zip(a.coefficients + a.parameters, b.coefficients + b.parameters):
            assert x.estimate == pytest.approx(z.estimate, rel=1e-8, abs=1e-10)
            assert x.se == pytest.approx(z.se, rel=1e-8)
        assert a.loglik == pytest.approx(b.loglik, rel=1e-10)


def test_offset_is_subtracted_from_the_response():
    cols, X = data(120)
    off = np.linspace(0, 3, 120)
    r = regress(dict(cols, off=off), "y", ["a", "b"], dist="asymmetric_laplace:0.3", offset="off")
    beta, _, _ = solve(cols["y"] - off, X, 0.3)
    np.testing.assert_allclose([c.estimate for c in r.coefficients], beta, rtol=1e-9, atol=1e-12)


def test_non_unique_and_degenerate_optima_are_said():
    r = regress({"y": np.array([1.0, 2, 3, 4, 6, 7])}, "y", [], dist="laplace")
    assert any("the solution is not unique" in n for n in r.notes)  # every median in [3, 4]
    r = regress({"y": np.array([1.0, 1, 1, 2, 3])}, "y", [], dist="laplace")  # median 1, thrice
    assert any("vertex is degenerate" in n for n in r.notes)


@pytest.mark.parametrize("loss, family", [
    ("mae", "laplace"), ("l1", "laplace"), ("mean_absolute_error", "laplace"), ("L1Loss", "laplace"),
    ("pinball:0.9", "asymmetric_laplace:0.9"), ("quantile:0.9", "asymmetric_laplace:0.9"),
    ("mean_pinball_loss:0.9", "asymmetric_laplace:0.9"), ("pinball", "asymmetric_laplace:0.5"),
    ("huber:1.345", "huber:1.345"), ("HuberLoss:2", "huber:2"), ("SmoothL1Loss", "huber:1")])
def test_every_spelling_of_the_robust_losses_names_its_model(loss, family):
    cols, _ = data(100)
    r = regress(cols, "y", ["a"], loss=loss)
    assert r.family == family
    assert any(n.startswith(f"loss {r.loss} = ") and f"NLL of the {family} family" in n for n in r.notes)


def test_huber_regression_is_the_minimum_of_the_huber_loss_with_observed_information():
    from scipy.optimize import minimize
    cols, X = data()
    y, delta = cols["y"], 1.345
    r = regress(cols, "y", ["a", "b"], dist=f"huber:{delta}")
    beta = np.array([c.estimate for c in r.coefficients])

    def loss(b):
        u = y - X @ b
        return np.sum(huber_loss(u, delta)), -X.T @ np.clip(u, -delta, delta)
    ref = minimize(loss, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-12}).x
    np.testing.assert_allclose(beta, ref, rtol=1e-7, atol=1e-9)
    inside = np.abs(y - X @ beta) < delta
    cov = np.linalg.inv(X[inside].T @ X[inside])
    np.testing.assert_allclose([c.se for c in r.coefficients], np.sqrt(np.diag(cov)), rtol=1e-9)
    z = math.log(math.sqrt(2 * math.pi) * math.erf(delta / math.sqrt(2)) + 2 * math.exp(-delta ** 2 / 2) / delta)
    assert r.loglik == pytest.approx(-loss(beta)[0] - y.size * z, rel=1e-12)


def test_predict_with_a_saved_quantile_model_gives_xb(tmp_path):
    cols, X = data(60)
    path = tmp_path / "d.csv"
    path.write_text("y,a,b\n" + "".join(",".join(repr(float(cols[k][i])) for k in "yab") + "\n" for i in range(60)))
    runner = CliRunner()
    for dist in ("laplace", "asymmetric_laplace:0.25"):
        model = tmp_path / "m.json"
        out = runner.invoke(cli, ["regress", str(path), "-y", "y", "-x", "a,b", "-d", dist, "--save", str(model)])
        assert out.exit_code == 0, out.output
        beta = np.array([c["estimate"] for c in json.loads(model.read_text())["coefficients"]])
        out = runner.invoke(cli, ["predict", str(model), str(path), "--interval"])
        assert out.exit_code == 0, out.output
        lines = out.stdout.strip().splitlines()
        assert lines[0] == "mean,lower,upper"
        mean = np.array([float(line.split(",")[0]) for line in lines[1:]])
        np.testing.assert_allclose(mean, X @ beta, rtol=1e-12, atol=1e-12)


def test_refusals_and_data_errors():
    cols, _ = data(50)
    with pytest.raises(UsageError, match="--robust does not apply to median and quantile regression"):
        regress(cols, "y", ["a"], dist="laplace", robust=True)
    with pytest.raises(UsageError, match="--cluster and --prior do not apply to median and quantile regression"):
        regress(dict(cols, g=np.arange(50) % 5), "y", ["a"], loss="pinball:0.2", cluster="g",
                prior=["coef ~ normal(0, 1)"])
    assert regress(cols, "y", ["a"], dist="huber:1", prior=["coef ~ normal(0, 1)"]).prior  # Huber: Newton, MAP too
    with pytest.raises(UsageError, match="needs its tau after a colon"):
        regress(cols, "y", ["a"], dist="asymmetric_laplace")
    with pytest.raises(DataError, match="give the response exactly at every row"):
        regress(dict(cols, y=2 * cols["a"] + 1), "y", ["a"], dist="laplace")
    r = regress({"y": np.arange(20.0)}, "y", [], dist="asymmetric_laplace:0.99")
    assert r.coefficients[0].se is None and any("Hall-Sheather bandwidth reaches past" in n for n in r.notes)


@pytest.mark.parametrize("args, family, said", [
    (["--dist", "laplace"], "laplace", "the median regression"),
    (["--loss", "mae"], "laplace", "NLL of the laplace family"),
    (["--loss", "pinball:0.9"], "asymmetric_laplace:0.9", "NLL of the asymmetric_laplace:0.9 family"),
    (["--loss", "huber:1.345"], "huber:1.345", "NLL of the huber:1.345 family")])
def test_the_command_line_fits_them_and_says_which_model(tmp_path, args, family, said):
    cols, _ = data(80)
    path = tmp_path / "d.csv"
    path.write_text("y,x\n" + "".join(f"{float(cols['y'][i])!r},{float(cols['a'][i])!r}\n" for i in range(80)))
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "y", "-x", "x", *args, "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["family"] == family and d["converged"]
    assert any(said in text for text in d["notes"] + [d["method"]])
    table = CliRunner().invoke(cli, ["regress", str(path), "-y", "y", "-x", "x", *args])
    assert table.exit_code == 0 and f"{family} regression (identity link)" in table.stdout


def test_row_order_changes_nothing_and_rescaling_y_rescales_the_fit():
    cols, _ = data(150, seed=9)
    order = np.random.default_rng(4).permutation(150)
    base = regress(cols, "y", ["a", "b"], dist="asymmetric_laplace:0.7")
    shuffled = regress({k: v[order] for k, v in cols.items()}, "y", ["a", "b"], dist="asymmetric_laplace:0.7")
    scaled = regress(dict(cols, y=1000.0 * cols["y"]), "y", ["a", "b"], dist="asymmetric_laplace:0.7")
    for x, s, z in zip(base.coefficients + base.parameters, shuffled.coefficients + shuffled.parameters,
                       scaled.coefficients + scaled.parameters):
        assert s.estimate == pytest.approx(x.estimate, rel=1e-9) and s.se == pytest.approx(x.se, rel=1e-9)
        assert z.estimate == pytest.approx(1000.0 * x.estimate, rel=1e-9)
        assert z.se == pytest.approx(1000.0 * x.se, rel=1e-9)
    assert scaled.loglik == pytest.approx(base.loglik - 150 * math.log(1000.0), rel=1e-12)
