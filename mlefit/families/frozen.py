"""scipy.stats distributions frozen cheaply.

scipy's own frozen distribution (`scipy.stats.gamma(a, scale=s)`) builds a new
distribution instance, docstring included, at every call: about a millisecond. The delta
method, the profile of a derived quantity and the bootstrap evaluate a quantity at
thousands of parameter values, so that cost was most of their time (4 s of a 100-row
`--interval profile --derive mean`). A `Frozen` here only remembers the distribution and
its arguments and calls the distribution's methods with them, as scipy's frozen one does.
"""


class Frozen:
    """dist with its shape arguments and loc/scale: the methods of scipy's frozen
    distribution (logpdf(x), cdf(x), ppf(q), mean(), rvs(size=, random_state=), ...),
    and its attributes dist, args and kwds."""

    __slots__ = ("dist", "args", "kwds")

    def __init__(self, dist, args, kwds):
        self.dist, self.args, self.kwds = dist, args, kwds

    def rvs(self, size=None, random_state=None):
        return self.dist.rvs(*self.args, size=size, random_state=random_state, **self.kwds)

    def stats(self, moments="mv"):
        return self.dist.stats(*self.args, moments=moments, **self.kwds)

    def __getattr__(self, method):
        """logpdf, pdf, logpmf, pmf, cdf, logcdf, sf, logsf, ppf, isf (one argument
        first), mean, var, std, median, entropy, support, interval, moment."""
        if method.startswith("__") or method == "expect":  # expect takes its args as a tuple
            raise AttributeError(method)
        fn = getattr(self.dist, method)
        return lambda *a, **k: fn(*a, *self.args, **self.kwds, **k)


class _Freezer:
    """A scipy.stats distribution whose call gives a Frozen (its other attributes are
    the distribution's)."""

    __slots__ = ("dist",)

    def __init__(self, dist):
        self.dist = dist

    def __call__(self, *args, **kwds):
        return Frozen(self.dist, args, kwds)

    def __getattr__(self, name):
        return getattr(self.dist, name)


class Stats:
    """scipy.stats with every distribution frozen as a Frozen."""

    def __getattr__(self, name):
        import scipy.stats
        from scipy.stats._distn_infrastructure import rv_generic
        attr = getattr(scipy.stats, name)
        return _Freezer(attr) if isinstance(attr, rv_generic) else attr
