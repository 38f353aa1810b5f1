"""The `mlefit` click group and the command line's run (main): the commands register
themselves on `cli` from their own modules (mlefit.cli imports them all)."""
import click

from .. import __version__, exits
from ..errors import OutputError
from .edge import MlefitGroup, debug_option, guard_streams, say


@click.group(name="mlefit", cls=MlefitGroup, context_settings={"help_option_names": ["-h", "--help"]})
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

    from .. import interrupts
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
