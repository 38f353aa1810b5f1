"""The before/after benchmark helpers run the tree they are given, even when started
from a checkout's root: `python -c` and `python -m` put the working directory ahead of
PYTHONPATH on sys.path, so a child started there imports the checkout's mlefit whatever
tree PYTHONPATH names (record_ab.run did, and with it every figure of trials_rows_ab,
censored_record_ab and regress_record_ab run from the root). No timing is asserted."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import commands_ab  # noqa: E402
import record_ab  # noqa: E402


def _fake_tree(tmp_path):
    """A tree whose mlefit is recognisable: mlefit.MARK = 7, and `python -m mlefit` exits 3
    saying so."""
    pkg = tmp_path / "tree" / "mlefit"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("MARK = 7\n")
    (pkg / "__main__.py").write_text("import sys\nsys.exit('fake tree ran')\n")
    return str(tmp_path / "tree")


def test_record_ab_times_the_tree_it_is_given(tmp_path, monkeypatch):
    tree = _fake_tree(tmp_path)
    monkeypatch.chdir(ROOT)  # where the Reproduce lines start it; ROOT holds the real mlefit/
    assert record_ab.run(tree, "print(mlefit.MARK)") == 7.0


def test_commands_ab_runs_the_tree_it_is_given(tmp_path, monkeypatch):
    tree = _fake_tree(tmp_path)
    monkeypatch.chdir(ROOT)
    wall, err = commands_ab.once(["mlefit", "fit", "sample_data/horsekicks.csv", "-d", "poisson"], tree, 120)
    assert wall is None and err == "fake tree ran"
    wall, err = commands_ab.once(["mlefit", "fit", "sample_data/horsekicks.csv", "-d", "poisson"], str(ROOT), 120)
    assert err is None and wall > 0
    assert os.getcwd() == str(ROOT)


def test_compile_trees_writes_the_bytecode_the_runs_will_read(tmp_path, monkeypatch):
    """Before two trees are timed, each one's bytecode is written where the runs look for
    it (PYTHONPYCACHEPREFIX, which _bench sets where PYTHONDONTWRITEBYTECODE was): a tree
    without a cache compiled every module at each run, 30-70 ms of every_family_1e7's
    figures, so a before/after measured which tree had one."""
    import subprocess
    import _bench
    tree = _fake_tree(tmp_path)
    Path(tree, "mlefit", "part.py").write_text("X = 1\n")
    cache = tmp_path / "cache"
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(cache))
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    _bench.compile_trees(tree)
    written = {p.name.split(".")[0] for p in cache.rglob("*.pyc") if "tree" in p.parts}
    assert written == {"__init__", "__main__", "part"}
    # a run of that tree then compiles nothing: it reads what was written
    probe = ("import importlib.util, sys, mlefit.part as m; "
             "print(importlib.util.cache_from_source(m.__file__))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={**os.environ, "PYTHONPATH": tree},
                         capture_output=True, text=True, check=True).stdout.strip()
    assert Path(out).exists() and Path(out).is_relative_to(cache)
