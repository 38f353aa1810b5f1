"""Shared helpers of the benchmark scripts: fair threading, timing with a budget, the
machine description, markdown tables and writing a section of RESULTS.md.

Not a benchmark itself; the scripts beside it import it (python puts the script's
directory on sys.path).
"""
import datetime
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time

# One BLAS/OpenMP thread for both sides (see DESIGN.md, Speed): with OpenBLAS on two
# threads small np.dot calls stall whenever the other core is busy. Set before numpy is
# imported; inherited by every subprocess the scripts start.
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_USER_THREADS = {_var: os.environ.get(_var) for _var in THREAD_VARS}
for _var in THREAD_VARS:
    os.environ.setdefault(_var, "1")
# Bytecode caching as a user has it: where PYTHONDONTWRITEBYTECODE is set (as on this
# workplace's machines), every module of mlefit would be compiled from source at each
# start (20-40 ms), which a pip-installed tool never pays; the cache goes to a temporary
# prefix so the source tree stays clean.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    import tempfile as _tempfile
    os.environ.setdefault("PYTHONPYCACHEPREFIX", os.path.join(_tempfile.gettempdir(), "mlefit-bench-pycache"))

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def keep_user_threads():
    """The threads a user has, for scripts that time whole commands as users run them
    (pyarrow sizes its reading pool by OMP_NUM_THREADS): the one-thread setting above undone."""
    for var, value in _USER_THREADS.items():
        if value is None:
            os.environ.pop(var, None)


def compile_trees(*trees):
    """Write the bytecode of each source tree's mlefit (to PYTHONPYCACHEPREFIX where set,
    above) before anything is timed, as pip does at install: without it, a tree with no
    cache (a `git archive` of an older commit) compiles every module it imports at each
    start, 30-70 ms, and a comparison of two trees measures which has the cache."""
    import subprocess
    for tree in trees:
        subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(tree, "mlefit")], check=True,
                       stdout=subprocess.DEVNULL)


def parse_sizes(text):
    """'1e3,1e4,100000' -> [1000, 10000, 100000]."""
    return [int(float(s)) for s in text.split(",") if s.strip()]


def fmt_n(n):
    """10000 -> '1e4'; 25000 -> '25000'."""
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10 ** e else str(n)


def fmt_s(t):
    """Seconds with about three significant digits."""
    if t is None:
        return ""
    if t >= 100:
        return f"{t:.0f}"
    if t >= 1:
        return f"{t:.2f}"
    if t >= 0.01:
        return f"{t:.3f}"
    return f"{t:.3g}"  # 5.21e-05: three digits at every size


def fmt_ratio(r):
    return "" if r is None else (f"{r:.0f}" if r >= 100 else f"{r:.1f}" if r >= 1 else f"{r:.2f}")


BATCH_SECONDS = 0.02  # calls quicker than a tenth of this are timed in batches


def measure(fn, repeat=3, budget=10.0):
    """Best wall time of fn() over up to `repeat` timings; another timing is started only
    while the time spent so far plus the last timing stays within `budget` seconds (so a
    slow call is timed once). A call under BATCH_SECONDS/10 is timed in batches of k
    calls taking about BATCH_SECONDS together, timeit's way, and the time per call of the
    best batch is returned: one call of some microseconds is within the clock's and the
    caches' noise, and the first after new data pays for cold caches, which a loop of
    small fits does not. Returns (best seconds per call, number of timings, last result)."""
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    k = 1 if first >= BATCH_SECONDS / 10 else max(1, int(BATCH_SECONDS / max(first, 1e-7)))
    best, spent, runs = (first, first, 1) if k == 1 else (float("inf"), first, 0)
    last = first * k
    while runs < repeat and spent + last <= budget:
        t0 = time.perf_counter()
        for _ in range(k):
            out = fn()
        last = time.perf_counter() - t0
        best, spent, runs = min(best, last / k), spent + last, runs + 1
    return best, runs, out


class Skipper:
    """Skips a method at the sizes where it would take more than `limit` seconds,
    predicted linearly in n from its last measured size (so a 60 s call is never
    started just to learn that it is slow)."""

    def __init__(self, limit):
        self.limit, self.last = limit, {}

    def reason(self, key, n):
        if key not in self.last:
            return None
        n0, t0 = self.last[key]
        est = t0 * n / n0
        return f"skipped (~{est:.0f} s est.)" if est > self.limit else None

    def record(self, key, n, t):
        self.last[key] = (n, t)


def mlefit_command():
    """The `mlefit` console script as users start it, but not through a wrapper such as a
    pyenv shim (a bash script that costs tens of milliseconds): the one installed beside
    this python (or beside the python a venv points to), else the one on PATH, else
    `python -m mlefit`."""
    here = os.path.dirname(sys.executable)
    for d in (here, os.path.dirname(os.path.realpath(sys.executable))):
        exe = os.path.join(d, "mlefit")
        if os.access(exe, os.X_OK):
            return [exe]
    exe = shutil.which("mlefit")
    return [exe] if exe else [sys.executable, "-m", "mlefit"]


def script_python(cmd):
    """The interpreter a console script runs under (its #! line), else this python."""
    try:
        with open(cmd[0], "rb") as f:
            line = f.readline().decode(errors="replace")
        words = line[2:].split()
        if line.startswith("#!") and words and os.path.basename(words[0]).startswith("python"):
            return words[0]
    except OSError:
        pass
    return sys.executable


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module):
    try:
        mod = __import__(module)
        return getattr(mod, "__version__", None) or _dist_version(module)
    except ImportError:
        return None


def _dist_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001 - metadata missing: just no version shown
        return "?"


def _git_state():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", "mlefit"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in mlefit/' if dirty else ''}" if head else "unknown"


def machine(extra=()):
    """One paragraph: CPU, cores, memory, versions, thread settings, date, commit."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
        mem = f", {mem:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        mem = ""
    versions = [f"Python {platform.python_version()}"]
    for mod in ("numpy", "scipy", "pyarrow", *extra):
        v = _version(mod)
        versions.append(f"{mod} {v}" if v else f"{mod} (not installed)")
    threads = ", ".join(f"{v}={os.environ.get(v)}" for v in THREAD_VARS)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Machine: {_cpu_model()}, {os.cpu_count()} cores ({usable} usable){mem}, "
            f"{platform.system()} {platform.machine()}; {', '.join(versions)}; {threads}. "
            f"Measured {now} at commit {_git_state()}.")


def command_line():
    """The command that reproduces this run."""
    exe = sys.executable if sys.prefix != sys.base_prefix else "python3"  # a venv: its python
    script = os.path.relpath(os.path.abspath(sys.argv[0]), os.path.dirname(os.path.dirname(RESULTS)))
    return " ".join([exe, shlex.quote(script), *map(shlex.quote, sys.argv[1:])])


def table(headers, rows, align=None):
    """A markdown table; `align` is a string of 'l'/'r' per column (default: first left)."""
    align = align or "l" + "r" * (len(headers) - 1)
    out = ["| " + " | ".join(headers) + " |",
           "| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def section(key, title, body, extra=()):
    """The markdown section a script prints and may write: title, machine, command, body."""
    return (f"<!-- bench:{key} -->\n## {title}\n\n{machine(extra)}\n\n"
            f"Reproduce: `{command_line()}`\n\n{body.strip()}\n<!-- /bench:{key} -->\n")


def write_section(key, text, path=RESULTS):
    """Replace the section between this script's markers in `path`, or append it."""
    old = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- bench:{re.escape(key)} -->.*?<!-- /bench:{re.escape(key)} -->\n?", re.S)
    new = pattern.sub(lambda _: text, old, count=1) if pattern.search(old) \
        else old.rstrip("\n") + "\n\n" + text
    with open(path, "w") as f:
        f.write(new)
    print(f"wrote section '{key}' to {path}", file=sys.stderr)


def add_output_options(ap, key):
    ap.add_argument("--write", nargs="?", const=RESULTS, default=None, metavar="PATH",
                    help=f"write (or replace) the section marked bench:{key} in PATH "
                         f"(default {os.path.relpath(RESULTS)})")


def timing_options(description, key, sizes, limit):
    """The parsed options of a timing script: --sizes, --repeat, --budget, --limit,
    --seed and --write (the section `key`)."""
    import argparse
    ap = argparse.ArgumentParser(description=description)
    add_timing_options(ap, key, sizes)
    ap.add_argument("--limit", type=float, default=limit, help="skip a call predicted to take longer (s)")
    return ap.parse_args()


def timed(t, runs):
    """A best time, marked ¹ when it is one call."""
    return fmt_s(t) + ("" if runs > 1 else "¹")


def best_of(args):
    return (f"Best of up to {args.repeat} timings within {args.budget:g} s per measurement (¹: one "
            "call).")


def ratio_row(head, timed_ml, timed_other, gap):
    """A row of a 'mlefit against another' table: the head cells, both best times (¹: one
    call), other/mlefit, and `gap` (mlefit's objective minus the other's), echoed on stderr.
    timed_*: (seconds, runs) as measure() gives them."""
    (t_ml, runs_ml), (t, runs) = timed_ml, timed_other
    row = [*head, timed(t_ml, runs_ml), timed(t, runs), fmt_ratio(t / t_ml), f"{gap:.3g}"]
    print(" | ".join(row), file=sys.stderr, flush=True)
    return row


def add_timing_options(ap, key, sizes):
    """--sizes, --repeat, --budget, --seed and the output options, added to the parser ap."""
    ap.add_argument("--sizes", default=sizes)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=20261206)
    add_output_options(ap, key)


def publish(args, key, title, body, extra=()):
    """Print the section, and write it to RESULTS.md with --write."""
    text = section(key, title, body, extra)
    print(text)
    if args.write:
        write_section(key, text, args.write)


def before_after(description, key, repeat):
    """The parsed options of a before/after script (--before TREE, --repeat, --write) and
    its two source trees {"before": TREE, "after": this checkout}."""
    import argparse
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--before", required=True, help="a source tree holding mlefit/ before the change")
    ap.add_argument("--repeat", type=int, default=repeat)
    add_output_options(ap, key)
    args = ap.parse_args()
    return args, {"before": os.path.abspath(args.before), "after": os.path.dirname(os.path.dirname(RESULTS))}
