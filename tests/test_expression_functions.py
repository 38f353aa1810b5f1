"""Issue 22, point 1: the model language's abs, pnorm (the standard normal CDF),
min(a, b), max(a, b) and where(cond, a, b) with comparisons: parsed safely, evaluated
like numpy/scipy, differentiated exactly (checked against numerical derivatives on
random expressions), and fitted (a skew-normal density written with pnorm against
scipy.stats.skewnorm's own likelihood)."""
import math

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st

from mlefit.own import model as own_model
from mlefit.inference import symbolic
from mlefit.errors import UsageError
from mlefit.inference.expression import FUNCTIONS, MODEL_FUNCTIONS, parse
from symbolic_check import NAMES, derivatives


@pytest.mark.parametrize("text, at, expected", [
    ("abs(a - 3)", 1.5, 1.5),
    ("pnorm(a)", 1.5, st.norm.cdf(1.5)),
    ("pnorm(-40)", 0.0, st.norm.cdf(-40.0)),  # far in the tail, not 0
    ("min(a, 2)", 1.5, 1.5),
    ("max(a, 2)", 1.5, 2.0),
    ("where(a < 2, a^2, -a)", 1.5, 2.25),
    ("where(a >= 2, a^2, -a)", 1.5, -1.5),
    ("where(a == 1.5, 1, 0) + where(a != 1.5, 10, 0)", 1.5, 1.0),
    ("where(a <= 1.5, 1, 0) + where(a > 1.5, 10, 0)", 1.5, 1.0),
])
def test_values_agree_between_the_scalar_and_the_array_evaluator(text, at, expected):
    expr = parse(text, ("a",), MODEL_FUNCTIONS)
    assert expr({"a": at}) == pytest.approx(expected, rel=1e-13)
    arr = symbolic.evaluate([expr.tree], {"a": np.array([at, at])})[0]
    assert np.allclose(arr, expected, rtol=1e-13)


@pytest.mark.parametrize("text, words", [
    ("min(a)", ["min at position 1 is given 1 argument (min takes 2 arguments)"]),
    ("max(a, 1, 2)", ["is given more than 2 (max takes 2 arguments)"]),
    ("where(a, 1, 2)", ["where at position 1 needs a comparison first"]),
    ("where(a < 1, 2)", ["where takes 3 arguments"]),
    ("a < 1", ["a comparison ('<' at position 3) goes only in where(cond, a, b)"]),
    ("abs(a, 1)", ["abs takes exactly one"]),
    ("where()", ["where() at position 1 has no argument (where takes 3 arguments)"]),
])
def test_bad_calls_are_one_line_errors(text, words):
    with pytest.raises(UsageError) as err:
        parse(text, ("a",), MODEL_FUNCTIONS)
    assert "\n" not in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_derived_quantities_keep_their_small_language():
    """--derive's language is unchanged: comparisons and where are not in it."""
    with pytest.raises(UsageError, match="unexpected character '<'"):
        parse("a < 1", ("a",), FUNCTIONS)
    with pytest.raises(UsageError, match="unknown name 'where'"):
        parse("where(1, 2, 3)", ("a",), FUNCTIONS)


def _random_positive(rng, depth):
    """Text of a random expression in x, a, b, positive for positive x, a, b, using
    the new functions among the old."""
    if depth == 0 or rng.random() < 0.15:
        return str(rng.choice(["x", "a", "b", f"{rng.uniform(0.5, 2):.3f}"]))
    left, right = _random_positive(rng, depth - 1), _random_positive(rng, depth - 1)
    return [f"({left} + {right})", f"({left} * {right})", f"pnorm({left} - 1)", f"min({left}, {right})",
            f"max({left}, {right})", f"(abs({left} - 1.3) + 0.5)", f"where({left} < {right}, {left}, {right}^2)",
            f"exp(-({left})/4)"][rng.integers(8)]


@pytest.mark.parametrize("seed", range(30))
def test_symbolic_derivatives_equal_numeric_ones_away_from_kinks(seed):
    rng = np.random.default_rng(100 + seed)
    text = f"log(({_random_positive(rng, 3)}) * a + b) - a*b*x"
    tree, grad, hess, theta, value = derivatives(text, rng, n=7)
    for i, n in enumerate(NAMES):
        h = 1e-6 * theta[n]
        up, down = dict(theta, **{n: theta[n] + h}), dict(theta, **{n: theta[n] - h})
        smooth = np.isclose(value(tree, up) - value(tree, theta), value(tree, theta) - value(tree, down),
                            rtol=1e-3, atol=1e-9)  # no kink between the three points
        assert smooth.sum() >= 5, text
        numeric = (value(tree, up) - value(tree, down)) / (2 * h)
        assert np.allclose(value(grad[i], theta)[smooth], numeric[smooth], rtol=1e-5, atol=1e-6), text
        for j in range(2):
            numeric2 = (value(grad[j], up) - value(grad[j], down)) / (2 * h)
            ok = smooth & np.isclose(value(grad[j], up) - value(grad[j], theta),
                                     value(grad[j], theta) - value(grad[j], down), rtol=1e-2, atol=1e-7)
            assert np.allclose(value(hess[j][i], theta)[ok], numeric2[ok], rtol=1e-4, atol=1e-5), text


SKEW_NORMAL = "log(2) - log(w) - 0.5*log(2*pi) - ((x - m)/w)^2/2 + log(pnorm(al*(x - m)/w))"


def test_a_skew_normal_written_with_pnorm_reaches_the_direct_maximum():
    x = st.skewnorm(4.0, loc=10.0, scale=3.0).rvs(400, random_state=np.random.default_rng(7))
    fam = own_model.model(logpdf=SKEW_NORMAL, params="m=9, w>0=2, al=1")
    r = own_model.fit(x, fam)
    assert r.converged

    def nll(t):
        return -st.skewnorm(t[2], loc=t[0], scale=math.exp(t[1])).logpdf(x).sum()

    best = min((scipy.optimize.minimize(nll, s, method="Nelder-Mead",
                                        options=dict(xatol=1e-10, fatol=1e-12, maxiter=20000))
                for s in ([9.0, math.log(2.0), 1.0], [10.0, math.log(3.0), 4.0])), key=lambda o: o.fun)
    assert r.loglik >= -best.fun - 1e-9
    assert r.loglik == pytest.approx(-best.fun, rel=1e-9)
    got = [r.estimates["m"], r.estimates["w"], r.estimates["al"]]
    assert got == pytest.approx([best.x[0], math.exp(best.x[1]), best.x[2]], rel=1e-4)
    assert r.loglik >= st.skewnorm(*st.skewnorm.fit(x)).logpdf(x).sum() - 1e-9  # never worse than scipy's fit


def test_a_normal_written_piecewise_with_where_is_the_normal():
    """where() on the data: the same normal density on both sides of mu gives the normal MLE."""
    x = np.random.default_rng(3).normal(5.0, 2.0, 300)
    half = "-0.5*log(2*pi) - log(s) - (x - mu)^2/(2*s^2)"
    r = own_model.fit(x, own_model.model(logpdf=f"where(x < mu, {half}, {half})", params="mu=1, s>0=1"))
    assert r.estimates["mu"] == pytest.approx(x.mean(), rel=1e-10)
    assert r.estimates["s"] == pytest.approx(x.std(), rel=1e-10)


def test_the_support_of_a_density_is_taken_from_where_its_expression_is_defined():
    """The issue's first command has no --support: log(x/lam) is undefined below 0, so the
    model lives on x > 0 (said in the method); log(1 - x) as well: 0 < x < 1."""
    from mlefit.errors import DataError
    x = st.weibull_min(1.7, scale=40.0).rvs(200, random_state=np.random.default_rng(1))
    weibull = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
    inferred = own_model.fit(x, own_model.model(logpdf=weibull, params="k>0=1, lam>0=50"))
    given = own_model.fit(x, own_model.model(logpdf=weibull, params="k>0=1, lam>0=50", support="x>0"))
    assert inferred.loglik == given.loglik and inferred.estimates == given.estimates
    assert "on x > 0 (where the expression is defined" in " ".join(inferred.notes)
    beta = "lgamma(a+b) - lgamma(a) - lgamma(b) + (a-1)*log(x) + (b-1)*log(1-x)"
    u = np.random.default_rng(2).beta(2.0, 5.0, 300)
    r = own_model.fit(u, own_model.model(logpdf=beta, params="a>0=2, b>0=2"))
    assert "on 0 < x < 1" in " ".join(r.notes)
    ref = st.beta.fit(u, floc=0, fscale=1)
    assert [r.estimates["a"], r.estimates["b"]] == pytest.approx(ref[:2], rel=1e-4)
    normal = own_model.model(logpdf="-0.5*log(2*pi) - log(s) - (x - m)^2/(2*s^2)", params="m=0, s>0=1")
    assert normal.spec.own_support.text == "the real line"  # defined everywhere: unchanged
    with pytest.raises(DataError, match=r"outside the support of the model \(x > 0"):
        own_model.fit(np.r_[x, -1.0], own_model.model(logpdf=weibull, params="k>0=1, lam>0=50"))
