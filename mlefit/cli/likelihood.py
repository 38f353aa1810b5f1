"""`mlefit likelihood`: fit, then draw the log-likelihood (mlefit.report.plots). Parsing and
output only; matplotlib and the fit load inside the command, so `mlefit --help` stays light."""
from typing import NamedTuple

import click

from ..report.progress import _progress
from .columns import weighted_column
from .edge import debug_option, say
from .group import cli
from . import options
from .options import input_options


class Picture(NamedTuple):
    """What `likelihood` draws: the file, the parameters (one or two) and the grid."""

    plot: str
    params: str | None
    grid: int


@cli.command("likelihood")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--dist", "-d", "dist", metavar="NAME", required=True,
              help="Distribution family (see 'mlefit fit --help').")
@click.option("--plot", "plot", metavar="PATH", required=True,
              help="The picture to write: .png, .svg or .pdf.")
@click.option("--params", metavar="A[,B]",
              help="One parameter (its profile log-likelihood curve) or two (contours); default: the "
                   "first two estimated parameters (or the only one).")
@click.option("--column", "-c", metavar="NAME",
              help="Column to fit. Default: the only column, or the only numeric one.")
@click.option("--weights", "-w", metavar="COLUMN", help="Frequency weights (see 'mlefit fit --help').")
@click.option("--fix", "fix", metavar="NAME=VALUE", multiple=True,
              help="Hold a parameter at a value (repeatable); it stays fixed in the picture.")
@click.option("--confidence", default=0.95, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Level of the likelihood interval or joint confidence region drawn.")
@click.option("--grid", default=41, show_default=True, type=click.IntRange(5, 1000),
              help="Grid points per parameter: up to 1000 for one parameter; contours of two take "
                   "GRID x GRID profile fits (each up to some ms), so at most 101.")
@click.option("--max-iter", default=200, show_default=True, type=click.IntRange(min=1),
              help="Iteration limit for the families fitted by Newton's method.")
@input_options
@debug_option
@options.columns
@options.estimation
@options.gather(Picture, "picture")
def likelihood_command(files, dist, picture, columns, estimation, debug, reading):
    """Draw the log-likelihood of a fit to one column of FILE.

    \b
    One parameter: the log-likelihood (maximised over the other estimated
      parameters: the profile) with the MLE and the likelihood interval, the
      values where 2(max - loglik) <= the chi-square(1) quantile.
    Two parameters: contours of 2(max - loglik) with the others profiled out at
      every grid point, the MLE, and the joint confidence region bold
      (chi-square(2) quantile).

    \b
    Examples:
      mlefit likelihood sample_data/michelson.csv -c speed --dist gamma --plot gamma.png
      mlefit likelihood data.csv --dist student_t --params mu,df --plot t.svg
    """
    from .. import families
    from ..report import plots
    from ..io.column import read_column
    from ..estimate import fit as fit_column

    plots.check_path(picture.plot)  # before the fit: a wrong suffix fails at once
    fam = families.get(dist)
    options, strict = reading.read_options(), reading.strict
    labels = fam.spec.support == "labels"
    column, weights = columns.column, columns.weights
    if weights is None:
        col = read_column(files, column=column, labels=labels, strict=strict, options=options)
    else:
        col = weighted_column(files, column, weights, labels, options, strict)
    result = fit_column(col, fam, fix=estimation.fixes(), confidence=estimation.confidence,
                        max_iter=estimation.max_iter)
    with _progress("log-likelihood grid", 0) as bar:
        info = plots.plot_likelihood(result, picture.plot, params=picture.params, grid=picture.grid,
                                     on_step=bar and bar.step, on_total=bar and bar.set_total)
    say(f"mlefit: wrote {picture.plot}: {info['description']}", err=True)  # as fit --plot: stdout stays for results
