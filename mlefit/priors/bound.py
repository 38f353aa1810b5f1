"""MAP with a prior on a support bound: pareto's xm, uniform's a and b, whose MLE is a
sample extreme (xm = a = min x, b = max x), where the likelihood is not smooth.

The log-posterior is defined on one side of the extreme only (xm <= min x, a <= min x,
b >= max x), and there it is a 1-D function of the bound once the other parameters take
their conditional MAP (found by the MAP's own Newton with the bound held; a second bound,
uniform's, by the same search nested). That function is maximised exactly over its
allowed side, the endpoints included: the extreme itself (where the likelihood peaks) and
the far end of a uniform prior's support. Its values are taken on a grid of offsets from
the extreme in powers of two (2^-40 to 2^40 of the data's range; of log(min/xm) for the
positive xm), and the best grid point is refined by Brent's method (scalar_search)
between its neighbours; the best point on an end is the MAP there.

Intervals: the Laplace approximation does not apply at a boundary, and the bound has no
standard error. Its interval is from its exact posterior given the other parameters at
their MAP (the conditional posterior, by 1-D numerical integration over the allowed
side), equal-tailed, or one-sided from the end where the MAP is on it: it leaves out the
other parameters' uncertainty, and says so.

A prior whose density is infinite at 0 (gamma, shape < 1) on pareto's xm is refused: it
outgrows the likelihood, which falls like a power of log(1/xm) there."""
import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, UsageError, plain
from ..report.result import Interval, ParameterEstimate

POWERS = range(-40, 41)  # grid offsets 2^k of the scale, k in POWERS (on the log scale: k <= 9)
TOL = 1.48e-8  # Brent's relative tolerance on the offset (scipy's default: ~sqrt(eps))
TAIL = 1e-9  # a posterior mass beyond the grid's far end above this share: no interval


@dataclass(frozen=True)
class Side:
    """The values a bound may take: [lo, hi], one end the sample extreme; t(u) maps an
    offset u in [0, span] from that extreme to the bound (multiplicatively for a positive
    lower bound, xm = hi e^-u; else by the data's range)."""

    name: str
    extreme: float
    below: bool
    lo: float
    hi: float
    scale: float
    log: bool

    @property
    def span(self):
        if self.log:
            return math.log(self.hi / self.lo) if self.lo > 0 else math.inf
        return (self.hi - self.lo) / self.scale

    def t(self, u):
        if self.log:
            return self.hi * math.exp(-u)
        return self.hi - self.scale * u if self.below else self.lo + self.scale * u

    def dt_du(self, u):
        return self.t(u) if self.log else self.scale

    def grid(self):
        top = 9 if self.log else max(POWERS)
        span = self.span
        us = {0.0} | {math.ldexp(1.0, k) for k in POWERS if k <= top and math.ldexp(1.0, k) < span}
        if math.isfinite(span):
            us |= {span} | {span - math.ldexp(1.0, k) for k in POWERS if math.ldexp(1.0, k) < span}
        return sorted(u for u in us if 0.0 <= u <= span)


def side(dens, index, prior, y, w, extreme):
    """The Side of the bound `index` (sample extreme `extreme`) under its prior: UsageError
    when the prior puts no weight there."""
    from ..families.positive_common import weighted_min
    name, domain = dens.params[index], dens.domains[index]
    below = dens.extreme[index] is weighted_min
    lo, hi = (0.0 if domain == "positive" else -math.inf, extreme) if below else (extreme, math.inf)
    if prior.distribution == "uniform":  # its support's ends, on the parameter's own scale
        a, b = prior.args if prior.transform is None else (math.exp(prior.args[0]), math.exp(prior.args[1]))
        lo, hi = max(lo, a), min(hi, b)
    if prior.distribution == "pareto":  # [xm, inf)
        lo = max(lo, prior.args[0] if prior.transform is None else math.exp(prior.args[0]))
    if not lo < hi:
        rel = "at or below the sample minimum" if below else "at or above the sample maximum"
        raise UsageError(f"the prior '{plain(prior.text, 60)}' puts no weight {rel}, {extreme:.10g}, where {name} "
                         f"must be (every value lies inside the support), so the posterior is zero; give a prior "
                         f"that reaches {extreme:.10g}")
    if below and domain == "positive" and lo == 0.0 and 1e-150 * prior.derivs(1e-150)[1] < -1e-9:
        raise UsageError(f"the prior '{plain(prior.text, 60)}' has a density that rises without bound as {name} -> 0, "
                         f"faster than the likelihood falls there, so the posterior has no maximum; use a prior "
                         f"whose density stays finite at 0 (a gamma shape of at least 1, lognormal, half_normal)")
    y = np.asarray(y, dtype=np.float64)
    spread = float(np.max(y) - np.min(y))
    scale = spread if spread > 0 else max(abs(extreme), 1.0)
    return Side(name, extreme, below, lo, hi, scale, below and domain == "positive")


def maximise(sd, g):
    """(u, g(u)) at the maximum of g over the side's offsets [0, span]: the grid's best
    point, refined by Brent between its neighbours (an end: the end itself)."""
    from ..scalar_search import minimize_bracketed
    us = sd.grid()
    vals = [_finite(g(u)) for u in us]
    j = int(np.argmax(vals))
    if vals[j] == -math.inf:
        raise ConvergenceError(f"the log-posterior is not finite anywhere on {sd.name}'s allowed side "
                               f"({'<=' if sd.below else '>='} {sd.extreme:.10g}): check the priors")
    if j == len(us) - 1 and not math.isfinite(sd.span):
        raise ConvergenceError(
            f"the log-posterior keeps rising as {sd.name} moves away from the sample "
            f"{'minimum' if sd.below else 'maximum'} ({sd.name} = {sd.t(us[j]):.6g} and beyond): it has no "
            f"maximum (the prior's density outgrows the likelihood there); use a prior that pulls {sd.name} "
            f"toward the data")
    if j in (0, len(us) - 1):
        return us[j], vals[j]
    u, v = minimize_bracketed(lambda x: -_finite(g(x)), us[j - 1], us[j], us[j + 1], -vals[j], TOL, 500)
    return (u, -v) if -v >= vals[j] else (us[j], vals[j])


def _finite(v):
    return v if math.isfinite(v) else -math.inf


def search(sides, profile):
    """{index: value} of the bounds (sides: {index: Side}) at the MAP. profile(held) ->
    the log-posterior maximised over the other parameters with the bounds `held`
    ({index: value}); bounds after the first are maximised within it (nested)."""
    order = sorted(sides)

    def best(held, rest):
        if not rest:
            return profile(held), held
        i, more = rest[0], rest[1:]
        sd = sides[i]
        u, _ = maximise(sd, lambda u: best({**held, i: sd.t(u)}, more)[0])
        return best({**held, i: sd.t(u)}, more)

    return best({}, order)[1]


def interval(sd, conditional, estimate, confidence):
    """(lower, upper) of the `confidence` interval of the bound's posterior given the other
    parameters at the MAP, equal-tailed, or one-sided from the end of the side where the
    MAP is on it (where the density is highest): conditional(t) is the log-posterior there
    (unnormalised), integrated over the allowed side in the offset u; None where the mass
    beyond the grid's far end is not negligible."""
    from scipy.integrate import IntegrationWarning, quad

    from ..scalar_search import find_root
    u_hat = (math.log(sd.hi / estimate) if sd.log else
             (sd.hi - estimate) / sd.scale if sd.below else (estimate - sd.lo) / sd.scale)
    top = conditional(estimate)

    def dens(u):
        v = conditional(sd.t(u))
        return math.exp(v - top) * sd.dt_du(u) if math.isfinite(v) else 0.0

    us = sorted(set(sd.grid()) | {min(max(u_hat, 0.0), sd.span)})
    with warnings.catch_warnings():  # quad's roundoff warning on the far cells, whose mass is ~0 beside the total
        warnings.simplefilter("ignore", IntegrationWarning)
        mass = np.array([quad(dens, a, b, epsabs=0.0, epsrel=1e-10, limit=200)[0] for a, b in zip(us, us[1:])])
    total = float(mass.sum())
    if not total > 0 or (not math.isfinite(sd.span) and mass[-1] > TAIL * total):
        return None
    cum = np.concatenate(([0.0], np.cumsum(mass))) / total

    def at(q):
        k = min(int(np.searchsorted(cum, q)) - 1, len(mass) - 1)
        k = max(k, 0)
        if mass[k] == 0:
            return sd.t(us[k])
        need = (q - cum[k]) * total
        return sd.t(find_root(lambda u: quad(dens, us[k], u, epsabs=0.0, epsrel=1e-10, limit=200)[0] - need,
                              us[k], us[k + 1], 1e-300, 1e-12, 200))
    if u_hat == 0.0:  # the density is highest at the end: the interval reaches it (one-sided)
        ends = sorted((sd.t(0.0), at(confidence)))
    else:
        a = 0.5 * (1.0 - confidence)
        ends = sorted((at(a), at(1.0 - a)))
    return ends[0], ends[1]


def estimate_record(p, sd, t, ends, others):
    """The ParameterEstimate of the bound p (the ML record) at its MAP t, with the exact
    conditional posterior interval `ends` (or None: no interval, said in the note)."""
    at_end = t == sd.t(0.0)
    given = f" given {others} at the MAP (conditional: it leaves out their uncertainty;" if others else " ("
    method = (f"{'one-sided from the end where the density is highest' if at_end else 'equal-tailed'}, exact "
              f"quantiles of {sd.name}'s posterior{given} 1-D numerical integration over {sd.name} "
              f"{'<=' if sd.below else '>='} {sd.t(0.0):.6g})")
    if ends is None:
        note = (f"{sd.name}'s posterior has too heavy a tail to integrate on {sd.name}'s allowed side: no "
                f"interval")
        return ParameterEstimate(p.name, t, None, None, None, "none", note)
    note = (f"MAP at the sample {'minimum' if sd.below else 'maximum'}, where the support ends" if t == sd.extreme
            else f"MAP at the end of the prior's support" if at_end else None)
    return ParameterEstimate(p.name, t, None, ends[0], ends[1], "exact posterior", note,
                             intervals=(Interval("exact", ends[0], ends[1], method),))
