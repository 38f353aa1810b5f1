"""The command's entry: `python -m mlefit`, and the `mlefit` console script (run).

Ctrl-C is answered from the first line mlefit runs: while the CLI's modules load (click,
numpy, pyarrow: a few hundred milliseconds) a SIGINT writes "mlefit: interrupted" and
exits 130 at once, whatever module was being imported; once the CLI runs, Ctrl-C is a
KeyboardInterrupt that its error edge turns into the same line and exit code (and, with
--json, the JSON error object). Before this module runs, the interpreter's own start-up
(site, .pth files) is beyond mlefit's reach."""
import os
import signal

from .exits import interrupted


def _interrupted(signum, frame):
    try:
        os.write(2, interrupted().encode())
    except OSError:  # stderr closed: nothing more can be said
        pass
    os._exit(130)


def run():
    """The console script's entry: quiet on Ctrl-C while loading, then cli.main."""
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main
    main()


if __name__ == "__main__":
    run()
