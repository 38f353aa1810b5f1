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
    "beta": (lambda rng, n: rng.beta(2.2, 3.5, n), (2.2, 3.5)),
}
NUMERIC = sorted(CASES)


def sample(name, n=301, seed=0):
    sampler, theta = CASES[name]
    return sampler(np.random.default_rng(seed), n), theta


def scipy_logpdf(fam, theta, x):
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
