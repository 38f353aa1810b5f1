"""Distribution functions in closed form for derived quantities (Family.closed): mean,
var, cdf(x), sf(x) and ppf(p) of the common families, the same values as their
scipy.stats equivalents (to rounding: these take x rate where scipy takes x / (1/rate),
one rounding fewer) with math and scipy.special alone, so `--derive` does not import
scipy.stats (over half a second). NaN where theta leaves the parameter space."""
import math


def _special():
    import scipy.special
    return scipy.special


def _inf_on_overflow(f):
    def g(*a):
        try:
            return f(*a)
        except OverflowError:
            return math.inf
    return g


_exp, _gamma = _inf_on_overflow(math.exp), _inf_on_overflow(math.gamma)
_pow = _inf_on_overflow(lambda b, e: b ** e)


def _checked(f, positive):
    """f(*theta, *x) called as (*x, theta): NaN unless the parameters at the indices
    `positive` are positive and finite and the others finite."""
    def at(*args):
        theta = args[-1]
        for i, t in enumerate(theta):
            if not (0.0 < t < math.inf if i in positive else math.isfinite(t)):
                return math.nan
        if any(math.isnan(v) for v in args[:-1]):
            return math.nan
        return f(*theta, *args[:-1])
    return at


def _table(positive, **functions):
    return {name: _checked(f, positive) for name, f in functions.items()}


def _gamma_cdf(a, rate, x):
    return float(_special().gammainc(a, rate * x)) if x > 0 else 0.0


def _gamma_sf(a, rate, x):
    return float(_special().gammaincc(a, rate * x)) if x > 0 else 1.0


# scipy.stats.gamma(a, scale=1/rate): gammainc, gammaincc, gammaincinv at rate x
GAMMA = _table((0, 1), mean=lambda a, rate: a / rate, var=lambda a, rate: a / rate ** 2,
               cdf=_gamma_cdf, sf=_gamma_sf,
               ppf=lambda a, rate, p: float(_special().gammaincinv(a, p)) / rate)

# scipy.stats.norm(mu, sigma)
NORMAL = _table((1,), mean=lambda mu, sigma: mu, var=lambda mu, sigma: sigma ** 2,
                cdf=lambda mu, sigma, x: float(_special().ndtr((x - mu) / sigma)),
                sf=lambda mu, sigma, x: float(_special().ndtr((mu - x) / sigma)),
                ppf=lambda mu, sigma, p: float(_special().ndtri(p)) * sigma + mu)


def _lognormal_cdf(m, s, x):
    return float(_special().ndtr(math.log(x / math.exp(m)) / s)) if x > 0 else 0.0


def _lognormal_sf(m, s, x):
    return float(_special().ndtr(-math.log(x / math.exp(m)) / s)) if x > 0 else 1.0


# scipy.stats.lognorm(s=sdlog, scale=exp(meanlog)), its cdf, sf and ppf as scipy takes them
# (log(x / scale): log x - meanlog would lose |meanlog| ulp); the mean and variance as
# exp(meanlog + sdlog^2/2), finite where scipy's exp(sdlog^2) overflows
LOGNORMAL = _table((1,), mean=lambda m, s: _exp(m + 0.5 * s * s),
                   var=_inf_on_overflow(lambda m, s: math.expm1(s * s) * math.exp(2.0 * m + s * s)),
                   cdf=_lognormal_cdf, sf=_lognormal_sf,
                   ppf=lambda m, s, p: _exp(s * float(_special().ndtri(p))) * math.exp(m))

# scipy.stats.expon(scale=1/rate)
EXPONENTIAL = _table((0,), mean=lambda rate: 1.0 / rate, var=lambda rate: 1.0 / rate ** 2,
                     cdf=lambda rate, x: -math.expm1(-rate * x) if x > 0 else 0.0,
                     sf=lambda rate, x: math.exp(-rate * x) if x > 0 else 1.0,
                     ppf=lambda rate, p: -math.log1p(-p) / rate)


def _weibull_var(k, lam):
    g1 = _gamma(1.0 + 1.0 / k)
    return lam * lam * (_gamma(1.0 + 2.0 / k) - g1 * g1)


# scipy.stats.weibull_min(shape, scale=scale)
WEIBULL = _table((0, 1), mean=lambda k, lam: lam * _gamma(1.0 + 1.0 / k), var=_weibull_var,
                 cdf=lambda k, lam, x: -math.expm1(-_pow(x / lam, k)) if x > 0 else 0.0,
                 sf=lambda k, lam, x: math.exp(-_pow(x / lam, k)) if x > 0 else 1.0,
                 ppf=lambda k, lam, p: lam * _pow(-math.log1p(-p), 1.0 / k))
