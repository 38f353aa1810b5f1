"""result.made: a frozen record made without its dataclass __init__ (a sixth of a small
fit's time) equals the one __init__ makes, and refuses what __init__ refuses."""
import dataclasses

import numpy as np
import pytest

import mlefit
from mlefit.families.base import Solution
from mlefit.inference.fitted import Fitted
from mlefit.report.result import FitResult, ParameterEstimate, made


def test_made_equals_init_for_every_record_fit_makes():
    r = mlefit.fit(np.random.default_rng(1).normal(10.0, 3.0, 200), "normal")
    values = {f.name: getattr(r, f.name) for f in dataclasses.fields(FitResult)}
    assert made(FitResult, **values) == FitResult(**values)
    p = r.parameters[0]
    assert made(ParameterEstimate, name=p.name, estimate=p.estimate, se=p.se, ci_lower=p.ci_lower,
                ci_upper=p.ci_upper, interval=p.interval) == ParameterEstimate(
        p.name, p.estimate, p.se, p.ci_lower, p.ci_upper, p.interval)
    f = made(Fitted, family=r.fitted.family, x=r.fitted.x, w=None, stats=r.fitted.stats, theta=r.fitted.theta,
             loglik=r.loglik, confidence=0.95)
    assert f.fixed == {} and f.fixed is not made(Fitted, **{k: getattr(f, k) for k in (
        "family", "x", "w", "stats", "theta", "loglik", "confidence")}).fixed  # a new dict each time
    assert made(Solution, theta=(1.0,), method="closed form") == Solution((1.0,), "closed form")


def test_made_records_stay_frozen_and_refuse_unknown_or_missing_fields():
    c = made(Solution, theta=(1.0,), method="closed form")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.iterations = 6
    with pytest.raises(TypeError):
        made(Solution, thetas=(1.0,), method="closed form")
    with pytest.raises(TypeError):
        made(ParameterEstimate, name="a", estimate=1.0)


def test_a_record_with_a_post_init_is_made_by_its_init():
    """made() skips the generated __init__, so a record that gains a __post_init__ would
    skip it too: such a class is made by its __init__."""
    @dataclasses.dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self):
            if self.a < 0:
                raise ValueError("a < 0")

    assert made(Checked, a=1) == Checked(1)
    with pytest.raises(ValueError):
        made(Checked, a=-1)


def test_a_misspelt_field_standing_for_a_missing_one_is_refused():
    """As many names as fields, one misspelt and so one missing: __init__ refuses it, and so
    must made (a count of the fields passed it, making a record without that field)."""
    @dataclasses.dataclass(frozen=True)
    class Pair:
        a: int
        b: int

    with pytest.raises(TypeError):
        made(Pair, a=1, c=2)
    assert made(Pair, a=1, b=2) == Pair(1, 2)
