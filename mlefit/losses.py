"""Loss functions as the negative log-likelihoods they are. Pure data (no numpy), so
`mlefit compare-losses` without data starts instantly; the numbers are in compare.py.

A loss L(y, yhat) averaged over n rows is, up to an affine map, the NLL of a family:
NLL = a * (n * loss) + b, where b holds the constants the loss drops and a the scale
it fixes. The tables below say which family, and what a and b are."""
import re
from dataclasses import dataclass

from .errors import UsageError


def shortest(value):
    """The shortest text that reads back as this float ('0.9', '1', '0.1234567')."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Loss:
    """A loss and the family whose negative log-likelihood it is."""

    name: str
    aliases: tuple
    formula: str
    family: str  # the family fitted by `fit --loss` ('{}' takes tau or delta)
    target: str  # what y must be: real, binary, labels, counts
    identity: str  # NLL = a * sum of losses + b
    dropped: str
    nuisance: str  # the parameter the loss hides, and its MLE
    minimiser: str  # the constant prediction that minimises the loss
    caveat: str
    shape: str | None = None
    default: float | None = None

    def label(self, value=None):
        return f"{self.name}:{shortest(value)}" if self.shape else self.name


LOSSES = (
    Loss("mse", ("l2", "squared_error", "mean_squared_error", "MSELoss", "MeanSquaredError",
                 "squared_loss", "l2_loss"),
         "mean (y - yhat)^2", "normal", "real",
         "NLL = n MSE / (2 sigma^2) + (n/2) log(2 pi sigma^2)",
         "(n/2) log(2 pi sigma^2) and the factor 1/(2 sigma^2)", "sigma^2 = MSE", "the mean",
         "PyTorch averages over every element and Keras over the last axis, then the batch: "
         "with one output per row, both are the mean over rows"),
    Loss("mae", ("l1", "absolute_error", "mean_absolute_error", "L1Loss", "MeanAbsoluteError",
                 "absolute_loss", "l1_loss"),
         "mean |y - yhat|", "laplace", "real",
         "NLL = n MAE / b + n log(2 b)", "n log(2 b) and the factor 1/b", "b = MAE", "the median",
         "the Laplace scale b is the mean absolute deviation, not the standard deviation"),
    Loss("huber", ("HuberLoss", "huber_loss"),
         "mean rho(y - yhat): u^2/2 for |u| <= delta, delta (|u| - delta/2) beyond", "huber:{}", "real",
         "NLL = n Huber + n log Z(delta)", "n log Z(delta), Z = sqrt(2 pi)(2 Phi(delta) - 1) + 2 exp(-delta^2/2)/delta",
         "none: the scale is fixed at 1 in the units of y (the core is N(0, 1)); delta is only the switch point", "the Huber M-estimate",
         "PyTorch SmoothL1Loss(beta) = HuberLoss(delta=beta) / beta (the same as huber:1 only at "
         "beta = 1); scikit-learn's HuberRegressor also fits a scale; with a fixed scale the "
         "NLL depends on the unit of y", shape="delta", default=1.0),
    Loss("pinball", ("quantile", "pinball_loss", "mean_pinball_loss", "quantile_loss", "check"),
         "mean rho(y - yhat), rho(u) = u (tau - [u < 0])", "asymmetric_laplace:{}", "real",
         "NLL = n pinball / sigma + n log(sigma / (tau (1 - tau)))", "n log(sigma / (tau (1-tau))) and the factor 1/sigma",
         "sigma = mean pinball loss", "the tau-quantile",
         "scikit-learn mean_pinball_loss(alpha=tau); at tau = 0.5 it is MAE / 2",
         shape="tau", default=0.5),
    Loss("bce", ("binary_cross_entropy", "log_loss", "logloss", "BCELoss", "BCEWithLogitsLoss",
                 "binary_crossentropy", "BinaryCrossentropy", "logistic"),
         "-mean [y log p + (1 - y) log(1 - p)]", "bernoulli", "binary",
         "NLL = n BCE", "nothing", "none", "the mean of y",
         "BCELoss takes probabilities, BCEWithLogitsLoss logits (p = sigmoid(logit), the stable "
         "form); scikit-learn log_loss clips p away from 0 and 1"),
    Loss("cross_entropy", ("ce", "categorical_cross_entropy", "categorical_crossentropy",
                           "sparse_categorical_crossentropy", "CrossEntropyLoss", "nll", "NLLLoss",
                           "CategoricalCrossentropy", "KLDivLoss", "kl_div", "KLDivergence"),
         "-mean log q[y]", "categorical", "labels",
         "NLL = n CE; with soft labels p: CE = H(p) + KL(p || q)", "nothing (H(p) for soft labels)",
         "none", "the label frequencies",
         "CrossEntropyLoss takes logits, NLLLoss log-probabilities; KLDivLoss with "
         "reduction='mean' divides by every element, not by rows: only 'batchmean' is the KL divergence"),
    Loss("poisson", ("poisson_nll", "PoissonNLLLoss", "poisson_loss", "Poisson"),
         "mean (yhat - y log yhat)", "poisson", "counts",
         "NLL = n loss + sum log y!", "sum log y!", "none", "the mean",
         "PyTorch PoissonNLLLoss takes log-rates by default (log_input=True; with False it uses "
         "log(rate + 1e-8)); full=False (the default) drops log y!, and full=True adds only "
         "Stirling's approximation y log y - y + log(2 pi y)/2, for y > 1"),
    Loss("gaussian_nll", ("GaussianNLLLoss", "gaussian_nll_loss", "heteroscedastic"),
         "mean (log sigma^2 + (y - yhat)^2 / sigma^2) / 2", "normal", "real",
         "NLL = n loss + (n/2) log(2 pi)", "(n/2) log(2 pi)", "sigma^2 = MSE (one constant variance)",
         "the mean", "PyTorch GaussianNLLLoss with full=False (the default) drops (1/2) log(2 pi) "
         "and clamps the variance at eps"),
)

NOT_LIKELIHOODS = {
    "hinge": "the hinge loss max(0, 1 - y f) is not a negative log-likelihood: exp(-loss) summed "
             "over y = -1 and +1 changes with the score f, so no distribution of y has it as its "
             "NLL; use bce (log_loss) for a likelihood of a binary target",
}
for _alias in ("squared_hinge", "HingeLoss", "hinge_loss", "MultiMarginLoss", "HingeEmbeddingLoss"):
    NOT_LIKELIHOODS[_alias] = NOT_LIKELIHOODS["hinge"]


def _key(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


_BY_KEY = {_key(a): loss for loss in LOSSES for a in (loss.name, *loss.aliases)}
_BAD = {_key(a): why for a, why in NOT_LIKELIHOODS.items()}


def resolve(text):
    """(Loss, shape value or None) for a name like 'MSELoss', 'mean_absolute_error',
    'pinball:0.9' or 'huber:1.5' (case, '_' and '-' do not matter)."""
    name, _, value = text.partition(":")
    key = _key(name)
    if key in _BAD:
        raise UsageError(_BAD[key])
    if key in ("smoothl1", "smoothl1loss"):
        if value and float(value) != 1.0:
            raise UsageError("SmoothL1Loss(beta) = HuberLoss(beta)/beta is the NLL of a Huber density "
                             "with threshold sqrt(beta) on scale sqrt(beta), not huber:beta; use it "
                             "with beta = 1 (= huber:1), or standardise y and use huber:DELTA")
        return _BY_KEY["huber"], 1.0
    loss = _BY_KEY.get(key)
    if loss is None:
        import difflib
        near = difflib.get_close_matches(key, list(_BY_KEY), n=1, cutoff=0.6)
        hint = f"did you mean '{_BY_KEY[near[0]].name}'? " if near else ""
        raise UsageError(f"unknown loss '{text}'; {hint}known losses: "
                         f"{', '.join(lo.label(lo.default) if lo.shape else lo.name for lo in LOSSES)}")
    if not loss.shape:
        if value:
            raise UsageError(f"the {loss.name} loss takes no ':' value (got '{text}')")
        return loss, None
    if not value:
        return loss, loss.default
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"the {loss.name} loss takes a number after ':' (got '{text}')") from None
    if loss.shape == "tau" and not 0 < number < 1:
        raise UsageError(f"the pinball quantile tau must be strictly between 0 and 1 (got '{text}')")
    if loss.shape == "delta" and not 0 < number < float("inf"):
        raise UsageError(f"the Huber delta must be positive and finite (got '{text}')")
    return loss, number


def family_name(loss, value):
    return loss.family.format(shortest(value)) if loss.shape else loss.family


def reference():
    """The reference table: every loss, its family and the identity between them, and every
    penalty with the prior it is."""
    from .report.comparison import Comparison
    rows = tuple({"loss": lo.label(lo.default) if lo.shape else lo.name, "formula": lo.formula,
                  "family": family_name(lo, lo.default), "target": lo.target,
                  "identity": lo.identity, "dropped": lo.dropped, "nuisance_mle": lo.nuisance,
                  "minimiser": lo.minimiser, "caveat": lo.caveat, "aliases": list(lo.aliases)}
                 for lo in LOSSES)
    from .priors.penalties import PENALTIES
    return Comparison("reference", 0, rows, notes=(f"hinge: {NOT_LIKELIHOODS['hinge']}",),
                      penalties=tuple(p.to_dict() for p in PENALTIES))
