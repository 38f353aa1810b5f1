"""The option bundles the commands share, and the parsers of option values (--fix
NAME=VALUE, --derive SPEC).

A bundle is a decorator that adds a group of click options to a command and hands the
command ONE frozen record of them (`bundle`), instead of a keyword parameter per option;
`gather` packs options declared one by one (where a command's --help interleaves them
with others) into a record the same way. The options themselves (names, defaults, help)
are click's, unchanged: the records only group what the command receives.

The records are typing.NamedTuple classes: typed and immutable like a frozen dataclass, but
defined in some 0.09 ms each instead of 0.8 ms; the CLI's 17 records are all defined at
start-up (the commands register on import), where dataclasses cost `mlefit --help` 12 ms
of its 67 ms."""
import functools
from typing import NamedTuple

import click


def gather(record, key):
    """A decorator: the command's keyword arguments named by `record`'s fields, packed
    into one `record` passed as `key` (a field no option of the command sets keeps its
    default). Gathered again, the callback packs every record in one call (the outer
    record's fields first), not through one more wrapper each: a command's code runs at
    the depth it would without them."""
    def decorate(callback):
        target, records = getattr(callback, "gathered", (callback, ()))
        records = ((record, key),) + records

        @functools.wraps(callback)
        def packed(*args, **kwargs):
            for each, name in records:
                kwargs[name] = each(**{field: kwargs.pop(field) for field in each._fields if field in kwargs})
            return target(*args, **kwargs)
        packed.gathered = (target, records)
        return packed
    return decorate


def bundle(record, key, options):
    """A decorator adding `options` (in this order in --help) to a command, handed to it as
    one `record` named `key`."""
    def decorate(command):
        command = gather(record, key)(command)
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


class Reading(NamedTuple):
    """How to read the input files (every command's input options)."""

    delimiter: str | None = None
    decimal: str = "."
    encoding: str | None = None
    header: bool | None = None
    na_values: str | None = None
    strict: bool = False

    def read_options(self):
        """The readers' ReadOptions, --delimiter checked (UsageError)."""
        return read_options(self.delimiter, self.decimal, self.encoding, self.header, self.na_values)


input_options = bundle(Reading, "reading", [
    click.option("--delimiter", metavar="CHAR",
                 help="Field delimiter; default: detected among comma, tab, semicolon and pipe. "
                      "'tab' for a tab."),
    click.option("--decimal", type=click.Choice([".", ","]), default=".", show_default=True,
                 help="Decimal mark (use , for 3,14 with semicolon delimiters)."),
    click.option("--encoding", metavar="NAME",
                 help="Text encoding, e.g. latin-1 or cp1252; default UTF-8 (UTF-16 with a BOM "
                      "is recognised)."),
    click.option("--header/--no-header", default=None,
                 help="Whether the first line names the columns; default: detected. Without "
                      "one, columns are named 1, 2, ..."),
    click.option("--na-values", metavar="LIST",
                 help="More cell values that mean missing, comma-separated (e.g. -999,?)."),
    click.option("--strict", is_flag=True,
                 help="Refuse missing values and blank lines instead of dropping them."),
])


def read_options(delimiter, decimal, encoding, header, na_values):
    from ..errors import UsageError
    from ..io.readers import ReadOptions

    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1 or not delimiter.isascii():
            raise UsageError(f"--delimiter must be one ASCII character or 'tab' (got '{delimiter}')")
    extra = tuple(v.strip() for v in na_values.split(",")) if na_values else ()
    return ReadOptions(delimiter, decimal, encoding, header, extra)


class Columns(NamedTuple):
    """Which columns of the file a command fits: the values (--column), their weights,
    trials, the label that counts as 1 (--positive) and the groups (--by); None: not given."""

    column: str | None = None
    weights: str | None = None
    trials: str | None = None
    positive: str | None = None
    by: str | None = None


columns = gather(Columns, "columns")


class Estimation(NamedTuple):
    """How the parameters are estimated: the intervals' level, the information, the
    iteration limit, parameters held (--fix NAME=VALUE, as typed) and priors (--prior)."""

    confidence: float = 0.95
    information: str = "observed"
    max_iter: int = 200
    fix: tuple = ()
    prior: tuple = ()

    def fixes(self):
        """--fix as {name: value text}, or None."""
        return parse_fixes(self.fix)


estimation = gather(Estimation, "estimation")


class Engine(NamedTuple):
    """Where and how a large file is read: --chunk-size, --engine, and Dask's --scheduler
    and --connect-timeout."""

    chunk_size: int | None = None
    engine: str = "local"
    scheduler: str | None = None
    connect_timeout: float | None = None


engine = gather(Engine, "engine")


class Selection(NamedTuple):
    """Family selection and goodness of fit (fit --dist auto, select): the candidates, the
    criterion, the bootstrap of the p-values."""

    families_list: str | None = None
    continuous: bool = False
    criterion: str | None = None
    bootstrap: int | None = None
    seed: int = 0

    def candidates(self):
        """--families as a list of names, or None (every family that admits the data)."""
        if not self.families_list:
            return None
        return [f.strip() for f in self.families_list.split(",") if f.strip()]


def _selection_options(select):
    """Options of family selection and goodness of fit: for `fit` (where they go with
    --dist auto) or for `select` itself (where they always apply)."""
    when = "" if select else "With --dist auto: "
    boot = ("Bootstrap samples for the goodness-of-fit p-values, at most (default 199, at most 100000, fewer where "
            "the p-value is clearly above or below 0.05; 0: textbook p-values "
            "that ignore the estimation, labelled so)." if select else
            "Bootstrap samples: for goodness-of-fit p-values, at most (--gof or --dist auto; default 199; 0: "
            "textbook p-values that ignore the estimation, labelled so), and for --interval bootstrap "
            "or all (default 999); at most 100000.")
    options = [
        click.option("--families", "families_list", metavar="LIST",
                     help=f"{when}the families to compare, comma-separated (default: every family whose "
                          f"support admits the data)."),
        click.option("--continuous", is_flag=True,
                     help=f"{when}compare the continuous families even when the values are whole numbers "
                          f"(rounded measurements); default: the discrete ones."),
        click.option("--criterion", type=click.Choice(["aic", "aicc", "bic", "bits"]), default=None,
                     help=f"{when}rank by AIC (default), AICc, BIC or bits per sample."),
        click.option("--bootstrap", type=click.IntRange(min=0), default=None, metavar="N", help=boot),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Seed of the bootstrap (the same seed gives the same p-values)."),
    ]

    return bundle(Selection, "selection", options)


selection_options = _selection_options(select=False)
select_options = _selection_options(select=True)


def prior_option(metavar, what):
    """--prior (repeatable) of fit and regress: `what` says what it is a prior on."""
    return click.option("--prior", "prior", metavar=metavar, multiple=True,
                        help=f"{what}: the fit is then MAP (maximum a posteriori), with the log-prior and "
                             f"log-posterior reported apart from the log-likelihood (docs/priors.md).")


def derive_specs(options):
    """--derive SPEC (repeatable, or comma-separated) as a list: split at the commas
    outside parentheses, so 'log(shape, 2)' stays one expression (for its parser to judge)."""
    import re
    out = []
    for text in options:
        depth, start = 0, 0
        for m in re.finditer(r"[(),]", text):
            ch = m.group()
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if ch == "," and depth <= 0:
                out.append(text[start:m.start()])
                start = m.end()
        out.append(text[start:])
    return [part.strip() for part in out if part.strip()]


def parse_fixes(pairs):
    """{name: value text} from --fix NAME=VALUE options."""
    from ..errors import UsageError
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--fix takes NAME=VALUE, e.g. --fix shape=2 (got '{pair}')")
        if name.strip() in out:
            raise UsageError(f"--fix gives {name.strip()} twice ({out[name.strip()]} and {value.strip()}); "
                             f"fix each parameter once")
        out[name.strip()] = value.strip()
    return out or None
