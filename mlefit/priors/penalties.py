"""Penalties as the priors they are. Pure data (no numpy), like losses.py: `mlefit
compare-losses` lists them after the losses they are added to.

A penalty P(b) added to a mean loss over n rows is, times n, minus the log of a prior on
the coefficients up to a constant: n (mean NLL + P(b)) = NLL - log prior(b) + c, so
minimising the penalised loss is MAP estimation. The scaling is glmnet's (the penalty
beside the *mean* NLL), the one `regress --penalty` takes."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Penalty:
    """A penalty and the prior it equals."""

    name: str
    aliases: tuple
    formula: str  # what is added to the mean loss
    prior: str  # the prior it equals, on each coefficient but the intercept
    prior_family: str
    identity: str  # n (mean NLL + penalty) = NLL - log prior + constant
    dropped: str
    mlefit: str  # the same fit in mlefit
    conversions: str  # other tools' knobs in terms of lambda
    caveat: str

    def to_dict(self):
        return {"penalty": self.name, "formula": self.formula, "prior": self.prior,
                "prior_family": self.prior_family, "identity": self.identity, "dropped": self.dropped,
                "mlefit": self.mlefit, "conversions": self.conversions, "caveat": self.caveat,
                "aliases": list(self.aliases)}


_ON_THE_NLL = ("these hold where the loss is the mean NLL itself (bce, cross_entropy, poisson); "
               "mse is 2 sigma^2 times the mean normal NLL (constants dropped), so on mse divide "
               "lambda by 2 sigma^2 first: the prior then depends on the noise sigma")

PENALTIES = (
    Penalty("l2", ("ridge", "weight_decay", "L2 regularization", "Tikhonov", "kernel_regularizer=l2"),
            "lambda/2 sum b_j^2", "normal(0, 1/sqrt(n lambda)) on each coefficient", "normal",
            "n (mean NLL + penalty) = NLL - sum log normal(b_j; 0, s) - (p/2) log(2 pi s^2), "
            "s = 1/sqrt(n lambda)",
            "(p/2) log(2 pi s^2), the prior's normalising constant over p coefficients",
            "regress --penalty l2:LAMBDA, or --prior \"coef ~ normal(0, S)\"",
            "glmnet lambda (alpha = 0): lambda; scikit-learn LogisticRegression(C): 1/(n C); "
            "PoissonRegressor(alpha): alpha; PyTorch SGD or Adam weight_decay wd: wd; Keras l2(l): 2 l",
            "AdamW's decoupled weight decay is not this penalty (it shrinks outside the adaptive step); "
            "PyTorch decays the bias too unless it is left out of the group, mlefit leaves the "
            "intercept flat; " + _ON_THE_NLL),
    Penalty("l1", ("lasso", "L1 regularization", "kernel_regularizer=l1"),
            "lambda sum |b_j|", "laplace(0, 1/(n lambda)) on each coefficient", "laplace",
            "n (mean NLL + penalty) = NLL - sum log laplace(b_j; 0, s) - p log(2 s), s = 1/(n lambda)",
            "p log(2 s), the prior's normalising constant over p coefficients",
            "regress --penalty l1:LAMBDA, or --prior \"coef ~ laplace(0, S)\"",
            "glmnet lambda (alpha = 1): lambda; scikit-learn Lasso(alpha) on -d normal --fix sigma=1: "
            "alpha; LogisticRegression(C, penalty='l1'): 1/(n C); Keras l1(l): l",
            "the MAP may sit exactly on the prior's kink at 0 (lasso's zeros); the posterior mean is "
            "never exactly 0; " + _ON_THE_NLL),
    Penalty("elasticnet", ("elastic_net", "ElasticNet", "l1_l2"),
            "lambda ((1 - alpha)/2 sum b_j^2 + alpha sum |b_j|)",
            "normal(0, 1/sqrt(n lambda (1 - alpha))) times laplace(0, 1/(n lambda alpha)) on each "
            "coefficient", "normal x laplace",
            "n (mean NLL + penalty) = NLL - sum log [normal(b_j; 0, s) laplace(b_j; 0, c)] + constant, "
            "s = 1/sqrt(n lambda (1 - alpha)), c = 1/(n lambda alpha)",
            "the constants of both densities (their product, renormalised, is the prior)",
            "regress --penalty elasticnet:LAMBDA:ALPHA",
            "glmnet (lambda, alpha): the same; scikit-learn ElasticNet(alpha=a, l1_ratio=r) on "
            "-d normal --fix sigma=1: lambda = a, alpha = r",
            _ON_THE_NLL),
    Penalty("firth", ("jeffreys", "logistf", "firthmodels", "bias_reduction"),
            "-(1/2) log det I(b) / n, I(b) = X' W X the Fisher information",
            "Jeffreys' prior |I(b)|^(1/2) on all coefficients jointly", "jeffreys",
            "n (mean NLL + penalty) = NLL - log |I(b)|^(1/2): the penalised likelihood of Firth (1993)",
            "the normalising constant (the prior is improper)",
            "regress -d bernoulli --prior jeffreys",
            "R logistf and Python firthmodels: the same estimate, with no knob",
            "not a penalty on the size of b: it depends on the rows' X and pulls the fitted "
            "probabilities towards 1/2; its estimate is finite under separation"),
)
