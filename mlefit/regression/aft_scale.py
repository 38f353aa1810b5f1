"""An accelerated failure time regression whose response lies beyond 1e+-100, fitted
exactly. An AFT model is a model of log y: log of the time scale = x'b (weibull and
log_logistic: their scale; exponential: its mean), so dividing every time (the values,
the censoring bounds, the truncation points) by c = 2^s and adding -log c to the offset
is the same model with the same coefficients, and each exactly observed row's log f
moves by -log c (a censored row's probability does not move). The per-row derivatives
in the scale, near 1/scale^2, leave floating point beyond 1e+-154 (Newton then ended in
'did not converge'); at the divided times they are near 1. c is a power of two, so
the division is exact. lognormal needs none of this: its parameter is already log y's
(catalog.Regression.on_log)."""
import math

import numpy as np

FAR = 1e100  # times beyond 1e+-100 are divided (the other families' refusal begins there too: rows._refuse_far)


def power(x, name):
    """s such that the times of the rows x (censored.fit.rows_array: lo, hi and the
    truncation points) divided by 2^s have their median near 1; 0 where every finite time
    is within 1e+-100, or the family is not an AFT family on the time itself."""
    from ..families.catalog import BY_NAME
    regression = BY_NAME[name].regression
    if regression is None or not regression.aft or regression.on_log:
        return 0
    size = np.abs(x[:, :2])
    size = size[np.isfinite(size) & (size > 0)]
    if not size.size or (float(size.max()) <= FAR and float(size.min()) >= 1.0 / FAR):
        return 0
    return int(np.frexp(np.median(size))[1])


def divided(x, w, s):
    """(the rows x divided by c = 2^s, log c: the shift of every row's linear predictor
    (censored.regress.CensoredObjective subtracts it), the log f's shift: -log c times the
    weight of the exactly observed rows)."""
    if s == 0:
        return x, 0.0, 0.0
    log_c = s * math.log(2.0)
    exact = x[:, 0] == x[:, 1]
    weight = float(np.count_nonzero(exact)) if w is None else float(np.sum(np.asarray(w)[exact]))
    return np.ldexp(x, -s), log_c, -log_c * weight
