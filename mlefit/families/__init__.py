"""The family registry. Names, aliases and descriptions come from catalog.py (no numpy);
the implementations are imported only when a family is used."""
import difflib

from ..errors import FamilyError
from .catalog import BY_NAME, SPECS, resolve

__all__ = ["get", "names", "SPECS", "resolve"]


def names():
    return [s.name for s in SPECS]


def _implementations():
    from . import continuous, discrete
    return {f.name: f for f in (*discrete.FAMILIES, *continuous.FAMILIES)}


def get(name):
    """The Family record for `name` (an alias or any capitalisation), or FamilyError
    naming the nearest known family."""
    canonical = resolve(name) if isinstance(name, str) else None
    if canonical is None:
        from .catalog import ALIASES
        near = difflib.get_close_matches(str(name).lower(), list(ALIASES), n=1, cutoff=0.6)
        hint = f"did you mean '{ALIASES[near[0]]}'? " if near else ""
        raise FamilyError(f"unknown family '{name}'; {hint}known families: {', '.join(names())}")
    return _implementations()[canonical]


def spec(name):
    return BY_NAME[name]
