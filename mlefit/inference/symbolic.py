"""Exact derivatives of a parsed expression (mlefit.inference.expression trees) and their
vectorised evaluation with numpy.

`derivative(tree, name)` differentiates symbolically and simplifies a little (constants
folded; 0 and 1 in sums, products, quotients and powers dropped), so the gradient and
Hessian of a user's log-density are expression trees themselves, exact to rounding, and
never finite differences. `evaluate(trees, env)` evaluates several trees at once over
numpy arrays (the data variable a column, the parameters scalars), each shared subtree
once: a Hessian entry reuses the pieces of the gradient and of the log-density.

Trees are the parser's nested tuples; differentiation adds internal nodes the parser
never makes: ('psi', n, a), the polygamma function of order n (digamma's derivatives),
and ('sign', a), abs's derivative. where(cond, a, b) (and min, max, written as it) is
differentiated branch by branch: the derivative of a piecewise expression wherever it is
smooth; at a kink (abs at 0, min where a = b) the branch the condition picks."""
import math

import numpy as np

from ..errors import UsageError

ZERO, ONE = ("num", 0.0), ("num", 1.0)


def depends(tree, name):
    """Whether `name` occurs in `tree`."""
    kind = tree[0]
    if kind == "num":
        return False
    if kind == "name":
        return tree[1] == name
    return any(depends(t, name) for t in tree[1:] if isinstance(t, tuple))


def derivative(tree, name):
    """d tree / d name, simplified; UsageError if the expression is nested too deeply."""
    try:
        return _d(tree, name)
    except RecursionError:
        raise UsageError("the expression is nested too deeply to differentiate") from None


def _d(t, v):
    kind = t[0]
    if kind == "num":
        return ZERO
    if kind == "name":
        return ONE if t[1] == v else ZERO
    if not depends(t, v):
        return ZERO
    if kind == "neg":
        return neg(_d(t[1], v))
    if kind in ("add", "sub"):
        return (add if kind == "add" else sub)(_d(t[1], v), _d(t[2], v))
    if kind == "mul":
        a, b = t[1], t[2]
        return add(mul(_d(a, v), b), mul(a, _d(b, v)))
    if kind == "div":
        a, b = t[1], t[2]
        return sub(div(_d(a, v), b), div(mul(a, _d(b, v)), power(b, ("num", 2.0))))
    if kind == "pow":
        a, b = t[1], t[2]
        if not depends(b, v):  # b a^(b-1) a'
            return mul(mul(b, power(a, sub(b, ONE))), _d(a, v))
        if not depends(a, v):  # a^b log(a) b'
            return mul(mul(t, func("log", a)), _d(b, v))
        return mul(t, add(mul(_d(b, v), func("log", a)), div(mul(b, _d(a, v)), a)))
    if kind == "psi":
        return mul(("psi", t[1] + 1, t[2]), _d(t[2], v))
    if kind == "where":  # the condition is piecewise constant: its derivative is 0 where defined
        return where(t[1], _d(t[2], v), _d(t[3], v))
    if kind == "sign":
        return ZERO
    a = t[1]
    inner = _d(a, v)
    outer = {
        "log": lambda: div(ONE, a),
        "exp": lambda: t,
        "sqrt": lambda: div(ONE, mul(("num", 2.0), t)),
        "log1p": lambda: div(ONE, add(ONE, a)),
        "expm1": lambda: func("exp", a),
        "lgamma": lambda: func("digamma", a),
        "digamma": lambda: ("psi", 1, a),
        "erf": lambda: mul(("num", 2.0 / math.sqrt(math.pi)), func("exp", neg(power(a, ("num", 2.0))))),
        "erfc": lambda: mul(("num", -2.0 / math.sqrt(math.pi)), func("exp", neg(power(a, ("num", 2.0))))),
        "abs": lambda: func("sign", a),
        "pnorm": lambda: mul(("num", 1.0 / math.sqrt(2.0 * math.pi)),
                             func("exp", neg(div(power(a, ("num", 2.0)), ("num", 2.0))))),
    }[kind]()
    return mul(outer, inner)


# ---------------------------------------------------------------- simplifying builders
def _num(t):
    return t[1] if t[0] == "num" else None


def func(name, a):
    if _num(a) is not None:
        return ("num", float(_scalar(name, a[1])))
    return (name, a)


def neg(a):
    if _num(a) is not None:
        return ("num", -a[1])
    if a[0] == "neg":
        return a[1]
    return ("neg", a)


def add(a, b):
    if _num(a) == 0.0:
        return b
    if _num(b) == 0.0:
        return a
    if _num(a) is not None and _num(b) is not None:
        return ("num", a[1] + b[1])
    if b[0] == "neg":
        return sub(a, b[1])
    return ("add", a, b)


def sub(a, b):
    if _num(b) == 0.0:
        return a
    if _num(a) == 0.0:
        return neg(b)
    if _num(a) is not None and _num(b) is not None:
        return ("num", a[1] - b[1])
    if a == b:
        return ZERO
    if b[0] == "neg":
        return add(a, b[1])
    return ("sub", a, b)


def mul(a, b):
    if _num(a) == 0.0 or _num(b) == 0.0:
        return ZERO
    if _num(a) == 1.0:
        return b
    if _num(b) == 1.0:
        return a
    if _num(a) == -1.0:
        return neg(b)
    if _num(b) == -1.0:
        return neg(a)
    if _num(a) is not None and _num(b) is not None:
        return ("num", a[1] * b[1])
    if a[0] == "neg":
        return neg(mul(a[1], b))
    if b[0] == "neg":
        return neg(mul(a, b[1]))
    return ("mul", a, b)


def div(a, b):
    if _num(a) == 0.0:
        return ZERO
    if _num(b) == 1.0:
        return a
    if _num(a) is not None and _num(b) not in (None, 0.0):
        return ("num", a[1] / b[1])
    if a[0] == "neg":
        return neg(div(a[1], b))
    return ("div", a, b)


def where(cond, a, b):
    if a == b:
        return a
    return ("where", cond, a, b)


def power(a, b):
    if _num(b) == 0.0:
        return ONE
    if _num(b) == 1.0:
        return a
    if _num(a) is not None and _num(b) is not None:
        with np.errstate(all="ignore"):
            return ("num", float(np.power(a[1], b[1])))
    return ("pow", a, b)


# ---------------------------------------------------------------- numpy evaluation
def evaluate(trees, env):
    """The values of `trees` (numpy arrays or floats) with env {name: array or float};
    each distinct subtree is evaluated once. IEEE arithmetic: log(0) = -inf, 0/0 = nan."""
    cache = {}
    with np.errstate(all="ignore"):
        try:
            return [_eval(t, env, cache) for t in trees]
        except RecursionError:
            raise UsageError("the expression is nested too deeply to evaluate") from None


def _eval(t, env, cache):
    found = cache.get(t)
    if found is not None:
        return found
    kind = t[0]
    if kind == "num":
        out = t[1]
    elif kind == "name":
        out = env[t[1]]
    elif kind == "neg":
        out = -_eval(t[1], env, cache)
    elif kind in _BINARY:
        out = _BINARY[kind](_eval(t[1], env, cache), _eval(t[2], env, cache))
    elif kind == "psi":
        from scipy.special import polygamma
        out = polygamma(t[1], _eval(t[2], env, cache))
    elif kind == "where":
        out = np.where(_eval(t[1], env, cache), _eval(t[2], env, cache), _eval(t[3], env, cache))
    else:
        out = _vector(kind, _eval(t[1], env, cache))
    cache[t] = out
    return out


_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
           "pow": lambda a, b: np.power(np.asarray(a, dtype=np.float64), b),
           "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal, "eq": np.equal,
           "ne": np.not_equal}


def _vector(name, a):
    if name in ("lgamma", "digamma", "erf", "erfc", "pnorm"):
        import scipy.special as sp
        fn = {"lgamma": sp.gammaln, "digamma": sp.digamma, "erf": sp.erf, "erfc": sp.erfc, "pnorm": sp.ndtr}[name]
        return fn(a)
    return {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "log1p": np.log1p, "expm1": np.expm1, "abs": np.abs,
            "sign": np.sign}[name](a)


def _scalar(name, a):
    with np.errstate(all="ignore"):
        return float(_vector(name, np.float64(a)))
