"""Median and quantile regression: laplace (median) and asymmetric_laplace:TAU regressions,
fitted as the linear programs they are.

The asymmetric Laplace log-likelihood at mu_i = x_i'b + offset_i is
n log(tau (1 - tau)/sigma) - sum_i w_i rho_tau(y_i - mu_i)/sigma: for any sigma, b maximises
it where it minimises the weighted check loss sum_i w_i rho_tau(y_i - x_i'b), a linear program
(variables b free, u, v >= 0 with X b + u - v = y - offset, cost w tau u + w (1 - tau) v),
solved by scipy.optimize.linprog's HiGHS on its dual (p constraints). sigma's MLE given b is the mean check loss (laplace:
its b = the mean absolute residual, tau = 1/2). The likelihood has kinks in b, so there is no
Hessian to invert: the coefficients' covariance is Powell's kernel sandwich
H^-1 J H^-1, H = sum_i w_i f_i x_i x_i' with f_i = phi(r_i/h)/h, J = tau (1 - tau) sum_i w_i x_i x_i',
with the Hall-Sheather bandwidth in R's quantreg form (summary.rq(se = "ker")):
h = (Phi^-1(tau + hs) - Phi^-1(tau - hs)) min(sd(r), IQR(r)/1.34). The scale's own interval
is its sandwich (score (rho_i/sigma - 1) on the log scale), which is asymptotically
independent of b's (the check loss's subgradient in b vanishes at the LP optimum)."""
import math
from statistics import NormalDist

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from ..inference.information import scaled_inverse
from ..families.robust import check_loss
from .linear_model import LinearFit, parts

LP_FAMILIES = ("laplace", "asymmetric_laplace")
HOW = "wald, Powell kernel sandwich"
_N = NormalDist()


def tau_of(name, shapes):
    return 0.5 if name == "laplace" else float(shapes[0])


def fit(name, rows, names, tau, intercept=None):
    """The LinearFit of the median (laplace) or tau-quantile (asymmetric_laplace) regression
    over the Record `rows` (the response, the design as covariates, weights, offset):
    the LP's coefficients, the scale's MLE, the log-likelihood there (and the intercept-only
    model's), the covariance of (b, log scale); its message holds notes on the LP's optimum."""
    y, X, w, _, offset = parts(rows)
    X = np.asarray(X, dtype=np.float64)
    target = y if offset is None else y - offset
    beta, nit, notes = solve(target, X, tau, w)
    null = None
    if intercept is not None and X.shape[1] > 1:
        # the intercept-only model (its column is 1): the weighted tau-quantile (any minimiser has the same
        # check loss); a closed form where HiGHS takes 6x the full model's time
        null = _loglik(name, target - nm.weighted_quantile(target, w, tau), tau, w)[0]
    resid = target - X @ beta
    loglik, scale, rho = _loglik(name, resid, tau, w)
    if not scale > 1e-10 * float(np.std(target)):  # zero but for the LP's rounding
        raise DataError(f"the covariates give the response exactly at every row (the {_what(name)} is 0): the "
                        f"scale's maximum likelihood estimate is 0 and the likelihood is unbounded; check for a "
                        f"covariate that copies the response")
    cov = _covariance(X, resid, tau, w, rho)
    if cov is None:
        notes.append(f"no standard errors: the Hall-Sheather bandwidth reaches past 0 or 1 at tau = {tau:g} "
                     f"with {X.shape[0]} rows (a quantile this far out needs more rows)")
    param = "b" if name == "laplace" else "sigma"
    vec = np.r_[beta, math.log(scale)]
    return LinearFit(tuple(names), beta, ((param, scale),), loglik, null, cov, ("positive",), nit, True,
                     "; ".join(notes), None, vec)


def _what(name):
    return "mean absolute residual" if name == "laplace" else "mean check loss"


def solve(y, X, tau, w=None):
    """(b minimising sum_i w_i rho_tau(y_i - x_i'b), the LP's iterations, notes on the
    optimum). At a vertex where exactly p rows are fitted, the optimum is unique unless one
    of their duals is at its bound (w_i tau or -w_i (1 - tau)): then the check loss is flat
    along an edge, said; more than p rows fitted exactly (ties) is a degenerate vertex,
    whose duals do not tell, said as a solution that may not be unique."""
    from scipy.optimize import linprog
    n, p = X.shape
    ww = np.ones(n) if w is None else np.asarray(w, dtype=np.float64)
    # the dual LP (Koenker and d'Orey): max y'd over 0 <= d <= w with X'd = (1 - tau) X'w, whose
    # equality constraints' multipliers are -b: p constraints, not n (HiGHS 20x quicker at 2e4 rows), by
    # interior point with crossover to a vertex (dual simplex: 40x slower at 1e5 rows)
    res = linprog(-y, A_eq=X.T, b_eq=(1.0 - tau) * (X.T @ ww), bounds=np.column_stack([np.zeros(n), ww]),
                  method="highs-ipm")
    if res.status != 0:
        raise DataError(f"the quantile regression's linear program failed ({res.message}); check the design "
                        f"for columns far larger than the others") from None
    beta = -np.asarray(res.eqlin.marginals, dtype=np.float64)
    notes = []
    resid = y - X @ beta
    spread = float(np.max(np.abs(y))) if n else 1.0
    exact = np.abs(resid) <= 1e-9 * max(spread, 1e-300)
    used = exact & (ww > 0)
    dual = np.asarray(res.x, dtype=np.float64) - (1.0 - tau) * ww  # each row's dual, in [(tau - 1) w, tau w]
    at_bound = used & ((np.abs(dual - tau * ww) <= 1e-7 * ww) | (np.abs(dual + (1.0 - tau) * ww) <= 1e-7 * ww))
    if used.sum() > p:  # a degenerate vertex: the duals are not unique, nor is what they say
        notes.append(f"{int(used.sum())} rows are fitted exactly, more than the {p} coefficients (ties in the "
                     f"response): the linear program's vertex is degenerate, and the solution may not be unique")
    elif at_bound.any():  # a simple vertex: a fitted row's dual at its bound is a flat edge
        notes.append(f"the solution is not unique: {int(at_bound.sum())} exactly fitted row"
                     f"{'s have' if at_bound.sum() > 1 else ' has'} a dual value at its bound, so the check loss "
                     f"is flat along an edge of the linear program; these coefficients are one optimal vertex "
                     f"(every optimum has the same check loss and likelihood)")
    return beta, int(getattr(res, "nit", 0) or 0), notes


def _loglik(name, resid, tau, w):
    """(log-likelihood, scale MLE, each row's check loss) at these residuals; laplace's
    scale b is twice the asymmetric Laplace's sigma at tau = 1/2."""
    rho = check_loss(resid, tau)
    total = float(resid.size if w is None else np.sum(w))
    mean = float(np.sum(rho if w is None else w * rho)) / total
    if name == "laplace":
        scale = 2.0 * mean
        ll = -total * math.log(2.0 * scale) - total if scale > 0 else math.inf
    else:
        scale = mean
        ll = total * math.log(tau * (1.0 - tau) / scale) - total if scale > 0 else math.inf
    return ll, scale, rho


def hall_sheather(n, tau, alpha=0.05):
    """Hall and Sheather's bandwidth in probability units (R quantreg's bandwidth.rq)."""
    z = _N.inv_cdf(tau)
    ratio = 1.5 * _N.pdf(z) ** 2 / (2.0 * z * z + 1.0)
    return n ** (-1.0 / 3.0) * _N.inv_cdf(1.0 - alpha / 2.0) ** (2.0 / 3.0) * ratio ** (1.0 / 3.0)


def bandwidth(resid, tau, w=None):
    """The bandwidth in the residuals' units, or None where tau +/- hs leaves (0, 1)."""
    total = float(resid.size if w is None else np.sum(w))
    hs = hall_sheather(total, tau)
    if tau - hs <= 0 or tau + hs >= 1:
        return None
    ww = np.ones(resid.size) if w is None else w
    mean = float(np.sum(ww * resid)) / total
    sd = math.sqrt(float(np.sum(ww * (resid - mean) ** 2)) / (total - 1.0))
    iqr = _quantile(resid, ww, 0.75) - _quantile(resid, ww, 0.25)
    return (_N.inv_cdf(tau + hs) - _N.inv_cdf(tau - hs)) * min(sd, iqr / 1.34)


def _quantile(x, w, q):
    """numpy's (R's type 7) linear-interpolation quantile, of each row repeated w times
    (exactly so for whole weights)."""
    order = np.argsort(x, kind="stable")
    xs, cw = x[order], np.cumsum(w[order])
    pos = q * (cw[-1] - 1.0)  # the 0-based position among the repeated values
    lo = math.floor(pos)
    i = min(int(np.searchsorted(cw, lo + 1.0 - 1e-9, side="left")), xs.size - 1)
    j = min(int(np.searchsorted(cw, lo + 2.0 - 1e-9, side="left")), xs.size - 1)
    return float(xs[i] + (pos - lo) * (xs[j] - xs[i]))


def _covariance(X, resid, tau, w, rho):
    """The covariance of (b, log scale): Powell's kernel sandwich for b, the scale's own
    sandwich; None where the bandwidth does not exist or H is singular."""
    h = bandwidth(resid, tau, w)
    if h is None or not h > 0:
        return None
    ww = np.ones(resid.size) if w is None else w
    f = np.exp(-0.5 * (resid / h) ** 2) / (h * math.sqrt(2.0 * math.pi))
    from .linear_model import weighted_gram
    H = weighted_gram(X, ww * f)
    J = tau * (1.0 - tau) * weighted_gram(X, ww)
    hinv = scaled_inverse(H)
    if hinv is None:
        return None
    p = X.shape[1]
    cov = np.zeros((p + 1, p + 1))
    cov[:p, :p] = hinv @ J @ hinv
    total = float(np.sum(ww))
    mean = float(np.sum(ww * rho)) / total  # the scale's score in its log: rho_i / mean - 1 (laplace's b too)
    cov[p, p] = float(np.sum(ww * (rho / mean - 1.0) ** 2)) / total ** 2
    return cov
