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


@pytest.mark.parametrize("argv", [["mlefit", "--help"], ["mlefit", "fit", "--help"], ["mlefit", "--version"],
                                  ["mlefit", "compare-losses"], ["mlefit", "compare-losses", "--help"],
                                  ["mlefit", "families"], ["mlefit", "families", "--json"]])
def test_help_imports_nothing_heavy(argv):
    assert not {"numpy", "scipy", "scipy.stats", "scipy.special", "pandas", "pyarrow"} & set(loaded(argv))


@pytest.mark.parametrize("args", [
    ["horsekicks.csv", "--dist", "poisson"],                       # integers
    ["michelson.csv", "-c", "speed", "--dist", "normal"],          # integers as reals
    ["infert.csv", "-c", "education", "--dist", "categorical"],    # text labels
    ["floats.csv", "--dist", "exponential", "--na-values", "-1"],  # NaN, blank cell, marker
])
def test_closed_form_fit_imports_no_scipy_or_pandas(args, tmp_path):
    (tmp_path / "floats.csv").write_text("x\n1.5\nNaN\n-1\n2.25\n \n")
    where = tmp_path if args[0] == "floats.csv" else SAMPLE
    mods = loaded(["mlefit", "fit", str(where / args[0]), *args[1:]])
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


def _mlefit(*args, env=None, **kw):
    import os
    full = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "mlefit", *args], env=full, capture_output=True, **kw)


def test_pipes_and_no_color_get_plain_text():
    hk = str(SAMPLE / "horsekicks.csv")
    assert b"\x1b" not in _mlefit("fit", hk, "-d", "poisson").stdout  # not a terminal
    forced = _mlefit("fit", hk, "-d", "poisson", env={"FORCE_COLOR": "1"}).stdout
    assert b"\x1b" in forced  # the check can fail: forced styling is visible
    assert b"\x1b" not in _mlefit("fit", hk, "-d", "poisson", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_ctrl_c_exits_130_without_traceback():
    import signal
    import time
    proc = subprocess.Popen([sys.executable, "-m", "mlefit", "fit", "-", "-d", "normal"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.0)  # let it start and block reading standard input
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err and b"interrupted" in err


def test_closed_pipe_is_quiet():
    """`mlefit ... | head -1` with a large output: no BrokenPipeError, no traceback."""
    labels = "\n".join(f"label{i}" for i in range(20000))
    proc = subprocess.run(
        f"{sys.executable} -m mlefit fit - -d categorical --json | head -1",
        shell=True, input=("x\n" + labels + "\n").encode(), capture_output=True)
    assert proc.stdout.strip() == b"{"
    assert proc.stderr == b""
