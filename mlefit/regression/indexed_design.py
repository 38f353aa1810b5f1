"""A design with a many-level factor held as level indices (fixed effects for 10^4-10^5
groups): a dense block of the other columns plus, for each row, the index of its level's
coefficient. The n x levels matrix of 0/1 dummies is never formed: X b is the dense
block's product plus one gather, and every sum over rows that X'WX or the score needs in
the factor's columns is a bincount by level (so that block of X'WX is diagonal). Memory
stays O(n + levels).

Which factor: a main-effect term C(g), or a bare text column g, of a formula, with more
than INDEX_FROM levels among the rows used, whose variable appears in no other term (an
interaction or transform keeps the factor dense). Its coding is formulaic's: with an
intercept the first level (in sorted order) is the reference and has no coefficient; with
none (and no other categorical term) every level has one. The level coefficients come
after the dense block's, named as formulaic names dummies ('C(g)[T.b]')."""
import re
from dataclasses import dataclass

import numpy as np

from .formula import level_text

INDEX_FROM = 100  # a factor with more levels than this is held as indices


@dataclass(frozen=True)
class IndexedDesign:
    """dense: n x p (Fortran float64); codes: each row's level coefficient (0..size-1), or
    size for the reference level (no coefficient); levels: every level, in coding order
    (the reference first where there is one)."""

    dense: np.ndarray
    dense_names: tuple
    codes: np.ndarray
    size: int
    term: str       # the factor as formulaic names it: 'C(g)' or 'g'
    variable: str   # its column
    levels: list
    reference: bool  # the first level is the reference (no coefficient)

    @property
    def shape(self):
        return (self.dense.shape[0], self.dense.shape[1] + self.size)

    @property
    def level_names(self):
        shown = self.levels[1:] if self.reference else self.levels
        mark = "T." if self.reference else ""
        return tuple(f"{self.term}[{mark}{level_text(v)}]" for v in shown)

    @property
    def names(self):
        return tuple(self.dense_names) + self.level_names

    def __matmul__(self, beta):
        """X b: the dense block's product plus each row's level coefficient."""
        beta = np.asarray(beta, dtype=np.float64)
        p = self.dense.shape[1]
        levels = np.append(beta[p:p + self.size], 0.0)  # the reference's slot: 0
        return self.dense @ beta[:p] + levels[self.codes]

    def level_sums(self, values):
        """sum over each level's rows of `values` (n,), for the levels with a coefficient."""
        return np.bincount(self.codes, weights=values, minlength=self.size + 1)[:self.size]

    def summary(self):
        """The factor as the result's JSON lists it (indexed_factors)."""
        return {"term": self.term, "variable": self.variable, "levels": len(self.levels), "coefficients": self.size,
                "reference": level_text(self.levels[0]) if self.reference else None}

    def layout(self, state, variables):
        """The layout --save keeps: the dense block's formula state, the factor's levels among
        the categories (so a level the model never saw is refused as for a dense factor)."""
        return dict(state, kind="formula", variables=list(variables),
                    categories=dict(state["categories"], **{self.variable: list(self.levels)}),
                    indexed={"term": self.term, "variable": self.variable, "reference": self.reference})


FACTOR = re.compile(r"^C\(\s*(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)\s*\)$")
NAME = re.compile(r"^(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)$")


def split(rhs, columns):
    """(the rhs without the factor's term, the factor's term, its variable) for the
    formula's first main-effect factor that may be held as indices (its variable used in no
    other term, more than INDEX_FROM distinct values), or None."""
    terms = _terms(rhs)
    if not intercept_kept(terms):
        return None
    for k, (sign, term) in enumerate(terms):
        m = FACTOR.match(term) or NAME.match(term)
        if sign != "+" or m is None:
            continue
        variable = m.group(1).strip("`")
        values = columns.get(variable)
        if values is None or (m.re is NAME and values.dtype.kind not in "OUS"):
            continue
        if sum(len(re.findall(rf"(?<![\w.`]){re.escape(v)}(?![\w`])", rhs)) for v in {variable, f"`{variable}`"}) != 1:
            continue  # the variable is in another term too (an interaction): kept dense
        if _count_levels(values) <= INDEX_FROM:
            continue
        rest = terms[:k] + terms[k + 1:]
        text = " ".join((f"{s} " if j or s == "-" else "") + t for j, (s, t) in enumerate(rest))
        return text, term, variable
    return None


def _terms(rhs):
    """[(sign, text)] of the rhs's top-level terms; a group '+ (a + b)' of added terms alone
    (what 'y ~ .' expands to) counts as its terms."""
    out = []
    for sign, text in _top(rhs):
        inner = _top(text[1:-1]) if text.startswith("(") and _closes_at_end(text) else None
        if sign == "+" and inner and all(s == "+" for s, _ in inner):
            out += inner
        else:
            out.append((sign, text))
    return out


def _closes_at_end(text):
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(text) - 1
    return False


def _top(rhs):
    """[(sign, text)] of the rhs's top-level terms."""
    terms, depth, start, sign, quoted = [], 0, 0, "+", False
    for i, ch in enumerate(rhs + "+"):
        quoted ^= ch == "`"
        if quoted:
            continue
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+-" and not (ch == "-" and i and rhs[i - 1] in "eE" and rhs[:i].rstrip("eE")[-1:].isdigit()):
            if rhs[start:i].strip():
                terms.append((sign, rhs[start:i].strip()))
            sign, start = ch, i + 1
    return terms


def intercept_kept(terms):
    """False where the formula removes the intercept ('- 1', '+ 0'): then every level is kept
    dense (the indexed coding follows --no-intercept, not the formula's own removal)."""
    return not any((s == "-" and t == "1") or (s == "+" and t == "0") for s, t in terms)


def _count_levels(values):
    import pandas as pd
    return int(pd.unique(values).size)


def build(rhs, columns, intercept, rows):
    """(IndexedDesign, its layout) of the terms `rhs` over the dict `columns`, or None where
    no factor is held as indices (then the dense design is made as before)."""
    import pandas as pd

    found = split(rhs, columns)
    if found is None:
        return None
    rest, term, variable = found
    from .formula import design
    used = {c: v for c, v in columns.items() if c != variable}
    dense_rhs = rest if rest.strip() else "1"
    X, names, state = design(dense_rhs, used, True, rows=rows) if intercept or dense_rhs != "1" else \
        (np.empty((rows, 0), order="F"), (), {"rhs": "1", "intercept": False, "categories": {}, "transform_state": {}})
    if not intercept and dense_rhs != "1":
        if state["categories"]:  # formulaic codes the first categorical term in full: keep it all dense
            return None
        X, names, state = design(dense_rhs, used, False, rows=rows)
    state = dict(state, rhs=dense_rhs, intercept=bool(intercept))
    codes, uniques = pd.factorize(columns[variable], sort=True)
    levels = [u.item() if hasattr(u, "item") else u for u in uniques]
    reference = bool(intercept)
    codes = codes.astype(np.intp)
    size = len(levels) - reference
    if reference:
        codes = np.where(codes == 0, size + 1, codes) - 1  # the reference to the slot past the coefficients
    shown = _term_name(term, variable, columns[variable])
    d = IndexedDesign(np.asfortranarray(X), tuple(names), codes, size, shown, variable, levels, reference)
    return d, d.layout(state, list(columns))


def _term_name(term, variable, values):
    """How formulaic names the factor's dummies (the part before '['), from two rows."""
    from .formula import design
    import pandas as pd
    two = pd.unique(values)[:2]
    _, names, _ = design(term, {variable: np.asarray(two, dtype=values.dtype)}, False, rows=2)
    return names[0].rsplit("[", 1)[0]
