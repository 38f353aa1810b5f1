"""Every candidate family fitted to one column and ranked: `fit --dist auto` and
`mlefit select` (the work is in selection.py)."""
import json

import click

from . import censor as cli_censor
from .columns import numeric_column
from ..errors import UsageError
from ..report.progress import _progress


NUMBERS_ONLY = ("; {command} compares families of numbers: labels are fitted with mlefit fit FILE --dist "
                "categorical (two labels: --dist bernoulli)")


def rank_families(files, columns, selection, estimation, output, reading, censoring=None, labels_way=None):
    """--dist auto and mlefit select: every candidate family fitted and ranked (the option
    records of mlefit.cli.options; censoring: mlefit.cli.censor's, or None). labels_way:
    what a column of text is told to do instead (default: fit's --dist categorical)."""
    from dataclasses import replace
    from importlib import import_module

    # scipy.special, which the candidates' fits need, imported here, near the bottom of the
    # stack: imported deep inside a fit (pareto's quantiles), numpy.f2py's regexes (scipy's
    # array API layer imports it) compiled across the end of Python 3.11's frame-stack chunk,
    # which was mapped and unmapped 5,000 times, 40 ms of `python -m mlefit select` on 100 values
    import_module("scipy.special")

    from ..limits import check_bootstrap
    from ..inference.selection import select

    column, weights, trials, strict = columns.column, columns.weights, columns.trials, reading.strict
    check_bootstrap(selection.bootstrap)
    options = reading.read_options()
    if labels_way is not None:
        options = replace(options, labels_way=labels_way)
    if censoring is not None and censoring.asked():  # censored rows: ranked by the censored likelihood
        if trials is not None:  # the record carries the file's report (rows read, left out, the source)
            raise UsageError("--trials does not go with censored or truncated data")
        col, _ = cli_censor.read(files, column, weights, censoring, options, strict)
    else:
        col = numeric_column(files, column, weights, trials, options, strict)
    bootstrap = 199 if selection.bootstrap is None else selection.bootstrap
    with _progress("choosing a family", 0) as bar:
        d = select(col, selection.candidates(), criterion=selection.criterion or "aic", continuous=selection.continuous, bootstrap=bootstrap, seed=selection.seed,
                   confidence=estimation.confidence, max_iter=estimation.max_iter, on_step=bar and bar.step,
                   on_total=bar and bar.set_total, on_stage=bar and bar.stage)
    if weights is not None:
        d["weights"] = weights  # (the best fit's own names the column: its rows carry it)
    if output == "table":
        from ..report.select import print_selection
        print_selection(d)
    else:
        click.echo(json.dumps(d, indent=2 if output == "json" else None,
                              separators=None if output == "json" else (",", ":")))

