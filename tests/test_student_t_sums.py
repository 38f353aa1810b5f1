"""student_t's sums over the data (issue 21): t_series._phi_sums takes sum z^2 phi(q), sum z^4 phi'(q)
and sum z^6 phi''(q) by power sums where a block's q are small and from log1p(q) where
they are not; they equal the sums of the elementwise _phi (series below q = 0.1, closed
forms above) and of mpmath's phi to double precision, weighted or not, from the normal
limit (eta = 0) to df = 0.02."""
import math

import numpy as np
import pytest

from mlefit.families import t_series as st


def by_elements(z2, q, w):
    p = st.phi(q, 2)
    w = np.ones_like(z2) if w is None else w
    return [math.fsum(w * z2 * p[0]), math.fsum(w * z2 * z2 * p[1]), math.fsum(w * z2 ** 3 * p[2])]


@pytest.mark.parametrize("eta", [0.0, 1e-200, 1e-40, 7e-5, 0.02, 0.2, 1.0, 50.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_phi_sums_equal_the_elementwise_sums(eta, weighted):
    rng = np.random.default_rng(5)
    z = rng.standard_t(3, 8192)
    z2 = z * z
    q = eta * z2
    w = rng.uniform(0.5, 2.0, z.size) if weighted else None
    got = st._phi_sums(z2, q, eta, 2, w)
    want = by_elements(z2, q, w)
    for g, h in zip(got, want):
        assert g == pytest.approx(h, rel=4e-15, abs=1e-300)
    assert st._phi_sums(z2, q, eta, 0, w)[0] == pytest.approx(want[0], rel=4e-15)


def test_phi_sums_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    z = np.linspace(-6.0, 6.0, 97)
    with mpmath.workdps(40):  # (not mp.dps = 40: that would outlive the test)
        check_against_mpmath(mpmath, z)


def check_against_mpmath(mpmath, z):
    for eta in (1e-3, 0.05, 0.4):
        q = eta * z * z
        phi = lambda t: mpmath.log1p(t) / t  # noqa: E731
        want = [mpmath.fsum(mpmath.mpf(zi) ** (2 * k + 2) * (mpmath.diff(phi, mpmath.mpf(qi), k) if qi else
                                                             [1, mpmath.mpf(-1) / 2, mpmath.mpf(2) / 3][k])
                            for zi, qi in zip(z, q)) for k in range(3)]
        got = st._phi_sums(z * z, q, eta, 2, None)
        for g, h in zip(got, want):
            assert g == pytest.approx(float(h), rel=1e-14)


def test_terms_reach_double_precision():
    assert st._terms(0.0) == 1
    assert st._terms(0.0999) == st._TERMS
    for qmax in (1e-12, 1e-6, 1e-3, 0.05):
        k = st._terms(qmax)
        assert (k + 1) * qmax ** k <= 2.0 ** -54 < k * qmax ** (k - 1) or k == 1


def test_a_student_t_fit_does_not_import_scipy(tmp_path):
    """The fit (starts, Newton, information, report) needs no scipy: its import cost more
    than the fit of a million values."""
    import subprocess
    import sys

    path = tmp_path / "x.csv"
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in np.random.default_rng(2).standard_t(4, 500)) + "\n")
    code = ("import sys, mlefit; from mlefit.io.column import read_column; "
            f"r = mlefit.fit(read_column({str(path)!r}), 'student_t'); assert r.converged; "
            "print(sorted(m for m in sys.modules if m.startswith('scipy')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
