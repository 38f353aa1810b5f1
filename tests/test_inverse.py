"""One small-matrix inverse (issue 15, point 4): inference.scaled_inverse, used by the
sandwich, the mixtures (ML and MAP), Firth's penalty, the quantile regression's kernel
sandwich and Newton's convergence test; numpy.linalg.inv the reference."""
import re
from pathlib import Path

import numpy as np
import pytest

import mlefit
from mlefit.families import mixture_em
from mlefit.inference import sandwich
from mlefit.inference.information import scaled_inverse


def test_scaled_inverse_of_a_badly_scaled_matrix_equals_numpys():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(6, 6))
    s = np.diag(10.0 ** np.arange(-6, 6, 2))  # parameters twelve orders of magnitude apart
    core = a @ a.T + 6 * np.eye(6)  # well conditioned: numpy inverts it to rounding
    got = scaled_inverse(s @ core @ s)
    inv_s = np.diag(1.0 / np.diag(s))
    assert np.array_equal(got, got.T)
    assert got == pytest.approx(inv_s @ np.linalg.inv(core) @ inv_s, rel=1e-10)
    assert scaled_inverse(np.array([[4.0]])) == pytest.approx(np.array([[0.25]]))


def test_scaled_inverse_refuses_what_is_not_positive_definite_or_finite():
    assert scaled_inverse(np.array([[1.0, 2.0], [2.0, 1.0]])) is None
    assert scaled_inverse(np.array([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]])) is None
    assert scaled_inverse(np.array([[1.0, np.nan], [np.nan, 1.0]])) is None
    assert scaled_inverse(np.zeros((3, 3))) is None


def test_no_other_inverse():
    assert not hasattr(mixture_em, "inverse") and not hasattr(sandwich, "_inverse")
    here = Path(mlefit.__file__).parent
    for path in here.rglob("*.py"):
        if path.relative_to(here).as_posix() != "inference/information.py":
            assert not re.search(r"linalg\.(inv|pinv)\(", path.read_text()), path
