"""The command line's censoring options (mlefit fit and select): which rows are censored
or truncated, read from the file into a Record with its bounds (mlefit.censored.rows)."""
from typing import NamedTuple

import click

from ..censored import request as censor_request
from ..errors import UsageError
from .options import bundle


class Censoring(NamedTuple):
    """The censoring and truncation options as given (None or False: not given)."""

    event: str | None = None
    event_left: str | None = None
    lower_col: str | None = None
    upper_col: str | None = None
    censored_cells: bool = False
    lower_limit: float | None = None
    upper_limit: float | None = None
    truncate_lower: float | None = None
    truncate_upper: float | None = None
    entry: str | None = None

    def asked(self):
        """Whether any censoring or truncation option was given."""
        return censor_request.asked(self.as_dict())

    def as_dict(self):
        """The options as the library takes them (regress's `censoring`: censor_request.NAMES)."""
        return dict(self._asdict())


OPTIONS = [
    click.option("--event", metavar="COLUMN",
                 help="Censoring indicator for --column: 1 (or true) the value was seen, 0 (or false) the "
                      "value is only known to exceed it (right-censored: still running at that time)."),
    click.option("--event-left", "event_left", metavar="COLUMN",
                 help="Like --event, but 0 means the value is only known to lie below it (left-censored)."),
    click.option("--lower", "lower_col", metavar="COLUMN",
                 help="Interval data with --upper: each row's lower bound. Empty lower: left-censored at "
                      "the upper; empty upper: right-censored at the lower; equal: the value itself."),
    click.option("--upper", "upper_col", metavar="COLUMN", help="Interval data: each row's upper bound."),
    click.option("--censored-cells", "censored_cells", is_flag=True,
                 help="Read cells such as '<0.04', '<=0.04', '>2000' and '>=2000' in --column as censored "
                      "at that limit."),
    click.option("--lower-limit", "lower_limit", type=float, metavar="X",
                 help="Detection limit: values at or below X are left-censored at X."),
    click.option("--upper-limit", "upper_limit", type=float, metavar="X",
                 help="Upper limit: values at or above X are right-censored at X."),
    click.option("--truncate-lower", "truncate_lower", type=float, metavar="X",
                 help="Only values above X could be recorded (left truncation): the fit conditions on it."),
    click.option("--truncate-upper", "truncate_upper", type=float, metavar="X",
                 help="Only values at or below X could be recorded (right truncation)."),
    click.option("--entry", metavar="COLUMN",
                 help="Left truncation per row: the subject was observed only from this time (delayed entry)."),
]

censoring_options = bundle(Censoring, "censoring", OPTIONS)


def read(files, column, weights, opts, options, strict):
    """(the censored rows, a Record with their weights, the frame read) from the file."""
    return read_grouped(files, column, weights, None, opts, options, strict)[:2]


def read_grouped(files, column, weights, by, opts, options, strict):
    """(the censored rows, a Record with their weights (None when not given) and the
    frame's report (rows read, left out, the source), the frame read, each row's group
    label or None) from the file; by: the group column (--by) or None."""
    import numpy as np

    from ..censored import rows as censoring
    from .columns import check_strict
    from ..io.frame import read_frame

    censor_request.check(opts.as_dict(), column)
    if len(files) != 1:
        raise UsageError("censored data are read from one file (or - for standard input)")
    interval = opts.lower_col is not None
    first = [opts.lower_col, opts.upper_col] if interval else [column]
    indicator = opts.event or opts.event_left
    names = first + ([indicator] if indicator else []) + ([opts.entry] if opts.entry else []) + \
        ([weights] if weights else []) + ([by] if by else [])
    reasons = {i: f"missing value in column '{n}'" for i, n in enumerate(names) if i}
    if weights:
        reasons[len(names) - 1 - bool(by)] = "missing weight"
    if by:
        reasons[len(names) - 1] = f"missing group ({by})"
    labels = ((column,) if opts.censored_cells else ()) + ((by,) if by else ())
    frame = read_frame(files, names, labels=labels, options=options, auto_labels=False,
                       option="--column", missing_reasons=reasons, command="fit",
                       on_text=lambda name, cell: None,  # an indicator of words (true/false) stays text
                       optional=tuple(first + ([opts.entry] if opts.entry else [])) if interval
                       else ((opts.entry,) if opts.entry else ()))
    if interval:  # a row with neither bound says nothing: left out and counted
        lo, hi = (frame.columns[c] for c in frame.names[:2])
        frame = frame.without((np.isnan(lo) & np.isnan(hi), "no bound given"))
    cols = [frame.columns[c] for c in frame.names]
    where = frame.where
    if interval:
        cens = censoring.from_bounds(cols[0], cols[1], where=where, name=f"{frame.names[0]}/{frame.names[1]}")
        rest = cols[2:]
    else:
        values = cols[0]
        rest = cols[1:]
        if opts.censored_cells:
            cens = censoring.from_cells(list(values), decimal=options.decimal, where=where, name=frame.names[0])
        elif indicator:
            cens = censoring.from_event(values, rest[0], left=bool(opts.event_left), where=where,
                                        name=frame.names[0],
                                        event_name="--event-left" if opts.event_left else "--event")
            rest = rest[1:]
        elif opts.lower_limit is not None or opts.upper_limit is not None:
            cens = censoring.from_limits(values, lower_limit=opts.lower_limit, upper_limit=opts.upper_limit,
                                         where=where, name=frame.names[0])
        else:
            cens = censoring.exact(values, where=where, name=frame.names[0])
    groups = rest.pop() if by else None
    entry = rest[0] if opts.entry else None
    w = rest[-1] if weights else None
    if entry is not None or opts.truncate_lower is not None or opts.truncate_upper is not None:
        cens = censoring.truncated(cens, opts.truncate_lower, opts.truncate_upper, entry)
    cens = cens.but(weights=w, weights_name=weights or None, rows_read=frame.rows_read, dropped=frame.dropped,
                    source=frame.source)
    check_strict(frame, strict)
    return cens, frame, groups


REFUSED_WITH = (("gof", "--gof"), ("trials", "--trials"))


def resample_kind(resample):
    """Censored rows are resampled with their censoring: the default --resample
    (parametric) becomes nonparametric; a parametric one asked for is refused later."""
    from click.core import ParameterSource
    source = click.get_current_context().get_parameter_source("resample")
    return "nonparametric" if source == ParameterSource.DEFAULT else resample


def refuse_others(given):
    """Options the censored fit does not take yet, each refused by name."""
    for key, option in REFUSED_WITH:
        if given.get(key) not in (None, False, ()):
            raise UsageError(f"{option} does not go with censored or truncated data")
    if given.get("engine") == "dask":
        raise UsageError("--engine dask does not go with censored or truncated data (they are read in memory, "
                         "or in chunks with --chunk-size)")

