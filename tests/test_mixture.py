"""normal_mixture:K: EM with seeded restarts, label order, standard errors against a
numeric Hessian of the reference NLL (tests/cases.py, built from scipy), the
log-likelihood against a brute-force multi-start optimiser, degenerate data."""
import json
import math
import re

import numpy as np
import pytest
import scipy.optimize
import scipy.stats
from cases import REFERENCE, sample
from click.testing import CliRunner
from test_edges import EDGE_DATA
from test_edges import (
    test_edge_data_gives_a_finite_result_or_a_clear_error as edge_check,
)

import mlefit
from mlefit import families
from mlefit.cli import cli
from mlefit.inference.information import numeric_hessian

THREE = (0.2, 5.0, 1.0, 0.5, -3.0, 0.8, 0.3, 0.5, 0.6)  # deliberately not in mu order


def draw(theta, n, seed):
    return families.get(f"normal_mixture:{len(theta) // 3}").draw(np.random.default_rng(seed), n, theta)


def reference_nll(x):
    """theta (3K numbers, the weights as given) -> the NLL from scipy's pieces."""
    return lambda theta: -float(np.sum(REFERENCE["normal_mixture"](tuple(theta), x)))


def with_last_weight(free):
    """The 3K-1 free parameters (all but w[K]) -> all 3K, w[K] = 1 - the other weights."""
    free = list(free)
    last = len(free) - 2
    return free[:last] + [1.0 - sum(free[0:last:3])] + free[last:]


def free_nll(x):
    """The reference NLL of the free parameters: w[K] = 1 - the others."""
    nll = reference_nll(x)
    return lambda free: nll(with_last_weight(free))


def best_of_random_starts(x, k, starts=20, seed=0):
    """A brute-force reference: BFGS on the reference NLL (weights by softmax, log sds)
    from random starts; the best log-likelihood among optima whose sds are all above
    1/100 of the data's sd (narrower ones are the degenerate spikes mlefit refuses)."""
    nll, sd = reference_nll(x), float(np.std(x))
    rng = np.random.default_rng(seed)

    def theta_of(u):
        a = np.append(u[:k - 1], 0.0)
        w = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
        return np.column_stack([w, u[k - 1:2 * k - 1], np.exp(u[2 * k - 1:])]).ravel()

    def objective(u):
        value = nll(theta_of(u))
        return value if math.isfinite(value) else 1e300

    best = -math.inf
    with np.errstate(all="ignore"):
        for _ in range(starts):
            u0 = np.concatenate([rng.normal(0, 1, k - 1), rng.choice(x, k, replace=False),
                                 np.log(sd) + rng.normal(-0.5, 0.5, k)])
            res = scipy.optimize.minimize(objective, u0, method="BFGS", options={"gtol": 1e-8})
            theta = theta_of(res.x)
            if np.all(theta[2::3] > 0.01 * sd) and math.isfinite(res.fun):
                best = max(best, -res.fun)
    return best


def estimates(result):
    return np.array([p.estimate for p in result.parameters])


def test_recovers_known_parameters_within_their_standard_errors():
    x, theta = sample("normal_mixture:2", n=20000, seed=11)
    r = mlefit.fit(x, "normal_mixture:2")
    assert r.converged and r.n_parameters == 5
    assert [p.name for p in r.parameters] == ["w[1]", "mu[1]", "sigma[1]", "w[2]", "mu[2]", "sigma[2]"]
    for p, true in zip(r.parameters, theta):
        assert abs(p.estimate - true) < 4 * p.se, p
        assert p.ci_lower < p.estimate < p.ci_upper
    x3 = draw(THREE, 20000, seed=3)
    r3 = mlefit.fit(x3, "normal_mixture:3")
    truth = np.array(THREE).reshape(3, 3)[np.argsort(THREE[1::3])].ravel()  # in mu order
    for p, true in zip(r3.parameters, truth):
        assert abs(p.estimate - true) < 4 * p.se, p


def test_components_come_in_increasing_mu():
    r = mlefit.fit(draw(THREE, 3000, seed=1), "normal_mixture:3")
    mus = [r.estimates[f"mu[{j}]"] for j in (1, 2, 3)]
    assert mus == sorted(mus)
    assert "components in increasing mu" in r.method and any("increasing mu" in n for n in r.notes)
    # relabelling the truth leaves the likelihood unchanged (label switching): sorting picks one
    fam = families.get("normal_mixture:3")
    x = draw(THREE, 300, seed=2)
    s = fam.stats(x, None)
    swapped = np.array(THREE).reshape(3, 3)[[2, 0, 1]].ravel()
    assert fam.loglik(s, THREE) == pytest.approx(fam.loglik(s, swapped), rel=1e-13)


def test_one_component_is_the_normal_fit():
    x = np.random.default_rng(2).gamma(3.0, 2.0, 200)
    normal, one = mlefit.fit(x, "normal"), mlefit.fit(x, "normal_mixture:1")
    assert one.estimates["mu[1]"] == normal.estimates["mu"]
    assert one.estimates["sigma[1]"] == normal.estimates["sigma"]
    assert one.loglik == pytest.approx(normal.loglik, rel=1e-13)
    assert one.aic == pytest.approx(normal.aic, rel=1e-13) and one.n_parameters == 2
    for p, q in zip(one.parameters[1:], normal.parameters):
        assert p.se == pytest.approx(q.se, rel=1e-10)
        assert (p.ci_lower, p.ci_upper) == pytest.approx((q.ci_lower, q.ci_upper), rel=1e-10)
    w = one.parameters[0]
    assert (w.estimate, w.ci_lower, w.ci_upper, w.interval) == (1.0, 1.0, 1.0, "exact")
    weights = np.random.default_rng(3).integers(1, 4, 200)
    assert mlefit.fit(x, "normal_mixture:1", weights=weights).estimates["sigma[1]"] == \
        mlefit.fit(x, "normal", weights=weights).estimates["sigma"]


@pytest.mark.parametrize("theta,n,seed", [((0.4, -1.0, 0.7, 0.6, 2.5, 1.2), 400, 0), (THREE, 600, 4)])
def test_standard_errors_equal_the_numeric_hessian_of_the_reference_nll(theta, n, seed):
    """SEs invert the Hessian of the reference NLL in the 3K-1 free parameters (w[K] = 1 -
    the others); w[K]'s is the SE of 1 minus the others."""
    k = len(theta) // 3
    x = draw(theta, n, seed)
    r = mlefit.fit(x, f"normal_mixture:{k}")
    hat = estimates(r)
    free = np.delete(hat, 3 * (k - 1))
    cov = np.linalg.inv(numeric_hessian(free_nll(x), free))
    se = np.sqrt(np.diag(cov))
    w = slice(0, 3 * (k - 1), 3)
    se_last = math.sqrt(np.sum(cov[w, w]))
    expected = np.insert(se, 3 * (k - 1), se_last)
    np.testing.assert_allclose([p.se for p in r.parameters], expected, rtol=1e-4)
    # and the full 3K information is the Hessian of the reference NLL with the weights free
    fam = families.get(f"normal_mixture:{k}")
    np.testing.assert_allclose(fam.observed_information(fam.stats(x, None), hat),
                               numeric_hessian(reference_nll(x), hat), rtol=1e-5, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("theta,k,seed", [((0.4, -1.0, 0.7, 0.6, 2.5, 1.2), 2, 5), (THREE, 3, 6),
                                          ((0.5, 0.0, 1.0, 0.5, 0.0, 3.0), 2, 7)])
def test_loglik_at_least_a_brute_force_multistart_optimum(theta, k, seed):
    """Including a scale mixture (equal means), where k-means starts are useless."""
    x = draw(theta, 300, seed)
    r = mlefit.fit(x, f"normal_mixture:{k}")
    assert r.converged
    assert r.loglik >= best_of_random_starts(x, k) - 1e-8 * abs(r.loglik)


def test_fit_is_reproducible():
    x = draw(THREE, 500, seed=8)
    first = mlefit.fit(x, "normal_mixture:3").to_dict()
    np.random.seed(123)  # the global generator plays no part
    again = mlefit.fit(x, "normal_mixture:3").to_dict()
    assert json.dumps(first) == json.dumps(again)
    shuffled = mlefit.fit(np.random.default_rng(1).permutation(x), "normal_mixture:3").to_dict()
    assert shuffled["parameters"] == first["parameters"]


def test_integer_weights_are_exactly_repeated_rows():
    x = draw(THREE, 60, seed=9)
    k = np.random.default_rng(9).integers(1, 5, x.size)
    weighted, repeated = mlefit.fit(x, "normal_mixture:3", weights=k), mlefit.fit(np.repeat(x, k), "normal_mixture:3")
    assert weighted.estimates == repeated.estimates and weighted.n == repeated.n == k.sum()


def test_weights_are_probabilities_that_sum_to_one():
    r = mlefit.fit(draw(THREE, 800, seed=10), "normal_mixture:3")
    w = [r.estimates[f"w[{j}]"] for j in (1, 2, 3)]
    assert all(0 < v < 1 for v in w) and sum(w) == pytest.approx(1.0, abs=1e-14)
    for j in (1, 2, 3):
        p = r.parameters[3 * (j - 1)]
        assert p.interval == "wald, logit scale" and 0 < p.ci_lower < p.estimate < p.ci_upper < 1
    two = mlefit.fit(sample("normal_mixture:2", n=300)[0], "normal_mixture:2")
    assert two.parameters[0].se == pytest.approx(two.parameters[3].se, rel=1e-12)  # w2 = 1 - w1


def test_far_out_points_do_not_underflow():
    x = np.append(sample("normal_mixture:2", n=300)[0], [60.0, -80.0])
    r = mlefit.fit(x, "normal_mixture:2")
    fam = families.get("normal_mixture:2")
    theta = estimates(r)
    assert math.isfinite(r.loglik)
    # scipy's own densities underflow to 0 out there; the log-density is still exact
    far = np.array([60.0, -80.0, 1e4])
    assert np.all(np.isfinite(fam.logpdf(far, theta)))
    np.testing.assert_allclose(fam.logpdf(far, theta), REFERENCE["normal_mixture"](theta, far), rtol=1e-12)


def test_degenerate_data_are_refused_with_a_clear_message():
    with pytest.raises(mlefit.DataError, match=r"normal_mixture:2 needs at least 5 distinct values .* "
                                               r"have 3; use fewer components, e.g. normal_mixture:1"):
        mlefit.fit([1.0, 2.0, 3.0, 1.0, 2.0, 3.0], "normal_mixture:2")
    with pytest.raises(mlefit.DataError, match="too few observations: normal_mixture:3 needs at least 8"):
        mlefit.fit([1.0, 2.0, 3.0, 4.0], "normal_mixture:3")
    with pytest.raises(mlefit.DataError, match="zero variance"):
        mlefit.fit([2.0] * 10, "normal_mixture:2")
    # 100 equal values and four others: every start puts a component on the tie and it collapses
    with pytest.raises(mlefit.DataError, match=r"do not support 2 normal components: in every one of "
                                               r"the \d+ EM runs a component collapsed"):
        mlefit.fit([0.0] * 100 + [1.0, 2.0, 3.0, 4.0], "normal_mixture:2")


@pytest.mark.slow
def test_a_collapsing_run_is_reported_and_skipped():
    """Ties among real spread: a run that puts a component on the ties is discarded (the
    method says so) and the fit is the best run that did not collapse; when every run
    collapses, the error says where."""
    x = np.concatenate([sample("normal_mixture:2", n=300, seed=1)[0], np.full(8, 0.5)])
    r = mlefit.fit(x, "normal_mixture:3")
    assert re.search(r"; \d+ run\(s\) discarded: a component collapsed onto a single value "
                     r"\(sigma < 0.001 x spread\)$", r.method)
    assert all(r.estimates[f"sigma[{j}]"] > 0.01 * np.std(x) for j in (1, 2, 3))
    assert r.loglik >= best_of_random_starts(x, 3) - 1e-8 * abs(r.loglik)
    x[-8:] = 9.0  # far out in the tail, the ties attract a component in every run
    with pytest.raises(mlefit.DataError, match=r"do not support 3 normal components: .* collapsed onto a "
                                               r"single value \(last at 9: .* e\.g\. normal_mixture:2$"):
        mlefit.fit(x, "normal_mixture:3")


@pytest.mark.parametrize("data", list(EDGE_DATA), ids=list(EDGE_DATA))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_edge_data_give_a_finite_result_or_a_clear_error(k, data):
    """tests/test_edges.py meets 'normal_mixture' without its K (a usage error): here with K."""
    edge_check(f"normal_mixture:{k}", data)


def test_extreme_magnitudes_are_exact_rescalings():
    x = sample("normal_mixture:2", n=200, seed=3)[0]
    base, far = mlefit.fit(x, "normal_mixture:2"), mlefit.fit(np.ldexp(x, 700), "normal_mixture:2")
    for p, q in zip(base.parameters, far.parameters):
        m = 0 if p.name.startswith("w") else 700
        assert q.estimate == pytest.approx(math.ldexp(p.estimate, m), rel=1e-10)
        assert q.se == pytest.approx(math.ldexp(p.se, m), rel=1e-7)
    assert far.loglik == pytest.approx(base.loglik - x.size * 700 * math.log(2), rel=1e-12)


def test_cdf_sample_and_hooks():
    fam = families.get("normal_mixture:3")
    grid = np.linspace(-8, 8, 41)
    ref = sum(w * scipy.stats.norm.cdf(grid, m, s) for w, m, s in np.reshape(THREE, (3, 3)))
    np.testing.assert_allclose(fam.cdf_values(grid, THREE), ref, rtol=1e-12, atol=1e-15)
    x = fam.draw(np.random.default_rng(0), 200000, THREE)
    w, m, s = np.reshape(THREE, (3, 3)).T
    mean = float(w @ m)
    assert x.mean() == pytest.approx(mean, abs=0.02)
    assert x.var() == pytest.approx(float(w @ (s ** 2 + m ** 2)) - mean ** 2, rel=0.01)
    assert fam.scipy(THREE) is None and fam.expected_information is None
    stats = fam.stats(x[:100], None)
    assert fam.domains(stats) == ("unit", "real", "positive") * 3 and fam.free_parameters(stats) == 8


def test_parameters_cannot_be_fixed_and_expected_information_is_refused():
    x = sample("normal_mixture:2", n=100)[0]
    with pytest.raises(mlefit.UsageError, match="cannot be fixed"):
        mlefit.fit(x, "normal_mixture:2", fix={"mu[1]": 0.0})
    with pytest.raises(mlefit.UsageError, match="no closed-form expected information"):
        mlefit.fit(x, "normal_mixture:2", information="expected")


def test_cli_fits_a_mixture():
    x = sample("normal_mixture:2", n=200)[0]
    text = "x\n" + "\n".join(repr(float(v)) for v in x) + "\n"
    result = CliRunner().invoke(cli, ["fit", "-", "--dist", "normal-mixture:2", "--json"], input=text)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["parameters"] == mlefit.fit(x, "normal_mixture:2").to_dict()["parameters"]
    result = CliRunner().invoke(cli, ["fit", "-", "--dist", "gmm:0"], input=text)
    assert result.exit_code == 2 and "k must be a whole number from 1 to 20" in result.stderr
