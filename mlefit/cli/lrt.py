"""`mlefit lrt`: the likelihood-ratio test of a family (or an own model) against one it is
nested in. Parsing and output only; the work is in likelihood_ratio.py."""
import json

import click

from . import censor as cli_censor
from .censor import censoring_options
from .columns import numeric_column
from .edge import debug_option, json_option
from .group import cli
from . import options
from .options import input_options
from .own import lrt_options
from .ranking import NUMBERS_ONLY
from ..errors import UsageError


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
@options.columns
def lrt_command(files, null, alt, columns, as_json, debug, reading, censoring, own):
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
    from dataclasses import replace

    from ..inference import likelihood_ratio as lrt
    from .own import lrt_models
    from ..report.result import SCHEMA_VERSION, _clean

    column, weights, trials, strict = columns.column, columns.weights, columns.trials, reading.strict
    declared = lrt_models(null, alt, own)
    if declared is not None and trials is not None:
        raise UsageError("--trials does not go with an own model in lrt: write the trials into the expression")
    options = replace(reading.read_options(), labels_way=NUMBERS_ONLY.format(command="lrt"))
    if censoring.asked():  # the two families fitted to the censored likelihood
        if trials is not None:
            raise UsageError("--trials does not go with censored or truncated data")
        col, frame = cli_censor.read(files, column, weights, censoring, options, strict)
        source = frame.source
    else:
        col = numeric_column(files, column, weights, trials, options, strict)
        source = col.source
    # lrt's two fits have always said "given" for their weights, not the column (fit and select name it):
    # kept so, the output unchanged
    col = col.but(weights_name=None)
    d = _clean({"schema_version": SCHEMA_VERSION, "source": source, "column": col.name,
                **(lrt.run(col, null, alt) if declared is None else
                   lrt.run_declared(col, *declared, boundary=bool(own.boundary)))})
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        from ..report.select import print_lrt
        print_lrt(d)
