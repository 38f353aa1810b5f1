"""Every candidate family fitted to one column and ranked: `fit --dist auto` and
`mlefit select` (the work is in selection.py)."""
import json
from dataclasses import replace

import click

from . import censor as cli_censor
from .columns import numeric_column
from .options import read_options
from ..errors import UsageError
from ..progress import _progress


NUMBERS_ONLY = ("; {command} compares families of numbers: labels are fitted with mlefit fit FILE --dist "
                "categorical (two labels: --dist bernoulli)")


def rank_families(files, column, weights, trials, families_list, continuous, criterion, bootstrap, seed, confidence,
            max_iter, output, delimiter, decimal, encoding, header, na_values, strict, censor=None, labels_way=None):
    """--dist auto and mlefit select: every candidate family fitted and ranked. labels_way:
    what a column of text is told to do instead (default: fit's --dist categorical)."""
    from ..limits import check_bootstrap
    from ..selection import select

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
        col, w, t = numeric_column(files, column, weights, trials, options, strict)
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
        as_read(d, frame)
    if output == "table":
        from ..render_select import print_selection
        print_selection(d)
    else:
        click.echo(json.dumps(d, indent=2 if output == "json" else None,
                              separators=None if output == "json" else (",", ":")))


def as_read(d, frame):
    """The selection's row counts as the file was read (censored rows: the frame's)."""
    dropped = [x.to_dict() for x in frame.dropped]
    for target in (d, d["best"]):
        target.update(rows_read=frame.rows_read, dropped=dropped, n_dropped=sum(x["count"] for x in dropped),
                      source=frame.source)
        target["rows_used"] = frame.rows_read - target["n_dropped"]
