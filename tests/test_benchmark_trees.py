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
