"""What each family is: names, parameters, support, and its scipy/R equivalents.

Pure data with no numpy import, so `mlefit --help` stays instant. The maths lives in
each family's own file (families/<name>.py: its per-row record and its fast path; the
families with a fixed shape are built by counts.py, robust.py and mixture.py);
families/__init__.py joins the two.
"""
from dataclasses import dataclass

# parameter domains: how an interval is built and mapped back
REAL = "real"          # identity scale
POSITIVE = "positive"  # log scale
UNIT = "unit"          # logit scale, a probability in (0, 1)

SUPPORT_TEXT = {
    "binary": "0 or 1 (also true/false)",
    "count": "non-negative integers 0, 1, 2, ...",
    "real": "any finite real number",
    "nonnegative": "real numbers >= 0",
    "positive": "real numbers > 0",
    "unit_open": "real numbers strictly between 0 and 1",
    "labels": "any labels (strings or numbers)",
}


@dataclass(frozen=True)
class Param:
    name: str
    domain: str
    meaning: str


@dataclass(frozen=True)
class Spec:
    name: str
    params: tuple
    support: str
    discrete: bool
    closed_form: bool
    density: str
    scipy: str
    r: str
    aliases: tuple = ()
    shape: str | None = None  # a fixed shape given after ':' in the name (tau, delta)
    # why `select` and --dist auto do not try this family by default ("" = they do)
    not_selected: str = ""
    # a family built with its fixed shape: the value (a number), and the family's own name,
    # the record's name being both ('binomial:12'); None for the catalog's own records
    value: float | None = None
    family: str | None = None

    @property
    def base(self):
        """The family's name without a fixed shape's value ('binomial' of 'binomial:12')."""
        return self.family or self.name

    def with_value(self, value, shown):
        """This family's record with its fixed shape set to `value`, named 'name:shown'."""
        from dataclasses import replace
        return replace(self, name=f"{self.name}:{shown}", value=value, family=self.name)

    @property
    def support_text(self):
        return SUPPORT_TEXT[self.support]

    @property
    def signature(self):
        fixed = f":{self.shape.upper()}" if self.shape else ""
        return f"{self.name}{fixed}({', '.join(p.name for p in self.params)})"


SPECS = (
    Spec("bernoulli", (Param("p", UNIT, "P(X = 1)"),), "binary", True, True,
         "p^x (1-p)^(1-x)", "bernoulli(p)", "dbinom(x, 1, p)"),
    Spec("categorical", (Param("p[label]", UNIT, "probability of each observed label"),),
         "labels", True, True, "p[x]", "multinomial(1, p)", "dmultinom",
         aliases=("multinoulli",), not_selected="labels, not numbers: nothing to compare it with"),
    Spec("poisson", (Param("rate", POSITIVE, "mean count"),), "count", True, True,
         "rate^x e^-rate / x!", "poisson(mu=rate)", "dpois(x, lambda=rate)"),
    Spec("geometric", (Param("p", UNIT, "success probability; failures before the first success"),),
         "count", True, True, "p (1-p)^x on x = 0, 1, 2, ...", "geom(p, loc=-1)",
         "dgeom(x, prob=p)"),
    Spec("negative_binomial",
         (Param("size", POSITIVE, "dispersion; var = mu + mu^2/size"),
          Param("mu", POSITIVE, "mean")),
         "count", True, False,
         "G(x+size)/(G(size) x!) (size/(size+mu))^size (mu/(size+mu))^x",
         "nbinom(n=size, p=size/(size+mu))", "dnbinom(x, size, mu=mu)",
         aliases=("negbin", "nbinom", "nb")),
    Spec("normal", (Param("mu", REAL, "mean"), Param("sigma", POSITIVE, "standard deviation (MLE, divisor n)")),
         "real", False, True, "exp(-(x-mu)^2/(2 sigma^2)) / (sigma sqrt(2 pi))",
         "norm(loc=mu, scale=sigma)", "dnorm(x, mean=mu, sd=sigma)",
         aliases=("gaussian", "norm")),
    Spec("laplace", (Param("mu", REAL, "location (median)"), Param("b", POSITIVE, "scale (mean absolute deviation)")),
         "real", False, True, "exp(-|x-mu|/b) / (2b)", "laplace(loc=mu, scale=b)",
         "extraDistr::dlaplace(x, mu, sigma=b)", aliases=("double_exponential",)),
    Spec("exponential", (Param("rate", POSITIVE, "1/mean"),), "nonnegative", False, True,
         "rate e^(-rate x)", "expon(scale=1/rate)", "dexp(x, rate)", aliases=("expon", "exp")),
    Spec("gamma", (Param("shape", POSITIVE, "shape"), Param("rate", POSITIVE, "rate = shape/mean")),
         "positive", False, False, "rate^shape x^(shape-1) e^(-rate x) / G(shape)",
         "gamma(a=shape, scale=1/rate)", "dgamma(x, shape, rate)"),
    Spec("lognormal", (Param("meanlog", REAL, "mean of log(x)"), Param("sdlog", POSITIVE, "sd of log(x) (divisor n)")),
         "positive", False, True, "normal density of log(x), divided by x",
         "lognorm(s=sdlog, scale=exp(meanlog))", "dlnorm(x, meanlog, sdlog)",
         aliases=("lognorm", "log_normal")),
    Spec("weibull", (Param("shape", POSITIVE, "shape k"), Param("scale", POSITIVE, "scale lambda")),
         "positive", False, False, "(k/lambda) (x/lambda)^(k-1) exp(-(x/lambda)^k)",
         "weibull_min(c=shape, scale=scale)", "dweibull(x, shape, scale)",
         aliases=("weibull_min",)),
    Spec("weibull3", (Param("shape", POSITIVE, "shape k"), Param("scale", POSITIVE, "scale lambda"),
                      Param("threshold", REAL, "threshold c: nothing occurs below it")),
         "real", False, False, "(k/lambda) ((x-c)/lambda)^(k-1) exp(-((x-c)/lambda)^k), x > c",
         "weibull_min(c=shape, loc=threshold, scale=scale)", "FAdist::dweibull3(x, shape, scale, thres)",
         aliases=("weibull_3p", "three_parameter_weibull"),
         not_selected="its threshold's MLE is irregular (unbounded likelihood at min x for shape < 1)"),
    Spec("gamma3", (Param("shape", POSITIVE, "shape a"), Param("scale", POSITIVE, "scale b (1/rate)"),
                    Param("threshold", REAL, "threshold c: nothing occurs below it")),
         "real", False, False, "(x-c)^(a-1) exp(-(x-c)/b) / (b^a G(a)), x > c",
         "gamma(a=shape, loc=threshold, scale=scale)", "FAdist::dgamma3(x, shape, scale, thres)",
         aliases=("gamma_3p", "three_parameter_gamma"),
         not_selected="its threshold's MLE is irregular (unbounded likelihood at min x for shape < 1)"),
    Spec("lognormal3", (Param("meanlog", REAL, "mean of log(x - c)"), Param("sdlog", POSITIVE, "sd of log(x - c)"),
                        Param("threshold", REAL, "threshold c: nothing occurs below it")),
         "real", False, False, "normal density of log(x-c), divided by x-c, x > c",
         "lognorm(s=sdlog, loc=threshold, scale=exp(meanlog))", "FAdist::dlnorm3(x, shape=sdlog, scale=meanlog, thres)",
         aliases=("lognormal_3p", "three_parameter_lognormal", "lognorm3"),
         not_selected="its likelihood is unbounded at min x for every sample (Hill 1963): the estimate is a local maximum"),
    Spec("beta", (Param("a", POSITIVE, "first shape (alpha)"), Param("b", POSITIVE, "second shape (beta)")),
         "unit_open", False, False, "x^(a-1) (1-x)^(b-1) / B(a, b)", "beta(a, b)",
         "dbeta(x, shape1=a, shape2=b)"),
    Spec("asymmetric_laplace",
         (Param("mu", REAL, "the tau-quantile"), Param("sigma", POSITIVE, "scale: the mean check loss")),
         "real", False, True, "tau (1-tau)/sigma exp(-rho_tau((x-mu)/sigma)), rho_tau(u) = u (tau - [u<0])",
         "laplace_asymmetric(kappa=sqrt(tau/(1-tau)), loc=mu, scale=sigma/sqrt(tau (1-tau)))",
         "ald::dALD(x, mu, sigma, p=tau)", aliases=("ald", "quantile"), shape="tau",
         not_selected="a loss's likelihood with a quantile chosen by the user (tau); laplace is tau = 0.5"),
    Spec("huber", (Param("mu", REAL, "location (Huber M-estimate)"),), "real", False, False,
         "exp(-rho_delta(x-mu)) / Z(delta), rho quadratic within delta of mu and linear beyond, "
         "Z = sqrt(2 pi)(2 Phi(delta) - 1) + 2 exp(-delta^2/2)/delta; unit scale",
         "none", "none", shape="delta",
         not_selected="a loss's likelihood with a unit scale and a threshold chosen by the user (delta)"),
    Spec("student_t",
         (Param("mu", REAL, "location (centre)"), Param("sigma", POSITIVE, "scale (not the sd)"),
          Param("df", POSITIVE, "degrees of freedom; sd = sigma sqrt(df/(df-2)) for df > 2; "
                                "1e30 marks the normal limit (df -> infinity)")),
         "real", False, False,
         "G((df+1)/2) / (G(df/2) sqrt(df pi) sigma) (1 + ((x-mu)/sigma)^2/df)^(-(df+1)/2)",
         "t(df, loc=mu, scale=sigma)", "dt((x-mu)/sigma, df)/sigma",
         aliases=("t", "student", "studentt", "students_t")),
    Spec("logistic", (Param("mu", REAL, "location (mean and median)"), Param("s", POSITIVE, "scale; sd = s pi/sqrt(3)")),
         "real", False, False, "e^-z / (s (1 + e^-z)^2), z = (x-mu)/s",
         "logistic(loc=mu, scale=s)", "dlogis(x, location=mu, scale=s)"),
    Spec("cauchy", (Param("mu", REAL, "location (median)"), Param("sigma", POSITIVE, "scale (half the interquartile range)")),
         "real", False, False, "1 / (pi sigma (1 + ((x-mu)/sigma)^2))",
         "cauchy(loc=mu, scale=sigma)", "dcauchy(x, location=mu, scale=sigma)", aliases=("lorentz",)),
    Spec("gumbel", (Param("mu", REAL, "location (mode)"), Param("beta", POSITIVE, "scale")),
         "real", False, False, "exp(-z - e^-z) / beta, z = (x-mu)/beta (maxima; right-skewed)",
         "gumbel_r(loc=mu, scale=beta)", "evd::dgumbel(x, loc=mu, scale=beta)",
         aliases=("gumbel_r", "extreme_value", "gumbel_max")),
    Spec("log_logistic", (Param("shape", POSITIVE, "shape beta"), Param("scale", POSITIVE, "scale alpha (the median)")),
         "positive", False, False, "(b/a) (x/a)^(b-1) / (1 + (x/a)^b)^2, a = scale, b = shape",
         "fisk(c=shape, scale=scale)", "actuar::dllogis(x, shape, scale=scale)",
         aliases=("fisk", "loglogistic")),
    Spec("inverse_gaussian", (Param("mu", POSITIVE, "mean"), Param("lambda", POSITIVE, "shape; var = mu^3/lambda")),
         "positive", False, True, "sqrt(lambda/(2 pi x^3)) exp(-lambda (x-mu)^2 / (2 mu^2 x))",
         "invgauss(mu=mu/lambda, scale=lambda)", "statmod::dinvgauss(x, mean=mu, shape=lambda)",
         aliases=("invgauss", "wald", "inverse_normal")),
    Spec("half_normal", (Param("sigma", POSITIVE, "scale: sd of the normal folded at 0"),),
         "nonnegative", False, True, "sqrt(2/pi)/sigma exp(-x^2/(2 sigma^2))",
         "halfnorm(scale=sigma)", "extraDistr::dhnorm(x, sigma)", aliases=("halfnorm", "halfnormal")),
    Spec("rayleigh", (Param("sigma", POSITIVE, "scale; mode"),),
         "positive", False, True, "x/sigma^2 exp(-x^2/(2 sigma^2))",
         "rayleigh(scale=sigma)", "extraDistr::drayleigh(x, sigma)"),
    Spec("pareto", (Param("xm", POSITIVE, "lower bound (scale): the smallest possible value"),
                    Param("alpha", POSITIVE, "tail index (shape)")),
         "positive", False, True, "alpha xm^alpha / x^(alpha+1) for x >= xm",
         "pareto(b=alpha, scale=xm)", "actuar::dpareto1(x, shape=alpha, min=xm)",
         aliases=("pareto1", "power_law")),
    Spec("uniform", (Param("a", REAL, "lower bound"), Param("b", REAL, "upper bound")),
         "real", False, True, "1/(b-a) for a <= x <= b",
         "uniform(loc=a, scale=b-a)", "dunif(x, min=a, max=b)", aliases=("unif", "rectangular")),
    Spec("binomial", (Param("p", UNIT, "success probability per trial"),),
         "count", True, True, "C(trials, x) p^x (1-p)^(trials-x), x = 0..trials",
         "binom(n=trials, p=p)", "dbinom(x, size=trials, prob=p)", aliases=("binom",), shape="trials"),
    Spec("beta_binomial", (Param("a", POSITIVE, "first shape (alpha)"), Param("b", POSITIVE, "second shape (beta)")),
         "count", True, False, "C(trials, x) B(x+a, trials-x+b) / B(a, b), x = 0..trials",
         "betabinom(n=trials, a=a, b=b)", "extraDistr::dbbinom(x, size=trials, alpha=a, beta=b)",
         aliases=("betabinom", "betabinomial"), shape="trials"),
    Spec("zero_inflated_poisson",
         (Param("pi", UNIT, "probability of an extra (structural) zero"), Param("rate", POSITIVE, "Poisson mean")),
         "count", True, False, "pi [x=0] + (1-pi) rate^x e^-rate / x!",
         "none (pi [x=0] + (1-pi) poisson(rate))", "VGAM::dzipois(x, lambda=rate, pstr0=pi)",
         aliases=("zip", "zipoisson", "zero_inflated_pois")),
    Spec("normal_mixture",
         (Param("w[j]", UNIT, "weight of component j (the weights sum to one)"),
          Param("mu[j]", REAL, "mean of component j (components in increasing mu)"),
          Param("sigma[j]", POSITIVE, "sd of component j")),
         "real", False, False, "sum_j w[j] normal(x; mu[j], sigma[j]), K components, by EM",
         "none (sum of weighted norm)", "mixtools::normalmixEM(x, k=K)",
         aliases=("gaussian_mixture", "gmm", "mixture", "normmix"), shape="k",
         not_selected="the number of components is the user's choice; compare K with --families"),
)

ESTIMATORS = {
    "bernoulli": "closed form: the mean",
    "categorical": "closed form: count / n",
    "poisson": "closed form: the mean",
    "geometric": "closed form: 1/(1 + mean)",
    "negative_binomial": "Newton on the profile score in size; mu = the mean",
    "normal": "closed form: mean, sd with divisor n",
    "laplace": "closed form: median, mean absolute deviation",
    "exponential": "closed form: 1/mean",
    "gamma": "Newton on the shape, from the mean and the mean of log x",
    "lognormal": "closed form on log x",
    "weibull": "Newton on the profile equation in the shape",
    "weibull3": "profile of the threshold below min x (weibull fits of x - c), then Newton on all three",
    "gamma3": "profile of the threshold below min x (gamma fits of x - c), then Newton on all three",
    "lognormal3": "profile of the threshold below min x (lognormal fits of x - c), then Newton on all three",
    "beta": "Newton on (a, b), from the means of log x and log(1-x)",
    "asymmetric_laplace": "closed form: the tau-quantile, the mean check loss",
    "huber": "Newton on the Huber score",
    "student_t": "Newton in (mu, log sigma, 1/df); df -> infinity is the normal fit",
    "logistic": "Newton in (mu, log s)",
    "cauchy": "safeguarded Newton in (mu, log sigma) from the median and half-IQR",
    "gumbel": "Newton on the profile equation in beta; mu in closed form",
    "log_logistic": "Newton: the logistic fit of log x",
    "inverse_gaussian": "closed form: the mean, n / sum(1/x - 1/mean)",
    "half_normal": "closed form: sqrt(mean x^2)",
    "rayleigh": "closed form: sqrt(mean x^2 / 2)",
    "pareto": "closed form: the minimum, n / sum log(x/min); exact intervals",
    "uniform": "closed form: the minimum and maximum; exact intervals",
    "binomial": "closed form: sum x / sum trials",
    "beta_binomial": "Newton on (log a, log b) from the method of moments",
    "zero_inflated_poisson": "Newton on rate = mean of positive counts x (1 - e^-rate)",
    "normal_mixture": "EM from seeded starts, then Newton; components in increasing mu",
}

BY_NAME = {s.name: s for s in SPECS}
ALIASES = {alias: s.name for s in SPECS for alias in (s.name, *s.aliases)}


def resolve(name):
    """The canonical family name for `name` (case and '-' insensitive; a fixed shape
    after ':' is ignored here), or None."""
    key = name.split(":", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key)


def help_text():
    """One line per family, for --help."""
    lines = []
    for s in SPECS:
        kind = "closed form" if s.closed_form else "EM" if s.name == "normal_mixture" else "Newton"
        lines.append(f"{s.signature}: {s.support_text}; {kind}")
    return lines


def catalog_dict():
    """Every family as plain data, for `mlefit families` (and its --json)."""
    return {"schema_version": 1, "families": [{
        "name": s.name, "usage": s.name + (f":{s.shape.upper()}" if s.shape else ""),
        "aliases": list(s.aliases), "support": s.support_text, "discrete": s.discrete,
        "parameters": [{"name": p.name, "domain": p.domain, "meaning": p.meaning} for p in s.params],
        "fixed_shape": s.shape, "closed_form": s.closed_form, "estimator": ESTIMATORS[s.name],
        "density": s.density,
        "scipy": s.scipy, "r": s.r} for s in SPECS]}
