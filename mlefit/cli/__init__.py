"""The command line (click; no maths here): parse options, call the library, emit.

- `group.py`: the `mlefit` group and the run (`main`); `edge.py`: its one error edge
  (every way a run ends, as one line and an exit code); `once.py`: a single-valued option
  given twice is refused;
- `options.py`: the option bundles shared by the commands, each handing the command one
  typed, frozen option record (input, selection, intervals, output, engine, ...);
  `censor.py` and `own.py`: the censoring options and a user's own model (their bundles and
  how the command reads them); `columns.py`: the value column read with its weights or
  trials; `ranking.py`: families fitted and ranked (fit --dist auto, select); `by.py`:
  fit --by; `fit_output.py`: one fit's output (JSON, tables, plot, goodness of fit);
- one module per command: `fit.py`, `families.py`, `select.py`, `lrt.py`,
  `compare_losses.py`, `likelihood.py`, `regress.py`, `predict.py`, each imported when
  its command is first looked up (group.COMMANDS). No command module imports another
  (tests/test_layout.py).

Imports stay light (click only) so `mlefit --help` starts instantly; numpy, scipy,
pyarrow and rich load inside the commands that need them."""
from .group import cli, main

__all__ = ["cli", "main"]
