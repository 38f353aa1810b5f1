"""student_t's distribution function per row: log P(Y <= y) and log P(Y > y) from the
regularised incomplete beta function, with no 1 - F anywhere, and a series where the
two-sided tail underflows (the family's record, families/student_t.py, uses them)."""
import numpy as np

from .tails import LN2, TINY, _refine, log1mexp


def log_far(df, z2):
    """log I_x(a, 1/2), a = df/2, x = df/(df + z^2), where it underflows: DLMF 8.17.8,
    I_x(a, b) = x^a (1 - x)^b/(a B(a, b)) 2F1(a + b, 1; a + 1; x), with Pfaff's
    2F1(a + 1/2, 1; a + 1; x) = 2F1(1/2, 1; a + 1; w)/(1 - x), w = x/(x - 1) = -df/z^2,
    a series whose terms fall by (n + 1/2)|w|/(a + 1 + n), and log x, log(1 - x) from
    z^2/df itself (x rounds towards 1 for large df)."""
    from scipy.special import betaln
    a, v = 0.5 * df, z2 / df
    w = -1.0 / v
    term, total = np.ones_like(v), np.ones_like(v)
    for n in range(500):
        term = term * w * (n + 0.5) / (a + 1.0 + n)
        total = total + term
        if np.all(np.abs(term) <= 1e-17 * total):
            break
    return -a * np.log1p(v) + 0.5 * np.log1p(1.0 / v) - np.log(a) - betaln(a, 0.5) + np.log(total)


def row_tail(y, mu, sigma, df, upper=False):
    """log P(Y <= y) (upper: log P(Y > y)), with t = z^2/(df + z^2), x = 1 - t. The
    two-sided tail J = P(|T| > |z|) is I_x(df/2, 1/2) where x <= 1/2 (exact in x), else
    1 - I_t(1/2, df/2) by betaincc (x near 1 would lose digits); where J underflows,
    log_far. Near the centre (I = 1 - J <= 1/2, t < 1/2) log((1 -+ I)/2) by log1p
    (betaincc is 1e-11 off there); in the tails log(J/2) and, on the far side, log1mexp
    of it: no 1 - F anywhere."""
    from scipy.special import betainc, betaincc
    z = (np.asarray(y, dtype=np.float64) - mu) / sigma
    if upper:
        z = -z
    z, df = np.broadcast_arrays(z, np.asarray(df, dtype=np.float64))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z2 = z * z
        x, t = df / (df + z2), np.where(np.isinf(z2), 1.0, z2 / (df + z2))
        by_x = t >= 0.5
        inner = betainc(0.5, 0.5 * df, np.where(by_x, 0.0, t))
        two = np.where(by_x, betainc(0.5 * df, 0.5, np.where(by_x, x, 0.5)),
                       betaincc(0.5, 0.5 * df, np.where(by_x, 0.5, t)))
        tail = _refine(np.log(two) - LN2, df, z2, (two < TINY) & np.isfinite(z2),
                       lambda d, v: log_far(d, v) - LN2)
        central = ~by_x & (inner <= 0.5)
        near = np.where(central, np.log1p(-inner) - LN2, tail)
        far = np.where(central, np.log1p(inner) - LN2, log1mexp(tail))
        return np.where(z <= 0, near, far)
