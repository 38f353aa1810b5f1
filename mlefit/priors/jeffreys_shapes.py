"""The Jeffreys priors of fit that are not powers of a parameter: |I(theta)|^(1/2) in
trigamma terms, each with its log-density's first and second derivatives written out for
the Newton MAP (tests/test_jeffreys_closed_forms.py checks each against 1/2 log det of an
information computed independently, and the derivatives against finite differences).

One-parameter factors, (t) -> (log p, d/dt, d2/dt2):

    gamma_shape(k)   sqrt(k psi1(k) - 1)            gamma's shape, with its rate free
    trigamma(k)      sqrt(psi1(k))                  gamma's shape, with its rate fixed
    t_df(nu)         sqrt(nu/(2(nu+3))) sqrt(psi1(nu/2) - psi1((nu+1)/2) - 2(nu+3)/(nu (nu+1)^2))
                                                    student_t's df (Fonseca, Ferreira and
                                                    Migon 2008: the (sigma, df) block's
                                                    determinant is this squared over sigma^2)

Each is exactly 1/2 log det of the information of one observation (its free block), no
constant dropped.

Joint ones, (values) -> (log p, gradient, Hessian):

    beta_ab(a, b)    sqrt(psi1(a) psi1(b) - psi1(a+b) (psi1(a) + psi1(b)))
    zip(pi, rate)    sqrt((1 - e^-rate (1 + rate)) / (rate (pi + (1 - pi) e^-rate)))

and, with one of a joint prior's parameters fixed, the other's own I^(1/2): beta_one,
t_df_alone (student_t's df with sigma fixed), zip_pi, zip_rate.

Where the terms cancel (large shape or df), series take over: the Bernoulli-number
expansion of k psi1(k) - 1, and student_t's series of the df information in 1/df."""
import math

import numpy as np
from scipy.special import polygamma

# k psi1(k) - 1 = sum c_j k^-j for large k (psi1's asymptotic series, Bernoulli numbers)
_K_SERIES = ((1, 0.5), (2, 1.0 / 6.0), (4, -1.0 / 30.0), (6, 1.0 / 42.0), (8, -1.0 / 30.0), (10, 5.0 / 66.0))
K_SWITCH = 50.0


def _psi(order, x):
    return float(polygamma(order, x))


def _log_sqrt(u, u1, u2):
    """(1/2 log u, its first and second derivatives) from u and u's derivatives."""
    if not u > 0:
        return -math.inf, 0.0, 0.0
    return 0.5 * math.log(u), 0.5 * u1 / u, 0.5 * (u2 / u - (u1 / u) ** 2)


def gamma_shape(k):
    if k > K_SWITCH:
        u = sum(c * k ** -j for j, c in _K_SERIES)
        u1 = sum(-j * c * k ** (-j - 1) for j, c in _K_SERIES)
        u2 = sum(j * (j + 1) * c * k ** (-j - 2) for j, c in _K_SERIES)
    else:
        u, u1, u2 = k * _psi(1, k) - 1.0, _psi(1, k) + k * _psi(2, k), 2.0 * _psi(2, k) + k * _psi(3, k)
    return _log_sqrt(u, u1, u2)


def trigamma(k):
    return _log_sqrt(_psi(1, k), _psi(2, k), _psi(3, k))


def t_df(nu):
    """student_t's df factor: directly for df < 50, in eta = 1/df beyond (where the
    trigamma difference cancels), with the family's own series of the df information."""
    from ..families.t_series import ETA_SWITCH, FISHER_ETA as _FISHER_ETA
    eta = 1.0 / nu
    if eta > ETA_SWITCH:
        r = 2.0 * (nu + 3.0) / (nu * (nu + 1.0) ** 2)
        s = 1.0 / (nu + 3.0) - 1.0 / nu - 2.0 / (nu + 1.0)
        s1 = -1.0 / (nu + 3.0) ** 2 + 1.0 / nu ** 2 + 2.0 / (nu + 1.0) ** 2
        d = _psi(1, nu / 2.0) - _psi(1, (nu + 1.0) / 2.0) - r
        d1 = 0.5 * (_psi(2, nu / 2.0) - _psi(2, (nu + 1.0) / 2.0)) - r * s
        d2 = 0.25 * (_psi(3, nu / 2.0) - _psi(3, (nu + 1.0) / 2.0)) - r * (s * s + s1)
        lp, g1, g2 = _log_sqrt(d, d1, d2)
        return (lp + 0.5 * math.log(nu / (2.0 * (nu + 3.0))), g1 + 0.5 / nu - 0.5 / (nu + 3.0),
                g2 - 0.5 / nu ** 2 + 0.5 / (nu + 3.0) ** 2)
    # D = 4 eta^4 G(eta), G = F - w, F = df^4 I_df (the series), w = 2/((1 + eta)^2 (1 + 3 eta))
    P = np.polynomial.polynomial
    f = [float(P.polyval(eta, c)) for c in (_FISHER_ETA, P.polyder(_FISHER_ETA), P.polyder(_FISHER_ETA, 2))]
    w = 2.0 / ((1.0 + eta) ** 2 * (1.0 + 3.0 * eta))
    m = -2.0 / (1.0 + eta) - 3.0 / (1.0 + 3.0 * eta)
    m1 = 2.0 / (1.0 + eta) ** 2 + 9.0 / (1.0 + 3.0 * eta) ** 2
    lg, lg1, lg2 = _log_sqrt(f[0] - w, f[1] - w * m, f[2] - w * (m * m + m1))
    # in eta: 1/2 log 2 + 2 log eta - 1/2 log(1 + 3 eta) + 1/2 log G; then d/dnu = -eta^2 d/deta
    h = 0.5 * math.log(2.0) + 2.0 * math.log(eta) - 0.5 * math.log1p(3.0 * eta) + lg
    h1 = 2.0 / eta - 1.5 / (1.0 + 3.0 * eta) + lg1
    h2 = -2.0 / eta ** 2 + 4.5 / (1.0 + 3.0 * eta) ** 2 + lg2
    return h, -eta * eta * h1, eta ** 4 * h2 + 2.0 * eta ** 3 * h1


def beta_one(t, c):
    """beta's a (or b) with the other, c, fixed: sqrt(psi1(t) - psi1(t + c))."""
    return _log_sqrt(_psi(1, t) - _psi(1, t + c), _psi(2, t) - _psi(2, t + c), _psi(3, t) - _psi(3, t + c))


def t_df_alone(nu):
    """student_t's df with sigma fixed: I(df)^(1/2), I(df) = (psi1(df/2) - psi1((df+1)/2))/4 -
    (df+5)/(2 df (df+1) (df+3)); in eta = 1/df beyond df = 50, df^4 I(df) by the family's series."""
    from ..families.t_series import ETA_SWITCH, FISHER_ETA as _FISHER_ETA
    eta = 1.0 / nu
    if eta > ETA_SWITCH:
        v = (nu + 5.0) / (2.0 * nu * (nu + 1.0) * (nu + 3.0))
        s = 1.0 / (nu + 5.0) - 1.0 / nu - 1.0 / (nu + 1.0) - 1.0 / (nu + 3.0)
        s1 = -1.0 / (nu + 5.0) ** 2 + 1.0 / nu ** 2 + 1.0 / (nu + 1.0) ** 2 + 1.0 / (nu + 3.0) ** 2
        return _log_sqrt(0.25 * (_psi(1, nu / 2.0) - _psi(1, (nu + 1.0) / 2.0)) - v,
                         0.125 * (_psi(2, nu / 2.0) - _psi(2, (nu + 1.0) / 2.0)) - v * s,
                         0.0625 * (_psi(3, nu / 2.0) - _psi(3, (nu + 1.0) / 2.0)) - v * (s * s + s1))
    P = np.polynomial.polynomial
    lf, lf1, lf2 = _log_sqrt(*(float(P.polyval(eta, c)) for c in (
        _FISHER_ETA, P.polyder(_FISHER_ETA), P.polyder(_FISHER_ETA, 2))))
    h1 = 2.0 / eta + lf1  # in eta: 2 log eta + 1/2 log F; then d/dnu = -eta^2 d/deta
    return 2.0 * math.log(eta) + lf, -eta * eta * h1, eta ** 4 * (-2.0 / eta ** 2 + lf2) + 2.0 * eta ** 3 * h1


def zip_pi(pi, rate):
    """zero_inflated_poisson's pi with its rate fixed: I(pi) = (1 - q)/((1 - pi) p0)."""
    q = math.exp(-rate)
    b = pi + (1.0 - pi) * q
    lp = 0.5 * (math.log1p(-q) - math.log1p(-pi) - math.log(b))
    return lp, 0.5 * (1.0 / (1.0 - pi) - (1.0 - q) / b), 0.5 * (1.0 / (1.0 - pi) ** 2 + ((1.0 - q) / b) ** 2)


def zip_rate(rate, pi):
    """zero_inflated_poisson's rate with pi fixed: I(rate) = (1 - pi) (1/rate - pi q/p0)."""
    q = math.exp(-rate)
    b = pi + (1.0 - pi) * q
    u = 1.0 / rate - pi * q / b
    u1 = -1.0 / rate ** 2 + pi * pi * q / b ** 2
    u2 = 2.0 / rate ** 3 + pi * pi * q * (2.0 * (1.0 - pi) * q - b) / b ** 3
    lp, d1, d2 = _log_sqrt(u, u1, u2)
    return lp + 0.5 * math.log1p(-pi), d1, d2


def beta_ab(v):
    a, b = v
    p1a, p1b, p1s = _psi(1, a), _psi(1, b), _psi(1, a + b)
    p2a, p2b, p2s = _psi(2, a), _psi(2, b), _psi(2, a + b)
    p3a, p3b, p3s = _psi(3, a), _psi(3, b), _psi(3, a + b)
    total = p1a + p1b
    d = p1a * p1b - p1s * total
    g = np.array([p2a * p1b - p2s * total - p1s * p2a, p1a * p2b - p2s * total - p1s * p2b])
    ab = p2a * p2b - p3s * total - p2s * (p2a + p2b)
    h = np.array([[p3a * p1b - p3s * total - 2.0 * p2s * p2a - p1s * p3a, ab],
                  [ab, p1a * p3b - p3s * total - 2.0 * p2s * p2b - p1s * p3b]])
    return _joint(d, g, h)


def zip_pi_rate(v):
    """zero_inflated_poisson(pi, rate): |I| = (1 - q (1 + rate)) / (rate p0), q = e^-rate,
    p0 = pi + (1 - pi) q, P(0)."""
    pi, rate = v
    q = math.exp(-rate)
    a = -math.expm1(-rate) - rate * q
    a1, a2 = rate * q, (1.0 - rate) * q
    b = pi + (1.0 - pi) * q
    bp, br, bpr, brr = 1.0 - q, -(1.0 - pi) * q, q, (1.0 - pi) * q
    if not (a > 0 and b > 0 and rate > 0):
        return -math.inf, np.zeros(2), np.zeros((2, 2))
    lp = 0.5 * (math.log(a) - math.log(rate) - math.log(b))
    g = 0.5 * np.array([-bp / b, a1 / a - 1.0 / rate - br / b])
    cross = -0.5 * (bpr / b - bp * br / b ** 2)
    rr = 0.5 * (a2 / a - (a1 / a) ** 2 + 1.0 / rate ** 2 - brr / b + (br / b) ** 2)
    h = np.array([[0.5 * (bp / b) ** 2, cross], [cross, rr]])
    return lp, g, h


def _joint(d, g, h):
    """(1/2 log d, its gradient and Hessian) from d's."""
    if not d > 0:
        return -math.inf, np.zeros(len(g)), np.zeros((len(g), len(g)))
    return 0.5 * math.log(d), 0.5 * g / d, 0.5 * (h / d - np.outer(g, g) / d ** 2)
