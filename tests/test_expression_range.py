"""The scale of a derived expression's interval (issue 19, point 9): decided over the
whole parameter space by interval arithmetic (mlefit.inference.expression_range), so one positive
quantity gets one interval however it is written; the range found always contains
every value the expression takes (checked on random expressions at random points)."""
import json
import math

import numpy as np
import pytest
from cases import sample
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.inference.expression import parse
from mlefit.inference.expression_range import scale, value_range

DOMAINS = {"shape": "positive", "rate": "positive", "mu": "real", "p": "unit"}


@pytest.mark.parametrize("text, expected", [
    ("shape/rate", "positive"), ("shape/rate^2", "positive"), ("1/rate", "positive"),
    ("log(2)/rate", "positive"), ("sqrt(shape)*pi", "positive"), ("exp(mu)", "positive"),
    ("p/(1-p)", "positive"), ("1/p - 1", "positive"), ("-log(p)", "positive"),
    ("mu^2 + rate", "positive"), ("rate^-0.5", "positive"), ("p^mu", "positive"),
    ("1 + shape", "positive"), ("p + p", "positive"),
    ("1 - p", "unit"), ("p*p", "unit"), ("exp(-rate)", "unit"), ("(1-p)^2", "unit"), ("p", "unit"),
    ("shape - 1", "real"), ("mu", "real"), ("mu^2", "real"), ("log(shape)", "real"),
    ("(shape-1)/rate", "real"), ("0*shape", "real"), ("sqrt(mu)", "real"), ("1/(shape-shape)", "real"),
    ("rate/(rate-2)", "real"), ("(-1)^0.5", "real"), ("1/3*3 - 1", "real"), ("-shape", "real"),
])
def test_the_scale_of_an_expression_over_the_parameter_space(text, expected):
    assert scale(parse(text, list(DOMAINS)).tree, DOMAINS) == expected


def test_a_fixed_parameter_is_its_value():
    tree = parse("shape - 1", list(DOMAINS)).tree
    assert scale(tree, DOMAINS, {"shape": 3.0}) == "positive"
    assert scale(tree, DOMAINS, {"shape": 0.5}) == "real"


def _random_expression(rng, depth):
    if depth == 0 or rng.random() < 0.25:
        pick = rng.integers(6)
        if pick < 4:
            return list(DOMAINS)[pick]
        return str(rng.choice([0, 1, 2, 0.5, 3, 1e-3, 1e3]))
    kind = rng.integers(8)
    a = _random_expression(rng, depth - 1)
    if kind < 3:
        return f"{['log', 'exp', 'sqrt'][kind]}({a})"
    if kind == 3:
        return f"-({a})"
    if kind == 4:
        return f"({a})^{rng.choice(['2', '3', '-1', '-2', '0.5', '(' + _random_expression(rng, 0) + ')'])}"
    b = _random_expression(rng, depth - 1)
    return f"({a}){'+-*/'[kind - 5 + (rng.random() < 0.3)]}({b})"


def _contains(r, value):
    """In the closed range, give or take the rounding of the float evaluation (exp(1e-27)
    is 1.0 in floats: at the open bound of exp(p^3)); strictness at a bound is what the
    table of scales above tests."""
    lo, _, hi, _, _ = r
    slack = 1e-9 * (1.0 + abs(value))
    return lo - slack <= value <= hi + slack


def test_the_range_contains_every_value_of_random_expressions():
    rng = np.random.default_rng(0)
    points = [{"shape": s, "rate": r, "mu": m, "p": p}
              for s, r, m, p in zip(np.exp(rng.normal(0, 3, 60)), np.exp(rng.normal(0, 3, 60)),
                                    rng.normal(0, 5, 60), rng.uniform(0, 1, 60))]
    points += [{"shape": 1.0, "rate": 2.0, "mu": 0.0, "p": 0.5}, {"shape": 1e-3, "rate": 1e3, "mu": -1.0, "p": 1e-9}]
    decided = 0
    for _ in range(400):
        expr = parse(_random_expression(rng, 4), list(DOMAINS))
        r = value_range(expr.tree, DOMAINS, {})
        decided += scale(expr.tree, DOMAINS) != "real"
        for point in points:
            value = expr(point)  # nan or inf where the floats overflow: nothing to check
            if math.isfinite(value):
                assert _contains(r, value) or not r[4], (expr.text, point, value, r)
    assert decided > 40  # the test says something about the positive and unit decisions


def _derived(args):
    result = CliRunner().invoke(cli, args + ["--json"])
    assert result.exit_code == 0, result.output
    return {d["name"]: d for d in json.loads(result.stdout)["derived"]}


def test_a_positive_quantity_gets_one_interval_however_it_is_written(tmp_path):
    x, _ = sample("gamma", 40, 1)
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    d = _derived(["fit", str(path), "-d", "gamma", "--derive", "mean,shape/rate,1/rate,shape - 1"])
    mean, ratio = d["mean"], d["shape/rate"]
    assert ratio["interval"] == mean["interval"] == "delta method, log scale"
    assert (ratio["ci_lower"], ratio["ci_upper"]) == pytest.approx((mean["ci_lower"], mean["ci_upper"]), rel=1e-7)
    assert d["1/rate"]["interval"] == "delta method, log scale" and d["1/rate"]["ci_lower"] > 0
    assert d["shape - 1"]["interval"] == "delta method"  # negative for shape < 1: the identity scale


def test_the_odds_of_a_probability_are_on_the_log_scale_and_its_complement_on_the_logit():
    f = mlefit.fit(np.r_[np.ones(3), np.zeros(17)], "bernoulli").fitted
    from mlefit.inference.derive import delta, quantity
    odds, complement = (delta(f, quantity(f, s)) for s in ("p/(1-p)", "1-p"))
    assert odds.interval == "delta method, log scale" and odds.ci_lower > 0
    assert complement.interval == "delta method, logit scale" and 0 < complement.ci_lower < complement.ci_upper < 1
