"""Losses as likelihoods: every loss's NLL against scipy.stats, every minimiser against
the family MLE, the ranking on heavy and light tails, and the CLI in every mode."""
import json
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit import compare, families, losses
from mlefit.cli import cli
from mlefit.families.robust import check_loss, huber_loss

RNG = np.random.default_rng(2026)
Y = RNG.standard_t(4, 400) * 1.5 + 2.0
YHAT = Y + RNG.normal(0, 0.8, 400)
COUNTS = RNG.poisson(3.0, 400).astype(float)
RATES = np.clip(COUNTS + RNG.normal(0, 0.7, 400), 0.2, None)
BIN = RNG.binomial(1, 0.3, 400).astype(float)
PROB = np.clip(0.3 + RNG.normal(0, 0.1, 400), 0.01, 0.99)


def scipy_nll(name, y, yhat, value):
    """The family's NLL at the predictions from scipy.stats (or quadrature for Huber)."""
    r = y - yhat
    if name in ("mse", "gaussian_nll"):
        return -st.norm.logpdf(y, yhat, math.sqrt(np.mean(r * r))).sum()
    if name == "mae":
        return -st.laplace.logpdf(y, yhat, np.mean(np.abs(r))).sum()
    if name == "pinball":
        sigma = np.mean(check_loss(r, value))
        kappa = math.sqrt(value / (1 - value))
        return -st.laplace_asymmetric.logpdf(y, kappa, yhat, sigma / math.sqrt(value * (1 - value))).sum()
    if name == "huber":
        z = scipy.integrate.quad(lambda u: math.exp(-float(huber_loss(u, value))), -np.inf, np.inf,
                                 epsabs=1e-13, epsrel=1e-13)[0]
        return np.sum(huber_loss(r, value)) + y.size * math.log(z)
    if name == "bce":
        return -st.bernoulli.logpmf(y, yhat).sum()
    if name == "poisson":
        return -st.poisson.logpmf(y, yhat).sum()
    raise AssertionError(name)


CASES = [("mse", Y, YHAT), ("mae", Y, YHAT), ("gaussian_nll", Y, YHAT), ("pinball:0.8", Y, YHAT),
         ("pinball:0.5", Y, YHAT), ("huber:1.345", Y, YHAT), ("bce", BIN, PROB), ("poisson", COUNTS, RATES)]


@pytest.mark.parametrize("text,y,yhat", CASES, ids=[c[0] for c in CASES])
def test_reported_nll_equals_scipy_and_the_identity_holds(text, y, yhat):
    (row,) = compare.with_prediction(y, yhat, [text])
    loss, value = losses.resolve(text)
    assert row["nll"] == pytest.approx(scipy_nll(loss.name, y, yhat, value), rel=1e-10)
    assert row["a"] * row["loss_value"] + row["b"] == pytest.approx(row["nll"], rel=1e-10)
    assert row["identity_holds"] is True
    assert row["bits_per_sample"] == pytest.approx(row["nll"] / (y.size * math.log(2)), rel=1e-12)


def test_loss_values_match_the_frameworks_definitions():
    r = Y - YHAT
    rows = {row["loss"]: row for row in compare.with_prediction(Y, YHAT, ["mse", "mae", "pinball:0.8"])}
    assert rows["mse"]["loss_value"] == pytest.approx(np.mean(r ** 2), rel=1e-14)
    assert rows["mae"]["loss_value"] == pytest.approx(np.mean(np.abs(r)), rel=1e-14)
    # scikit-learn's mean_pinball_loss(alpha=0.8), written out
    pin = np.mean(np.where(r >= 0, 0.8 * r, (0.8 - 1) * r))
    assert rows["pinball:0.8"]["loss_value"] == pytest.approx(pin, rel=1e-14)
    (bce,) = compare.with_prediction(BIN, PROB, ["bce"])
    assert bce["loss_value"] == pytest.approx(-np.mean(BIN * np.log(PROB) + (1 - BIN) * np.log(1 - PROB)))


def test_cross_entropy_with_predicted_probabilities():
    labels = RNG.choice(np.array(["x", "y", "z"], dtype=object), 300)
    q = RNG.dirichlet([2, 2, 2], 300)
    (row,) = compare.with_prediction_probs(labels, q, ["x", "y", "z"])
    onehot = np.eye(3)[[["x", "y", "z"].index(v) for v in labels]]
    expected = -sum(st.multinomial(1, q[i]).logpmf(onehot[i]) for i in range(300))
    assert row["nll"] == pytest.approx(expected, rel=1e-10)
    assert row["loss_value"] == pytest.approx(expected / 300, rel=1e-10)


@pytest.mark.parametrize("text,y", [("mse", Y), ("mae", Y), ("gaussian_nll", Y), ("pinball:0.9", Y),
                                    ("pinball:0.25", Y[:101]), ("huber:1.0", Y), ("bce", BIN),
                                    ("poisson", COUNTS), ("mae", Y[:100])])
def test_minimiser_equals_family_mle(text, y):
    (row,) = compare.without_prediction(y, [text], folds=3)
    assert row["equal"] is True
    assert row["minimiser"] == pytest.approx(row["family_mle"], rel=1e-8, abs=1e-8)
    # and the minimiser does minimise the mean loss among constants
    loss, value = losses.resolve(text)
    if loss.name in ("mse", "mae", "pinball", "huber"):
        f = {"mse": lambda c: np.mean((y - c) ** 2), "mae": lambda c: np.mean(np.abs(y - c)),
             "pinball": lambda c: np.mean(check_loss(y - c, value)),
             "huber": lambda c: np.mean(huber_loss(y - c, value))}[loss.name]
        grid = np.linspace(y.min(), y.max(), 4001)
        assert f(row["minimiser"]) <= min(f(g) for g in grid) + 1e-12


def test_heavy_tails_rank_mae_above_mse_and_normal_data_the_reverse():
    t2 = np.random.default_rng(7).standard_t(2, 2000)
    ranks = {r["loss"]: r["rank"] for r in compare.without_prediction(t2, ["mse", "mae"], seed=1)}
    assert ranks["mae"] < ranks["mse"]
    normal = np.random.default_rng(7).normal(0, 1, 2000)
    ranks = {r["loss"]: r["rank"] for r in compare.without_prediction(normal, ["mse", "mae"], seed=1)}
    assert ranks["mse"] < ranks["mae"]


def test_soft_labels_cross_entropy_is_entropy_plus_kl():
    p = RNG.dirichlet([1, 2, 3], 200)
    q = RNG.dirichlet([3, 2, 1], 200)
    s = compare.soft_labels(p, q)
    ent = -(p * np.log(p)).sum(axis=1).mean()
    kl = (p * np.log(p / q)).sum(axis=1).mean()
    assert s["mean_entropy"] == pytest.approx(ent) and s["mean_kl"] == pytest.approx(kl)
    assert s["mean_cross_entropy"] == pytest.approx(ent + kl)
    assert s["identity_gap"] < 1e-12 and s["argmins_agree"] and s["argmin_is_mean_target"]
    np.testing.assert_allclose(s["argmin_cross_entropy"], p.mean(axis=0), atol=1e-6)


@pytest.mark.parametrize("name,family", [
    ("mse", "normal"), ("MSELoss", "normal"), ("mean_squared_error", "normal"), ("L2", "normal"),
    ("mae", "laplace"), ("L1Loss", "laplace"), ("MeanAbsoluteError", "laplace"),
    ("gaussian_nll", "normal"), ("GaussianNLLLoss", "normal"),
    ("pinball:0.9", "asymmetric_laplace:0.9"), ("quantile:0.1", "asymmetric_laplace:0.1"),
    ("huber:2", "huber:2"), ("HuberLoss", "huber:1"), ("bce", "bernoulli"), ("BCEWithLogitsLoss", "bernoulli"),
    ("log_loss", "bernoulli"), ("binary_crossentropy", "bernoulli"),
    ("CrossEntropyLoss", "categorical"), ("nll", "categorical"), ("PoissonNLLLoss", "poisson"),
])
def test_fit_with_a_loss_fits_its_family(name, family):
    data = {"bernoulli": BIN, "categorical": BIN, "poisson": COUNTS}.get(family, Y)
    r = mlefit.fit(data, loss=name)
    assert r.family == family and r.loss is not None
    ref = mlefit.fit(data, family)
    assert r.loglik == ref.loglik and r.estimates == ref.estimates
    assert any(n.startswith(f"loss {r.loss} = ") for n in r.notes)


def test_hinge_is_refused_with_the_reason():
    with pytest.raises(mlefit.UsageError, match="not a negative log-likelihood"):
        mlefit.fit(BIN, loss="hinge")


# ------------------------------------------------------------------ CLI
def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def csv_text(**columns):
    names = list(columns)
    rows = zip(*columns.values())
    return ",".join(names) + "\n" + "\n".join(",".join(str(v) for v in row) for row in rows) + "\n"


def test_cli_reference_mode_reads_at_80_columns():
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["compare-losses"])  # a terminal's width
    assert result.exit_code == 0
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    for text in ("mse  ->  normal", "PoissonNLLLoss", "batchmean", "BCEWithLogitsLoss", "log y!"):
        assert text in result.stdout
    out = json.loads(run("compare-losses", "--json").stdout)
    assert out["mode"] == "reference" and {r["loss"] for r in out["rows"]} >= {"mse", "mae", "bce"}
    assert out["rows"] == list(losses.reference().to_dict()["rows"])


def test_cli_with_prediction(tmp_path):
    text = csv_text(y=Y, yhat=YHAT)
    result = run("compare-losses", "-", "--target", "y", "--prediction", "yhat", "--json", input=text)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["mode"] == "with_prediction" and out["n"] == 400
    assert [r["loss"] for r in out["rows"]] == ["mse", "mae", "huber:1", "pinball:0.5", "gaussian_nll"]
    assert all(r["identity_holds"] for r in out["rows"])
    table = CliRunner(env={"COLUMNS": "80"}).invoke(  # a terminal's width
        cli, ["compare-losses", "-", "-t", "y", "-p", "yhat", "--losses", "mse,huber:1,pinball:0.9"], input=text)
    assert table.exit_code == 0 and "asymmetric_laplace" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())


def test_cli_without_prediction_ranks(tmp_path):
    t2 = np.random.default_rng(3).standard_t(2, 600)
    result = run("compare-losses", "-", "-t", "y", "--json", "--folds", "4", "--seed", "2",
                 "--losses", "mse,mae", input=csv_text(y=t2))
    out = json.loads(result.stdout)
    assert out["mode"] == "without_prediction" and out["summary"] == {"folds": 4, "seed": 2}
    assert out["rows"][0]["loss"] == "mae" and all(r["equal"] for r in out["rows"])


def test_cli_cross_entropy_and_soft_labels():
    labels = RNG.choice(["a", "b"], 50)
    qa = RNG.uniform(0.1, 0.9, 50)
    text = csv_text(lab=labels, pa=qa, pb=1 - qa, ta=qa[::-1], tb=1 - qa[::-1])
    out = json.loads(run("compare-losses", "-", "-t", "lab", "--prediction-probs", "a=pa,b=pb", "--json",
                         input=text).stdout)
    assert out["rows"][0]["loss"] == "cross_entropy" and out["rows"][0]["identity_holds"]
    out = json.loads(run("compare-losses", "-", "--target-probs", "ta,tb", "--prediction-probs", "pa,pb",
                         "--json", input=text).stdout)
    assert out["mode"] == "soft_labels" and out["summary"]["identity_gap"] < 1e-12
    ranked = json.loads(run("compare-losses", "-", "-t", "lab", "--json", input=text).stdout)
    assert ranked["rows"][0]["loss"] == "cross_entropy"


@pytest.mark.parametrize("args,message", [
    (["--target", "y"], "need a FILE"),
    (["-", "-t", "y", "--losses", "bce"], "the bce loss needs a binary target"),
    (["-", "-t", "y", "--losses", "hinge"], "not a negative log-likelihood"),
    (["-", "-t", "y", "--folds", "1"], "1 is not in the range x>=2"),
])
def test_cli_compare_errors(args, message):
    result = run("compare-losses", *args, input=csv_text(y=Y[:20]))
    assert result.exit_code == 2 and message in result.stderr


# ------------------------------------------------------------------ found by review
def test_perfect_predictions_and_unsuitable_losses_become_error_rows():
    rows = {r["loss"]: r for r in compare.with_prediction(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))}
    assert "scale's MLE is 0" in rows["mse"]["error"] and "nll" not in rows["mse"]
    assert "nll" in rows["huber:1"]  # the loss with no hidden scale still reports
    y, yhat = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.2, 0.2, 0.9, -0.1])
    rows = {r["loss"]: r for r in compare.with_prediction(y, yhat)}
    assert "error" in rows["bce"] and "error" in rows["poisson"] and "nll" in rows["mse"]


def test_bce_accepts_certain_predictions_that_are_right():
    y, p = np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.8])
    (row,) = compare.with_prediction(y, p, ["bce"])
    assert row["loss_value"] == pytest.approx(-np.log(0.8) / 3)
    (row,) = compare.with_prediction(y, np.array([0.0, 0.0, 0.8]), ["bce"])
    assert "contradicts" in row["error"]


def test_infinite_held_out_bits_rank_last():
    rows = compare.without_prediction(np.array([0, 0, 0, 0, 0, 1.0]), folds=3)
    ranked = [r for r in rows if "rank" in r]
    assert ranked[0]["loss"] == "huber:1" and math.isinf(ranked[-1]["held_out_bits"])
    assert {r["rank"] for r in ranked if r["loss"] in ("bce", "poisson")} == {2}  # a tie
    errors = [r for r in rows if "error" in r]
    assert errors and all(r["error"].startswith("training fold") for r in errors)
    assert rows[-1] in errors


def test_shapes_keep_every_digit():
    (row,) = compare.with_prediction(Y, YHAT, ["pinball:0.1234567"])
    assert row["family"] == "asymmetric_laplace:0.1234567" and row["identity_holds"]
    (row,) = compare.without_prediction(np.arange(1.0, 7.0), ["pinball:0.3333333333333333"], folds=2)
    assert row["equal"]


def test_huber_flat_minimum_counts_as_equal():
    y = np.array([0.0, 10.0, 20.0, 30.0])
    (row,) = compare.without_prediction(y, ["huber:1"], folds=2)
    assert row["equal"]


def test_prediction_probabilities_are_validated():
    with pytest.raises(mlefit.DataError, match="sum to 1"):
        compare.with_prediction_probs(np.array(["a", "b"], dtype=object),
                                      np.array([[0.9, 0.9], [2.0, -1.0]]), ["a", "b"])


def test_label_target_with_a_single_prediction_column_points_to_probs():
    with pytest.raises(mlefit.UsageError, match="--prediction-probs"):
        compare.with_prediction(np.array(["a", "b"], dtype=object), np.array([0.1, 0.2]))


def test_smooth_l1_only_at_beta_one():
    assert losses.resolve("SmoothL1Loss") == (losses.resolve("huber")[0], 1.0)
    with pytest.raises(mlefit.UsageError, match="threshold sqrt\\(beta\\) on scale sqrt\\(beta\\)"):
        losses.resolve("SmoothL1Loss:2")
    with pytest.raises(mlefit.UsageError, match="strictly between 0 and 1"):
        losses.resolve("pinball:1.5")


def test_soft_label_argmin_reaches_a_zero_class():
    p = np.column_stack([np.zeros(40), RNG.uniform(0.2, 0.6, 40)])
    p = np.column_stack([p, 1 - p.sum(axis=1)])
    s = compare.soft_labels(p)
    assert s["argmin_is_mean_target"] and s["argmins_agree"]


def test_integer_class_labels_with_cross_entropy():
    result = run("compare-losses", "-", "-t", "y", "--losses", "ce", "--json",
                 input="y\n0\n1\n2\n2\n1\n0\n1\n2\n0\n1\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"][0]["loss"] == "cross_entropy"


def test_contradictory_options_are_refused():
    text = "y,a,b\n0.2,0.5,0.5\n"
    result = run("compare-losses", "-", "--target-probs", "a,b", "-t", "y", input=text)
    assert result.exit_code == 2 and "do not apply" in result.stderr


def test_unweighted_quantiles_select_and_equal_the_weighted_definition():
    """weighted_quantile without weights picks its one or two order statistics by selection
    (order_stats) instead of a stable argsort, and gives what the weighted definition gives
    with every weight 1: on ties, on ranks that fall exactly on an order statistic (the
    midpoint), and on arrays large enough for order_stats' bracketed selection."""
    from mlefit import numerics
    rng = np.random.default_rng(21)
    for n in (1, 2, 3, 4, 7, 10, 101, 1000, 300_001):
        for x in (rng.normal(10.0, 3.0, n), rng.integers(0, 4, n).astype(float)):
            for tau in (1e-6, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 1 - 1e-6, 1 / n if n > 1 else 0.5):
                assert numerics.weighted_quantile(x, None, tau) == numerics.weighted_quantile(x, np.ones(n), tau)


def test_ranking_losses_without_predictions_sorts_nothing(monkeypatch):
    """--target alone: the pinball and mae minimisers and the families' location estimates
    take order statistics by selection; no argsort of the whole target (six of them cost
    0.55 s at 1e6 rows), and the same numbers."""
    y = np.random.default_rng(9).normal(10.0, 3.0, 20_000)
    expected = compare.without_prediction(y, ["mae", "pinball:0.9", "pinball:0.25"])

    def refuse(*args, **kwargs):
        raise AssertionError("argsort of the target")
    monkeypatch.setattr(np, "argsort", refuse)
    assert compare.without_prediction(y, ["mae", "pinball:0.9", "pinball:0.25"]) == expected


def test_huber_minimum_certified_by_the_score_without_a_scalar_minimiser(monkeypatch):
    """--target alone: huber's M-estimate is certified a minimiser by the sign change of
    the score at 1e-8 of the data's range either side (one pass), not cross-checked by
    scipy's Brent (26 passes, and import scipy.optimize); the certificate fails a point
    just beyond that, and holds anywhere in a flat minimum but not outside it. Against
    scipy's minimiser here, independently."""
    import scipy.optimize
    y = np.random.default_rng(4).standard_t(3.0, 5001) * 2.0 + 1e6
    ref = scipy.optimize.minimize_scalar(lambda d: float(np.sum(huber_loss(y - (1e6 + d), 1.345))),
                                         bracket=(-1.0, 1.0), method="brent", tol=1e-14)
    span = float(y.max() - y.min())

    original = compare._minimiser

    def only_others(loss, value, y):
        assert loss.name != "huber", "a scalar minimiser for huber"
        return original(loss, value, y)
    monkeypatch.setattr(compare, "_minimiser", only_others)
    (row,) = compare.without_prediction(y, ["huber:1.345"], folds=2)
    assert row["equal"] is True and row["minimiser"] == row["family_mle"]
    assert row["minimiser"] == pytest.approx(1e6 + float(ref.x), abs=1e-8 * span)
    c = row["family_mle"]
    assert not compare._huber_certified(y, 1.345, c + 3e-8 * span)
    assert not compare._huber_certified(y, 1.345, c - 3e-8 * span)
    flat = np.array([0.0, 10.0, 20.0, 30.0])  # with delta 1 every c in [11, 19] minimises
    assert all(compare._huber_certified(flat, 1.0, c) for c in (11.0, 15.0, 19.0))
    assert not any(compare._huber_certified(flat, 1.0, c) for c in (10.9, 19.1))


@pytest.mark.parametrize("name", ["normal", "laplace", "huber:1.345", "poisson", "categorical"])
def test_held_out_folds_are_runs_of_one_shuffle(name):
    """held_out_bits cuts one shuffled copy of the target into runs (one gather for every
    loss, not one per fold and loss): the same folds, values in the same order, as
    fitting on y[train] and scoring y[test] for the folds of the permutation."""
    rng = np.random.default_rng(8)
    y = {"poisson": rng.poisson(3.0, 1001).astype(float),
         "categorical": np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, 1001)]}.get(
        name, rng.normal(10.0, 3.0, 1001))
    parts = np.array_split(np.random.default_rng(3).permutation(y.size), 4)
    fam, total = families.get(name), 0.0
    for i, test in enumerate(parts):
        fit = mlefit.fit(y[np.concatenate([p for j, p in enumerate(parts) if j != i])], name)
        theta = tuple(p.estimate for p in fit.parameters)
        if name == "categorical":
            from mlefit.families.categorical import categorical_logpmf
            total -= float(np.sum(categorical_logpmf(y[test], [p.name[2:-1] for p in fit.parameters], theta)))
        else:
            total -= float(np.sum(fam.logpdf(y[test], theta)))
    assert compare.held_out_bits(y, name, 4, 3) == total / (y.size * math.log(2))
