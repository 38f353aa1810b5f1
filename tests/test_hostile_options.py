"""Options a user can set to values that used to end in an internal error or in a
message blaming something else: each gets its own line naming the option."""
import pytest

from mlefit import families
from mlefit.errors import FamilyError


@pytest.mark.parametrize("name", ["binomial:inf", "binomial:-inf", "beta_binomial:1e400", "binomial:nan"])
def test_infinite_trials_are_a_family_error(name):
    with pytest.raises(FamilyError, match=r"trials must be a positive whole number \(got "):
        families.get(name)
