"""`mlefit predict` for a model whose factor was held as level indices
(mlefit.regression.indexed_design): the saved covariance is in blocks (the dense coefficients', their
cross terms with the levels, the levels' variances), never a levels x levels matrix."""
import math

import numpy as np


def problem(spec, p_all):
    """What is wrong with an indexed model's saved covariance (an edited file), or None."""
    cov = spec.get("covariance")
    if cov is None:
        return None
    if not isinstance(cov, dict) or not all(isinstance(cov.get(k), list) for k in ("dense", "cross", "levels")):
        return "'model_spec.covariance' must hold the blocks 'dense', 'cross' and 'levels'"
    dense, cross, levels = cov["dense"], cov["cross"], cov["levels"]
    p = len(dense)
    m = p_all - p
    rows_ok = all(isinstance(r, list) and len(r) == p for r in dense) and len(cross) == p and \
        all(isinstance(r, list) and len(r) == m for r in cross) and len(levels) == m
    numbers = rows_ok and all(_number(v) for r in dense + cross for v in r) and all(_number(v) for v in levels)
    if not numbers:
        return (f"'model_spec.covariance' must hold a {p} x {p} block 'dense', a {p} x {m} block 'cross' and "
                f"{m} 'levels' variances, all numbers")
    return None


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def design(layout, X, names, values):
    """(IndexedDesign, its names) of new rows: the dense block X (names) made from the
    model's formula, the factor's column `values` coded by the saved levels (a level never
    seen is refused before: the factor is among the layout's categories)."""
    from .indexed_design import IndexedDesign
    spec = layout["indexed"]
    levels = layout["categories"][spec["variable"]]
    index = {v: i for i, v in enumerate(levels)}
    codes = np.fromiter((index[v] for v in values.tolist()), dtype=np.intp, count=len(values))
    reference = bool(spec["reference"])
    size = len(levels) - reference
    if reference:
        codes = np.where(codes == 0, size + 1, codes) - 1
    d = IndexedDesign(np.asfortranarray(X), tuple(names), codes, size, spec["term"], spec["variable"], levels,
                      reference)
    return d, list(d.names)


def variance(X, cov):
    """Each row's x' Sigma x over the blocks: dense part, twice its cross terms with the
    row's level, and the level's own variance."""
    dense, cross = np.asarray(cov["dense"]), np.asarray(cov["cross"]).reshape(len(cov["dense"]), -1)
    levels = np.append(np.asarray(cov["levels"], dtype=np.float64), 0.0)
    cross = np.hstack([cross, np.zeros((cross.shape[0], 1))])  # the reference level: no coefficient
    Xd = X.dense
    return np.einsum("ij,jk,ik->i", Xd, dense, Xd) + 2.0 * np.einsum("ij,ji->i", Xd, cross[:, X.codes]) + \
        levels[X.codes]
