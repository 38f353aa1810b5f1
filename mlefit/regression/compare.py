"""compare-losses with covariates: each loss fitted as the regression it is (the family
whose NLL it is, as regress --loss fits it: mse -> normal, bce -> bernoulli with the logit
link, poisson -> poisson with the log link, cross_entropy -> softmax, mae -> median regression,
pinball:TAU -> quantile regression, huber:DELTA -> Huber regression), with the same
covariates or formula, prior or penalty, and ranked by held-out bits per sample on the same
folds (regress --folds: mlefit.regression.cv). A loss whose family regress does not fit is
left out by default (listed), and named in --losses is a row with that error."""
from .. import compare, losses as catalog
from ..errors import MlefitError


def with_covariates(data, target, covariates, formula, names, folds, seed, continuous=False, prior=None,
                    penalty=None):
    """([row per loss], ranked: loss, family, in-sample and held-out bits per sample, the
    held-out bits' standard error, the rows scored (fewer than all when a fold failed:
    then the row is not ranked, its bits being over other rows), or the error; [the
    default losses left out, whose families regress does not fit, as 'loss (family)'])."""
    from ..families import resolve
    from .linear_model import REGRESSED
    from .model import regress

    kind = compare.target_kind(data[target])
    rows, raised, skipped = [], [], []
    for loss, value in compare.chosen_losses(kind, names, continuous):
        family = catalog.family_name(loss, value)
        if not names and resolve(family.split(":")[0]) not in REGRESSED:
            skipped.append(f"{loss.label(value)} ({family.split(':')[0]})")
            continue
        row = {"loss": loss.label(value), "family": catalog.family_name(loss, value)}
        try:
            r = regress(data, target, covariates, formula=formula, loss=loss.label(value), prior=prior,
                        penalty=penalty, folds=folds, seed=seed)
        except MlefitError as exc:
            row["error"] = str(exc)
            raised.append(exc)
            rows.append(row)
            continue
        h = r.held_out
        row.update(family=r.family, link=r.link, map=bool(r.prior), in_sample_bits=r.bits_per_sample,
                   held_out_bits=h["bits_per_sample"], se=h["se"], rows_scored=h["rows_scored"],
                   rows=h["rows"], per_fold=h["per_fold"], differential=r.bits_differential)
        if "note" in h:
            row["note"] = h["note"]
        rows.append(row)
    if len(raised) == len(rows) and len({str(e) for e in raised}) == 1:  # the data's fault, not a loss's
        raise raised[0]
    return compare.ranked(rows, lambda r: r["rows_scored"] == r["rows"]), skipped


def compare_with_covariates(files, target, covariates, formula, losses, folds, seed, prior, penalty, options,
                            strict=False, continuous=False):
    """The Comparison (mode "with_covariates") of compare-losses FILE --target Y --covariates
    A,B (or --formula): the columns read once, every loss's regression fitted on them."""
    from ..errors import DataError, UsageError
    from ..io.frame import read_frame
    from ..report.comparison import Comparison

    split = (lambda text: [c.strip() for c in text.split(",") if c.strip()] if text else [])
    names, covs = split(losses), split(covariates)
    if covs and formula:
        raise UsageError("give --covariates or --formula, not both")
    if formula is not None:
        from .formula import parse
        response, _, covs = parse(formula)
        if target is not None and target != response:
            raise UsageError(f"--target '{target}' is not the formula's response '{response}'; give the formula "
                             f"alone (its left side is the target)")
        target = response
    if target is None:
        raise UsageError("name the target column: --target COLUMN (or give --formula)")
    as_labels = any(catalog.resolve(c)[0].name == "cross_entropy" for c in names)
    frame = read_frame(files, [target] + [c for c in covs if c != target], labels=(target,) if as_labels else (),
                       options=options, on_text=lambda name, cell: None)
    if strict and frame.dropped:
        from ..io.column import refuse_dropped
        refuse_dropped("the data", frame.dropped)
    if frame.n < 2:
        raise DataError(f"compare-losses needs at least 2 complete rows; there are {frame.n}")
    data = {name: frame.columns[name] for name in frame.names}
    target = frame.names[0]
    rows, skipped = with_covariates(data, target, None if formula else frame.names[1:], formula, names, folds, seed,
                           continuous, list(prior) or None, penalty)
    summary = {"folds": folds, "seed": seed, "covariates": None if formula else list(frame.names[1:]),
               "formula": formula, "prior": list(prior) or None, "penalty": penalty,
               "not_regressed": skipped}
    return Comparison("with_covariates", frame.n, tuple(rows), frame.source, target, None, summary, frame.notes,
                      frame.rows_read, frame.dropped)
