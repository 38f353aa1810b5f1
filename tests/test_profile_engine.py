"""One profile engine (issue 15, point 4): fit --interval profile, the likelihood plots'
reach, the MAP's profile and regress's profile intervals all run profile_engine, and
each gives the closed-form profile interval of a normal mean:
2 (l_hat - l_p(mu)) = n log(1 + (mu - xbar)^2 / s^2) reaches q at xbar +- s sqrt(e^(q/n) - 1)."""
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import mlefit
from mlefit.priors import profile as map_profile
from mlefit.report import plots
from mlefit.inference import profile, profile_engine

X = np.random.default_rng(1).normal(10.0, 3.0, 40)
Q = stats.chi2.ppf(0.95, 1)


def _closed_form():
    half = math.sqrt(X.var() * math.expm1(Q / X.size))
    return X.mean() - half, X.mean() + half


def test_every_profile_interval_of_a_normal_mean_is_the_closed_form():
    lo, hi = _closed_form()
    f = mlefit.fit(X, "normal").fitted
    got = {"fit": profile.profile_interval(f, 0)[:2], "plot": plots._reach(f, 0, Q)[0]}
    r = mlefit.regress({"y": X}, "y", [], dist="normal", interval="profile")
    got["regress"] = (r.coefficients[0].ci_lower, r.coefficients[0].ci_upper)
    flat = mlefit.fit(X, "normal", prior=["mu ~ normal(0, 1e9)", "sigma ~ uniform(0, 1e9)"], interval="profile")
    got["map"] = (flat.parameters[0].ci_lower, flat.parameters[0].ci_upper)  # flat priors: the likelihood's
    for what, (a, b) in got.items():
        assert a == pytest.approx(lo, rel=1e-9) and b == pytest.approx(hi, rel=1e-9), what


def test_one_engine_and_no_other():
    assert plots._Profile is profile_engine.Held
    assert map_profile.both_ends is profile_engine.both_ends
    here = Path(mlefit.__file__).parent
    assert not (here / "regression_profile.py").exists()


def test_search_side_finds_a_known_crossing_and_says_when_there_is_none():
    """excess(u) = u^2 - 4 crosses 0 at u = +-2; a flat excess never does (open)."""
    root, inside = profile_engine.search_side(lambda u: u * u - 4.0, 0.0, 1.0, [0.5, 1.0, 3.0], 1e-13)
    assert root == pytest.approx(2.0, abs=1e-12) and inside == 1.0
    root, inside = profile_engine.search_side(lambda u: u * u - 4.0, 0.0, -1.0, [0.5, 1.0, 3.0], 1e-13)
    assert root == pytest.approx(-2.0, abs=1e-12)
    assert profile_engine.search_side(lambda u: -1.0, 0.0, 1.0, [1.0, 2.0], 1e-12) == (None, 2.0)
    # a point where the profile cannot be computed (None) ends the search there, open
    assert profile_engine.search_side(lambda u: None if u > 1.5 else -1.0, 0.0, 1.0, [1.0, 2.0], 1e-12) == (None, 1.0)
