"""Progress on stderr for long work (bootstrap samples, likelihood grids, chunks read):
shown only when stderr is a terminal, so pipes and logs stay clean."""
import sys


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
            return None
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
