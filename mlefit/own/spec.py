"""The text of a user's own model: `--params "k>0=1, p:(0,1)=0.5, mu=0"` (each
parameter's domain and start) and `--support "x>=1, integer"` (where the data may lie).

    parameter := NAME '>0' '=' START      positive: estimated on the log scale
               | NAME ':(0,1)' '=' START  a probability: on the logit scale
               | NAME '=' START           the real line
    support   := clause (',' clause)*     clause: x>=A, x>A, x<=B, x<B, integer

Other bounds (k>1, p:(2,5)) are refused with the way out: write the parameter as a
shift or an affine map of a positive or (0,1) one inside the expression."""
import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import UsageError, plain
from ..inference.expression import MODEL_FUNCTIONS
from ..families.catalog import POSITIVE, REAL, UNIT

DATA = "x"  # the data variable of the expression
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf"
_PARAM = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*)\s*(>\s*([^=]*)|:\s*\(([^)]*)\)\s*)?(=\s*(.*))?$")
_CLAUSE = re.compile(rf"^\s*x\s*(>=|<=|>|<)\s*({_NUMBER})\s*$")
PARAMS_HELP = "write each as NAME>0=START (positive), NAME:(0,1)=START (a probability) or NAME=START (any real)"


@dataclass(frozen=True)
class Parameter:
    """A parameter of a user's own model: its name, domain and start."""

    name: str
    domain: str
    start: float


@dataclass(frozen=True)
class Support:
    """The support of a user's own model: its bounds, whether open, whether whole numbers."""

    lo: float
    lo_open: bool
    hi: float
    hi_open: bool
    integer: bool
    text: str

    def outside(self, x):
        """Boolean mask of the values of x outside the support."""
        x = np.asarray(x, dtype=np.float64)
        out = ~np.isfinite(x) | ((x <= self.lo) if self.lo_open else (x < self.lo))
        out |= (x >= self.hi) if self.hi_open else (x > self.hi)
        if self.integer:
            out |= x != np.floor(x)
        return out


def parameters(text):
    """The Parameters of --params, in order, or UsageError (one line)."""
    if text is None or not str(text).strip():
        raise UsageError(f"--params lists the model's parameters with their starts, e.g. 'k>0=1, lam>0=50'; "
                         f"{PARAMS_HELP}")
    out = []
    for part in re.split(r",(?![^(]*\))", str(text)):  # not the comma inside (0,1)
        found = _PARAM.match(part)
        if found is None or not part.strip():
            raise UsageError(f"--params: cannot read '{plain(part.strip(), 40)}'; {PARAMS_HELP}")
        name, bound, interval, start = found.group(1), found.group(3), found.group(4), found.group(6)
        if name == DATA or name in MODEL_FUNCTIONS:
            raise UsageError(f"--params: '{name}' cannot name a parameter (it is the data variable or a "
                             f"function); choose another name")
        if any(p.name == name for p in out):
            raise UsageError(f"--params: the parameter '{name}' is listed twice")
        domain = _domain(name, bound, interval)
        if start is None or not start.strip():
            raise UsageError(f"--params: the parameter '{name}' has no start value; {PARAMS_HELP}, "
                             f"e.g. {name}{'>0' if domain == POSITIVE else ''}=1")
        value = _float(start, f"--params: the start of '{name}' must be a number (got '{plain(start, 30)}')")
        ok = {REAL: math.isfinite(value), POSITIVE: 0 < value < math.inf, UNIT: 0 < value < 1}[domain]
        if not ok:
            where = {REAL: "finite", POSITIVE: "above 0", UNIT: "strictly between 0 and 1"}[domain]
            raise UsageError(f"--params: the start {name}={value:g} must be {where}")
        out.append(Parameter(name, domain, value))
    return tuple(out)


def _domain(name, bound, interval):
    if bound is not None:
        if not (_is_number(bound) and float(bound) == 0.0):
            raise UsageError(f"--params: only '{name}>0' is a bound mlefit handles (got '{name}>{plain(bound, 20)}'); "
                             f"write the parameter as c + {name} with {name}>0 in the expression")
        return POSITIVE
    if interval is not None:
        ends = [e.strip() for e in interval.split(",")]
        if len(ends) != 2 or not all(_is_number(e) for e in ends) or tuple(map(float, ends)) != (0.0, 1.0):
            raise UsageError(f"--params: only the interval '{name}:(0,1)' is handled (got "
                             f"'{name}:({plain(interval, 20)})'); write the parameter as a + (b-a)*{name} "
                             f"with {name}:(0,1) in the expression")
        return UNIT
    return REAL


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _float(text, message):
    try:
        return float(text)
    except ValueError:
        raise UsageError(message) from None


def support(text, discrete):
    """The Support of --support (default: any real number for --logpdf, the counts
    0, 1, 2, ... for --logpmf), or UsageError."""
    if text is None:
        text = "x>=0, integer" if discrete else "the real line"
        return Support(0.0 if discrete else -math.inf, False, math.inf, False, discrete, text)
    lo, lo_open, hi, hi_open, integer = -math.inf, False, math.inf, False, False
    for part in str(text).split(","):
        clause = part.strip().lower()
        if clause == "integer":
            integer = True
            continue
        found = _CLAUSE.match(clause)
        if found is None:
            raise UsageError(f"--support: cannot read '{plain(part.strip(), 40)}'; write clauses such as "
                             f"'x>0', 'x>=1', 'x<1' and 'integer', separated by commas")
        op, value = found.group(1), float(found.group(2))
        if op[0] == ">":
            lo, lo_open = value, op == ">"
        else:
            hi, hi_open = value, op == "<"
    if not lo < hi:
        raise UsageError(f"--support '{plain(text, 40)}' holds no value (its lower bound is not below its upper)")
    if integer and not discrete:
        raise UsageError("--support: 'integer' goes with --logpmf (a mass function); --logpdf is a density "
                         "of continuous values")
    if discrete and not integer:
        raise UsageError("--support: --logpmf is a mass on whole numbers: add 'integer', e.g. 'x>=0, integer'")
    if discrete and not math.isfinite(lo):
        raise UsageError("--support: a mass function needs a lower bound (e.g. 'x>=0, integer') so that "
                         "its sum over the support can be checked")
    return Support(lo, lo_open, hi, hi_open, integer, str(text).strip())


def inferred(where, tree, names, starts):
    """The default support of a density (the real line) narrowed to x > 0, or to
    0 < x < 1, when the expression is undefined (NaN) at the start values everywhere
    below 0 (and above 1) and defined between: log(x), log(1 - x) and x^k for real k
    say where the data may lie. `where` as given otherwise (and always for a mass or an
    explicit --support)."""
    from ..inference import symbolic

    if where.integer or where.text != "the real line":
        return where
    below = -np.logspace(-6, 6, 25)
    inside, above = np.linspace(0.05, 0.95, 19), 1.0 + np.logspace(-6, 6, 25)
    env = dict(zip(names, starts))

    def undefined(x):
        return np.isnan(symbolic.evaluate([tree], {**env, DATA: x})[0] + np.zeros(x.size))

    if not undefined(below).all() or undefined(inside).any():
        return where
    if undefined(above).all():
        return Support(0.0, True, 1.0, True, False, "0 < x < 1 (where the expression is defined; --support to say otherwise)")
    return Support(0.0, True, math.inf, False, False, "x > 0 (where the expression is defined; --support to say otherwise)")

