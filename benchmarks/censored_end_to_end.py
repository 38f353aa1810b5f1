"""End to end, censored: `mlefit fit FILE ... --json` on right-censored and interval
files in a fresh process, against the floor of a bare read of the same file
(`python -c "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])" FILE`), with peak
memory (issue 17's target: a censored fit of a 1e7-row file within 1.5x of that read).

    python3 benchmarks/censored_end_to_end.py [--rows 1e6,1e7] [--data-dir DIR] [--write]

Files, for each size n (numpy.random.default_rng([seed, n]), 6 significant digits):
right_<n>.csv (t,e: weibull(shape 1.5, scale 2) times, censored by an independent
weibull(1.5, scale 3.6): about 30% right-censored, e = 0) and interval_<n>.csv
(left,right: lognormal(1, 0.5) values; 30% exact (left = right), 50% in an interval of
width 0.1-1, 10% left-censored (left blank), 10% right-censored (right blank)).

Commands: the weibull and exponential right-censored fits as a user runs them (a file
over 16 MB is read in chunks), the weibull one in memory (--chunk-size 0: the path of
every file before streaming), and the interval lognormal fit (in memory: interval rows
have no sufficient sums). Runs are interleaved rounds of fresh processes, timed and
measured by cli_end_to_end's launcher (os.wait4's ru_maxrss of the child alone); mlefit
is `python -m mlefit` from this checkout (and, with --compare DIR, from another one: the
same commands before a change).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 (inherited by the children)
import cli_end_to_end as E

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_lines(path, header, lines):
    tmp = path + ".part"
    with open(tmp, "w") as f:
        f.write(header + "\n")
        for i in range(0, len(lines), 1_000_000):
            f.write("\n".join(lines[i:i + 1_000_000]) + "\n")
    os.replace(tmp, path)


def make_files(d, n, seed):
    right, interval = (os.path.join(d, f"{k}_{n}_{seed}.csv") for k in ("right", "interval"))
    if not os.path.exists(right):
        t0 = time.perf_counter()
        rng = np.random.default_rng([seed, n])
        t, c = 2.0 * rng.weibull(1.5, n), 3.6 * rng.weibull(1.5, n)
        write_lines(right, "t,e", list(map("{:.6g},{:d}".format, np.minimum(t, c).tolist(),
                                           (t <= c).astype(int).tolist())))
        print(f"wrote {right} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if not os.path.exists(interval):
        t0 = time.perf_counter()
        rng = np.random.default_rng([seed, n, 1])
        y = np.exp(rng.normal(1.0, 0.5, n))
        w = rng.uniform(0.1, 1.0, n)
        lo = np.floor(y / w) * w
        kind = rng.uniform(size=n)
        cells = []
        for a, b, v, k in zip(lo.tolist(), (lo + w).tolist(), y.tolist(), kind.tolist()):
            cells.append(f",{b:.6g}" if k < 0.1 else f"{max(a, 0.01):.6g}," if k < 0.2 else
                         f"{v:.6g},{v:.6g}" if k < 0.5 else f"{a:.6g},{b:.6g}")
        write_lines(interval, "left,right", cells)
        print(f"wrote {interval} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return right, interval


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1e6,1e7")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--compare", metavar="DIR", default=None,
                    help="also run each fit with the mlefit of another checkout (e.g. the main branch)")
    ap.add_argument("--only", default=None, metavar="WORDS",
                    help="only the fits whose name holds one of these comma-separated words (e.g. right-censored)")
    B.add_output_options(ap, "censored_end_to_end")
    args = ap.parse_args()
    sys.argv[0] = os.path.abspath(sys.argv[0])  # the command to reproduce, named before the chdir below
    d = os.path.abspath(args.data_dir or tempfile.mkdtemp(prefix="cens_e2e_"))
    os.makedirs(d, exist_ok=True)
    os.chdir(d)  # python -m mlefit finds the package of PYTHONPATH, not one in the working directory
    checkouts = [("", ROOT)] + ([(f" [{args.compare}]", os.path.abspath(args.compare))] if args.compare else [])

    def mlefit(root):
        return ["env", f"PYTHONPATH={root}", sys.executable, "-m", "mlefit"]
    rows = []
    try:
        for n in B.parse_sizes(args.rows):
            right, interval = make_files(d, n, args.seed)
            fits = {
                "weibull, right-censored": (right, ["-c", "t", "--event", "e", "-d", "weibull"]),
                "exponential, right-censored": (right, ["-c", "t", "--event", "e", "-d", "exponential"]),
                "weibull, right-censored, in memory (--chunk-size 0)":
                    (right, ["-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", "0"]),
                "lognormal, interval-censored": (interval, ["--lower", "left", "--upper", "right", "-d",
                                                            "lognormal"]),
            }
            if args.only:
                fits = {k: v for k, v in fits.items() if any(w in k for w in args.only.split(","))}
            for path in (right, interval):
                if not any(p == path for p, _ in fits.values()):
                    continue
                cases = {"floor": ([sys.executable, "-c", E.FLOOR_READ, path], None)}
                cases.update({k + label: (mlefit(root) + ["fit", path, *a, "--json"], E.json_check(n))
                              for k, (p, a) in fits.items() if p == path for label, root in checkouts})
                res = E.measure(cases, args.repeat, args.budget)
                t_f, p_f, c_f = res["floor"] if not isinstance(res["floor"], str) else (None, None, None)
                for key in cases:
                    if key == "floor":
                        continue
                    size = os.path.getsize(path) / 2 ** 20
                    if isinstance(res[key], str):
                        rows.append([key, B.fmt_n(n), f"{size:.0f}", f"error: {res[key]}", "", "", "", "", ""])
                        continue
                    t, peak, cpu = res[key]
                    rows.append([key, B.fmt_n(n), f"{size:.0f}", B.fmt_s(t), B.fmt_s(t_f),
                                 B.fmt_ratio(t / t_f) if t_f else "", B.fmt_ratio(cpu / c_f) if c_f else "",
                                 E.mb(peak), E.mb(p_f) if p_f else ""])
                    print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    finally:
        if not args.data_dir:
            shutil.rmtree(d, ignore_errors=True)
    body = (B.table(["fit", "rows", "file MB", "mlefit s", "bare read s", "mlefit / bare read",
                     "CPU / bare read CPU", "peak MB", "bare read peak MB"], rows, "lrrrrrrrr") + "\n\n" +
            f"Best of up to {args.repeat} interleaved rounds within {args.budget:g} s per file, each run a "
            f"fresh process (`{' '.join(mlefit(ROOT))} fit FILE ... --json`, [DIR]: the mlefit of "
            f"that checkout); the bare read is "
            f"`{sys.executable} -c \"{E.FLOOR_READ}\" FILE`. Target (issue 17): mlefit / bare read "
            f"at most 1.5 at 1e7 rows.\n")
    B.publish(args, "censored_end_to_end", "Censored fits end to end against a bare read", body)


if __name__ == "__main__":
    main()
