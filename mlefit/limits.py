"""The documented bounds on the work one run takes on (docs/limits.md): beyond them a
run is refused with one line saying so, rather than left running for hours."""
from .errors import UsageError

MAX_BOOTSTRAP = 100_000  # resamples: the Monte Carlo error of a p-value is then under 0.002
MAX_CONTOUR_GRID = 101  # likelihood --grid for two parameters: 10,201 profile fits
GUESS_COLUMNS = 1000  # columns searched for the only numeric one when no --column is given


def check_bootstrap(samples):
    """samples, or a UsageError when it is over MAX_BOOTSTRAP."""
    if samples is not None and not isinstance(samples, bool) and samples > MAX_BOOTSTRAP:
        raise UsageError(f"--bootstrap {samples} is over the limit of {MAX_BOOTSTRAP} resamples (at "
                         f"{MAX_BOOTSTRAP} the Monte Carlo error of a p-value or an interval's level is "
                         f"under 0.002); give at most {MAX_BOOTSTRAP}")
    return samples
