"""fit --prior jeffreys for negative_binomial and beta_binomial (issue 18, point 3), whose
information is a sum over the counts: each log-prior against 1/2 log det of an information
computed independently here (numeric second derivatives of the expected log-likelihood,
scipy.stats' log-pmf summed over the counts; mpmath's long sum of trigammas where size is
large), and each MAP against Nelder-Mead on log-likelihood + log-prior written out here
(the information in its -E[Hessian] trigamma form, a long direct sum)."""
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, special, stats

import mlefit
from mlefit.priors import jeffreys_sums
from mlefit.cli import cli
from mlefit.priors.jeffreys import priors as jeffreys_priors


def _nb_logpmf(y, r, m):
    return stats.nbinom.logpmf(y, r, r / (r + m))


def _expected_information(logpmf, theta, support, h=5e-3):
    """minus the Hessian of E_theta[log f(Y | t)] in t at t = theta, by central differences
    (relative steps h, 2h and 4h, Richardson-extrapolated twice): the information, computed from scipy
    alone. The steps are wide because the second difference of E log f is small beside its
    rounding where the information is small (negative_binomial's size at 12, mu 1.5)."""
    theta = np.array(theta, dtype=np.float64)
    p = np.exp(logpmf(support, *theta))

    def e(t):
        return float(np.sum(p * logpmf(support, *t)))
    k = len(theta)
    out = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            def d(h):
                hi, hj = h * theta[i], h * theta[j]

                def at(si, sj):
                    t = theta.copy()
                    t[i] += si * hi
                    t[j] += sj * hj
                    return e(t)
                return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * hi * hj)
            out[i, j] = -(64 * d(h) - 20 * d(2 * h) + d(4 * h)) / 45  # O(h^6)
    return 0.5 * (out + out.T)


def _half_log_det(info):
    return 0.5 * math.log(info[0, 0] * info[1, 1] - info[0, 1] * info[1, 0])


@pytest.mark.parametrize("r,m", [(0.4, 3.0), (2.5, 4.0), (12.0, 1.5), (3.0, 60.0)])
def test_negative_binomial_is_half_log_det_of_its_information(r, m):
    y = np.arange(0, int(stats.nbinom.isf(1e-22, r, r / (r + m))) + 50, dtype=np.float64)
    want = _half_log_det(_expected_information(_nb_logpmf, (r, m), y))
    (p,) = jeffreys_priors("negative_binomial", ("size", "mu"), {}, 10)
    assert p.at([r, m]) == pytest.approx(want, abs=1e-8)


@pytest.mark.parametrize("r,m", [(0.05, 2.0), (1.0, 7.0), (1e3, 5.0), (1e5, 2.0)])
def test_size_information_is_the_long_trigamma_sum(r, m):
    """I_size = psi1(size) - E[psi1(size + Y)] - mu/(size (size + mu)), at 50 digits (the
    trigamma difference cancels in double precision at large size)."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    R, M = mp.mpf(r), mp.mpf(m)
    q = M / (R + M)
    p = (R / (R + M)) ** R  # P(Y = 0), then the ratio P(y+1)/P(y) = q (y + r)/(y + 1)
    total, y = mp.mpf(0), 0
    while True:
        total += p * mp.psi(1, R + y)
        if y > m and p < mp.mpf(10) ** -30:
            break
        p *= q * (y + R) / (y + 1)
        y += 1
    want = mp.psi(1, R) - total - M / (R * (R + M))
    assert jeffreys_sums.nb_size_information(r, m) == pytest.approx(float(want), rel=1e-9)


def _bb_logpmf(y, a, b, t=10):
    return stats.betabinom.logpmf(y, t, a, b)


@pytest.mark.parametrize("a,b,t", [(0.6, 0.9, 10), (2.0, 3.0, 10), (15.0, 4.0, 30), (1.3, 2.2, 2)])
def test_beta_binomial_is_half_log_det_of_its_information(a, b, t):
    want = _expected_information(lambda y, a, b: _bb_logpmf(y, a, b, t), (a, b), np.arange(t + 1.0))
    (p,) = jeffreys_priors(f"beta_binomial:{t}", ("a", "b"), {}, 10, (np.array([float(t)]), np.ones(1)))
    assert p.at([a, b]) == pytest.approx(_half_log_det(want), abs=1e-8)


def test_beta_binomial_with_trials_per_row_averages_the_rows_information():
    t, w = np.array([4.0, 10.0, 10.0, 7.0]), np.array([1.0, 2.0, 1.0, 0.5])
    want = sum(wi * _expected_information(lambda y, a, b: _bb_logpmf(y, a, b, ti), (1.7, 2.4), np.arange(ti + 1))
               for ti, wi in zip(t, w)) / w.sum()
    (p,) = jeffreys_priors("beta_binomial", ("a", "b"), {}, 10, (t, w))
    assert p.at([1.7, 2.4]) == pytest.approx(_half_log_det(want), abs=1e-8)


@pytest.mark.parametrize("fix,free", [({"mu": 4.0}, "size"), ({"size": 2.0}, "mu")])
def test_negative_binomial_with_one_fixed_is_the_others_own_information(fix, free):
    names = ("size", "mu")
    (held, c), = fix.items()
    (p,) = jeffreys_priors("negative_binomial", names, {names.index(held): c}, 10)
    at = 2.7
    theta = [c, at] if held == "size" else [at, c]
    y = np.arange(0, 400.0)
    info = _expected_information(_nb_logpmf, theta, y)
    j = names.index(free)
    assert (p.parameter, p.at(theta)) == (free, pytest.approx(0.5 * math.log(info[j, j]), abs=1e-8))


def _mp_nb(mp, r, m):
    """1/2 log det of negative_binomial's information in the trigamma form, at mpmath's precision."""
    r, m = mp.mpf(r), mp.mpf(m)
    q, p, total, y = m / (r + m), (r / (r + m)) ** r, 0, 0
    while y <= m or p > mp.mpf(10) ** -(mp.mp.dps - 5):
        total += p * mp.psi(1, r + y)
        p *= q * (y + r) / (y + 1)
        y += 1
    return mp.log((mp.psi(1, r) - total - m / (r * (r + m))) * r / (m * (r + m))) / 2


def _mp_bb(mp, a, b, t=10):
    """1/2 log det of beta_binomial's information (t trials) in the trigamma form, at mpmath's precision."""
    a, b = mp.mpf(a), mp.mpf(b)
    pmf = [mp.binomial(t, y) * mp.beta(y + a, t - y + b) / mp.beta(a, b) for y in range(t + 1)]
    common = mp.psi(1, t + a + b) - mp.psi(1, a + b)
    i_aa = mp.psi(1, a) - sum(p * mp.psi(1, y + a) for y, p in enumerate(pmf)) + common
    i_bb = mp.psi(1, b) - sum(p * mp.psi(1, t - y + b) for y, p in enumerate(pmf)) + common
    return mp.log(i_aa * i_bb - common ** 2) / 2


@pytest.mark.slow  # mpmath's numerical derivatives of long sums (about 10 s)
@pytest.mark.parametrize("which,at", [("nb", (2.5, 4.0)), ("nb", (300.0, 2.0)), ("bb", (1.8, 3.2))])
def test_the_derivatives_are_mpmaths(which, at):
    """negative_binomial's summed analytically, beta_binomial's by finite differences."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30
    exact = {"nb": _mp_nb, "bb": _mp_bb}[which]
    fn = jeffreys_sums.nb_log_prior_fn([1.0, 1.0], (0, 1)) if which == "nb" else jeffreys_sums.log_prior_fn(
        lambda a, b: jeffreys_sums.bb_information(a, b, [10.0], [1.0]), [1.0, 1.0], (0, 1))
    lp, g, h = fn(np.array(at))
    f = lambda u, v: exact(mp, u, v)  # noqa: E731
    assert lp == pytest.approx(float(f(*at)), abs=1e-12)
    assert g == pytest.approx([float(mp.diff(f, at, (1, 0))), float(mp.diff(f, at, (0, 1)))], rel=1e-9)
    want = [[float(mp.diff(f, at, (2, 0))), float(mp.diff(f, at, (1, 1)))],
            [float(mp.diff(f, at, (1, 1))), float(mp.diff(f, at, (0, 2)))]]
    assert h == pytest.approx(np.array(want), rel=1e-7, abs=1e-11)


# the log-priors written out here in the -E[Hessian] (trigamma) form, by long direct sums
def _lp_nb(r, m):
    y = np.arange(0, int(stats.nbinom.isf(1e-25, r, r / (r + m))) + 50)
    i_rr = special.polygamma(1, r) - np.sum(stats.nbinom.pmf(y, r, r / (r + m)) * special.polygamma(1, y + r)) \
        - m / (r * (r + m))
    return 0.5 * math.log(i_rr * r / (m * (r + m)))


NB = stats.nbinom.rvs(2.0, 2.0 / 6.0, size=80, random_state=np.random.default_rng(3))
BB = stats.betabinom.rvs(10, 1.5, 2.5, size=60, random_state=np.random.default_rng(4))
CASES = {"negative_binomial": (NB, ("size", "mu"), lambda t: _nb_logpmf(NB, *t).sum() + _lp_nb(*t)),
         "beta_binomial:10": (BB, ("a", "b"), lambda t: _bb_logpmf(BB, *t).sum() + _lp_bb(*t))}


@pytest.mark.parametrize("family", list(CASES))
def test_the_map_maximises_loglik_plus_the_jeffreys_log_prior(family):
    data, names, post = CASES[family]
    r = mlefit.fit(list(data), family, prior="jeffreys")
    theta = np.array([r.estimates[n] for n in names])
    best = optimize.minimize(lambda u: -post(np.exp(u)), np.log(theta) + 0.05, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})  # at the sums' rounding
    assert best.success
    assert theta == pytest.approx(np.exp(best.x), rel=1e-7)
    assert r.log_posterior == pytest.approx(post(theta), rel=1e-10)
    assert r.to_dict()["log_prior"] == pytest.approx(post(theta) - r.loglik, abs=1e-9)
    mle = mlefit.fit(list(data), family)
    assert r.log_posterior > mle.loglik + r.to_dict()["log_prior"] - 10  # a sanity bound, the MAP is near


def _bb_information(a, b, t):
    """beta_binomial's information with t trials, -E[Hessian] in trigammas, summed here."""
    y = np.arange(t + 1.0)
    p = stats.betabinom.pmf(y, t, a, b)
    psi1 = lambda x: special.polygamma(1, x)  # noqa: E731
    common = psi1(t + a + b) - psi1(a + b)
    return np.array([[psi1(a) - np.sum(p * psi1(y + a)) + common, -common],
                     [-common, psi1(b) - np.sum(p * psi1(t - y + b)) + common]])


def _lp_bb(a, b, t=10):
    return _half_log_det(_bb_information(a, b, t))


@pytest.mark.slow  # Nelder-Mead on sums over each row's trials
def test_beta_binomial_with_trials_per_row_maximises_its_written_out_posterior():
    rng = np.random.default_rng(5)
    t = rng.integers(3, 15, size=50).astype(float)
    y = stats.betabinom.rvs(t.astype(int), 2.0, 3.0, random_state=rng).astype(float)
    r = mlefit.fit(list(y), "beta_binomial", trials=list(t), prior="jeffreys")
    theta = np.array([r.estimates["a"], r.estimates["b"]])

    def post(v):
        info = sum(_bb_information(*v, int(ti)) for ti in t) / len(t)
        return stats.betabinom.logpmf(y, t, *v).sum() + _half_log_det(info)
    best = optimize.minimize(lambda u: -post(np.exp(u)), np.log(theta) + 0.05, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})  # at the sums' rounding
    assert best.success
    assert theta == pytest.approx(np.exp(best.x), rel=1e-7)
    assert r.log_posterior == pytest.approx(post(theta), rel=1e-10)


def test_negative_binomial_with_mu_fixed_maximises_its_written_out_posterior():
    r = mlefit.fit(list(NB), "negative_binomial", prior="jeffreys", fix={"mu": 4.0})

    def lp(s):
        y = np.arange(0, 600)
        return 0.5 * math.log(special.polygamma(1, s) - np.sum(stats.nbinom.pmf(y, s, s / (s + 4.0))
                                                                 * special.polygamma(1, y + s)) - 4.0 / (s * (s + 4.0)))
    best = optimize.minimize_scalar(lambda s: -(_nb_logpmf(NB, s, 4.0).sum() + lp(s)), bounds=(0.3, 30),
                                    method="bounded", options={"xatol": 1e-12})
    assert r.estimates["size"] == pytest.approx(best.x, rel=1e-7)


def test_the_cli_reports_the_summed_prior_and_how_it_was_computed():
    data = "x\n" + "\n".join(str(int(v)) for v in NB) + "\n"
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "negative_binomial", "--prior", "jeffreys"], input=data)
    assert out.exit_code == 0 and "negative_binomial MAP fit" in out.output
    assert "jeffreys: (size, mu) has density sqrt(I_size size/(mu (size + mu)))" in out.output
    assert "summed over the counts (to rounding), with its gradient and Hessian" in " ".join(out.output.split())


def test_beta_binomial_with_a_fixed_takes_bs_own_information():
    (p,) = jeffreys_priors("beta_binomial:10", ("a", "b"), {0: 1.5}, 10, (np.array([10.0]), np.ones(1)))
    assert p.parameter == "b" and p.at([1.5, 2.2]) == pytest.approx(0.5 * math.log(_bb_information(1.5, 2.2, 10)[1, 1]),
                                                                      abs=1e-12)
    r = mlefit.fit(list(BB), "beta_binomial:10", prior="jeffreys", fix={"a": 1.5})
    best = optimize.minimize_scalar(lambda b: -(_bb_logpmf(BB, 1.5, b).sum()
                                                + 0.5 * math.log(_bb_information(1.5, b, 10)[1, 1])),
                                    bounds=(0.3, 30), method="bounded", options={"xatol": 1e-12})
    assert r.estimates["b"] == pytest.approx(best.x, rel=1e-7)
