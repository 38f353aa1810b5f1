"""The option bundles of mlefit/cli/options.py: a command receives its options as a few
frozen, typed records, never as a long list of keyword parameters, and the records hold
what was typed (the options' names, defaults and help are click's, unchanged)."""
import inspect
import sys
from typing import NamedTuple

import click
import pytest
from click.testing import CliRunner

from mlefit.cli import cli
from mlefit.cli.options import Columns, Estimation, Reading, bundle, gather


def unwrapped(command):
    f = command.callback
    while hasattr(f, "__wrapped__"):
        f = f.__wrapped__
    return f


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_takes_a_few_records(name):
    parameters = inspect.signature(unwrapped(cli.commands[name])).parameters
    assert len(parameters) <= 12, list(parameters)


def test_bundle_and_gather_pack_the_options_into_records():
    seen = {}

    class Pair(NamedTuple):
        a: int = 1
        b: str | None = None

    @click.command()
    @click.option("--a", type=int, default=1)
    @click.option("--other")
    @click.option("--b")
    @bundle(Columns, "columns", [click.option("--column"), click.option("--weights")])
    @gather(Pair, "pair")
    def command(other, pair, columns):
        seen.update(other=other, pair=pair, columns=columns)

    result = CliRunner().invoke(command, ["--b", "x", "--other", "o", "--weights", "w", "--a", "3"])
    assert result.exit_code == 0, result.output
    assert seen == {"other": "o", "pair": Pair(3, "x"), "columns": Columns(None, "w")}
    with pytest.raises(AttributeError):
        seen["pair"].a = 4
    assert [p.name for p in command.params] == ["a", "other", "b", "column", "weights"]  # --help's order


def test_gathered_records_are_packed_by_one_wrapper():
    """However many bundles a command has, its body runs under one wrapper (not one more
    frame per bundle: fit has ten, and ten frames more moved the fit's busiest calls
    across a boundary of Python 3.11's frame stack, each crossing an mmap, a page fault
    and an munmap: some 1,850 page faults in a fresh `python -m mlefit fit`)."""
    depth = {}

    class One(NamedTuple):
        a: int = 1

    class Two(NamedTuple):
        b: int = 2

    @click.command()
    @click.option("--a", type=int, default=1)
    @click.option("--b", type=int, default=2)
    @gather(One, "one")
    @gather(Two, "two")
    @bundle(Columns, "columns", [click.option("--column")])
    def command(one, two, columns):
        depth["packed"] = sum(frame.function == "packed" for frame in inspect.stack())
        depth["records"] = (one, two, columns)

    result = CliRunner().invoke(command, ["--a", "5", "--column", "c"])
    assert result.exit_code == 0, result.output
    assert depth == {"packed": 1, "records": (One(5), Two(2), Columns("c", None))}
    assert [p.name for p in command.params] == ["a", "b", "column"]


def test_fit_receives_what_was_typed(monkeypatch):
    """fit's records as its body sees them (caught where it parses --derive): the typed
    values, the defaults else."""
    import mlefit.cli.fit

    captured = {}

    def catch(specs):
        captured.update(sys._getframe(1).f_locals)
        raise SystemExit(0)
    monkeypatch.setattr(mlefit.cli.fit, "derive_specs", catch)  # fit's own name: no other module sees it
    result = CliRunner().invoke(cli, ["fit", "x.csv", "-d", "gamma", "-w", "n", "--fix", "shape=2",
                                      "--delimiter", ";", "--strict", "--event", "e", "--chunk-size", "5"])
    assert result.exit_code == 0, result.output
    assert captured["columns"] == Columns(column=None, weights="n")
    assert captured["estimation"] == Estimation(fix=("shape=2",))
    assert captured["reading"] == Reading(delimiter=";", strict=True)
    assert captured["censoring"].event == "e" and captured["censoring"].asked()
    assert captured["engine"].chunk_size == 5 and captured["engine"].engine == "local"
    assert captured["model"].dist == "gamma" and not captured["own"].asked()
    assert captured["output"].format() == "table"


def test_reading_checks_the_delimiter():
    from mlefit.errors import UsageError

    assert Reading(delimiter="tab").read_options().delimiter == "\t"
    assert Reading(na_values="-999, ?").read_options().na_values == ("-999", "?")
    with pytest.raises(UsageError, match="--delimiter must be one ASCII character"):
        Reading(delimiter=";;").read_options()
