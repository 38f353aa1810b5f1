"""`mlefit select` (= `fit --dist auto`): which family fits one column. Parsing only; the
ranking is in ranking.py (shared with fit), the work in selection.py."""
import click

from .censor import censoring_options
from .edge import debug_option, json_option
from .group import cli
from . import options
from .options import input_options, select_options
from .ranking import NUMBERS_ONLY, rank_families


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
@options.columns
@options.estimation
def select_command(files, columns, selection, estimation, as_json, debug, reading, censoring):
    """Which family fits one column of FILE? The same as 'mlefit fit FILE --dist auto'.

    Fits every family whose support admits the data (the discrete ones for
    non-negative integers, the continuous ones otherwise), ranks them by AIC (or
    --criterion) with the difference to the best and Akaike weights, tests each fit
    (bootstrapped Anderson-Darling, or chi-square for counts), lists the families
    that could not be fitted with the reason, and runs the likelihood-ratio tests
    of nested pairs.
    """
    rank_families(files, columns, selection, estimation, "json" if as_json else "table", reading, censoring,
                  labels_way=NUMBERS_ONLY.format(command="select"))
