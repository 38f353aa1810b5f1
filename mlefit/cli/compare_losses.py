"""mlefit compare-losses: every common loss shown as the likelihood it is, on the
reference table, on predictions, on a target alone (held-out bits), on soft labels, and
with covariates (each loss fitted as its regression)."""
import json
from typing import NamedTuple

import click

from .columns import check_strict
from .edge import debug_option, json_option
from .group import cli
from .options import gather, input_options


class LossData(NamedTuple):
    """The columns compared: the target, a prediction, predicted and target class probabilities."""

    target: str | None
    prediction: str | None
    prediction_probs: str | None
    target_probs: str | None


class LossRanking(NamedTuple):
    """Which losses, and how they are ranked (held-out bits: the folds and their seed)."""

    losses: str | None
    continuous: bool
    folds: int
    seed: int


class LossModel(NamedTuple):
    """With covariates: each loss fitted as its regression (--covariates or --formula),
    with a prior or penalty on every model."""

    covariates: str | None
    formula: str | None
    prior: tuple
    penalty: str | None


@cli.command("compare-losses")
@click.argument("files", metavar="[FILE]", nargs=-1)
@click.option("--target", "-t", metavar="COLUMN", help="The observed values (default: the only "
              "column, or the only numeric one).")
@click.option("--prediction", "-p", metavar="COLUMN", help="Predictions to evaluate every loss on.")
@click.option("--prediction-probs", metavar="LIST", help="Predicted class probabilities, one column "
              "per class: LABEL=COLUMN, or a column named by its label (cross-entropy of a label target).")
@click.option("--target-probs", metavar="LIST", help="Soft labels: one target probability column per "
              "class (with --prediction-probs: CE = H + KL on the data).")
@click.option("--losses", metavar="LIST", help="Losses to compare, e.g. mse,mae,huber:1.5,pinball:0.9; "
              "default: those that suit the target.")
@click.option("--continuous", is_flag=True,
              help="Only the losses of a density (mse, mae, huber, pinball, gaussian_nll): whole-number "
                   "measurements are otherwise ranked poisson first, a mass's bits before densities'.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(min=2),
              help="Folds for the held-out bits per sample.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the fold split.")
@click.option("--covariates", "-x", metavar="A,B,...",
              help="Each loss fitted as the regression it is (regress --loss) on these numeric columns, and "
                   "ranked by held-out bits per sample (regress --folds).")
@click.option("--formula", "-f", metavar="'Y ~ TERMS'", help="Instead of --covariates: a model formula, as regress "
              "takes it (its response is the target).")
@click.option("--prior", "prior", metavar="'COEF ~ DIST(ARGS)'", multiple=True,
              help="With --covariates/--formula: a prior on the coefficients of every model (regress --prior).")
@click.option("--penalty", metavar="l2:LAMBDA",
              help="With --covariates/--formula: a penalty on every model (regress --penalty).")
@json_option()
@input_options
@debug_option
@gather(LossData, "data")
@gather(LossRanking, "ranking")
@gather(LossModel, "model")
def compare_losses(files, data, ranking, model, as_json, debug, reading):
    """Every common loss shown as the likelihood it is, and which one the data support.

    \b
    Without FILE: the reference table (formula, family, NLL = a*loss + b, caveats).
    With --target and --prediction: each loss on the predictions beside the implied
      family's NLL, and the identity checked on these numbers.
    With --target alone: the constant each loss picks (= the family's MLE) and the
      losses ranked by held-out bits per sample.
    With --target-probs [--prediction-probs]: soft labels, CE = H(p) + KL(p || q).
    With --target and --covariates (or --formula): each loss fitted as the regression
      it is, ranked by held-out bits per sample (--folds, --seed; --prior/--penalty on
      every model).
    """
    from ..errors import UsageError

    target, prediction, prediction_probs, target_probs = data.target, data.prediction, data.prediction_probs, \
        data.target_probs
    losses, continuous, folds, seed = ranking.losses, ranking.continuous, ranking.folds, ranking.seed
    covariates, formula, prior, penalty = model.covariates, model.formula, model.prior, model.penalty
    data_options = (target, prediction, prediction_probs, target_probs, losses, covariates, formula, penalty)
    if (prior or penalty) and not (covariates or formula):
        raise UsageError("--prior and --penalty are on the coefficients of a regression: give --covariates "
                         "or --formula")
    if covariates or formula:
        if not files:
            raise UsageError("--covariates and --formula need a FILE")
        if prediction or prediction_probs or target_probs:
            raise UsageError("--covariates and --formula fit each loss's regression: not with --prediction, "
                             "--prediction-probs or --target-probs")
        from ..regression.compare import compare_with_covariates
        result = compare_with_covariates(files, target, covariates, formula, losses, folds, seed, prior, penalty,
                                         reading.read_options(), reading.strict, continuous)
        return _emit(result, as_json, "with_covariates")
    if not files:
        if any(v is not None for v in data_options) or continuous:
            raise UsageError("--target, --prediction, --continuous and the other data options need a FILE")
        from ..losses import reference
        return _emit(reference(), as_json, "reference")
    result = _compare(files, data, ranking, reading.read_options(), reading.strict)
    _emit(result, as_json, {"soft_labels": "soft"}.get(result.mode, result.mode))


def _emit(result, as_json, show):
    """JSON, or the table render_losses.<show> draws (rich loads only for a table)."""
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        from ..report import losses as render_losses
        getattr(render_losses, show)(result.to_dict())


def _compare(files, data, ranking, options, strict):
    """The comparison on a file without covariates: on predictions, on a target alone, or
    on soft labels."""
    import numpy as np

    from .. import compare
    from ..errors import DataError, UsageError
    from ..io.frame import read_frame
    from ..report.comparison import Comparison

    split = (lambda text: [c.strip() for c in text.split(",") if c.strip()] if text else [])
    tp, pp, chosen = split(data.target_probs), split(data.prediction_probs), split(ranking.losses)
    target, prediction, continuous = data.target, data.prediction, ranking.continuous
    classes = [c.split("=", 1)[0] for c in pp]  # 'label=column', or a column named by its label
    pp = [c.split("=", 1)[-1] for c in pp]
    if (tp or pp) and continuous:
        raise UsageError("--continuous compares the losses of a density: not with --target-probs or "
                         "--prediction-probs (labels)")
    if tp:
        if target or prediction or chosen:
            raise UsageError("with --target-probs (soft labels) --target, --prediction and --losses "
                             "do not apply")
        if pp and len(pp) != len(tp):
            raise UsageError("--target-probs and --prediction-probs must list as many columns")
        frame = read_frame(files, tp + pp, options=options)
        check_strict(frame, strict)
        p = np.column_stack([frame.columns[c] for c in frame.names[:len(tp)]])
        q = np.column_stack([frame.columns[c] for c in frame.names[len(tp):]]) if pp else None
        return Comparison("soft_labels", frame.n, (), frame.source, ",".join(tp), ",".join(pp) or None,
                          compare.soft_labels(p, q), frame.notes, frame.rows_read, frame.dropped)
    if pp and (prediction or chosen):
        raise UsageError("--prediction-probs gives the cross-entropy of a label target: "
                         "--prediction and --losses do not apply with it")
    from ..losses import resolve
    as_labels = bool(pp) or any(resolve(c)[0].name == "cross_entropy" for c in chosen)
    names = [target] + ([prediction] if prediction else []) + pp
    frame = read_frame(files, names, labels=(target,) if as_labels else (), options=options)
    check_strict(frame, strict)
    if frame.n < 2:
        raise DataError(f"compare-losses needs at least 2 complete rows; there are {frame.n}")
    y = frame.columns[frame.names[0]]
    if pp:
        probs = np.column_stack([frame.columns[c] for c in frame.names[1:]])
        rows = compare.with_prediction_probs(y, probs, classes)
        mode, summary = "with_prediction", {}
    elif prediction:
        rows = compare.with_prediction(y, frame.columns[frame.names[1]], chosen, continuous)
        mode, summary = "with_prediction", {}
    else:
        rows = compare.without_prediction(y, chosen, folds=ranking.folds, seed=ranking.seed, continuous=continuous)
        mode, summary = "without_prediction", {"folds": ranking.folds, "seed": ranking.seed}
    return Comparison(mode, frame.n, tuple(rows), frame.source, frame.names[0],
                      ",".join(frame.names[1:]) or None, summary, frame.notes, frame.rows_read,
                      frame.dropped)
