"""The family registry, built from the families' own files: each declares itself in
families/<name>.py (its SPEC, read by catalog.py without importing numpy, for names,
aliases and descriptions); the implementations are imported only when a family is used."""
from ..errors import FamilyError
from .catalog import BY_NAME, SPECS, resolve

__all__ = ["get", "names", "SPECS", "resolve"]


def names():
    return [s.name for s in SPECS]


def _module(name):
    """`from . import name` (by the import statement's machinery, so -X importtime sees it)."""
    return getattr(__import__(__name__, fromlist=[name]), name)


def _implementations():
    """Every family without a fixed shape, by name (this imports every family module)."""
    return {s.name: _implementation(s.name) for s in SPECS if s.shape is None}


def _implementation(canonical):
    """The family `canonical` (no fixed shape): each is defined in its own file,
    families/<name>.py, as the constant NAME.upper(), so fitting one imports that file
    only (and what it imports), not every family's; tests/test_startup.py keeps it so."""
    return getattr(_module(canonical), canonical.upper())


# shape -> (example, what it must be, test), from the records of the families with a fixed shape
SHAPES = {spec.shape: (spec.shape_example, spec.shape_rule, spec.shape_allows) for spec in SPECS if spec.shape}


# names of a regression model or link, asked for as a family
REGRESSION_WORDS = {"logit", "probit", "cloglog", "logistic_regression", "logreg", "logit_regression"}

_FOUND = {}  # name as given -> its Family, for the names of families without a fixed shape


def get(name):
    """The Family record for `name` (an alias or any capitalisation; families with a
    fixed shape take it after a colon: 'asymmetric_laplace:0.9', 'huber:1.345'), or
    FamilyError naming the nearest known family."""
    found = _FOUND.get(name) if isinstance(name, str) else None
    if found is not None:
        return found
    from .base import Family
    if isinstance(name, Family):
        return name
    canonical = resolve(name) if isinstance(name, str) else None
    if canonical is None and isinstance(name, str) and "," in name:
        raise FamilyError(f"one family at a time (got '{name}'); to compare several, use --dist auto "
                          f"--families {name.replace(' ', '')} (or mlefit select --families ...)")
    if canonical is None and str(name).strip().lower().replace("-", "_") in REGRESSION_WORDS:
        raise FamilyError(f"'{name}' names a regression (a link), not a family: for a column of 0/1 "
                          f"outcomes use --dist bernoulli, and for logistic regression on covariates "
                          f"'mlefit regress -d bernoulli' (its link is logit unless --link says probit or cloglog)")
    if canonical is None:
        import difflib

        from .catalog import ALIASES
        near = difflib.get_close_matches(str(name).lower(), list(ALIASES), n=1, cutoff=0.6)
        hint = f"did you mean '{ALIASES[near[0]]}'? " if near else ""
        raise FamilyError(f"unknown family '{name}'; {hint}'mlefit families' lists every family "
                          f"(or --dist auto to compare those that admit the data)")
    spec = BY_NAME[canonical]
    if spec.shape is None:
        if ":" in name:
            raise FamilyError(f"the {canonical} family takes no ':' value (got '{name}')")
        found = _FOUND[name] = _implementation(canonical)
        return found
    if spec.shape == "trials" and ":" not in name:
        raise FamilyError(f"the {canonical} family needs the number of trials: --trials N "
                          f"(or --trials COLUMN for one per row), or '{canonical}:N'")
    return build(canonical, _shape_value(name, spec))


def build(canonical, value):
    """The family `canonical` with its fixed shape set to `value`: its file,
    families/<canonical>.py, makes it with build(value)."""
    return _module(canonical).build(value)


def shape_value(name):
    """The fixed shape given after ':' in `name` ('asymmetric_laplace:0.9' -> 0.9), checked;
    None for a family without one."""
    spec = BY_NAME[resolve(name)]
    return None if spec.shape is None else _shape_value(name, spec)


def _shape_value(name, spec):
    text = name.split(":", 1)[1].strip() if ":" in name else ""
    example, bound, ok = SHAPES[spec.shape]
    try:
        value = float(text)
    except ValueError:
        raise FamilyError(f"the {spec.name} family needs its {spec.shape} after a colon, "
                          f"e.g. {spec.name}:{example} (got '{name}')") from None
    if not ok(value):
        raise FamilyError(f"{spec.shape} must be {bound} (got {text} in '{name}')")
    return int(value) if spec.shape_range[4] else value


def spec(name):
    return BY_NAME[name]


def density(name):
    """(the per-row Density of the family `name`, its fixed shapes as a tuple): the
    family's file families/<canonical name>.py holds it as DENSITY, or, where the shape
    sets the number of parameters (normal_mixture:K), as the function density(shape).
    `name` may be a Family: one outside the registry (a user's own model) carries its
    own as Family.rowwise."""
    if getattr(name, "rowwise", None) is not None:
        return name.rowwise
    if not isinstance(name, str) and hasattr(name, "spec"):
        name = name.name
    canonical = resolve(name) if isinstance(name, str) else None
    if canonical is None:
        get(name)  # raises the error naming the nearest family
    spec = BY_NAME[canonical]
    module = _module(canonical)
    # a shape given after ':' is one value for every row; without it (binomial's trials),
    # the caller passes one per row
    shapes = (_shape_value(name, spec),) if spec.shape is not None and ":" in name else ()
    if hasattr(module, "DENSITY"):
        return module.DENSITY, shapes
    return module.density(shapes[0]), ()
