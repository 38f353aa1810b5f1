"""Progress off a terminal: nothing for quick work; past progress.AFTER seconds one plain
line per stage and one at each quarter of a known total, on stderr only."""
import json
import time

import numpy as np
from click.testing import CliRunner

from mlefit.report import progress
from mlefit.cli import cli


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_lines_once_per_stage_and_quarter_after_the_quiet_period(capsys):
    clock = Clock()
    lines = progress._Lines("choosing a family", 0, after=2.0, clock=clock)
    try:
        lines.stage("fitting 3 families")
        lines.set_total(8)
        lines.step()
        lines.step()  # 25%, but within the quiet period: nothing
        clock.now = 2.5
        lines.stage("goodness of fit of gamma (1 of 3)")
        for _ in range(6):
            lines.step()  # 50%, 75%, then 100% (the end, not a line)
    finally:
        lines.close()
    assert capsys.readouterr().err.splitlines() == [
        "mlefit: goodness of fit of gamma (1 of 3)...",
        "mlefit: choosing a family: 50% done (4 of 8)",
        "mlefit: choosing a family: 75% done (6 of 8)"]


def test_the_first_stage_is_said_when_the_quiet_period_ends(capsys):
    lines = progress._Lines("bootstrap goodness of fit", 199, after=0.05)
    time.sleep(0.5)
    lines.close()
    assert capsys.readouterr().err == "mlefit: bootstrap goodness of fit...\n"
    quick = progress._Lines("bootstrap goodness of fit", 199, after=5.0)
    quick.close()
    time.sleep(0.05)
    assert capsys.readouterr().err == ""


def test_select_off_a_terminal_says_its_stages_on_stderr(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "AFTER", 0.0)
    path = tmp_path / "x.csv"
    np.savetxt(path, np.random.default_rng(0).gamma(2.0, 1.0, 200), header="x", comments="")
    result = CliRunner().invoke(cli, ["select", str(path), "--families", "gamma,weibull", "--bootstrap", "19",
                                      "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["ranking"]
    err = result.stderr.splitlines()
    assert "mlefit: fitting 2 families..." in err
    assert any(e.startswith("mlefit: goodness of fit of gamma (") for e in err)
    assert all(e.startswith("mlefit: ") for e in err)


def test_profile_intervals_and_gof_say_their_stage(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "AFTER", 0.0)
    path = tmp_path / "x.csv"
    np.savetxt(path, np.random.default_rng(0).gamma(2.0, 1.0, 100), header="x", comments="")
    prof = CliRunner().invoke(cli, ["fit", str(path), "-d", "gamma", "--interval", "profile", "--json"])
    assert prof.exit_code == 0 and "mlefit: profile-likelihood intervals..." in prof.stderr
    gof = CliRunner().invoke(cli, ["fit", str(path), "-d", "gamma", "--gof", "--bootstrap", "19", "--json"])
    assert gof.exit_code == 0 and "mlefit: bootstrap goodness of fit..." in gof.stderr
    json.loads(gof.stdout)


def test_fits_by_iteration_say_their_stage_and_closed_forms_say_nothing(tmp_path, monkeypatch):
    """Issue 21, point 10: a normal mixture's EM (and every fit by iteration) said nothing
    however long it ran."""
    monkeypatch.setattr(progress, "AFTER", 0.0)
    path = tmp_path / "x.csv"
    rng = np.random.default_rng(0)
    np.savetxt(path, np.r_[rng.normal(0, 1, 200), rng.normal(4, 1, 200)], header="x", comments="")
    mix = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal_mixture:2", "--json"])
    assert mix.exit_code == 0 and "mlefit: fitting normal_mixture:2..." in mix.stderr
    json.loads(mix.stdout)
    closed = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "--json"])
    assert closed.exit_code == 0 and closed.stderr == ""


def test_the_terminal_bar_starts_only_after_the_quiet_period(monkeypatch):
    """On a terminal the rich bar is drawn only once the work has run AFTER seconds; what
    happened before is carried over."""
    made = []

    class Recorder:
        def __init__(self, what, total):
            self.calls = [("new", what, total)]
            made.append(self)

        def update(self, done):
            self.calls.append(("update", done))

        def stage(self, text):
            self.calls.append(("stage", text))

        def set_total(self, total):
            self.calls.append(("total", total))

        def close(self):
            self.calls.append(("close",))

    monkeypatch.setattr(progress, "_Bar", Recorder)
    quick = progress._LateBar("quick", 10, after=60.0)
    quick.step()
    quick.close()
    assert made == []
    slow = progress._LateBar("slow", 10, after=0.0)
    slow.timer.join()
    slow.step()
    slow.stage("second")
    slow.close()
    assert made[0].calls == [("new", "slow", 10), ("update", 0), ("update", 1), ("stage", "second"), ("close",)]
