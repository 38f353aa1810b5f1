"""Priors on support bounds (issue 18, point 1): pareto's xm, uniform's a and b, whose MLE
is a sample extreme. The MAP maximises the log-posterior on the side of the extreme the
data allow (mlefit/priors/bound.py); checked here against a brute-force grid of the
log-posterior written out with scipy.stats, scipy.optimize from several starts, and the
bound's conditional posterior integrated with scipy.integrate."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import integrate, optimize, stats

import mlefit
from mlefit.cli import cli
from mlefit.errors import UsageError

RNG = np.random.default_rng(7)
PARETO = 3.0 * np.exp(RNG.exponential(1 / 2.5, 40))
UNIFORM = RNG.uniform(1.0, 4.0, 30)


def _pareto_lp(xm, alpha, prior_xm, prior_alpha=None):
    if not 0 < xm <= PARETO.min() or alpha <= 0:
        return -np.inf
    lp = np.sum(stats.pareto(alpha, scale=xm).logpdf(PARETO)) + prior_xm.logpdf(xm)
    return lp + (prior_alpha.logpdf(alpha) if prior_alpha is not None else 0.0)


def _pareto_grid(xms, alphas, prior_xm, prior_alpha=None):
    """The largest log-posterior on the grid xms x alphas (scipy.stats, vectorised)."""
    a, b = np.meshgrid(xms, alphas, indexing="ij")
    lp = stats.pareto(b[..., None], scale=a[..., None]).logpdf(PARETO).sum(axis=-1) + prior_xm.logpdf(a)
    if prior_alpha is not None:
        lp += prior_alpha.logpdf(b)
    return float(np.max(lp))


def _best_by_scipy(f, starts):
    """scipy.optimize's best of Nelder-Mead runs from each start (f to maximise)."""
    runs = [optimize.minimize(lambda v: -f(*v), s, method="Nelder-Mead",
                              options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000}) for s in starts]
    best = min(runs, key=lambda r: r.fun)
    return best.x, -best.fun


def test_pareto_xm_inside_equals_scipy_and_the_grid():
    """xm ~ exponential(40) pulls xm well below the minimum: the MAP is inside the side,
    equal to scipy.optimize from several starts (1e-6) and above every point of a grid."""
    prior = stats.expon(scale=1 / 40)
    r = mlefit.fit(PARETO, "pareto", prior="xm ~ exponential(40)")
    xm, alpha = r.estimates["xm"], r.estimates["alpha"]
    assert xm < PARETO.min() * 0.5
    f = lambda a, b: _pareto_lp(a, b, prior)  # noqa: E731
    (sx, sa), top = _best_by_scipy(f, [(0.3, 0.5), (1.0, 1.0), (2.5, 1.5), (xm, alpha)])
    assert xm == pytest.approx(sx, rel=1e-6) and alpha == pytest.approx(sa, rel=1e-6)
    assert r.log_posterior == pytest.approx(f(xm, alpha), rel=1e-12)
    assert r.log_posterior >= top - 1e-9
    grid = _pareto_grid(np.linspace(0.01, PARETO.min(), 300), np.linspace(0.05, 3, 300), prior)
    assert r.log_posterior >= grid
    assert r.loglik == pytest.approx(np.sum(stats.pareto(alpha, scale=xm).logpdf(PARETO)), rel=1e-12)


def test_pareto_xm_at_the_minimum_with_a_prior_on_alpha_too():
    """A weak prior on xm leaves it at the sample minimum exactly (the endpoint, where the
    likelihood peaks); alpha is its conditional MAP there, checked against scipy."""
    px, pa = stats.gamma(2, scale=1.0), stats.gamma(2, scale=1.0)
    r = mlefit.fit(PARETO, "pareto", prior=["xm ~ gamma(2, 1)", "alpha ~ gamma(2, 1)"])
    assert r.estimates["xm"] == PARETO.min()
    res = optimize.minimize_scalar(lambda a: -_pareto_lp(PARETO.min(), a, px, pa), bounds=(0.1, 10),
                                   method="bounded", options={"xatol": 1e-12})
    assert r.estimates["alpha"] == pytest.approx(res.x, rel=1e-7)
    grid = _pareto_grid(np.linspace(0.5, PARETO.min(), 200), np.linspace(0.5, 4, 200), px, pa)
    assert r.log_posterior >= grid
    assert r.aic is None or math.isnan(r.aic)


def test_flat_prior_on_xm_gives_back_the_mle():
    ml = mlefit.fit(PARETO, "pareto")
    r = mlefit.fit(PARETO, "pareto", prior="xm ~ uniform(0, 100)")
    assert r.estimates["xm"] == ml.estimates["xm"]
    assert r.estimates["alpha"] == pytest.approx(ml.estimates["alpha"], rel=1e-12)


def test_uniform_both_bounds_against_a_brute_force_grid():
    """a ~ normal(0, 0.5), b ~ normal(5, 0.3): a stays at the minimum (the prior is
    flat-ish there next to -n log(b - a)), b moves above the maximum toward 5."""
    pa, pb = stats.norm(0, 0.5), stats.norm(5, 0.3)
    lo, hi = UNIFORM.min(), UNIFORM.max()

    def f(a, b):
        if a > lo or b < hi:
            return -np.inf
        return -UNIFORM.size * math.log(b - a) + pa.logpdf(a) + pb.logpdf(b)
    r = mlefit.fit(UNIFORM, "uniform", prior=["a ~ normal(0, 0.5)", "b ~ normal(5, 0.3)"])
    a, b = r.estimates["a"], r.estimates["b"]
    assert r.log_posterior == pytest.approx(f(a, b), rel=1e-12)
    x, y = np.meshgrid(np.linspace(lo - 2, lo, 401), np.linspace(hi, hi + 2, 401), indexing="ij")
    grid = np.max(stats.uniform(x[..., None], (y - x)[..., None]).logpdf(UNIFORM).sum(axis=-1)
                  + pa.logpdf(x) + pb.logpdf(y))
    assert r.log_posterior >= grid
    # b's conditional MAP given a, exactly: d/db = n/(b - a) ... = 0 -> the root of a quadratic
    n = UNIFORM.size
    assert a == lo
    want_b = optimize.brentq(lambda y: -n / (y - a) - (y - 5) / 0.09, hi, 10, xtol=1e-14)
    assert b == pytest.approx(want_b, rel=1e-7)
    assert np.sum(stats.uniform(a, b - a).logpdf(UNIFORM)) == pytest.approx(r.loglik, rel=1e-12)


def test_uniform_prior_edge_is_the_map():
    """a ~ uniform(0, 0.9) with the minimum above 0.9: the likelihood rises toward the
    minimum, so the MAP is the prior's edge, 0.9, exactly; b stays at the maximum."""
    r = mlefit.fit(UNIFORM, "uniform", prior="a ~ uniform(0, 0.9)")
    assert r.estimates["a"] == 0.9 and r.estimates["b"] == UNIFORM.max()
    assert any(n.startswith("b without a prior stays at its MLE") for n in r.notes)
    # on log(xm): the support's end is e^1, below the minimum (about 3.04)
    assert mlefit.fit(PARETO, "pareto", prior="log(xm) ~ uniform(-1, 1)").estimates["xm"] == math.e


def _xm_density(alpha, rate, top):
    """xm's posterior given alpha, written out: prod pareto(x; t, alpha) exp(-rate t) is
    t^(n alpha) e^(-rate t) on t <= min x, up to a constant (top: its log at the mode)."""
    n = PARETO.size
    return lambda t: math.exp(n * alpha * math.log(t) - rate * t - top)


def test_the_bounds_interval_is_its_exact_conditional_posterior():
    """xm's interval: equal-tailed quantiles of its posterior given alpha at the MAP,
    checked with scipy.integrate.quad and brentq on the density written out."""
    r = mlefit.fit(PARETO, "pareto", prior="xm ~ exponential(40)")
    xm_hat, alpha = r.estimates["xm"], r.estimates["alpha"]
    assert xm_hat == pytest.approx(PARETO.size * alpha / 40, rel=1e-7)  # the mode of t^(n alpha) e^(-40 t)
    dens = _xm_density(alpha, 40.0, PARETO.size * alpha * math.log(xm_hat) - 40 * xm_hat)
    m = PARETO.min()
    total = integrate.quad(dens, 0, m, points=[xm_hat], epsabs=0, epsrel=1e-12, limit=500)[0]
    cdf = lambda t: integrate.quad(dens, 0, t, points=[min(xm_hat, t)], epsabs=0, epsrel=1e-12,  # noqa: E731
                                   limit=500)[0] / total
    want = [optimize.brentq(lambda t: cdf(t) - q, 1e-6, m, xtol=1e-14) for q in (0.025, 0.975)]
    p = r.parameters[0]
    assert p.se is None and p.interval == "exact posterior"
    assert [p.ci_lower, p.ci_upper] == pytest.approx(want, rel=1e-6)
    assert "given alpha at the MAP" in p.intervals[0].method


def test_at_the_end_the_interval_is_one_sided():
    """With the MAP at the minimum the density is highest there: the interval runs from
    the 95% quantile counted from the minimum up to it."""
    r = mlefit.fit(PARETO, "pareto", prior="xm ~ exponential(1)")
    m = PARETO.min()
    alpha = r.estimates["alpha"]
    assert r.estimates["xm"] == m
    dens = _xm_density(alpha, 1.0, PARETO.size * alpha * math.log(m) - m)
    above = lambda t: integrate.quad(dens, t, m, epsabs=0, epsrel=1e-12)[0]  # noqa: E731
    total = above(1e-9)
    want = optimize.brentq(lambda t: above(t) / total - 0.95, 1e-6, m, xtol=1e-14)
    p = r.parameters[0]
    assert p.ci_upper == m and p.ci_lower == pytest.approx(want, rel=1e-6)
    assert p.intervals[0].method.startswith("one-sided from the end where the density is highest")


@pytest.mark.parametrize("prior, match", [
    ("xm ~ uniform(5, 10)", "puts no weight at or below the sample minimum"),
    ("xm ~ gamma(0.5, 1)", "rises without bound as xm -> 0"),
])
def test_bound_priors_that_give_no_map_are_refused(prior, match):
    with pytest.raises(UsageError, match=match):
        mlefit.fit(PARETO, "pareto", prior=prior)


def test_cli_json_for_a_bound_prior():
    text = "x\n" + "\n".join(repr(float(v)) for v in PARETO) + "\n"
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "pareto", "--prior", "xm ~ exponential(40)", "--json"],
                             input=text)
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["map"] is True and d["aic"] is None and d["log_prior"] is not None
    want = mlefit.fit(PARETO, "pareto", prior="xm ~ exponential(40)").to_dict()
    assert d["parameters"] == json.loads(json.dumps(want["parameters"]))
    assert d["parameters"][0]["intervals"]["exact"]["method"].startswith("equal-tailed, exact quantiles")
    assert any("support bound" in n for n in d["notes"])


# uniform(0, b) with b ~ pareto(x0, k) is conjugate: the posterior is pareto(max(x0, max x), k + n)
@pytest.mark.parametrize("x0", [2.0, 5.0])
def test_uniform_b_with_a_pareto_prior_is_the_exact_pareto_posterior(x0):
    r = mlefit.fit(list(UNIFORM), "uniform", fix={"a": 0.0}, prior=f"b ~ pareto({x0}, 2)")
    m, k = max(x0, UNIFORM.max()), 2 + len(UNIFORM)
    post = r.to_dict()["posterior"]
    assert (post["distribution"], post["args"]) == ("pareto", {"xm": m, "alpha": k})
    want = stats.pareto(k, scale=m)
    assert (post["mode"], post["mean"], post["sd"]) == pytest.approx((m, want.mean(), want.std()), rel=1e-12)
    assert (post["ci_lower"], post["ci_upper"]) == pytest.approx((m, want.ppf(0.95)), rel=1e-12)
    b = r.parameters[1]  # the MAP, and its interval by bound_prior's numerical integration: the same
    assert b.estimate == m and (b.ci_lower, b.ci_upper) == pytest.approx((m, want.ppf(0.95)), rel=1e-8)
    assert r.log_prior == pytest.approx(stats.pareto(2, scale=x0).logpdf(m), rel=1e-12)


def test_a_pareto_prior_on_b_with_a_free_against_scipy_optimize():
    prior = stats.pareto(3.0, scale=4.5)  # mass above the maximum only: b is pulled to 4.5 at least
    r = mlefit.fit(list(UNIFORM), "uniform", prior=["b ~ pareto(4.5, 3)", "a ~ normal(0, 0.5)"])

    def log_post(a, b):
        if not (a <= UNIFORM.min() and b >= UNIFORM.max()):
            return -np.inf
        return -len(UNIFORM) * math.log(b - a) + prior.logpdf(b) + stats.norm(0, 0.5).logpdf(a)
    best, _ = _best_by_scipy(log_post, [(UNIFORM.min() - 0.1, 4.6), (0.0, 5.0), (-0.5, 4.5)])
    assert (r.estimates["a"], r.estimates["b"]) == pytest.approx(tuple(best), rel=1e-6)
    assert r.estimates["b"] == 4.5  # the prior's lower end, above the maximum


def test_a_pareto_prior_on_a_probability_is_refused():
    with pytest.raises(UsageError, match="a pareto prior reaches above 1, but p is a probability"):
        mlefit.fit([0, 1, 1], "bernoulli", prior="p ~ pareto(0.5, 2)")


def test_no_laplace_note_where_no_interval_is_laplace():
    """uniform with a prior on b only: a keeps its exact ML interval and b its exact
    posterior one, so no note may call the intervals Laplace approximations; with a
    regular parameter beside the bound (pareto's alpha) the note stays."""
    import numpy as np

    import mlefit
    rng = np.random.default_rng(2)
    u = mlefit.fit(rng.uniform(0, 5, 40), "uniform", prior=["b ~ pareto(1, 2)"])
    assert [p.interval for p in u.parameters] == ["exact", "exact posterior"]
    assert not any(n.startswith("intervals are credible intervals: Laplace") for n in u.notes)
    p = mlefit.fit(1.5 * (1 + rng.pareto(2.5, 40)), "pareto", prior=["xm ~ uniform(0, 2)"])
    assert any(n.startswith("intervals are credible intervals: Laplace") for n in p.notes)
