"""A user's own model (issue 22, point 1): --logpdf / --logpmf expressions fitted with
exact symbolic derivatives. Checked against the built-in families (the same model
written as an expression), a direct scipy.optimize fit, and numerical derivatives."""
import json
import math
import re

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.own import model as own_model
from mlefit.inference import symbolic
from mlefit.cli import cli
from mlefit.errors import DataError, UsageError
from mlefit.inference.expression import MODEL_FUNCTIONS, parse
from symbolic_check import NAMES, derivatives

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
ZTP = "x*log(m) - m - lgamma(x+1) - log(1 - exp(-m))"
NORMAL = "-0.5*log(2*pi) - log(s) - (x - mu)^2/(2*s^2)"
GEOMETRIC = "log(p) + x*log(1 - p)"


def weibull_data(n=300, seed=3):
    return st.weibull_min(1.7, scale=40.0).rvs(n, random_state=np.random.default_rng(seed))


def ztp_data(n=400, seed=5):
    y = st.poisson(1.3).rvs(4 * n, random_state=np.random.default_rng(seed))
    return y[y > 0][:n].astype(float)


def weibull_model():
    return own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=50", support="x>0")


def close(a, b, rel):
    assert abs(a - b) <= rel * max(1.0, abs(b)), (a, b)


# ---------------------------------------------------------------- the same model as a built-in family
def test_weibull_expression_reproduces_the_weibull_family():
    x = weibull_data()
    own = own_model.fit(x, weibull_model())
    ref = mlefit.fit(x, "weibull")
    for p, q in zip(own.parameters, ref.parameters):
        close(p.estimate, q.estimate, 1e-8)
        close(p.se, q.se, 1e-7)
        close(p.ci_lower, q.ci_lower, 1e-7)
    close(own.loglik, ref.loglik, 1e-10)
    assert (own.aic, own.bic, own.n_parameters) == pytest.approx((ref.aic, ref.bic, 2), rel=1e-12)
    assert [p.interval for p in own.parameters] == ["wald, log scale"] * 2


AS_EXPRESSIONS = {  # family -> (expression, --params, --support, a mass?)
    "normal": (NORMAL, "mu=0, s>0=1", None, False),
    "gamma": ("shape*log(rate) - lgamma(shape) + (shape-1)*log(x) - rate*x", "shape>0=1, rate>0=1", "x>0", False),
    "weibull": (WEIBULL, "k>0=1, lam>0=1", "x>0", False),
    "poisson": ("x*log(rate) - rate - lgamma(x+1)", "rate>0=1", None, True),
    "negative_binomial": ("lgamma(x+size) - lgamma(size) - lgamma(x+1) + size*log(size/(size+mu)) "
                          "+ x*log(mu/(size+mu))", "size>0=1, mu>0=1", None, True),
}


@pytest.mark.parametrize("name", sorted(AS_EXPRESSIONS))
def test_families_written_as_expressions_give_the_built_in_fits(name):
    from cases import sample
    x, _ = sample(name, 500, 4)
    text, params, support, mass = AS_EXPRESSIONS[name]
    fam = own_model.model(**({"logpmf": text} if mass else {"logpdf": text}), params=params, support=support)
    own, ref = own_model.fit(x, fam), mlefit.fit(x, name)
    for p, q in zip(own.parameters, ref.parameters):
        close(p.estimate, q.estimate, 1e-9)
        close(p.se, q.se, 1e-9)
    close(own.loglik, ref.loglik, 1e-10)


def test_a_probability_parameter_is_fitted_on_the_logit_scale_like_geometric():
    x = st.geom(0.3, loc=-1).rvs(300, random_state=np.random.default_rng(2)).astype(float)
    own = own_model.fit(x, own_model.model(logpmf=GEOMETRIC, params="p:(0,1)=0.5"))
    ref = mlefit.fit(x, "geometric")
    close(own.parameters[0].estimate, ref.parameters[0].estimate, 1e-9)
    close(own.parameters[0].se, ref.parameters[0].se, 1e-8)
    close(own.loglik, ref.loglik, 1e-10)
    assert own.parameters[0].interval == "wald, logit scale"


def test_zero_truncated_poisson_equals_a_direct_scipy_fit():
    y = ztp_data()
    own = own_model.fit(y, own_model.model(logpmf=ZTP, params="m>0=1", support="x>=1, integer"))

    def nll(m):
        return -np.sum(st.poisson(m).logpmf(y) - np.log(-np.expm1(-m)))

    ref = scipy.optimize.minimize_scalar(nll, bounds=(0.01, 10), method="bounded",
                                         options={"xatol": 1e-12})
    close(own.parameters[0].estimate, ref.x, 1e-7)
    close(own.loglik, -ref.fun, 1e-10)
    # the MLE of the zero-truncated Poisson matches the sample mean: m / (1 - e^-m) = mean(y)
    m = own.parameters[0].estimate
    close(m / -math.expm1(-m), float(np.mean(y)), 1e-10)


def test_weights_are_repeated_rows_and_fix_holds_a_parameter():
    x = weibull_data(60)
    w = np.arange(60) % 3 + 1.0
    weighted = own_model.fit(x, weibull_model(), weights=w)
    repeated = own_model.fit(np.repeat(x, w.astype(int)), weibull_model())
    for p, q in zip(weighted.parameters, repeated.parameters):
        close(p.estimate, q.estimate, 1e-9)
    fixed = own_model.fit(x, weibull_model(), fix={"k": 2.0})
    ref = mlefit.fit(x, "weibull", fix={"shape": 2.0})
    assert fixed.parameters[0].interval == "fixed"
    close(fixed.parameters[1].estimate, ref.parameters[1].estimate, 1e-8)
    close(fixed.loglik, ref.loglik, 1e-10)


def test_robust_standard_errors_equal_the_weibull_familys():
    x = weibull_data()
    own = own_model.fit(x, weibull_model(), robust=True)
    ref = mlefit.fit(x, "weibull", robust=True)
    for p, q in zip(own.parameters, ref.parameters):
        close(p.se_robust, q.se_robust, 1e-7)


def test_profile_interval_and_derived_expression():
    y = ztp_data()
    r = own_model.fit(y, own_model.model(logpmf=ZTP, params="m>0=1", support="x>=1, integer"),
                      interval="profile", derive=("m/(1-exp(-m))",))
    assert r.parameters[0].interval == "profile likelihood"
    assert r.parameters[0].ci_lower < r.parameters[0].estimate < r.parameters[0].ci_upper
    close(r.derived[0].estimate, float(np.mean(y)), 1e-9)


def test_nonparametric_bootstrap_and_named_quantities_refused():
    x = weibull_data(50)
    r = own_model.fit(x, weibull_model(), interval="bootstrap", resample="nonparametric", bootstrap=20)
    assert r.parameters[0].ci_lower < r.parameters[0].ci_upper
    with pytest.raises(UsageError, match="does not integrate the mean of your own logpdf model"):
        own_model.fit(x, weibull_model(), derive=("mean",))


# ---------------------------------------------------------------- exact derivatives
def _random_positive(rng, depth):
    """Text of a random expression that is positive for positive x, a, b."""
    if depth == 0 or rng.random() < 0.15:
        return str(rng.choice(["x", "a", "b", "a", "b", f"{rng.uniform(0.5, 2):.3f}"]))
    left, right = _random_positive(rng, depth - 1), _random_positive(rng, depth - 1)
    form = rng.integers(7)
    return [f"({left} + {right})", f"({left} * {right})", f"({left} / {right})",
            f"({left})^{rng.uniform(-1.5, 2.5):.2f}", f"exp(-({left})/4)", f"({left})^(b/2)",
            f"(1 + erf({left}))"][form]


def _random_expression(rng):
    p = f"(({_random_positive(rng, 3)}) * a + b)"  # both parameters inside the outer function
    outer = ["log({})", "lgamma({})", "sqrt({})", "digamma({})", "log1p({})", "expm1(-{})", "erfc({})",
             "{}"][rng.integers(8)]
    return f"{outer.format(p)} - a*b*x"  # every parameter appears


@pytest.mark.parametrize("seed", range(40))
def test_symbolic_gradient_and_hessian_equal_numeric_derivatives(seed):
    rng = np.random.default_rng(seed)
    text = _random_expression(rng)
    tree, grad, hess, theta, value = derivatives(text, rng)
    for i, n in enumerate(NAMES):
        h = 1e-5 * theta[n]
        up, down = dict(theta, **{n: theta[n] + h}), dict(theta, **{n: theta[n] - h})
        numeric = (value(tree, up) - value(tree, down)) / (2 * h)
        assert np.allclose(value(grad[i], theta), numeric, rtol=1e-6, atol=1e-6), text
        for j in range(2):
            numeric2 = (value(grad[j], up) - value(grad[j], down)) / (2 * h)
            assert np.allclose(value(hess[j][i], theta), numeric2, rtol=1e-6, atol=1e-6), text
    # the Hessian trees are symmetric in value
    assert np.allclose(value(hess[0][1], theta), value(hess[1][0], theta), rtol=1e-12, atol=1e-12)


def test_simplification_folds_constants_and_drops_zeros():
    tree = parse("3*a + 2^3 + x", ("x", "a"), MODEL_FUNCTIONS).tree
    assert symbolic.derivative(tree, "a") == ("num", 3.0)
    assert symbolic.derivative(tree, "b") == ("num", 0.0)
    assert symbolic.derivative(parse("a^2", ("a",), MODEL_FUNCTIONS).tree, "a") == \
        ("mul", ("num", 2.0), ("name", "a"))


# ---------------------------------------------------------------- checks before the fit
def test_a_density_that_does_not_integrate_to_one_is_refused():
    with pytest.raises(UsageError, match=r"integrates to 0\.5, not 1"):
        own_model.fit(weibull_data(), own_model.model(logpdf=WEIBULL + " - log(2)", params="k>0=1, lam>0=50",
                                                      support="x>0"))


def test_a_mass_that_does_not_sum_to_one_is_refused():
    with pytest.raises(UsageError, match="mass sums to"):
        own_model.fit(ztp_data(), own_model.model(logpmf="x*log(m) - m - lgamma(x+1)", params="m>0=1",
                                                  support="x>=1, integer"))


def test_data_outside_the_support_name_the_rows():
    with pytest.raises(DataError, match=r"2 values outside the support of the model \(x>=1, integer\): "
                                        r"index 1: 0, index 3: 2\.5"):
        own_model.fit([1, 0, 2, 2.5], own_model.model(logpmf=ZTP, params="m>0=1", support="x>=1, integer"))


@pytest.mark.parametrize("kwargs,message", [
    (dict(logpdf="log(k) + foo", params="k>0=1"), "unknown name 'foo' at position 10"),
    (dict(logpdf="log(k) + x.__class__", params="k>0=1"), "attribute access ('.__class__')"),
    (dict(logpdf="log(k", params="k>0=1"), "unbalanced '('"),
    (dict(logpdf="log(k)", params="k>0"), "the parameter 'k' has no start value"),
    (dict(logpdf="log(k) - k*x", params="k>0=1, z=0"), "the parameter z of --params does not appear"),
    (dict(logpdf="log(k) - k*x", params="k>1=2"), "only 'k>0' is a bound"),
    (dict(logpdf="log(k) - k*x", params="k:(0,2)=1"), "only the interval 'k:(0,1)'"),
    (dict(logpdf="log(k) - k*x", params="k>0=-1"), "must be above 0"),
    (dict(logpdf="log(k) - k*x", params="x=1"), "'x' cannot name a parameter"),
    (dict(logpdf="log(k) - k*x", params="k>0=1", support="x>0, integer"), "'integer' goes with --logpmf"),
    (dict(logpmf="log(k) - k*x", params="k>0=1", support="x>0"), "add 'integer'"),
    (dict(logpdf="-(" * 400 + "k" + ")" * 400, params="k>0=1"), "too long"),
])
def test_bad_models_are_one_line_usage_errors(kwargs, message):
    with pytest.raises(UsageError) as info:
        own_model.model(**kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


# ---------------------------------------------------------------- the command line
def test_cli_json_is_the_library_result(tmp_path):
    x = weibull_data(80)
    path = tmp_path / "serving.csv"
    path.write_text("serving\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    out = CliRunner().invoke(cli, ["fit", str(path), "-c", "serving", "--logpdf", WEIBULL,
                                   "--params", "k>0=1, lam>0=50", "--support", "x>0", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    ref = own_model.fit(x, weibull_model())
    assert d["family"] == "logpdf"
    assert [p["estimate"] for p in d["parameters"]] == pytest.approx([p.estimate for p in ref.parameters],
                                                                      rel=1e-12)
    assert d["loglik"] == pytest.approx(ref.loglik, rel=1e-13)


@pytest.mark.parametrize("args,message", [
    (["--params", "k>0=1"], "--params, --support and --normalize describe your own model"),
    (["--logpdf", "log(k)-k*x", "--params", "k>0=1", "-d", "normal"], "not with --dist or --loss"),
    (["--logpdf", "log(k)-k*x", "--params", "k>0=1", "--families", "normal"], "--families cannot be used with --logpdf"),
])
def test_cli_refuses_options_that_do_not_go_with_an_own_model(args, message, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,g\n1,a\n2,b\n")
    out = CliRunner().invoke(cli, ["fit", str(path), "-c", "x"] + args)
    assert out.exit_code == 2 and message in out.stderr


@pytest.mark.parametrize("text,params,message", [
    ("log(k) - k*x + log(x - 1)", "k>0=1", "it is not a number at x = 0.011"),  # NaN on (0, 1)
    ("log(k) - k*x + x^(10^400)", "k>0=1", "the log-density is +inf at 3 values"),  # a huge power
])
def test_a_density_that_is_nan_or_infinite_on_the_support_is_refused(text, params, message):
    with pytest.raises((UsageError, DataError), match=re.escape(message)):
        own_model.fit([1.5, 2.5, 1.7], own_model.model(logpdf=text, params=params, support="x>0"))


@pytest.mark.parametrize("text,message", [
    ("(" * 5000 + "x" + ")" * 5000, "the expression is too long (10001 symbols; at most 300)"),
    ("__import__('os').system('ls')", "unknown name '__import__' at position 1"),
])
def test_hostile_expressions_are_refused_before_anything_runs(text, message):
    with pytest.raises(UsageError) as info:
        own_model.model(logpdf=text, params="k>0=1")
    assert message in str(info.value)
