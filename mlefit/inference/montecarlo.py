"""Monte Carlo p-values decided sequentially.

A bootstrap p-value counts how many of m simulated statistics are at least the observed
one (k exceedances). Most of the B = 199 default samples are wasted when the answer is
clear, so the bootstrap stops as soon as every statistic is decided against the usual
threshold ALPHA = 0.05:

- clearly above: H = 10 exceedances (Besag and Clifford 1991, Biometrika 78: 301-304):
  p = k/m, exactly valid for this stopping rule; a well-fitting family stops after about
  10/p samples (20 at p = 0.5);
- clearly below: no exceedance in the first BELOW_AFTER = 59 samples: p = 1/60; a
  p-value of 0.05 or more gives that with probability 0.95^59 = 0.048 or less, so the
  p-value is below 0.05 with 95% confidence.

Otherwise all B are drawn and p = (k + 1)/(m + 1) as before. The Monte Carlo standard
error sqrt(q (1 - q)/m), q = (k + 1)/(m + 2), is reported with each p-value (tests/test_gof.py holds the
sequential p-values to the full ones on clear cases and checks their size under the null).
"""
import math

ALPHA = 0.05
ABOVE_AT = 10
BELOW_AFTER = 59


class Exceedances:
    """Counts of simulated statistics at least the observed ones, per statistic, and the
    rule that says when to stop. observed: {name: value}; budget: the most samples."""

    def __init__(self, observed, budget, sequential=True):
        self.observed, self.budget, self.sequential = observed, budget, sequential
        self.k = {name: 0 for name in observed}
        self.m = {name: 0 for name in observed}  # finite simulated values per statistic
        self.stopped = None  # 'above' or 'below' when stopped early

    def add(self, simulated):
        """Count one sample's statistics {name: value} (nan or missing: not counted)."""
        for name, value in self.observed.items():
            s = simulated.get(name, math.nan)
            if math.isfinite(s):
                self.m[name] += 1
                self.k[name] += s >= value - 1e-12 * abs(value)

    def done(self, drawn):
        """True when every statistic is decided after `drawn` samples (of the budget)."""
        if drawn >= self.budget:
            return True
        if not self.sequential or not self.observed:
            return False
        decided = [self.k[s] >= ABOVE_AT or (self.m[s] >= BELOW_AFTER and self.k[s] == 0) or math.isnan(v)
                   for s, v in self.observed.items()]
        if all(decided):
            self.stopped = "below" if any(self.k[s] == 0 for s in self.observed) else "above"
            return True
        return False

    def p_value(self, name):
        """(p, Monte Carlo standard error), or (None, None) without simulated values."""
        k, m = self.k[name], self.m[name]
        if m == 0 or math.isnan(self.observed[name]):
            return None, None
        p = k / m if self.stopped and k >= ABOVE_AT else (k + 1.0) / (m + 1.0)
        q = (k + 1.0) / (m + 2.0)  # not 0 or 1, where the plain formula would claim no error
        return p, math.sqrt(q * (1.0 - q) / m)

    def how(self, name):
        """Why the sampling stopped where it did, for the method text ('' for a full run)."""
        if not self.stopped:
            return ""
        if self.k[name] >= ABOVE_AT:
            return f"stopped at {ABOVE_AT} as large: p above {ALPHA:g}"
        return f"stopped, none of the first {BELOW_AFTER} as large: p < {ALPHA:g} with 95% confidence"
