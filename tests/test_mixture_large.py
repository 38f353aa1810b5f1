"""normal_mixture:K at large n (issue 21): every pass over the data is taken block by
block (no array as large as the data), and the best runs are polished on a quantile
sketch before the last steps on all the values, reaching the same maximum."""
import tracemalloc

import numpy as np
import pytest

import mlefit
from mlefit import families
from mlefit.families import mixture_em as em

TWO = (0.3, 0.0, 1.0, 0.7, 5.0, 2.0)


def draw(theta, n, seed, digits=None):
    x = families.get(f"normal_mixture:{len(theta) // 3}").draw(np.random.default_rng(seed), n, theta)
    return x if digits is None else np.round(x, digits)


def test_passes_are_block_by_block(monkeypatch):
    """The derivatives summed over blocks equal those of one block (the whole data at
    once), and a pass over a million values holds no array as large as the data."""
    x = draw(TWO, 5000, seed=1)
    fam = families.get("normal_mixture:2")
    s = fam.stats(x, None)
    p = em.inside(s, TWO)
    monkeypatch.setattr(em, "BLOCK", 1 << 30)
    one = em.derivatives(s.y, s.counts, p)
    e_one = em._e_pass(s.y, s.counts, p)
    monkeypatch.setattr(em, "BLOCK", 64)
    many = em.derivatives(s.y, s.counts, p)
    e_many = em._e_pass(s.y, s.counts, p)
    assert many[0] == pytest.approx(one[0], rel=1e-14) and e_many[0] == pytest.approx(one[0], rel=1e-14)
    np.testing.assert_allclose(many[1], one[1], rtol=1e-9, atol=1e-9 * np.abs(one[1]).max())
    np.testing.assert_allclose(many[2], one[2], rtol=1e-11)
    for a, b, c in zip(many[3], one[3], e_many[1]):
        np.testing.assert_allclose(a, b, rtol=1e-11)
        np.testing.assert_allclose(c, b, rtol=1e-11)
    monkeypatch.undo()
    y, c = np.linspace(-4.0, 4.0, 1_000_000), np.ones(1_000_000)
    tracemalloc.start()
    try:
        em.derivatives(y, c, p)
        em._e_pass(y, c, p)
        em.loglik_inside(y, c, p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # 8 MB is one array of the data: blocks of em.BLOCK values stay far below


@pytest.mark.slow
def test_a_sketch_stage_reaches_the_same_maximum(monkeypatch):
    """With over 2 x MID distinct values the best two runs are polished on a MID-quantile
    sketch before all the data: the fit is the one without that stage, to the precision of
    the stopping rule (estimates within 1e-5 of a standard error, the same log-likelihood)."""
    x = draw(TWO, 2 * em.MID + 5000, seed=9)
    staged = mlefit.fit(x, "normal_mixture:2")
    monkeypatch.setattr(em, "MID", x.size)
    direct = mlefit.fit(x, "normal_mixture:2")
    assert staged.converged and direct.converged
    assert staged.loglik == pytest.approx(direct.loglik, rel=1e-13)
    for p, q in zip(staged.parameters, direct.parameters):
        assert abs(p.estimate - q.estimate) < 1e-5 * q.se, p.name
        assert p.se == pytest.approx(q.se, rel=1e-6)
