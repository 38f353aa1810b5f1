"""The CLI leaves by os._exit after flushing its output (exits.leave): the exit status
and every byte of the output survive, and no teardown runs where pyarrow's threads
could abort the process."""
import io
import json
import subprocess
import sys

import pytest

from mlefit import exits
from cases import write


@pytest.mark.parametrize("code,status", [(None, 0), (0, 0), (1, 1), (2, 2), (130, 130), (256 + 3, 3)])
def test_status_is_what_sys_exit_gives(code, status):
    assert exits.status(code) == status


def test_a_message_exits_1_and_is_printed(capsys):
    assert exits.status("mlefit: stopped") == 1
    assert capsys.readouterr().err == "mlefit: stopped\n"


def test_leave_flushes_then_exits_without_teardown(monkeypatch):
    out, err, calls = io.StringIO(), io.StringIO(), []
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delitem(sys.modules, "distributed", raising=False)
    out.write("results")
    monkeypatch.setattr(out, "flush", lambda: calls.append("stdout"))
    monkeypatch.setattr(err, "flush", lambda: calls.append("stderr"))
    monkeypatch.setattr(exits.os, "_exit", lambda code: calls.append(code))
    exits.leave(2)
    assert calls == ["stdout", "stderr", 2]


def test_with_dask_loaded_leave_is_a_normal_exit(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", object())
    monkeypatch.setattr(exits.os, "_exit", lambda code: pytest.fail("os._exit with distributed loaded"))
    with pytest.raises(SystemExit) as done:
        exits.leave(1)
    assert done.value.code == 1


@pytest.mark.slow
def test_the_cli_process_keeps_its_output_and_status(tmp_path):
    path = write(tmp_path, "x\n" + "\n".join(str(0.5 + i) for i in range(2000)) + "\n")
    run = subprocess.run([sys.executable, "-m", "mlefit", "fit", path, "-d", "gamma", "--json", "--derive",
                          "mean,median,sd"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["family"] == "gamma"  # the whole document, flushed
    bad = subprocess.run([sys.executable, "-m", "mlefit", "fit", path, "-d", "poisson"], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("mlefit: error:") and bad.stdout == ""
    usage = subprocess.run([sys.executable, "-m", "mlefit", "fit", path, "-d", "nosuch"], capture_output=True, text=True)
    assert usage.returncode == 2
