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
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(argv, env=None):
    """Every module a fresh interpreter holds after running `argv` (argv[0] is 'mlefit'),
    its standard output a pipe; `env` adds to (or, with None values, removes from) the
    environment."""
    import os
    full = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    proc = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True,
                          env=full)
    # the probe's own line is the last that is a JSON list: on a loaded machine a progress
    # line (stderr, after progress.AFTER seconds) may come after it, as the bar closes
    lines = [line for line in proc.stderr.strip().splitlines() if line.startswith('["')]
    assert lines, proc.stderr[-2000:]
    return json.loads(lines[-1])


@pytest.mark.parametrize("argv", [["mlefit", "--help"], ["mlefit", "fit", "--help"], ["mlefit", "--version"],
                                  ["mlefit", "compare-losses"], ["mlefit", "compare-losses", "--help"],
                                  ["mlefit", "families"], ["mlefit", "families", "--json"]])
def test_help_imports_nothing_heavy(argv):
    mods = set(loaded(argv))
    assert not {"numpy", "scipy", "scipy.stats", "scipy.special", "pandas", "pyarrow", "matplotlib"} & mods
    assert not [m for m in mods if m.startswith("mlefit.families.") and m != "mlefit.families.catalog"]


@pytest.mark.parametrize("argv", [["mlefit", "--help"], ["mlefit", "fit", "--help"],
                                  ["mlefit", "families", "--json"], ["mlefit", "compare-losses", "--json"]])
def test_no_table_no_rich(argv):
    """rich (rich.console alone is some 15 ms) loads only to draw a table."""
    assert not {m for m in loaded(argv) if m.split(".")[0] == "rich"}


@pytest.mark.parametrize("argv", [["mlefit", "--help"], ["mlefit", "fit", "--help"], ["mlefit", "families"],
                                  ["mlefit", "families", "--json"]])
def test_help_defines_no_dataclass(argv):
    """The help and the catalog define their records as typing.NamedTuple (a frozen
    dataclass of the catalog's Spec, 27 fields, cost some 3 ms at every start): the
    dataclasses module is not even loaded, nor difflib (the nearest name of an unknown
    family, looked up only then)."""
    assert not {"dataclasses", "difflib"} & set(loaded(argv))


def test_the_group_help_reads_no_catalog():
    """`mlefit --help` shows each command's summary: fit's epilog, which lists the families
    from the catalog (mlefit.families), is made only when fit's own help is shown."""
    assert not {"mlefit.families", "mlefit.families.catalog"} & set(loaded(["mlefit", "--help"]))
    assert "mlefit.families.catalog" in set(loaded(["mlefit", "fit", "--help"]))


HELP_PROBE = """
import importlib, sys
sys.argv = ["mlefit", "--help"]
from mlefit.cli import cli
from mlefit.cli.group import COMMANDS
if {load!r}:
    for module in COMMANDS.values():
        importlib.import_module("mlefit.cli." + module)
try:
    cli()
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith("mlefit.cli.")), file=sys.stderr)
"""


@pytest.mark.parametrize("columns", ["80", "50"])
def test_the_group_help_lists_the_commands_without_loading_them(columns):
    """`mlefit --help` lists each command by its summary (group.SUMMARIES) without importing
    the command's module, and the list is the very one the loaded commands give."""
    import os
    runs = [subprocess.run([sys.executable, "-c", HELP_PROBE.format(load=load)], capture_output=True, text=True,
                           env={**os.environ, "COLUMNS": columns}) for load in (False, True)]
    assert runs[0].stdout == runs[1].stdout and "Commands:" in runs[0].stdout
    assert runs[0].stderr.strip() == "['mlefit.cli.edge', 'mlefit.cli.group', 'mlefit.cli.once']"


def test_the_summaries_are_the_commands_docstrings():
    import click

    from mlefit.cli.group import COMMANDS, SUMMARIES, cli
    assert set(SUMMARIES) == set(COMMANDS)
    for name, summary in SUMMARIES.items():
        command = cli.get_command(click.Context(cli), name)
        assert summary.split() == command.help.split("\n\n")[0].split(), name


FAMILY_MODULES = {"mlefit.families." + m for m in (
    "bernoulli", "categorical", "poisson", "geometric", "negative_binomial", "binomial",
    "normal", "lognormal", "laplace", "exponential", "gamma", "weibull", "beta", "logistic", "cauchy", "gumbel",
    "log_logistic", "inverse_gaussian", "half_normal", "rayleigh", "zero_inflated_poisson",
    "student_t", "locscale", "pareto", "uniform", "counts", "robust", "mixture", "mixture_em")}


NO_FORCING = {"FORCE_COLOR": None, "TTY_COMPATIBLE": None}


@pytest.mark.parametrize("output, env", [(["--json"], NO_FORCING), ([], NO_FORCING),
                                         ([], {"FORCE_COLOR": "1"}), ([], {"TTY_COMPATIBLE": "1"})])
def test_poisson_fit_loads_its_family_only(output, env, tmp_path):
    """A closed-form fit of a small file: no scipy, pandas or matplotlib, no other family's
    module; with --json, or a table to a pipe, no rich (report/plain.py writes the text rich
    would); rich draws the table where it would style it (FORCE_COLOR, TTY_COMPATIBLE)."""
    ten = tmp_path / "ten.csv"
    ten.write_text("x\n" + "\n".join("3141592653"))
    mods = set(loaded(["mlefit", "fit", str(ten), "--dist", "poisson", *output], env))
    assert "mlefit.families.poisson" in mods and "numpy" in mods
    assert not {"scipy", "pandas", "matplotlib"} & mods
    assert FAMILY_MODULES & mods == {"mlefit.families.poisson"}
    rich = {m for m in mods if m.split(".")[0] == "rich"}
    if env is NO_FORCING:
        assert not rich
    else:
        assert "rich.table" in rich and "rich.console" in rich


@pytest.mark.parametrize("args", [
    [str(SAMPLE / "michelson.csv"), "-c", "speed", "-d", "gamma"],  # the long path's title wraps
    [str(SAMPLE / "michelson.csv"), "-c", "speed", "-d", "normal", "--robust"],  # a note wraps in its cell
    ["BY", "-c", "x", "--by", "g", "-d", "poisson"]])
def test_table_to_a_pipe_imports_no_rich(args, tmp_path):
    """The table of a fit (and of --by) written to a pipe or a file: no rich module, at 80
    columns as at 60 (where titles and notes wrap)."""
    (tmp_path / "by.csv").write_text("g,x\na,1\na,2\nb,0\nb,3\nb,1\n")
    args = [str(tmp_path / "by.csv") if a == "BY" else a for a in args]
    for columns in ("80", "60"):
        mods = loaded(["mlefit", "fit", *args], {**NO_FORCING, "COLUMNS": columns})
        assert not [m for m in mods if m.split(".")[0] == "rich"], columns


@pytest.mark.parametrize("name, home, also", [
    ("normal", "normal", ()),
    ("student_t", "student_t", ("normal", "locscale")),  # the normal limit, the shared Newton
    ("gumbel", "gumbel", ("locscale",)),
    ("pareto", "pareto", ())])
def test_a_family_loads_its_module_only(name, home, also):
    """families.get imports the module defining the family and those it imports, no other."""
    code = (f"import sys, json, mlefit.families as f; f.get({name!r}); "
            f"print(json.dumps(sorted(sys.modules)))")
    mods = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         check=True).stdout))
    assert "mlefit.families." + home in mods
    assert FAMILY_MODULES & mods <= {"mlefit.families." + m for m in (home, *also)}
    assert "scipy" not in mods


def test_family_map_matches_the_modules():
    """Every family without a fixed shape is defined in its own file, families/<name>.py:
    get() then gives the very record _implementations() has."""
    from pathlib import Path

    from mlefit import families
    every = families._implementations()
    shapeless = {s.name for s in families.SPECS if s.shape is None}
    assert set(every) == shapeless
    own = {p.stem for p in Path(families.__file__).parent.glob("*.py")}
    for name, fam in every.items():
        assert name in own, name
        assert getattr(families._module(name), name.upper()) is fam
        assert fam.name == name
        assert families.get(name) is fam and families.get(name.upper()) is fam
    for alias, name in [("gaussian", "normal"), ("nbinom", "negative_binomial"), ("t", "student_t"),
                        ("zip", "zero_inflated_poisson"), ("fisk", "log_logistic")]:
        assert families.get(alias) is every[name]


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


@pytest.mark.parametrize("output", [["--json"], []])
def test_iterative_fit_avoids_scipy(output, tmp_path):
    """gamma's Newton steps need log(a) - digamma(a), computed without scipy (numerics.py),
    below a shape of 20 (here about 2.8) as above it (michelson: about 115)."""
    (tmp_path / "skewed.csv").write_text("x\n3.1\n1.2\n4.5\n1.1\n5.9\n9.2\n2.6\n6.5\n5.3\n3.5\n")
    for args in ([str(tmp_path / "skewed.csv")], [str(SAMPLE / "michelson.csv"), "-c", "speed"]):
        mods = loaded(["mlefit", "fit", *args, "--dist", "gamma", *output])
        assert "numpy" in mods and "mlefit.families.gamma" in mods
        assert not {"scipy", "scipy.stats", "scipy.optimize", "scipy.special", "pandas", "matplotlib"} & set(mods)


@pytest.mark.parametrize("output", [["--json"], []])
def test_negative_binomial_fit_avoids_scipy(output, tmp_path):
    """negative_binomial's Newton in its size, its log-likelihood and its information take
    psi(v + r) - psi(r), trigamma's and log B(r, v + 1) over the table of distinct counts
    from gamma_arrays.py: scipy.special (0.2-0.5 s to import) is not loaded."""
    (tmp_path / "over.csv").write_text("k\n0\n0\n1\n7\n2\n0\n12\n3\n0\n5\n1\n26\n")
    mods = loaded(["mlefit", "fit", str(tmp_path / "over.csv"), "--dist", "negative_binomial", *output])
    assert "mlefit.families.negative_binomial" in mods and "mlefit.gamma_arrays" in mods
    assert not {"scipy", "scipy.stats", "scipy.optimize", "scipy.special", "pandas"} & set(mods)


def test_log_minus_digamma_matches_mpmath():
    """The scipy-free log(a) - digamma(a) and 1/a - trigamma(a) stay within a few ulp of
    mpmath at 40 digits, on both sides of the switch to the series at a = 10, and never
    further from it than scipy's digamma and polygamma with the differences taken after."""
    import math

    import mpmath
    import numpy as np
    from scipy.special import digamma, polygamma

    from mlefit.special_series import log_minus_digamma

    mpmath.mp.dps = 40
    rng = np.random.default_rng(20)
    points = np.concatenate([np.exp(rng.uniform(math.log(1e-12), math.log(60.0), 600)),
                             [1e-300, 1e-8, 0.5, 1.0, 1.4616321449683622, 2.0, 9.999999999, 10.0, 19.999999999, 20.0, 25.0]])
    ulp = 2.0 ** -53
    for a in points.tolist():
        exact = mpmath.mpf(a)
        value, deriv = log_minus_digamma(a)
        true_value = mpmath.log(exact) - mpmath.digamma(exact)
        assert abs(value - true_value) <= 4 * ulp * abs(true_value), a
        if a < 1e-150:  # the derivative, about -1/a^2, is beyond double precision
            assert deriv == -math.inf
            continue
        true_deriv = 1 / exact - mpmath.polygamma(1, exact)
        assert abs(deriv - true_deriv) <= 5 * ulp * abs(true_deriv), a
        if a < 20:
            old_value = math.log(a) - float(digamma(a))
            old_deriv = 1.0 / a - float(polygamma(1, a))
            assert abs(value - true_value) <= max(abs(old_value - true_value), 4 * ulp * abs(true_value))
            assert abs(deriv - true_deriv) <= max(abs(old_deriv - true_deriv), 5 * ulp * abs(true_deriv))
    with pytest.raises(ValueError):
        log_minus_digamma(0.0)


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


ROOT = Path(__file__).resolve().parent.parent

# Runs mlefit as the `mlefit` console script does (the entry point named in pyproject.toml)
# or as `python -m mlefit` does, with two test-side hooks and nothing in mlefit itself: a
# SIGINT sent to itself when a chosen module is first imported, and a line on stderr
# ("reading") when mlefit starts reading standard input. No sleeping: the signal arrives
# at a known point however loaded the machine is.
INTERRUPTED = """
import io, os, re, signal, sys
how, trigger = {how!r}, {trigger!r}

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == trigger:
            os.kill(os.getpid(), signal.SIGINT)
        return None

class Announcing(io.BufferedReader):
    def read(self, *size):
        os.write(2, b"reading\\n")
        return super().read(*size)

sys.meta_path.insert(0, Interrupt())
sys.stdin = io.TextIOWrapper(Announcing(io.FileIO(0, closefd=False)))
sys.argv = ["mlefit", "fit", "-", "-d", "normal"]
if how == "script":
    target = re.search(r'^mlefit = "([\\w.]+):(\\w+)"', open("pyproject.toml").read(), re.M)
    module = __import__(target.group(1), fromlist=["_"])
    sys.exit(getattr(module, target.group(2))())
import runpy
runpy.run_module("mlefit", run_name="__main__", alter_sys=True)
"""


def _interrupted(how, trigger, stdin=subprocess.PIPE):
    return subprocess.Popen([sys.executable, "-c", INTERRUPTED.format(how=how, trigger=trigger)], cwd=ROOT,
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("how", ["script", "module"])
@pytest.mark.parametrize("trigger", ["click", "mlefit.cli.edge", "numpy"])
def test_ctrl_c_while_loading_exits_130_without_traceback(how, trigger):
    """Ctrl-C while the CLI's modules load (click, mlefit's own), or while a command loads
    numpy: one line, exit 130, from the console script as from python -m mlefit."""
    proc = _interrupted(how, trigger)
    out, err = proc.communicate(b"x\n1\n2\n4\n", timeout=60)
    assert (proc.returncode, err, out) == (130, b"mlefit: interrupted\n", b"")


@pytest.mark.parametrize("how", ["script", "module"])
def test_ctrl_c_while_reading_exits_130_without_traceback(how):
    """Ctrl-C while mlefit waits for standard input: sent once mlefit says it reads."""
    import signal
    proc = _interrupted(how, None)
    assert proc.stderr.readline() == b"reading\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err, out) == (130, b"mlefit: interrupted\n", b"")


def test_closed_pipe_is_quiet():
    """`mlefit ... | head -1` with a large output: no BrokenPipeError, no traceback."""
    labels = "\n".join(f"label{i}" for i in range(20000))
    proc = subprocess.run(
        f"{sys.executable} -m mlefit fit - -d categorical --json | head -1",
        shell=True, input=("x\n" + labels + "\n").encode(), capture_output=True)
    assert proc.stdout.strip() == b"{"
    assert proc.stderr == b""


def test_interrupted_is_one_line_on_a_line_of_its_own(monkeypatch):
    """Off a terminal the line alone; on one, after the ^C the terminal echoed."""
    from mlefit import exits
    monkeypatch.setattr(exits.os, "isatty", lambda fd: False)
    assert exits.interrupted() == "mlefit: interrupted\n"
    monkeypatch.setattr(exits.os, "isatty", lambda fd: fd == 2)
    assert exits.interrupted() == "\nmlefit: interrupted\n"


def test_a_small_file_loads_no_chunked_reader(tmp_path):
    """A file read whole never loads the chunked reader (stream.py: decompressors,
    temporary files): the plan needs only mlefit.io.chunkable."""
    path = tmp_path / "ten.csv"
    path.write_text("x\n" + "\n".join(str(1.5 + i) for i in range(10)) + "\n")
    mods = set(loaded(["mlefit", "fit", str(path), "-d", "gamma", "--json"]))
    assert "mlefit.io.chunkable" in mods and "mlefit.io.stream" not in mods and "scipy" not in mods


@pytest.mark.parametrize("argv", [["select", "--families", "gamma,normal,weibull"],
                                  ["lrt", "--null", "exponential", "--alt", "gamma"]])
def test_selection_and_lrt_take_chi2_tails_without_scipy_stats(argv, tmp_path):
    """The chi-square tail of the GOF test and of the likelihood-ratio test is
    scipy.special's chdtrc: scipy.stats (1.5 s to import) is not loaded for it."""
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "\n".join(str(0.5 + (i * 7919 % 97) / 13) for i in range(60)) + "\n")
    mods = set(loaded(["mlefit", argv[0], str(path), *argv[1:]]))
    assert "scipy.special" in mods and "scipy.stats" not in mods


@pytest.mark.parametrize("extra, special", [
    (["--interval", "profile", "--derive", "mean"], False),
    (["--interval", "profile", "--derive", "mean,sf:900,quantile:0.9,var,shape/rate"], True),
    (["--interval", "all", "--bootstrap", "20", "--derive", "mean,sf:900"], True)])
def test_gamma_profile_and_derived_quantities_avoid_scipy_stats_and_optimize(extra, special, tmp_path):
    """Profile intervals take Brent's steps from scalar_search (not scipy.optimize: brentq,
    minimize_scalar, SLSQP for two parameters), and gamma's mean, variance, cdf, sf and
    quantiles come from its closed forms (scipy.special at most, not scipy.stats)."""
    path = tmp_path / "g.csv"
    path.write_text("x\n" + "\n".join(str(round(50.0 + (i * 7919 % 97) * 11.3, 3)) for i in range(100)) + "\n")
    mods = set(loaded(["mlefit", "fit", str(path), "-d", "gamma", "--json", *extra]))
    assert "mlefit.inference.profile" in mods and "mlefit.inference.derive" in mods
    assert not {"scipy.stats", "scipy.optimize"} & mods
    assert ("scipy.special" in mods) == special


def test_student_t_contours_avoid_scipy_stats_and_optimize(tmp_path):
    """The contours' inner fits are student_t's own (fit_given), and the reach of each
    axis is found by scalar_search's Brent: no scipy.optimize, no scipy.stats."""
    path = tmp_path / "t.csv"
    import numpy as np
    x = 10.0 + 2.0 * np.random.default_rng(0).standard_t(4, 100)  # df about 4: profiled out
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    mods = set(loaded(["mlefit", "likelihood", str(path), "-d", "student_t", "--params", "mu,sigma",
                       "--grid", "5", "--plot", str(tmp_path / "c.png")]))
    assert "mlefit.report.plots" in mods and "matplotlib" in mods
    assert not {"scipy.stats", "scipy.optimize"} & mods


@pytest.mark.parametrize("family", ["normal", "lognormal", "exponential", "weibull"])
def test_common_families_derive_without_scipy_stats(family, tmp_path):
    """Their mean, variance, cdf, sf and quantiles come from families.closed_forms too."""
    path = tmp_path / "g.csv"
    path.write_text("x\n" + "\n".join(str(round(50.0 + (i * 7919 % 97) * 11.3, 3)) for i in range(100)) + "\n")
    mods = set(loaded(["mlefit", "fit", str(path), "-d", family, "--json", "--interval", "profile",
                       "--derive", "mean,sd,sf:900,cdf:300,quantile:0.9"]))
    assert "mlefit.inference.profile" in mods and "mlefit.inference.derive" in mods
    assert not {"scipy.stats", "scipy.optimize"} & mods


DATACLASS_PROBE = """
import sys, json, dataclasses
sys.argv = {argv!r}
from mlefit.cli import cli
try:
    cli()
except SystemExit:
    pass
print(json.dumps(sorted(f"{{name}}.{{k}}" for name, m in list(sys.modules.items()) if name.startswith("mlefit")
                        for k, v in vars(m).items() if isinstance(v, type) and v.__module__ == name
                        and dataclasses.is_dataclass(v))), file=sys.stderr)
"""


def test_a_plain_fit_defines_few_dataclasses():
    """Defining a frozen dataclass costs 1-3 ms (its methods are compiled from source, some
    3.6 M instructions for 3 fields, 11 M for 27): a plain fit defines only the records it
    makes (its result, estimate, data and reading options). The families' per-row records
    (rowwise.Density, Limit), the catalog's (Spec, Param, Regression) and the estimators'
    Controls and Limit, built at import by every family's file, are typing.NamedTuple."""
    proc = subprocess.run([sys.executable, "-c", DATACLASS_PROBE.format(
        argv=["mlefit", "fit", str(SAMPLE / "horsekicks.csv"), "-d", "poisson", "--json"])],
        capture_output=True, text=True)
    defined = set(json.loads([line for line in proc.stderr.splitlines() if line.startswith("[")][-1]))
    assert defined <= {"mlefit.report.result.Drop", "mlefit.report.result.Interval",
                       "mlefit.report.result.ParameterEstimate", "mlefit.report.result.FitResult",
                       "mlefit.families.base.Solution",
                       "mlefit.families.base.Family", "mlefit.io.readers.ReadOptions", "mlefit.io.readers.Source",
                       "mlefit.io.readers.RawTable", "mlefit.data.Record", "mlefit.inference.fitted.Fitted"}, defined


def test_a_plain_fit_compiles_no_regex_for_messages(tmp_path):
    """The patterns that only word the way out of a refused column (thousands separators,
    decimal commas, hexadecimal) and the search for 0x in a file with an x are compiled
    when they are used, not at each start (re keeps them once compiled)."""
    code = ("import re, sys, json; sys.argv = ['mlefit', 'fit', {path!r}, '-d', 'poisson', '--json']\n"
            "from mlefit.cli import cli\ntry:\n    cli()\nexcept SystemExit:\n    pass\n"
            "from mlefit.io import column, readers\n"
            "patterns = {{key[1] for key in re._cache}}\n"
            "print(json.dumps([getattr(p, 'pattern', p) in patterns for p in (column._THOUSANDS, column._DECIMAL_COMMA, "
            "column._POINT_THOUSANDS, column._HEXADECIMAL, readers.HEX)]), file=sys.stderr)")
    path = tmp_path / "counts.csv"
    path.write_text("deaths\n0\n1\n0\n2\n1\n")
    proc = subprocess.run([sys.executable, "-c", code.format(path=str(path))], capture_output=True, text=True)
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == [False] * 5, proc.stderr[-2000:]


def test_select_imports_scipy_special_before_its_candidates_are_fitted():
    """select (and fit --dist auto) imports scipy.special near the bottom of the stack, before
    any candidate is fitted: imported deep inside a fit (pareto's quantiles), the regexes
    numpy.f2py compiles on the way (scipy's array API layer imports it) straddled the end of
    Python 3.11's frame-stack chunk, which was then mapped and unmapped 5,000 times (40 ms of
    `python -m mlefit select` on 100 values)."""
    probe = """
import sys
import mlefit.inference.selection as selection
first = selection.select
def select(*args, **kwargs):
    print("SPECIAL", "scipy.special" in sys.modules, file=sys.stderr)
    return first(*args, **kwargs)
selection.select = select
sys.argv = {argv!r}
from mlefit.cli import cli
try:
    cli()
except SystemExit:
    pass
"""
    for argv in (["mlefit", "select", str(SAMPLE / "michelson.csv"), "-c", "speed", "--bootstrap", "0"],
                 ["mlefit", "fit", str(SAMPLE / "michelson.csv"), "-c", "speed", "--dist", "auto", "--bootstrap", "0"]):
        proc = subprocess.run([sys.executable, "-c", probe.format(argv=argv)], capture_output=True, text=True)
        assert "SPECIAL True" in proc.stderr, (argv, proc.stderr[-1500:])
