"""Runs every row of docs/bad-input.md: the documented exit code and text must be
exactly what a user gets."""
import codecs
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlefit.cli import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "bad-input.md"


def rows():
    out = []
    for line in DOC.read_text().splitlines():
        if not line.startswith("| ") or line.startswith(("| case", "| ---")):
            continue
        case, stdin, command, code, seen = (c.strip() for c in line.strip().strip("|").split(" | "))
        out.append(pytest.param(stdin.strip("`") if stdin != "(none)" else "", command.strip("`"),
                                int(code), seen.strip("`"), id=case))
    return out


def test_the_table_is_there():
    assert len(rows()) >= 30


# Rows with shell syntax (the standard streams closed or full, a file set up first: ln -s
# ...; mlefit ...) run in a shell, as typed; a pipe is written \| in the table
SHELL = set("<>|;")


def run_in_shell(command, data, tmp_path):
    run = subprocess.run(["sh", "-c", command.replace("mlefit", f'"{sys.executable}" -m mlefit', 1)],
                         input=data, capture_output=True, cwd=tmp_path)
    return run.returncode, run.stdout.decode(), run.stderr.decode()


@pytest.mark.parametrize("stdin,command,code,seen", rows())
def test_documented_behaviour(stdin, command, code, seen, tmp_path):
    data = codecs.escape_decode(stdin.encode())[0] if stdin else b""
    command = command.replace("\\|", "|")
    if SHELL & set(command):
        exit_code, stdout, stderr = run_in_shell(command, data, tmp_path)
    else:
        argv = [a.replace("{dir}", str(tmp_path)) for a in shlex.split(command)][1:]
        result = CliRunner().invoke(cli, argv, input=data)
        exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert exit_code == code, stdout + stderr
    if code:
        assert stderr.strip() == seen.replace("{dir}", str(tmp_path))
        assert "Traceback" not in stdout + stderr
    else:
        assert seen in " ".join(stdout.split())
