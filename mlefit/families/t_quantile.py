"""Student t quantiles without scipy (student_t's start values; importing scipy.special
costs 0.25-0.45 s, more than the fit of a million values): P(|T| <= t) = 1 - I_x(df/2, 1/2)
with x = df/(df + t^2), the regularised incomplete beta by its continued fraction
(Numerical Recipes' betacf, modified Lentz), inverted by bracketed Newton in log x.
Within 1e-11 (relative) of scipy's stdtrit for df from 0.1 to 1e6 and p from 0.55 to 0.999
(tests/test_student_t_sums.py)."""
import math

from .. import numerics as nm
from .. import special_series as ss

TINY = 1e-300


def _log_beta(a, b):
    if max(a, b) >= 10.0:  # (ss.log_beta's Stirling form; below 10 it calls scipy)
        return ss.log_beta(a, b)
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _fraction(a, b, x):
    """The continued fraction of I_x(a, b), for x < (a + 1)/(a + b + 2), where it converges quickly."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > TINY else TINY)
    h = d
    for m in range(1, 10000):
        for an in (m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
                   -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0))):
            d = 1.0 + an * d
            d = 1.0 / (d if abs(d) > TINY else TINY)
            c = 1.0 + an / c
            c = c if abs(c) > TINY else TINY
            step = d * c
            h *= step
        if abs(step - 1.0) < 1e-16:
            break
    return h


def _tail(a, b, u, log_b):
    """(I_x(a, b), its derivative in u) at x = e^u < 1 (1 - x = -expm1(u), exact for x near 1)."""
    x, y = math.exp(u), -math.expm1(u)
    log_front = a * u + b * math.log(y) - log_b
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        value = front * _fraction(a, b, x) / a
    else:
        value = 1.0 - front * _fraction(b, a, y) / b
    return value, front / y  # x * x^(a-1) y^(b-1) / B(a, b)


def t_quantile(df, p):
    """The p quantile of Student's t with df > 0 degrees of freedom, for 1/2 < p < 1."""
    a, b, alpha = 0.5 * df, 0.5, 2.0 * (1.0 - p)  # I_x(df/2, 1/2) = 2 (1 - p)
    log_b = _log_beta(a, b)

    def f(u):  # increasing in u = log x
        value, slope = _tail(a, b, u, log_b)
        return value - alpha, slope

    # a start from the normal quantile with the first Cornish-Fisher term
    z = _normal_quantile(p)
    t0 = z * (1.0 + (z * z + 1.0) / (4.0 * max(df, 1.0)))
    u0 = math.log(df) - math.log(df + t0 * t0)
    u, _, _ = nm.solve_increasing(f, math.log(TINY), -1e-300, u0, max_iter=200, tol=1e-14, scale=1.0)
    return math.sqrt(df * -math.expm1(u) / math.exp(u))


def _normal_quantile(p):
    """The standard normal p quantile (statistics.NormalDist: Wichura's AS241, full precision)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)
