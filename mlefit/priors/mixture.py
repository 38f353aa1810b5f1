"""MAP for normal_mixture:K with exchangeable priors: `mu ~ DIST` on every component's mu,
`sigma ~ DIST` on every sigma, `w ~ dirichlet(a)` (symmetric) on the weights. The
components have no labels, and a prior that treats them all alike keeps the posterior
the same under any relabelling, so the MAP is defined up to relabelling (reported in
increasing mu, as the ML fit is). A prior on one component (mu[1]) is refused.

Estimation: MAP-EM (an ECM: the M-step maximises the expected complete log-likelihood
plus the log-prior, one block at a time, so every step raises the log-posterior): the
weights (n_j + a - 1)/(n + K(a - 1)); each mu given the old sigma, in closed form under a
normal prior ((S_j/sigma^2 + m/t^2) / (n_j/sigma^2 + 1/t^2)), else by Brent's method on
its 1-D objective; each sigma given the new mu, in closed form under an inverse_gamma(a,
b) prior on sigma (the positive root of (n_j + a + 1) s^2 - b s - SS_j = 0) or none
(sqrt(SS_j/n_j)), else by Brent on log sigma. From the ML fit's seeded starts (and the
MLE; screened on the ML fit's quantile sketch when there are many distinct values, and
the best two of those then on all the data), the best runs by ECM in bursts, each followed by Newton on the 3K - 1 free
parameters (likelihood Hessian from mixture_em.derivatives plus the priors') until Newton
converges to full precision.

A prior on sigma whose density falls faster than any power at 0 (inverse_gamma,
lognormal) keeps every sigma away from 0, so the likelihood's spikes (a component on one
value, sigma -> 0) are not maxima of the posterior; without one, a run that collapses is
discarded as in the ML fit. Standard errors and intervals: the Laplace approximation
(curvature of the log-posterior over the free parameters), on the logit / log scale."""
import math
import re
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..inference import information as inference
from . import distributions as priors
from ..errors import ConvergenceError, DataError, UsageError, plain
from ..families import mixture_em as em

EXAMPLE = "'mu ~ normal(0, 10)', 'sigma ~ inverse_gamma(2, 1)' or 'w ~ dirichlet(2)'"
SCREEN, KEEP, POLISH, MAX_STEPS, RTOL = 30, 8, 50, 20000, 1e-14


@dataclass(frozen=True)
class MixturePrior:
    """The exchangeable priors: on every mu, every sigma (priors.Prior or None), and the
    symmetric dirichlet concentration of the weights (or None), with the texts given."""

    mu: object
    sigma: object
    alpha: float | None
    w_text: str = ""

    def log_prior(self, p):
        w, mu, sig = p.T
        out = 0.0
        for prior, values in ((self.mu, mu), (self.sigma, sig)):
            if prior is not None:
                out += sum(prior.logpdf(v) for v in values)
        if self.alpha is not None:
            k, a = w.size, self.alpha
            out += math.lgamma(k * a) - k * math.lgamma(a) + (a - 1.0) * float(np.sum(np.log(w)))
        return out

    def derivs(self, p):
        """(gradient, second derivatives) of the log-prior in each of the 3K parameters
        (weights taken as free), K x 3 each: the prior is a sum of one-parameter terms."""
        g, h = np.zeros_like(p), np.zeros_like(p)
        for col, prior in ((1, self.mu), (2, self.sigma)):
            if prior is not None:
                for j, v in enumerate(p[:, col]):
                    _, g[j, col], h[j, col] = prior.derivs(v)
        if self.alpha is not None:
            g[:, 0] = (self.alpha - 1.0) / p[:, 0]
            h[:, 0] = -(self.alpha - 1.0) / p[:, 0] ** 2
        return g, h

    def on_edges(self, p):
        """{index in theta (K x 3, row by row): the end} of the mus and sigmas that sit on an
        end of their uniform or pareto prior's support (the MAP there is not a peak)."""
        out = {}
        for col, prior in ((1, self.mu), (2, self.sigma)):
            if prior is None or prior.distribution not in ("uniform", "pareto"):
                continue
            ends = prior.args[:2] if prior.distribution == "uniform" else prior.args[:1]
            if prior.transform == "log":
                ends = [math.exp(e) for e in ends]
            for j, v in enumerate(p[:, col]):
                hit = [e for e in ends if abs(v - e) <= 1e-9 * max(abs(e), 1e-300)]
                if hit:
                    out[3 * j + col] = hit[0]
        return out

    def defends(self):
        """Whether sigma's prior density falls faster than any power of sigma at 0 (then
        no spike, sigma -> 0 on a value, is a maximum of the posterior)."""
        if self.sigma is None:
            return False
        slope = [t * self.sigma.derivs(t)[1] for t in (1e-60, 1e-90)]  # t^3 still a double
        return all(math.isfinite(s) for s in slope) and slope[1] > slope[0] + 1.0

    def to_dicts(self, k):
        out = [p.to_dict() for p in (self.mu, self.sigma) if p is not None]
        for d in out:
            d["components"] = "every component's, alike"
        if self.alpha is not None:
            out.append({"parameter": "w", "transform": None, "given": self.w_text,
                        "distribution": "dirichlet", "args": {"alpha": [self.alpha] * k},
                        "components": "every component's, alike"})
        return out

    def said(self):
        parts = [p.said() for p in (self.mu, self.sigma) if p is not None]
        if self.alpha is not None:
            parts.append(f"w ~ dirichlet({self.alpha:.10g}) (symmetric)")
        return ", ".join(parts)


def parse(given, k):
    """The MixturePrior of the prior texts `given` for normal_mixture:k, or UsageError."""
    what = f"normal_mixture:{k}"
    mu = sigma = alpha = None
    w_text = None
    for text in priors.texts(given):
        shown = plain(text, 80)
        if str(text).strip().lower() == "jeffreys":
            raise UsageError(f"--prior jeffreys is not available for {what} (its information has no closed form); "
                             f"give exchangeable priors, e.g. {EXAMPLE}")
        param, rhs = priors.sides(text)
        one = re.fullmatch(r"(?:log|logit)?\s*\(?\s*(w|mu|sigma)\s*\[\s*\d+\s*\]\s*\)?", param)
        if one is not None:
            raise UsageError(f"the components of {what} have no fixed labels (the fit reports them in increasing "
                             f"mu), so a prior on one component ('{shown}') would follow whichever comes there; "
                             f"put one prior on every component's {one.group(1)} ('{one.group(1)} ~ ...'), or write "
                             f"the mixture as your own model to label them (docs/priors.md#mixtures)")
        if param in ("w", "weights"):
            name, inside = priors.distribution(rhs, shown)
            if name != "dirichlet":
                raise UsageError(f"the weights of {what} sum to 1 and take one symmetric dirichlet prior, "
                                 f"'w ~ dirichlet(a)' (got '{shown}')")
            if alpha is not None:
                raise UsageError("two priors on the weights; give one 'w ~ dirichlet(a)'")
            values = priors.numbers(inside, name, shown)
            if not values or any(v != values[0] for v in values) or len(values) not in (1, k):
                raise UsageError(f"the weights' dirichlet prior must treat the unlabelled components alike: one "
                                 f"concentration, 'w ~ dirichlet(a)' (got '{shown}')")
            if values[0] < 1.0:
                raise UsageError(f"dirichlet({values[0]:.10g}) on the weights of {what} has an infinite density "
                                 f"where a weight is 0, so the MAP would empty a component; give a >= 1 "
                                 f"(a = 1 is flat) in '{shown}'")
            alpha, w_text = values[0], str(text).strip()
            continue
        p = priors.parse(text, ("mu", "sigma"), ("real", "positive"), what + " (every component's)")
        if (mu if p.parameter == "mu" else sigma) is not None:
            raise UsageError(f"two priors on {p.parameter}; give one prior per parameter (it is every "
                             f"component's)")
        if p.parameter == "mu":
            mu = p
        else:
            sigma = p
    if mu is None and sigma is None and alpha is None:
        raise UsageError(f"no prior given; write PARAM ~ DIST(NUMBERS), e.g. {EXAMPLE}")
    return MixturePrior(mu, sigma, alpha, w_text or "")


# ---------------------------------------------------------------- MAP-EM (data units)
def _objective(y, c, p, mp):
    return em.loglik_inside(y, c, p) + mp.log_prior(p)


def _line_max(f, x0, step):
    """A local maximum of f near x0 by Brent's method (scalar_search), never below f(x0)."""
    from ..scalar_search import minimize
    x, v = minimize(lambda x: -f(x), x0, x0 + step, 1e-12, 500)
    return x if math.isfinite(v) and -v >= f(x0) else x0


def _m_step(y, c, r, p, mp):
    """One ECM update of p (K x 3: w, mu, sigma) from the responsibilities r."""
    cr = r * c
    nj = cr.sum(axis=1)
    n, k = float(nj.sum()), p.shape[0]
    a = mp.alpha
    w = nj / n if a is None else (nj + a - 1.0) / (n + k * (a - 1.0))
    sj = cr @ y
    mu = np.empty(k)
    for j in range(k):
        s2 = p[j, 2] ** 2
        pr = mp.mu
        if pr is None:
            mu[j] = sj[j] / nj[j]
        elif pr.distribution == "normal" and pr.transform is None:
            m, t = pr.args
            mu[j] = (sj[j] / s2 + m / t ** 2) / (nj[j] / s2 + 1.0 / t ** 2)
        else:
            f = lambda m, j=j, s2=s2: float(-np.dot(cr[j], (y - m) ** 2)) / (2.0 * s2) + pr.logpdf(m)  # noqa: E731
            mu[j] = _line_max(f, p[j, 1], math.sqrt(s2 / max(nj[j], 1.0)))
    ss = np.einsum("jm,jm->j", cr, (y[None, :] - mu[:, None]) ** 2)
    sig = np.empty(k)
    for j in range(k):
        pr = mp.sigma
        if pr is None:
            sig[j] = math.sqrt(ss[j] / nj[j])
        elif pr.distribution == "inverse_gamma" and pr.transform is None:
            ia, ib = pr.args
            q = nj[j] + ia + 1.0
            sig[j] = (ib + math.sqrt(ib * ib + 4.0 * q * ss[j])) / (2.0 * q)
        else:
            f = lambda ls, j=j: -nj[j] * ls - ss[j] * math.exp(-2.0 * ls) / 2.0 + pr.logpdf(math.exp(ls))  # noqa: E731
            sig[j] = math.exp(_line_max(f, math.log(p[j, 2]), 0.1))
    return np.column_stack([w, mu, sig])


def _valid(p, floor):
    return bool(np.all(np.isfinite(p)) and np.all(p[:, 0] > em.MIN_WEIGHT) and np.all(p[:, 2] > floor))


def _ecm(y, c, p, mp, steps, floor):
    """ECM from p: (log-posterior, p, steps); em._Collapse when a sigma falls below the floor."""
    before = -math.inf
    for it in range(1, steps + 1):
        r = em._posterior(y, p)[2]
        q = _m_step(y, c, r, p, mp)
        if not _valid(q, floor):
            raise em._Collapse(q)
        p = q
        value = _objective(y, c, p, mp)
        if value - before <= RTOL * max(abs(value), 1.0):
            return value, p, it
        before = value
    return before, p, steps


def _polish(y, c, p, mp, floor):
    """ECM in bursts of POLISH steps, each followed by Newton, until Newton converges (or
    MAX_STEPS ECM steps): (log-posterior, p, converged, ECM steps)."""
    its = 0
    while True:
        _, p, more = _ecm(y, c, p, mp, POLISH, floor)
        its += more
        value, p, ok = _newton(y, c, p, mp, floor)
        if ok or its >= MAX_STEPS:
            return value, p, ok, its


def _newton(y, c, p, mp, floor, max_iter=100):
    """Newton on the 3K - 1 free parameters of the log-posterior, halved until valid and
    rising: (log-posterior, p, converged)."""
    a = em.free_map(p.shape[0])
    value = _objective(y, c, p, mp)
    for _ in range(max_iter):
        _, grad, hess = em.derivatives(y, c, p)[:3]
        pg, ph = mp.derivs(p)
        grad = grad + pg.ravel()
        hess = hess + np.diag(ph.ravel())
        m, g = -(a.T @ hess @ a), a.T @ grad
        try:
            u = np.linalg.solve(m, g)
        except np.linalg.LinAlgError:
            return value, p, False
        if not np.all(np.linalg.eigvalsh(m) > 0):
            return value, p, False
        small = float(u @ g) <= 2e-13 * max(abs(value), 1.0)  # converged: this last step is nearly free
        step, t = (a @ u).reshape(p.shape), 1.0
        for _ in range(1 if small else 40):
            q = p + t * step
            if _valid(q, floor):
                new = _objective(y, c, q, mp)
                if new >= value:
                    break
            t *= 0.5
        else:
            return value, p, True  # no step length rises: at the maximum within rounding
        p, value = q, new
        if small:
            return value, p, True
    return value, p, False


def information(y, c, p, mp):
    """Minus the Hessian of the log-posterior over the 3K - 1 free parameters."""
    a = em.free_map(p.shape[0])
    hess = em.derivatives(y, c, p)[2] + np.diag(mp.derivs(p)[1].ravel())
    return -(a.T @ hess @ a)


def estimate(s, mp, mle, controls_max_iter):
    """(log-posterior, p in data units, converged, information over the free parameters,
    method, spikes discarded) of the MAP for the mixture statistics s (mixture.py)."""
    y, c, k = s.centre + s.scale * s.y, s.counts, s.k
    floor = 0.0 if mp.defends() else em.FLOOR * s.spread * s.scale
    starts = [] if k == 1 else [np.array(em.outside(s, p)).reshape(k, 3)  # one component: from the MLE
                                for p in em._starts(s.y, s.counts, k, s.spread, np.random.default_rng(em.SEED))]
    if mle is not None:
        starts.insert(0, np.array(mle, dtype=float).reshape(k, 3))
    runs, spikes = [], 0
    sketched = s.y.size > 2 * em.SKETCH  # screened on the ML fit's quantile sketch (the same total weight)
    work = (s.centre + s.scale * em._sketch(s.y, c)[0], em._sketch(s.y, c)[1]) if sketched else (y, c)
    with np.errstate(all="ignore"):
        for p0 in starts:
            try:
                value, p, _ = _ecm(*work, p0, mp, SCREEN, floor)
            except em._Collapse:
                spikes += 1
                continue
            if math.isfinite(value):  # em._best tells runs apart in the standardized units
                runs.append((value, em.inside(s, p.ravel()), p))
        # the best few to convergence (on the sketch, if any), then the best two of those on all the data
        for data, limit in [(work, KEEP)] + ([((y, c), 2)] if sketched else []):
            done = []
            for value, _, p in em._best(runs, limit):
                try:
                    done.append(_polish(*data, p, mp, floor))
                except em._Collapse:
                    spikes += 1
            runs = [(d[0], em.inside(s, d[1].ravel()), d[1]) for d in done]
    if not done:
        raise DataError(
            f"the data do not support {k} normal components with this prior: in every one of the {len(starts)} "
            f"MAP-EM runs a component collapsed onto a single value (its sigma below {em.FLOOR:g} x the data's "
            f"spread); a prior on sigma that vanishes at 0 faster than any power keeps it away (e.g. 'sigma ~ "
            f"inverse_gamma(2, {s.spread * s.scale:.3g})' or 'sigma ~ lognormal(...)'), or use fewer components")
    value, p, ok, its = max(done, key=lambda d: d[0])
    p = p[np.lexsort((p[:, 2], p[:, 1]))]
    return SimpleNamespace(value=value, p=p, converged=ok, info=information(y, c, p, mp), iterations=its,
                           starts=len(starts), spikes=spikes, floor=floor)


def _covariance(info, k, edges):
    """The Laplace covariance of all 3K parameters from the information over the 3K - 1
    free ones (w[K] = 1 - the others), the parameters on an edge of their prior's support
    held (left out of the information; rows and columns of 0)."""
    last = 3 * (k - 1)
    free = [i for i in range(3 * k) if i != last]
    keep = [n for n, i in enumerate(free) if i not in edges]
    inv = inference.scaled_inverse(info[np.ix_(keep, keep)])
    if inv is None:
        return None
    full = np.zeros((len(free), len(free)))
    full[np.ix_(keep, keep)] = inv
    a = em.free_map(k)
    return a @ full @ a.T


def fit_map(result, given):
    """The MAP fit of normal_mixture:K (the ML result `result`) for the priors `given`."""
    from dataclasses import replace

    from .map_fit import LAPLACE, NO_CRITERIA
    from ..report.result import Interval, ParameterEstimate
    f = result.fitted
    s, k = f.stats, f.stats.k
    mp = parse(given, k)
    if f.fixed:
        raise UsageError(f"--fix does not go with a prior on normal_mixture:{k}")
    no_mle = result.method.startswith(em.NO_MLE)
    found = estimate(s, mp, None if no_mle else f.theta, f.max_iter)
    p = found.p
    theta = tuple(float(v) for v in p.ravel())
    y, c = s.centre + s.scale * s.y, s.counts
    loglik = em.loglik_inside(y, c, p)
    lp = mp.log_prior(p)
    edges = mp.on_edges(p)  # {theta index: the prior's end it sits on}
    cov = _covariance(found.info, k, edges)
    z = inference.z_value(f.confidence)
    parameters = []
    for i, (old, t) in enumerate(zip(result.parameters, theta)):
        domain = ("unit", "real", "positive")[i % 3]
        se = math.sqrt(cov[i, i]) if cov is not None and cov[i, i] > 0 else None
        if k == 1 and i == 0:
            parameters.append(ParameterEstimate(old.name, 1.0, None, 1.0, 1.0, "exact",
                                                "one component: its weight is 1 by construction"))
            continue
        if i in edges:
            parameters.append(ParameterEstimate(old.name, t, None, None, None, "none",
                                                f"on the edge of its prior's support ({edges[i]:.10g}), where the "
                                                f"log-posterior does not peak: no Laplace SE or interval"))
            continue
        if se is None:
            parameters.append(ParameterEstimate(old.name, t, None, None, None, "none", "no curvature here"))
            continue
        lo, hi, scale = inference.wald_interval(t, se, domain, z)
        parameters.append(ParameterEstimate(old.name, t, se, lo, hi, "laplace", None,
                                            intervals=(Interval("laplace", lo, hi, f"{LAPLACE} ({scale})"),)))
    mle = None if no_mle else {o.name: float(t) for o, t in zip(result.parameters, f.theta)}
    ml_only = tuple(t for t in ("degenerate component", "the information matrix", f.family.info_note) if t)
    notes = [n for n in result.notes if not n.startswith(ml_only)]  # the ML fit's inference: not the MAP's
    if no_mle:
        notes.append(f"the MLE does not exist here: {result.message}; the prior is what makes the fit defined")
    if not mp.defends():
        from ..families.mixture import degenerate
        notes += list(degenerate(s, theta))
    moved = "" if mle is None else ": the MLE moved " + "; ".join(
        f"{n} {mle[n]:.6g} -> {t:.6g}" for n, t in zip(mle, theta) if not (k == 1 and n == "w[1]"))
    if edges:
        names = ", ".join(result.parameters[i].name for i in sorted(edges))
        notes.append(f"the other parameters' Laplace intervals are given {names} held at the edge of the "
                     f"prior's support")
    notes += [f"MAP (maximum a posteriori) with the exchangeable prior {mp.said()} on every component alike (the "
              f"posterior is the same under any relabelling; components reported in increasing mu){moved}",
              f"intervals are credible intervals: {LAPLACE} over the {3 * k - 1} free parameters (w[{k}] = 1 - "
              f"the other weights), on the log/logit scale for bounded parameters", NO_CRITERIA]
    method = (f"MAP-EM (ECM: weights, then each mu, then each sigma maximising the expected complete "
              f"log-likelihood + log-prior) from {found.starts} seeded starts"
              + ("" if no_mle else " and the MLE") + ", the best continued with Newton steps on the log-posterior"
              + (f"; {found.spikes} run(s) discarded: a component collapsed onto a single value" if found.spikes
                 else ""))
    out = replace(result, parameters=tuple(parameters), loglik=loglik, aic=math.nan, bic=math.nan,
                  bits_per_sample=-loglik / (f.n * math.log(2.0)), method="MAP: " + method,
                  converged=found.converged, iterations=found.iterations, message="", notes=tuple(notes),
                  prior=tuple(mp.to_dicts(k)), log_prior=lp, log_posterior=loglik + lp, posterior=None, mle=mle,
                  fitted=None, interval_kind="laplace")
    if not found.converged:
        raise ConvergenceError("the MAP fit of the mixture did not converge (Newton on the log-posterior found "
                               "no negative-definite curvature at the best MAP-EM run); try other priors", out)
    return out
