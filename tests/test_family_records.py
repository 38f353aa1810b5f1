"""A family's fixed shape is a field of its record (Spec.value, Spec.base), not text to
split out of its name (issue 15)."""
import re
from pathlib import Path

import pytest

from mlefit import families

PACKAGE = Path(families.__file__).resolve().parent.parent


@pytest.mark.parametrize("name, base, value", [("binomial:12", "binomial", 12), ("beta_binomial:7", "beta_binomial", 7),
                                               ("normal_mixture:2", "normal_mixture", 2), ("huber:1.345", "huber", 1.345),
                                               ("asymmetric_laplace:0.9", "asymmetric_laplace", 0.9)])
def test_a_fixed_shape_is_a_field(name, base, value):
    spec = families.get(name).spec
    assert (spec.name, spec.base, spec.value) == (name, base, value)
    assert spec.shape is not None


def test_a_family_without_a_shape_has_none():
    spec = families.get("gamma").spec
    assert (spec.base, spec.value, spec.family) == ("gamma", None, None)


def test_no_module_splits_a_family_records_name():
    """Shared code reads spec.base and spec.value; splitting 'name:value' apart is left to
    the one parser of what a user types (families.get)."""
    pattern = re.compile(r"(spec|fam|family)\.name\.split\(")
    found = [f"{p.relative_to(PACKAGE)}:{i}" for p in sorted(PACKAGE.rglob("*.py"))
             for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == []
