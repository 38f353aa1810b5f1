"""mlefit fit --by COLUMN: one fit per group, the groups found in one pass."""
import json
import sys

import click

from . import censor as cli_censor
from .columns import check_strict
from .edge import say
from ..report.progress import _progress


def fit_by(files, fam, loss, column, weights, by, labels, options, strict, output, settings, censor=None,
           positive=None, fitter=None):
    """--by: read the value, group (and weight) columns aligned, group the rows in one
    pass, fit each group (NDJSON lines written as each group is fitted; progress on
    stderr), print every group's result; exit 1 if any group could not be fitted.
    censor: the censoring options, when the rows are censored (each group's rows then
    keep their bounds). fitter: the function fitting one group (default mlefit's fit; a
    user's own model: own_model.fit)."""
    from ..errors import UsageError
    from ..io.frame import read_frame
    from ..groups import each_group, grouped
    from ..report.result import SCHEMA_VERSION

    if len(files) != 1:
        raise UsageError("--by reads one file (or - for standard input)")
    note = None  # which of two text labels is 1 (bernoulli)
    if censor is not None:
        values, frame, groups = cli_censor.read_grouped(files, column, weights, by, censor, options, strict)
        value_name, group_name = values.name, by
    else:
        names = [column, by] + ([weights] if weights else [])
        binary = fam.spec.support == "binary" and not loss
        frame = read_frame(files, names, labels=(column, by) if labels else (by,), options=options,
                           auto_labels=binary, option="--column",
                           missing_reasons={1: f"missing group ({by})", 2: "missing weight"})
        check_strict(frame, strict)
        value_name, group_name = frame.names[:2]
        groups = frame.columns[group_name]
        values = frame.but(weights=frame.columns[frame.names[2]], weights_name=weights) if weights else frame
        if binary and frame.values.dtype == object:  # two text labels: one mapping for every group
            from ..binary import as_outcomes
            outcomes, note = as_outcomes(frame.values, f"column '{value_name}'", positive)
            values = values.with_column(value_name, outcomes)
    group_labels, members = grouped(groups)
    fits = each_group(values, group_labels, members, None if loss else fam, loss=loss, source=frame.source,
                      fitter=fitter, **settings)
    rows, failed = [], []
    with _progress(f"fitting {len(group_labels)} groups", len(group_labels)) as bar:
        for r in fits:
            if note is not None and "family" in r:
                r["notes"] = [note, *r.get("notes", [])]
            if "error" in r:
                failed.append(r["group"])
            if output == "ndjson":  # each line as soon as its group is fitted (r is JSON-safe)
                click.echo(json.dumps({"by": group_name, **r}, separators=(",", ":")))
            else:
                rows.append(r)
            if bar is not None:
                bar.step()
    head = {"schema_version": SCHEMA_VERSION, "by": group_name, "source": frame.source,
            "column": value_name, "rows_read": frame.rows_read,
            "n_dropped": sum(d.count for d in frame.dropped),
            "dropped": [d.to_dict() for d in frame.dropped]}
    if output == "json":
        click.echo(json.dumps({**head, "groups": rows}, indent=2))
    elif output == "table":
        from ..report.tables import print_groups
        print_groups(head, rows)
    if failed:
        say(f"mlefit: error: {len(failed)} of {len(group_labels)} groups could not be fitted "
            f"({', '.join(failed[:5])}); see the output", err=True)
        sys.exit(1)
