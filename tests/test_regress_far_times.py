"""AFT regressions (weibull, log_logistic, exponential, with and without censoring) whose
times lie beyond 1e+-100: the same model as the times near 1 (regression.aft_scale divides
them by a power of two and shifts every linear predictor), so the slopes, the shape and the
standard errors equal the fit of the times near 1, the intercept moves by log(scale) and
the log-likelihood by -log(scale) per exactly observed row. They ended in 'did not
converge' (the derivatives in the scale leave floating point beyond 1e+-154)."""
import math

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

FAMILIES = ["weibull", "log_logistic", "exponential"]
SCALES = [1e120, 1e200, 1e300, 1e-200, 1e-300]


def _rows(seed=2, n=300):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    times = rng.weibull(1.7, n) * np.exp(0.5 * x)
    event = (rng.uniform(size=n) < 0.7).astype(float)
    return x, times, event


def _fit(family, scale, censored):
    x, times, event = _rows()
    censoring = {"event": "e"} if censored else None
    return mlefit.regress({"y": times * scale, "x": x, "e": event}, "y", ["x"], dist=family, censoring=censoring)


@pytest.mark.parametrize("censored", [False, True])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("family", FAMILIES)
def test_far_times_fit_the_same_model(family, scale, censored):
    near, far = _fit(family, 1.0, censored), _fit(family, scale, censored)
    assert far.converged
    (b0, b1), (f0, f1) = ([c.estimate for c in r.coefficients] for r in (near, far))
    assert f1 == pytest.approx(b1, rel=1e-9)
    assert f0 == pytest.approx(b0 + math.log(scale), abs=1e-9 * abs(math.log(scale)))
    for a, b in zip(near.coefficients, far.coefficients):
        assert b.se == pytest.approx(a.se, rel=1e-7)
    for a, b in zip(near.parameters, far.parameters):
        assert b.estimate == pytest.approx(a.estimate, rel=1e-9)
    exact = far.censoring["exact"]
    assert exact == (300 if not censored else int(_rows()[2].sum()))
    assert far.loglik == pytest.approx(near.loglik - exact * math.log(scale), rel=1e-12)
    assert far.loglik_null == pytest.approx(near.loglik_null - exact * math.log(scale), rel=1e-12)


def test_far_times_profile_interval_moves_with_the_intercept():
    """The profile engine works on the divided times' objective: its intervals are the
    near fit's, the intercept's moved by log(scale)."""
    x, times, event = _rows()
    scale = 1e250
    near, far = (mlefit.regress({"y": times * s, "x": x, "e": event}, "y", ["x"], dist="weibull",
                                censoring={"event": "e"}, interval="profile") for s in (1.0, scale))
    (n0, n1), (f0, f1) = ([(c.ci_lower, c.ci_upper) for c in r.coefficients] for r in (near, far))
    assert far.coefficients[0].interval == "profile likelihood"
    assert f1 == pytest.approx(n1, rel=1e-6)
    assert np.asarray(f0) - math.log(scale) == pytest.approx(np.asarray(n0), abs=1e-6)


def test_far_times_on_the_command_line(tmp_path):
    x, times, event = _rows()
    path = tmp_path / "far.csv"
    path.write_text("y,x,e\n" + "".join(f"{t * 1e150!r},{v!r},{e:g}\n" for t, v, e in zip(times.tolist(), x.tolist(), event)))
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "y", "-x", "x", "--event", "e", "-d", "weibull", "--json"])
    assert out.exit_code == 0, out.output
    import json
    result = json.loads(out.stdout)
    assert result["converged"] is True
    assert result["coefficients"][0]["estimate"] == pytest.approx(
        _fit("weibull", 1.0, True).coefficients[0].estimate + math.log(1e150), rel=1e-12)


@pytest.mark.parametrize("scale, way", [(1e200, "divide"), (1e-200, "multiply")])
def test_a_far_censored_response_of_a_family_not_on_the_time_scale_is_refused(scale, way):
    """The Tobit (normal, censored) is a model of y itself, not of log y: beyond 1e+-100
    it is refused as the uncensored normal is (it said that 196 rows 'cannot occur under
    normal', or that the covariates give the response exactly)."""
    x, times, _ = _rows()
    y = 1.0 + 2.0 * x + np.random.default_rng(3).normal(size=x.size)
    with pytest.raises(mlefit.errors.DataError) as info:
        mlefit.regress({"y": y * scale, "x": x}, "y", ["x"], dist="normal", censoring={"lower_limit": 0.0})
    at = int(np.argmax(np.maximum(y, 0.0)))  # (a response at or below 0 is censored there: its bound is 0)
    assert str(info.value) == (f"the largest absolute value of the response 'y' is {y[at] * scale:.3g} "
                               f"(index {at}): beyond 1e+-100 the normal regression's sums leave the range of "
                               f"floating point; rescale it ({way} it by a power of ten)")

