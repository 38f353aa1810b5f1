"""compare-losses' result record (a module of its own: a plain fit, which loads
report.result, does not define it)."""
from dataclasses import dataclass, field

from .result import SCHEMA_VERSION, _clean, shown


@dataclass(frozen=True)
class Comparison:
    """What compare-losses found: one row per loss, in the mode it ran in."""

    mode: str
    n: int
    rows: tuple
    source: str | None = None
    target: str | None = None
    prediction: str | None = None
    summary: dict = field(default_factory=dict)
    notes: tuple = ()
    rows_read: int | None = None
    dropped: tuple = ()
    penalties: tuple = ()  # the reference mode's penalties, as the priors they are

    def __str__(self):
        """The table `mlefit compare-losses` prints, as plain text."""
        from . import losses as render_losses
        show = {"soft_labels": "soft"}.get(self.mode, self.mode)
        return shown(getattr(render_losses, show), self.to_dict())

    def to_dict(self):
        return _clean({"schema_version": SCHEMA_VERSION, "mode": self.mode, "source": self.source,
                       "target": self.target, "prediction": self.prediction, "n": self.n,
                       "rows_read": self.rows_read, "n_dropped": sum(d.count for d in self.dropped),
                       "dropped": [d.to_dict() for d in self.dropped],
                       "rows": list(self.rows), "penalties": list(self.penalties), "summary": self.summary,
                       "notes": list(self.notes)})
