"""`mlefit fit --logpdf EXPR | --logpmf EXPR --params ... [--support ...]`: a user's own
model (mlefit.own_model) read, fitted and emitted like a built-in family."""
import click

from .errors import UsageError

OPTIONS = [
    click.option("--logpdf", metavar="EXPR",
                 help="Your own model: the log-density of one value, an expression in x and the parameters "
                      "of --params, e.g. 'log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k' (see docs/own-model.md)."),
    click.option("--logpmf", metavar="EXPR",
                 help="Your own model for whole numbers: the log of the mass, e.g. "
                      "'x*log(m) - m - lgamma(x+1) - log(1 - exp(-m))'."),
    click.option("--params", "own_params", metavar="LIST",
                 help="With --logpdf/--logpmf: each parameter, its domain and start: 'k>0=1' (positive), "
                      "'p:(0,1)=0.5' (a probability), 'mu=0' (any real), comma-separated."),
    click.option("--support", "own_support", metavar="TEXT",
                 help="With --logpdf/--logpmf: where the data may lie, e.g. 'x>0' or 'x>=1, integer' "
                      "(default: any real x for --logpdf, 'x>=0, integer' for --logpmf)."),
]
NAMES = ("logpdf", "logpmf", "own_params", "own_support")


def own_options(command):
    for option in reversed(OPTIONS):
        command = option(command)
    return command


def asked(own):
    return any(own.get(k) is not None for k in NAMES)


def refuse(own, dist, loss, others):
    """UsageError for options that do not go with an own model; `others` maps each such
    option as typed to whether it was given."""
    if own["logpdf"] is None and own["logpmf"] is None:
        raise UsageError("--params and --support describe your own model: give it with --logpdf EXPR "
                         "or --logpmf EXPR")
    if dist is not None or loss is not None:
        raise UsageError("--logpdf and --logpmf are your own model: not with --dist or --loss")
    given = [name for name, value in others.items() if value]
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with --logpdf/--logpmf yet (they need a "
                         f"distribution function, a sampler or a streamed fit); see docs/own-model.md")


def run(files, own, column, weights, options, strict, settings, emit):
    """Read the column (and weights), fit the model, emit the result dict."""
    from . import own_model
    from .data import read_column

    fam = own_model.model(own["logpdf"], own["logpmf"], own["own_params"], own["own_support"])
    w = None
    if weights is None:
        col = read_column(files, column=column, labels=False, strict=strict, options=options)
    else:
        from .cli import _weighted_column
        col, w = _weighted_column(files, column, weights, False, options, strict)
    result = own_model.fit(col, fam, weights=w, **settings)
    if w is not None:
        from dataclasses import replace
        result = replace(result, weights=weights)
    emit(result.to_dict())
