"""`fit --prior jeffreys`: the family's Jeffreys prior, |I(theta)|^(1/2) with I the Fisher
information of one observation, for the families where it has a closed form:

    bernoulli, binomial:N   p ~ beta(1/2, 1/2)            (proper; I(p) = N / (p (1 - p)))
    geometric               p^-1 (1 - p)^-1/2             (improper; I(p) = 1 / (p^2 (1 - p)))
    poisson                 rate^(-1/2)                   (improper; I = 1 / rate)
    exponential             1/rate                        (improper; I = 1 / rate^2)
    categorical             p ~ dirichlet(1/2, ..., 1/2)  (proper; mlefit.priors.dirichlet)
    normal                  1/sigma on sigma, mu flat     (improper; Jeffreys' independence
                                                           prior, the product of each
                                                           parameter's own; the joint
                                                           |I(mu, sigma)|^(1/2) is 1/sigma^2)
    lognormal, laplace, logistic, cauchy, gumbel: the same, 1/scale with the location flat
    half_normal, rayleigh   1/sigma                       (improper; I = c / sigma^2)
    weibull, log_logistic   1/(shape scale)               (improper; the independence prior
                                                           of log X's location-scale form)
    gamma(shape, rate)      sqrt(shape psi1(shape) - 1) / rate   (psi1 = trigamma; |I|^(1/2))
    beta(a, b)              sqrt(psi1(a) psi1(b) - psi1(a+b) (psi1(a) + psi1(b)))
    inverse_gaussian        mu^(-3/2) lambda^(-1/2)       (I diagonal: lambda/mu^3, 1/(2 lambda^2))
    student_t(mu, sigma, df) 1/sigma times the df factor   (the independence prior, mu flat, as
                                                           for the normal: the (sigma, df)
                                                           block's |I|^(1/2), Fonseca et al. 2008)
    zero_inflated_poisson   sqrt((1 - e^-rate (1 + rate)) / (rate (pi + (1 - pi) e^-rate)))

The trigamma ones are mlefit.priors.jeffreys_shapes's (beta's and zero_inflated_poisson's are
joint: a Joint prior on both parameters). With parameters fixed (--fix) the prior is the
free ones' own |I|^(1/2) (WHEN_FIXED, PAIR_FIXED where that differs from dropping a
factor). negative_binomial's and beta_binomial's information is a sum over the counts
(mlefit.priors.jeffreys_sums), their prior a Joint of the free parameters.

Most are a product of priors on single parameters, so a tuple of priors.Prior (the
improper powers as the 'power' shape, t^k), which the MAP fit and the conjugate
posteriors (beta, and gamma(k + 1, 0) for a power of a rate) take as they are."""
from dataclasses import dataclass

import numpy as np

from . import jeffreys_shapes
from ..errors import DataError, UsageError
from .distributions import Prior

# family -> ((parameter, distribution, args), ...)
JEFFREYS = {
    "bernoulli": (("p", "beta", (0.5, 0.5)),),
    "binomial": (("p", "beta", (0.5, 0.5)),),
    "geometric": (("p", "beta_kernel", (0.0, 0.5)),),  # I(p) = 1/(p^2 (1 - p)): p^-1 (1 - p)^-1/2
    "poisson": (("rate", "power", (-0.5,)),),
    "exponential": (("rate", "power", (-1.0,)),),
    "normal": (("sigma", "power", (-1.0,)),),
    # location-scale families: Jeffreys' independence prior, flat on the location, 1/scale
    "lognormal": (("sdlog", "power", (-1.0,)),),
    "laplace": (("b", "power", (-1.0,)),),
    "logistic": (("s", "power", (-1.0,)),),
    "cauchy": (("sigma", "power", (-1.0,)),),
    "gumbel": (("beta", "power", (-1.0,)),),
    # scale families: |I(sigma)|^(1/2) is 1/sigma
    "half_normal": (("sigma", "power", (-1.0,)),),
    "rayleigh": (("sigma", "power", (-1.0,)),),
    # log-location-scale: log X has location log(scale) and scale 1/shape, so the
    # independence prior 1/(1/shape) on (log scale, 1/shape) is 1/(shape scale) here
    "weibull": (("shape", "power", (-1.0,)), ("scale", "power", (-1.0,))),
    "log_logistic": (("shape", "power", (-1.0,)), ("scale", "power", (-1.0,))),
    # I = [[psi1(k), -1/b], [-1/b, k/b^2]]: |I| = (k psi1(k) - 1)/b^2
    "gamma": (("shape", "gamma_shape", ()), ("rate", "power", (-1.0,))),
    "inverse_gaussian": (("mu", "power", (-1.5,)), ("lambda", "power", (-0.5,))),
    "student_t": (("sigma", "power", (-1.0,)), ("df", "t_df", ())),
}
# with one parameter fixed, the prior is the other's own |I_jj|^(1/2), where that is not
# the factor above: (family, the fixed parameter) -> the priors
WHEN_FIXED = {("gamma", "rate"): (("shape", "trigamma", ()),),  # psi1(k)^(1/2)
              ("inverse_gaussian", "mu"): (("lambda", "power", (-1.0,)),),  # (1/(2 lambda^2))^(1/2)
              ("student_t", "sigma"): (("df", "t_df_alone", ()),)}  # I(df)^(1/2)
# a joint prior's pair with one fixed at c: the other's own I^(1/2), a one-parameter prior
# taking c, (family, the fixed one) -> (the other, its shape)
PAIR_FIXED = {("beta", "a"): ("b", "beta_one"), ("beta", "b"): ("a", "beta_one"),
              ("zero_inflated_poisson", "pi"): ("rate", "zip_rate"),
              ("zero_inflated_poisson", "rate"): ("pi", "zip_pi")}
# joint priors: (parameters, the log-density with its gradient and Hessian, how it reads)
JOINT = {"beta": (("a", "b"), jeffreys_shapes.beta_ab,
                  "sqrt(trigamma(a) trigamma(b) - trigamma(a+b) (trigamma(a) + trigamma(b))), improper"),
         "zero_inflated_poisson": (("pi", "rate"), jeffreys_shapes.zip_pi_rate,
                                   "sqrt((1 - e^-rate (1 + rate)) / (rate (pi + (1 - pi) e^-rate))), improper")}
WHY_NOT = {           "pareto": "xm is estimated by the sample minimum, where the likelihood is not smooth: it has no "
                     "Fisher information",
           "uniform": "a and b are estimated by the sample extremes, where the likelihood is not smooth: it has "
                      "no Fisher information"}

# families whose Jeffreys log-posterior is unbounded on an edge: the MAP is the local mode
# reached from the MLE, and where the run goes to the edge instead, the error says why
UNBOUNDED = {"gamma": "with Jeffreys' prior the gamma log-posterior rises without bound as rate -> 0 with "
                      "shape < 1/n (the prior's 1/rate outgrows the likelihood's rate^(n shape)), so its only "
                      "maximum is a local one"}


@dataclass(frozen=True)
class Joint:
    """A Jeffreys prior that is not a product: a log-density of several parameters
    (`parameters` at `indices` in theta) with its gradient and Hessian, fn(values) ->
    (log p, gradient, Hessian). The MAP fit takes it as it takes a priors.Prior."""

    parameters: tuple
    indices: tuple
    distribution: str
    fn: object
    density: str
    text: str = "jeffreys"
    transform: None = None
    smooth: bool = True
    args: tuple = ()
    note: str = ""  # said beside the fit (how the prior was computed, where that is not exact)

    @property
    def parameter(self):
        return ", ".join(self.parameters)

    def at(self, theta):
        values = [float(theta[i]) for i in self.indices]
        try:
            value = getattr(self.fn, "value", None)  # the log-density alone, where it is cheaper
            return value(values) if value is not None else self.fn(values)[0]
        except (ValueError, ZeroDivisionError, OverflowError):
            return -np.inf

    def add_derivs(self, theta, g, h):
        try:
            lp, d1, d2 = self.fn([float(theta[i]) for i in self.indices])
        except (ValueError, ZeroDivisionError, OverflowError):
            return -np.inf
        idx = list(self.indices)
        g[idx] += d1
        h[np.ix_(idx, idx)] += d2
        return lp

    def said(self):
        return f"jeffreys (({self.parameter}) has density {self.density})"

    def to_dict(self):
        return {"parameter": self.parameter, "parameters": list(self.parameters), "transform": None,
                "given": self.text, "distribution": self.distribution, "args": {}, "density": self.density}


def asked(given):
    """Whether the priors given are the one word 'jeffreys'."""
    texts = [given] if isinstance(given, str) else list(given) if isinstance(given, (list, tuple)) else []
    return len(texts) == 1 and str(texts[0]).strip().lower() == "jeffreys"


def priors(family, names, fixed, n, trials=None):
    """The Jeffreys prior of `family` ('binomial:10') as Priors on its parameters `names`
    (those in `fixed` left out), or UsageError where mlefit has none for it.
    n: the rows (total weight); trials: beta_binomial's (trials per row, their weights)."""
    base = family.split(":")[0]
    if base in SUMMED:
        return _summed(base, names, fixed, trials)
    if base in JOINT:
        return _joint(base, names, fixed)
    if base not in JEFFREYS:
        why = f" ({WHY_NOT[base]})" if base in WHY_NOT else ""
        raise UsageError(f"--prior jeffreys in fit is for {', '.join(JEFFREYS)}, {', '.join(JOINT)}, "
                         f"{', '.join(SUMMED)}, categorical, not {family}{why}; give PARAM ~ DIST(NUMBERS) "
                         f"priors instead")
    fixed_names = [p for p in names if list(names).index(p) in fixed]
    table = next((WHEN_FIXED[base, p] for p in fixed_names if (base, p) in WHEN_FIXED), JEFFREYS[base])
    if base == "geometric" and not n > 1:
        raise DataError(f"with Jeffreys' prior p^-1 (1 - p)^-1/2, the geometric posterior of {n:g} row is "
                        f"beta({n:g}, S + 1/2), whose mode is p = 0, where the likelihood is 0: give at least 2 "
                        f"rows, or a proper prior such as 'p ~ beta(2, 2)'")
    if base == "exponential" and not n > 1:
        raise DataError(f"with Jeffreys' prior 1/rate, the exponential posterior of {n:g} row is gamma({n:g}, S), "
                        f"whose mode is rate = 0, where the likelihood is 0: give at least 2 rows, or a proper "
                        f"prior such as 'rate ~ gamma(2, 1)'")
    out = tuple(Prior(p, list(names).index(p), dist, args, "jeffreys") for p, dist, args in table
                if list(names).index(p) not in fixed)
    if not out:
        raise UsageError(f"with its other parameters fixed, the {base} family's Jeffreys prior is flat: the MAP "
                         f"is the MLE; fit without --prior")
    return out


def _joint(base, names, fixed):
    params, fn, density = JOINT[base]
    indices = tuple(list(names).index(p) for p in params)
    held = [p for p, i in zip(params, indices) if i in fixed]
    if len(held) == len(params):
        raise UsageError(f"with its other parameters fixed, the {base} family's Jeffreys prior is flat: the MAP "
                         f"is the MLE; fit without --prior")
    if held:
        other, shape = PAIR_FIXED[base, held[0]]
        c = float(fixed[list(names).index(held[0])])
        return (Prior(other, list(names).index(other), shape, (c,), "jeffreys"),)
    return (Joint(params, indices, f"jeffreys_{base}", fn, density),)


# priors whose information is a sum over the counts (mlefit.priors.jeffreys_sums): how they read
SUMMED = {"negative_binomial": "sqrt(I_size size/(mu (size + mu))), I_size = E[score in size^2] summed over the "
                               "counts, improper",
          "beta_binomial": "sqrt(det E[s s']), the scores' outer product summed over y = 0..trials (the rows' "
                           "average with trials per row), improper"}


def _summed(base, names, fixed, trials):
    """negative_binomial's or beta_binomial's prior, |I|^(1/2) of the free parameters'
    block, as a Joint (mlefit.priors.jeffreys_sums). trials: (per-row trials, their weights)."""
    from . import jeffreys_sums
    free = tuple(i for i in range(len(names)) if i not in fixed)
    if not free:
        raise UsageError(f"with its parameters fixed, the {base} family's Jeffreys prior is flat: the MAP "
                         f"is the MLE; fit without --prior")
    theta = [float(fixed.get(i, 1.0)) for i in range(len(names))]
    if base == "negative_binomial":  # its derivatives summed with it
        fn, how = jeffreys_sums.nb_log_prior_fn(theta, free), "with its gradient and Hessian"
    else:
        t, w = trials
        fn = jeffreys_sums.log_prior_fn(lambda a, b: jeffreys_sums.bb_information(a, b, t, w), theta, free)
        how = "its gradient and Hessian by finite differences"
    density = SUMMED[base] if len(free) == len(names) else (
        f"sqrt(I_{names[free[0]]}), summed as for the joint prior, {names[1 - free[0]]} fixed, improper")
    note = (f"Jeffreys' prior: its information summed over the counts (to rounding), {how} "
            f"(docs/priors.md#jeffreys-prior---prior-jeffreys)")
    if base == "negative_binomial" and free == (1,):  # I_mu = size/(mu (size + mu)): no sum
        density, note = "sqrt(size/(mu (size + mu))), size fixed, improper", ""
    return (Joint(tuple(names[i] for i in free), free, f"jeffreys_{base}", fn, density, note=note),)

