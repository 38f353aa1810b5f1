"""A small, safe arithmetic language for derived quantities ('shape/rate^2', 'log(2)/rate').

Grammar (a hand-written recursive-descent parser; Python's eval, compile and ast are
never used, so an expression can do nothing but arithmetic on the parameters):

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary)*
    unary   := '-' unary | '+' unary | power
    power   := atom (('^' | '**') unary)?        right-associative, above unary minus:
                                                 -x^2 = -(x^2), 2^-1 = 0.5, 2^3^2 = 2^9
    atom    := number | parameter | constant | function '(' expr ')' | '(' expr ')'

Numbers: 2, 2.5, .5, 1e-3. Parameters: exactly the names given (they may contain
brackets and other characters, as 'p[a]' or 'w[1]' do). Constant: pi (unless a
parameter is called pi, as the zero-inflated Poisson's is). Functions: log (natural),
exp, sqrt, each of one argument; a caller may allow more of MODEL_FUNCTIONS (a user's own
log-density, mlefit.own.model, also has log1p, expm1, lgamma, digamma, erf, erfc, abs,
pnorm (the standard normal CDF), min(a, b), max(a, b) and where(cond, a, b), whose
condition compares two expressions with < <= > >= == or !=; min(a, b) is where(a <= b, a, b)).

Evaluation follows IEEE arithmetic and never raises: log(0) = -inf, log(-1) = nan,
1/0 = inf, 0/0 = nan, exp(1000) = inf, (-8)^(1/3) = nan.
"""
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import UsageError, plain

FUNCTIONS = ("log", "exp", "sqrt")
MODEL_FUNCTIONS = FUNCTIONS + ("log1p", "expm1", "lgamma", "digamma", "erf", "erfc", "abs", "pnorm",
                               "min", "max", "where")
ARITY = {"min": 2, "max": 2, "where": 3}  # every other function takes one argument
# comparisons, allowed only as where's condition (and only where `where` is allowed)
COMPARISONS = {"<=": "le", ">=": "ge", "==": "eq", "!=": "ne", "<": "lt", ">": "gt"}
CONSTANTS = {"pi": math.pi}
MAX_TOKENS = 300

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_SYMBOLS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")


@dataclass(frozen=True)
class Expression:
    """A parsed expression: `text` as given, the parameter `names` it uses (in order of
    first use), its `tree` (nested tuples: ('num', c), ('name', n), ('neg', x),
    ('add' | 'sub' | 'mul' | 'div' | 'pow', a, b), ('log' | 'exp' | 'sqrt' | ..., x),
    ('where', (comparison, a, b), then, otherwise) with comparison one of COMPARISONS'
    values), and a call on {name: value} -> float."""

    text: str
    names: tuple
    tree: tuple
    _evaluate: Callable

    def __call__(self, values: Mapping[str, float]) -> float:
        return float(self._evaluate(values))


def parse(text, names, functions=FUNCTIONS, data=()):
    """The Expression `text` in the parameters `names`, or UsageError (one line) naming
    the position of the problem and what an expression may contain. functions: the
    function names allowed (a subset of MODEL_FUNCTIONS); data: names of data variables
    allowed besides the parameters (a user's own log-density uses x)."""
    names = tuple(str(n) for n in names)
    try:
        return _Parser(str(text), names, tuple(functions), tuple(data)).run()
    except RecursionError:
        raise UsageError(f"the expression '{plain(text, 80)}' is nested too deeply") from None


def allowed_text(names, functions=FUNCTIONS, data=()):
    """What an expression may contain, for error messages."""
    consts = [c for c in CONSTANTS if c not in names]
    params = ", ".join(plain(n, 40) for n in names[:12]) + (", ..." if len(names) > 12 else "")
    variables = f"the data {' and '.join(data)}, " if data else ""
    return (f"it may use {variables}the parameters ({params}), numbers, + - * / ^, parentheses, "
            f"{', '.join(functions)}" + (f" and the constant {', '.join(consts)}" if consts else ""))


# ---------------------------------------------------------------- tokens
def _tokens(text, names, fail, functions=FUNCTIONS):
    """[(kind, value, start, end)], kind in 'num', 'name', 'const', 'func', 'op'."""
    # names that are not plain identifiers ('p[a]') are matched literally, longest first
    literal = sorted((n for n in names if not _IDENT.fullmatch(n)), key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        name = next((n for n in literal if n and text.startswith(n, i)), None)
        ident = _IDENT.match(text, i)
        if name is not None and (ident is None or len(name) >= ident.end() - i):
            out.append(("name", name, i, i + len(name)))
            i += len(name)
            continue
        if ident is not None:
            word = ident.group()
            if text.startswith("[", ident.end()):  # 'p[z]' for a label that is not there
                close = text.find("]", ident.end())
                word = text[i:close + 1] if close >= 0 else text[i:]
            kind = "name" if word in names else "const" if word in CONSTANTS else \
                "func" if word in functions else None
            if kind is None:
                fail(f"unknown name '{plain(word, 40)}' at position {i + 1}")
            out.append((kind, word, i, ident.end()))
            i = ident.end()
            continue
        number = _NUMBER.match(text, i)
        if number is not None:
            end = number.end()
            if end < len(text) and (text[end].isalnum() or text[end] in "._"):
                fail(f"malformed number '{plain(text[i:end + 1], 40)}' at position {i + 1}")
            out.append(("num", float(number.group()), i, end))
            i = end
            continue
        if ch == ".":
            attr = _IDENT.match(text, i + 1)
            what = f" ('.{attr.group()}')" if attr else ""
            fail(f"attribute access{what} at position {i + 1} is not allowed")
        symbols = (tuple(COMPARISONS) if "where" in functions else ()) + _SYMBOLS
        symbol = next((s for s in symbols if text.startswith(s, i)), None)
        if symbol is None:
            fail(f"unexpected character '{plain(ch)}' at position {i + 1}")
        out.append(("op", "^" if symbol == "**" else symbol, i, i + len(symbol)))
        i += len(symbol)
    return out


# ---------------------------------------------------------------- the parser
class _Parser:
    def __init__(self, text, names, functions=FUNCTIONS, data=()):
        self.text, self.names, self.functions, self.data = text, names, functions, data
        self.used = []
        self.toks = _tokens(text, data + names, self.fail, functions)
        if len(self.toks) > MAX_TOKENS:  # evaluation recurses once per level
            raise UsageError(f"the expression is too long ({len(self.toks)} symbols; at most {MAX_TOKENS})")
        self.k = 0

    def fail(self, problem):
        raise UsageError(f"{problem} in the expression '{plain(self.text, 80)}'; "
                         f"{allowed_text(self.names, self.functions, self.data)}")

    def peek(self):
        return self.toks[self.k] if self.k < len(self.toks) else (None, None, len(self.text), len(self.text))

    def where(self, tok):
        return f"position {tok[2] + 1}"

    def run(self):
        if not self.toks:
            raise UsageError(f"the expression is empty; {allowed_text(self.names, self.functions, self.data)}")
        node = self.expr()
        tok = self.peek()
        if tok[0] is not None:
            if tok[1] == ")":
                self.fail(f"unbalanced ')' at {self.where(tok)}")
            if tok[1] == ",":
                self.fail(f"unexpected ',' at {self.where(tok)}")
            self.no_comparison()
            self.fail(f"expected an operator before '{plain(self._show(tok), 40)}' at {self.where(tok)}")
        return Expression(self.text, tuple(self.used), node, _compile(node))

    def no_comparison(self):
        """Fail on a comparison where an operator or ')' was expected."""
        tok = self.peek()
        if tok[0] == "op" and tok[1] in COMPARISONS:
            self.fail(f"a comparison ('{tok[1]}' at {self.where(tok)}) goes only in where(cond, a, b)")

    def _show(self, tok):
        return self.text[tok[2]:tok[3]]

    def take(self, op):
        tok = self.peek()
        if tok[0] == "op" and tok[1] == op:
            self.k += 1
            return True
        return False

    def expr(self):
        node = self.term()
        while True:
            if self.take("+"):
                node = ("add", node, self.term())
            elif self.take("-"):
                node = ("sub", node, self.term())
            else:
                return node

    def term(self):
        node = self.unary()
        while True:
            if self.take("*"):
                node = ("mul", node, self.unary())
            elif self.take("/"):
                node = ("div", node, self.unary())
            else:
                return node

    def unary(self):
        if self.take("-"):
            return ("neg", self.unary())
        if self.take("+"):
            return self.unary()
        return self.power()

    def power(self):
        base = self.atom()
        if self.take("^"):
            return ("pow", base, self.unary())
        return base

    def atom(self):
        tok = self.peek()
        kind, value = tok[0], tok[1]
        if kind is None:
            self.fail("the expression ends too early (a number, parameter or '(' is missing at the end)")
        self.k += 1
        if kind == "num":
            return ("num", value)
        if kind == "const":
            return ("num", CONSTANTS[value])
        if kind == "name":
            if value not in self.used:
                self.used.append(value)
            return ("name", value)
        if kind == "func":
            return self.call(value, tok)
        if value == "(":
            if self.peek()[1] == ")" and self.peek()[0] == "op":
                self.fail(f"empty parentheses at {self.where(tok)}")
            node = self.expr()
            if not self.take(")"):
                self.no_comparison()
                self.fail(f"unbalanced '(' at {self.where(tok)} (a ')' is missing)")
            return node
        self.fail(f"unexpected '{value}' at {self.where(tok)}")

    def call(self, name, tok):
        arity = ARITY.get(name, 1)
        takes = f"{name} takes exactly one" if arity == 1 else f"{name} takes {arity} arguments"
        if not self.take("("):
            self.fail(f"the function {name} at {self.where(tok)} needs parentheses, as in {name}(x)")
        if self.peek()[0] == "op" and self.peek()[1] == ")":
            self.fail(f"{name}() at {self.where(tok)} has no argument ({takes})")
        args = [self.condition(tok) if name == "where" else self.expr()]
        while self.take(","):
            if len(args) == arity:
                self.fail(f"{name} at {self.where(tok)} is given more than {'one argument' if arity == 1 else arity} "
                          f"({takes})")
            args.append(self.expr())
        if len(args) < arity:
            self.fail(f"{name} at {self.where(tok)} is given {len(args)} argument{'s' if len(args) > 1 else ''} "
                      f"({takes})")
        if not self.take(")"):
            self.no_comparison()
            self.fail(f"unbalanced '(' after {name} at {self.where(tok)} (a ')' is missing)")
        if name in ("min", "max"):
            a, b = args
            return ("where", ("le" if name == "min" else "ge", a, b), a, b)
        return (name, *args)

    def condition(self, tok):
        """where's first argument: expression, comparison, expression."""
        left = self.expr()
        op = self.peek()
        if op[0] != "op" or op[1] not in COMPARISONS:
            self.fail(f"where at {self.where(tok)} needs a comparison first, as in where(x < m, a, b)")
        self.k += 1
        return (COMPARISONS[op[1]], left, self.expr())


# ---------------------------------------------------------------- IEEE arithmetic
def _compile(node):
    """The tree as a call on {name: value} -> float (closures: no tree walk per call)."""
    kind = node[0]
    if kind == "num":
        return lambda v, c=node[1]: c
    if kind == "name":
        return lambda v, n=node[1]: float(v[n])
    if kind == "neg":
        inner = _compile(node[1])
        return lambda v: -inner(v)
    if kind in _UNARY:
        fn, arg = _UNARY[kind], _compile(node[1])
        return lambda v: fn(arg(v))
    if kind == "where":
        cond, then, otherwise = _compile(node[1]), _compile(node[2]), _compile(node[3])
        return lambda v: then(v) if cond(v) else otherwise(v)
    op, left, right = _BINARY[kind], _compile(node[1]), _compile(node[2])
    return lambda v: op(left(v), right(v))


def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


def _div(a, b):
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _odd_integer(b):
    return math.isfinite(b) and b == math.floor(b) and math.fmod(b, 2.0) != 0.0


def _pow(a, b):
    try:
        return math.pow(a, b)
    except OverflowError:
        return -math.inf if a < 0 and _odd_integer(b) else math.inf
    except ValueError:  # 0 to a negative power, or a negative base to a fractional power
        if a == 0.0:
            return math.copysign(math.inf, a) if _odd_integer(b) else math.inf
        return math.nan


def _log(a):
    if a > 0.0:
        return math.log(a)
    return -math.inf if a == 0.0 else math.nan


def _exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _sqrt(a):
    return math.sqrt(a) if a >= 0.0 else math.nan


def _lgamma(a):
    import scipy.special  # only when an expression uses it
    return float(scipy.special.gammaln(a))


def _digamma(a):
    import scipy.special
    return float(scipy.special.digamma(a))


def _log1p(a):
    return math.log1p(a) if a > -1.0 else (-math.inf if a == -1.0 else math.nan)


def _expm1(a):
    try:
        return math.expm1(a)
    except OverflowError:
        return math.inf


def _pnorm(a):
    return 0.5 * math.erfc(-a / math.sqrt(2.0))


_UNARY = {"log": _log, "exp": _exp, "sqrt": _sqrt, "log1p": _log1p, "expm1": _expm1,
          "lgamma": _lgamma, "digamma": _digamma, "erf": math.erf, "erfc": math.erfc, "abs": math.fabs,
          "pnorm": _pnorm}
_BINARY = {"add": _add, "sub": _sub, "mul": _mul, "div": _div, "pow": _pow,
           "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b,
           "ge": lambda a, b: a >= b, "eq": lambda a, b: a == b, "ne": lambda a, b: a != b}
