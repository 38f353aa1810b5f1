"""compare-losses on data: every loss beside the negative log-likelihood it is.

With predictions: each applicable loss evaluated on them, the implied family's NLL at
the nuisance parameter's MLE, and the identity NLL = a * loss + b checked on these very
numbers. Without: the constant each loss picks, equal to the family's MLE of location,
and the losses ranked by held-out bits per sample (k-fold). Soft labels: CE = H + KL."""
import math

import numpy as np

from . import families
from . import losses as catalog
from .errors import DataError, MlefitError, UsageError
from .families.robust import check_loss, huber_log_norm, huber_loss

LN2 = math.log(2.0)


# ---------------------------------------------------------------- which losses apply
def target_kind(y):
    if y.dtype == object:
        return "labels"
    if np.all((y == 0) | (y == 1)):
        return "binary"
    if np.all((y >= 0) & (y == np.floor(y))):
        return "counts"
    return "real"


APPLIES = {"mse": ("real", "counts", "binary"), "mae": ("real", "counts", "binary"),
           "huber": ("real", "counts", "binary"), "pinball": ("real", "counts", "binary"),
           "gaussian_nll": ("real", "counts", "binary"), "bce": ("binary",),
           "poisson": ("counts", "binary"), "cross_entropy": ("labels",)}
CONTINUOUS = tuple(name for name, kinds in APPLIES.items() if "real" in kinds)  # a density's losses


def chosen_losses(kind, names, continuous=False):
    """[(Loss, value)] for the requested names (default: every loss that applies to this
    kind of target, shaped ones at their default shape), each checked against the target.
    continuous: only the losses of a density (mse, mae, huber, pinball, gaussian_nll), so
    whole-number measurements are not ranked by a mass (poisson) ahead of them."""
    if continuous and kind == "labels":
        raise UsageError("--continuous compares the losses of a density, and this target holds labels")
    out, given = [], {}
    for text in (names or [lo.name for lo in catalog.LOSSES if kind in APPLIES[lo.name]
                           and (not continuous or lo.name in CONTINUOUS)]):
        loss, value = catalog.resolve(text)
        if kind not in APPLIES[loss.name]:
            raise UsageError(f"the {loss.name} loss needs a {loss.target} target, and this target "
                             f"holds {kind}; choose from: {', '.join(n for n, k in APPLIES.items() if kind in k)}")
        if continuous and loss.name not in CONTINUOUS:
            raise UsageError(f"--continuous compares the losses of a density ({', '.join(CONTINUOUS)}); "
                             f"the {loss.name} loss is a mass's: drop it, or drop --continuous")
        if (loss.name, value) in given:
            raise UsageError(f"--losses names one loss twice ('{given[loss.name, value]}' and '{text}'); "
                             f"list each loss once")
        given[loss.name, value] = text
        out.append((loss, value))
    return out


# ---------------------------------------------------------------- with predictions
def _with_prediction(loss, value, y, yhat):
    """(mean loss, a, b, nuisance {name: value}, family name, theta) with NLL = a loss + b."""
    n = y.size
    r = y - yhat
    name = loss.name
    if name in ("mse", "gaussian_nll", "mae", "pinball") and not np.any(r != 0):
        raise DataError("the predictions equal the targets exactly: the scale's MLE is 0 and "
                        "the likelihood is unbounded")
    if name == "mse":
        mse = float(np.mean(r * r))
        return mse, n / (2 * mse), 0.5 * n * math.log(2 * math.pi * mse), {"sigma": math.sqrt(mse)}, \
            "normal", (yhat, math.sqrt(mse))
    if name == "gaussian_nll":
        var = float(np.mean(r * r))
        value_ = 0.5 * (math.log(var) + float(np.mean(r * r)) / var)
        return value_, n, 0.5 * n * math.log(2 * math.pi), {"sigma": math.sqrt(var)}, "normal", \
            (yhat, math.sqrt(var))
    if name == "mae":
        mae = float(np.mean(np.abs(r)))
        return mae, n / mae, n * math.log(2 * mae), {"b": mae}, "laplace", (yhat, mae)
    if name == "pinball":
        pin = float(np.mean(check_loss(r, value)))
        return pin, n / pin, n * math.log(pin / (value * (1 - value))), {"sigma": pin}, \
            catalog.family_name(loss, value), (yhat, pin)
    if name == "huber":
        hub = float(np.mean(huber_loss(r, value)))
        return hub, n, n * huber_log_norm(value), {}, catalog.family_name(loss, value), (yhat,)
    if name == "bce":
        from scipy.special import xlog1py, xlogy
        p = yhat
        if np.any((p < 0) | (p > 1)):
            raise DataError("bce needs predicted probabilities in [0, 1]; "
                            "for logits, pass them through the logistic function first")
        bce = float(-np.mean(xlogy(y, p) + xlog1py(1 - y, -p)))
        if not math.isfinite(bce):
            raise DataError("a predicted probability of 0 or 1 contradicts an observed label: "
                            "the BCE (and the NLL) is infinite")
        return bce, n, 0.0, {}, "bernoulli", (p,)
    if name == "poisson":
        if np.any(yhat <= 0):
            raise DataError("the poisson loss needs predicted rates > 0 (not log-rates)")
        from .numerics import sum_log_factorial, value_counts
        pois = float(np.mean(yhat - y * np.log(yhat)))
        return pois, n, sum_log_factorial(*value_counts(y)), {}, "poisson", (yhat,)
    raise UsageError(f"the {name} loss needs --prediction-probs (one probability column per class)")


def with_prediction(y, yhat, names=None, continuous=False):
    kind = target_kind(y)
    rows = []
    if kind == "labels":
        raise UsageError("a label target takes its predictions as one probability column per class: "
                         "use --prediction-probs LABEL=COLUMN,...")
    for loss, value in chosen_losses(kind, names, continuous):
        fam_name = catalog.family_name(loss, value)
        fam = families.get(fam_name)
        row = {"loss": loss.label(value), "family": fam_name, "differential": not fam.spec.discrete}
        try:
            with np.errstate(all="ignore"):
                mean_loss, a, b, nuisance, _, theta = _with_prediction(loss, value, y, yhat)
                nll = -float(np.sum(fam.logpdf(y, theta)))
                identity = a * mean_loss + b
            if not all(math.isfinite(v) for v in (mean_loss, a, b, nll)):
                raise DataError("the values are too large for double precision here")
        except (DataError, ArithmeticError) as exc:
            row["error"] = str(exc)
            rows.append(row)
            continue
        row.update(loss_value=mean_loss, nuisance_mle=nuisance, a=a, b=b, nll=nll,
                   a_loss_plus_b=identity, identity_holds=_same(nll, identity),
                   bits_per_sample=nll / (y.size * LN2))
        rows.append(row)
    return rows


def _same(u, v, rel=1e-9):
    if not (math.isfinite(u) and math.isfinite(v)):
        return u == v
    return bool(abs(u - v) <= rel * max(1.0, abs(u), abs(v)))


def with_prediction_probs(y, probs, classes):
    """Cross-entropy of labels y under per-row predicted probabilities (one column per
    class, named by the class label): the categorical NLL, nothing dropped."""
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
        raise DataError("the predicted probabilities must be >= 0 and sum to 1 on every row "
                        "(one column per class)")
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted({str(v) for v in y} - set(index))
    if unknown:
        raise DataError(f"labels without a probability column: {', '.join(unknown[:5])}; "
                        f"--prediction-probs must name one column per class, named by its label")
    q = probs[np.arange(y.size), [index[str(v)] for v in y]]
    if np.any(q <= 0):
        raise DataError("a predicted probability of an observed label is 0: the cross-entropy is infinite")
    ce = float(-np.mean(np.log(q)))
    nll = -float(np.sum(np.log(q)))
    return [{"loss": "cross_entropy", "family": "categorical", "loss_value": ce, "nuisance_mle": {},
             "a": y.size, "b": 0.0, "nll": nll, "a_loss_plus_b": y.size * ce,
             "identity_holds": _same(nll, y.size * ce), "bits_per_sample": nll / (y.size * LN2),
             "differential": False}]


# ---------------------------------------------------------------- without predictions
def _minimiser(loss, value, y):
    """The constant prediction minimising the loss, computed here independently of the
    families (numpy's partition, its mean, or a scalar minimiser)."""
    name = loss.name
    if name in ("mse", "gaussian_nll", "bce", "poisson"):
        return float(np.mean(y))
    if name in ("mae", "pinball"):
        tau = 0.5 if name == "mae" else value
        k = tau * y.size
        j = int(math.floor(k))
        if math.isclose(k, j, rel_tol=1e-12, abs_tol=1e-12) and 0 < j < y.size:
            ys = np.partition(y, [j - 1, j])  # the order statistics wanted, not a full sort
            return 0.5 * (float(ys[j - 1]) + float(ys[j]))  # the minimisers form an interval
        i = min(int(math.ceil(k)) - 1, y.size - 1)
        return float(np.partition(y, i)[i])
    if name == "huber":
        import scipy.optimize
        lo, hi = float(y.min()), float(y.max())
        if lo == hi:
            return lo
        # in d = c - lo: Brent's tolerance (tol |d| + 1e-11) is then relative to the
        # data's spread, not to |c| (1e-14 of 1e13 is 0.1)
        res = scipy.optimize.minimize_scalar(lambda d: float(np.sum(huber_loss(y - (lo + d), value))),
                                             bracket=(0.0, hi - lo), method="brent", tol=1e-14)
        return lo + float(res.x)
    raise AssertionError(name)


def shuffled(y, seed):
    """y in the random order that held_out_bits cuts into folds (one gather for every loss;
    folds.py: the split regress --folds takes too)."""
    from .folds import permutation
    return y[permutation(y.size, seed)]


def held_out_bits(y, fam_name, folds, seed, mixed=None):
    """Mean held-out -log2 density (bits per sample): fit on k-1 folds, score the k-th.
    The folds are runs of shuffled(y, seed) (`mixed`, when the caller has it): each
    training set is copied from runs, not gathered value by value from y (the same values
    in the same order)."""
    import mlefit
    mixed = shuffled(y, seed) if mixed is None else mixed
    parts = np.array_split(mixed, folds)  # views, cut where array_split cuts the permutation
    fam = families.get(fam_name)
    total = 0.0
    for i, test in enumerate(parts):
        train = np.concatenate([p for j, p in enumerate(parts) if j != i])
        try:
            r = mlefit.fit(train, fam_name)
        except MlefitError as exc:
            raise DataError(f"training fold {i + 1} of {folds}: {exc}") from None
        theta = tuple(p.estimate for p in r.parameters)
        if fam.spec.support == "labels":
            from .families.categorical import categorical_logpmf
            labels = [p.name[2:-1] for p in r.parameters]
            logp = categorical_logpmf(test, labels, theta)
        else:
            with np.errstate(all="ignore"):
                logp = fam.logpdf(test, theta)
        total -= float(np.sum(logp))
    return total / (y.size * LN2)


def without_prediction(y, names=None, folds=5, seed=0, continuous=False):
    import mlefit
    kind = target_kind(y)
    from .folds import check
    check(folds, y.size)
    rows, mixed = [], shuffled(y, seed)
    for loss, value in chosen_losses(kind, names, continuous):
        fam_name = catalog.family_name(loss, value)
        row = {"loss": loss.label(value), "family": fam_name}
        try:
            fit = mlefit.fit(y, fam_name)
            if loss.name == "cross_entropy":
                labels, counts = np.unique(y.astype(str), return_counts=True)
                freq = dict(zip(labels.tolist(), (counts / y.size).tolist()))
                mle = {p.name[2:-1]: p.estimate for p in fit.parameters}
                gap = max(abs(freq[k] - mle[k]) for k in freq)
                row.update(minimiser=freq, family_mle=mle, equal=gap <= 1e-12)
            else:
                mle = fit.parameters[0].estimate  # the location
                if loss.name == "huber" and _huber_certified(y, value, mle):
                    m, equal = mle, True
                else:
                    m = _minimiser(loss, value, y)
                    equal = _same_minimum(loss, value, y, m, mle)
                row.update(minimiser=m, family_mle=mle, equal=equal)
            row["in_sample_bits"] = fit.bits_per_sample
            with np.errstate(all="ignore"):
                row["held_out_bits"] = held_out_bits(y, fam_name, folds, seed, mixed)
            row["differential"] = not families.get(fam_name).spec.discrete
        except (MlefitError, ArithmeticError) as exc:
            row["error"] = str(exc) if isinstance(exc, MlefitError) else \
                f"the values are too large for double precision here ({type(exc).__name__})"
        rows.append(row)
    return ranked(rows)


def ranked(rows, comparable=lambda row: True):
    """rows in rank order, each row with held-out bits that is `comparable` given its
    "rank": masses before densities, and anything infinite (a held-out value the training
    folds gave probability 0) after everything finite; ties share a rank."""
    order = sorted((r for r in rows if "held_out_bits" in r and comparable(r)), key=_rank_key)
    rank, previous = 0, None
    for i, r in enumerate(order, 1):
        key = _rank_key(r)
        if previous is None or key[:2] != previous[:2] or not _same(key[2], previous[2], 1e-12):
            rank = i
        r["rank"], previous = rank, key
    last = len(rows) + 1  # (list.sort empties the list while it sorts: no len() in the key)
    rows.sort(key=lambda r: r.get("rank", last))
    return rows


def _rank_key(row):
    bits = row["held_out_bits"]
    return (not math.isfinite(bits), row["differential"], bits)


def _near(y, m):
    """How close two minimisers must be: 1e-8 of the data's range (not of |m|), or a few ulp of m."""
    return 1e-8 * float(np.max(y) - np.min(y)) + 4.0 * math.ulp(m)


def _huber_certified(y, delta, c):
    """Whether c minimises the Huber loss sum rho(y - c) to within _near(y, c): the loss is
    convex in c with slope -S(c), S(c) = sum clip(y - c, -delta, delta) non-increasing, so
    a minimiser lies in [c - e, c + e] exactly when S(c - e) >= 0 >= S(c + e) (a flat
    minimum included). One pass over y, no scalar minimiser (scipy's Brent took 26
    passes and 0.4 s to import); where it fails, _minimiser finds the minimum on its own."""
    e = _near(y, c)
    r = y - c
    return bool(np.sum(np.clip(r + e, -delta, delta)) >= 0.0 >= np.sum(np.clip(r - e, -delta, delta)))


def _same_minimum(loss, value, y, m, mle):
    """The family MLE minimises the loss: the same point (to 1e-8 of the data's range,
    not of |m|: at 1e9 that would be 10 units; or to a few ulp of m), or (for Huber, whose
    minimum can be a flat interval when no residual lies within delta) the same minimum
    value."""
    if abs(m - mle) <= _near(y, m):
        return True
    if loss.name == "huber":
        f = (lambda c: float(np.sum(huber_loss(y - c, value))))
        return _same(f(m), f(mle), 1e-12)
    return False


# ---------------------------------------------------------------- soft labels
def soft_labels(p, q=None):
    """Rows of target distributions p (and predicted q): CE = H(p) + KL(p || q) per row, and
    the constant q minimising mean CE and mean KL (both: the mean of p)."""
    import scipy.optimize
    from scipy.special import rel_entr, xlogy

    for name, m in (("target", p), ("prediction", q)):
        if m is None:
            continue
        if np.any(m < 0) or not np.allclose(m.sum(axis=1), 1.0, atol=1e-6):
            raise DataError(f"the {name} probabilities must be >= 0 and sum to 1 on every row")
    entropy = -xlogy(p, p).sum(axis=1)
    summary = {"classes": p.shape[1], "mean_entropy": float(entropy.mean())}
    if q is not None:
        if np.any((q == 0) & (p > 0)):
            raise DataError("a predicted probability is 0 where the target's is not: CE is infinite")
        ce = -xlogy(p, q).sum(axis=1)
        kl = rel_entr(p, q).sum(axis=1)  # computed on its own, so the identity is a real check
        summary.update(mean_cross_entropy=float(ce.mean()), mean_kl=float(kl.mean()),
                       identity_gap=float(np.max(np.abs(ce - (entropy + kl)))))
    best = p.mean(axis=0)
    k = p.shape[1]

    def argmin(objective, gradient):
        res = scipy.optimize.minimize(objective, np.full(k, 1.0 / k), jac=gradient, method="SLSQP",
                                      bounds=[(1e-300, 1.0)] * k,
                                      constraints=[{"type": "eq", "fun": lambda c: c.sum() - 1.0,
                                                    "jac": lambda c: np.ones(k)}],
                                      options={"ftol": 1e-15, "maxiter": 1000})
        return res.x
    gradient = (lambda c: -best / c)  # both objectives have this gradient in q
    q_ce = argmin(lambda c: float(np.mean(-xlogy(p, c[None, :]).sum(axis=1))), gradient)
    q_kl = argmin(lambda c: float(np.mean(rel_entr(p, c[None, :]).sum(axis=1))), gradient)
    summary.update(mean_target=best.tolist(), argmin_cross_entropy=q_ce.tolist(), argmin_kl=q_kl.tolist(),
                   argmins_agree=bool(np.max(np.abs(q_ce - q_kl)) < 1e-6),
                   argmin_is_mean_target=bool(np.max(np.abs(q_ce - best)) < 1e-6))
    return summary
