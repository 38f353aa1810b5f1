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
    """The Family record for `name` (an alias or any capitalisation; families with a
    fixed shape take it after a colon: 'asymmetric_laplace:0.9', 'huber:1.345'), or
    FamilyError naming the nearest known family."""
    from .base import Family
    if isinstance(name, Family):
        return name
    canonical = resolve(name) if isinstance(name, str) else None
    if canonical is None:
        from .catalog import ALIASES
        near = difflib.get_close_matches(str(name).lower(), list(ALIASES), n=1, cutoff=0.6)
        hint = f"did you mean '{ALIASES[near[0]]}'? " if near else ""
        known = ", ".join(s.name + (f":{s.shape.upper()}" if s.shape else "") for s in SPECS)
        raise FamilyError(f"unknown family '{name}'; {hint}known families: {known}")
    spec = BY_NAME[canonical]
    if spec.shape is None:
        if ":" in name:
            raise FamilyError(f"the {canonical} family takes no ':' value (got '{name}')")
        return _implementations()[canonical]
    from . import robust
    return robust.build(canonical, _shape_value(name, spec))


def _shape_value(name, spec):
    text = name.split(":", 1)[1].strip() if ":" in name else ""
    example = {"tau": "0.9", "delta": "1.345"}[spec.shape]
    try:
        value = float(text)
    except ValueError:
        raise FamilyError(f"the {spec.name} family needs its {spec.shape} after a colon, "
                          f"e.g. {spec.name}:{example} (got '{name}')") from None
    ok = 0 < value < 1 if spec.shape == "tau" else 0 < value < float("inf")
    if not ok:
        bound = "strictly between 0 and 1" if spec.shape == "tau" else "positive and finite"
        raise FamilyError(f"{spec.shape} must be {bound} (got {text} in '{name}')")
    return value


def spec(name):
    return BY_NAME[name]
