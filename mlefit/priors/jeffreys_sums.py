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


def _cumulative(terms, carry):
    """(sum over j < y of terms[j] for each y of the block, the carry past it)."""
    partial = carry + np.concatenate(([0.0], np.cumsum(terms[:-1])))
    return partial, partial[-1] + terms[-1]


def nb_size_sums(size, mu, derivs=False):
    """I = E[s_size^2] of negative_binomial(size, mu), and with derivs its gradient and
    Hessian in (size, mu): pmf-weighted sums over y in blocks (doubling up to 2^20 terms)
    until a block adds at most 1e-17 of each sum's absolute total. With a = size + mu,
    b_j = size + j, every piece written so that it does not cancel as size grows:

        s      = sum_{j<y} (mu - j)/(b_j a) + log(1 - u) + u,  u = mu/a
        s_size = -sum_{j<y} (mu - j)(2 size + mu + j)/(b_j^2 a^2) + mu^2/(size a^2)
        s_mu   = (y - mu)/a^2
        s_ss   = 2 sum_{j<y} (mu - j)(a^2 + a b_j + b_j^2)/(a^3 b_j^3) - mu^2 (3 size + mu)/(size^2 a^3)
        s_sm   = -2 (y - mu)/a^3,   s_mm = -1/a^2 - 2 (y - mu)/a^3

    (s_size = d s/d size, ...), and the log-mass's scores l_size = s, l_mu = size (y - mu)/(mu a)
    with l_mm = -y/mu^2 + (size + y)/a^2: dI_i = E[l_i s^2 + 2 s s_i], d2I_ik = E[(l_i l_k +
    l_ik) s^2 + 2 l_i s s_k + 2 l_k s s_i + 2 s_i s_k + 2 s s_ik]."""
    from scipy.special import gammaln
    r, m = float(size), float(mu)
    a = r + m
    u = m / a
    tail_const, c_r, c_rr = _log1m_plus(u), m * m / (r * a * a), -m * m * (3.0 * r + m) / (r * r * a ** 3)
    lq, lp = math.log(u), math.log1p(-u)  # log(mu/(r+mu)), log(r/(r+mu))
    n_out = 6 if derivs else 1
    totals, scale = np.zeros(n_out), np.zeros(n_out)
    carry = np.zeros(3)
    start, size_ = 0, BLOCK
    while True:
        y = np.arange(start, start + size_, dtype=np.float64)
        b = r + y
        d = m - y
        s, carry[0] = _cumulative(d / (b * a), carry[0])
        s = s + tail_const
        p = np.exp(gammaln(y + r) - gammaln(r) - gammaln(y + 1.0) + r * lp + y * lq)
        if derivs:
            sr, carry[1] = _cumulative(d * (2.0 * r + m + y) / (b * b * a * a), carry[1])
            srr, carry[2] = _cumulative(d * (a * a + a * b + b * b) / (a ** 3 * b ** 3), carry[2])
            sr, srr = c_r - sr, 2.0 * srr + c_rr
            sm, srm, smm = -d / (a * a), 2.0 * d / a ** 3, -1.0 / (a * a) + 2.0 * d / a ** 3
            lm = -r * d / (m * a)
            lmm = -y / (m * m) + b / (a * a)
            s2 = s * s
            terms = [s2, s * s2 + 2.0 * s * sr, lm * s2 + 2.0 * s * sm,
                     (s * s + sr) * s2 + 4.0 * s * s * sr + 2.0 * sr * sr + 2.0 * s * srr,
                     (s * lm + sm) * s2 + 2.0 * s * s * sm + 2.0 * lm * s * sr + 2.0 * sr * sm + 2.0 * s * srm,
                     (lm * lm + lmm) * s2 + 4.0 * lm * s * sm + 2.0 * sm * sm + 2.0 * s * smm]
        else:
            terms = [s * s]
        block = np.array([float(np.sum(p * t)) for t in terms])
        totals += block
        scale += np.array([float(np.sum(p * np.abs(t))) for t in terms])
        start += size_
        size_ = min(2 * size_, 2 ** 20)
        if (start > m and bool(np.all(np.abs(block) <= 1e-17 * scale))) or start >= MAX_TERMS:
            break
    if not derivs:
        return totals[0]
    i, di_r, di_m, drr, drm, dmm = totals
    return i, np.array([di_r, di_m]), np.array([[drr, drm], [drm, dmm]])


def nb_size_information(size, mu):
    """E[s_size^2] of negative_binomial(size, mu) (nb_size_sums)."""
    return nb_size_sums(size, mu)


def nb_information(size, mu):
    return np.array([[nb_size_information(size, mu), 0.0], [0.0, size / (mu * (size + mu))]])


def nb_log_prior_fn(theta, free):
    """fn(values of the free parameters of (size, mu)) -> (log p, gradient, Hessian) of
    negative_binomial's Jeffreys prior, with analytic derivatives: 1/2 log I_size + 1/2
    log(size/(mu (size + mu))) (both free); 1/2 log I_size (mu fixed); 1/2 log(size/(mu
    (size + mu))) (size fixed: no sum)."""
    theta = [float(t) for t in theta]

    def fn(values):
        full = list(theta)
        for i, v in zip(free, values):
            full[i] = float(v)
        r, m = full
        k = len(free)
        if not (r > 0 and m > 0 and math.isfinite(r) and math.isfinite(m)):
            return -math.inf, np.zeros(k), np.zeros((k, k))
        a = r + m
        lp, g, h = 0.0, np.zeros(2), np.zeros((2, 2))
        if 0 in free:  # the sum over the counts: 1/2 log I_size
            i, di, d2i = nb_size_sums(r, m, derivs=True)
            if not i > 0:
                return -math.inf, np.zeros(k), np.zeros((k, k))
            lp, g, h = 0.5 * math.log(i), 0.5 * di / i, 0.5 * (d2i / i - np.outer(di, di) / i ** 2)
        if 1 in free:  # 1/2 log I_mu = 1/2 (log size - log mu - log(size + mu))
            lp += 0.5 * (math.log(r) - math.log(m) - math.log(a))
            g += 0.5 * np.array([1.0 / r - 1.0 / a, -1.0 / m - 1.0 / a])
            h += 0.5 * np.array([[-1.0 / r ** 2 + 1.0 / a ** 2, 1.0 / a ** 2],
                                 [1.0 / a ** 2, 1.0 / m ** 2 + 1.0 / a ** 2]])
        idx = list(free)
        return lp, g[idx], h[np.ix_(idx, idx)]

    def value(values):  # the log-prior alone (Joint.at): the sum without its derivatives
        full = list(theta)
        for i, v in zip(free, values):
            full[i] = float(v)
        r, m = full
        if not (r > 0 and m > 0 and math.isfinite(r) and math.isfinite(m)):
            return -math.inf
        lp = 0.0
        if 0 in free:
            i = nb_size_sums(r, m)
            lp = 0.5 * math.log(i) if i > 0 else -math.inf
        if 1 in free:
            lp += 0.5 * (math.log(r) - math.log(m) - math.log(r + m))
        return lp
    fn.value = value
    return fn


def bb_information(a, b, trials, weights):
    """The weighted average over rows of beta_binomial(a, b)'s information with trials t:
    the sum over y = 0..t of pmf(y) s(y) s(y)'. The running sums of the scores do not
    depend on t (s_a = A[y] - C[t], s_b = B[t - y] - C[t]), so every distinct t is one row
    of a table over y, a few thousand rows at a time (at most about 2^21 cells)."""
    from scipy.special import betaln, gammaln
    a, b = float(a), float(b)
    ts, ws = np.asarray(trials, dtype=np.float64).ravel(), np.asarray(weights, dtype=np.float64).ravel()
    groups, which = np.unique(ts, return_inverse=True)
    w = np.bincount(which.ravel(), weights=np.broadcast_to(ws, ts.shape), minlength=groups.size)
    top = int(groups.max())
    j = np.arange(top, dtype=np.float64)
    up_a, up_b, c = (np.concatenate(([0.0], np.cumsum(1.0 / (v + j)))) for v in (a, b, a + b))  # sum_{j<y}
    k = np.arange(top + 1, dtype=np.float64)
    # log pmf(y | t) = lf[t] - lf[y] - lf[t-y] + ga[y] + gb[t-y] - gab[t] - log B(a, b): 1-D tables
    lf, ga, gb, gab = gammaln(k + 1.0), gammaln(k + a), gammaln(k + b), gammaln(k + a + b)
    const = -betaln(a, b)
    y = np.arange(top + 1)
    info = np.zeros((2, 2))
    step = max(1, 2 ** 21 // (top + 1))
    for g0 in range(0, groups.size, step):
        t = groups[g0:g0 + step, None].astype(np.int64)
        inside = y <= t
        fails = np.where(inside, t - y, 0)
        logp = lf[t] - lf[y] - lf[fails] + ga[y] + gb[fails] - gab[t] + const
        p = np.where(inside, np.exp(logp), 0.0) * w[g0:g0 + step, None]
        ct = c[t]
        sa, sb = up_a[y] - ct, up_b[fails] - ct
        info += np.array([[np.sum(p * sa * sa), np.sum(p * sa * sb)], [np.sum(p * sa * sb), np.sum(p * sb * sb)]])
    return info / float(w.sum())


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
    fn.value = lambda values: lp(np.array(values, dtype=np.float64))  # the log-prior alone (Joint.at)
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
