"""MAP fits of the categorical family's probabilities under a Dirichlet prior, conjugate to
it: with counts n_k (weights summed) of the K labels and the prior dirichlet(a_1, ..., a_K),
the posterior is exactly dirichlet(n_k + a_k), so everything is in closed form:

- the MAP, the posterior's mode: p_k = (n_k + a_k - 1) / (n + sum a - K) where every
  n_k + a_k >= 1. The labels are those seen in the data, so with whole weights every
  n_k >= 1 and the mode is inside the simplex for any a_k > 0; only fractional weights can
  give n_k + a_k < 1, where the density rises without bound as p_k -> 0: the MAP is then on
  that edge, p_k = 0, the other labels in the proportions of n_j + a_j - 1 (no Laplace SE);
- each p_k's marginal, beta(a_k + n_k, sum(n + a) - a_k - n_k): mean, sd and the
  equal-tailed credible interval (the headline interval);
- the Laplace approximation: the log-posterior is sum (n_k + a_k - 1) log p_k, whose
  curvature at the mode over K - 1 free p gives var p_k = p_k (1 - p_k) / (n + sum a - K);
- --interval profile: that log-posterior is a categorical log-likelihood with the counts
  n_k + a_k - 1, so its profile is profile.py's categorical (binomial) one.

`--prior jeffreys` is dirichlet(1/2, ..., 1/2), the multinomial's Jeffreys prior."""
import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from ..errors import DataError, UsageError, plain
from .distributions import distribution, numbers, sides, texts

METHOD = "closed form: the mode of the dirichlet posterior, (n_k + a_k - 1) / (n + sum a - K)"


def is_categorical(fam):
    return fam.spec.support == "labels"


def concentrations(given, labels):
    """(a, text): the K concentrations of the one prior `given` on categorical p, in the
    order of `labels` ('p ~ dirichlet(2)' is symmetric; 'jeffreys' is dirichlet(1/2)), or
    UsageError naming the problem."""
    k = len(labels)
    order = ", ".join(plain(lab, 20) for lab in labels[:8]) + (", ..." if k > 8 else "")
    given = texts(given)
    example = f"'p ~ dirichlet({', '.join(['1'] * min(k, 8))}{', ...' if k > 8 else ''})'"
    if len(given) != 1:
        raise UsageError(f"the categorical family's probabilities take one joint prior, e.g. {example} (one "
                         f"concentration per label: {order}); got {len(given)} priors")
    text = given[0].strip()
    if text.lower() == "jeffreys":
        return (0.5,) * k, "jeffreys"
    shown = plain(text, 80)
    param, rhs = sides(text)
    name, inside = distribution(rhs, shown)
    if param != "p" or name != "dirichlet":
        raise UsageError(f"the categorical family's probabilities p[label] sum to 1 and take one joint prior, "
                         f"dirichlet, on p: e.g. {example}, one concentration per label ({order}), or one for "
                         f"all (got '{shown}')")
    a = numbers(inside, name, shown) if inside.strip() else []
    if len(a) not in (1, k):
        raise UsageError(f"dirichlet on p takes one concentration per label ({k}: {order}, in that order) or one "
                         f"for all, got {len(a)} in '{shown}'")
    bad = [(i, v) for i, v in enumerate(a) if not v > 0]
    if bad:
        i, v = bad[0]
        which = f"for p[{plain(labels[i], 20)}] " if len(a) > 1 else ""
        raise UsageError(f"dirichlet's concentrations must be positive (got {v:.10g} {which}in '{shown}')")
    return tuple(a) * k if len(a) == 1 else tuple(a), text


def mode(alpha):
    """The mode of dirichlet(alpha) and whether it is on the edge of the simplex: the
    labels with alpha_k < 1 at 0 (the density rises without bound toward p_k = 0), the
    others in the proportions alpha_j - 1. DataError where there is no single mode."""
    alpha = np.asarray(alpha, dtype=float)
    low = alpha < 1.0
    excess = np.where(low, 0.0, alpha - 1.0)
    if low.all() or (excess.sum() <= 0.0 and (~low).sum() != 1):
        raise DataError("the dirichlet posterior has no single mode (every n_k + a_k is at most 1: its density is "
                        "flat or rises toward several corners); give concentrations of 1 or more")
    if excess.sum() <= 0.0:  # one label left off the edge: it takes everything
        return np.where(low, 0.0, 1.0), True
    theta = excess / excess.sum()
    return theta, bool(((theta == 0.0) | (theta == 1.0)).any())


def posterior(names, alpha, confidence):
    """The `posterior` dict of dirichlet(alpha): its mode (the MAP) and each p_k's exact
    marginal, beta(alpha_k, sum alpha - alpha_k): mean, sd and equal-tailed interval."""
    from scipy import stats

    alpha = np.asarray(alpha, dtype=float)
    total = float(alpha.sum())
    tail = (1.0 - confidence) / 2.0
    marginal = [stats.beta(a, total - a) for a in alpha]
    label = f"dirichlet({', '.join(f'{v:.10g}' for v in alpha)})"
    return {"parameter": "p", "parameters": list(names), "distribution": "dirichlet",
            "args": {"alpha": alpha.tolist()}, "label": label,
            "mean": (alpha / total).tolist(), "mode": mode(alpha)[0].tolist(),
            "sd": [float(m.std()) for m in marginal],
            "ci_lower": [float(m.ppf(tail)) for m in marginal], "ci_upper": [float(m.isf(tail)) for m in marginal],
            "marginals": [{"parameter": n, "distribution": "beta", "args": {"a": float(a), "b": total - float(a)}}
                          for n, a in zip(names, alpha)],
            "interval": "equal-tailed credible interval of each p_k's exact marginal, "
                        "beta(alpha_k, sum alpha - alpha_k)"}


def log_density(a, p):
    """log dirichlet(a) at p (+inf where some p_k = 0 with a_k < 1)."""
    from scipy.special import gammaln, xlogy
    a, p = np.asarray(a, dtype=float), np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        return float(gammaln(a.sum()) - gammaln(a).sum() + xlogy(a - 1.0, p).sum())


def fit_map(result, given, interval="wald"):
    """The MAP fit of the categorical ML fit `result` under the dirichlet prior `given`."""
    from ..inference import information as inference
    from .map_fit import LAPLACE, NO_CRITERIA
    from ..report.result import Interval, ParameterEstimate

    f = result.fitted
    labels, counts = f.stats.labels, np.asarray(f.stats.counts, dtype=float)
    a, text = concentrations(given, labels)
    alpha = counts + np.asarray(a)
    exact = posterior(f.names, alpha, f.confidence)
    theta, edge = mode(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = float(np.sum(np.where(counts > 0, counts * np.log(theta), 0.0)))
    lp = log_density(a, theta)
    spread = float(alpha.sum()) - len(alpha)  # n + sum a - K: the curvature's scale
    var = None if edge else theta * (1.0 - theta) / spread
    profiled = _profile(f, alpha, theta, var) if interval == "profile" and not edge else {}
    z = inference.z_value(f.confidence)
    parameters = []
    for i, (old, t) in enumerate(zip(result.parameters, theta)):
        kinds = [Interval("exact", exact["ci_lower"][i], exact["ci_upper"][i],
                          f"equal-tailed, exact beta({alpha[i]:.10g}, {alpha.sum() - alpha[i]:.10g}) marginal")]
        se = math.sqrt(var[i]) if var is not None and 0.0 < t < 1.0 else None
        if se is None:
            kinds.append(Interval("laplace", None, None, LAPLACE, "no curvature at this estimate"))
        else:
            lo, hi, scale = inference.wald_interval(float(t), se, "unit", z)
            kinds.append(Interval("laplace", lo, hi, f"{LAPLACE} ({scale})"))
        lo, hi, how = exact["ci_lower"][i], exact["ci_upper"][i], "exact posterior"
        if i in profiled:
            from .profile import METHOD as PROFILE
            lo, hi, note = profiled[i]
            kinds.insert(0, Interval("profile", lo, hi, PROFILE, note or None))
            how = "profile"
        parameters.append(ParameterEstimate(old.name, float(t), se, lo, hi, how, None, intervals=tuple(kinds)))
    prior = {"parameter": "p", "transform": None, "given": text, "distribution": "dirichlet",
             "args": {"alpha": list(a)}}
    said = f"p ~ dirichlet({', '.join(f'{v:.10g}' for v in a)})"
    mle = {n: float(t) for n, t in zip(f.names, f.theta)}
    notes = list(result.notes) + [
        f"MAP (maximum a posteriori) with the prior {'jeffreys (' + said + ')' if text == 'jeffreys' else said}: "
        f"the MLE moved " + "; ".join(f"{n} {mle[n]:.6g} -> {t:.6g}" for n, t in zip(f.names, theta)),
        "intervals are credible intervals: exact (each p_k's beta marginal of the dirichlet posterior); "
        f"the {LAPLACE} listed under them on the logit scale", NO_CRITERIA]
    if edge:
        low = [n for n, v in zip(f.names, alpha) if v < 1.0]
        notes.append(f"n_k + a_k is below 1 for {', '.join(low)}: the posterior density rises without bound as "
                     f"that p_k -> 0, so the MAP is on that edge (p_k = 0) and the others are in the "
                     f"proportions n_j + a_j - 1; the Laplace approximation does not apply there (no SE)")
    if profiled:
        notes.append("the headline intervals are the profile log-posterior's: where it, maximised over the other "
                     "labels' p, falls chi2_1(level)/2 below the MAP's (the exact and Laplace ones under them)")
    log_posterior = loglik + lp if not (edge and math.isinf(lp)) else math.inf
    return replace(result, parameters=tuple(parameters), loglik=loglik, aic=math.nan, bic=math.nan,
                   bits_per_sample=-loglik / (f.n * math.log(2.0)), method="MAP: " + METHOD, converged=True,
                   iterations=0, message="", notes=tuple(notes), prior=(prior,), log_prior=lp,
                   log_posterior=log_posterior, posterior=exact, mle=mle, fitted=None,
                   interval_kind="profile" if profiled else "laplace")


def _profile(f, alpha, theta, var):
    """{k: (lower, upper, note)}: the profile log-posterior intervals. The log-posterior is
    sum (alpha_k - 1) log p_k + constant, the categorical log-likelihood of the counts
    alpha_k - 1, so profile.py's categorical profile of those counts is its profile."""
    from ..inference.fitted import Fitted
    from ..inference.profile import profile_interval

    pseudo = alpha - 1.0
    stats = SimpleNamespace(n=float(pseudo.sum()), labels=f.stats.labels, counts=pseudo)
    post = Fitted(f.family, f.x, f.w, stats, tuple(float(t) for t in theta),
                  float(np.sum(pseudo * np.log(theta))), f.confidence, cov=var, max_iter=f.max_iter)
    return {k: profile_interval(post, k) for k in range(len(theta)) if 0.0 < theta[k] < 1.0}

