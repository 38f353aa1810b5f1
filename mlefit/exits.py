"""Leaving the process at the end of a CLI run.

pyarrow's C++ thread pool can abort the process while the interpreter tears itself
down after a run that finished and printed its results: SIGABRT, exit status 134,
"terminate called without an active exception" on stderr (apache/arrow#34314). Here it
happened about once in 150 runs of a 10-row fit. So the CLI flushes its output and
ends with os._exit, skipping the teardown (which has nothing left to do: temporary
files are unlinked when made, files are closed by their with blocks). Where a Dask
client was used, distributed's exit handlers run: a normal exit then."""
import os
import sys


def interrupted():
    """What Ctrl-C ends a run with: one line on stderr, on a line of its own where a
    terminal has echoed ^C (stderr a terminal), exit code 130."""
    try:
        fresh = os.isatty(2)
    except OSError:
        fresh = False
    return ("\n" if fresh else "") + "mlefit: interrupted\n"


def status(code):
    """The exit status sys.exit(code) would give (None: 0; a message: 1, printed)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


def leave(code):
    code = status(code)
    if "distributed" in sys.modules:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None: closed when mlefit started (>&-)
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            pass
    os._exit(code)
