"""Prior distributions for MAP fits: 'p ~ beta(2, 2)' parsed safely, checked against the
parameter's domain, with the log-density and its first and second derivatives in the
parameter written out (the MAP estimator adds them to the log-likelihood's; the tests
check them against numeric derivatives and scipy.stats).

Grammar:  PARAM ~ DIST(ARG, ARG, ...)   each ARG arithmetic on numbers (mlefit.inference.expression,
never eval: '1/sqrt(2)' is allowed, names are not)."""
import math
import re
from dataclasses import dataclass

from . import jeffreys_shapes
from ..errors import UsageError, plain

LOG_2PI = math.log(2.0 * math.pi)
# the support of each prior: the parameter domains (families.catalog) it fits
REAL, POSITIVE, UNIT, INTERVAL, ABOVE = "real", "positive", "unit", "interval", "above"  # above: [xm, inf)


def _normal(t, mu, sigma):
    z = (t - mu) / sigma
    return -0.5 * z * z - math.log(sigma) - 0.5 * LOG_2PI, -z / sigma, -1.0 / sigma ** 2


def _laplace(t, mu, b):
    s = (t > mu) - (t < mu)
    return -abs(t - mu) / b - math.log(2.0 * b), -s / b, 0.0


def _student_t(t, df, mu, sigma):
    z = (t - mu) / sigma
    q = df + z * z
    lp = (math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
          - math.log(sigma) - (df + 1.0) / 2.0 * math.log1p(z * z / df))
    return lp, -(df + 1.0) * z / (sigma * q), -(df + 1.0) * (df - z * z) / (sigma ** 2 * q * q)


def _cauchy(t, mu, sigma):
    return _student_t(t, 1.0, mu, sigma)


def _uniform(t, a, b):
    return (-math.log(b - a) if a <= t <= b else -math.inf), 0.0, 0.0


def _pareto(t, xm, alpha):
    """alpha xm^alpha / t^(alpha + 1) on t >= xm (uniform(0, b)'s conjugate prior on b)."""
    if not t >= xm:
        return -math.inf, 0.0, 0.0
    return math.log(alpha) + alpha * math.log(xm) - (alpha + 1.0) * math.log(t), -(alpha + 1.0) / t, \
        (alpha + 1.0) / t ** 2


def _gamma(t, shape, rate):
    lp = shape * math.log(rate) - math.lgamma(shape) + (shape - 1.0) * math.log(t) - rate * t
    return lp, (shape - 1.0) / t - rate, -(shape - 1.0) / t ** 2


def _inverse_gamma(t, shape, scale):
    lp = shape * math.log(scale) - math.lgamma(shape) - (shape + 1.0) * math.log(t) - scale / t
    return lp, -(shape + 1.0) / t + scale / t ** 2, (shape + 1.0) / t ** 2 - 2.0 * scale / t ** 3


def _exponential(t, rate):
    return math.log(rate) - rate * t, -rate, 0.0


def _lognormal(t, mu, sigma):
    u = (math.log(t) - mu) / sigma ** 2
    lp = -math.log(t) - math.log(sigma) - 0.5 * LOG_2PI - 0.5 * (math.log(t) - mu) ** 2 / sigma ** 2
    return lp, (-1.0 - u) / t, (1.0 + u - 1.0 / sigma ** 2) / t ** 2


def _half_normal(t, sigma):
    lp = math.log(2.0) - 0.5 * LOG_2PI - math.log(sigma) - 0.5 * (t / sigma) ** 2
    return lp, -t / sigma ** 2, -1.0 / sigma ** 2


def _half_cauchy(t, s):
    q = s * s + t * t
    return math.log(2.0 * s / math.pi) - math.log(q), -2.0 * t / q, -2.0 * (s * s - t * t) / (q * q)


def _beta(t, a, b):
    lp = (a - 1.0) * math.log(t) + (b - 1.0) * math.log1p(-t) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    return lp, (a - 1.0) / t - (b - 1.0) / (1.0 - t), -(a - 1.0) / t ** 2 - (b - 1.0) / (1.0 - t) ** 2


@dataclass(frozen=True)
class Shape:
    """A prior family: its argument names, support, the rule its arguments obey, the
    log-density with derivatives (t, *args) -> (log p, d/dt, d2/dt2), and scipy's name
    and arguments (for the tests and the conjugate posteriors)."""

    args: tuple
    support: str
    rule: str  # 'positive' (every argument > 0), 'scale' (the last > 0), 'df' (df, scale > 0), 'ordered'
    derivs: object
    smooth: bool = True


DISTRIBUTIONS = {
    "normal": Shape(("mu", "sigma"), REAL, "scale", _normal),
    "laplace": Shape(("mu", "b"), REAL, "scale", _laplace, smooth=False),
    "student_t": Shape(("df", "mu", "sigma"), REAL, "df", _student_t),
    "cauchy": Shape(("mu", "sigma"), REAL, "scale", _cauchy),
    "uniform": Shape(("a", "b"), INTERVAL, "ordered", _uniform),
    "gamma": Shape(("shape", "rate"), POSITIVE, "positive", _gamma),
    "inverse_gamma": Shape(("shape", "scale"), POSITIVE, "positive", _inverse_gamma),
    "exponential": Shape(("rate",), POSITIVE, "positive", _exponential),
    "lognormal": Shape(("mu", "sigma"), POSITIVE, "scale", _lognormal),
    "half_normal": Shape(("sigma",), POSITIVE, "positive", _half_normal),
    "half_cauchy": Shape(("scale",), POSITIVE, "positive", _half_cauchy),
    "beta": Shape(("a", "b"), UNIT, "positive", _beta),
    "pareto": Shape(("xm", "alpha"), ABOVE, "positive", _pareto),
}
# improper priors, not for users to write: Jeffreys' priors of fit (mlefit.priors.jeffreys)
# that are a power of the parameter, t^k
IMPROPER = {"power": Shape(("k",), POSITIVE, "none", lambda t, k: (k * math.log(t), k / t, -k / t ** 2)),
            # t^(a-1) (1-t)^(b-1) without beta's normaliser, for a = 0 (geometric's p^-1 (1-p)^-1/2)
            "beta_kernel": Shape(("a", "b"), UNIT, "none", lambda t, a, b: (
                (a - 1.0) * math.log(t) + (b - 1.0) * math.log1p(-t), (a - 1.0) / t - (b - 1.0) / (1.0 - t),
                -(a - 1.0) / t ** 2 - (b - 1.0) / (1.0 - t) ** 2)),
            # factors of |I|^(1/2) in trigamma terms (mlefit.priors.jeffreys_shapes)
            "gamma_shape": Shape((), POSITIVE, "none", jeffreys_shapes.gamma_shape),
            "trigamma": Shape((), POSITIVE, "none", jeffreys_shapes.trigamma),
            "t_df": Shape((), POSITIVE, "none", jeffreys_shapes.t_df),
            # one parameter's own I^(1/2) where the other of a pair is fixed at c
            "beta_one": Shape(("c",), POSITIVE, "none", jeffreys_shapes.beta_one),
            "t_df_alone": Shape((), POSITIVE, "none", jeffreys_shapes.t_df_alone),
            "zip_pi": Shape(("rate",), UNIT, "none", jeffreys_shapes.zip_pi),
            "zip_rate": Shape(("pi",), POSITIVE, "none", jeffreys_shapes.zip_rate)}
# how the table says those factors (t: the parameter's name)
IMPROPER_TEXT = {"gamma_shape": "sqrt({t} trigamma({t}) - 1)", "trigamma": "sqrt(trigamma({t}))",
                 "t_df": "sqrt({t}/(2({t}+3)) (trigamma({t}/2) - trigamma(({t}+1)/2) - 2({t}+3)/({t} ({t}+1)^2)))",
                 "beta_one": "sqrt(trigamma({t}) - trigamma({t} + {a0}))",
                 "t_df_alone": "sqrt((trigamma({t}/2) - trigamma(({t}+1)/2))/4 - ({t}+5)/(2 {t} ({t}+1) ({t}+3)))",
                 "zip_pi": "sqrt((1 - e^-{a0}) / ((1 - {t}) ({t} + (1 - {t}) e^-{a0})))",
                 "zip_rate": "sqrt((1 - {a0}) (1/{t} - {a0} e^-{t} / ({a0} + (1 - {a0}) e^-{t})))"}
ALIASES = {"gaussian": "normal", "double_exponential": "laplace", "t": "student_t", "halfnormal": "half_normal",
           "halfcauchy": "half_cauchy", "invgamma": "inverse_gamma", "inv_gamma": "inverse_gamma"}
FOR_DOMAIN = {REAL: "normal, student_t, cauchy, laplace or uniform(a, b)",
              POSITIVE: "gamma, lognormal, half_normal, half_cauchy, exponential, inverse_gamma, pareto(xm, alpha) "
                        "or uniform(a, b) with a >= 0",
              UNIT: "beta or uniform(a, b) with 0 <= a < b <= 1"}
DOMAIN_TEXT = {REAL: "takes any real value", POSITIVE: "is positive", UNIT: "is a probability, in (0, 1)"}
EXAMPLE = "'p ~ beta(2, 2)'"


# A prior on a transformed parameter, u = g(t) ('log(sigma) ~ normal(0, 1)'): the density of
# t is f(g(t)) g'(t), so t's MAP is the mode of that density (log(sigma) ~ normal(m, s) is
# sigma ~ lognormal(m, s)). For each g: the domain of t, g, g', g'' and d/dt (g''/g').
TRANSFORMS = {
    "log": (POSITIVE, math.log, lambda t: 1.0 / t, lambda t: -1.0 / t ** 2, lambda t: 1.0 / t ** 2),
    "logit": (UNIT, lambda t: math.log(t) - math.log1p(-t), lambda t: 1.0 / (t * (1.0 - t)),
              lambda t: (2.0 * t - 1.0) / (t * (1.0 - t)) ** 2,
              lambda t: (1.0 - 2.0 * t + 2.0 * t * t) / (t * (1.0 - t)) ** 2),
}


@dataclass(frozen=True)
class Prior:
    """One parameter's prior: `parameter` (its name), `index` (its place in theta), the
    distribution's name and numeric arguments, and the text as given."""

    parameter: str
    index: int
    distribution: str
    args: tuple
    text: str
    transform: str | None = None  # 'log' or 'logit': the prior is on g(parameter)

    @property
    def shape(self):
        return DISTRIBUTIONS.get(self.distribution) or IMPROPER[self.distribution]

    def derivs(self, t):
        """(log p(t), d/dt, d2/dt2): -inf (and zeros) outside the support."""
        try:
            if self.transform is None:
                return self.shape.derivs(float(t), *self.args)
            _, g, g1, g2, g3 = TRANSFORMS[self.transform]
            t = float(t)
            lp, d1, d2 = self.shape.derivs(g(t), *self.args)
            a, b = g1(t), g2(t)
            return lp + math.log(a), d1 * a + b / a, d2 * a * a + d1 * b + g3(t)
        except (ValueError, ZeroDivisionError, OverflowError):
            return -math.inf, 0.0, 0.0

    def logpdf(self, t):
        return self.derivs(t)[0]

    # the interface the MAP fit takes, shared with jeffreys_prior.Joint (a prior on several)
    @property
    def indices(self):
        return (self.index,)

    @property
    def smooth(self):
        return self.shape.smooth

    def at(self, theta):
        """The log-density at the full parameter vector theta."""
        return self.logpdf(theta[self.index])

    def add_derivs(self, theta, g, h):
        """Add the log-density's derivatives at theta to the gradient g and Hessian h (over
        all parameters, in place); return the log-density."""
        lp, d1, d2 = self.derivs(theta[self.index])
        g[self.index] += d1
        h[self.index, self.index] += d2
        return lp

    def label(self):
        if self.distribution in IMPROPER_TEXT:
            a0 = f"{self.args[0]:.10g}" if self.args else ""
            return IMPROPER_TEXT[self.distribution].format(t=self.parameter, a0=a0) + ", improper"
        if self.distribution == "power":
            return f"{self.parameter}^({self.args[0]:.10g}), improper"
        if self.distribution == "beta_kernel":
            return (f"{self.parameter}^({self.args[0] - 1:.10g}) (1 - {self.parameter})^({self.args[1] - 1:.10g}), "
                    f"improper")
        return f"{self.distribution}({', '.join(f'{a:.10g}' for a in self.args)})"

    def said(self):
        """'p ~ beta(2, 2)', 'log(sigma) ~ normal(0, 1)': the prior with its numbers as read."""
        lhs = self.parameter if self.transform is None else f"{self.transform}({self.parameter})"
        return f"{lhs} ~ {self.label()}" if self.text != "jeffreys" else f"jeffreys ({lhs} ~ {self.label()})"

    def to_dict(self):
        out = {"parameter": self.parameter, "transform": self.transform, "given": self.text,
               "distribution": self.distribution, "args": dict(zip(self.shape.args, self.args))}
        if self.distribution in IMPROPER_TEXT:
            out["density"] = self.label()
        return out


def parse(text, names, domains, what="the family", noun="parameter", suggest=None):
    """The Prior that `text` ('p ~ beta(2, 2)') gives one of the parameters `names` (with
    `domains`), or UsageError naming the problem: no '~', an unknown distribution, the
    wrong number of arguments, arguments that are not numbers or break the
    distribution's rule, a parameter that does not exist, a support that does not match."""
    text = str(text)
    shown = plain(text, 80)
    if text.strip().lower() == "jeffreys":
        raise UsageError("--prior jeffreys is a prior on all the family's parameters at once; give it alone, "
                         f"or PARAM ~ DIST(NUMBERS) priors, e.g. {EXAMPLE}")
    param, rhs = sides(text)
    transform = None
    inner = re.fullmatch(r"(log|logit)\s*\(\s*(.+?)\s*\)", param)
    if inner is not None and param not in names:
        transform, param = inner.group(1), inner.group(2)
    if param not in names:
        raise UsageError(f"{what} has no {noun} '{plain(param, 40)}' (the prior '{shown}'); its {noun}s: "
                         f"{', '.join(names)}")
    name, inside = distribution(rhs, shown)
    if name == "dirichlet":
        domain = domains[list(names).index(param)]
        raise UsageError(f"a dirichlet prior is for the probabilities p of the categorical family, one "
                         f"concentration per label (in '{shown}'); {param} {DOMAIN_TEXT[domain]}: use "
                         f"{(suggest or FOR_DOMAIN)[domain]}")
    if name not in DISTRIBUTIONS:
        import difflib
        near = difflib.get_close_matches(name, list(DISTRIBUTIONS), n=1, cutoff=0.6)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise UsageError(f"unknown prior distribution '{plain(name, 40)}' in '{shown}'; {hint}"
                         f"the priors are {', '.join(DISTRIBUTIONS)}, and dirichlet for categorical p")
    shape = DISTRIBUTIONS[name]
    args = numbers(inside, name, shown)
    if len(args) != len(shape.args):
        raise UsageError(f"{name} takes {len(shape.args)} number{'s' if len(shape.args) > 1 else ''} "
                         f"({', '.join(shape.args)}), got {len(args)} in '{shown}'")
    _check_rule(name, shape, args, shown)
    index = list(names).index(param)
    domain = domains[index]
    if transform is not None:
        if TRANSFORMS[transform][0] != domain:
            raise UsageError(f"{transform}() in '{shown}' is for a {'positive parameter' if transform == 'log' else 'probability'}"
                             f", but {param} {DOMAIN_TEXT[domain]}; put the prior on {param} itself")
        domain, param_shown = REAL, f"{transform}({param})"
    else:
        param_shown = param
    _check_support(name, shape, args, param_shown, domain, shown, suggest or FOR_DOMAIN)
    return Prior(param, index, name, tuple(args), text.strip(), transform)


def sides(text):
    """(parameter, distribution text) of 'PARAM ~ DIST(NUMBERS)', or UsageError."""
    lhs, sep, rhs = str(text).partition("~")
    if not sep or not lhs.strip() or not rhs.strip():
        raise UsageError(f"a prior is written PARAM ~ DIST(NUMBERS), e.g. {EXAMPLE} (got '{plain(text, 80)}')")
    return lhs.strip(), rhs


def distribution(rhs, shown):
    """(name, the text inside its parentheses) of 'DIST(NUMBERS)': the name lower-cased,
    aliases resolved; UsageError without the parentheses."""
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z_0-9]*)\s*\((.*)\)\s*", rhs, flags=re.S)
    if m is None:
        raise UsageError(f"the prior '{shown}' needs a distribution with its numbers in parentheses, "
                         f"e.g. {EXAMPLE}")
    name = m.group(1).lower()
    return ALIASES.get(name, name), m.group(2)


def numbers(inside, name, shown):
    from ..inference.expression import parse as parse_expression

    parts = [p.strip() for p in _split(inside)] if inside.strip() else []
    out = []
    for part in parts:
        try:
            value = parse_expression(part, ())({}) if part else math.nan
        except UsageError:
            value = math.nan
        if not math.isfinite(value):
            raise UsageError(f"the argument '{plain(part, 40)}' of {name} in '{shown}' is not a finite number; "
                             f"give numbers (arithmetic on numbers, like 1/sqrt(2), is allowed)")
        out.append(value)
    return out


def _split(text):
    """text split at the commas outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    return out + [text[start:]]


def _check_rule(name, shape, args, shown):
    bad = None
    if shape.rule == "positive":
        bad = [(a, v) for a, v in zip(shape.args, args) if v <= 0]
    elif shape.rule == "scale":
        bad = [(shape.args[-1], args[-1])] if args[-1] <= 0 else []
    elif shape.rule == "df":
        bad = [(a, v) for a, v in ((shape.args[0], args[0]), (shape.args[2], args[2])) if v <= 0]
    if bad:
        a, v = bad[0]
        raise UsageError(f"{name}'s {a} must be positive (got {v:.10g}) in '{shown}'")
    if shape.rule == "ordered" and not args[0] < args[1]:
        raise UsageError(f"uniform(a, b) needs a < b (got a = {args[0]:.10g}, b = {args[1]:.10g}) in '{shown}'")


def _check_support(name, shape, args, param, domain, shown, suggest=FOR_DOMAIN):
    """A prior must put all its mass where the parameter can be, and some near every value
    it can take (uniform: inside the domain)."""
    if shape.support == INTERVAL:
        lo, hi = {REAL: (-math.inf, math.inf), POSITIVE: (0.0, math.inf), UNIT: (0.0, 1.0)}[domain]
        if args[0] < lo or args[1] > hi:
            raise UsageError(f"uniform({args[0]:.10g}, {args[1]:.10g}) reaches outside the values {param} can "
                             f"take ({param} {DOMAIN_TEXT[domain]}) in '{shown}'; keep a and b within them")
        return
    if shape.support == ABOVE:  # [xm, inf), xm > 0: inside a positive or real parameter's range
        if domain == UNIT:
            raise UsageError(f"a {name} prior reaches above 1, but {param} {DOMAIN_TEXT[domain]} (in '{shown}'); "
                             f"use {suggest[domain]}")
        return
    if shape.support == domain:
        return
    why = {REAL: "puts weight on values", POSITIVE: "is for a positive parameter", UNIT: "is for a probability"}
    way = f"use {suggest[domain]}"
    if domain == POSITIVE and shape.support == REAL:
        way += f" (a normal prior on log({param}) is lognormal)"
    if domain == UNIT and shape.support == REAL:
        way += " (mlefit does not truncate priors)"
    reach = {POSITIVE: " below 0", UNIT: " outside (0, 1)"}.get(domain, "") if shape.support == REAL else ""
    raise UsageError(f"a {name} prior {why[shape.support]}{reach}, but {param} {DOMAIN_TEXT[domain]} "
                     f"(in '{shown}'); {way}")


def texts(given):
    """The prior texts of `given`: a string, a list of strings, or {parameter: 'dist(args)'}."""
    if isinstance(given, str):
        return [given]
    if isinstance(given, dict):
        return [f"{k} ~ {v}" for k, v in given.items()]
    try:
        return [str(t) for t in given]
    except TypeError:
        raise UsageError("prior= takes 'PARAM ~ DIST(NUMBERS)', a list of them, or {PARAM: 'DIST(NUMBERS)'}") \
            from None


def parse_all(given, names, domains, fixed=(), what="the family", noun="parameter", suggest=None):
    """The Priors of `given` (a string, a list of strings, or {parameter: 'dist(args)'}),
    one per parameter: a second prior on one parameter, or one on a fixed parameter, is
    a UsageError."""
    out = []
    for text in texts(given):
        p = parse(text, names, domains, what, noun, suggest)
        same = [q for q in out if q.parameter == p.parameter]
        if same:
            raise UsageError(f"two priors on {p.parameter} ('{plain(same[0].text, 60)}' and '{plain(text, 60)}'); "
                             f"give one prior per parameter")
        if p.index in fixed:
            raise UsageError(f"{p.parameter} is fixed (--fix), so a prior on it changes nothing; drop one of them")
        out.append(p)
    if not out:
        raise UsageError(f"no prior given; write PARAM ~ DIST(NUMBERS), e.g. {EXAMPLE}")
    return tuple(out)
