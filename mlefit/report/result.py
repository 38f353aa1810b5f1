"""Frozen result records and their one serializer, to_dict(). The rich table and the
JSON output are both made from to_dict(); nothing is computed or formatted elsewhere."""
import math
from dataclasses import MISSING, dataclass, field, fields

SCHEMA_VERSION = 1


def made(cls, **values):
    """cls(**values) for a frozen dataclass without __post_init__, made without its
    generated __init__, which sets each field by object.__setattr__ (11 us for
    FitResult's 33 fields, a sixth of a small fit): the defaults, then the values, into
    the new instance's __dict__. A name that is not a field, or a field left without a
    value, is refused as __init__ would refuse it."""
    defaults, factories, names = _defaults(cls)
    if names is None:  # a __post_init__ to run: the generated __init__ runs it
        return cls(**values)
    d = dict(defaults)
    for name, factory in factories:
        if name not in values:
            d[name] = factory()
    d.update(values)
    if d.keys() != names:  # (a count would pass a misspelt name that stands for a missing one)
        cls(**values)  # raises the TypeError naming what is missing or unknown
        raise TypeError(f"{cls.__name__}: {sorted(values)} are not its fields")
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", d)
    return obj


_DEFAULTS = {}


def _defaults(cls):
    """({field: default}, [(field, default factory)], the fields' names (None where the
    class has a __post_init__)) of a dataclass."""
    got = _DEFAULTS.get(cls)
    if got is None:
        fs = fields(cls)
        got = _DEFAULTS[cls] = ({f.name: f.default for f in fs if f.default is not MISSING},
                                [(f.name, f.default_factory) for f in fs if f.default_factory is not MISSING],
                                None if hasattr(cls, "__post_init__") else frozenset(f.name for f in fs))
    return got


def shown(draw, d):
    """What the CLI prints for the dict `d` (draw: a render function taking (d, file)), as
    plain text, unwrapped: the readable face of a result record (str(result), print(result))."""
    import io
    buf = io.StringIO()
    draw(d, file=buf)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines())


def _clean(value):
    """JSON-safe: non-finite floats become None (JSON has no NaN), tuples become lists."""
    if isinstance(value, float):
        return (value + 0.0) if math.isfinite(value) else None  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class Drop:
    """Rows left out of the fit, for one reason, with the first few named."""

    reason: str
    count: int
    first: tuple = ()

    def to_dict(self):
        return {"reason": self.reason, "count": self.count, "first": list(self.first)}


@dataclass(frozen=True)
class Interval:
    """One confidence interval of a parameter or derived quantity, of one kind:
    'wald', 'profile', 'bootstrap' or 'exact'; method says how it was made."""

    kind: str
    lower: float | None
    upper: float | None
    method: str
    note: str | None = None

    def to_dict(self):
        return {"lower": self.lower, "upper": self.upper, "method": self.method, "note": self.note}


@dataclass(frozen=True)
class ParameterEstimate:
    """A parameter, or a quantity derived from the parameters (--derive). ci_lower,
    ci_upper and interval are the headline interval; `intervals` holds every kind
    computed (--interval), `se_robust` the sandwich SE (--robust), and `disagree`
    whether the Wald and profile intervals differ by over 10% of the profile's width."""

    name: str
    estimate: float
    se: float | None
    ci_lower: float | None
    ci_upper: float | None
    interval: str
    note: str | None = None
    se_robust: float | None = None
    intervals: tuple = ()
    disagree: bool | None = None

    def to_dict(self):
        return {"name": self.name, "estimate": self.estimate, "se": self.se,
                "se_robust": self.se_robust, "ci_lower": self.ci_lower, "ci_upper": self.ci_upper,
                "interval": self.interval, "note": self.note,
                "intervals": {i.kind: i.to_dict() for i in self.intervals} or None,
                "wald_profile_disagree": self.disagree}


@dataclass(frozen=True)
class FitResult:
    """One fit, as `mlefit fit` reports it: print(result) shows its table, result.to_dict()
    is its JSON, result.estimates is {name: estimate}. family: the family fitted;
    parameters: ParameterEstimate records (estimate, se, ci_lower, ci_upper, interval,
    note); loglik, aic, bic, bits_per_sample; n (the rows used, or their total weight),
    rows_read and dropped (every row left out, with its reason); method, converged and
    iterations; derived: the --derive quantities; notes: what the fit wants you to know."""

    family: str
    parameters: tuple
    confidence: float
    information: str
    n: float
    rows_read: int
    dropped: tuple
    loglik: float
    aic: float
    bic: float
    bits_per_sample: float
    bits_differential: bool
    n_parameters: int
    method: str
    converged: bool
    iterations: int
    column: str | None = None
    source: str | None = None
    message: str = ""
    notes: tuple = field(default=())
    loss: str | None = None
    weights: str | None = None  # the weight column, "given" (Python), or None
    derived: tuple = ()  # ParameterEstimate records of --derive quantities
    tic: float | None = None  # Takeuchi's criterion, with --robust
    interval_kind: str = "wald"  # the intervals asked for: wald, profile, bootstrap or all
    resampling: dict | None = None  # how bootstrap intervals were made (samples, kind, seed, ...)
    # censored data: rows of each kind {exact, left, right, interval, truncated} (None: none censored)
    censoring: dict | None = None
    # a MAP fit (mlefit.priors.map_fit): the priors (as given and parsed), the log-prior and the
    # unnormalised log-posterior at the MAP, the exact posterior of a conjugate pair, the MLE
    prior: tuple = ()
    log_prior: float | None = None
    log_posterior: float | None = None
    posterior: dict | None = None
    mle: dict | None = None
    # what further inference needs (mlefit.inference.fitted.Fitted): the data, family and estimate;
    # never serialized, and ignored when results are compared
    fitted: object = field(default=None, repr=False, compare=False)

    def __str__(self):
        """The table `mlefit fit` prints, as plain text (print(result))."""
        from .tables import print_fit
        return shown(print_fit, self.to_dict())

    @property
    def n_dropped(self):
        return sum(d.count for d in self.dropped)

    @property
    def estimates(self):
        """{name: estimate}, for use from Python."""
        return {p.name: p.estimate for p in self.parameters}

    def to_dict(self):
        return _clean({
            "schema_version": SCHEMA_VERSION,
            "family": self.family,
            "loss": self.loss,
            "source": self.source,
            "column": self.column,
            "weights": self.weights,
            "rows_read": self.rows_read,
            "rows_used": self.rows_read - self.n_dropped,
            "n": int(self.n) if float(self.n).is_integer() else self.n,
            "n_dropped": self.n_dropped,
            "dropped": [d.to_dict() for d in self.dropped],
            "censoring": self.censoring,
            "parameters": [p.to_dict() for p in self.parameters],
            "confidence": self.confidence,
            "information": self.information,
            "n_parameters": self.n_parameters,
            "loglik": self.loglik,
            "nll": -self.loglik,
            "bits_per_sample": self.bits_per_sample,
            "bits_differential": self.bits_differential,
            "aic": self.aic,
            "bic": self.bic,
            "tic": self.tic,
            "map": bool(self.prior),
            "prior": [dict(p) for p in self.prior] or None,
            "log_prior": self.log_prior,
            "log_posterior": self.log_posterior,
            "posterior": self.posterior,
            "mle": self.mle,
            "intervals": self.interval_kind,
            "resampling": self.resampling,
            "derived": [p.to_dict() for p in self.derived],
            "method": self.method,
            "converged": self.converged,
            "iterations": self.iterations,
            "message": self.message or None,
            "notes": list(self.notes),
        })
