"""The `mlefit` click group and the command line's run (main). Each command lives in its
own module (COMMANDS), imported when the command is first looked up (click's lazy loading
of subcommands): `mlefit fit ...` loads fit's module and what it uses, not regress's or
compare-losses'; the module's `@cli.command` registers it on the group."""
import importlib
from collections.abc import MutableMapping

import click

from .. import __version__, exits
from ..errors import OutputError
from .edge import MlefitGroup, debug_option, guard_streams, say

COMMANDS = {"compare-losses": "compare_losses", "families": "families", "fit": "fit", "likelihood": "likelihood",
            "lrt": "lrt", "predict": "predict", "regress": "regress", "select": "select"}

# Each command's summary, the first paragraph of its docstring: `mlefit --help` lists the
# commands by these, without importing their modules (tests/test_startup.py checks that
# they are the docstrings' and that the list is the same either way).
SUMMARIES = {
    "compare-losses": "Every common loss shown as the likelihood it is, and which one the data support.",
    "families": "Every family: aliases, support, parameters, estimator, and its scipy.stats and R "
                "equivalents with the mapping of parameters.",
    "fit": "Fit a distribution to one column of FILE.",
    "likelihood": "Draw the log-likelihood of a fit to one column of FILE.",
    "lrt": "Likelihood-ratio test of a family against one it is nested in.",
    "predict": "The fitted mean of each row of FILE under MODEL (written by 'mlefit regress --save').",
    "regress": "Regression by maximum likelihood: the family's mean moves with the covariates.",
    "select": "Which family fits one column of FILE? The same as 'mlefit fit FILE --dist auto'.",
}


class Commands(MutableMapping):
    """The group's commands by name: a command's module (COMMANDS) is imported at the
    command's first lookup, and registers it here."""

    def __init__(self):
        self.found = {}

    def __getitem__(self, name):
        if name not in self.found and name in COMMANDS:
            importlib.import_module(f"{__package__}.{COMMANDS[name]}")
        return self.found[name]

    def __setitem__(self, name, command):
        self.found[name] = command

    def __delitem__(self, name):
        del self.found[name]

    def __iter__(self):
        return iter(sorted(set(COMMANDS) | set(self.found)))

    def __len__(self):
        return len(set(COMMANDS) | set(self.found))


class ListedGroup(MlefitGroup):
    """The group, whose --help lists a command not loaded yet by its SUMMARIES line (a
    stand-in click.Command holding it as its help: the list shows no more)."""

    listing = False

    def format_commands(self, ctx, formatter):
        self.listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.listing = False

    def get_command(self, ctx, name):
        if self.listing and name in SUMMARIES and name not in self.commands.found:
            return click.Command(name, help=SUMMARIES[name])
        return super().get_command(ctx, name)


@click.group(name="mlefit", cls=ListedGroup, commands=Commands(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlefit")
@debug_option
def cli(debug):
    """Fit probability models to data by maximum likelihood.

    Estimates, standard errors, confidence intervals, log-likelihood, bits per sample,
    AIC and BIC, as a table or as JSON. Run 'mlefit fit --help' for the families.
    """


def main():
    """The command line's run (after __main__.run): quiet on a closed pipe (| head), Ctrl-C
    a KeyboardInterrupt again (the error edge answers it), then the CLI, and leave without
    the interpreter's teardown (exits.leave)."""
    import signal

    from ..io import interrupts
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    interrupts.ARROW_CTRL_C = False  # every Ctrl-C reaches Python's handler (interrupts.pyarrow_csv)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        guard_streams()
        cli()
    except OutputError as exc:  # no standard output at all
        say(f"mlefit: error: {exc}", err=True)
        exits.leave(exc.exit_code)
    except KeyboardInterrupt:  # before or after the CLI's own edge
        click.echo(exits.interrupted(), err=True, nl=False)
        exits.leave(130)
    except SystemExit as done:
        exits.leave(done.code)
    exits.leave(0)
