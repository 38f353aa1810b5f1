"""The number of trials of the binomial and beta_binomial families, given as one number
or one per value (mlefit.fit(..., trials=), --trials N|COLUMN): aligned with the values
like the weights and checked. One number names the family (binomial:12); trials per row
travel in the Record (Record.trials) and reach the family as data: the rows (successes,
trials) of the one family of trials per row (Family.sides)."""

import numpy as np

from . import families
from . import numerics as nm
from .errors import DataError, UsageError


def trials_family(family):
    """A stand-in for a trials family named without its trials (they come as trials=)."""
    name = family.name if hasattr(family, "spec") else family
    canonical = families.resolve(name) if isinstance(name, str) else None
    if canonical is None:
        families.get(name)  # the unknown-family error
    if families.spec(canonical).shape != "trials":
        raise UsageError(f"trials apply to the binomial and beta_binomial families, not to {canonical}")
    if ":" in name:
        raise UsageError(f"the trials are given twice, in the family name '{name}' and as trials "
                         f"(--trials); give them once")
    return families.build(canonical, None)


def aligned_trials(first, col, trials, aligned):
    """col with its trials (col.trials) for the values it holds (`first` is the record
    before any row was left out for its weight): one whole number >= 1, or one per value
    (one per row read for a plain sequence, like the weights), each a whole number >= 0;
    rows with missing trials are left out and reported (Record.without: their weights
    with them)."""
    if isinstance(trials, str):
        raise UsageError("trials must be a number, or numbers one per value (from the command line, "
                         "use --trials N or --trials COLUMN)")
    try:
        t = np.asarray(trials, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError("trials must be numbers (one for every value, or one per value)") from None
    if t.ndim == 0:
        if not families.SHAPES["trials"][2](float(t)):
            raise UsageError(f"trials must be a positive whole number (got {float(t):g})")
        return col.but(trials=int(t))
    t = t.reshape(-1)
    expected = first.values.size if aligned else first.rows_read
    if t.size != expected:
        raise UsageError(f"there are {t.size} trials for {expected} values; give one number of trials per value")
    if col.positions is not (first.positions if aligned else None):  # rows were left out: theirs go too
        t = t[np.searchsorted(first.stood, col.stood)] if aligned else t[col.stood]
    bad = () if _all_counts(t) else np.flatnonzero(~np.isnan(t) & ~((t >= 0) & (t == np.floor(t)) & (t < 2.0 ** 53)))
    if len(bad):
        shown = ", ".join(f"{col.where(i)}: {t[i]:.10g}" for i in bad[:3])
        raise DataError(f"{bad.size} trial count{'s are' if bad.size > 1 else ' is'} not a whole number "
                        f">= 0 ({shown}); trials count attempts: 0, 1, 2, ...")
    return col.but(trials=t).without((np.isnan(t), "missing trials"))


def _all_counts(t):
    """Whether every trial count is a whole number >= 0 (below 2^53) or missing (NaN),
    tested without a temporary the size of t (numerics.all_whole)."""
    return not t.size or (np.fmin.reduce(t) >= 0 and np.fmax.reduce(t) < 2.0 ** 53 and nm.all_whole(t, nan_ok=True))


def with_trials(fam, col):
    """(family for its trials, col), once every value is checked to be at most its number
    of trials; rows of zero trials (so x = 0: no information) are left out and reported.
    The family is base:T when every row has T trials, else the family of trials per row
    (whose data are Family.data(col)). col.trials is None when the trials came in the
    name ('binomial:12')."""
    base = fam.spec.base
    t = col.trials
    if t is None:
        t = int(fam.spec.value)
    x = col.values
    over = np.flatnonzero(x > t)
    if over.size:
        shown = [f"{col.where(i)}: {x[i]:.10g} > {t if np.isscalar(t) else t[i]:.10g}" for i in over[:3]]
        raise above_error(base, col.label, over.size, shown)
    if not np.isscalar(t):
        col = col.without((t == 0, "zero trials"))
        t = col.trials
        if t.size and t.min() != t.max():
            col = col.but(notes=col.notes + (f"trials per row: from {t.min():.10g} to {t.max():.10g}",))
            return families.build(base, None), col
        if t.size:  # every row has the same number
            t = t[0]
    return families.build(base, None if np.ndim(t) else t), col


def above_error(base, label, count, shown):
    """The DataError for `count` values above their number of trials (`shown`: the first
    of them, 'line 7: 21 > 20')."""
    return DataError(f"{label} has {count} value{'s' if count > 1 else ''} above the number of trials "
                     f"({', '.join(shown)}); the {base} family counts successes: 0 <= x <= trials")


def constant_trials(fam):
    """The one number of trials of a binomial or beta_binomial family built with it
    ('binomial:12'), or None (another family, or trials one per row)."""
    if fam.spec.shape != "trials" or fam.spec.value is None:
        return None
    return int(fam.spec.value)


class AboveTrials:
    """The values above a constant number of trials over a pass in chunks: how many and
    the first three, refused when the pass ends with with_trials' message (a family
    without a constant number of trials counts none)."""

    def __init__(self, fam):
        self.top, self.base = constant_trials(fam), fam.spec.base
        self.count, self.shown = 0, []

    def add(self, part, x, high):
        if self.top is None or high <= self.top:
            return
        over = np.flatnonzero(x > self.top)
        self.count += over.size
        self.shown += [f"{part.where(i)}: {x[i]:.10g} > {self.top:.10g}" for i in over[:3 - len(self.shown)]]

    def refuse(self, label):
        if self.count:
            raise above_error(self.base, label, self.count, self.shown)
