"""`mlefit fit --logpdf EXPR | --logpmf EXPR --params ... [--support ...]`: a user's own
model (mlefit.own.model) read, fitted and emitted like a built-in family."""
from typing import NamedTuple

import click

from ..errors import UsageError
from .options import Engine, bundle


class OwnModel(NamedTuple):
    """fit's own model: --logpdf or --logpmf, its --params, --support and --normalize."""

    logpdf: str | None = None
    logpmf: str | None = None
    own_params: str | None = None
    own_support: str | None = None
    own_normalize: bool | None = None

    def asked(self):
        return any(getattr(self, k) not in (None, False) for k in NAMES)

    def model(self):
        """The model (a Family record) the options declare."""
        from ..own import model as own_model
        return own_model.model(self.logpdf, self.logpmf, self.own_params, self.own_support,
                               normalize=bool(self.own_normalize))


class LrtModels(NamedTuple):
    """lrt's own models: each side's expression and parameters, --support, --normalize, --boundary."""

    null_logpdf: str | None = None
    null_logpmf: str | None = None
    alt_logpdf: str | None = None
    alt_logpmf: str | None = None
    null_params: str | None = None
    alt_params: str | None = None
    own_support: str | None = None
    own_normalize: bool | None = None
    boundary: bool | None = None

    def asked(self):
        return any(getattr(self, k) not in (None, False) for k in LRT_NAMES)

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
    click.option("--normalize", "own_normalize", is_flag=True, default=None,
                 help="With --logpdf/--logpmf: the expression is known only up to its normalising constant; "
                      "mlefit integrates (sums) it over the support numerically at every parameter value "
                      "(the output says how many integrations that took)."),
]
NAMES = ("logpdf", "logpmf", "own_params", "own_support", "own_normalize")


LRT_OPTIONS = [
    click.option(f"--{side}-{kind}", f"{side}_{kind}", metavar="EXPR",
                 help=f"Instead of --{side} FAMILY: your own model as the {'nested (simpler)' if side == 'null' else 'containing'} "
                      f"one, its {'log-density' if kind == 'logpdf' else 'log-mass'} (see 'mlefit fit --help').")
    for side in ("null", "alt") for kind in ("logpdf", "logpmf")
] + [
    click.option("--null-params", "null_params", metavar="LIST", help="The parameters of --null-logpdf/--null-logpmf."),
    click.option("--alt-params", "alt_params", metavar="LIST", help="The parameters of --alt-logpdf/--alt-logpmf."),
    click.option("--support", "own_support", metavar="TEXT", help="With an own model: where the data may lie."),
    click.option("--normalize", "own_normalize", is_flag=True, default=None,
                 help="With an own model: integrate its normalising constant numerically."),
    click.option("--boundary", is_flag=True, default=None,
                 help="With an own model: the null is the alternative's limit on the edge of its parameter "
                      "space (the statistic is referred to the 50:50 mixture of chi-square(0) and chi-square(1))."),
]
LRT_NAMES = ("null_logpdf", "null_logpmf", "alt_logpdf", "alt_logpmf", "null_params", "alt_params", "own_support",
             "own_normalize", "boundary")


lrt_options = bundle(LrtModels, "own", LRT_OPTIONS)


def lrt_models(null, alt, own):
    """(null, alt) of `mlefit lrt`: family names, or own models (Family records) built from
    --null-logpdf/--alt-logpdf and their --params; None when no own model is given."""
    from ..own import model as own_model

    if not own.asked():
        if null is None or alt is None:
            raise UsageError("lrt needs the two models: --null FAMILY (or --null-logpdf EXPR --null-params LIST) "
                             "and --alt FAMILY (or --alt-logpdf EXPR --alt-params LIST)")
        return None
    out = []
    for side, family in (("null", null), ("alt", alt)):
        pdf, pmf, params = (getattr(own, f"{side}_{k}") for k in ("logpdf", "logpmf", "params"))
        given = [f"--{side}"] * (family is not None) + [f"--{side}-logpdf"] * (pdf is not None) + \
            [f"--{side}-logpmf"] * (pmf is not None)
        if len(given) != 1:
            raise UsageError(f"give the {side} model once: --{side} FAMILY, --{side}-logpdf EXPR or "
                             f"--{side}-logpmf EXPR" + (f" (got {' and '.join(given)})" if given else ""))
        if family is not None:
            if params is not None:
                raise UsageError(f"--{side}-params goes with --{side}-logpdf or --{side}-logpmf, not --{side} FAMILY")
            out.append(family)
        else:
            if params is None:
                raise UsageError(f"--{side}-logpdf/--{side}-logpmf needs --{side}-params LIST (each parameter, its "
                                 f"domain and start)")
            out.append(own_model.model(pdf, pmf, params, own.own_support, normalize=bool(own.own_normalize)))
    if all(isinstance(m, str) for m in out):
        raise UsageError("--support, --normalize and --boundary go with an own model (--null-logpdf, "
                         "--alt-logpdf, ...); two families are tested with --null and --alt alone")
    return tuple(out)


own_options = bundle(OwnModel, "own", OPTIONS)


WHY = {"--trials": "trials belong to binomial families; write them into the expression",
       "--positive": "it picks the label of a bernoulli column; the model reads numbers",
       "--engine dask": "with --normalize every worker would integrate Z for every block at each step; "
                        "use --chunk-size",
       "--families": "it lists families for --dist auto"}


def refuse(own, dist, loss, others):
    """UsageError for options that do not go with an own model; `others` maps each such
    option as typed (a key of WHY) to whether it was given."""
    if own.logpdf is None and own.logpmf is None:
        raise UsageError("--params, --support and --normalize describe your own model: give it with "
                         "--logpdf EXPR or --logpmf EXPR")
    if dist is not None or loss is not None:
        raise UsageError("--logpdf and --logpmf are your own model: not with --dist or --loss")
    for name, value in others.items():
        if value:
            raise UsageError(f"{name} cannot be used with --logpdf/--logpmf: {WHY[name]}; see docs/own-model.md")


def check(settings, censor, by, plot, gof, streaming=Engine()):
    """Refuse the combinations that do not go together (as for a family)."""
    chunk_size, engine, scheduler, timeout = (streaming.chunk_size, streaming.engine, streaming.scheduler,
                                              streaming.connect_timeout)
    if (chunk_size or engine != "local") and censor is not None:
        raise UsageError("--chunk-size and --engine dask do not go with censored or truncated data (they are "
                         "read in memory)")
    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    if timeout is not None and engine != "dask":
        raise UsageError("--connect-timeout goes with --engine dask")
    if plot is not None:
        if settings.get("prior"):
            raise UsageError("--plot works from the MLE: not with --prior (fit without it for the plot)")
        if by is not None:
            raise UsageError("--plot draws one fit: not with --by")
        from ..report.plots import check_path
        check_path(plot)
    if gof:
        if by is not None or censor is not None or settings.get("prior"):
            raise UsageError("--gof tests one fit of uncensored values by maximum likelihood: not with --by, "
                             "censoring options or --prior")


def run(files, own, column, weights, options, strict, settings, output, censor=None, by=None, plot=None,
        gof=None, streaming=Engine()):
    """Read the column (and weights), fit the model, emit the result. censor: the
    censoring options (mlefit.cli.censor), when some were given; by: one fit per value
    of this column; plot: draw the fit to this file; gof: --gof's bootstrap samples (0:
    textbook p-values; None: no --gof), drawn by own_sampling.sampler; streaming: the Engine record (--chunk-size,
    --engine, --scheduler, --connect-timeout): a large file, or one given --chunk-size, is
    fitted chunk by chunk (mlefit.own.chunks), on Dask with --engine dask."""
    from ..own import model as own_model
    from .by import fit_by
    from .fit_output import draw, emit_fit, fit_gof
    from ..io.column import read_column

    check(settings, censor, by, plot, gof is not None, streaming)
    fam = own.model()
    if by is not None:
        return fit_by(files, fam, None, column, weights, by, False, options, strict, output, settings, censor,
                       fitter=own_model.fit)
    if censor is None:
        from ..io import plan as read_plan
        from ..report.progress import _progress
        needs = read_plan.in_memory_options(by, weights, False, gof is not None, plot, settings["interval"],
                                             settings["robust"], settings["derive"], settings.get("prior"))
        chunk_size, engine, scheduler, timeout = (streaming.chunk_size, streaming.engine, streaming.scheduler,
                                                  streaming.connect_timeout)
        how = read_plan.plan(files, fam, chunk_size, engine, needs, options.encoding)
        if how != "memory":
            result = read_plan.run(how, files, fam, None, column, options, strict, settings, chunk_size,
                                    (scheduler, timeout), _progress)
            return emit_fit(result.to_dict(), output)
    if censor is not None:
        from . import censor as cli_censor
        cens, frame = cli_censor.read(files, column, weights, censor, options, strict)
        result = own_model.fit(cens, fam, **settings)
    else:
        if weights is None:
            col = read_column(files, column=column, labels=False, strict=strict, options=options)
        else:
            from .columns import weighted_column
            col = weighted_column(files, column, weights, False, options, strict)
        result = own_model.fit(col, fam, **settings)
    if plot is not None:
        draw(result, plot, censor is not None, f" ({PLOT_NOTE[fam.spec.discrete]})")
    d = result.to_dict()
    if gof is not None:
        d["gof"] = fit_gof(result, col, gof, settings["seed"], settings, fam=result.fitted.family)
        if gof:
            d["gof"]["notes"].append(f"bootstrap samples drawn by {own_model.sampling(fam)}")
    emit_fit(d, output)


PLOT_NOTE = {False: "the fitted distribution function and quantiles by numerical integration of the density",
             True: "the fitted distribution function and quantiles by sums of the mass"}


def regress_mean(file, response, dist, mean, params, weights, trials, given, options, as_json, settings):
    """`mlefit regress --mean EXPR --params LIST -d FAMILY`: read the response, the
    covariates the expression names (and weights, trials), fit, print as a fit."""
    import json

    import numpy as np

    from ..regression import mean_model
    from ..io.frame import read_frame

    if mean is None or params is None:
        raise UsageError("--mean EXPR and --params LIST go together (nonlinear regression)")
    if response is None:
        raise UsageError("--mean needs the response column: -y NAME")
    others = [name for name, value in given.items() if value]
    if others:
        raise UsageError(f"{', '.join(others)} cannot be used with --mean (the expression is the whole model)")
    number = None
    if trials is not None:
        try:
            number = float(trials)
        except ValueError:
            number = None
    fam, covs = mean_model.model(dist, mean, params, response, trials=trials is not None)
    names = [response] + covs + ([trials] if trials is not None and number is None else []) + \
        ([weights] if weights is not None else [])
    frame = read_frame([file], names, options=options, auto_labels=False, option="-y", command="regress")
    cols = [frame.columns[n] for n in frame.names]
    rows = [cols[0]] + cols[1:1 + len(covs)]
    if trials is not None:
        rows.append(np.full(frame.n, number) if number is not None else cols[1 + len(covs)])
    record = frame.but(values=np.column_stack(rows), weights=cols[-1] if weights is not None else None,
                       weights_name=weights)
    from ..report.progress import _nothing, _progress
    samples = (settings.get("bootstrap") or 999) if settings.get("interval") in ("bootstrap", "all") else 0
    with _progress("bootstrap intervals", samples) if samples else _nothing() as bar:
        result = mean_model.fit(record, fam, **settings, **({"on_step": bar.step} if bar else {}))
    d = result.to_dict()
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        from ..report.tables import print_fit
        print_fit(d)
