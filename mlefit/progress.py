"""Progress on stderr for long work (bootstrap samples, likelihood grids, chunks read,
groups fitted): a bar redrawn in place when stderr is a terminal; otherwise one line per
stage, written once the stage has run for QUIET_SECONDS (how far it got and about how
long the rest takes), so a log shows that a long run is alive and short runs say nothing."""
import sys
import time

QUIET_SECONDS = 2.0


class _nothing:
    """A context that gives None (no progress to show)."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _progress:
    """A rich progress bar on stderr, shown only when stderr is a terminal: the context
    value (None otherwise) has step() and set_total(n)."""

    def __init__(self, what, total):
        self.what, self.total, self.bar, self.task = what, total, None, None

    def __enter__(self):
        if not sys.stderr.isatty():
            return _line(self.what, self.total)
        from rich.console import Console
        from rich.progress import Progress
        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task(self.what, total=self.total or None)
        return self

    def step(self):
        self.bar.advance(self.task)

    def update(self, completed):
        self.bar.update(self.task, completed=completed)

    def set_total(self, total):
        self.bar.update(self.task, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


class _line:
    """Off a terminal: one line on stderr for a stage still running after QUIET_SECONDS,
    at its first step past that time; nothing for a shorter stage."""

    def __init__(self, what, total):
        self.what, self.total, self.done, self.said = what, total, 0, False
        self.start = time.monotonic()

    def step(self):
        self.update(self.done + 1)

    def update(self, completed):
        self.done = completed
        if self.said:
            return
        elapsed = time.monotonic() - self.start
        if elapsed < QUIET_SECONDS:
            return
        self.said = True
        from .cli_edge import say
        say(f"mlefit: {self.what}: {_how_far(self.done, self.total, elapsed)}", err=True)

    def set_total(self, total):
        self.total = total


def _how_far(done, total, elapsed):
    """'12% done after 2.1 s, about 15 s to go' (or without a total: 'still running after 2.1 s')."""
    if not total or not 0 < done <= total:
        return f"still running after {elapsed:.1f} s"
    rest = elapsed * (total - done) / done
    return f"{100 * done / total:.0f}% done after {elapsed:.1f} s, about {rest:.0f} s to go"
