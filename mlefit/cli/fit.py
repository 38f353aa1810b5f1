"""`mlefit fit`: one family (or loss, or own model) fitted to one column: parse the
options, call the library, emit. No maths here."""
from typing import NamedTuple

import click

from . import censor as cli_censor, own as cli_own
from .censor import censoring_options
from .columns import trials_column, trials_number, weighted_column, whole_trials
from .edge import debug_option, json_option, remember
from .once import OnceCommand
from .fit_output import draw, emit_fit, fit_gof
from .group import cli
from . import options
from .options import derive_specs, gather, input_options, prior_option, selection_options
from .own import own_options
from ..io.plan import CHUNK_HELP, ENGINE_HELP
from ..report.progress import _nothing, _progress


EXAMPLES = """

\b
Examples:
  mlefit fit sample_data/horsekicks.csv --dist poisson
  mlefit fit data.csv --dist gamma --column serving --confidence 0.99
  cat data.csv | mlefit fit - --dist normal --json | jq .parameters

Intervals for positive parameters are built on the log scale and for probabilities
on the logit scale, then mapped back, so they never leave the parameter space.
Lines in messages count the header as line 1. Exit codes: 0 success, 1 data or fit
problem (including non-convergence), 2 usage error."""


class FitCommand(OnceCommand):
    """fit's command, whose epilog lists the families (catalog.help_text) and EXAMPLES: made
    when its help is shown, not when the module loads (`mlefit --help` imports this module
    for fit's summary line alone, and the catalog need not be read for it)."""

    def format_epilog(self, ctx, formatter):
        from ..families.catalog import help_text
        self.epilog = "\n".join(["\b", "Families (parameters; support; estimator):"]
                                + [f"  {line}" for line in help_text()]) + EXAMPLES
        super().format_epilog(ctx, formatter)


class Model(NamedTuple):
    """What is fitted: a family by name (--dist; auto: every family, ranked) or a loss."""

    dist: str | None
    loss: str | None


class Intervals(NamedTuple):
    """fit's intervals: the kind, how --interval bootstrap resamples, sandwich errors
    (--robust) and the derived quantities (--derive, as typed)."""

    interval: str
    resample: str
    robust: bool
    derive: tuple


class Output(NamedTuple):
    """What fit prints and writes: --json or --format, the picture (--plot) and the
    goodness-of-fit block (--gof)."""

    as_json: bool
    output: str | None
    plot: str | None
    gof: bool

    def format(self):
        """table, json or ndjson (UsageError for --json with another --format)."""
        from ..errors import UsageError
        if self.as_json and self.output not in (None, "json"):
            raise UsageError(f"--json and --format {self.output} ask for two outputs; give one of them")
        return self.output or ("json" if self.as_json else "table")


@cli.command(cls=FitCommand)
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--dist", "-d", "dist", metavar="NAME",
              help="Distribution family (see the list below; aliases like gaussian, nbinom work), "
                   "or auto: fit every family that admits the data and rank them (like "
                   "'mlefit select').")
@click.option("--loss", "-l", "loss", metavar="NAME",
              help="Instead of --dist: a loss (mse, mae, huber:DELTA, pinball:TAU, bce, "
                   "cross_entropy, poisson, gaussian_nll, or the PyTorch/Keras/scikit-learn "
                   "names); fits the family the loss is the NLL of, and says which.")
@click.option("--column", "-c", metavar="NAME",
              help="Column to fit. Default: the only column, or the only numeric one.")
@click.option("--confidence", default=0.95, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Confidence level of the intervals, in (0, 1).")
@click.option("--information", type=click.Choice(["observed", "expected"]), default="observed",
              show_default=True, help="Fisher information used for standard errors.")
@click.option("--max-iter", default=200, show_default=True, type=click.IntRange(min=1),
              help="Iteration limit for the families fitted by Newton's method.")
@click.option("--weights", "-w", metavar="COLUMN",
              help="Frequency weights: a row of weight k counts as k identical rows (fractional "
                   "weights scale a row's log-likelihood); rows of weight 0 are left out.")
@click.option("--trials", "trials", metavar="N|COLUMN",
              help="Number of trials of the binomial and beta_binomial families: a number for "
                   "every row, or a column with one per row (rows of 0 trials are left out).")
@click.option("--fix", "fix", metavar="NAME=VALUE", multiple=True,
              help="Hold a parameter at a value (repeatable); the others are estimated given it.")
@prior_option("'PARAM ~ DIST(ARGS)'", "A prior on a parameter (repeatable, one per parameter), e.g. 'p ~ beta(2, 2)', or jeffreys (the family's Jeffreys prior)")
@click.option("--positive", metavar="LABEL",
              help="bernoulli on a column of two text labels (yes/no): the label that counts as 1. "
                   "Default: the second in sorted order (yes, TRUE, won); a note says which.")
@click.option("--by", "by", metavar="COLUMN",
              help="One fit per value of this column (one table row, or one JSON object, per group).")
@click.option("--gof", is_flag=True,
              help="Goodness of fit: KS, Cramer-von Mises and Anderson-Darling (chi-square and KS "
                   "for discrete families) with parametric-bootstrap p-values.")
@selection_options
@click.option("--interval", "interval", type=click.Choice(["wald", "profile", "bootstrap", "all"]),
              default="wald", show_default=True,
              help="Interval kind: Wald (on the log/logit scale where bounded), profile likelihood, "
                   "bootstrap percentile (--bootstrap N, --resample, --seed), or all of them side by "
                   "side, each parameter flagged where Wald and profile differ by over 10% of the width.")
@click.option("--resample", type=click.Choice(["parametric", "nonparametric"]), default="parametric",
              show_default=True, help="How --interval bootstrap draws its samples: from the fitted "
                                      "family, or the rows with replacement.")
@click.option("--robust", is_flag=True,
              help="Also sandwich (Godambe) standard errors, robust to a wrong family, and TIC beside AIC.")
@click.option("--derive", "derive", metavar="SPEC", multiple=True,
              help="A quantity derived from the parameters, with its interval (repeatable or "
                   "comma-separated): mean, median, var, sd, quantile:P, sf:X (P(X > x)), cdf:X, or "
                   "an expression in the parameter names with + - * / ^, log, exp, sqrt. The "
                   "delta-method interval is on the log scale for a quantity positive for every "
                   "parameter value (shape/rate), the logit scale for one always in (0, 1).")
@click.option("--plot", "plot", metavar="FILE",
              help="Draw the data with the fitted density or mass, a Q-Q and a P-P plot to FILE "
                   "(.png, .svg or .pdf); censored rows: the fitted survival over Kaplan-Meier or "
                   "Turnbull's estimate, with Q-Q and P-P plots against it.")
@json_option()
@click.option("--format", "output", type=click.Choice(["table", "json", "ndjson"]), default=None,
              callback=remember,
              help="Output format; ndjson prints one compact JSON line per fit (per group with --by).")
@input_options
@click.option("--chunk-size", "chunk_size", type=click.IntRange(min=0), default=None, metavar="ROWS",
              help=CHUNK_HELP)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help=ENGINE_HELP)
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the Dask scheduler, tcp://HOST:PORT (default "
                   "$DASK_SCHEDULER_ADDRESS, else a local cluster).")
@click.option("--connect-timeout", "connect_timeout", type=click.FloatRange(min=0, min_open=True),
              default=None, metavar="SECONDS",
              help="With --engine dask: how long to wait for the scheduler to answer (default 10).")
@censoring_options
@own_options
@debug_option
@gather(Model, "model")
@options.columns
@options.estimation
@gather(Intervals, "intervals")
@gather(Output, "output")
@options.engine
def fit(files, model, columns, estimation, intervals, selection, output, engine, reading, censoring, own, debug):
    """Fit a distribution to one column of FILE.

    FILE is a CSV or TSV file (compressed with gzip, bz2, xz or zstd, or not), a Parquet
    or Feather file, or - for standard input. Several files or a glob are read as one
    data set.
    """
    from ..io.column import read_column
    from ..errors import UsageError
    from ..estimate import fit as fit_column
    from ..limits import check_bootstrap

    dist, loss = model.dist, model.loss
    column, weights, trials, positive, by = columns.column, columns.weights, columns.trials, columns.positive, columns.by
    interval, bootstrap, seed = intervals.interval, selection.bootstrap, selection.seed
    read, strict, prior, plot = reading.read_options, reading.strict, estimation.prior, output.plot
    if (dist is None) == (loss is None) and not own.asked():
        raise UsageError("give either --dist NAME or --loss NAME (see 'mlefit fit --help')")
    emit = output.format()
    check_bootstrap(bootstrap)
    derive = derive_specs(intervals.derive)
    boot_intervals = interval in ("bootstrap", "all")
    if own.asked():
        cli_own.refuse(own, dist, loss, {"--trials": trials, "--positive": positive,
                                         "--families": selection.families_list,
                                         "--engine dask": engine.engine != "local" and own.own_normalize})
        if bootstrap == 0 and boot_intervals:
            raise UsageError("--interval bootstrap needs --bootstrap N of 1 or more (999 by default)")
        censored = censoring.asked()
        gof = (199 if bootstrap is None else bootstrap) if output.gof or (
            bootstrap is not None and not boot_intervals) else None  # its samples
        settings = _settings(estimation, intervals, derive, seed, bootstrap if boot_intervals else None,
                             cli_censor.resample_kind(intervals.resample) if censored else intervals.resample)
        return cli_own.run(files, own, column, weights, read(), strict, settings, emit,
                           censoring if censored else None, by, plot, gof, engine)
    if dist is not None and dist.strip().lower() == "auto":
        if by is not None or estimation.fix or interval != "wald" or intervals.robust or derive or plot or prior:
            raise UsageError("--dist auto compares families on the whole column: --by, --fix, --prior, "
                             "--interval, --robust, --derive and --plot do not apply (fit the chosen family "
                             "with them afterwards)")
        from .ranking import rank_families
        return rank_families(files, columns, selection, estimation, emit, reading, censoring)
    if selection.families_list is not None or selection.criterion is not None or selection.continuous:
        raise UsageError("--families, --continuous and --criterion go with --dist auto (or 'mlefit select')")
    fam = _family(dist, loss, trials)
    if loss is not None and trials is not None:
        raise UsageError("--trials goes with --dist binomial or --dist beta_binomial, not with --loss")
    per_row = trials is not None and trials_number(trials) is None
    options = read()
    labels = fam.spec.support == "labels"
    gof = output.gof or (bootstrap is not None and not boot_intervals)  # --bootstrap N alone: for --gof
    if gof and (by is not None or labels):
        raise UsageError("--gof takes one numeric column: not with --by or the categorical family")
    if boot_intervals and bootstrap == 0:
        raise UsageError("--interval bootstrap needs --bootstrap N of 1 or more (999 by default)")
    if plot is not None:
        if by is not None:
            raise UsageError("--plot draws one fit: not with --by")
        from ..report.plots import check_path
        check_path(plot)
    settings = _settings(estimation, intervals, derive, seed, bootstrap if boot_intervals else None,
                         intervals.resample)
    if prior and (gof or plot is not None):
        raise UsageError("--gof and --plot work from the MLE: not with --prior (fit without it for them)")
    if per_row and (by is not None or gof):
        raise UsageError("--trials COLUMN does not go with --by or --gof: give one number of trials (--trials N)")
    binary = fam.spec.support == "binary"
    if positive is not None and not binary:
        raise UsageError("--positive names the label that counts as 1 of --dist bernoulli on two text labels")
    if censoring.asked():
        cli_censor.refuse_others(dict(by=by, gof=gof, trials=trials, engine=engine.engine))
        censored_settings = dict(settings, resample=cli_censor.resample_kind(intervals.resample))
        if by is not None:
            from .by import fit_by
            return fit_by(files, fam, loss, column, weights, by, labels, options, strict, emit, censored_settings,
                          censoring)
        from ..io import plan as read_plan
        from ..censored import stream as stream_censored
        needs = read_plan.in_memory_options(by, weights, per_row, gof, plot, interval, intervals.robust, derive,
                                             prior)
        if stream_censored.plan(files, fam, column, censoring.as_dict(), engine.chunk_size, needs, estimation.fix,
                                options.encoding) == "chunks":
            result = _stream_censored(files[0], fam, column, censoring, options, strict, settings, engine.chunk_size)
            if result is not None:
                return emit_fit(result.to_dict(), emit)
        return _fit_censored(files, fam, loss, column, weights, censoring, options, strict, emit, censored_settings,
                             boot_intervals, plot)
    from ..io import plan as read_plan
    needs = read_plan.in_memory_options(by, weights, per_row, gof, plot, interval, intervals.robust, derive, prior,
                                         positive)
    how = read_plan.plan(files, fam, engine.chunk_size, engine.engine, needs, options.encoding)
    if engine.scheduler is not None and how != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    if engine.connect_timeout is not None and how != "dask":
        raise UsageError("--connect-timeout goes with --engine dask")
    if by is not None:
        from .by import fit_by
        return fit_by(files, fam, loss, column, weights, by, labels, options, strict, emit, settings,
                      positive=positive)
    if how != "memory":
        result = read_plan.run(how, files, fam, loss, column, options, strict, settings, engine.chunk_size,
                                (engine.scheduler, engine.connect_timeout), _progress)
        return emit_fit(result.to_dict(), emit)
    if per_row:
        col = trials_column(files, column, weights, trials, options, strict)
    else:
        from ..io.column import BINARY
        kind = BINARY if binary else labels  # bernoulli: numbers, or two text labels
        if weights is None:
            col = read_column(files, column=column, labels=kind, strict=strict, options=options)
        else:
            col = weighted_column(files, column, weights, kind, options, strict)
    samples = (bootstrap or 999) if boot_intervals else 0
    stage = ("bootstrap intervals" if samples else "profile-likelihood intervals" if interval == "profile"
             else None if loss or per_row or fam.spec.closed_form else f"fitting {fam.spec.name}")
    with _progress(stage, samples) if stage else _nothing() as bar:  # shown past progress.AFTER seconds
        result = fit_column(col, None if loss else (dist if per_row else fam), loss=loss, **settings,
                            on_step=bar and bar.step, **({"positive": positive} if positive is not None else {}))
    d = result.to_dict()
    if gof:
        d["gof"] = fit_gof(result, col, 199 if bootstrap is None else bootstrap, seed, settings)
    if plot is not None:
        draw(result, plot, False)
    emit_fit(d, emit)


def _settings(estimation, intervals, derive, seed, bootstrap, resample):
    """The library fit's keyword arguments from the option records (a prior only when given)."""
    return dict(confidence=estimation.confidence, information=estimation.information, max_iter=estimation.max_iter,
                fix=estimation.fixes(), interval=intervals.interval, robust=intervals.robust, derive=derive,
                resample=resample, seed=seed, bootstrap=bootstrap,
                **({"prior": estimation.prior} if estimation.prior else {}))


def _family(dist, loss, trials):
    """The family fitted: the one a loss is the NLL of, the one --dist names, or (--trials)
    the trials family it names, with a number of trials given for every row."""
    from .. import families
    if loss is not None:
        from .. import losses
        spec, value = losses.resolve(loss)
        return families.get(losses.family_name(spec, value))
    if trials is None:
        return families.get(dist)
    from ..trials import trials_family  # a trials family named without them: --trials N names it binomial:N
    fam = trials_family(dist)
    if trials_number(trials) is not None:
        fam = families.build(fam.spec.base, whole_trials(trials))
    return fam


def _fit_censored(files, fam, loss, column, weights, censor, options, strict, output, settings, boot, plot):
    """fit with censoring or truncation options: the rows read as a Record with their bounds (mlefit.censored.rows)."""
    from ..estimate import fit as fit_column
    cens, frame = cli_censor.read(files, column, weights, censor, options, strict)
    if plot is not None:
        from ..report.plots_censored import check_rows
        check_rows(cens)  # before the fit: a refused picture costs nothing
    samples = (settings["bootstrap"] or 999) if boot else 0
    with _progress("bootstrap intervals", samples) if samples else _nothing() as bar:
        result = fit_column(cens, None if loss else fam, loss=loss, **settings, on_step=bar and bar.step)
    if plot is not None:
        draw(result, plot, True)
    emit_fit(result.to_dict(), output)


def _stream_censored(path, fam, column, censor, options, strict, settings, chunk_size):
    """The right-censored fit of a file read in chunks; None where only the in-memory fit
    can be exact and no --chunk-size asked for chunks (the caller then reads it whole)."""
    import os

    from ..errors import UsageError
    from ..censored.stream import NotStreamed, fit_file
    size = os.path.getsize(path) if path != "-" and os.path.isfile(path) else 0
    try:
        with _progress("reading in chunks", size) as bar:
            return fit_file(path, fam, column=column, event=censor.event, options=options,
                            chunk_rows=chunk_size, strict=strict, confidence=settings["confidence"],
                            information=settings["information"], max_iter=settings["max_iter"],
                            on_bytes=None if bar is None else bar.update)
    except NotStreamed as exc:
        if chunk_size is not None:
            raise UsageError(f"{exc}: drop --chunk-size to fit them in memory") from None
        return None


