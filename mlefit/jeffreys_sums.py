"""Jeffreys priors whose information has no closed form, only a sum over the counts:
negative_binomial(size, mu) and beta_binomial(a, b) (issue 18). Each is |I|^(1/2), I the
Fisher information of one observation, computed as the pmf-weighted sum of the outer
product of the scores (terms that are never negative, so nothing cancels in the sum):

    negative_binomial   I = diag(E[s_size^2], size/(mu (size + mu)))  (size and mu are
                        orthogonal), s_size = sum_{j<y} (mu - j)/((size + j)(size + mu))
                        + log(1 - u) + u, u = mu/(size + mu), the score in size written so
                        that its pieces do not cancel as size grows; summed over y = 0, 1,
                        ... in blocks until a block adds less than 1e-17 of the total
    beta_binomial       I = E[s s'] over y = 0..t, s_a = sum_{j<y} 1/(a + j) - sum_{j<t}
                        1/(a + b + j) (and s_b with t - y, b); with trials per row, the
                        rows' average information (the experiment's, divided by its rows)

With a parameter fixed, the free one's own I_jj^(1/2). The log-prior's gradient and
Hessian are by central differences on the log scale of the parameters, Richardson-
extrapolated (the log-prior is smooth and accurate to rounding, so they are accurate to
about 1e-10). tests/test_jeffreys_sums.py checks the information against an independent
one (numeric second derivatives of the expected log-likelihood, a long direct sum) and the
MAP against Nelder-Mead on the written-out log-posterior."""
import math

import numpy as np

BLOCK = 4096
MAX_TERMS = 2 ** 26


def _log1m_plus(u):
    """log(1 - u) + u, accurate for small u (its series: -u^2/2 - u^3/3 - ...)."""
    if u < 1e-3:
        return -sum(u ** k / k for k in range(2, 9))
    return math.log1p(-u) + u


def nb_size_information(size, mu):
    """E[s_size^2] of negative_binomial(size, mu): the pmf-weighted sum of the squared
    score, block by block, to a relative tolerance of 1e-17."""
    from scipy.special import gammaln
    r, m = float(size), float(mu)
    u = m / (r + m)
    tail_const = _log1m_plus(u)
    lq, lp = math.log(u), math.log1p(-u)  # log(mu/(r+mu)), log(r/(r+mu))
    total, carry, start, size_ = 0.0, 0.0, 0, BLOCK
    while True:
        y = np.arange(start, start + size_, dtype=np.float64)
        terms = (m - y) / ((r + y) * (r + m))
        partial = carry + np.concatenate(([0.0], np.cumsum(terms[:-1])))  # sum over j < y
        carry = partial[-1] + terms[-1]
        s = partial + tail_const
        logp = gammaln(y + r) - gammaln(r) - gammaln(y + 1.0) + r * lp + y * lq
        block = float(np.sum(np.exp(logp) * s * s))
        total += block
        start += size_
        size_ = min(2 * size_, 2 ** 20)
        if (start > m and block <= 1e-17 * total) or start >= MAX_TERMS:
            return total


def nb_information(size, mu):
    return np.array([[nb_size_information(size, mu), 0.0], [0.0, size / (mu * (size + mu))]])


def bb_information(a, b, trials, weights):
    """The weighted average over rows of beta_binomial(a, b)'s information with trials t:
    the sum over y = 0..t of pmf(y) s(y) s(y)', for each distinct t."""
    from scipy.special import betaln, gammaln
    a, b = float(a), float(b)
    ts, ws = np.asarray(trials, dtype=np.float64).ravel(), np.asarray(weights, dtype=np.float64).ravel()
    ws = np.broadcast_to(ws, ts.shape)
    info = np.zeros((2, 2))
    for t in np.unique(ts):
        w = float(ws[ts == t].sum())
        n = int(t)
        j = np.arange(n, dtype=np.float64)
        up_a = np.concatenate(([0.0], np.cumsum(1.0 / (a + j))))  # sum_{j<y} 1/(a+j), y = 0..t
        up_b = np.concatenate(([0.0], np.cumsum(1.0 / (b + j))))
        c = float(np.sum(1.0 / (a + b + j)))
        y = np.arange(n + 1, dtype=np.float64)
        s = np.array([up_a - c, up_b[::-1] - c])
        logp = (gammaln(t + 1.0) - gammaln(y + 1.0) - gammaln(t - y + 1.0) + betaln(y + a, t - y + b)
                - betaln(a, b))
        info += w * (s * np.exp(logp)) @ s.T
    return info / float(ws.sum())


def half_log_det(information, free):
    """1/2 log det of the free parameters' block of the information."""
    block = information[np.ix_(free, free)]
    d = float(np.linalg.det(block)) if len(free) > 1 else float(block[0, 0])
    return 0.5 * math.log(d) if d > 0 else -math.inf


def log_prior_fn(information, theta, free):
    """fn(values of the free parameters) -> (log p, gradient, Hessian), the free block's
    1/2 log det |I| with the others held at `theta`, derivatives by finite differences."""
    theta = [float(t) for t in theta]

    def lp(values):
        full = list(theta)
        for i, v in zip(free, values):
            full[i] = float(v)
        if not all(v > 0 and math.isfinite(v) for v in values):
            return -math.inf
        return half_log_det(information(*full), list(free))

    def fn(values):
        v = np.array(values, dtype=np.float64)
        value = lp(v)
        if not math.isfinite(value):
            return -math.inf, np.zeros(len(v)), np.zeros((len(v), len(v)))
        g, h = derivatives(lp, v)
        return value, g, h
    return fn


def _grad(f, v, h):
    """Central differences in log v, Richardson-extrapolated (steps h and 2h), as d/dv."""
    out = np.empty(len(v))
    for i in range(len(v)):
        def at(k):
            w = v.copy()
            w[i] = v[i] * math.exp(k * h)
            return f(w)
        d1 = (at(1) - at(-1)) / (2 * h)
        d2 = (at(2) - at(-2)) / (4 * h)
        out[i] = (4 * d1 - d2) / 3 / v[i]
    return out


def derivatives(f, v, h=2e-3):
    """(gradient, Hessian) of f at v > 0: the gradient by _grad; the Hessian by central
    differences of that gradient in log v (Richardson-extrapolated), symmetrised."""
    g = _grad(f, v, h)
    k = len(v)
    hess = np.empty((k, k))

    def column(j, step):
        up, down = v.copy(), v.copy()
        up[j], down[j] = v[j] * math.exp(step), v[j] * math.exp(-step)
        return (_grad(f, up, h) - _grad(f, down, h)) / (2 * step) / v[j]
    for j in range(k):  # d/dlog v_j of the gradient, Richardson-extrapolated, as d/dv_j
        hess[:, j] = (4 * column(j, 1e-3) - column(j, 2e-3)) / 3
    return g, 0.5 * (hess + hess.T)
