"""The command line: parse options, call the library, emit. No maths here.

Imports stay light (click only) so `mlefit --help` starts instantly; numpy, scipy,
pyarrow and rich load inside the commands that need them."""
import json
import sys

import click

from . import __version__, cli_censor, exits
from .cli_censor import censoring_options
from .cli_own import own_options
from .cli_edge import MlefitGroup, _remember, debug_option, guard_streams, json_option, prior_option, say
from .errors import OutputError
from .cli_engine import CHUNK_HELP, ENGINE_HELP
from .progress import _nothing, _progress  # noqa: F401  (cli_plot and cli_select use _progress)
from .families.catalog import help_text


@click.group(name="mlefit", cls=MlefitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlefit")
@debug_option
def cli(debug):
    """Fit probability models to data by maximum likelihood.

    Estimates, standard errors, confidence intervals, log-likelihood, bits per sample,
    AIC and BIC, as a table or as JSON. Run 'mlefit fit --help' for the families.
    """


FAMILY_HELP = "\n".join(["\b", "Families (parameters; support; estimator):"]
                        + [f"  {line}" for line in help_text()])

EPILOG = FAMILY_HELP + """

\b
Examples:
  mlefit fit sample_data/horsekicks.csv --dist poisson
  mlefit fit data.csv --dist gamma --column serving --confidence 0.99
  cat data.csv | mlefit fit - --dist normal --json | jq .parameters

Intervals for positive parameters are built on the log scale and for probabilities
on the logit scale, then mapped back, so they never leave the parameter space.
Lines in messages count the header as line 1. Exit codes: 0 success, 1 data or fit
problem (including non-convergence), 2 usage error."""


def input_options(command):
    """The options that say how to read the input files, shared by every command."""
    options = [
        click.option("--delimiter", metavar="CHAR",
                     help="Field delimiter; default: detected among comma, tab, semicolon and pipe. "
                          "'tab' for a tab."),
        click.option("--decimal", type=click.Choice([".", ","]), default=".", show_default=True,
                     help="Decimal mark (use , for 3,14 with semicolon delimiters)."),
        click.option("--encoding", metavar="NAME",
                     help="Text encoding, e.g. latin-1 or cp1252; default UTF-8 (UTF-16 with a BOM "
                          "is recognised)."),
        click.option("--header/--no-header", default=None,
                     help="Whether the first line names the columns; default: detected. Without "
                          "one, columns are named 1, 2, ..."),
        click.option("--na-values", metavar="LIST",
                     help="More cell values that mean missing, comma-separated (e.g. -999,?)."),
        click.option("--strict", is_flag=True,
                     help="Refuse missing values and blank lines instead of dropping them."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def read_options(delimiter, decimal, encoding, header, na_values):
    from .errors import UsageError
    from .readers import ReadOptions

    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1 or not delimiter.isascii():
            raise UsageError(f"--delimiter must be one ASCII character or 'tab' (got '{delimiter}')")
    extra = tuple(v.strip() for v in na_values.split(",")) if na_values else ()
    return ReadOptions(delimiter, decimal, encoding, header, extra)


def _selection_options(select):
    """Options of family selection and goodness of fit: for `fit` (where they go with
    --dist auto) or for `select` itself (where they always apply)."""
    when = "" if select else "With --dist auto: "
    boot = ("Bootstrap samples for the goodness-of-fit p-values, at most (default 199, at most 100000, fewer where "
            "the p-value is clearly above or below 0.05; 0: textbook p-values "
            "that ignore the estimation, labelled so)." if select else
            "Bootstrap samples: for goodness-of-fit p-values, at most (--gof or --dist auto; default 199; 0: "
            "textbook p-values that ignore the estimation, labelled so), and for --interval bootstrap "
            "or all (default 999); at most 100000.")
    options = [
        click.option("--families", "families_list", metavar="LIST",
                     help=f"{when}the families to compare, comma-separated (default: every family whose "
                          f"support admits the data)."),
        click.option("--continuous", is_flag=True,
                     help=f"{when}compare the continuous families even when the values are whole numbers "
                          f"(rounded measurements); default: the discrete ones."),
        click.option("--criterion", type=click.Choice(["aic", "aicc", "bic", "bits"]), default=None,
                     help=f"{when}rank by AIC (default), AICc, BIC or bits per sample."),
        click.option("--bootstrap", type=click.IntRange(min=0), default=None, metavar="N", help=boot),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Seed of the bootstrap (the same seed gives the same p-values)."),
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


selection_options = _selection_options(select=False)
select_options = _selection_options(select=True)


@cli.command(epilog=EPILOG)
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
              callback=_remember,
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
def fit(files, dist, loss, column, confidence, information, max_iter, weights, trials, fix, prior, positive, by, gof,
        families_list,
        continuous, criterion, bootstrap, seed, interval, resample, robust, derive, plot, as_json, output, debug,
        delimiter, decimal, encoding, header, na_values, strict, chunk_size, engine, scheduler, connect_timeout,
        **censor):
    """Fit a distribution to one column of FILE.

    FILE is a CSV or TSV file (compressed with gzip, bz2, xz or zstd, or not), a Parquet
    or Feather file, or - for standard input. Several files or a glob are read as one
    data set.
    """
    from . import families
    from .data import read_column
    from .estimate import fit as fit_column

    from .errors import UsageError
    from . import cli_own
    own = {k: censor.pop(k) for k in cli_own.NAMES}
    if (dist is None) == (loss is None) and not cli_own.asked(own):
        raise UsageError("give either --dist NAME or --loss NAME (see 'mlefit fit --help')")
    if as_json and output not in (None, "json"):
        raise UsageError(f"--json and --format {output} ask for two outputs; give one of them")
    output = output or ("json" if as_json else "table")
    from .limits import check_bootstrap
    check_bootstrap(bootstrap)
    derive = _derive_specs(derive)
    if cli_own.asked(own):
        cli_own.refuse(own, dist, loss, {"--trials": trials, "--positive": positive, "--families": families_list,
                                         "--engine dask": engine != "local" and own["own_normalize"]})
        if bootstrap == 0 and interval in ("bootstrap", "all"):
            raise UsageError("--interval bootstrap needs --bootstrap N of 1 or more (999 by default)")
        censored = cli_censor.asked(censor)
        gof = (199 if bootstrap is None else bootstrap) if gof or (
            bootstrap is not None and interval not in ("bootstrap", "all")) else None  # its samples
        settings = dict(confidence=confidence, information=information, max_iter=max_iter, fix=_fixes(fix),
                        interval=interval, robust=robust, derive=derive, seed=seed,
                        resample=cli_censor.resample_kind(resample) if censored else resample,
                        bootstrap=bootstrap if interval in ("bootstrap", "all") else None,
                        **({"prior": prior} if prior else {}))
        return cli_own.run(files, own, column, weights, read_options(delimiter, decimal, encoding, header,
                                                                     na_values),
                           strict, settings, output, censor if censored else None, by, plot, gof,
                           (chunk_size, engine, scheduler, connect_timeout))
    boot_intervals = interval in ("bootstrap", "all")
    if dist is not None and dist.strip().lower() == "auto":
        if by is not None or fix or interval != "wald" or robust or derive or plot or prior:
            raise UsageError("--dist auto compares families on the whole column: --by, --fix, --prior, "
                             "--interval, --robust, --derive and --plot do not apply (fit the chosen family "
                             "with them afterwards)")
        from .cli_select import _select
        return _select(files, column, weights, trials, families_list, continuous, criterion, bootstrap, seed,
                       confidence, max_iter, output, delimiter, decimal, encoding,
                       header, na_values, strict, censor)
    if families_list is not None or criterion is not None or continuous:
        raise UsageError("--families, --continuous and --criterion go with --dist auto (or 'mlefit select')")
    if loss is not None:
        from . import losses
        spec, value = losses.resolve(loss)
        fam = families.get(losses.family_name(spec, value))
    elif trials is None:
        fam = families.get(dist)
    else:  # a trials family named without them: --trials N names it binomial:N
        from .trials import trials_family
        fam = trials_family(dist)
        if _trials_number(trials) is not None:
            fam = families.build(fam.spec.base, _whole_trials(trials))
    if loss is not None and trials is not None:
        raise UsageError("--trials goes with --dist binomial or --dist beta_binomial, not with --loss")
    per_row = trials is not None and _trials_number(trials) is None
    options = read_options(delimiter, decimal, encoding, header, na_values)
    labels = fam.spec.support == "labels"
    gof = gof or (bootstrap is not None and not boot_intervals)  # --bootstrap N alone: for --gof
    if gof and (by is not None or labels):
        raise UsageError("--gof takes one numeric column: not with --by or the categorical family")
    if boot_intervals and bootstrap == 0:
        raise UsageError("--interval bootstrap needs --bootstrap N of 1 or more (999 by default)")
    if plot is not None:
        if by is not None:
            raise UsageError("--plot draws one fit: not with --by")
        from .plots import check_path
        check_path(plot)
    settings = dict(confidence=confidence, information=information, max_iter=max_iter,
                    fix=_fixes(fix), interval=interval, robust=robust, derive=derive, resample=resample,
                    seed=seed, bootstrap=bootstrap if boot_intervals else None, **({"prior": prior} if prior else {}))
    if prior and (gof or plot is not None):
        raise UsageError("--gof and --plot work from the MLE: not with --prior (fit without it for them)")
    if per_row and (by is not None or gof):
        raise UsageError("--trials COLUMN does not go with --by or --gof: give one number of trials (--trials N)")
    binary = fam.spec.name == "bernoulli"
    if positive is not None and not binary:
        raise UsageError("--positive names the label that counts as 1 of --dist bernoulli on two text labels")
    if cli_censor.asked(censor):
        cli_censor.refuse_others(dict(by=by, gof=gof, trials=trials, engine=engine))
        if by is not None:
            from .cli_by import fit_by
            return fit_by(files, fam, loss, column, weights, by, labels, options, strict, output,
                          dict(settings, resample=cli_censor.resample_kind(resample)), censor)
        from . import cli_engine, stream_censored
        needs = cli_engine.in_memory_options(by, weights, per_row, gof, plot, interval, robust, derive, prior)
        if stream_censored.plan(files, fam, column, censor, chunk_size, needs, fix, options.encoding) == "chunks":
            result = _stream_censored(files[0], fam, column, censor, options, strict, settings, chunk_size)
            if result is not None:
                return _emit_fit(result.to_dict(), output)
        return _fit_censored(files, fam, loss, column, weights, censor, options, strict, output,
                             dict(settings, resample=cli_censor.resample_kind(resample)), boot_intervals, plot)
    from . import cli_engine
    needs = cli_engine.in_memory_options(by, weights, per_row, gof, plot, interval, robust, derive, prior, positive)
    how = cli_engine.plan(files, fam, chunk_size, engine, needs, options.encoding)
    if scheduler is not None and how != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    if connect_timeout is not None and how != "dask":
        raise UsageError("--connect-timeout goes with --engine dask")
    if by is not None:
        from .cli_by import fit_by
        return fit_by(files, fam, loss, column, weights, by, labels, options, strict, output, settings,
                      positive=positive)
    if how != "memory":
        result = cli_engine.run(how, files, fam, loss, column, options, strict, settings, chunk_size,
                                (scheduler, connect_timeout), _progress)
        return _emit_fit(result.to_dict(), output)
    w = t = None
    if per_row:
        col, w, t = _trials_column(files, column, weights, trials, options, strict)
    else:
        from .data import BINARY
        reading = BINARY if binary else labels  # bernoulli: numbers, or two text labels
        if weights is None:
            col = read_column(files, column=column, labels=reading, strict=strict, options=options)
        else:
            col, w = _weighted_column(files, column, weights, reading, options, strict)
    samples = (bootstrap or 999) if boot_intervals else 0
    stage = ("bootstrap intervals" if samples else "profile-likelihood intervals" if interval == "profile"
             else None if loss or per_row or fam.spec.closed_form else f"fitting {fam.spec.name}")
    with _progress(stage, samples) if stage else _nothing() as bar:  # shown past progress.AFTER seconds
        result = fit_column(col, None if loss else (dist if per_row else fam), loss=loss, weights=w,
                            **({"trials": t} if per_row else {}), **settings, on_step=bar and bar.step,
                            **({"positive": positive} if positive is not None else {}))
    if w is not None:
        from dataclasses import replace
        result = replace(result, weights=weights)
    d = result.to_dict()
    if gof:
        d["gof"] = _fit_gof(result, col, w, 199 if bootstrap is None else bootstrap, seed, settings)
    if plot is not None:
        _draw(result, plot, False)
    _emit_fit(d, output)


def _draw(result, plot, censored, how=""):
    """--plot: the fit's figure to the file (survival curves for censored rows), said on stderr."""
    if censored:
        from .plots_censored import plot_survival
        info = plot_survival(result, plot)
        say(f"mlefit: wrote {plot}: the fitted {result.family} survival over {info['nonparametric']}, "
            f"Q-Q and P-P plots{how}", err=True)
    else:
        from .plots import plot_fit
        plot_fit(result.fitted, plot)
        say(f"mlefit: wrote {plot}: the data with the fitted {result.family}, Q-Q and P-P plots{how}", err=True)


def _fit_censored(files, fam, loss, column, weights, censor, options, strict, output, settings, boot, plot):
    """fit with censoring or truncation options: the rows read as mlefit.censoring.Censored."""
    from dataclasses import replace

    from .estimate import fit as fit_column
    cens, w, frame = cli_censor.read(files, column, weights, censor, options, strict)
    if plot is not None:
        from .plots_censored import check_rows
        check_rows(cens)  # before the fit: a refused picture costs nothing
    samples = (settings["bootstrap"] or 999) if boot else 0
    with _progress("bootstrap intervals", samples) if samples else _nothing() as bar:
        result = fit_column(cens, None if loss else fam, loss=loss, weights=w, **settings,
                            on_step=bar and bar.step)
    result = replace(result, rows_read=frame.rows_read, dropped=frame.dropped + result.dropped,
                     source=frame.source, column=cens.name or f"{frame.names[0]}/{frame.names[1]}",
                     weights=weights)
    if plot is not None:
        _draw(result, plot, True)
    _emit_fit(result.to_dict(), output)


def _stream_censored(path, fam, column, censor, options, strict, settings, chunk_size):
    """The right-censored fit of a file read in chunks; None where only the in-memory fit
    can be exact and no --chunk-size asked for chunks (the caller then reads it whole)."""
    import os

    from .errors import UsageError
    from .stream_censored import NotStreamed, fit_file
    size = os.path.getsize(path) if path != "-" and os.path.isfile(path) else 0
    try:
        with _progress("reading in chunks", size) as bar:
            return fit_file(path, fam, column=column, event=censor["event"], options=options,
                            chunk_rows=chunk_size, strict=strict, confidence=settings["confidence"],
                            information=settings["information"], max_iter=settings["max_iter"],
                            on_bytes=None if bar is None else bar.update)
    except NotStreamed as exc:
        if chunk_size is not None:
            raise UsageError(f"{exc}: drop --chunk-size to fit them in memory") from None
        return None


def _emit_fit(d, output):
    """One fit's dict on stdout: JSON, one NDJSON line, or the tables."""
    if output == "json":
        click.echo(json.dumps(d, indent=2))
    elif output == "ndjson":
        click.echo(json.dumps(d, separators=(",", ":")))
    else:
        from .render import print_fit
        print_fit(d)
        if "gof" in d:
            from .render_select import print_gof
            print_gof(d)


def _fit_gof(result, col, w, bootstrap, seed, settings, fam=None):
    """The goodness-of-fit block of one fit: tests, notes, and how they were made. fam:
    the family fitted (default: the registry's of result.family; a user's own model
    passes its own)."""
    from . import families, gof
    from .estimate import fit as fit_column

    fam = fam or families.get(result.family)
    theta = tuple(p.estimate for p in result.parameters)
    refit = None
    if settings.get("fix"):
        keep = {k: settings[k] for k in ("information", "max_iter", "fix")}
        refit = (lambda xb, wb: tuple(p.estimate for p in fit_column(xb, fam, weights=wb, **keep).parameters))
    with _progress("bootstrap goodness of fit", bootstrap) as bar:
        tests, notes = gof.goodness_of_fit(fam, col.values, theta, result.n_parameters, weights=w,
                                           bootstrap=bootstrap,
                                           seed=seed, on_step=bar and bar.step, max_iter=settings["max_iter"],
                                           refit=refit)
    return {"bootstrap": bootstrap, "seed": seed, "tests": [t.to_dict() for t in tests],
            "notes": notes}


def _derive_specs(options):
    """--derive SPEC (repeatable, or comma-separated) as a list: split at the commas
    outside parentheses, so 'log(shape, 2)' stays one expression (for its parser to judge)."""
    import re
    out = []
    for text in options:
        depth, start = 0, 0
        for m in re.finditer(r"[(),]", text):
            ch = m.group()
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if ch == "," and depth <= 0:
                out.append(text[start:m.start()])
                start = m.end()
        out.append(text[start:])
    return [part.strip() for part in out if part.strip()]


def _fixes(pairs):
    """{name: value text} from --fix NAME=VALUE options."""
    from .errors import UsageError
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--fix takes NAME=VALUE, e.g. --fix shape=2 (got '{pair}')")
        if name.strip() in out:
            raise UsageError(f"--fix gives {name.strip()} twice ({out[name.strip()]} and {value.strip()}); "
                             f"fix each parameter once")
        out[name.strip()] = value.strip()
    return out or None


@cli.command("families")
@json_option("a table")
@debug_option
def families_command(as_json, debug):
    """Every family: aliases, support, parameters, estimator, and its scipy.stats and R
    equivalents with the mapping of parameters."""
    from .families.catalog import catalog_dict
    d = catalog_dict()
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        from .render_families import print_families
        print_families(d)


def _weighted_column(files, column, weights, labels, options, strict):
    """The value column and the weight column of one file, aligned (a row missing either
    is left out and reported)."""
    from .frame import read_frame

    from .errors import UsageError
    if len(files) != 1:
        raise UsageError("--weights reads one file (or - for standard input)")
    if column is not None and column.strip().casefold() == weights.strip().casefold():
        raise UsageError(f"--column and --weights name the same column '{column}'")
    from .data import BINARY
    frame = read_frame(files, [column, weights], labels=(column,) if labels is True else (),
                       options=options, auto_labels=labels == BINARY, option="--column",
                       missing_reasons={1: "missing weight"})
    _strict(frame, strict)
    weight_name = frame.names[1]
    return frame, frame.columns[weight_name]


def _trials_number(text):
    """--trials N: the number, or None when it names a column."""
    try:
        return float(text)
    except ValueError:
        return None


def _whole_trials(text):
    """--trials N: a positive whole number, or UsageError."""
    from .errors import UsageError
    value = _trials_number(text)
    from .families import SHAPES
    if value is None or not SHAPES["trials"][2](value):
        raise UsageError(f"--trials must be a positive whole number or a column (got '{text}')")
    return int(value)


def _trials_column(files, column, weights, trials, options, strict):
    """The values, their weights (or None) and their trials, --trials COLUMN, read
    aligned (a row missing any of them is left out and reported)."""
    from .errors import UsageError
    from .frame import read_frame

    if len(files) != 1:
        raise UsageError("--trials COLUMN reads one file (or - for standard input)")
    names = [column, trials] + ([weights] if weights else [])
    frame = read_frame(files, names, options=options, auto_labels=False, option="--column",
                       missing_reasons={1: "missing trials", 2: "missing weight"})
    _strict(frame, strict)
    return frame, frame.columns[frame.names[2]] if weights else None, frame.columns[frame.names[1]]


def _strict(frame, strict):
    if strict:
        from .data import refuse_dropped
        refuse_dropped("the data", frame.dropped)


def main():
    """The command line's run (after __main__.run): quiet on a closed pipe (| head), Ctrl-C
    a KeyboardInterrupt again (the error edge answers it), then the CLI, and leave without
    the interpreter's teardown (exits.leave)."""
    import signal

    from . import interrupts
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    interrupts.ARROW_CTRL_C = False  # every Ctrl-C reaches Python's handler (interrupts.pyarrow_csv)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        guard_streams()
        cli()
    except OutputError as exc:  # no standard output at all
        say(f"mlefit: error: {exc}", err=True)
        exits.leave(exc.exit_code)
    except KeyboardInterrupt:  # before or after the CLI's own edge
        click.echo(exits.interrupted(), err=True, nl=False)
        exits.leave(130)
    except SystemExit as done:
        exits.leave(done.code)
    exits.leave(0)


from . import cli_losses, cli_plot, cli_regress, cli_select  # noqa: E402,F401  (register compare-losses, likelihood, regress, select and lrt)
