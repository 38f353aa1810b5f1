"""Model formulas (Wilkinson notation) for `regress --formula`: checked here, expanded by
formulaic. formulaic evaluates a formula's terms as Python (a `{...}` block or any
function call runs), so a formula is first checked against a small grammar: column
names (bare or in backticks), numbers, the operators ~ + - * / : ^ ( ), and calls of
C (categorical), log, log1p, exp, sqrt, center, scale and poly. Nothing else reaches
formulaic."""
import re

from ..errors import UsageError, plain

CALLS = {"C", "log", "log1p", "exp", "sqrt", "center", "scale", "poly"}
TOKEN = re.compile(r"\s+|`[^`]+`|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|[~+\-*/:^(),]|\.(?![A-Za-z_0-9])")
REST = "."  # 'y ~ .': every other column of the data (expand_rest)
NUMPY = {"log": "np.log", "log1p": "np.log1p", "exp": "np.exp", "sqrt": "np.sqrt"}


def check(text):
    """The formula's tokens, or UsageError naming what the grammar does not allow."""
    tokens, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:
            raise UsageError(f"--formula: '{plain(text[pos:pos + 20])}' is not allowed in a formula (column "
                             f"names, numbers, ~ + - * / : ^ ( ) and the calls {', '.join(sorted(CALLS))}); "
                             f"put a column name with other characters in backticks")
        if not m.group().isspace():
            tokens.append(m.group())
        pos = m.end()
    if tokens.count("~") != 1:
        raise UsageError("--formula needs one '~' between the response and the terms, e.g. 'y ~ x1 + C(group)'")
    for i, tok in enumerate(tokens):
        if tok == REST and not (i > tokens.index("~") and tokens[i - 1] in ("~", "+")
                                and (i + 1 == len(tokens) or tokens[i + 1] in ("+", "-"))):
            raise UsageError("--formula: '.' stands for every other column, as a term of its own after '~' or "
                             "'+' (e.g. 'y ~ .' or 'y ~ . - x3')")
        call = _is_name(tok) and i + 1 < len(tokens) and tokens[i + 1] == "("
        if call and tok not in CALLS:
            raise UsageError(f"--formula: '{plain(tok)}(' is not an allowed call ({', '.join(sorted(CALLS))})")
        if tok.startswith("__"):
            raise UsageError(f"--formula: '{plain(tok)}' is not a column name")
        if tok == "^" and i > 0 and _is_name(tokens[i - 1]):
            raise UsageError(f"--formula: '{plain(tokens[i - 1])}^' raises a term to a power in Wilkinson notation "
                             f"((a + b)^2 is a + b + a:b), so {plain(tokens[i - 1])}^2 would be "
                             f"{plain(tokens[i - 1])} alone; for its square use poly({plain(tokens[i - 1])}, 2)")
    return tokens


def parse(text):
    """(response column, right-hand side as formulaic reads it, column names it uses: REST
    among them for '.', every column not otherwise used, which expand_rest fills in)."""
    tokens = check(text)
    tilde = tokens.index("~")
    lhs, rhs = tokens[:tilde], tokens[tilde + 1:]
    if len(lhs) != 1 or lhs[0] in CALLS or not _is_name(lhs[0]):
        raise UsageError("--formula: the left of '~' must be the response column's name (transform it in the file)")
    if not rhs:
        raise UsageError("--formula: nothing to the right of '~' (use 'y ~ 1' for the intercept alone)")
    names = []
    for i, tok in enumerate(rhs):
        if _is_name(tok) and not (i + 1 < len(rhs) and rhs[i + 1] == "(") and tok not in names:
            names.append(tok.strip("`"))
    if REST in rhs:
        names.append(REST)
    parts = []
    for i, t in enumerate(rhs):
        call = i + 1 < len(rhs) and rhs[i + 1] == "("
        glued = t == "(" and i > 0 and rhs[i - 1] in CALLS  # a call keeps its parenthesis
        parts.append(("" if glued or not parts else " ") + (NUMPY.get(t, t) if call else t))
    return lhs[0].strip("`"), "".join(parts), names


def expand_rest(rhs, columns):
    """The right-hand side with '.' replaced by the columns `columns` (in backticks)."""
    if not columns:
        raise UsageError("--formula: '.' stands for every other column, and the data have none")
    terms = "(" + " + ".join(f"`{c}`" for c in columns) + ")"
    return " ".join(terms if t == REST else t for t in rhs.split(" "))


def _is_name(tok):
    return tok.startswith("`") or tok[0].isalpha() or tok[0] == "_"


def design(rhs, columns, intercept, state=None, rows=None, where="--formula"):
    """(X as a Fortran-ordered float64 array, column names, state) of the terms `rhs` over
    the dict `columns` (text columns are categorical); `intercept` False removes it.
    state: what reproduces the design on new rows (JSON-ready: the formula, the levels of
    each categorical variable, the stateful transforms' state); given, the design is made
    with it (mlefit predict), new levels refused. rows: the number of rows (a formula
    without variables, 'y ~ 1', has no column to tell); where: how messages name the
    formula."""
    import numpy as np
    import pandas as pd
    from formulaic import ModelSpec, model_matrix

    text = rhs if intercept else f"{rhs} - 1"
    frame = pd.DataFrame(columns, index=range(rows) if rows is not None else None)
    import warnings
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # log(0), sqrt(-1): said below, once
            mm = _expand(text, frame, state, model_matrix, ModelSpec)
    except Exception as exc:  # formulaic's own errors: one line naming the formula
        shown = re.sub(r"\(\s*(.*?)\s*\)", r"(\1)", plain(rhs).replace("np.", ""))
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        nulls = re.search(r"`([^`]+)` contains null values after evaluation", first)
        if nulls:
            term = re.sub(r"\(\s*(.*?)\s*\)", r"(\1)", nulls.group(1).replace("np.", ""))
            raise UsageError(f"{where}: {plain(term)} is not a number in some rows (a log of values at or below 0, "
                             f"or a sqrt of negative ones?); transform only a column whose values allow it") from None
        raise UsageError(f"{where}: formulaic cannot expand '{shown}': {plain(first)}") from None
    X = np.asfortranarray(mm.to_numpy(dtype=np.float64))
    if state is None:
        state = {"rhs": rhs, "intercept": bool(intercept), "categories": _categories(mm.model_spec, columns),
                 "transform_state": _plain_json(mm.model_spec.transform_state)}
    return X, tuple(_shown(str(c)) for c in mm.columns), state


def _expand(text, frame, state, model_matrix, ModelSpec):
    """formulaic's model matrix of `text` over `frame` (with `state`: as saved)."""
    import pandas as pd
    if state is None:
        return model_matrix(text, frame, na_action="raise")
    for var, levels in state["categories"].items():
        frame[var] = pd.Categorical(frame[var], categories=levels)
    return ModelSpec(formula=text, transform_state=_int_keys(state["transform_state"])).get_model_matrix(
        frame, na_action="raise")


def _categories(spec, columns):
    """{variable: its levels in the order formulaic encoded them}, for each categorical
    factor that is a column or C(column)."""
    out = {}
    for factor, (kind, enc) in spec.encoder_state.items():
        name = str(factor)
        inner = name[2:-1].strip().strip("`") if name.startswith("C(") and name.endswith(")") else name
        if "categories" in enc and inner in columns:
            out[inner] = [v.item() if hasattr(v, "item") else v for v in enc["categories"]]
    return out


def _int_keys(value):
    """The transforms' state as formulaic keeps it: JSON turned poly's whole-number keys
    into text, which it does not find."""
    if isinstance(value, dict):
        return {int(k) if isinstance(k, str) and k.isdigit() else k: _int_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_int_keys(v) for v in value]
    return value


def _plain_json(value):
    """numpy scalars and arrays as plain floats and lists (the transforms' state)."""
    import numpy as np
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def level_text(v):
    """A level as design() names it: a whole number read as a float without '.0'."""
    v = v.item() if hasattr(v, "item") else v
    return str(int(v)) if isinstance(v, float) and v.is_integer() and abs(v) < 2.0 ** 53 else str(v)


WHOLE_LEVEL = re.compile(r"\[T\.(-?\d+)\.0\]")


def _shown(name):
    """A term's name as the user wrote it: log(age), not np.log(age); a level that is a
    whole number read as a float (a CSV's 1, 2, 3) without its '.0': C(k)[T.2]."""
    for short, full in NUMPY.items():
        name = name.replace(f"{full}(", f"{short}(")
    return WHOLE_LEVEL.sub(r"[T.\1]", name)
