"""The CLI's one error edge: every way a run can end, turned into one line on stderr and
an exit code (2 usage, 1 data or fit problem, 130 Ctrl-C), and every line of text mlefit
says there (said by `say`, with the control characters of file names, column names and
labels escaped, so no input can move the cursor or retitle the terminal)."""
import io
import json
import sys

import click

from .once import OnceCommand
from ..exits import interrupted
from ..errors import ConvergenceError, MlefitError, OutputError, plain, shown


def say(text, err=False):
    """One line of mlefit's own on stdout (or stderr), any user text in it escaped. A
    stderr that cannot be written (closed, full) swallows it: nothing more can be said."""
    try:
        click.echo(shown(text), err=err)
    except OSError:
        if not err:
            raise


class _Output(io.TextIOWrapper):
    """Standard output, written in its own encoding with what it cannot encode escaped
    (caf\\xe9 on an ASCII terminal, never a crash); a write or flush that fails (a full
    disk, an I/O error) is an OutputError, once: after it, writing does nothing."""

    broken = False

    def write(self, text):
        return self._guarded(super().write, text)

    def flush(self):
        return self._guarded(super().flush)

    def _guarded(self, call, *args):
        if self.broken:
            return 0
        try:
            return call(*args)
        except OSError as exc:
            self.broken = True
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def guard_streams():
    """Before a command-line run: standard output as an _Output (an OutputError when it
    is closed: there is nowhere for the results to go)."""
    out = sys.stdout
    if out is None:
        raise OutputError("standard output is closed: there is nowhere to write the results; "
                          "redirect it to a file or /dev/null instead")
    if isinstance(out, io.TextIOWrapper) and not isinstance(out, _Output):
        out.flush()
        sys.stdout = _Output(out.detach(), encoding=out.encoding, errors="backslashreplace",
                             line_buffering=out.line_buffering)


def _fail(message, code):
    say(f"mlefit: error: {message}", err=True)
    sys.exit(code)


def _json_out(obj, fmt):
    """An object on standard output as --json prints it (indented) or as --format ndjson
    does (one compact line, so that a reader of lines gets the error as one record too)."""
    click.echo(json.dumps(obj, indent=None if fmt == "ndjson" else 2))


def _json_error(kind, message, fmt="json"):
    _json_out({"error": {"type": kind, "message": message}}, fmt)


def remember(ctx, param, value):
    """A flag's parsed value, kept on the group for its error edge: only the option
    itself turns debugging on, not the same word given as a value (-c --debug)."""
    flags = ctx.find_root().command.flags
    flags[param.name] = flags.get(param.name, False) or value
    return value


debug_option = click.option("--debug", is_flag=True, callback=remember, help="Show full tracebacks on errors.")


def json_option(instead="tables"):
    return click.option("--json", "as_json", is_flag=True, callback=remember,
                        help=f"Print one JSON object instead of {instead}.")


class MlefitGroup(click.Group):
    """Turns every error into one line on stderr and an exit code: 2 for usage, 1 for
    data or fit problems, 130 for Ctrl-C; with --json, stdout still gets a JSON object
    (the error, or the partial fit of a non-converged one). --debug shows the traceback.
    Its commands refuse a single-valued option given twice with different values."""

    command_class = OnceCommand

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # answered in main, without the empty line click would write first
            raise click.exceptions.Abort() from None

    def main(self, args=None, prog_name=None, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        self.flags = {}

        def given(flag, word):  # as parsed; before the options are read (a parse error), as typed
            return self.flags.get(flag, word in argv)

        def wants_json():
            """'json' for --json or --format json, 'ndjson' for --format ndjson, else None:
            errors then print their JSON object too (one line for ndjson)."""
            if given("as_json", "--json"):
                return "json"
            fmt = self.flags.get("output")
            if fmt is None:  # not parsed yet: as typed
                for i, word in enumerate(argv):
                    if word.startswith("--format="):
                        fmt = word.split("=", 1)[1]
                    elif word == "--format" and i + 1 < len(argv):
                        fmt = argv[i + 1]
            return fmt if fmt in ("json", "ndjson") else None

        extra.pop("standalone_mode", None)
        try:
            return super().main(args=argv, prog_name=prog_name or "mlefit",
                                standalone_mode=False, **extra)
        except OutputError as exc:  # standard output is lost: say so on stderr only
            if given("debug", "--debug"):
                raise
            _fail(str(exc), exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except (click.exceptions.Abort, KeyboardInterrupt):
            if wants_json():
                _json_error("interrupted", "interrupted (Ctrl-C)", wants_json())
            click.echo(interrupted(), err=True, nl=False)
            sys.exit(130)
        except click.ClickException as exc:
            if given("debug", "--debug"):
                raise
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else "mlefit"
            hint = f" (see '{where} --help')" if isinstance(exc, click.UsageError) else ""
            if wants_json():
                _json_error("usage_error", exc.format_message(), wants_json())
            _fail(exc.format_message() + hint, exc.exit_code)
        except MlefitError as exc:
            if given("debug", "--debug"):
                raise
            if wants_json():
                if isinstance(exc, ConvergenceError) and exc.result is not None:
                    _json_out(exc.result.to_dict(), wants_json())
                else:
                    _json_error(exc.kind, str(exc), wants_json())
            _fail(str(exc), exc.exit_code)
        except MemoryError as exc:  # the data (or what they ask for) outgrow the memory there is
            if given("debug", "--debug"):
                raise
            message = (f"out of memory ({plain(str(exc)) or type(exc).__name__}): the data need more memory "
                       f"than this process may use; read them in chunks (--chunk-size ROWS) where the fit "
                       f"allows it, or use a machine with more memory")
            if wants_json():
                _json_error("out_of_memory", message, wants_json())
            _fail(message, 1)
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            if given("debug", "--debug"):
                raise
            message = (f"internal error ({type(exc).__name__}: {exc}); rerun with --debug "
                       f"for the traceback and please report it")
            if wants_json():
                _json_error("internal_error", message, wants_json())
            _fail(message, 1)
