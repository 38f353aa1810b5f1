"""Seeded samples from every family at known parameters, shared by the tests."""
import numpy as np

# family -> (sampler(rng, n), true parameters in mlefit's parameterisation)
CASES = {
    "bernoulli": (lambda rng, n: rng.binomial(1, 0.3, n).astype(float), (0.3,)),
    "poisson": (lambda rng, n: rng.poisson(3.2, n).astype(float), (3.2,)),
    "geometric": (lambda rng, n: (rng.geometric(0.35, n) - 1).astype(float), (0.35,)),
    "negative_binomial": (lambda rng, n: rng.negative_binomial(2.5, 2.5 / 6.5, n).astype(float), (2.5, 4.0)),
    "normal": (lambda rng, n: rng.normal(1.5, 2.0, n), (1.5, 2.0)),
    "laplace": (lambda rng, n: rng.laplace(-1.0, 0.7, n), (-1.0, 0.7)),
    "exponential": (lambda rng, n: rng.exponential(1 / 1.7, n), (1.7,)),
    "gamma": (lambda rng, n: rng.gamma(2.3, 1 / 1.4, n), (2.3, 1.4)),
    "lognormal": (lambda rng, n: rng.lognormal(0.4, 0.8, n), (0.4, 0.8)),
    "weibull": (lambda rng, n: 2.7 * rng.weibull(1.6, n), (1.6, 2.7)),
    "weibull3": (lambda rng, n: 10.0 + 5.0 * rng.weibull(3.0, n), (3.0, 5.0, 10.0)),
    "gamma3": (lambda rng, n: 10.0 + rng.gamma(3.5, 2.0, n), (3.5, 2.0, 10.0)),
    "lognormal3": (lambda rng, n: 10.0 + rng.lognormal(1.0, 0.4, n), (1.0, 0.4, 10.0)),
    "beta": (lambda rng, n: rng.beta(2.2, 3.5, n), (2.2, 3.5)),
    "student_t": (lambda rng, n: 1.0 + 2.0 * rng.standard_t(4.0, n), (1.0, 2.0, 4.0)),
    "logistic": (lambda rng, n: rng.logistic(0.5, 1.3, n), (0.5, 1.3)),
    "cauchy": (lambda rng, n: -2.0 + 0.8 * rng.standard_cauchy(n), (-2.0, 0.8)),
    "gumbel": (lambda rng, n: rng.gumbel(2.0, 1.5, n), (2.0, 1.5)),
    "log_logistic": (lambda rng, n: 2.0 * np.exp(rng.logistic(0.0, 1.0 / 3.0, n)), (3.0, 2.0)),
    "inverse_gaussian": (lambda rng, n: rng.wald(2.0, 5.0, n), (2.0, 5.0)),
    "half_normal": (lambda rng, n: np.abs(rng.normal(0.0, 1.7, n)), (1.7,)),
    "rayleigh": (lambda rng, n: rng.rayleigh(2.2, n), (2.2,)),
    "pareto": (lambda rng, n: 1.5 * (1.0 + rng.pareto(2.5, n)), (1.5, 2.5)),
    "uniform": (lambda rng, n: rng.uniform(-1.0, 3.0, n), (-1.0, 3.0)),
    "binomial:12": (lambda rng, n: rng.binomial(12, 0.35, n).astype(float), (0.35,)),
    "beta_binomial:20": (lambda rng, n: rng.binomial(20, rng.beta(2.0, 3.0, n)).astype(float), (2.0, 3.0)),
    "zero_inflated_poisson": (lambda rng, n: np.where(rng.random(n) < 0.3, 0, rng.poisson(2.5, n)).astype(float),
                              (0.3, 2.5)),
    "normal_mixture:2": (lambda rng, n: np.where(rng.random(n) < 0.4, rng.normal(-1.0, 0.7, n),
                                                 rng.normal(2.5, 1.2, n)), (0.4, -1.0, 0.7, 0.6, 2.5, 1.2)),
}
NUMERIC = sorted(CASES)


def sample(name, n=301, seed=0):
    sampler, theta = CASES[name]
    return sampler(np.random.default_rng(seed), n), theta


def _zip_logpmf(theta, x):
    import scipy.stats
    pi, rate = theta
    return np.log(pi * (x == 0) + (1 - pi) * scipy.stats.poisson.pmf(x, rate))


def _mixture_logpdf(theta, x):
    """theta = (w1, mu1, sigma1, w2, mu2, sigma2, ...): log sum_j w_j N(x; mu_j, sigma_j)."""
    import scipy.special
    import scipy.stats
    t = np.asarray(theta, dtype=float).reshape(-1, 3)
    parts = [np.log(w) + scipy.stats.norm.logpdf(x, mu, sigma) for w, mu, sigma in t]
    return scipy.special.logsumexp(parts, axis=0)


def _zip_cdf(theta, x):
    import scipy.stats
    pi, rate = theta
    return np.where(x < 0, 0.0, pi + (1 - pi) * scipy.stats.poisson.cdf(x, rate))


def _mixture_cdf(theta, x):
    import scipy.stats
    t = np.asarray(theta, dtype=float).reshape(-1, 3)
    return sum(w * scipy.stats.norm.cdf(x, mu, sigma) for w, mu, sigma in t)


# families with no scipy.stats equivalent: a reference built from scipy's pieces
REFERENCE = {"zero_inflated_poisson": _zip_logpmf, "normal_mixture": _mixture_logpdf}
REFERENCE_CDF = {"zero_inflated_poisson": _zip_cdf, "normal_mixture": _mixture_cdf}


def scipy_cdf(fam, theta, x):
    base = fam.spec.name.split(":")[0]
    if base in REFERENCE_CDF:
        return REFERENCE_CDF[base](theta, x)
    return fam.scipy(theta).cdf(x)


def scipy_logpdf(fam, theta, x):
    base = fam.spec.name.split(":")[0]
    if base in REFERENCE:
        return REFERENCE[base](theta, x)
    dist = fam.scipy(theta)
    return dist.logpmf(x) if fam.spec.discrete else dist.logpdf(x)


def scipy_nll(fam, x):
    """The NLL built from scipy.stats alone: an independent reference for mlefit's."""
    return lambda theta: -float(np.sum(scipy_logpdf(fam, tuple(theta), x)))


def write(tmp_path, content, name="d.csv"):
    """Write text or bytes to a file in tmp_path and return its path."""
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(p)
