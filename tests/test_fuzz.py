"""Fuzzing: random bytes, CSV-shaped text and numeric arrays with every awkward float.
Nothing may escape but a finite result or an mlefit error; no warning may leak; the
fitted log-likelihood is never below the one at the estimator's starting values."""
import json
import math
import os
import tempfile
import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import mlefit
from mlefit import families
from mlefit.errors import MlefitError
from mlefit.families.base import Controls

FAMILIES = mlefit.family_names()


def read_and_fit(content, family="normal", **options):
    """Write content to a file, read it and fit it; return the result or the MlefitError."""
    fd, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                col = mlefit.read_column(path, column=options.pop("column", None), **options)
                return mlefit.fit(col, family)
            except MlefitError as exc:
                assert str(exc) and "\n" not in str(exc)
                return exc
    finally:
        os.unlink(path)


def check_result(r):
    if isinstance(r, MlefitError):
        return
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert all(math.isfinite(p["estimate"]) for p in d["parameters"])
    assert math.isfinite(d["loglik"])
    assert d["rows_read"] == d["n"] + d["n_dropped"] or d["n"] != int(d["n"])


@given(st.binary(max_size=400))
def test_random_bytes(content):
    check_result(read_and_fit(content))


TOKENS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["", "NA", "NaN", "null", "None", "-", "?", "1,5", '"3"', '"a,b"', "true",
                     "1e400", "-0", "0x10", " 7 ", "\u00e9", "2020-01-01", '"', "inf"]),
    st.text(max_size=6),
)


@st.composite
def csv_text(draw):
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(TOKENS, min_size=width, max_size=width), max_size=25))
    header = draw(st.booleans())
    lines = ([delimiter.join(f"c{i}" for i in range(width))] if header else [])
    lines += [delimiter.join(row) for row in rows]
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines).encode("utf-8", "surrogatepass")


@given(csv_text(), st.sampled_from(FAMILIES))
def test_random_csv_shaped_text(content, family):
    check_result(read_and_fit(content, family))


EDGE_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e300,
                     1.7976931348623157e308, 0.5, 1 - 1e-16, 1e-16, 3.0, 1e9, 1e15]),
    st.integers(0, 10**6).map(float),
)


@given(st.lists(EDGE_FLOATS, min_size=1, max_size=40), st.sampled_from(FAMILIES))
def test_random_arrays_fit_or_fail_cleanly(values, family):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            r = mlefit.fit(values, family)
        except MlefitError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
    check_result(r)
    fam = families.get(family)
    x = np.array([v for v in values if not math.isnan(v)])
    if fam.spec.support == "labels" or any(p.note and "divided by 2^" in p.note for p in r.parameters):
        return
    if any("divided by 2^" in n for n in r.notes):
        return
    with np.errstate(all="ignore"):  # as inside mlefit.fit
        stats = fam.stats(x, None)
        solution = fam.estimate(stats, Controls())
    if solution.start is not None:
        with np.errstate(all="ignore"):
            at_start = fam.loglik(stats, solution.start)
        assert r.loglik >= at_start - 1e-9 * abs(at_start)
