"""weibull3, the weibull with a threshold (issue 22, point 6): its irregular MLE checked
against scipy.stats.weibull_min.fit with a free loc where scipy's answer is an interior
maximum, a direct optimisation of the same log-likelihood, the two-parameter weibull of
x - c with the threshold fixed, and the unbounded cases said in one line."""
import json
import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.errors import DataError


def sample(shape, seed, n=200):
    return 10.0 + 5.0 * np.random.default_rng(seed).weibull(shape, n)


def scipy_fit(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c, loc, scale = st.weibull_min.fit(x)
    return (c, scale, loc), float(np.sum(st.weibull_min(c, loc, scale).logpdf(x)))


def polished(x, theta):
    """The same log-likelihood maximised directly (Nelder-Mead in log shape, log scale and
    log(min x - threshold)), from scipy's answer."""
    lo = x.min()

    def nll(u):
        k, lam, c = np.exp(u[0]), np.exp(u[1]), lo - np.exp(u[2])
        return -np.sum(st.weibull_min(k, c, lam).logpdf(x))
    out = scipy.optimize.minimize(nll, [np.log(theta[0]), np.log(theta[1]), np.log(lo - theta[2])],
                                  method="Nelder-Mead", options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20000})
    return (np.exp(out.x[0]), np.exp(out.x[1]), lo - np.exp(out.x[2])), -out.fun


@pytest.mark.parametrize("shape,seed", [(2.5, 1), (3.0, 2), (4.0, 3), (1.5, 3)])
def test_interior_maximum_equals_scipy_and_a_direct_optimum(shape, seed):
    x = sample(shape, seed)
    r = mlefit.fit(x, "weibull3")
    theta = [p.estimate for p in r.parameters]
    ref, ll_scipy = scipy_fit(x)
    assert ref[2] < x.min() - 1e-6  # scipy's answer is an interior maximum here
    best, ll_best = polished(x, ref)
    assert r.loglik >= ll_scipy - 1e-9 and r.loglik >= ll_best - 1e-9
    assert theta == pytest.approx(best, rel=1e-5)
    assert r.loglik == pytest.approx(ll_best, rel=1e-12, abs=1e-9)
    assert all(p.se is not None and p.se > 0 for p in r.parameters)


def test_score_is_zero_and_information_is_the_numeric_hessian():
    x = sample(3.0, 2)
    r = mlefit.fit(x, "weibull3")
    f = r.fitted
    from mlefit.inference.information import numeric_hessian
    numeric = -numeric_hessian(lambda t: f.family.loglik(f.stats, tuple(t)), f.theta)
    exact = f.family.observed_information(f.stats, f.theta)
    assert np.allclose(exact, numeric, rtol=1e-5)


def test_shape_at_most_2_is_said_to_be_irregular():
    r = mlefit.fit(sample(1.5, 3), "weibull3")
    assert any("not regular (Smith 1985)" in n for n in r.notes)
    assert not any("not regular" in n for n in mlefit.fit(sample(3.0, 2), "weibull3").notes)


def test_an_unbounded_likelihood_with_an_interior_local_maximum_is_said():
    x = 10.0 + 5.0 * np.random.default_rng(5).weibull(1.0, 100)
    r = mlefit.fit(x, "weibull3")
    assert any("unbounded as the threshold approaches the smallest value" in n for n in r.notes)
    assert r.parameters[2].estimate < x.min()


def test_no_interior_maximum_is_a_data_error_where_scipy_returns_min_x_silently():
    x = sample(0.8, 4)
    (c, scale, loc), _ = scipy_fit(x)
    assert abs(loc - x.min()) < 1e-9  # scipy: the threshold at the smallest value, no warning
    with pytest.raises(DataError, match="unbounded and has no maximum"):
        mlefit.fit(x, "weibull3")


def test_a_fixed_threshold_is_the_weibull_of_x_minus_it():
    x = sample(0.8, 4)
    r = mlefit.fit(x, "weibull3", fix={"threshold": 9.5})
    ref = mlefit.fit(x - 9.5, "weibull")
    for p, q in zip(r.parameters[:2], ref.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=1e-7)
    assert r.loglik == pytest.approx(ref.loglik, rel=1e-11)
    assert r.parameters[2].interval == "fixed" and r.n_parameters == 2
    assert not any("Smith" in n for n in r.notes)


def test_command_line_json():
    x = sample(3.0, 2, 50)
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "weibull3", "--json"],
                             input="x\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert [p["name"] for p in d["parameters"]] == ["shape", "scale", "threshold"]
    assert d["parameters"][2]["estimate"] < x.min()
