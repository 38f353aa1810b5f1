"""Priors on regression coefficients: `regress --prior "coef ~ normal(0, 2.5)"` (ridge) and
`--penalty l2:LAMBDA`, which is stated as the prior it equals.

`coef` is every coefficient but the intercept (which stays unpenalised unless a prior
names it: `Intercept ~ normal(0, 10)`); a coefficient's own name gives it its prior,
which wins over `coef`. The penalty is glmnet's: mean negative log-likelihood (weights as
repeated rows, n their total) + lambda/2 |b|^2, so on n rows l2:lambda is the prior
normal(0, 1/sqrt(n lambda)) on each coefficient but the intercept; scikit-learn's
LogisticRegression(C) is l2:1/(n C), i.e. normal(0, sqrt(C)); PoissonRegressor(alpha)
is l2:alpha. The MAP is found by the same Newton iteration, with the priors' analytic
derivatives added to the log-likelihood's (PenalisedObjective)."""
import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import UsageError, plain
from ..maximize import Point
from .distributions import parse_all

NOT_ON_COEFFICIENTS = ("uniform", "pareto")
ON_COEFFICIENTS = {"real": "normal (ridge), laplace (lasso), student_t or cauchy"}


@dataclass(frozen=True)
class CoefPriors:
    """priors: ((coefficient index, Prior), ...); given: the priors as given (dicts);
    penalty: {"kind", "lambda", "n", "sd", "prior"} for --penalty, else None."""

    priors: tuple
    given: tuple
    penalty: dict | None
    covered: tuple  # indexes of the coefficients with a prior
    every_slope: bool = False  # every coefficient but the intercept(s) has one
    family: tuple = ()  # ((parameter name, Prior), ...): priors on the family's other parameters (sigma, size)
    firth = False  # Jeffreys' prior (firth.Jeffreys) is the other kind
    interval_note = ("standard errors and intervals from the curvature of the log-posterior (Laplace "
                     "approximation): credible intervals; the p-values test 0 under that approximation")

    def wrap(self, objective):
        """The objective with these priors' log-density added (what Newton maximises)."""
        return PenalisedObjective(objective, self)

    def covers_every_slope(self, names):
        return self.every_slope

    def note(self, names):
        """What the prior is, for the result's notes."""
        pen = self.penalty
        said = "; ".join([f"{names[j]} ~ {p.label()}" for j, p in self.priors]
                         + [p.said() for _, p in self.family])
        unpenalised = [n for j, n in enumerate(names) if j not in self.covered]
        out = f"MAP (maximum a posteriori) with the priors {said}"
        if pen is not None:
            out = (f"--penalty {pen['kind']} (glmnet's: mean NLL + lambda ((1 - alpha)/2 |b|^2 + alpha |b|_1), "
                   f"lambda = {pen['lambda']:.10g}, alpha = {pen['alpha']:.10g}, n = {pen['n']:.10g}) is the prior "
                   f"{pen['prior']} on each coefficient: normal(0, 1/sqrt(n lambda (1 - alpha))), "
                   f"laplace(0, 1/(n lambda alpha))")
            if pen["kind"] == "l2":
                out += f"; scikit-learn's C = 1/(n lambda) = {1.0 / (pen['n'] * pen['lambda']):.10g}"
            if self.family:
                out += "; and the prior " + "; ".join(p.said() for _, p in self.family)
        if unpenalised:
            out += f"; {', '.join(unpenalised)} without a prior (unpenalised)"
        return out

    @property
    def kinks(self):
        """((coefficient index, 1/b, mu), ...) of the laplace priors: the log-prior's kinks,
        which the proximal Newton of mlefit.priors.lasso handles (exact zeros)."""
        return tuple((j, 1.0 / p.args[1], p.args[0]) for j, p in self.priors if p.distribution == "laplace")

    def log_prior(self, beta):
        return sum(p.logpdf(beta[j]) for j, p in self.priors)

    def derivs(self, beta):
        """(log-prior, gradient, diagonal of the Hessian) of the smooth priors (all but
        laplace) in the coefficients."""
        lp, g, h = 0.0, np.zeros(beta.size), np.zeros(beta.size)
        for j, prior in self.priors:
            if prior.distribution == "laplace":
                continue
            v, d1, d2 = prior.derivs(beta[j])
            lp += v
            g[j] += d1
            h[j] += d2
        return lp, g, h


def resolve(texts, penalty, names, n, family_params=(), terms=None, family_domains=(), target=None):
    """The CoefPriors of --prior texts or --penalty SPEC for the coefficients `names`
    (n: the rows' total weight), or None when neither is given. terms: for softmax
    regression, the design's terms, names being 'label:term' for each label but the
    reference: a prior on a term (or Intercept) is on it for every label. family_params,
    family_domains: the family's parameters, whose others than `target` (the one the
    linear predictor gives) may take priors too ('sigma ~ half_normal(1)')."""
    texts = [texts] if isinstance(texts, str) else list(texts or ())
    if any(str(t).strip().lower() == "jeffreys" for t in texts):
        if len(texts) > 1 or penalty:
            raise UsageError("--prior jeffreys is a prior on every coefficient at once (Firth's); give it alone")
        from ..regression.firth import Jeffreys
        return Jeffreys()
    family = _family_priors(texts, names, family_params, family_domains, target)  # (taken out of texts)
    if texts and penalty:
        raise UsageError("give --prior or --penalty, not both (a penalty is a prior: l2:LAMBDA is "
                         "'coef ~ normal(0, 1/sqrt(n LAMBDA))'); priors on the family's other parameters go "
                         "with either")
    if penalty:
        found = _penalty(penalty, names, n, terms)
        return replace(found, given=found.given + tuple(p.to_dict() for _, p in family), family=family)
    if not texts:
        return CoefPriors((), tuple(p.to_dict() for _, p in family), None, (), False, family) if family else None
    term_of = _terms(names, terms)
    known = tuple(dict.fromkeys(("coef",) + tuple(names) + tuple(terms or ())))
    parsed = parse_all(texts, known, ("real",) * len(known), what="the regression", noun="coefficient",
                       suggest=ON_COEFFICIENTS)
    for p in parsed:
        if p.distribution in NOT_ON_COEFFICIENTS:
            flat = "; inside them it is flat, the MLE: drop the prior" if p.distribution == "uniform" else ""
            raise UsageError(f"a {p.distribution} prior on coefficients is not supported (its edges are kinks "
                             f"the MAP may sit on{flat}); use {ON_COEFFICIENTS['real']}")
    by_name = {p.parameter: p for p in parsed}
    out = []
    for j, name in enumerate(names):
        prior = by_name.get(name) or by_name.get(term_of(j)) or \
            (by_name.get("coef") if term_of(j) != "Intercept" else None)
        if prior is not None:
            out.append((j, prior))
    covered = tuple(j for j, _ in out)
    return CoefPriors(tuple(out), tuple(p.to_dict() for p in parsed) + tuple(p.to_dict() for _, p in family), None,
                      covered, _every_slope(covered, names, term_of), tuple(family))


def _family_priors(texts, names, family_params, family_domains, target):
    """((parameter, Prior), ...) of the texts that name the family's other parameters
    (sigma, size, df; or their log/logit), removed from `texts`."""
    family = []
    others = [(i, q) for i, q in enumerate(family_params) if i != target and q not in names]
    for text in list(texts):
        lhs = str(text).partition("~")[0].strip()
        inner = lhs[lhs.find("(") + 1:-1].strip() if lhs.endswith(")") and "(" in lhs else lhs
        if inner in family_params and inner not in names:
            if inner not in [q for _, q in others]:
                raise UsageError(f"the family's {inner} is what the covariates predict (through the link): put "
                                 f"priors on the coefficients instead (got '{plain(text, 60)}')")
            family.append((inner, parse_all([text], tuple(q for _, q in others),
                                            tuple(family_domains[i] for i, _ in others), what="the family")[0]))
            texts.remove(text)
    return tuple(family)


def _terms(names, terms):
    """j -> the term of coefficient j: its name, or for softmax ('label:term') its term."""
    return (lambda j: names[j]) if terms is None else (lambda j: terms[j % len(terms)])


def _every_slope(covered, names, term_of):
    return set(covered) >= {j for j in range(len(names)) if term_of(j) != "Intercept"}


def _penalty(spec, names, n, terms=None):
    """glmnet's penalty on n rows, mean NLL + lambda ((1 - alpha)/2 |b|^2 + alpha |b|_1), as the
    priors it equals on each coefficient but the intercept: normal(0, 1/sqrt(n lambda (1 - alpha)))
    and laplace(0, 1/(n lambda alpha)). l2:LAMBDA is alpha = 0, l1:LAMBDA alpha = 1."""
    kind, *numbers = [part.strip() for part in str(spec).split(":")]
    kind = kind.lower()
    wanted = {"l2": 1, "l1": 1, "elasticnet": 2}
    if kind not in wanted or len(numbers) != wanted[kind]:
        raise UsageError(f"--penalty takes l2:LAMBDA, l1:LAMBDA or elasticnet:LAMBDA:ALPHA, e.g. l2:0.1 "
                         f"(got '{plain(spec, 40)}')")
    values = []
    for text in numbers:
        try:
            values.append(float(text))
        except ValueError:
            values.append(math.nan)
    lam = values[0]
    alpha = {"l2": 0.0, "l1": 1.0}.get(kind, values[-1])
    if not (math.isfinite(lam) and lam > 0):
        raise UsageError(f"--penalty {kind} needs a positive number for LAMBDA (got '{plain(numbers[0], 40)}')")
    if not 0.0 <= alpha <= 1.0:
        raise UsageError(f"--penalty elasticnet:LAMBDA:ALPHA needs ALPHA from 0 (ridge) to 1 (lasso) "
                         f"(got '{plain(numbers[-1], 40)}')")
    sd = 1.0 / math.sqrt(n * lam * (1.0 - alpha)) if alpha < 1.0 else None
    scale = 1.0 / (n * lam * alpha) if alpha > 0.0 else None
    texts = ([f"coef ~ normal(0, {sd!r})"] if sd else []) + ([f"coef ~ laplace(0, {scale!r})"] if scale else [])
    coefs = ("coef",) + tuple(names)
    parsed = [parse_all([t], coefs, ("real",) * len(coefs), what="the regression")[0] for t in texts]
    term_of = _terms(names, terms)
    out = tuple((j, prior) for prior in parsed for j in range(len(names)) if term_of(j) != "Intercept")
    said = " and ".join(p.label() for p in parsed)
    covered = tuple(sorted({j for j, _ in out}))
    return CoefPriors(out, tuple(p.to_dict() for p in parsed),
                      {"kind": kind, "lambda": lam, "alpha": alpha, "n": n, "sd": sd, "scale": scale, "prior": said},
                      covered, _every_slope(covered, names, term_of))


class PenalisedObjective:
    """An Objective (linear_model) with the coefficients' log-prior added: value, gradient
    and Hessian of log-likelihood + log-prior in (b, eta_others)."""

    def __init__(self, base, priors):
        # softmax: (K - 1) coefficient vectors, all of vec; else the first p of (b, eta_others)
        self.base, self.priors, self.p = base, priors, getattr(base, "n_coefficients", base.p)
        # the family's other parameters with a prior: (their place in vec, domain, Prior)
        params = [base.dens.params[i] for i in getattr(base, "others", ())]
        for name, _ in priors.family:
            if name not in params:
                raise UsageError(f"{name} is fixed (--fix), so a prior on it changes nothing; drop one of them")
        self.others = tuple((self.p + params.index(name), base.domains[params.index(name)], prior)
                            for name, prior in priors.family)

    def _others(self, vec):
        """(log-prior, [(index, d/du, d2/du2)]) of the family's other parameters, in their
        unconstrained coordinate u (log or logit): the prior's density in the parameter t
        itself, so that the maximum is its mode in t (no Jacobian)."""
        from ..families.rowwise import SCALES
        total, terms = 0.0, []
        for j, domain, prior in self.others:
            inverse, d1, d2, _ = SCALES[domain]
            t = float(inverse(vec[j]))
            lp, p1, p2 = prior.derivs(t)
            a, b = float(d1(t)), float(d2(t))
            total += lp
            terms.append((j, p1 * a, p2 * a * a + p1 * b))
        return total, terms

    def log_prior(self, vec):
        return self.priors.log_prior(vec[:self.p]) + self._others(vec)[0]

    def value(self, vec):
        v = self.base.value(vec)
        return v + self.log_prior(vec) if math.isfinite(v) else v

    def __call__(self, vec):
        """The log-posterior, with the gradient and Hessian of its smooth part (the laplace
        priors' kinks are left to mlefit.priors.lasso)."""
        point = self.base(vec)
        _, g, h = self.priors.derivs(vec[:self.p])
        grad, hess = point.grad.copy(), point.hess.copy()
        grad[:self.p] += g
        hess[np.arange(self.p), np.arange(self.p)] += h
        lp, terms = self._others(vec)
        for j, d1, d2 in terms:
            grad[j] += d1
            hess[j, j] += d2
        return Point(point.value + self.priors.log_prior(vec[:self.p]) + lp, grad, hess, point.noise, point.floor)
