"""The error hierarchy. The CLI turns any MlefitError into one line and an exit code."""


def shown(text):
    """Text as it may be printed: every character that is not printable (ESC, BEL, a
    newline, a lone surrogate, ...) written as its Python escape (\\x1b, \\x07, \\n,
    \\udcff), so a file name, a column name or a label can neither break a line nor
    drive the terminal."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def plain(text, limit=200):
    """Text from a file, safe inside a one-line message: control characters escaped,
    and cut to `limit` characters."""
    text = shown(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class MlefitError(Exception):
    """Base of every error mlefit reports to a user. Exit code 1 (a data or fit problem)."""

    exit_code = 1
    kind = "error"


class UsageError(MlefitError):
    """The command was asked for something that cannot be done as asked. Exit code 2."""

    exit_code = 2
    kind = "usage_error"


class FamilyError(UsageError):
    """An unknown family, or an option the family does not offer."""

    kind = "family_error"


class DataError(MlefitError):
    """The data cannot be read or does not suit the family."""

    kind = "data_error"


class OutputError(MlefitError):
    """Standard output cannot be written (closed, a full disk). Exit code 1; nothing
    more goes to standard output, not even the JSON error object."""

    kind = "output_error"


class BoundaryError(DataError):
    """The MLE lies on the edge of the parameter space, where the family becomes its
    simpler limit `limit` (negative_binomial -> poisson when the counts are not
    overdispersed). A likelihood-ratio test reads this as a statistic of 0.

    going: the parameters that run off to the limit; with any of them held fixed (--fix)
    the edge is out of reach and the fit given them starts from `start` instead."""

    kind = "data_error"

    def __init__(self, message, limit, going=(), start=None):
        super().__init__(message)
        self.limit, self.going, self.start = limit, tuple(going), start


class ConvergenceError(MlefitError):
    """The optimiser stopped without meeting its convergence test.

    ``result`` holds the partial FitResult (``converged`` is False) so callers can
    still inspect the last iterate; it is never passed off as a converged fit.
    """

    kind = "convergence_error"

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result
