"""The student_t family's sums in eta = 1/df (families/student_t.py): phi(q) = log(1 + q)/q
and c(eta) with their derivatives, by power series where they would cancel (df up to
1e30 and beyond is exact), and the sums of the log-likelihood and its derivatives over
the values, in blocks that stay in cache."""
import math

import numpy as np

from .. import numerics as nm
from .. import special_series as ss

ETA_SWITCH = 0.02  # below it (df > 50) c(eta) and the information use their series

# phi(q) - 1, phi'(q), phi''(q) as power series in q (for q < 0.1)
_TERMS = 18
_PHI_SERIES = (
    np.array([0.0] + [(-1.0) ** k / (k + 1) for k in range(1, _TERMS)]),
    np.array([(-1.0) ** (j + 1) * (j + 1) / (j + 2) for j in range(_TERMS)]),
    np.array([(-1.0) ** j * (j + 1) * (j + 2) / (j + 3) for j in range(_TERMS)]),
)
# B_2k / (2k (2k - 1)): the Stirling series of lgamma
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360)
# per-observation expected information in eta, as a series in eta (derived with sympy
# from the asymptotic series of trigamma; checked against mpmath to 1e-17 at eta = 0.02)
FISHER_ETA = np.array([7 / 2, -13, 79 / 2, -119, 727 / 2, -1101, 6559 / 2, -9763, 59047 / 2,
                        -89609, 531439 / 2, -778047, 4782967 / 2, -7639237])


def phi(q, order):
    """[phi(q), phi'(q), phi''(q)][:order + 1] for q >= 0, phi(q) = log(1 + q)/q;
    phi' = (r - phi)/q and phi'' = -(r^2 + 2 phi')/q with r = 1/(1 + q), which keep
    their relative precision for large q, and power series below q = 0.1, where
    those differences would cancel."""
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.log1p(q) / q
        phi[q == 0] = 1.0
        if order == 0:
            return [phi]
        r = 1.0 / (1.0 + q)
        d1 = (r - phi) / q
        d2 = -(r * r + 2.0 * d1) / q
    small = q < 0.1
    if small.any():
        qs = q[small]
        d1[small] = np.polynomial.polynomial.polyval(qs, _PHI_SERIES[1])
        d2[small] = np.polynomial.polynomial.polyval(qs, _PHI_SERIES[2])
    return [phi, d1, d2][:order + 1]


def const(eta, order):
    """c(eta) = lgamma((df+1)/2) - lgamma(df/2) - log(df/2)/2 and its derivatives in
    eta = 1/df. For df > 50, via Stirling: c = (phi(eta) - 1)/2 + sum_k B_2k/(2k(2k-1))
    (2 eta)^m ((1 + eta)^-m - 1), m = 2k - 1, with no cancellation as eta -> 0 (where the
    df-derivatives times df^2, df^4 would lose all their digits)."""
    if eta <= ETA_SWITCH:
        out = [0.5 * float(np.polynomial.polynomial.polyval(eta, _PHI_SERIES[i])) for i in range(order + 1)]
        r = 1.0 / (1.0 + eta)
        for k, b in enumerate(_STIRLING, start=1):
            m = 2 * k - 1
            t = b * 2.0 ** m
            out[0] += t * eta ** m * (r ** m - 1.0)
            if order >= 1:
                out[1] += t * m * eta ** (m - 1) * (r ** (m + 1) - 1.0)
            if order >= 2:
                inner = -2.0 * eta ** (m - 1) * r ** (m + 2)
                if m > 1:
                    inner += (m - 1) * eta ** (m - 2) * (r ** (m + 2) - 1.0)
                out[2] += t * m * inner
        return out
    # exactly, with a = df/2, mu the Stirling remainder and D(a) = log(a) - digamma(a):
    # c = a log1pmx(1/(2a)) + mu(a + 1/2) - mu(a), dc/ddf = (log1pmx(1/df) + D(a) - D(a + 1/2))/2,
    # d2c/ddf2 = (D'(a) - D'(a + 1/2))/4 + 1/(2 df^2 (df + 1)): no large terms cancel
    nu = 1.0 / eta
    a = 0.5 * nu
    out = [a * ss.log1pmx(eta) + ss.stirling_remainder(a + 0.5) - ss.stirling_remainder(a)]
    (d0, d0p), (d1, d1p) = ss.log_minus_digamma(a), ss.log_minus_digamma(a + 0.5)
    dnu = 0.5 * (ss.log1pmx(eta) + d0 - d1)
    if order >= 1:
        out.append(-nu * nu * dnu)
    if order >= 2:
        d2nu = 0.25 * (d0p - d1p) + 0.5 / (nu * nu * (nu + 1.0))
        out.append(nu ** 4 * d2nu + 2.0 * nu ** 3 * dnu)
    return out


SERIES_BELOW = 0.1  # phi and its derivatives by their power series where q is below this
TINY_Q = 1e-30  # below it _series_sums multiplies z^4 and z^6 in (q^(j+2) could underflow)
SUMS_BLOCK = 8192  # values a call of _sums' part: its temporaries (64 KiB each) stay in L2, and its dot
#                   products stay below OpenBLAS's size for threads (waking them cost 0.7 ms a product at 12000)


def _terms(qmax):
    """How many terms of the series of phi, phi', phi'' reach double precision for q up to
    qmax < SERIES_BELOW: the rest, below (K + 1) qmax^K/(1 - qmax), is under 2^-54 of the
    leading term (2/3 for phi''); _TERMS at qmax = 0.1, 1 at q = 0 (the normal limit)."""
    k = 1
    while k < _TERMS and (k + 1) * qmax ** k > 2.0 ** -54 * (2.0 / 3.0) * (1.0 - qmax):
        k += 1
    return k


def _phi_sums(z2, q, eta, order, w):
    """[sum z^2 phi(q), sum z^4 phi'(q), sum z^6 phi''(q)][:order + 1] (weighted by w when
    given) over values with q = eta z^2: where every q is below SERIES_BELOW, by the power
    series of phi, phi' and phi'' summed term by term (_series_sums: no polynomial
    evaluated at every value); else from log1p(q) (phi' = (r - phi)/q, phi'' = -(r^2 +
    2 phi')/q, r = 1/(1 + q), which keep their relative precision for q >= SERIES_BELOW),
    the values below SERIES_BELOW by their series (the log-likelihood alone: z^2 phi =
    log1p(q)/eta at every value)."""
    if q.size == 0:
        return [0.0] * (order + 1)
    qmax = float(q.max())
    if qmax < SERIES_BELOW:
        return _series_sums(z2, q, eta, order, w, qmax)
    if order == 0:
        return [nm.wsum(np.log1p(q), w) / eta]
    small = q < SERIES_BELOW
    if not small.any():
        return _direct_sums(z2, q, eta, order, w)
    big = ~small
    ws, wb = (None, None) if w is None else (w[small], w[big])
    qs = q[small]
    return [a + b for a, b in zip(_series_sums(z2[small], qs, eta, order, ws, float(qs.max())),
                                  _direct_sums(z2[big], q[big], eta, order, wb))]


def _series_sums(z2, q, eta, order, w, qmax):
    """_phi_sums where every q <= qmax < SERIES_BELOW: sum_j c_j S_j with the power sums
    S_j = sum z^(2i + 2) q^j of the series' terms (each within qmax^j of the first: no
    cancellation), as many as qmax needs (_terms). With q = eta z^2, sum z^4 q^j =
    sum z^2 q^(j+1)/eta and sum z^6 q^j = sum z^2 q^(j+2)/eta^2: one running product
    z^2 q^j gives all three (where qmax > TINY_Q; below it, where q^(j+2) could
    underflow, z^4 and z^6 are multiplied in)."""
    k = _terms(qmax)
    one_chain = qmax > TINY_Q
    m = k + order if one_chain else k
    v = z2.copy() if w is None else z2 * w  # z^2 q^j (times w), j = 0, 1, ...
    power = []
    for j in range(m):
        power.append(float(v.sum()))
        if j + 1 < m:
            v *= q
    if one_chain:
        parts = [power[i:i + k] for i in range(order + 1)]
        scale = [1.0, 1.0 / eta, 1.0 / (eta * eta)]
    else:
        parts, scale = [power], [1.0, 1.0, 1.0]
        for i in range(1, order + 1):
            v = z2 ** (i + 1) if w is None else z2 ** (i + 1) * w
            parts.append([])
            for j in range(k):
                parts[i].append(float(v.sum()))
                if j + 1 < k:
                    v *= q
    out = []
    for i in range(order + 1):
        c = _PHI_SERIES[i]
        total = sum(c[j] * parts[i][j] for j in reversed(range(1 if i == 0 else 0, k)))  # the smallest first
        out.append(total + parts[0][0] if i == 0 else scale[i] * total)
    return out


def _direct_sums(z2, q, eta, order, w):
    """_phi_sums where every q >= SERIES_BELOW (eta > 0): z^2 phi = log1p(q)/eta."""
    lq = np.log1p(q)
    out = [nm.wsum(lq, w) / eta]
    if order >= 1:
        phi = lq / q
        r = 1.0 / (1.0 + q)
        d1 = (r - phi) / q
        z4 = z2 * z2 if w is None else z2 * z2 * w
        out.append(float(z4 @ d1))
        if order >= 2:
            d2 = -(r * r + 2.0 * d1) / q
            out.append(float((z4 * z2) @ d2))
    return out


def sums(data, n, mu, sigma, eta, derivs):
    """The log-likelihood of (mu, sigma, 1/eta) on the values y of `data` (chunks.InMemory
    or OnChunks) and, when `derivs`, its gradient and Hessian in (mu, tau = log sigma,
    eta); with z = (y - mu)/sigma, q = eta z^2, a = 1 + eta, r = 1/(1 + q):
    d/dmu = a z r/sigma, d/dtau = a z^2 r - 1, d/deta = c' - z^2 phi/2 - a z^4 phi'/2,
    d2/dmu2 = -a (1 - q) r^2/sigma^2, d2/dmu dtau = -a z r ((1 - q) r + 1)/sigma,
    d2/dtau2 = -2 a z^2 r^2, d2/dmu deta = z (1 - z^2) r^2/sigma,
    d2/dtau deta = z^2 (1 - z^2) r^2, d2/deta2 = c'' - z^4 phi' - a z^6 phi''/2.
    A pass takes each sum of a product as one dot product (no temporary for the product)
    and the sums of phi and its derivatives by _phi_sums (their series, where a block's
    q are small, as sums of powers: no polynomial evaluated at every value)."""
    a = 1.0 + eta
    c = const(eta, 2 if derivs else 0)

    def standard(y):
        z = y - mu
        z /= sigma
        z2 = z * z
        return z, z2, eta * z2

    if not derivs:
        def zphi_sum(y, w):
            _, z2, q = standard(y)
            return _phi_sums(z2, q, eta, 0, w)[0]
        value = n * (c[0] - nm.HALF_LOG_2PI - math.log(sigma)) - 0.5 * a * data.sum(zphi_sum, SUMS_BLOCK)
        return value if math.isfinite(value) else -math.inf

    def part(y, w):
        z, z2, q = standard(y)
        r = 1.0 / (1.0 + q)
        r2 = r * r
        t = 1.0 - q
        t *= r2  # (1 - q) r^2
        u = 1.0 - z2
        u *= r2  # (1 - z^2) r^2
        zw = z if w is None else z * w
        z2w = z2 if w is None else z2 * w
        s_zr = float(zw @ r)
        zphi, z4p1, z6p2 = _phi_sums(z2, q, eta, 2, w)
        return (zphi, a * s_zr, a * float(z2w @ r), z4p1, a * (float(zw @ t) + s_zr), float(zw @ u),
                float(z2w @ u), nm.wsum(t, w), float(z2w @ r2), z6p2)
    t_zphi, t_azr, t_azrz, t_z4p1, t_mt, t_zu, t_z2u, t_qr2, t_z2r2, t_z6p2 = data.sum(part, SUMS_BLOCK)
    value = n * (c[0] - nm.HALF_LOG_2PI - math.log(sigma)) - 0.5 * a * t_zphi
    g = np.array([t_azr / sigma, t_azrz - n, n * c[1] - 0.5 * t_zphi - 0.5 * a * t_z4p1])
    h_mt = -t_mt / sigma
    h_me, h_te = t_zu / sigma, t_z2u
    h = np.array([[-a * t_qr2 / sigma ** 2, h_mt, h_me],
                  [h_mt, -2.0 * a * t_z2r2, h_te],
                  [h_me, h_te, n * c[2] - t_z4p1 - 0.5 * a * t_z6p2]])
    return value, g, h
