"""End to end: `mlefit fit FILE --dist D --json` in a fresh process against the floor a
Python tool cannot beat (start-up + `import pyarrow.csv` + a bare read of the same file),
with peak memory; and start-up against the bare imports.

    python3 benchmarks/cli_end_to_end.py [--rows 1e6,1e7] [--data-dir DIR] [--write]

Options: --rows (data file sizes; 1e6,1e7), --dists (normal,gamma,weibull,poisson,
negative_binomial: normal on the normal file, negative_binomial on the overdispersed
count file, the other count families on the poisson count file, the others on the gamma
file), --data-dir (where the CSV files are
made, and reused by the next run with the same --seed; default: a temporary directory,
deleted at the end), --repeat (best of N runs, 5), --startup-repeat (10),
--budget (no further round of a group of interleaved runs once it would pass this, 30 s), --seed,
--write [PATH] (replace or append the section bench:cli_end_to_end of RESULTS.md).

Files: for each size n, gamma_<n>.csv (header x; numpy.random.default_rng([seed, n])
.gamma(2.5, 2.0, n) written with 6 significant digits, '%.6g'), normal_<n>.csv (normal(10, 3):
an offset far from 0 against the spread, as real data have), counts_<n>.csv (header
k; poisson(4.0) integers) and nbcounts_<n>.csv (header k; negative_binomial with mean 4
and size 3, variance 9.3: poisson(4) counts are not overdispersed, and on them the
negative_binomial size has no finite MLE), plus a 10-row ten_rows.csv for start-up.

Each run is a fresh child process, forked by a bare `python -S -I` launcher that times
it from fork to exit and takes its peak resident memory from os.wait4() on that child
alone (ru_maxrss), so runs do not see each other's peaks nor this script's memory (see
LAUNCHER). The console script is the one installed beside the
interpreter (not through a pyenv shim), and the floors run under the interpreter of its
#! line. `bytes/value` is mlefit's peak RSS divided by the number of values in the file
(the floor's in brackets). OPENBLAS_NUM_THREADS=1 for every child, and bytecode
caching on (see _bench.py), as for an installed tool.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 (inherited by the children)

import numpy as np  # noqa: E402

FLOOR_READ = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"
FLOOR_IMPORTS = "import numpy, pyarrow.csv, rich, click"


# A tiny launcher between this process and each measured one. Linux counts the memory a
# process had before exec() in its ru_maxrss (exec_mmap keeps the old mm's high-water
# mark), so a child forked straight from this script (150+ MB with numpy and the data)
# would report at least that much. Forked from a bare `python -S -I` (~10 MB, less than
# any measured command), the peak is the command's own. The launcher also times the
# child, so its own start-up is not in the time.
LAUNCHER = """
import os, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, out, os.O_WRONLY), (2, err, os.O_WRONLY)):
            os.dup2(os.open(path, flags), fd)
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
print(time.perf_counter() - t0, ru.ru_maxrss, os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime)
"""


def run_child(cmd):
    """(seconds, peak RSS in bytes, stdout, stderr, exit code, CPU seconds: user + system,
    all threads) of one fresh child."""
    with tempfile.NamedTemporaryFile() as out, tempfile.NamedTemporaryFile() as err:
        p = subprocess.run([sys.executable, "-S", "-I", "-c", LAUNCHER, out.name, err.name, *cmd],
                           capture_output=True, text=True)
        if p.returncode != 0 or len(p.stdout.split()) != 4:
            raise RuntimeError(f"launcher failed: {p.stderr.strip()[-200:]}")
        t, rss, code, cpu = p.stdout.split()
        # ru_maxrss is in kilobytes on Linux (bytes on macOS)
        peak = int(rss) * (1 if sys.platform == "darwin" else 1024)
        return (float(t), peak, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), int(code), float(cpu))


def measure(cases, repeat, budget):
    """{key: (cmd, check)} -> {key: (best seconds, largest peak bytes, least CPU seconds) or an
    error string}.
    The commands run in interleaved rounds (floor, mlefit, floor, ...), so a change in
    the load of a shared machine hits them alike; up to `repeat` rounds, fewer once the
    next round would pass `budget`. A command that fails (exit code, or `check(stdout)`
    returns a message) is reported with its last stderr line and not run again."""
    res, spent, last = {k: (float("inf"), 0, float("inf")) for k in cases}, 0.0, 0.0
    for _ in range(repeat):
        if spent and spent + last > budget:
            break
        t_round = 0.0
        for key, (cmd, check) in cases.items():
            if isinstance(res[key], str):
                continue
            t, rss, out, err, code, cpu = run_child(cmd)
            t_round += t
            problem = (f"exit {code}: " + (err.strip().splitlines() or [""])[-1][:120]) if code \
                else (check(out) if check else None)
            res[key] = problem or (min(res[key][0], t), max(res[key][1], rss), min(res[key][2], cpu))
        spent, last = spent + t_round, t_round
    return res


def json_check(n):
    def check(out):
        try:
            d = json.loads(out)
        except ValueError as e:
            return f"output is not JSON ({e})"
        used = d.get("rows_used", d.get("n")) if isinstance(d, dict) else None
        return None if used in (None, n) else f"used {used} rows of {n}"
    return check


def write_column(path, header, values, fmt, chunk=1_000_000):
    """A one-column CSV, written in chunks (numpy.savetxt is slow at 1e7 rows)."""
    tmp = path + ".part"
    with open(tmp, "w") as f:
        f.write(header + "\n")
        for i in range(0, len(values), chunk):
            f.write("\n".join(map(fmt.format, values[i:i + chunk].tolist())) + "\n")
    os.replace(tmp, path)


COUNTS = ("poisson", "negative_binomial", "geometric", "zero_inflated_poisson")


def kind_of(dist):
    """Which file a family is fitted to: overdispersed counts (negative_binomial), poisson
    counts, normal(10, 3) values, or gamma values."""
    if dist == "negative_binomial":
        return "nbcount"
    return "count" if dist in COUNTS else "normal" if dist == "normal" else "gamma"


def _counts(seed, n):
    """poisson(4) counts: the generator's draws after the gamma file's (as written before)."""
    rng = np.random.default_rng([seed, n])
    rng.gamma(2.5, 2.0, n)
    return rng.poisson(4.0, n)


def make_files(d, rows, seed):
    files = {}
    for n in rows:
        paths = {kind: os.path.join(d, f"{stem}_{n}_{seed}.csv")
                 for kind, stem in (("gamma", "gamma"), ("normal", "normal"), ("count", "counts"),
                                    ("nbcount", "nbcounts"))}
        draws = {"gamma": lambda: np.random.default_rng([seed, n]).gamma(2.5, 2.0, n),
                 "normal": lambda: np.random.default_rng([seed, n, 1]).normal(10.0, 3.0, n),
                 "count": lambda: _counts(seed, n),
                 "nbcount": lambda: np.random.default_rng([seed, n, 2]).negative_binomial(3.0, 3.0 / 7.0, n)}
        for kind, path in paths.items():
            if not os.path.exists(path):
                t0 = time.perf_counter()
                values = draws[kind]()
                whole = kind in ("count", "nbcount")
                write_column(path, "k" if whole else "x", values, "{:d}" if whole else "{:.6g}")
                print(f"wrote {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        files[n] = paths
    ten = os.path.join(d, "ten_rows.csv")
    if not os.path.exists(ten):
        write_column(ten, "x", np.random.default_rng(seed).gamma(2.5, 2.0, 10), "{:.6g}")
    return files, ten


def mb(b):
    return f"{b / 2 ** 20:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1e6,1e7")
    ap.add_argument("--dists", default="normal,gamma,weibull,poisson,negative_binomial")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--startup-repeat", type=int, default=10)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    B.add_output_options(ap, "cli_end_to_end")
    args = ap.parse_args()
    rows, dists = B.parse_sizes(args.rows), args.dists.split(",")
    mlefit = B.mlefit_command()
    py = B.script_python(mlefit)
    if args.data_dir:
        os.makedirs(args.data_dir, exist_ok=True)
    d = args.data_dir or tempfile.mkdtemp(prefix="e2e_", dir="/tmp/bench" if os.path.isdir("/tmp/bench") else None)
    try:
        files, ten = make_files(d, rows, args.seed)
        big = big_table(files, dists, mlefit, py, args)
        small = startup_table(ten, mlefit, py, args)
    finally:
        if not args.data_dir:
            shutil.rmtree(d, ignore_errors=True)
    name = os.path.basename(mlefit[0]) if len(mlefit) == 1 else "python -m mlefit"
    body = (big + "\n\n" + small + "\n\n"
            f"Best of up to {args.repeat} interleaved runs ({args.startup_repeat} for start-up) within "
            f"{args.budget:g} s per group, each a fresh process; peak = the largest ru_maxrss of the runs (os.wait4); CPU = "
            f"the least user + system seconds of the runs (all threads; less sensitive than the time to the other "
            f"work on a shared machine). mlefit is "
            f"`{mlefit[0] if len(mlefit) == 1 else ' '.join(mlefit)}` ({name}), the floors run under "
            f"`{py}`. Files: one column, gamma(2.5, scale 2) or normal(10, 3) (for -d normal) with 6 "
            f"significant digits, poisson(4) integers, or negative_binomial(size 3, mean 4) integers (for -d negative_binomial); the floor reads the same file with `{FLOOR_READ}`.\n")
    B.publish(args, "cli_end_to_end", "End to end and start-up of the CLI", body)


def big_table(files, dists, mlefit, py, args):
    out = []
    for n, paths in files.items():
        for kind in ("gamma", "normal", "count", "nbcount"):
            path, size = paths[kind], os.path.getsize(paths[kind])
            mine = [x for x in dists if kind_of(x) == kind]
            if not mine:
                continue
            cases = {"floor": ([py, "-c", FLOOR_READ, path], None)}
            cases.update({x: (mlefit + ["fit", path, "--dist", x, "--json"], json_check(n)) for x in mine})
            res = measure(cases, args.repeat, args.budget)
            floor = res["floor"] if not isinstance(res["floor"], str) else None
            if floor is None:
                print(f"floor failed on {path}: {res['floor']}", file=sys.stderr)
            t_f, p_f, c_f = floor or (None, None, None)
            for x in mine:
                label = f"`mlefit fit {kind}.csv -d {x} --json`"
                if isinstance(res[x], str):
                    out.append([label, B.fmt_n(n), f"{size / 2 ** 20:.1f}", f"error: {res[x]}", B.fmt_s(t_f), "", "", "", "", ""])
                    continue
                t, peak, cpu = res[x]
                out.append([label, B.fmt_n(n), f"{size / 2 ** 20:.1f}", B.fmt_s(t), B.fmt_s(t_f),
                            B.fmt_ratio(t / t_f) if t_f else "", B.fmt_ratio(cpu / c_f) if c_f else "",
                            mb(peak), mb(p_f) if p_f else "",
                            f"{peak / n:.0f}" + (f" ({p_f / n:.0f})" if p_f else "")])
                print(" | ".join(out[-1]), file=sys.stderr, flush=True)
    return B.table(["command", "rows", "file MB", "mlefit s", "floor s", "mlefit/floor", "CPU/floor CPU",
                    "peak MB", "floor peak MB", "bytes/value"], out, "lrrrrrrrrr")


def startup_table(ten, mlefit, py, args):
    cases = {f"`python -c \"{FLOOR_IMPORTS}\"` (floor)": ([py, "-c", FLOOR_IMPORTS], None),
             "`python -c pass`": ([py, "-c", "pass"], None),
             "`mlefit --help`": (mlefit + ["--help"], None),
             "`mlefit fit ten_rows.csv -d exponential --json`":
                 (mlefit + ["fit", ten, "-d", "exponential", "--json"], json_check(10)),
             "`mlefit fit ten_rows.csv -d gamma --json`": (mlefit + ["fit", ten, "-d", "gamma", "--json"], json_check(10)),
             "`mlefit fit ten_rows.csv -d gamma` (table)": (mlefit + ["fit", ten, "-d", "gamma"], None)}
    res = measure(cases, args.startup_repeat, args.budget)
    floor = next(iter(res.values()))
    if isinstance(floor, str):
        raise SystemExit(f"the floor `{py} -c '{FLOOR_IMPORTS}'` failed: {floor}")
    out = []
    for label, r in res.items():
        out.append([label, f"error: {r}", "", ""] if isinstance(r, str)
                   else [label, B.fmt_s(r[0]), B.fmt_ratio(r[0] / floor[0]), mb(r[1])])
        print(" | ".join(out[-1]), file=sys.stderr, flush=True)
    return B.table(["start-up", "s", "/ floor", "peak MB"], out, "lrrr")

if __name__ == "__main__":
    main()
