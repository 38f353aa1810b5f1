"""Progress on stderr for long work (bootstrap samples, profiles, likelihood grids, chunks
read, fits by iteration, Dask). On a terminal, a rich progress bar once the work has run
AFTER seconds (quick work shows nothing and pays no bar). Off a terminal (a log, a pipe, CI), nothing
for work that ends within AFTER seconds; past that, one plain line per stage (when the
stage starts, or at AFTER seconds for the first) and a line at each quarter of a known
total: no redrawn bar, so logs stay readable and stdout is never touched."""
import sys
import threading
import time

AFTER = 2.0  # seconds of quiet before the first line off a terminal


class _nothing:
    """A context that gives None (no progress to show)."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _progress:
    """Progress of `what` (total steps, 0 if unknown) on stderr: the context value has
    step(), update(completed), set_total(n) and stage(text)."""

    def __init__(self, what, total):
        self.what, self.total, self.shown = what, total, None

    def __enter__(self):
        self.shown = _LateBar(self.what, self.total) if sys.stderr.isatty() else _Lines(self.what, self.total)
        return self.shown

    def __exit__(self, *exc):
        self.shown.close()
        return False


class _Bar:
    """A rich progress bar (transient)."""

    def __init__(self, what, total):
        from rich.console import Console
        from rich.progress import Progress
        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task(what, total=total or None)

    def step(self):
        self.bar.advance(self.task)

    def update(self, completed):
        self.bar.update(self.task, completed=completed)

    def set_total(self, total):
        self.bar.update(self.task, total=total)

    def stage(self, text):
        self.bar.update(self.task, description=text)

    def close(self):
        self.bar.stop()


class _LateBar:
    """A _Bar started only after AFTER seconds, from what was recorded until then."""

    def __init__(self, what, total, after=None):
        self.what, self.text, self.total, self.done, self.bar = what, what, total, 0, None
        self.lock = threading.Lock()
        self.timer = threading.Timer(AFTER if after is None else after, self._late)
        self.timer.daemon = True
        self.timer.start()

    def _late(self):
        with self.lock:
            if self.bar is None and self.timer is not None:
                self.bar = _Bar(self.text, self.total)
                self.bar.update(self.done)

    def step(self):
        self.update(self.done + 1)

    def update(self, completed):
        with self.lock:
            self.done = completed
            if self.bar is not None:
                self.bar.update(completed)

    def set_total(self, total):
        with self.lock:
            self.total = total
            if self.bar is not None:
                self.bar.set_total(total)

    def stage(self, text):
        with self.lock:
            self.text = text
            if self.bar is not None:
                self.bar.stage(text)

    def close(self):
        with self.lock:
            self.timer.cancel()
            self.timer = None
            if self.bar is not None:
                self.bar.close()


class _Lines:
    """Plain lines on stderr once the work has run AFTER seconds: 'mlefit: <stage>...'
    for each stage and 'mlefit: <what>: 50% done (n of N)' at each quarter of a known
    total (of the whole work: stages do not restart it)."""

    def __init__(self, what, total, after=None, clock=time.monotonic):
        after = AFTER if after is None else after
        self.clock, self.start, self.after = clock, clock(), after
        self.what, self.text, self.total, self.done, self.quarter = what, what, total, 0, 0
        self.printed = None  # the stage text last printed
        self.lock = threading.Lock()
        self.timer = threading.Timer(after, self._late)
        self.timer.daemon = True
        self.timer.start()

    def _late(self):
        with self.lock:
            if self.printed is None:
                self._line(f"{self.text}...")

    def _line(self, text):
        self.printed = self.text
        print(f"mlefit: {text}", file=sys.stderr, flush=True)

    def _due(self):
        return self.clock() - self.start >= self.after

    def stage(self, text):
        with self.lock:
            self.text = text
            if self._due():
                self._line(f"{text}...")

    def set_total(self, total):
        with self.lock:
            self.total, self.quarter = total, 0

    def update(self, completed):
        with self.lock:
            self.done = completed
            self._quarters()

    def step(self):
        with self.lock:
            self.done += 1
            self._quarters()

    def _quarters(self):
        if not self.total:
            return
        q = min(4, 4 * self.done // self.total)
        if q > self.quarter:
            self.quarter = q
            if self._due() and q < 4:
                self._line(f"{self.what}: {25 * q}% done ({self.done:,} of {self.total:,})")

    def close(self):
        self.timer.cancel()
