"""What each family is: names, parameters, support, and its scipy/R equivalents, read from
the families' own files without importing them.

Each family declares itself in one file, families/<name>.py, as `SPEC = Spec(...)` written
with literals (strings, numbers, tuples, Param and the domain names below). This module
reads that one statement from each file's text (ast) without executing the file, which
imports numpy: `mlefit --help` and `mlefit families` stay instant, and adding a family
is adding its file. The file executes the same statement when it is imported (the fast
path's record, `NAME.upper()`, and the per-row record, `DENSITY`, live there too);
families/__init__.py finds it by its name.
"""
import ast
import marshal
import os
import sys
import time
import zlib
from typing import NamedTuple

# parameter domains: how an interval is built and mapped back
REAL = "real"          # identity scale
POSITIVE = "positive"  # log scale
UNIT = "unit"          # logit scale, a probability in (0, 1)

SUPPORT_TEXT = {
    "binary": "0 or 1 (also true/false)",
    "count": "non-negative integers 0, 1, 2, ...",
    "real": "any finite real number",
    "nonnegative": "real numbers >= 0",
    "positive": "real numbers > 0",
    "unit_open": "real numbers strictly between 0 and 1",
    "labels": "any labels (strings or numbers)",
}


class Param(NamedTuple):
    """A parameter of a family: its name, domain (REAL, POSITIVE, UNIT) and meaning."""

    name: str
    domain: str
    meaning: str


class Regression(NamedTuple):
    """How `mlefit regress` fits a family (linear_model.REGRESSED is made of these)."""

    rank: int  # its place in regress's lists of families (messages)
    target: int | None  # the parameter the covariates move (None: categorical's K - 1 predictors, softmax)
    link: str  # the default link
    links: tuple  # the links allowed
    record: str = "DENSITY"  # the per-row record in the family's file (gamma by its mean: MEAN)
    mean_model: bool = True  # False: not for --mean (a linear program, or a fixed shape)
    aft: bool = False  # an accelerated failure time model: log of the time scale = x'b, exp(b) a time ratio
    censored: bool = False  # takes a censored response (every AFT family; normal: Tobit)
    # where the mean's MLE runs to the edge with the responses (the intercept to infinity, or
    # a slope by separation): "zero" (counts all 0: poisson, negative_binomial), "both"
    # (every response 0, or every one at its trials: bernoulli, binomial), "" nowhere
    edges: str = ""
    # the model is of log y (lognormal): a response of any positive scale, 1e-200 or 1e200, is safe
    on_log: bool = False


class Spec(NamedTuple):
    """What a family is, as its file declares it (SPEC = Spec(...)), read without importing it.

    The catalog's records are typing.NamedTuple classes, immutable like frozen dataclasses
    but defined in a tenth of the time: a frozen dataclass of Spec's 27 fields costs some
    3 ms to define, at every start (`mlefit --help` included), Param's and Regression's 1-2 ms."""

    name: str
    params: tuple
    support: str
    discrete: bool
    closed_form: bool
    density: str
    scipy: str
    r: str
    aliases: tuple = ()
    shape: str | None = None  # a fixed shape given after ':' in the name (tau, delta)
    # why `select` and --dist auto do not try this family by default ("" = they do)
    not_selected: str = ""
    # a family built with its fixed shape: the value (a number), and the family's own name,
    # the record's name being both ('binomial:12'); None for the catalog's own records
    value: float | None = None
    family: str | None = None
    # the fast path's method, for `mlefit families`
    estimator: str = ""
    # how the fit iterates where it has no closed form, for --help
    iteration: str = "Newton"
    # the family's place in listings (--help, `mlefit families`, the families that accept
    # a data set), and among select's candidates (the order of ties): lowest first, then by name
    listed: int = 1000
    select_rank: int = 1000
    # (value, family): the fixed shapes at which this family is exactly another
    # (('1', 'bernoulli'),): select fits the two once
    same_as: tuple = ()
    # what a fit of this density to a column of 0/1 outcomes is, where its name suggests a
    # model of outcomes (logistic: not logistic regression); "" = 'NAME, a continuous density,'
    on_outcomes: str = ""
    # the families nested in this one, for `mlefit lrt` and select's tests: (null, how it sits
    # in this family, df, whether on the edge of the parameter space (a 50:50 chi-square
    # mixture), the order in which the pairs are listed)
    nests: tuple = ()
    # a fixed shape's values: an example, the rule in words, and (lowest, whether it is
    # allowed, highest (None: any finite value), whether it is allowed, whether whole)
    shape_example: str = ""
    shape_rule: str = ""
    shape_range: tuple = ()
    # how `mlefit regress` fits it, or None where it does not
    regression: Regression | None = None
    # a user's own model (mlefit.own.model.Own: its support, expression, start values, ...),
    # read through OwnSpec's properties; None for the catalog's families
    own: object = None

    def shape_allows(self, value):
        """Whether `value` (a float) is a value of this family's fixed shape."""
        lo, lo_in, hi, hi_in, whole = self.shape_range
        inside = (lo <= value if lo_in else lo < value) and \
            (value < float("inf") if hi is None else value <= hi if hi_in else value < hi)
        return inside and (not whole or value == int(value))

    @property
    def base(self):
        """The family's name without a fixed shape's value ('binomial' of 'binomial:12')."""
        return self.family or self.name

    def with_value(self, value, shown):
        """This family's record with its fixed shape set to `value`, named 'name:shown'."""
        return self._replace(name=f"{self.name}:{shown}", value=value, family=self.name)

    @property
    def support_text(self):
        return SUPPORT_TEXT[self.support]

    @property
    def signature(self):
        fixed = f":{self.shape.upper()}" if self.shape else ""
        return f"{self.name}{fixed}({', '.join(p.name for p in self.params)})"


# ---------------------------------------------------------------- the records, read from the files
HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "\nSPEC = Spec("
_NAMES = {"Spec": Spec, "Param": Param, "Regression": Regression, "REAL": REAL, "POSITIVE": POSITIVE, "UNIT": UNIT}
_CALLS = ("Spec", "Param", "Regression")
_FIELDS = Spec._fields
_PARAM_FIELDS = Param._fields
_REGRESSION_FIELDS = Regression._fields
_PARAMS, _REGRESSION = _FIELDS.index("params"), _FIELDS.index("regression")


def declared(folder=HERE):
    """Every family's Spec, read from the `SPEC = Spec(...)` statement of each file in
    `folder` (the files without one are helpers), in the order of their `listed`, then name.
    What was read is kept in __pycache__ with each file's stamps (size, times of change
    and of status change, inode): at a start the files are stat'ed, not read (parsing every
    file costs some 3.5 ms of CPU, reading and checksumming them 1.5 ms, stat'ing them
    0.2 ms). A file's status-change time moves with every write and every change of its
    time stamps (`touch -r`, `cp -p` keep only the modification time), so a file whose
    bytes changed has new stamps, except where it changed within the clock's tick of the
    stamps kept: a file stamped within RACY_NS of the keeping is checked by its bytes'
    CRC-32 too, as git checks its "racily clean" entries (and, where the status-change time
    is not one, off POSIX, every file is). A package inside a zip file is read through
    importlib.resources, and nothing is kept."""
    kept = os.path.join(folder, "__pycache__", "family_specs.marshal") if os.path.isdir(folder) else None
    key = (_FIELDS, _PARAM_FIELDS, _REGRESSION_FIELDS)
    stamps = kept and _stamps(folder)
    rows = kept and _kept(kept, key, stamps, folder)
    if rows is None:
        sources = _sources(folder)
        rows = tuple(_row(spec) for spec in _read_all(sources))
        if kept:
            _keep(kept, (key, _checked(stamps, sources), rows))
    specs = (_spec(row) for row in rows)
    return tuple(sorted(specs, key=lambda s: (s.listed, s.name)))


RACY_NS = 2_000_000_000  # a file stamped this close to the keeping may change under the same stamps


def _stamps(folder):
    """(file name, size, modification and status-change times in ns, inode) of every .py
    file of the families, by name: taken before the files are read, so a change after is seen."""
    with os.scandir(folder) as found:
        entries = [(e.name, e.stat()) for e in found if e.name.endswith(".py")]
    return tuple(sorted((name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) for name, st in entries))


def _checked(stamps, sources):
    """The stamps to keep, each with the CRC-32 of the bytes read where they cannot be
    trusted alone (stamped within RACY_NS of now, or off POSIX), else None; None where a
    file came or went between the stat and the read (nothing then matches: read again)."""
    if [entry for entry, _ in sources] != [stamp[0] for stamp in stamps]:
        return None
    recent = time.time_ns() - RACY_NS
    return tuple((*stamp, zlib.crc32(data) if os.name != "posix" or max(stamp[2:4]) >= recent else None)
                 for stamp, (_, data) in zip(stamps, sources))


def _kept(path, key, stamps, folder):
    """The rows kept at `path`, where they were read from files with these very stamps
    (and bytes, for the files checked by their CRC-32), else None (also where a file
    checked by its bytes has settled since: the files are read and kept again, unchecked)."""
    try:
        with open(path, "rb") as f:
            found_key, checked, rows = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if found_key != key or checked is None or tuple(c[:-1] for c in checked) != stamps:
        return None
    settled = time.time_ns() - RACY_NS
    for entry, _, mtime, ctime, _, crc in checked:
        if crc is not None:
            if os.name == "posix" and max(mtime, ctime) < settled:
                return None  # read once more, to be kept without the check
            try:
                with open(os.path.join(folder, entry), "rb") as f:
                    if zlib.crc32(f.read()) != crc:
                        return None
            except OSError:
                return None
    return rows


def _sources(folder):
    """(file name, bytes) of every .py file of the families, by name."""
    if os.path.isdir(folder):
        def read(entry):
            with open(os.path.join(folder, entry), "rb") as f:
                return f.read()
        return [(entry, read(entry)) for entry in sorted(os.listdir(folder)) if entry.endswith(".py")]
    from importlib.resources import files  # a zip file, a zipapp or a frozen application
    found = [item for item in files(__package__).iterdir() if item.name.endswith(".py")]
    return [(item.name, item.read_bytes()) for item in sorted(found, key=lambda item: item.name)]


def _read_all(sources):
    for entry, data in sources:
        text = data.decode("utf-8")
        at = text.find(MARK)
        if at >= 0:
            yield read_spec(text[at + 1:], entry)


def _row(spec):
    """A Spec as plain tuples, which marshal keeps."""
    return tuple(spec._replace(params=tuple(tuple(p) for p in spec.params),
                               regression=None if spec.regression is None else tuple(spec.regression)))


def _spec(row):
    """The Spec of a row of _row."""
    values = list(row)
    values[_PARAMS] = tuple(Param._make(p) for p in values[_PARAMS])
    if values[_REGRESSION] is not None:
        values[_REGRESSION] = Regression._make(values[_REGRESSION])
    return Spec._make(values)


def _keep(path, kept):
    """Keep what was read, where Python may write its caches (nothing is kept otherwise)."""
    if sys.dont_write_bytecode:  # PYTHONDONTWRITEBYTECODE: the files are read on every start
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        part = f"{path}.{os.getpid()}"
        with open(part, "wb") as f:
            marshal.dump(kept, f)
        os.replace(part, path)
    except OSError:
        pass


def read_spec(text, where):
    """The Spec of the statement that starts `text` ('SPEC = Spec(...)' and what follows
    it): the statement ends before the next line that starts in the first column (other
    than the closing bracket)."""
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines[1:], 1) if line[:1] not in ("", " ", ")", "#")), len(lines))
    try:
        node = ast.parse("\n".join(lines[:end])).body[0].value
        spec = _value(node)
    except (SyntaxError, ValueError, TypeError) as exc:
        raise ImportError(f"families/{where}: its SPEC = Spec(...) cannot be read: {exc}") from None
    if not isinstance(spec, Spec):
        raise ImportError(f"families/{where}: SPEC must be a Spec(...)")
    if where != spec.name + ".py":
        raise ImportError(f"families/{where} declares the family '{spec.name}': a family's file is its name + .py")
    return spec


def _value(node):
    """The value of a literal expression of a SPEC: constants, tuples, string concatenation,
    Spec(...), Param(...) and the domain names, nothing executed."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_value(e) for e in node.elts)
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _value(node.left) + _value(node.right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS:
        return _NAMES[node.func.id](*(_value(a) for a in node.args),
                                    **{k.arg: _value(k.value) for k in node.keywords})
    raise ValueError(f"only literals, Spec(...), Param(...), Regression(...), REAL, POSITIVE and UNIT are read there "
                     f"(line {getattr(node, 'lineno', '?')})")


SPECS = declared()
BY_NAME = {s.name: s for s in SPECS}
ALIASES = {alias: s.name for s in SPECS for alias in (s.name, *s.aliases)}


def support(name):
    """The support of the family `name` ("" for a name not in the catalog: a user's own
    model, or a name with its fixed shape)."""
    spec = BY_NAME.get(name)
    return spec.support if spec is not None else ""


def edges(name):
    """Regression.edges of the family `name` ("" for a family regress does not fit, or a
    user's own model)."""
    spec = BY_NAME.get(name)
    return spec.regression.edges if spec is not None and spec.regression is not None else ""


def resolve(name):
    """The canonical family name for `name` (case and '-' insensitive; a fixed shape
    after ':' is ignored here), or None."""
    key = name.split(":", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key)


def help_text():
    """One line per family, for --help."""
    lines = []
    for s in SPECS:
        kind = "closed form" if s.closed_form else s.iteration
        lines.append(f"{s.signature}: {s.support_text}; {kind}")
    return lines


def catalog_dict():
    """Every family as plain data, for `mlefit families` (and its --json)."""
    return {"schema_version": 1, "families": [{
        "name": s.name, "usage": s.name + (f":{s.shape.upper()}" if s.shape else ""),
        "aliases": list(s.aliases), "support": s.support_text, "discrete": s.discrete,
        "parameters": [{"name": p.name, "domain": p.domain, "meaning": p.meaning} for p in s.params],
        "fixed_shape": s.shape, "closed_form": s.closed_form, "estimator": s.estimator,
        "density": s.density,
        "scipy": s.scipy, "r": s.r} for s in SPECS]}
