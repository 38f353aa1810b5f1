"""The safe expression language of derived quantities (mlefit.inference.expression): arithmetic and
precedence against Python's own arithmetic on the same numbers, IEEE results instead of
exceptions, and one-line UsageErrors for everything that is not arithmetic."""
import builtins
import math
import pathlib
import re

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from mlefit.errors import UsageError
from mlefit.inference.expression import parse

NAMES = ("shape", "rate")
AT = {"shape": 2.5, "rate": 0.75}


@pytest.mark.parametrize("text, expected", [
    ("2+3*4", 2.0 + 3.0 * 4.0),
    ("(2+3)*4", (2.0 + 3.0) * 4.0),
    ("1-2-3", (1.0 - 2.0) - 3.0),
    ("8/4/2", (8.0 / 4.0) / 2.0),
    ("2*3/4*5", ((2.0 * 3.0) / 4.0) * 5.0),
    ("-2^2", -(2.0 ** 2.0)),
    ("-2**2", -(2.0 ** 2.0)),
    ("(-2)^2", (-2.0) ** 2.0),
    ("2^3^2", 2.0 ** (3.0 ** 2.0)),
    ("2**3**2", 2.0 ** (3.0 ** 2.0)),
    ("2^-1", 2.0 ** -1.0),
    ("-3*-2", -3.0 * -2.0),
    ("--3", 3.0),
    ("+-+1", -1.0),
    ("1 - -1", 2.0),
    (".5e1 + 1e-3 + 1.", 5.0 + 0.001 + 1.0),
    ("2E+2", 200.0),
    ("2*(3+4)^2/7", 2.0 * (3.0 + 4.0) ** 2.0 / 7.0),
    ("3-2^2*2", 3.0 - (2.0 ** 2.0) * 2.0),
    ("log(exp(2.5))", math.log(math.exp(2.5))),
    ("sqrt(16) + pi", 4.0 + math.pi),
    ("exp(-1^2/2)", math.exp(-(1.0 ** 2.0) / 2.0)),
    ("log(2)/0.5", math.log(2.0) / 0.5),
])
def test_arithmetic_and_precedence_match_python(text, expected):
    e = parse(text, NAMES)
    assert e({}) == expected
    assert e.names == () and e.text == text


def test_parameters_are_looked_up_by_name_in_order_of_use():
    e = parse("rate * shape / rate^2", NAMES)
    assert e.names == ("rate", "shape")
    assert e(AT) == 0.75 * 2.5 / 0.75 ** 2
    assert parse("shape/rate^2", NAMES)(AT) == 2.5 / 0.75 ** 2


def test_bracketed_names_are_matched_exactly():
    names = ("w[1]", "mu[1]", "w[2]", "mu[2]", "w[12]")
    e = parse("w[1]*mu[1] + w[2]*mu[2] - w[12]", names)
    assert e.names == ("w[1]", "mu[1]", "w[2]", "mu[2]", "w[12]")
    assert e({"w[1]": 0.25, "mu[1]": -1.0, "w[2]": 0.75, "mu[2]": 3.0, "w[12]": 1.0}) == 0.25 * -1.0 + 0.75 * 3.0 - 1.0
    labels = ("p[a b]", "p[x+y]", "p[1]")  # categorical labels may hold any characters
    e = parse("p[x+y] / (1 - p[a b]) + p[1]", labels)
    assert e({"p[a b]": 0.5, "p[x+y]": 0.25, "p[1]": 0.25}) == 0.25 / 0.5 + 0.25
    with pytest.raises(UsageError, match=r"unknown name 'p\[z\]'"):
        parse("p[z]", labels)


def test_a_parameter_named_pi_wins_over_the_constant():
    assert parse("pi * rate", ("pi", "rate"))({"pi": 0.25, "rate": 2.0}) == 0.5
    assert parse("pi", NAMES)({}) == math.pi


def test_identifiers_are_not_matched_by_prefix():
    with pytest.raises(UsageError, match="unknown name 'rates'"):
        parse("rates", NAMES)
    with pytest.raises(UsageError, match="unknown name 'logx'"):
        parse("logx(2)", NAMES)


@pytest.mark.parametrize("text, expected", [
    ("1/0", math.inf), ("-1/0", -math.inf), ("1/-0", -math.inf), ("0/0", math.nan),
    ("log(0)", -math.inf), ("log(-1)", math.nan), ("sqrt(-1)", math.nan),
    ("exp(1000)", math.inf), ("exp(-1000)", 0.0), ("(-8)^(1/3)", math.nan),
    ("0^-1", math.inf), ("10^400", math.inf), ("(-10)^401", -math.inf), ("(-10)^400", math.inf),
    ("1e308*10", math.inf), ("1e308*10 - 1e308*10", math.nan), ("0^0", 1.0),
])
def test_math_errors_give_ieee_values_not_exceptions(text, expected):
    value = parse(text, NAMES)({})
    assert (math.isnan(value) and math.isnan(expected)) or value == expected


@pytest.mark.parametrize("text, words", [
    ("__import__('os')", ["unknown name '__import__'", "position 1", "shape, rate", "log, exp, sqrt"]),
    ("shape.real", ["attribute access", "'.real'", "not allowed"]),
    ("().__class__", ["attribute access"]),
    ("rate; import os", ["unexpected character ';'", "position 5"]),
    ("lambda: 1", ["unknown name 'lambda'"]),
    ("[1]", ["unexpected character '['"]),
    ("shape rate", ["expected an operator before 'rate'", "position 7"]),
    ("", ["empty"]),
    ("   ", ["empty"]),
    ("log()", ["log() at position 1 has no argument"]),
    ("exp(1,2)", ["more than one argument", "exp takes exactly one"]),
    ("unknown_name", ["unknown name 'unknown_name'"]),
    ("log", ["needs parentheses"]),
    ("sqrt 4", ["needs parentheses"]),
    ("(shape", ["unbalanced '('"]),
    ("shape)", ["unbalanced ')'"]),
    ("exp(shape", ["a ')' is missing"]),
    ("()", ["empty parentheses"]),
    ("shape +", ["ends too early"]),
    ("*2", ["unexpected '*'"]),
    ("2x", ["malformed number '2x'"]),
    ("1e", ["malformed number"]),
    ("1..2", ["malformed number"]),
    ("shape,rate", ["unexpected ','"]),
    ("'a'", ["unexpected character"]),
    ("shape\nrate", ["expected an operator"]),
    ("shape == rate", ["unexpected character '='"]),
    ("a" * 500, ["unknown name"]),
    ("+".join(["1"] * 400), ["too long"]),
])
def test_everything_but_arithmetic_is_refused_in_one_line(text, words):
    with pytest.raises(UsageError) as err:
        parse(text, NAMES)
    message = str(err.value)
    assert "\n" not in message and len(message) < 400
    for word in words:
        assert word in message


def test_the_module_never_evaluates_python():
    source = pathlib.Path(parse.__code__.co_filename).read_text()
    assert not re.search(r"(?<![\w.])(eval|exec|compile)\s*\(", source)  # re.compile is fine
    assert not re.search(r"^\s*(import|from)\s+ast\b", source, re.MULTILINE)
    assert "__import__" not in source and "getattr" not in source


def test_parsing_and_evaluation_do_not_call_eval(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec/compile called")
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, refuse)
    assert parse("-shape^2 + log(rate)*2", NAMES)(AT) == -(2.5 ** 2) + math.log(0.75) * 2


# ---------------------------------------------------------------- property: agree with Python
PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "num": 5}
numbers = st.one_of(st.integers(0, 1000).map(float),
                    st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False))


def trees(leaves):
    return st.recursive(leaves, lambda sub: st.one_of(
        st.tuples(st.sampled_from("+-*/"), sub, sub),
        st.tuples(st.just("neg"), sub)), max_leaves=12)


def text_of(node, spaced):
    """Printed with only the parentheses precedence needs (left-associative + - * /,
    unary minus binding tighter than both)."""
    sp = " " if spaced else ""
    if isinstance(node, float):
        return repr(node)
    if node[0] == "neg":
        inner = text_of(node[1], spaced)
        return "-" + (inner if _prec(node[1]) >= PREC["neg"] else f"({inner})")
    op, left, right = node
    lt, rt = text_of(left, spaced), text_of(right, spaced)
    if _prec(left) < PREC[op]:
        lt = f"({lt})"
    if _prec(right) <= PREC[op]:
        rt = f"({rt})"
    return f"{lt}{sp}{op}{sp}{rt}"


def _prec(node):
    return PREC["num"] if isinstance(node, float) else PREC[node[0]]


@given(trees(numbers), st.booleans())
def test_random_arithmetic_agrees_with_python(tree, spaced):
    text = text_of(tree, spaced)
    try:
        # Python's own parser and arithmetic on text made here of numbers and + - * / ( ) only
        expected = eval(text, {"__builtins__": {}}, {})  # generated, trusted text
    except ZeroDivisionError:
        reject()
    value = parse(text, ())({})
    assert value == expected or (math.isnan(value) and math.isnan(expected)), text


@given(st.lists(st.tuples(st.sampled_from(["+", "-", "*", "/", "^", "**"]),
                          st.integers(1, 9).map(float)), min_size=1, max_size=6),
       st.integers(1, 9).map(float), st.booleans())
def test_flat_chains_with_powers_agree_with_python(chain, first, negate):
    """a op b op c ... with ^ as Python's **: right-associative and above unary minus."""
    text = ("-" if negate else "") + repr(first) + "".join(f"{op}{b!r}" for op, b in chain)
    try:
        expected = eval(text.replace("^", "**"), {"__builtins__": {}}, {})
    except (ZeroDivisionError, OverflowError):
        reject()
    if isinstance(expected, complex):
        reject()
    value = parse(text, ())({})
    assert value == expected or (math.isnan(value) and math.isnan(expected)), text
