"""The censoring and truncation options as the library takes them (regress's `censoring`
dict: these NAMES as keys, as the command line's --event, --lower, ... give them): whether
any was given, and the combinations that say two things about the same rows refused."""
from ..errors import UsageError

NAMES = ("event", "event_left", "lower_col", "upper_col", "censored_cells", "lower_limit", "upper_limit",
         "truncate_lower", "truncate_upper", "entry")


def asked(opts):
    """Whether any censoring or truncation option was given."""
    return any(opts.get(k) is not None and opts.get(k) is not False for k in NAMES)  # a limit of 0 is given


def check(opts, column):
    """Refuse combinations that say two things about the same rows."""
    kinds = [name for name, given in (("--event", opts["event"]), ("--event-left", opts["event_left"]),
                                      ("--lower/--upper", opts["lower_col"] or opts["upper_col"]),
                                      ("--censored-cells", opts["censored_cells"]),
                                      ("--lower-limit/--upper-limit",
                                       opts["lower_limit"] is not None or opts["upper_limit"] is not None))
             if given]
    if len(kinds) > 1:
        raise UsageError(f"{' and '.join(kinds)} describe the censoring in two ways; give one of them")
    if (opts["lower_col"] is None) != (opts["upper_col"] is None):
        raise UsageError("--lower and --upper go together (an empty cell in either marks the censoring)")
    if opts["lower_col"] is not None and column is not None:
        raise UsageError("with --lower and --upper the bounds are the data: drop --column")
