"""--normalize (issue 22, point 3): an own model written without its normalising
constant, Z(theta) integrated (summed) numerically at every parameter value, with the
gradient and Hessian of log Z under the integral. Checked against the built-in families
the expressions are, up to their constants, and against finite differences of log Z."""
import json

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.censored import rows as censoring
from mlefit.own import model as own_model
from mlefit.cli import cli
from mlefit.errors import UsageError

WEIBULL = "-(x/lam)^k + (k-1)*log(x)"  # the weibull density without k / lam^k


def unnormalised_weibull():
    return own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=50", support="x>0", normalize=True)


def weibull_data(n=300, seed=3):
    return st.weibull_min(1.7, scale=40.0).rvs(n, random_state=np.random.default_rng(seed))


def same_fit(own, ref, rel=1e-9):
    for p, q in zip(own.parameters, ref.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=rel)
        assert p.se == pytest.approx(q.se, rel=1e-7)
    assert own.loglik == pytest.approx(ref.loglik, rel=1e-10)


def test_an_unnormalised_weibull_equals_the_weibull_family():
    x = weibull_data()
    own = own_model.fit(x, unnormalised_weibull())
    same_fit(own, mlefit.fit(x, "weibull"))
    cost = own.notes[-1]
    assert "normalised numerically" in cost and int(cost.split(": ")[-1].split()[0]) > 0


def test_an_unnormalised_zero_truncated_poisson_equals_the_written_out_one():
    y = st.poisson(1.3).rvs(1600, random_state=np.random.default_rng(5))
    y = y[y > 0][:400].astype(float)
    own = own_model.fit(y, own_model.model(logpmf="x*log(m) - lgamma(x+1)", params="m>0=1",
                                           support="x>=1, integer", normalize=True))
    ref = own_model.fit(y, own_model.model(logpmf="x*log(m) - m - lgamma(x+1) - log(1 - exp(-m))",
                                           params="m>0=1", support="x>=1, integer"))
    same_fit(own, ref)


def test_a_gaussian_kernel_far_from_zero_equals_the_normal_family():
    z = np.random.default_rng(1).normal(1e4, 3.0, 200)
    own = own_model.fit(z, own_model.model(logpdf="-(x-mu)^2/(2*s^2)", params="mu=10000, s>0=1", normalize=True))
    same_fit(own, mlefit.fit(z, "normal"), rel=1e-10)


def test_log_z_derivatives_equal_finite_differences():
    fam = own_model.anchored(unnormalised_weibull(), weibull_data())
    tails = fam.rowwise[0].between.__self__
    theta = np.array([1.7, 40.0])
    value, grad, hess = tails.log_total(theta, 2)
    closed = np.log(40.0 ** 1.7 / 1.7)  # Z = lam^k / k
    assert value == pytest.approx(closed, rel=1e-13)
    for j in range(2):
        h = 1e-5 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        assert grad[j] == pytest.approx((tails.log_total(up) - tails.log_total(down)) / (2 * h), rel=1e-7)
        g_up, g_down = tails.log_total(up, 2)[1], tails.log_total(down, 2)[1]
        for i in range(2):
            assert hess[i][j] == pytest.approx((g_up[i] - g_down[i]) / (2 * h), rel=1e-6, abs=1e-12)


def test_normalized_censored_rows_equal_the_censored_weibull():
    t = np.random.default_rng(7).weibull(1.4, 300) * 20.0
    rows = censoring.from_event(np.minimum(t, 30.0), (t < 30.0).astype(int))
    own = own_model.fit(rows, unnormalised_weibull())
    ref = mlefit.fit(rows, "weibull")
    for p, q in zip(own.parameters, ref.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=1e-6)
    assert own.loglik == pytest.approx(ref.loglik, rel=1e-8)


def test_an_integral_that_is_infinite_is_refused():
    with pytest.raises(UsageError, match="--normalize: the integral of the density over x>0 is inf"):
        own_model.fit([1.5, 2.5, 0.7], own_model.model(logpdf="k*x", params="k>0=1", support="x>0",
                                                       normalize=True))


def test_cli_normalize_gives_the_weibull_fit_and_says_what_it_cost(tmp_path):
    x = weibull_data(100)
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "".join(f"{float(v)!r}\n" for v in x))
    out = CliRunner().invoke(cli, ["fit", str(path), "--logpdf", WEIBULL, "--params", "k>0=1, lam>0=50",
                                   "--support", "x>0", "--normalize", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["loglik"] == pytest.approx(mlefit.fit(x, "weibull").loglik, rel=1e-10)
    assert any("integrations in this fit" in n for n in d["notes"])


def test_an_integration_that_runs_out_of_halvings_is_counted_and_said():
    from mlefit.own import tails as own_tails
    from mlefit.own.spec import support

    def comp(x, theta, order):  # |x|^-0.999 near 0 (the cut point): integrable, but no rule converges on it
        return np.vstack([np.exp(-0.999 * np.log(np.abs(x))) * np.exp(-x * x)])

    cost = {"unconverged": 0}
    tails = own_tails.Tails(comp, 1, support(None, False), False, (-1.0, 0.0, 1.0), cost)
    tails.log_total((1.0,))
    assert cost["unconverged"] == 1
    fine = own_tails.Tails(lambda x, t, o: np.vstack([np.exp(-x * x)]), 1, support(None, False), False,
                           (-1.0, 0.0, 1.0), cost)
    assert fine.log_total((1.0,)) == pytest.approx(0.5 * np.log(np.pi), rel=1e-14)
    assert cost["unconverged"] == 1


def test_a_heavy_power_law_tail_is_normalised_like_the_pareto_closed_form():
    x = st.pareto(0.3).rvs(300, random_state=np.random.default_rng(8))  # tail x^-1.3: no mean
    own = own_model.fit(x, own_model.model(logpdf="-(1+a)*log(x)", params="a>0=1", support="x>1", normalize=True))
    a = x.size / np.sum(np.log(x))  # the MLE of pareto's shape with xm = 1
    assert own.parameters[0].estimate == pytest.approx(a, rel=1e-9)
    assert own.loglik == pytest.approx(np.sum(np.log(a) - (1 + a) * np.log(x)), rel=1e-10)
    assert not any(n.startswith("warning") for n in own.notes)


@pytest.mark.parametrize("name,text,params,support,mass", [
    ("weibull", "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k", "k>0=1, lam>0=1", "x>0", False),
    ("gamma", "shape*log(rate) - lgamma(shape) + (shape-1)*log(x) - rate*x", "shape>0=1, rate>0=1", "x>0", False),
    ("poisson", "x*log(rate) - rate - lgamma(x+1)", "rate>0=1", None, True),
])
def test_expected_information_integrated_equals_the_families_closed_form(name, text, params, support, mass):
    from cases import sample
    x, _ = sample(name, 500, 4)
    fam = own_model.model(**({"logpmf": text} if mass else {"logpdf": text}), params=params, support=support)
    own, ref = own_model.fit(x, fam, information="expected"), mlefit.fit(x, name, information="expected")
    for p, q in zip(own.parameters, ref.parameters):
        assert p.se == pytest.approx(q.se, rel=1e-10)


def test_expected_information_of_an_unnormalised_expression():
    x = weibull_data()
    own = own_model.fit(x, unnormalised_weibull(), information="expected")
    ref = mlefit.fit(x, "weibull", information="expected")
    for p, q in zip(own.parameters, ref.parameters):
        assert p.se == pytest.approx(q.se, rel=1e-10)
