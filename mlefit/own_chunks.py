"""A user's own model fitted from a file read chunk by chunk (--chunk-size, or a file
above the automatic size): Family.chunked_stats for mlefit.own_model. The values stay in
mlefit.chunks' temporary file; the log-likelihood and its exact score and Hessian are
summed chunk by chunk at every Newton step (one pass over the file each), so memory is
bounded by the chunk size whatever the file's length.

Before the fit, one pass checks every value against the support and the log-density at
the start values (as own_model.check_rows does in memory, with an example value instead
of a line), and the density's integral (or the normalising constant's finiteness) is
checked on the chunks' evenly thinned sample, whose deciles also cut the integrations."""
from dataclasses import dataclass

import numpy as np

from .errors import DataError
from .likelihood import loglik as row_loglik
from .likelihood import sums


@dataclass(frozen=True)
class ChunkStats:
    n: float
    chunks: object  # mlefit.chunks.Chunks: n, lo, hi, map_sum(fn), sample()
    dens: object  # the model's Density, its integrations cut at the sample's deciles
    notes: tuple
    before: dict  # the model's cost counts when the pass began


def loglik(s, theta):
    return s.chunks.map_sum(lambda x: row_loglik(s.dens, x, theta))


def summed(s, theta):
    """(loglik, gradient, Hessian, noise) summed over the chunks (likelihood.sums' shape)."""
    return s.chunks.map_sum(lambda x: sums(s.dens, x, theta))


def stats(chunks, spec, rebuild):
    """ChunkStats of the values in `chunks` for the own model of OwnSpec `spec`;
    rebuild(anchors) -> the model again, cut at those values (own_model.model)."""
    from . import own_model

    where, starts = spec.own_support, spec.starts
    before = dict(spec.cost)
    found = {}
    dens0 = rebuild(()).rowwise[0]

    def scan(x):
        out = where.outside(x)
        with np.errstate(all="ignore"):
            values = np.where(out, 0.0, dens0.logpdf(x, *starts)) if not spec.normalized else np.zeros(x.shape)
        for key, mask in (("outside", out), ("nan", np.isnan(values)), ("+inf", np.isposinf(values)),
                          ("-inf", np.isneginf(values))):
            if mask.any():
                n, first = found.get(key, (0, float(x[mask][0])))
                found[key] = (n + int(mask.sum()), first)
        return 0.0

    chunks.map_sum(scan)
    if "outside" in found:
        n, v = found["outside"]
        raise DataError(f"the column has {n} value{'s' if n > 1 else ''} outside the support of the model "
                        f"({where.text}), e.g. {v:.10g}; check the data or --support")
    for key, what in (("nan", "is not a number"), ("+inf", "is +inf"), ("-inf", "is -inf (the value is impossible)")):
        if key in found:
            n, v = found[key]
            raise DataError(f"the log-{'mass' if spec.discrete else 'density'} {what} at {n} value"
                            f"{'s' if n > 1 else ''} under the start values (e.g. x = {v:.10g}); check the "
                            f"expression, the start values and --support")
    sample = np.asarray(chunks.sample(), dtype=np.float64)
    fam = own_model.anchored(rebuild(()), sample)
    note = own_model._check_total(fam, sample)
    told = (f"the start values' check of the {'normalising constant' if spec.normalized else 'integral'} made on "
            f"an evenly thinned sample of {sample.size} values")
    return ChunkStats(float(chunks.n), chunks, fam.rowwise[0], ((note,) if note else ()) + (told,), before)
