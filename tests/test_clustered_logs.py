"""Positive values tightly clustered far from 1 (1e9 + noise; issue 19): log x in double
precision is rounded by 2e-6 of the spread of the logs there, so weibull, lognormal and
log_logistic take the logs about a centre, log(c) + log1p((x - c)/c), and their reported
log-likelihood is exact (to ~1e-12, against mpmath at the reported parameters), as
gamma's and inverse_gaussian's already were. The reference sums run in mpmath at 40
digits on the doubles given."""
import math

import mpmath
import numpy as np
import pytest

import mlefit
from mlefit.io import stream
from mlefit.io.column import read_column


def exact_loglik(family, x, theta):
    with mpmath.workdps(40):
        p, q = (mpmath.mpf(float(t)) for t in theta)
        total = mpmath.mpf(0)
        for v in map(mpmath.mpf, x.tolist()):
            if family == "weibull":  # (shape k, scale lam)
                z = v / q
                total += mpmath.log(p / q) + (p - 1) * mpmath.log(z) - z ** p
            elif family == "lognormal":  # (mu, sigma)
                total += -mpmath.log(v * q * mpmath.sqrt(2 * mpmath.pi)) - (mpmath.log(v) - p) ** 2 / (2 * q * q)
            elif family == "log_logistic":  # (shape b, scale a)
                z = v / q
                total += mpmath.log(p / q) + (p - 1) * mpmath.log(z) - 2 * mpmath.log1p(z ** p)
            elif family == "gamma":  # (shape, rate)
                total += p * mpmath.log(q) + (p - 1) * mpmath.log(v) - q * v - mpmath.loggamma(p)
            elif family == "inverse_gaussian":  # (mu, lambda)
                total += (mpmath.log(q / (2 * mpmath.pi * v ** 3)) / 2 - q * (v - p) ** 2 / (2 * p * p * v))
        return float(total)


# (centre, sd): logs clustered to within 1e-9 .. 1e-6 of their spread about 20 .. 28
# (with sd_log below 1e-9, lognormal's mu, a double near 28, is rounded by more than
# 1e-6 of sigma: the log-likelihood at the reported mu then falls short of the maximum)
CLUSTERED = [(1e9, 1.0), (1e9, 1e3), (1e12, 1e3), (1e-9, 1e-15)]


@pytest.mark.parametrize("centre, sd", CLUSTERED)
@pytest.mark.parametrize("family", ["weibull", "lognormal", "log_logistic", "gamma", "inverse_gaussian"])
def test_loglik_of_clustered_values_is_exact(family, centre, sd):
    x = centre + sd * np.random.default_rng(1).normal(0.0, 1.0, 400)
    r = mlefit.fit(x, family)
    exact = exact_loglik(family, x, [p.estimate for p in r.parameters])
    assert r.loglik == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("centre, sd", CLUSTERED)
def test_lognormal_estimates_of_clustered_values_are_exact(centre, sd):
    x = centre + sd * np.random.default_rng(2).normal(0.0, 1.0, 400)
    r = mlefit.fit(x, "lognormal")
    with mpmath.workdps(40):
        logs = [mpmath.log(mpmath.mpf(v)) for v in x.tolist()]
        mean = mpmath.fsum(logs) / len(logs)
        sd_log = mpmath.sqrt(mpmath.fsum((v - mean) ** 2 for v in logs) / len(logs))
    assert r.estimates["meanlog"] == pytest.approx(float(mean), rel=1e-15, abs=0.0)
    assert r.estimates["sdlog"] == pytest.approx(float(sd_log), rel=1e-12, abs=0.0)


@pytest.mark.parametrize("family", ["weibull", "log_logistic"])
def test_clustered_values_in_chunks_as_in_memory(tmp_path, family):
    path = tmp_path / "x.csv"
    x = 1e9 + np.random.default_rng(3).normal(0.0, 1.0, 1001)
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    chunked, whole = stream.fit_file(str(path), family, chunk_rows=97), mlefit.fit(read_column(str(path)), family)
    exact = exact_loglik(family, x, [p.estimate for p in chunked.parameters])
    assert chunked.loglik == pytest.approx(exact, rel=1e-12)
    for a, b in zip(chunked.parameters, whole.parameters):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-9)


def test_weibull_shape_of_clustered_values_solves_the_profile_equation():
    """At 1e9 + N(0, 1) the shape is about 1e9. It solves h(k) = sum x^k log x / sum x^k
    - 1/k - mean log x = 0 (the scale given k in closed form): in mpmath at the reported
    k, the Newton step h/h' left is below 1e-12 of k."""
    x = 1e9 + np.random.default_rng(4).normal(0.0, 1.0, 400)
    k = mlefit.fit(x, "weibull").estimates["shape"]
    with mpmath.workdps(40):
        k_, top = mpmath.mpf(k), mpmath.log(mpmath.mpf(float(x.max())))
        logs = [mpmath.log(mpmath.mpf(v)) - top for v in x.tolist()]
        e = [mpmath.exp(k_ * u) for u in logs]
        s0, s1, s2 = mpmath.fsum(e), mpmath.fsum(u * v for u, v in zip(logs, e)), mpmath.fsum(u * u * v for u, v in zip(logs, e))
        m = s1 / s0
        h = m - 1 / k_ - mpmath.fsum(logs) / len(logs)
        slope = s2 / s0 - m * m + 1 / k_ ** 2
    assert abs(float(h / slope)) <= 1e-12 * k
