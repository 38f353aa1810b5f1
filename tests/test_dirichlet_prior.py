"""Dirichlet priors on categorical p (issue 18, points 1 and 3): the closed-form MAP against
an independent Newton on the written-out log-posterior and against the generic MAP of the
two-label case (bernoulli with beta), the exact posterior against scipy.stats.dirichlet and
beta, the Laplace curvature against a numeric Hessian, the profile ends against brentq."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, stats

import mlefit
from mlefit.cli import cli

LABELS = ["a"] * 7 + ["b"] * 4 + ["c"] * 2 + ["d"]  # counts 7, 4, 2, 1 (n = 14)
COUNTS = np.array([7.0, 4.0, 2.0, 1.0])
A = np.array([1.0, 2.0, 3.0, 0.5])


def _log_posterior(p, counts=COUNTS, a=A):
    return float(np.sum(counts * np.log(p)) + stats.dirichlet(a).logpdf(p))


def _newton_map(counts, a):
    """The MAP by Newton on the softmax scale (last label the reference), from the written
    out log-posterior sum (n_k + a_k - 1) log p_k: independent of mlefit's closed form."""
    c = counts + a - 1.0
    eta = np.zeros(len(c) - 1)
    for _ in range(100):
        e = np.exp(np.append(eta, 0.0))
        p = e / e.sum()
        g = c[:-1] - c.sum() * p[:-1]
        h = -c.sum() * (np.diag(p[:-1]) - np.outer(p[:-1], p[:-1]))
        step = np.linalg.solve(h, -g)
        eta += step
        if np.max(np.abs(step)) < 1e-15:
            break
    e = np.exp(np.append(eta, 0.0))
    return e / e.sum()


def test_map_is_the_closed_form_and_an_independent_newton_reaches_it():
    r = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)")
    got = np.array([r.estimates[f"p[{k}]"] for k in "abcd"])
    closed = (COUNTS + A - 1.0) / (COUNTS.sum() + A.sum() - 4)
    np.testing.assert_allclose(got, closed, rtol=0, atol=1e-15)
    np.testing.assert_allclose(got, _newton_map(COUNTS, A), rtol=0, atol=1e-10)
    # no point of the simplex nearby has a higher log-posterior
    rng = np.random.default_rng(1)
    for _ in range(20):
        q = np.abs(got + rng.normal(0, 1e-3, 4))
        assert _log_posterior(q / q.sum()) < _log_posterior(got)


@pytest.mark.parametrize("a0, a1", [(2.0, 3.0), (0.5, 0.5), (1.0, 1.0), (4.0, 1.5)])
def test_two_labels_equal_the_generic_map_of_bernoulli_with_beta(a0, a1):
    flips = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1]
    cat = mlefit.fit([str(v) for v in flips], "categorical", prior=f"p ~ dirichlet({a0}, {a1})")
    bern = mlefit.fit(flips, "bernoulli", prior=f"p ~ beta({a1}, {a0})")  # the generic Newton MAP
    assert "Newton" in bern.method or "newton" in bern.method.lower()
    assert cat.estimates["p[1]"] == pytest.approx(bern.estimates["p"], abs=1e-10)
    assert cat.loglik == pytest.approx(bern.loglik, rel=1e-12)
    assert cat.log_prior == pytest.approx(bern.log_prior, rel=1e-12, abs=1e-12)
    post = cat.to_dict()["posterior"]
    assert (post["ci_lower"][1], post["ci_upper"][1]) == pytest.approx(
        (bern.posterior["ci_lower"], bern.posterior["ci_upper"]), rel=1e-12)


def test_exact_posterior_is_dirichlet_n_plus_a_with_beta_marginals():
    r = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)", confidence=0.9)
    d = r.to_dict()
    post, alpha = d["posterior"], COUNTS + A
    ref = stats.dirichlet(alpha)
    assert post["distribution"] == "dirichlet" and post["args"] == {"alpha": alpha.tolist()}
    assert post["parameters"] == ["p[a]", "p[b]", "p[c]", "p[d]"]
    np.testing.assert_allclose(post["mean"], ref.mean(), rtol=1e-14)
    np.testing.assert_allclose(post["sd"], np.sqrt(ref.var()), rtol=1e-12)
    np.testing.assert_allclose(post["mode"], (alpha - 1) / (alpha.sum() - 4), rtol=1e-14)
    for k, m in enumerate(post["marginals"]):
        beta = stats.beta(alpha[k], alpha.sum() - alpha[k])
        assert m["args"] == {"a": alpha[k], "b": alpha.sum() - alpha[k]}
        assert (post["ci_lower"][k], post["ci_upper"][k]) == pytest.approx(beta.ppf([0.05, 0.95]), rel=1e-12)
        p = d["parameters"][k]
        assert (p["interval"], p["ci_lower"], p["ci_upper"]) == ("exact posterior", post["ci_lower"][k],
                                                                   post["ci_upper"][k])
        # the marginal beta really is the dirichlet's: its mean and variance
        assert beta.mean() == pytest.approx(ref.mean()[k], rel=1e-14)
        assert beta.var() == pytest.approx(ref.var()[k], rel=1e-12)


def test_likelihood_prior_and_posterior_kept_apart():
    r = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)")
    d = r.to_dict()
    p = np.array([r.estimates[f"p[{k}]"] for k in "abcd"])
    assert d["map"] is True and d["aic"] is None and d["bic"] is None
    assert d["loglik"] == pytest.approx(float(np.sum(COUNTS * np.log(p))), rel=1e-14)
    assert d["log_prior"] == pytest.approx(stats.dirichlet(A).logpdf(p), rel=1e-12)
    assert d["log_posterior"] == pytest.approx(d["loglik"] + d["log_prior"], rel=1e-14)
    assert d["mle"] == pytest.approx({f"p[{k}]": c / 14 for k, c in zip("abcd", COUNTS)})
    assert d["prior"] == [{"parameter": "p", "transform": None, "given": "p ~ dirichlet(1, 2, 3, 0.5)",
                           "distribution": "dirichlet", "args": {"alpha": [1.0, 2.0, 3.0, 0.5]}}]
    assert any("AIC and BIC are not reported" in n for n in d["notes"])


def test_laplace_se_is_the_inverse_curvature_of_the_log_posterior():
    r = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)")
    p = np.array([r.estimates[f"p[{k}]"] for k in "abcd"])

    def f(free):  # the log-posterior in the first K - 1 probabilities
        return _log_posterior(np.append(free, 1.0 - free.sum()))

    h = np.zeros((3, 3))
    x, e = p[:3], 2e-5
    for i in range(3):
        for j in range(3):
            di, dj = np.eye(3)[i] * e, np.eye(3)[j] * e
            h[i, j] = (f(x + di + dj) - f(x + di - dj) - f(x - di + dj) + f(x - di - dj)) / (4 * e * e)
    cov = np.linalg.inv(-h)
    ses = [q.se for q in r.parameters]
    np.testing.assert_allclose(ses[:3], np.sqrt(np.diag(cov)), rtol=1e-5)
    # the fourth is 1 minus the others: its variance is the sum of the whole block
    assert ses[3] == pytest.approx(math.sqrt(cov.sum()), rel=1e-5)


def test_symmetric_one_number_flat_prior_and_jeffreys():
    sym = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(2)")
    full = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(2, 2, 2, 2)")
    assert sym.estimates == full.estimates
    flat = mlefit.fit(LABELS, "categorical", prior={"p": "dirichlet(1)"})
    mle = mlefit.fit(LABELS, "categorical")
    assert flat.estimates == mle.estimates  # a flat prior gives back the MLE exactly
    jeff = mlefit.fit(LABELS, "categorical", prior="jeffreys")
    half = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(0.5)")
    assert jeff.estimates == half.estimates
    assert jeff.to_dict()["prior"][0]["given"] == "jeffreys"


def test_whole_weights_count_as_repeated_rows():
    labels, w = ["a", "b", "c", "d"], [7, 4, 2, 1]
    weighted = mlefit.fit(labels, "categorical", weights=w, prior="p ~ dirichlet(1, 2, 3, 0.5)")
    repeated = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)")
    for k in weighted.estimates:
        assert weighted.estimates[k] == pytest.approx(repeated.estimates[k], rel=1e-14)
    assert weighted.to_dict()["posterior"]["ci_upper"] == pytest.approx(repeated.to_dict()["posterior"]["ci_upper"])


def test_fractional_weight_below_one_puts_the_map_on_the_edge():
    # n_c + a_c = 0.3 + 0.5 < 1: the density rises without bound toward p_c = 0
    r = mlefit.fit(["a", "b", "c"], "categorical", weights=[3, 2, 0.3], prior="p ~ dirichlet(0.5)")
    e = r.estimates
    assert e["p[c]"] == 0.0
    assert (e["p[a]"], e["p[b]"]) == pytest.approx((2.5 / 4.0, 1.5 / 4.0), rel=1e-14)
    assert all(p.se is None for p in r.parameters)
    assert any("rises without bound" in n for n in r.notes)
    lo, hi = stats.beta(0.8, 6.0).ppf([0.025, 0.975])
    assert (r.parameters[2].ci_lower, r.parameters[2].ci_upper) == pytest.approx((lo, hi), rel=1e-12)


def test_profile_ends_are_where_the_profile_log_posterior_drops_by_chi2_half():
    r = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)", interval="profile")
    c = COUNTS + A - 1.0
    q = stats.chi2(1).ppf(0.95) / 2.0
    for k, par in enumerate(r.parameters):
        rest = c.sum() - c[k]

        def profile(t):  # the others at their best given p_k = t: in proportion to their c
            return c[k] * math.log(t) + rest * math.log(1.0 - t)

        top = profile(par.estimate)
        lo = optimize.brentq(lambda t: profile(t) - top + q, 1e-12, par.estimate, xtol=1e-14)
        hi = optimize.brentq(lambda t: profile(t) - top + q, par.estimate, 1 - 1e-12, xtol=1e-14)
        assert par.interval == "profile"
        assert (par.ci_lower, par.ci_upper) == pytest.approx((lo, hi), rel=1e-7)
    assert r.to_dict()["intervals"] == "profile"


def test_cli_json_equals_the_library_and_the_table_shows_the_posterior():
    text = "x\n" + "\n".join(LABELS) + "\n"
    run = CliRunner().invoke(cli, ["fit", "-", "-d", "categorical", "--prior", "p ~ dirichlet(1, 2, 3, 0.5)",
                                   "--json"], input=text)
    assert run.exit_code == 0, run.output
    lib = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(1, 2, 3, 0.5)").to_dict()
    got = json.loads(run.output)
    assert got["posterior"] == lib["posterior"] and got["parameters"] == lib["parameters"]
    table = CliRunner().invoke(cli, ["fit", "-", "-d", "categorical", "--prior", "p ~ dirichlet(1, 2, 3, 0.5)"],
                               input=text).output
    assert "categorical MAP fit" in table and "p ~ dirichlet(1, 2, 3, 0.5)" in table
    assert "p ~ dirichlet(8, 6, 5, 1.5) exactly (conjugate)" in table


@pytest.mark.parametrize("prior, message", [
    ("p ~ dirichlet(1, 2)", "dirichlet on p takes one concentration per label (4: a, b, c, d, in that order) or "
                            "one for all, got 2 in 'p ~ dirichlet(1, 2)'"),
    ("p ~ dirichlet(1, 0, 2, 1)", "dirichlet's concentrations must be positive (got 0 for p[b] in "
                                  "'p ~ dirichlet(1, 0, 2, 1)')"),
    ("p[a] ~ beta(2, 2)", "the categorical family's probabilities p[label] sum to 1 and take one joint prior"),
])
def test_bad_dirichlet_priors_are_one_line_usage_errors(prior, message):
    run = CliRunner().invoke(cli, ["fit", "-", "-d", "categorical", "--prior", prior],
                             input="x\n" + "\n".join(LABELS) + "\n")
    assert run.exit_code == 2
    assert message in run.output and "Traceback" not in run.output


def test_dirichlet_on_a_parameter_that_is_not_categorical_p_is_refused():
    run = CliRunner().invoke(cli, ["fit", "-", "-d", "bernoulli", "--prior", "p ~ dirichlet(1, 2)"],
                             input="x\n1\n0\n1\n")
    assert run.exit_code == 2
    assert "a dirichlet prior is for the probabilities p of the categorical family" in run.output
