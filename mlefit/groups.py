"""One fit per group (`--by COLUMN`): the same family fitted to each group's rows.

The rows are grouped in one pass (the distinct labels with each row's index into them,
then one stable sort of the rows by that index), so grouping costs n log n however
many groups there are; each group's result is handed on as soon as it is fitted."""
import numpy as np

from .data import Record
from .errors import ConvergenceError, MlefitError
from .families.categorical import label_key as _label_key


def grouped(groups):
    """(labels in natural order, rows): the k-th item of the iterator rows holds the
    indices of the rows labelled labels[k], in file order (made as it is asked for, so a
    million groups hold no million arrays); labels are the group column's values as text."""
    labels, inverse = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    ends = np.cumsum(np.bincount(inverse, minlength=labels.size))
    starts = ends - np.bincount(inverse, minlength=labels.size)
    text = labels.tolist()
    natural = sorted(range(len(text)), key=lambda i: _label_key(text[i]))
    return [text[i] for i in natural], (order[starts[i]:ends[i]] for i in natural)


def each_group(rows, labels, members, family, *, name=None, source=None, weights=None, loss=None, fitter=None,
               **options):
    """Yield {"group": label, **FitResult.to_dict()} for each group of grouped()'s
    (labels, members), one at a time as it is fitted; a group that cannot be fitted gets
    {"group": label, "error": message} (with the partial result when it did not
    converge), so one bad group does not hide the others. rows: the Record of every row
    (each group is rows.take(members)), values (with their `name` and `source`), or
    censored rows (a Record with bounds, mlefit.censored.rows); the weights are the rows' own
    (record.weights), or `weights` given beside them, and each group's rows carry theirs.
    fitter(col, family, **options): the fit of one group (default mlefit.estimate.fit;
    own_model.fit for a user's model)."""
    from dataclasses import replace

    from .estimate import fit

    if not isinstance(rows, Record):
        rows = Record(name, np.asarray(rows), None, len(rows), (), source)
    censored = rows.censored  # censored rows: each group's rows with their bounds
    if weights is not None:
        rows = rows.but(weights=np.asarray(weights, dtype=np.float64))
    for label, index in zip(labels, members):
        # a group's report is its own: its rows, none left out, no reading notes; its weights (bounds) in it
        col = rows.take(index, rows_read=int(index.size), dropped=(), notes=())
        try:
            result = (fitter or fit)(col, None if loss else family, **({"loss": loss} if loss else {}),
                                     **options)
            if censored:  # censored rows' source is the file's (a censored fit's report is its caller's)
                result = replace(result, source=source)
            yield {"group": label, **result.to_dict()}
        except ConvergenceError as exc:
            yield {"group": label, **exc.result.to_dict(), "error": str(exc)}
        except MlefitError as exc:
            yield {"group": label, "error": str(exc)}


def fit_by(values, groups, family, **options):
    """[{"group": label, **FitResult.to_dict()}] in natural label order (each_group's
    results as a list)."""
    return list(each_group(values, *grouped(groups), family, **options))
