"""One fit per group (`--by COLUMN`): the same family fitted to each group's rows."""
import numpy as np

from .data import Column
from .errors import ConvergenceError, MlefitError
from .families.discrete import _label_key


def fit_by(values, groups, family, *, name=None, source=None, locate=None, weights=None,
           loss=None, **options):
    """[{"group": label, **FitResult.to_dict()}] in natural label order; a group that
    cannot be fitted gets {"group": label, "error": message} (with the partial result
    when it did not converge), so one bad group does not hide the others."""
    from .estimate import fit

    groups = np.asarray(groups).astype(str)
    out = []
    for label in sorted(set(groups.tolist()), key=_label_key):
        rows = np.flatnonzero(groups == label)
        col = Column(name, values[rows], rows, int(rows.size), (), source,
                     locate if locate is not None else (lambda p: f"index {p}"))
        w = None if weights is None else np.asarray(weights, dtype=np.float64)[rows]
        try:
            result = fit(col, None if loss else family, loss=loss, weights=w, **options)
            out.append({"group": label, **result.to_dict()})
        except ConvergenceError as exc:
            out.append({"group": label, **exc.result.to_dict(), "error": str(exc)})
        except MlefitError as exc:
            out.append({"group": label, "error": str(exc)})
    return out
