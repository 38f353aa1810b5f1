"""Exact posteriors of the conjugate pairs, in closed form: beta with bernoulli, binomial
and geometric p; gamma with poisson and exponential rate; normal with normal mu when sigma
is fixed; pareto with uniform's b when a is fixed at 0. Each gives the posterior's name
and parameters, mean, mode (the MAP, which the generic estimator must reach), sd and
credible interval (equal-tailed; pareto's one-sided from its mode, its lower end);
weights count as repeated rows."""
import math

import numpy as np


def posterior(family, priors, y, w, fixed, theta, confidence, shapes=()):
    """The exact posterior dict of the one parameter with a conjugate prior, or None when
    the fit has no conjugate pair. family: the family's name ('binomial:10');
    fixed: {index: value}; theta: the fitted parameters (for a fixed sigma); shapes: the
    binomial's trials per row (when not in the name)."""
    base, _, shape = family.partition(":")
    if len(priors) != 1 or priors[0].transform is not None or np.ndim(y) != 1:
        return None  # rows held as records (a --mean model): its parameters are not the family's own
    prior = priors[0]
    n = float(np.size(y) if w is None else np.sum(w))
    s = float(np.sum(y) if w is None else np.dot(w, y))
    a, kind = prior.args, prior.distribution
    if kind == "uniform" and a == (0.0, 1.0):  # flat on a probability: beta(1, 1)
        kind, a = "beta", (1.0, 1.0)
    if kind == "power":  # t^k (a Jeffreys prior on a rate): the improper gamma(k + 1, 0)
        kind, a = "gamma", (a[0] + 1.0, 0.0)
    if kind == "beta_kernel":  # an improper beta(a, b) (geometric's Jeffreys prior, a = 0)
        kind = "beta"
    found = None
    if kind == "beta" and base == "bernoulli":
        found = ("beta", (a[0] + s, a[1] + n - s))
    elif kind == "beta" and base == "binomial" and (shape or shapes):
        trials = int(shape) * n if shape else float(np.sum(shapes[0]) if w is None else np.dot(w, shapes[0]))
        found = ("beta", (a[0] + s, a[1] + trials - s))
    elif kind == "beta" and base == "geometric":
        found = ("beta", (a[0] + n, a[1] + s))
    elif kind == "gamma" and base == "poisson":
        found = ("gamma", (a[0] + s, a[1] + n))
    elif kind == "gamma" and base == "exponential":
        found = ("gamma", (a[0] + n, a[1] + s))
    elif kind == "normal" and base == "normal" and prior.parameter == "mu" and 1 in fixed:
        sigma = float(theta[1])
        precision = 1.0 / a[1] ** 2 + n / sigma ** 2
        found = ("normal", ((a[0] / a[1] ** 2 + s / sigma ** 2) / precision, 1.0 / math.sqrt(precision)))
    elif kind == "pareto" and base == "uniform" and prior.parameter == "b" and fixed.get(0) == 0.0:
        # uniform(0, b): the likelihood b^-n on b >= max x times xm^k/b^(k+1) on b >= xm
        top = float(np.max(y if w is None else np.asarray(y)[np.asarray(w) > 0]))
        return _pareto_summary(prior.parameter, (max(a[0], top), a[1] + n), confidence)
    if found is None:
        return None
    return _summary(prior.parameter, *found, confidence)


ARG_NAMES = {"beta": ("a", "b"), "gamma": ("shape", "rate"), "normal": ("mu", "sigma"), "pareto": ("xm", "alpha")}


def _pareto_summary(parameter, args, confidence):
    """pareto(m, k): its density is highest at m, its lower end, so the interval is the
    one-sided highest-density one, [m, m (1 - level)^(-1/k)]."""
    m, k = args
    return {"parameter": parameter, "distribution": "pareto", "args": dict(zip(ARG_NAMES["pareto"], args)),
            "label": f"pareto({m:.10g}, {k:.10g})", "mean": k * m / (k - 1.0) if k > 1.0 else None,
            "mode": m, "sd": m / (k - 1.0) * math.sqrt(k / (k - 2.0)) if k > 2.0 else None,
            "ci_lower": m, "ci_upper": m * (1.0 - confidence) ** (-1.0 / k),
            "interval": "one-sided from the mode, the lower end, where the density is highest (the exact "
                        "posterior's highest-density interval)"}


def _summary(parameter, name, args, confidence):
    from scipy import stats

    frozen = {"beta": lambda a, b: stats.beta(a, b), "gamma": lambda k, r: stats.gamma(k, scale=1.0 / r),
              "normal": lambda m, s: stats.norm(m, s)}[name](*args)
    tail = (1.0 - confidence) / 2.0
    return {"parameter": parameter, "distribution": name, "args": dict(zip(ARG_NAMES[name], args)),
            "label": f"{name}({', '.join(f'{v:.10g}' for v in args)})",
            "mean": float(frozen.mean()), "mode": mode(name, args), "sd": float(frozen.std()),
            "ci_lower": float(frozen.ppf(tail)), "ci_upper": float(frozen.isf(tail)),
            "interval": "equal-tailed credible interval of the exact posterior"}


def mode(name, args):
    """The posterior's mode (its MAP); on the edge of the domain (0 or 1) when the density
    rises to it there."""
    if name == "normal":
        return float(args[0])
    if name == "gamma":
        k, r = args
        return max(k - 1.0, 0.0) / r
    a, b = args
    if a >= 1.0 and b >= 1.0:
        return (a - 1.0) / (a + b - 2.0) if a + b > 2.0 else 0.5
    return 0.0 if a < b else 1.0 if b < a else math.nan  # a = b < 1: two modes


def edge_log_prior(prior, t):
    """The prior's log-density at t on the edge of its support (scipy's limit: +inf where
    the density rises to the edge, beta(0.5, 0.5) at 1), for a MAP there."""
    from scipy import stats
    a = prior.args
    if prior.distribution == "power":
        return prior.args[0] * (math.log(t) if t > 0 else -math.inf)
    if prior.distribution == "beta_kernel":
        from scipy.special import xlog1py, xlogy
        return float(xlogy(a[0] - 1.0, t) + xlog1py(a[1] - 1.0, -t))
    frozen = {"beta": lambda: stats.beta(a[0], a[1]), "uniform": lambda: stats.uniform(a[0], a[1] - a[0]),
              "gamma": lambda: stats.gamma(a[0], scale=1.0 / a[1])}[prior.distribution]()
    return float(frozen.logpdf(t))
