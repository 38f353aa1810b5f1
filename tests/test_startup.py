"""Heavy modules load only where needed: --help imports none of numpy, scipy, pandas;
a closed-form fit imports no scipy and no pandas. Checked in a fresh interpreter."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
PROBE = """
import sys, json
sys.argv = {argv!r}
from mlefit.cli import cli
try:
    cli()
except SystemExit:
    pass
heavy = [m for m in ("numpy", "scipy", "scipy.stats", "scipy.special", "pandas", "pyarrow", "rich")
         if m in sys.modules]
print(json.dumps(heavy), file=sys.stderr)
"""


def loaded(argv):
    proc = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [["mlefit", "--help"], ["mlefit", "fit", "--help"], ["mlefit", "--version"]])
def test_help_imports_nothing_heavy(argv):
    assert loaded(argv) == []


def test_closed_form_fit_imports_no_scipy_or_pandas():
    mods = loaded(["mlefit", "fit", str(SAMPLE / "horsekicks.csv"), "--dist", "poisson"])
    assert "numpy" in mods and "pyarrow" in mods
    assert not {"scipy", "scipy.stats", "scipy.special", "pandas"} & set(mods)


def test_iterative_fit_avoids_scipy_stats():
    mods = loaded(["mlefit", "fit", str(SAMPLE / "michelson.csv"), "-c", "speed", "--dist", "gamma"])
    assert "numpy" in mods and "scipy.stats" not in mods and "pandas" not in mods


def test_python_m_mlefit_and_console_script():
    proc = subprocess.run([sys.executable, "-m", "mlefit", "fit", str(SAMPLE / "horsekicks.csv"),
                           "-d", "poisson", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["parameters"][0]["estimate"] == 0.61
