"""What the families whose support depends on a parameter share, pareto(xm, alpha) and
uniform(a, b) (each in its own file).

These are non-regular. The MLE of a bound is a sample extreme (xm = min x; a = min x,
b = max x): the log-likelihood is -inf beyond it and still rising at it, so the score
is not zero there, its second derivative says nothing about the precision, and the
extreme converges at rate 1/n, not 1/sqrt(n). Wald intervals would be wrong, so every
interval here comes from an exact sampling distribution (the `boundary` hook), shown
without a standard error. The information hooks return NaN in the rows and columns of
the bounds (no Fisher information exists for them); the pareto alpha, regular given
xm, keeps its n / alpha^2.

Both derivations rest on one fact. For n independent draws, write S1 for the distance
from the bound to the nearest observation and S2 for a sum of n - 1 further distances,
with n c S1 ~ Exp(1) and c S2 ~ Gamma(n - 1), independent, for one unknown rate c.
Then the ratio n S1 / S2 = G1 / G(n-1) is free of c, with P(n S1 / S2 <= t) =
1 - (1 + t)^-(n-1) (a beta-prime(1, n - 1) law), so
    t_c = (1 - confidence)^(-1/(n-1)) - 1
bounds it with probability `confidence`: a one-sided interval for the bound that uses
nothing but the data. n is the total weight; with whole-number weights that is the
number of rows after repetition and everything is exact; fractional weights plug
their total into the same formulas.

Neither family squares the data (pareto works in logs and ratios, uniform in
differences, with log(b - a) taken from the halves where b - a overflows), so neither
needs `rescale`: values from 1e-300 to 1e300 are fitted as they are.
"""
import math

import numpy as np

LOG_2 = math.log(2.0)
NO_INTERVAL = (None, None, "no exact interval: it needs a total weight above 1")


def extremes(x, w):
    """min and max of the rows that carry weight."""
    held = x if w is None else x[w > 0]
    return float(np.min(held)), float(np.max(held))


def minimum(x, w):
    """min of the rows that carry weight."""
    return float(np.min(x if w is None else x[w > 0]))


def ratio_quantile(n, confidence):
    """t with P(G1 / G(n-1) <= t) = confidence, G independent unit-rate gammas."""
    return math.expm1(-math.log1p(-confidence) / (n - 1.0))
