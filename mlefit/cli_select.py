"""The commands that compare families: `mlefit select` (= `fit --dist auto`) and
`mlefit lrt`. Parsing and output only; the work is in selection.py and likelihood_ratio.py."""
import json
from dataclasses import replace

import click

from .cli import (_progress, _trials_column, _trials_number, _weighted_column, _whole_trials, cli,
                  input_options, read_options, select_options)
from . import cli_censor
from .cli_censor import censoring_options
from .cli_own import lrt_options
from .cli_edge import debug_option, json_option
from .errors import UsageError


@cli.command("select")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--column", "-c", metavar="NAME",
              help="Column to fit. Default: the only column, or the only numeric one.")
@click.option("--weights", "-w", metavar="COLUMN", help="Frequency weights (see 'mlefit fit --help').")
@click.option("--trials", "trials", metavar="N|COLUMN",
              help="Trials of the binomial and beta_binomial families (a number, or a column); "
                   "with it they join the discrete candidates.")
@select_options
@click.option("--confidence", default=0.95, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Confidence level of the best fit's intervals.")
@click.option("--max-iter", default=200, show_default=True, type=click.IntRange(min=1),
              help="Iteration limit for the families fitted by Newton's method.")
@json_option()
@input_options
@censoring_options
@debug_option
def select_command(files, column, weights, trials, families_list, continuous, criterion, bootstrap, seed, confidence,
                   max_iter, as_json, debug, delimiter, decimal, encoding, header, na_values, strict, **censor):
    """Which family fits one column of FILE? The same as 'mlefit fit FILE --dist auto'.

    Fits every family whose support admits the data (the discrete ones for
    non-negative integers, the continuous ones otherwise), ranks them by AIC (or
    --criterion) with the difference to the best and Akaike weights, tests each fit
    (bootstrapped Anderson-Darling, or chi-square for counts), lists the families
    that could not be fitted with the reason, and runs the likelihood-ratio tests
    of nested pairs.
    """
    _select(files, column, weights, trials, families_list, continuous, criterion, bootstrap, seed, confidence,
            max_iter,
            "json" if as_json else "table", delimiter, decimal, encoding, header, na_values, strict, censor,
            labels_way=NUMBERS_ONLY.format(command="select"))


@cli.command("lrt")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--null", "null", metavar="FAMILY", help="The nested (simpler) family.")
@click.option("--alt", "alt", metavar="FAMILY", help="The family that contains it.")
@click.option("--column", "-c", metavar="NAME",
              help="Column to fit. Default: the only column, or the only numeric one.")
@click.option("--weights", "-w", metavar="COLUMN", help="Frequency weights (see 'mlefit fit --help').")
@click.option("--trials", "trials", metavar="N|COLUMN",
              help="Trials of binomial and beta_binomial (a number, or a column).")
@json_option()
@input_options
@censoring_options
@lrt_options
@debug_option
def lrt_command(files, null, alt, column, weights, trials, as_json, debug, delimiter, decimal, encoding, header,
                na_values, strict, **censor):
    """Likelihood-ratio test of a family against one it is nested in.

    Nested pairs: exponential in gamma and in weibull, rayleigh in weibull,
    geometric and poisson in negative_binomial, poisson in zero_inflated_poisson,
    binomial in beta_binomial (with --trials), normal and cauchy in student_t.
    Where the null is the alternative's limit on the edge of its parameter space
    (poisson in negative_binomial or zero_inflated_poisson, binomial in
    beta_binomial, normal in student_t), the statistic is referred to the 50:50
    mixture of chi-square(0) and chi-square(1).

    Your own models (--null-logpdf, --alt-logpdf, ... with their --null-params and
    --alt-params; either side may be a family): nested as you say, with df the
    difference of their numbers of parameters (--boundary: the 50:50 mixture)."""
    from . import likelihood_ratio as lrt
    from .cli_own import LRT_NAMES, lrt_models
    from .result import SCHEMA_VERSION, _clean

    own = {k: censor.pop(k) for k in LRT_NAMES}
    declared = lrt_models(null, alt, own)
    if declared is not None and trials is not None:
        raise UsageError("--trials does not go with an own model in lrt: write the trials into the expression")
    options = replace(read_options(delimiter, decimal, encoding, header, na_values),
                      labels_way=NUMBERS_ONLY.format(command="lrt"))
    if cli_censor.asked(censor):  # the two families fitted to the censored likelihood
        if trials is not None:
            raise UsageError("--trials does not go with censored or truncated data")
        col, w, frame = cli_censor.read(files, column, weights, censor, options, strict)
        source, t = frame.source, None
    else:
        col, w, t = _numeric_column(files, column, weights, trials, options, strict)
        source = col.source
    d = _clean({"schema_version": SCHEMA_VERSION, "source": source, "column": col.name,
                **(lrt.run(col, null, alt, weights=w, trials=t) if declared is None else
                   lrt.run_declared(col, *declared, weights=w, boundary=bool(own["boundary"])))})
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        from .render_select import print_lrt
        print_lrt(d)


NUMBERS_ONLY = ("; {command} compares families of numbers: labels are fitted with mlefit fit FILE --dist "
                "categorical (two labels: --dist bernoulli)")


def _select(files, column, weights, trials, families_list, continuous, criterion, bootstrap, seed, confidence,
            max_iter, output, delimiter, decimal, encoding, header, na_values, strict, censor=None, labels_way=None):
    """--dist auto and mlefit select: every candidate family fitted and ranked. labels_way:
    what a column of text is told to do instead (default: fit's --dist categorical)."""
    from .limits import check_bootstrap
    from .selection import select

    check_bootstrap(bootstrap)
    options = read_options(delimiter, decimal, encoding, header, na_values)
    if labels_way is not None:
        options = replace(options, labels_way=labels_way)
    frame = None
    if censor and cli_censor.asked(censor):  # censored rows: ranked by the censored likelihood
        if trials is not None:
            raise UsageError("--trials does not go with censored or truncated data")
        col, w, frame = cli_censor.read(files, column, weights, censor, options, strict)
        t = None
    else:
        col, w, t = _numeric_column(files, column, weights, trials, options, strict)
    chosen = [f.strip() for f in families_list.split(",") if f.strip()] if families_list else None
    bootstrap = 199 if bootstrap is None else bootstrap
    with _progress("choosing a family", 0) as bar:
        d = select(col, chosen, criterion=criterion or "aic", weights=w, trials=t, continuous=continuous,
                   bootstrap=bootstrap,
                   seed=seed,
                   confidence=confidence, max_iter=max_iter, on_step=bar and bar.step,
                   on_total=bar and bar.set_total, on_stage=bar and bar.stage)
    if weights is not None:
        d["weights"] = d["best"]["weights"] = weights
    if frame is not None:
        _as_read(d, frame)
    if output == "table":
        from .render_select import print_selection
        print_selection(d)
    else:
        click.echo(json.dumps(d, indent=2 if output == "json" else None,
                              separators=None if output == "json" else (",", ":")))


def _as_read(d, frame):
    """The selection's row counts as the file was read (censored rows: the frame's)."""
    dropped = [x.to_dict() for x in frame.dropped]
    for target in (d, d["best"]):
        target.update(rows_read=frame.rows_read, dropped=dropped, n_dropped=sum(x["count"] for x in dropped),
                      source=frame.source)
        target["rows_used"] = frame.rows_read - target["n_dropped"]


def _numeric_column(files, column, weights, trials, options, strict):
    """(column, weights or None, trials or None) for select and lrt: --trials N is a
    number, --trials COLUMN is read aligned with the values (and the weights)."""
    from .data import read_column

    if trials is not None and _trials_number(trials) is None:
        return _trials_column(files, column, weights, trials, options, strict)
    t = None if trials is None else _whole_trials(trials)
    if weights is None:
        return read_column(files, column=column, strict=strict, options=options), None, t
    col, w = _weighted_column(files, column, weights, False, options, strict)
    return col, w, t
