"""The range of an expression over the parameter space, by interval arithmetic on its tree.

Used to decide the scale of a derived quantity's interval soundly: an expression whose
every value is positive (for every parameter value in its domain) gets a log-scale
interval, one whose every value is in (0, 1) a logit-scale one, as a positive or
probability parameter does. 'shape/rate' is positive for every shape > 0 and rate > 0,
so it gets the same interval as the family's mean, however it is written.

An interval is (lo, lo_closed, hi, hi_closed, defined): the bounds (+-inf allowed, never
attained), whether each is attained, and whether the expression is finite and defined
everywhere on the domain (log(x) of an x that can be 0, a division by a value that can be
0, sqrt of a negative: not defined, so the expression decides nothing). Every bound is
rounded outward and marked attained whenever the float result is not exact, so a range
found is always a superset of the true one: 'positive' is never claimed wrongly.
"""
import math
import sys
from fractions import Fraction

INF = math.inf
EVERYTHING = (-INF, False, INF, False, False)
DOMAIN_RANGE = {"real": (-INF, False, INF, False, True), "positive": (0.0, False, INF, False, True),
                "unit": (0.0, False, 1.0, False, True)}


def scale(tree, domains, fixed=None):
    """'positive', 'unit' or 'real': the domain of every value of the expression `tree`
    (mlefit.inference.expression) when each parameter ranges over its domain ({name: 'real' |
    'positive' | 'unit'}) and each name in `fixed` ({name: value}) is held at its value."""
    lo, lo_closed, hi, hi_closed, defined = value_range(tree, domains, fixed or {})
    if not defined or not (lo > 0.0 or (lo == 0.0 and not lo_closed)):
        return "real"
    return "unit" if hi < 1.0 or (hi == 1.0 and not hi_closed) else "positive"


def value_range(tree, domains, fixed):
    """(lo, lo_closed, hi, hi_closed, defined) of the expression over the domains."""
    return _checked(_range(tree, domains, fixed))


def _range(tree, domains, fixed):
    kind = tree[0]
    if kind == "num":
        return _point(tree[1])
    if kind == "name":
        name = tree[1]
        return _point(float(fixed[name])) if name in fixed else DOMAIN_RANGE[domains[name]]
    if kind == "neg":
        return _neg(value_range(tree[1], domains, fixed))
    if kind in ("log", "exp", "sqrt"):
        return _FUNCTIONS[kind](value_range(tree[1], domains, fixed))
    a, b = value_range(tree[1], domains, fixed), value_range(tree[2], domains, fixed)
    return _OPS[kind](a, b)


def _checked(r):
    lo, _, hi, _, _ = r
    if math.isnan(lo) or math.isnan(hi) or lo > hi or lo == INF or hi == -INF:
        return EVERYTHING  # only from float overflow inside the bounds: decide nothing
    return r


def _point(c):
    return (c, True, c, True, True) if math.isfinite(c) else EVERYTHING


def _exact(value, down):
    """The float nearest below (down) or above an exact Fraction `value`, and whether it
    is exact."""
    try:
        f = float(value)
    except OverflowError:  # beyond the largest float: infinite above, the largest float below
        sign = 1.0 if value > 0 else -1.0
        return sign * (INF if (value > 0) != down else sys.float_info.max), False
    if Fraction(f) == value:
        return f, True
    if (Fraction(f) > value) == down:
        f = math.nextafter(f, -INF if down else INF)
    return f, False


def _bound(x, y, op, down):
    """op (Fraction arithmetic) of two finite bounds rounded outward, or the infinite limit."""
    if math.isinf(x) or math.isinf(y):
        with_inf = {"add": lambda: x + y, "mul": lambda: 0.0 if 0.0 in (x, y) else x * y}[op]()
        return with_inf, True
    exact = Fraction(x) + Fraction(y) if op == "add" else Fraction(x) * Fraction(y)
    return _exact(exact, down)


def _neg(a):
    lo, lc, hi, hc, ok = a
    return (-hi, hc, -lo, lc, ok)


def _add(a, b):
    lo, lo_exact = _bound(a[0], b[0], "add", True)
    hi, hi_exact = _bound(a[2], b[2], "add", False)
    return (lo, math.isfinite(lo) and (not lo_exact or (a[1] and b[1])),
            hi, math.isfinite(hi) and (not hi_exact or (a[3] and b[3])), a[4] and b[4])


def _sub(a, b):
    return _add(a, _neg(b))


def _mul(a, b):
    """The extremes of a bilinear function are among the products of the bounds; a
    product is attained when both factors are, or when one factor is an attained 0."""
    ends = []
    for x, xc in ((a[0], a[1]), (a[2], a[3])):
        for y, yc in ((b[0], b[1]), (b[2], b[3])):
            closed = (xc and yc) or (x == 0.0 and xc) or (y == 0.0 and yc)
            lo, lo_exact = _bound(x, y, "mul", True)
            hi, hi_exact = _bound(x, y, "mul", False)
            ends.append((lo, closed or not lo_exact, hi, closed or not hi_exact))
    lo = min(e[0] for e in ends)
    hi = max(e[2] for e in ends)
    lo_closed = any(e[0] == lo and e[1] for e in ends) and math.isfinite(lo)
    hi_closed = any(e[2] == hi and e[3] for e in ends) and math.isfinite(hi)
    return (lo, lo_closed, hi, hi_closed, a[4] and b[4])


def _reciprocal(b):
    lo, lc, hi, hc, ok = b
    if lo < 0.0 < hi or (lo == 0.0 and lc) or (hi == 0.0 and hc):
        return EVERYTHING  # a division by a value that can be 0
    if lo == 0.0:  # (0, hi]
        new_lo, exact = _inverse(hi, True)
        return (new_lo, hc or not exact, INF, False, ok)
    if hi == 0.0:  # [lo, 0)
        new_hi, exact = _inverse(lo, False)
        return (-INF, False, new_hi, lc or not exact, ok)
    new_lo, lo_exact = _inverse(hi, True)
    new_hi, hi_exact = _inverse(lo, False)
    return (new_lo, (hc or not lo_exact) and math.isfinite(hi),
            new_hi, (lc or not hi_exact) and math.isfinite(lo), ok)


def _inverse(x, down):
    if math.isinf(x):
        return 0.0, True
    return _exact(1 / Fraction(x), down)


def _div(a, b):
    return _mul(a, _reciprocal(b))


def _monotone(a, fn, lo_limit, hi_limit, exact_at=()):
    """An increasing function of a range inside its domain: each bound mapped and rounded
    outward (a step of one ulp covers the library's error unless the result is exact);
    an infinite bound goes to the function's limit there."""
    lo, lc, hi, hc, ok = a

    def image(x, down):
        if math.isinf(x):
            return (lo_limit if x < 0 else hi_limit), True
        try:
            y = fn(x)
        except OverflowError:  # an increasing function: the sign of x's side
            return math.copysign(INF, x), True
        if x in exact_at:
            return y, True
        return math.nextafter(y, -INF if down else INF), False

    new_lo, lo_exact = image(lo, True)
    new_hi, hi_exact = image(hi, False)
    return (new_lo, (lc or not lo_exact) and math.isfinite(new_lo),
            new_hi, (hc or not hi_exact) and math.isfinite(new_hi), ok)


def _exp(a):
    lo, lc, hi, hc, ok = _monotone(a, math.exp, 0.0, INF, exact_at=(0.0,))
    if lo <= 0.0:  # exp is positive: an outward rounding below 0 says nothing
        lo, lc = 0.0, False
    return (lo, lc, hi, hc, ok)


def _log(a):
    if a[0] < 0.0 or (a[0] == 0.0 and a[1]):
        return EVERYTHING
    return _monotone(a, lambda x: math.log(x) if x > 0.0 else -INF, -INF, INF, exact_at=(1.0,))


def _sqrt(a):
    if a[0] < 0.0:
        return EVERYTHING
    return _monotone(a, math.sqrt, 0.0, INF, exact_at=(0.0, 1.0))


def _pow(a, b):
    """a^b: for a positive base, exp(b log a); for a constant integer exponent, the
    power's own monotone pieces; otherwise (a base that can be 0 or negative, to a power
    that can be fractional or negative) undefined somewhere."""
    if a[0] > 0.0 or (a[0] == 0.0 and not a[1]):
        return _exp(_mul(b, _log(a)))
    if b[0] != b[2] or not b[4]:
        return EVERYTHING
    c = b[0]

    def power(r):
        return _monotone(r, lambda x: math.pow(x, c), -INF if c % 2 == 1.0 else 0.0, INF,
                         exact_at=(0.0, 1.0, -1.0))

    if c == 0.0:
        return _point(1.0)
    if c != math.floor(c) or abs(c) > 2.0 ** 53:
        return power(a) if c > 0.0 and a[0] >= 0.0 else EVERYTHING  # [0, hi]^c, 0 at 0
    if c < 0.0:
        return _reciprocal(_pow(a, _point(-c)))
    if c % 2 == 1.0 or a[0] >= 0.0:  # odd: increasing on the whole line
        return power(a)
    if a[2] <= 0.0:  # even, on x <= 0: the power of -x
        return power(_neg(a))
    return _hull(power((0.0, True, a[2], a[3], a[4])), power((0.0, True, -a[0], a[1], a[4])))


def _hull(a, b):
    lo = min(a[0], b[0])
    hi = max(a[2], b[2])
    return (lo, any(r[0] == lo and r[1] for r in (a, b)), hi, any(r[2] == hi and r[3] for r in (a, b)),
            a[4] and b[4])


_OPS = {"add": _add, "sub": _sub, "mul": _mul, "div": _div, "pow": _pow}
_FUNCTIONS = {"log": _log, "exp": _exp, "sqrt": _sqrt}
