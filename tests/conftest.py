"""Hypothesis profiles: 'ci' (the default, bounded) and 'long' for fuzzing sessions:
HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_fuzz.py; and no progress lines
unless a test asks for them."""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _no_progress_lines(monkeypatch):
    """Off a terminal, work running past progress.AFTER seconds writes lines on stderr;
    on a loaded machine any test could pass that time, so tests that check stderr would
    depend on the machine's speed. Tests of the lines set it to 0 (or pass after=)."""
    from mlefit.report import progress
    monkeypatch.setattr(progress, "AFTER", 1e9)


@pytest.fixture(autouse=True)
def _mpmath_precision(request):
    """mpmath's working precision is global: a test that sets mp.dps would set it for every
    test after it (test_derive's 30 digits made test_real_line's 50-digit references at
    df = 1e30 wrong when the two ran in that order). Each test starts at its module's
    MPMATH_DPS (mpmath's default of 15 without one) and whatever it sets is undone after it."""
    def dps(value):
        mp = sys.modules.get("mpmath")  # (not imported here: only the tests that use it load it)
        if mp is not None:
            mp.mp.dps = value
    dps(getattr(request.module, "MPMATH_DPS", 15))
    yield
    dps(15)
