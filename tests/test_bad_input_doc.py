"""Runs every row of docs/bad-input.md: the documented exit code and text must be
exactly what a user gets."""
import codecs
import shlex
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


@pytest.mark.parametrize("stdin,command,code,seen", rows())
def test_documented_behaviour(stdin, command, code, seen, tmp_path):
    argv = [a.replace("{dir}", str(tmp_path)) for a in shlex.split(command)][1:]
    data = codecs.escape_decode(stdin.encode())[0] if stdin else b""
    result = CliRunner().invoke(cli, argv, input=data)
    assert result.exit_code == code, result.output
    if code:
        assert result.stderr.strip() == seen.replace("{dir}", str(tmp_path))
        assert "Traceback" not in result.output
    else:
        assert seen in " ".join(result.stdout.split())
