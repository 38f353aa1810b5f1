"""Hypothesis profiles: 'ci' (the default, bounded) and 'long' for fuzzing sessions:
HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_fuzz.py; and no progress lines
unless a test asks for them."""
import os

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
    from mlefit import progress
    monkeypatch.setattr(progress, "AFTER", 1e9)
