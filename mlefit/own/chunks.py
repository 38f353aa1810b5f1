"""A user's own model fitted from a file read chunk by chunk (--chunk-size, or a file
above the automatic size): Family.chunked_stats for mlefit.own.model. The values stay in
mlefit.io.chunks' temporary file; the log-likelihood and its exact score and Hessian are
summed chunk by chunk at every Newton step (one pass over the file each), so memory is
bounded by the chunk size whatever the file's length.

Before the fit, one pass checks every value against the support and the log-density at
the start values (as own_model.check_rows does in memory, with an example value instead
of a line), and the density's integral (or the normalising constant's finiteness) is
checked on the chunks' evenly thinned sample, whose deciles also cut the integrations."""
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..likelihood import loglik as row_loglik
from ..likelihood import sums


@dataclass(frozen=True)
class ChunkStats:
    """A user's own model's statistics of a file read chunk by chunk."""

    n: float
    chunks: object  # mlefit.io.chunks.Chunks: n, lo, hi, map_sum(fn), sample()
    dens: object  # the model's Density, its integrations cut at the sample's deciles
    notes: tuple
    before: dict  # the model's cost counts when the pass began


def loglik(s, theta):
    dens = s.dens  # the function sent to the chunks (to Dask's workers) holds the model, not the chunks
    return s.chunks.map_sum(lambda x: row_loglik(dens, x, theta))


def summed(s, theta):
    """(loglik, gradient, Hessian, noise) summed over the chunks (likelihood.sums' shape)."""
    dens = s.dens
    return s.chunks.map_sum(lambda x: sums(dens, x, theta))


KINDS = ("outside", "nan", "+inf", "-inf")


def _bad(where, dens, starts, check_values):
    """The function counting, in a chunk, the values outside the support and those whose
    log-density at the start values is NaN, +inf or -inf (sent to the chunks: no side
    effects, which would stay on a Dask worker)."""
    def count(x):
        masks = _masks(x, where, dens, starts, check_values)
        return np.array([float(m.sum()) for m in masks])
    return count


def _masks(x, where, dens, starts, check_values):
    out = where.outside(x)
    with np.errstate(all="ignore"):
        values = np.where(out, 0.0, dens.logpdf(x, *starts)) if check_values else np.zeros(np.shape(x))
    return out, np.isnan(values), np.isposinf(values), np.isneginf(values)


def stats(chunks, spec, rebuild):
    """ChunkStats of the values in `chunks` for the own model of OwnSpec `spec`;
    rebuild(anchors) -> the model again, cut at those values (own_model.model)."""
    from . import model as own_model

    where, starts = spec.own_support, spec.starts
    before = dict(spec.cost)
    dens0 = rebuild(()).rowwise[0]
    counts = chunks.map_sum(_bad(where, dens0, starts, not spec.normalized))
    sample = np.asarray(chunks.sample(), dtype=np.float64)
    seen = _masks(sample, where, dens0, starts, not spec.normalized)
    for kind, n, mask in zip(KINDS, counts, seen):
        if not n:
            continue
        n = int(n)
        example = f", e.g. {float(sample[mask][0]):.10g}" if mask.any() else ""
        if kind == "outside":
            raise DataError(f"the column has {n} value{'s' if n > 1 else ''} outside the support of the model "
                            f"({where.text}){example}; check the data or --support")
        what = {"nan": "is not a number", "+inf": "is +inf", "-inf": "is -inf (the value is impossible)"}[kind]
        raise DataError(f"the log-{'mass' if spec.discrete else 'density'} {what} at {n} value{'s' if n > 1 else ''} "
                        f"under the start values{example}; check the expression, the start values and --support")
    fam = own_model.anchored(rebuild(()), sample)
    note = own_model._check_total(fam, sample)
    told = (f"the start values' check of the {'normalising constant' if spec.normalized else 'integral'} made on "
            f"an evenly thinned sample of {sample.size} values")
    return ChunkStats(float(chunks.n), chunks, fam.rowwise[0], ((note,) if note else ()) + (told,), before)
