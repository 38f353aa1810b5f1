"""Locations far from 0 (issue 19): every stopping rule for a location is relative to
the data's spread, never to |location| (at 1e13 a relative 1e-12 is 10 units), so a fit
at 1e9 + noise, 1e12 + noise or 1e13 + noise equals the fit of the centred values
shifted back, to the rounding of the location itself (an ulp: 1.2e-7 at 1e9, 2e-3 at
1e13). x - offset is exact here (Sterbenz), so the centred fit sees the same data."""
import math

import numpy as np
import pytest

import mlefit
from mlefit.report import plots

OFFSETS = (1e9, 1e12, 1e13)
NOISE = np.random.default_rng(0).normal(0.0, 10.0, 1000)


def close(far, centred, offset, ulps=3.0):
    """far - offset equals the centred value to a few ulp of the offset."""
    return abs((far - offset) - centred) <= ulps * math.ulp(offset)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("sd", [10.0, 1.0])
def test_huber_location_far_from_zero(offset, sd):
    x = offset + NOISE * (sd / 10.0)
    far, centred = mlefit.fit(x, "huber:1.345"), mlefit.fit(x - offset, "huber:1.345")
    mu = far.estimates["mu"]
    assert far.converged and close(mu, centred.estimates["mu"], offset)
    # the score at the estimate is zero to rounding (it was +926 at 1e13: 10 units off)
    assert abs(np.clip(x - mu, -1.345, 1.345).sum()) <= x.size * math.ulp(offset)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("family", ["normal", "cauchy", "logistic"])
def test_fixed_scale_leaves_the_location_at_its_conditional_mle(offset, family):
    x = offset + NOISE
    fix = {"s" if family == "logistic" else "sigma": 2.0}
    far, centred = mlefit.fit(x, family, fix=fix), mlefit.fit(x - offset, family, fix=fix)
    assert far.converged and close(far.estimates["mu"], centred.estimates["mu"], offset)
    assert far.parameters[0].se == pytest.approx(centred.parameters[0].se, rel=1e-4)  # at mu rounded


@pytest.mark.parametrize("offset", [1e12, 1e13])
def test_fixed_df_leaves_student_t_location_and_scale_at_their_conditional_mle(offset):
    """Two free parameters (BFGS): its finite differences must move a far location."""
    x = offset + NOISE
    far, centred = mlefit.fit(x, "student_t", fix={"df": 5.0}), mlefit.fit(x - offset, "student_t", fix={"df": 5.0})
    assert far.converged and close(far.estimates["mu"], centred.estimates["mu"], offset)
    assert far.estimates["sigma"] == pytest.approx(centred.estimates["sigma"], rel=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("family", ["normal", "cauchy", "logistic", "student_t"])
def test_profile_intervals_of_a_far_location(offset, family):
    x = offset + NOISE
    far = mlefit.fit(x, family, interval="profile", derive=("median",))
    centred = mlefit.fit(x - offset, family, interval="profile", derive=("median",))
    p, q = far.parameters[0], centred.parameters[0]
    assert q.ci_upper - q.ci_lower > 1.0  # about 2 x 1.96 x 0.3
    assert close(p.ci_lower, q.ci_lower, offset) and close(p.ci_upper, q.ci_upper, offset)
    assert close(far.derived[0].ci_lower, centred.derived[0].ci_lower, offset)
    assert close(far.derived[0].ci_upper, centred.derived[0].ci_upper, offset)
    s, t = far.parameters[1], centred.parameters[1]  # the scale: mu the nuisance
    assert s.ci_lower == pytest.approx(t.ci_lower, rel=1e-6) and s.ci_upper == pytest.approx(t.ci_upper, rel=1e-6)


@pytest.mark.parametrize("offset", [1e9, 1e13])
def test_likelihood_plot_reach_of_a_far_location(offset):
    x = offset + NOISE
    far, centred = mlefit.fit(x, "cauchy").fitted, mlefit.fit(x - offset, "cauchy").fitted
    (lo, hi), _ = plots._reach(far, 0, 3.841458820694124)
    (lo0, hi0), _ = plots._reach(centred, 0, 3.841458820694124)
    assert close(lo, lo0, offset) and close(hi, hi0, offset)


@pytest.mark.parametrize("offset", [1e9, 1e13])
def test_compare_losses_minimiser_of_a_far_location(offset):
    """compare-losses' own minimiser of the Huber loss (Brent) and its check that the
    family MLE is the same point: both relative to the data's spread."""
    from mlefit import compare
    x = offset + NOISE
    (row,) = compare.without_prediction(x, ["huber:1.345"], folds=2)
    centred = mlefit.fit(x - offset, "huber:1.345").estimates["mu"]
    assert row["equal"] and close(row["minimiser"], centred, offset)
    assert not compare._same_minimum(compare.catalog.resolve("mse")[0], None, x, offset, offset + 1.0)


@pytest.mark.parametrize("offset", [1e9, 1e13])
def test_delta_method_se_of_quantities_of_a_far_location(offset):
    """The delta method's finite differences step by a thousandth of each parameter's
    SE, not of its size (a step of 1e-3 |mu| = 1e6 at 1e9 left the cdf's SE 2.7 times too
    small), and by more where the quantity's own rounding would swamp the difference."""
    x = offset + NOISE
    asked = lambda c: ("cdf:%r" % (c + 5.0), "sf:%r" % (c + 20.0), "quantile:0.9", "mean")  # noqa: E731
    far, centred = mlefit.fit(x, "normal", derive=asked(offset)), mlefit.fit(x - offset, "normal", derive=asked(0.0))
    for a, b in zip(far.derived, centred.derived):
        # at 1e13 mu itself is rounded by up to 1e-3 (3e-3 SE), and a quantile by its ulp
        assert a.se == pytest.approx(b.se, rel=1e-3 if offset > 1e12 else 1e-6)
