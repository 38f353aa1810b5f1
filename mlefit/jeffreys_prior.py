"""`fit --prior jeffreys`: the family's Jeffreys prior, |I(theta)|^(1/2) with I the Fisher
information of one observation, for the families where it has a closed form:

    bernoulli, binomial:N   p ~ beta(1/2, 1/2)            (proper; I(p) = N / (p (1 - p)))
    geometric               p^-1 (1 - p)^-1/2             (improper; I(p) = 1 / (p^2 (1 - p)))
    poisson                 rate^(-1/2)                   (improper; I = 1 / rate)
    exponential             1/rate                        (improper; I = 1 / rate^2)
    categorical             p ~ dirichlet(1/2, ..., 1/2)  (proper; mlefit.dirichlet_prior)
    normal                  1/sigma on sigma, mu flat     (improper; Jeffreys' independence
                                                           prior, the product of each
                                                           parameter's own; the joint
                                                           |I(mu, sigma)|^(1/2) is 1/sigma^2)
    lognormal, laplace, logistic, cauchy, gumbel: the same, 1/scale with the location flat
    half_normal, rayleigh   1/sigma                       (improper; I = c / sigma^2)
    weibull, log_logistic   1/(shape scale)               (improper; the independence prior
                                                           of log X's location-scale form)

Each is a product of priors on single parameters, so it is a tuple of priors.Prior (the
improper powers as the 'power' shape, t^k), which the MAP fit and the conjugate
posteriors (beta, and gamma(k + 1, 0) for a power of a rate) take as they are."""
from .errors import DataError, UsageError
from .priors import Prior

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
}


def asked(given):
    """Whether the priors given are the one word 'jeffreys'."""
    texts = [given] if isinstance(given, str) else list(given) if isinstance(given, (list, tuple)) else []
    return len(texts) == 1 and str(texts[0]).strip().lower() == "jeffreys"


def priors(family, names, fixed, n):
    """The Jeffreys prior of `family` ('binomial:10') as Priors on its parameters `names`
    (those in `fixed` left out), or UsageError where mlefit has no closed form for it.
    n: the rows (total weight)."""
    base = family.split(":")[0]
    if base not in JEFFREYS:
        raise UsageError(f"--prior jeffreys in fit has a closed form for {', '.join(JEFFREYS)}, categorical, not {family}; "
                         f"give PARAM ~ DIST(NUMBERS) priors instead")
    if base == "geometric" and not n > 1:
        raise DataError(f"with Jeffreys' prior p^-1 (1 - p)^-1/2, the geometric posterior of {n:g} row is "
                        f"beta({n:g}, S + 1/2), whose mode is p = 0, where the likelihood is 0: give at least 2 "
                        f"rows, or a proper prior such as 'p ~ beta(2, 2)'")
    if base == "exponential" and not n > 1:
        raise DataError(f"with Jeffreys' prior 1/rate, the exponential posterior of {n:g} row is gamma({n:g}, S), "
                        f"whose mode is rate = 0, where the likelihood is 0: give at least 2 rows, or a proper "
                        f"prior such as 'rate ~ gamma(2, 1)'")
    out = tuple(Prior(p, list(names).index(p), dist, args, "jeffreys") for p, dist, args in JEFFREYS[base]
                if list(names).index(p) not in fixed)
    if not out:
        raise UsageError(f"with its other parameters fixed, the {base} family's Jeffreys prior is flat: the MAP "
                         f"is the MLE; fit without --prior")
    return out
