"""bernoulli(p): the binomial with one trial per row (binomial.py), its per-row log-mass,
tails and derivatives."""
from . import binomial
from .base import scipy_stats
from .catalog import UNIT
from .rowwise import Density

DENSITY = Density(
    name="bernoulli", params=("p",), domains=(UNIT,), discrete=True,
    logpdf=lambda y, p: binomial.logpdf(y, p, 1.0),
    logcdf=lambda y, p: binomial.logcdf(y, p, 1.0),
    logsf=lambda y, p: binomial.logsf(y, p, 1.0),
    derivs=lambda y, p: binomial.derivs(y, p, 1.0),
    start=lambda y, w: binomial.start(y, w, 1.0),
    sample=lambda rng, size, p: binomial.sample(rng, size, p, 1),
    scipy=lambda p: scipy_stats().bernoulli(p),
    note=binomial.DENSITY.note,
)
