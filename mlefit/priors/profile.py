"""Profile intervals of a MAP fit (`fit --prior ... --interval profile`): for each free
parameter, the set where the profile log-posterior (the log-posterior maximised over the
other free parameters with this one held) stays within chi2_1(level)/2 of its maximum.
Each end is bracketed and found by Brent's method on the parameter's unconstrained scale
(profile.py's search); the inner maximisations are the MAP's own Newton (likelihood.
maximize_sum) with the parameter held. An end the profile never reaches is the edge of
the parameter's range, said in a note."""
import math

from ..constrained import _from_free, _to_free
from ..inference.information import z_value
from ..likelihood import maximize_sum
from ..inference.profile_engine import both_ends, first_step, free_se

METHOD = "profile log-posterior (where it falls chi2_1(level)/2 below the MAP's)"


def intervals(dens, value_at, sums_at, theta, free, fixed, held, cov, confidence, max_iter, skip=()):
    """{index: (lower, upper, note)} for the parameters `free` of the MAP `theta` but those
    in `skip`; cov: the Laplace covariance over `free` (for the first step), or None."""
    q = z_value(confidence) ** 2
    top = value_at(list(theta))
    out = {}
    for j, i in enumerate(free):
        if i in skip:
            continue
        domain, name = dens.domains[i], dens.params[i]
        u_hat = _to_free(theta[i], domain)
        path = {u_hat: tuple(theta)}

        def excess(u, i=i, domain=domain, path=path):
            start = path[min(path, key=lambda v: abs(v - u))]
            found = maximize_sum(dens, value_at, sums_at, start, {**dict(fixed), i: _from_free(u, domain)},
                                 held, max_iter)
            path[u] = found.theta
            lp = value_at(list(found.theta)) if found.converged else -math.inf
            drop = 2.0 * (top - min(lp, top))
            return drop - q if math.isfinite(drop) else 1e300

        step = _step(cov, j, theta[i], domain, u_hat, math.sqrt(q))
        ends, notes = both_ends(excess, u_hat, step, domain, name, lambda sign, edge: (
            f"the profile log-posterior of {name} stays within the threshold up to the edge of its range "
            f"({name} -> {edge:g}): the interval is open there"), what="profile log-posterior")
        out[i] = (float(min(ends[0], theta[i])), float(max(ends[1], theta[i])), "; ".join(notes) or None)
    return out



def _step(cov, j, t, domain, u_hat, z):
    """z Laplace standard errors on the unconstrained scale (a tenth of a unit without them)."""
    return first_step(free_se(float(cov[j, j]) if cov is not None else math.nan, t, domain), u_hat, domain, z)
