"""Reference values with provenance: published data with known closed-form answers,
and numerical edge cases whose exact answers are known."""
import math
from pathlib import Path

import numpy as np
import pytest

import mlefit

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def test_horsekicks_rate_and_se_exact():
    """Bortkiewicz (1898): 0,1,2,3,4 deaths in 109,65,22,3,1 of 200 corps-years."""
    col = mlefit.read_column(str(SAMPLE / "horsekicks.csv"), "deaths")
    assert np.bincount(col.values.astype(int)).tolist() == [109, 65, 22, 3, 1]
    r = mlefit.fit(col, "poisson")
    rate = r.parameters[0]
    assert rate.estimate == 0.61
    assert rate.se == pytest.approx(math.sqrt(0.61 / 200), rel=1e-14)
    # the loglik in closed form: sum(x) log(rate) - n rate - sum(log x!)
    expected = 122 * math.log(0.61) - 200 * 0.61 - (22 * math.log(2) + 3 * math.log(6) + math.log(24))
    assert r.loglik == pytest.approx(expected, rel=1e-14)
    assert r.aic == pytest.approx(2 - 2 * expected, rel=1e-14)
    assert r.bic == pytest.approx(math.log(200) - 2 * expected, rel=1e-14)
    assert r.bits_per_sample == pytest.approx(-expected / (200 * math.log(2)), rel=1e-14)


def test_michelson_normal_closed_form():
    """Michelson (1879), 100 speed-of-light runs (km/s - 299000): mean 852.4; the MLE sd
    (divisor n) is sqrt(sum((x - 852.4)^2)/100), computed here in exact integer arithmetic."""
    col = mlefit.read_column(str(SAMPLE / "michelson.csv"), "speed")
    r = mlefit.fit(col, "normal")
    ints = [int(v) for v in col.values]
    ss_times_100 = sum((100 * v - 85240) ** 2 for v in ints)  # sum((x - 852.4)^2) * 10^4
    sigma = math.sqrt(ss_times_100 / 1e4 / 100)
    assert r.estimates["mu"] == pytest.approx(852.4, rel=1e-15)
    assert r.estimates["sigma"] == pytest.approx(sigma, rel=1e-13)
    assert r.parameters[0].se == pytest.approx(sigma / 10, rel=1e-12)
    assert r.parameters[1].se == pytest.approx(sigma / math.sqrt(200), rel=1e-12)


def test_infert_bernoulli():
    col = mlefit.read_column(str(SAMPLE / "infert.csv"), "case")
    r = mlefit.fit(col, "bernoulli")
    assert r.estimates["p"] == 83 / 248
    assert r.parameters[0].se == pytest.approx(math.sqrt((83 / 248) * (165 / 248) / 248), rel=1e-12)


def test_large_mean_small_spread_fits_exactly():
    """A mean of 1e9 with a spread of 1e-3: the naive E[x^2] - E[x]^2 gives garbage."""
    rng = np.random.default_rng(7)
    dev = rng.normal(0, 1e-3, 10_000)
    x = 1e9 + dev
    r = mlefit.fit(x, "normal")
    d = x - 1e9  # exact in floating point for these magnitudes
    assert r.estimates["mu"] == pytest.approx(1e9 + d.mean(), rel=1e-16, abs=1e-7)
    assert r.estimates["sigma"] == pytest.approx(d.std(), rel=1e-9)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_intervals_stay_inside_parameter_space(confidence):
    """Tiny samples, where Wald intervals on the natural scale would go negative."""
    for name, x in [("exponential", [0.1, 5.0]), ("gamma", [0.01, 3.0]), ("poisson", [0, 0, 1]),
                    ("bernoulli", [0, 0, 0, 1]), ("normal", [1.0, 1.1]), ("weibull", [0.5, 9.0]),
                    ("beta", [0.01, 0.99]), ("geometric", [0, 0, 5])]:
        r = mlefit.fit(x, name, confidence=confidence)
        for p, dom in zip(r.parameters, [s.domain for s in mlefit.families.get(name).spec.params]):
            assert math.isfinite(p.ci_lower) and math.isfinite(p.ci_upper)
            assert p.ci_lower <= p.estimate <= p.ci_upper
            if dom == "positive":
                assert p.ci_lower > 0
            if dom == "unit":
                assert 0 < p.ci_lower and p.ci_upper < 1


def test_poisson_all_zero_exact_interval():
    r = mlefit.fit([0] * 10, "poisson")
    p = r.parameters[0]
    assert p.estimate == 0 and p.se is None and p.ci_lower == 0
    assert p.ci_upper == pytest.approx(-math.log(0.025) / 10)
    assert r.loglik == 0.0


def test_single_label_categorical():
    r = mlefit.fit(["a", "a", "a"], "categorical")
    assert r.estimates == {"p[a]": 1.0} and r.n_parameters == 0 and r.loglik == 0.0
    assert r.parameters[0].note


def test_missing_values_in_python_input_are_reported():
    r = mlefit.fit([1.0, None, 2.0, float("nan"), 3.0], "normal")
    assert r.n == 3 and r.rows_read == 5 and r.n_dropped == 2
    assert r.dropped[0].first == ("index 1", "index 3")
