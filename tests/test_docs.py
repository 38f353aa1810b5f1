"""The README and the pages of docs/ say what mlefit does: their tables of options,
families, losses and JSON keys are checked against the code, the README's commands and
example output against a run, and every link against the files it points to.
(docs/bad-input.md has its own test: test_bad_input_doc.py.)"""
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SAMPLE = ROOT / "sample_data"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def text(page):
    return (DOCS / page).read_text() if page != "README.md" else (ROOT / page).read_text()


def table_after(page, heading, nth=0):
    """The rows (lists of cells) of the nth table after `heading` in a page, up to the
    next heading."""
    body = text(page)
    start = body.index(heading)
    end = body.find("\n#", start + len(heading))
    section = body[start:end if end >= 0 else len(body)]
    tables, current = [], []
    for line in section.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    rows = tables[nth][2:]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]] for row in rows]


def keys(page, heading, nth=0):
    """The keys a JSON table names in its first column (`a`, `b` in one cell)."""
    return {k for row in table_after(page, heading, nth) for k in re.findall(r"`([^`]+)`", row[0])}


def run_json(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args] + ["--json"], input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- README


def test_readme_quick_start_commands_are_what_ci_runs():
    """The two quick-start commands: the first installs and fits the bundled sample; the
    second installs the test extras and runs the suite, as .ci/run does."""
    readme = text("README.md")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert blocks[0] == "python3 -m pip install . && python3 -m mlefit fit sample_data/horsekicks.csv --dist poisson"
    assert blocks[1] == 'python3 -m pip install -e ".[test,dask]" && python3 -m pytest'
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install --quiet --disable-pip-version-check -e ".[test,dask]"' in ci
    assert re.search(r'^"\$PY" -m pytest$', ci, re.M)


def test_readme_quick_start_output_is_what_the_command_prints():
    readme = text("README.md")
    shown = re.findall(r"\n```\n(poisson fit to .*?)```", readme, re.S)[0]
    run = subprocess.run([sys.executable, "-m", "mlefit", "fit", "sample_data/horsekicks.csv", "--dist", "poisson"],
                         cwd=ROOT, capture_output=True, text=True, env={"COLUMNS": "80", "PATH": ""})
    assert run.returncode == 0, run.stderr
    assert [line.rstrip() for line in run.stdout.strip("\n").splitlines()] == \
        [line.rstrip() for line in shown.strip("\n").splitlines()]


def test_readme_tour_commands_parse():
    """Every `mlefit ...` line of the tour names a command and options that exist."""
    readme = text("README.md")
    tour = re.findall(r"```sh\n(.*?)\n```", readme, re.S)[2]
    for line in tour.splitlines():
        words = shlex.split([part for part in line.split("#")[0].split("|") if "mlefit" in part][0])
        words = words[words.index("mlefit") + 1:]
        command = cli.commands[words[0]]
        names = {o for p in command.params for o in p.opts + p.secondary_opts}
        for word in words[1:]:
            if word.startswith("-") and word != "-":
                assert word in names, (line, word)


def slug(heading):
    """GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_reach_files_and_headings(page):
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        where = (page.parent / path).resolve() if path else page
        assert where.exists(), (page.name, target)
        if anchor:
            headings = re.findall(r"^#+ (.*)$", where.read_text(), re.M)
            assert anchor in {slug(h) for h in headings}, (page.name, target)


def test_every_docs_page_is_linked_from_the_readme():
    readme = text("README.md")
    for page in DOCS.glob("*.md"):
        assert f"(docs/{page.name})" in readme, page.name


# ---------------------------------------------------------------- options, families, losses


def test_options_table_names_every_option_of_fit():
    """docs/options.md's table and `mlefit fit --help` name the same options."""
    documented = set()
    for row in table_after("options.md", "## Options"):
        documented |= set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", row[0]))
    params = cli.commands["fit"].params
    options = {o for p in params for o in p.opts + p.secondary_opts if o.startswith("-")}
    assert documented == options
    assert "`FILE...`" in table_after("options.md", "## Options")[0][0]


def test_families_table_is_the_registry():
    """docs/families.md lists each family once, with its parameters and its scipy and R
    equivalents as `mlefit families --json` gives them."""
    listed = {}
    for row in table_after("families.md", "# Families"):
        listed[re.split(r"[: ]", row[0])[0]] = row
    registry = run_json("families")["families"]
    assert set(listed) == {f["usage"].split(":")[0] for f in registry}
    for f in registry:
        row = listed[f["usage"].split(":")[0]]
        for p in f["parameters"]:
            assert re.sub(r"\[.*", "", p["name"]) in row[1], (f["name"], p["name"])


def test_losses_table_is_the_catalog():
    from mlefit.losses import LOSSES
    rows = table_after("losses.md", "# Losses are likelihoods")
    documented = {re.split(r"[: ]", r[0])[0]: re.split(r"[: ]", r[1])[0] for r in rows}
    assert documented == {loss.name: loss.family.split(":")[0] for loss in LOSSES}


# ---------------------------------------------------------------- JSON (docs/json.md)


def test_fit_json_table_is_to_dict():
    """The keys of a fit, of a parameter and of the resampling record are exactly those
    to_dict() gives; gof appears with --gof only."""
    plain = mlefit.fit([3, 1, 4, 1, 5], "poisson").to_dict()
    assert keys("json.md", "## A fit") - {"gof"} == set(plain)
    full = run_json("fit", SAMPLE / "michelson.csv", "-c", "speed", "-d", "gamma", "--robust", "--derive", "mean",
                    "--interval", "all", "--bootstrap", "5", "--gof")
    assert keys("json.md", "## A fit") == set(full)
    assert keys("json.md", "### A parameter") == set(full["parameters"][0]) == set(full["derived"][0])
    assert set(plain["parameters"][0]) <= keys("json.md", "### A parameter")
    assert keys("json.md", "### `resampling`") == set(full["resampling"])
    assert set(full["gof"]) == {"bootstrap", "seed", "tests", "notes"}
    assert keys("json.md", "## select, lrt", 2) == set(full["gof"]["tests"][0])


def test_by_select_lrt_and_compare_losses_tables_are_their_objects():
    by = run_json("fit", "-", "-c", "x", "--by", "g", "-d", "poisson", input="g,x\na,1\na,2\nb,3\nb,1\n")
    assert keys("json.md", "## `--by`") == set(by)
    sel = run_json("select", SAMPLE / "horsekicks.csv", "--bootstrap", "5")
    assert keys("json.md", "## select, lrt", 0) == set(sel)
    assert keys("json.md", "## select, lrt", 1) == set(sel["ranking"][0])
    assert keys("json.md", "## select, lrt", 2) == set(sel["ranking"][0]["gof"][0])
    assert keys("json.md", "## select, lrt", 3) == set(sel["lrt"][0])
    lrt = run_json("lrt", SAMPLE / "horsekicks.csv", "--null", "poisson", "--alt", "negative_binomial")
    assert keys("json.md", "## select, lrt", 4) == set(lrt)
    assert keys("json.md", "## select, lrt", 3) == set(lrt["test"])
    with_prediction = run_json("compare-losses", "-", "--target", "y", "--prediction", "p",
                               input="y,p\n1,1.2\n2,1.8\n3,3.3\n0,0.4\n1,0.9\n2,2.5\n")
    without = run_json("compare-losses", SAMPLE / "michelson.csv", "--target", "speed")
    covariates = run_json("compare-losses", "-", "--target", "y", "-x", "x", "--losses", "bce,mse", "--folds", "4",
                          input="y,x\n0,1\n0,2\n0,3\n1,4\n0,5\n1,6\n1,7\n1,8\n")  # bce: a fold separated
    assert keys("json.md", "## compare-losses", 0) == set(with_prediction) == set(without) == set(covariates)
    rows = table_after("json.md", "## compare-losses", 1)
    for mode, out in (("with_prediction", with_prediction), ("without_prediction", without),
                      ("with_covariates", covariates)):
        assert out["mode"] == mode
        documented = {k for r in rows if mode in r[1].split(", ") or r[1] == "every"
                      for k in re.findall(r"`([^`]+)`", r[0])}
        assert documented == set().union(*map(set, out["rows"])), mode


def test_json_error_types_are_the_ones_documented():
    from mlefit.errors import MlefitError, OutputError

    said = re.search(r"where `type` is one of (.*?);", text("json.md"), re.S).group(1)
    documented = set(re.findall(r"`(\w+)`", said))
    kinds = {c.kind for c in _subclasses(MlefitError) - {MlefitError, OutputError}}  # no stdout: no JSON
    assert kinds | {"usage_error", "internal_error", "interrupted"} == documented


def _subclasses(cls):
    out = {cls}
    for sub in cls.__subclasses__():
        out |= _subclasses(sub)
    return out


# ---------------------------------------------------------------- methods


@pytest.mark.slow
def test_methods_example_is_what_the_command_prints():
    """docs/methods.md's table of every kind of interval (999 seeded resamples)."""
    page = text("methods.md")
    command = re.search(r"^(mlefit fit sample_data/michelson.csv -c speed -d gamma --interval all --derive "
                        r"mean,sf:900)$", page, re.M).group(1)
    shown = re.findall(r"\n```\n(gamma fit to .*?)```", page, re.S)[0]
    run = subprocess.run([sys.executable, "-m", *shlex.split(command)], cwd=ROOT, capture_output=True, text=True,
                         env={"COLUMNS": "80", "PATH": ""})
    assert run.returncode == 0, run.stderr
    printed = [line.rstrip() for line in run.stdout.splitlines()]
    for line in shown.strip("\n").splitlines():
        assert line.rstrip() in printed, line
