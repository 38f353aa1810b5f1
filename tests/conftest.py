"""Hypothesis profiles: 'ci' (the default, bounded) and 'long' for fuzzing sessions:
HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_fuzz.py"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
