"""Standard streams that are closed, full or cannot encode the output: one line on
stderr and exit 1 for an I/O failure, escaped text for an encoding that lacks a
character; never a traceback or an 'internal error'."""
import os
import subprocess
import sys

import pytest

from cases import write

MLEFIT = f'"{sys.executable}" -m mlefit'


def shell(command, **kw):
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, **kw)


@pytest.fixture
def data(tmp_path):
    return write(tmp_path, "x\n1\n2\n3.5\n4\n")


def one_line(err):
    assert "Traceback" not in err and "internal error" not in err, err
    assert err.count("\n") == 1, err
    return err.strip()


def test_closed_stdout_is_one_line_and_exit_1(data):
    run = shell(f'{MLEFIT} fit "{data}" -d normal >&-')
    assert run.returncode == 1
    assert one_line(run.stderr) == ("mlefit: error: standard output is closed: there is nowhere to write the "
                                    "results; redirect it to a file or /dev/null instead")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("extra", [[], ["--json"], ["--format", "ndjson"]])
def test_full_stdout_is_one_line_and_exit_1(data, extra):
    run = shell(f'{MLEFIT} fit "{data}" -d normal {" ".join(extra)} > /dev/full')
    assert run.returncode == 1
    assert one_line(run.stderr) == "mlefit: error: cannot write to standard output: No space left on device"


def test_closed_stdin_is_one_line_and_exit_1():
    run = shell(f"{MLEFIT} fit - -d normal <&-")
    assert run.returncode == 1
    assert one_line(run.stderr) == ("mlefit: error: standard input is closed: there is nothing to read as -; "
                                    "give a file, or pipe the data in")


def test_closed_stderr_still_gives_the_exit_code(data):
    assert shell(f'{MLEFIT} fit "{data}" -d poisson 2>&-').returncode == 1
    assert shell(f'{MLEFIT} fit "{data}" -d normal > /dev/full 2>&-').returncode == 1


@pytest.mark.slow
def test_an_ascii_terminal_gets_escapes_not_a_crash(tmp_path):
    labels = write(tmp_path, "x\ncaf\u00e9\nb\nb\n", "labels.csv")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    run = shell(f'{MLEFIT} fit "{labels}" -d categorical', env=env)
    assert run.returncode == 0 and run.stderr == ""
    assert "p[caf\\xe9]" in run.stdout
    rows = [line for line in run.stdout.splitlines() if line.startswith("|")]
    assert len({len(line) for line in rows}) == 1, run.stdout  # escaped before rich measures the cells
    numbers = write(tmp_path, "x\n1\n2\n3\n4\n5\n3\n", "numbers.csv")
    run = shell(f'{MLEFIT} select "{numbers}" --families normal,laplace --bootstrap 0', env=env)
    # stderr: nothing, or the progress lines a loaded machine shows after 2 s of work (progress.AFTER)
    assert run.returncode == 0 and all(line.startswith("mlefit: goodness of fit of ") and line.endswith("...")
                                       for line in run.stderr.splitlines()), run.stderr
    assert "\\u0394AIC" in run.stdout


def test_stdin_open_only_for_writing_is_a_read_error(tmp_path):
    for extra in ("", "--chunk-size 10"):
        run = shell(f'{MLEFIT} fit - -d normal {extra} 0>"{tmp_path}/w"')
        assert run.returncode == 1
        assert one_line(run.stderr) in ("mlefit: error: cannot read standard input: Bad file descriptor",
                                        "mlefit: error: cannot read '<stdin>': Bad file descriptor")
