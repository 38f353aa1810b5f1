"""Two text labels as bernoulli's 0/1 outcomes (yes/no, TRUE/FALSE, won/lost): which
label counts as 1 is `positive` if given, else the second of the two in sorted order
(yes over no, TRUE over FALSE, won over lost), and a note always says which it was."""
import numpy as np

from .errors import DataError, UsageError, plain


def as_outcomes(values, what, positive=None):
    """(the labels as 0.0/1.0, a note naming the label that is 1) for an array of text
    labels; DataError unless there are exactly two, UsageError for a `positive` that is
    not one of them. what: the data, for messages ("column 'y'")."""
    levels = sorted({str(v) for v in values.tolist()})
    if len(levels) != 2:
        shown = ", ".join(f"'{plain(v, 20)}'" for v in levels[:5]) + (", ..." if len(levels) > 5 else "")
        raise DataError(f"{what} has {len(levels)} label{'s' if len(levels) != 1 else ''} ({shown}); "
                        f"bernoulli needs two (or 0/1); for more, use --dist categorical")
    one = levels[1] if positive is None else str(positive)
    if one not in levels:
        raise UsageError(f"--positive '{plain(one, 40)}' is not a label of {what} "
                         f"('{plain(levels[0], 20)}', '{plain(levels[1], 20)}')")
    zero = levels[0] if one == levels[1] else levels[1]
    how = "given by --positive" if positive is not None else "the second in sorted order; --positive LABEL to choose"
    outcomes = np.fromiter((v == one for v in (str(x) for x in values.tolist())), dtype=np.float64, count=values.size)
    return outcomes, f"{what} is 1 for '{plain(one, 40)}' and 0 for '{plain(zero, 40)}' ({how})"
