"""`mlefit predict MODEL FILE`: the fitted mean of each row under a model saved by
`mlefit regress --save`, as CSV. Parsing and output only; the work is in predict.py."""
import click

from .edge import debug_option, say
from .group import cli
from .options import input_options


@cli.command("predict")
@click.argument("model", metavar="MODEL")
@click.argument("file", metavar="FILE")
@click.option("--interval", is_flag=True,
              help="Also a confidence interval for each mean (delta method on the link scale, mapped back; "
                   "categorical: for each label's probability, on its logit).")
@click.option("--confidence", default=0.95, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True), help="Confidence level of --interval.")
@input_options
@debug_option
def predict_command(model, file, interval, confidence, debug, reading):
    """The fitted mean of each row of FILE under MODEL (written by 'mlefit regress --save').

    Prints CSV on standard output: a header, then one line per data row of FILE in
    order: the mean (a probability for bernoulli and binomial, a rate for counts; each
    label's probability for categorical), with --interval its lower and upper confidence
    limits. A row missing a covariate gets empty cells, and is counted on standard
    error. A category the model never saw is an error naming it.
    """
    from ..regression.predict import csv_lines, load, predict

    options = reading.read_options()
    saved = load(model)
    frame, mean, lower, upper = predict(saved, file, interval=interval, confidence=confidence, options=options)
    if reading.strict and frame.dropped:
        from ..errors import DataError
        raise DataError(f"{sum(d.count for d in frame.dropped)} rows miss a covariate (--strict)")
    click.echo("\n".join(csv_lines(frame, mean, lower, upper, saved["model_spec"].get("labels"))))
    for drop in frame.dropped:
        say(f"mlefit: {drop.count} row{'s' if drop.count > 1 else ''} with a {drop.reason} "
            f"({', '.join(drop.first)}): no prediction", err=True)
