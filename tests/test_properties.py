"""Properties that must hold for every data set, checked on many random ones."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlefit
from mlefit import families
from mlefit.errors import DataError

from cases import NUMERIC, sample

PROPS = settings(max_examples=30, deadline=None)


def _fit_or_none(x, name):
    try:
        return mlefit.fit(x, name)
    except DataError:  # e.g. an underdispersed negative binomial draw: a clear refusal
        return None


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(10, 300), name=st.sampled_from(NUMERIC))
def test_fitted_nll_never_above_nll_at_true_parameters(seed, n, name):
    x, theta = sample(name, n=n, seed=seed)
    r = _fit_or_none(x, name)
    if r is None:
        return
    fam = families.get(name)
    at_truth = fam.loglik(fam.stats(x, None), theta)
    assert r.loglik >= at_truth - 1e-9 * abs(at_truth)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(NUMERIC))
def test_row_order_changes_nothing(seed, name):
    x, _ = sample(name, n=101, seed=seed)
    r1 = _fit_or_none(x, name)
    if r1 is None:
        return
    r2 = mlefit.fit(np.random.default_rng(seed).permutation(x), name)
    for p, q in zip(r1.parameters, r2.parameters):
        assert q.estimate == pytest.approx(p.estimate, rel=1e-9, abs=1e-12)
        assert (q.se is None) == (p.se is None) and q.interval == p.interval
        if p.se is not None:  # exact intervals (uniform, pareto) have none
            assert q.se == pytest.approx(p.se, rel=1e-7)
        if p.ci_lower is not None:
            assert q.ci_lower == pytest.approx(p.ci_lower, rel=1e-7, abs=1e-12)
    assert r2.loglik == pytest.approx(r1.loglik, rel=1e-10)


SCALING = {  # family -> how the parameters move when the data are multiplied by c
    "normal": lambda th, c: (th[0] * c, th[1] * c),
    "laplace": lambda th, c: (th[0] * c, th[1] * c),
    "exponential": lambda th, c: (th[0] / c,),
    "gamma": lambda th, c: (th[0], th[1] / c),
    "lognormal": lambda th, c: (th[0] + math.log(c), th[1]),
    "weibull": lambda th, c: (th[0], th[1] * c),
}


@PROPS
@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(SCALING)),
       c=st.floats(1e-6, 1e6))
def test_rescaling_data_rescales_scale_parameters(seed, name, c):
    x, _ = sample(name, n=80, seed=seed)
    r1, r2 = mlefit.fit(x, name), mlefit.fit(x * c, name)
    expected = SCALING[name](tuple(p.estimate for p in r1.parameters), c)
    for got, want in zip((p.estimate for p in r2.parameters), expected):
        assert got == pytest.approx(want, rel=1e-8, abs=1e-10)
    # a density in the new unit is the old one divided by c at each point
    assert r2.loglik == pytest.approx(r1.loglik - x.size * math.log(c), rel=1e-9, abs=1e-8)


@PROPS
@given(st.lists(st.integers(0, 40), min_size=2, max_size=60))
def test_count_families_accept_any_counts(counts):
    for name in ("poisson", "geometric"):
        r = mlefit.fit(counts, name)
        assert all(math.isfinite(p.estimate) for p in r.parameters)
        assert r.parameters[0].ci_lower is not None
