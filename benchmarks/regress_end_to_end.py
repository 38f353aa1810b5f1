"""End to end, regression on a large file: `mlefit regress FILE -y y -x x1,...,x20 -d poisson
--json` in a fresh process against the floor of a bare read of the same file
(`python -c "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])" FILE`), time and peak
memory (issue 16's target: within 1.5x of the bare read's time; peak memory within 1.5x of
the float64 design matrix plus the reader's buffers; a file of several GB in bounded memory).

    python3 benchmarks/regress_end_to_end.py [--rows 1e7] [--data-dir DIR] [--write]

The file (numpy.random.default_rng([seed, n])): x1..x20 standard normal rounded to 5
decimals, y poisson with log mean 0.5 + 0.05 (x1 + ... + x20) (about 1.8 GB at 1e7 rows),
written by pyarrow. It is kept in --data-dir (one copy; made once).
Runs are interleaved rounds of fresh processes, timed and measured by cli_end_to_end's
launcher (os.wait4's ru_maxrss of the child alone).
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
K = 20


def make_file(d, n, seed):
    path = os.path.join(d, f"poisson_{B.fmt_n(n)}x{K}_{seed}.csv")
    if os.path.exists(path):
        return path
    import pyarrow as pa
    import pyarrow.csv as pacsv
    t0 = time.perf_counter()
    rng = np.random.default_rng([seed, n])
    tmp = path + ".part"
    names = ["y"] + [f"x{j + 1}" for j in range(K)]
    schema = pa.schema([(c, pa.int64() if c == "y" else pa.float64()) for c in names])
    with pacsv.CSVWriter(tmp, schema, write_options=pacsv.WriteOptions(quoting_style="none")) as out:
        for start in range(0, n, 500_000):
            m = min(500_000, n - start)
            X = np.round(rng.standard_normal((m, K)), 5)
            y = rng.poisson(np.exp(0.5 + 0.05 * X.sum(axis=1)))
            out.write_table(pa.table([pa.array(y)] + [pa.array(X[:, j]) for j in range(K)], names=names))
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path) / 2 ** 30:.2f} GiB) in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1e7")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--budget", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--make-only", action="store_true", help="write the file(s) and stop")
    B.add_output_options(ap, "regress_end_to_end")
    args = ap.parse_args()
    sys.argv[0] = os.path.abspath(sys.argv[0])
    d = os.path.abspath(args.data_dir or tempfile.mkdtemp(prefix="regress_e2e_"))
    os.makedirs(d, exist_ok=True)
    if args.make_only:
        for n in B.parse_sizes(args.rows):
            make_file(d, n, args.seed)
        return
    os.chdir(d)
    mlefit = ["env", f"PYTHONPATH={ROOT}", sys.executable, "-m", "mlefit"]
    xs = ",".join(f"x{j + 1}" for j in range(K))
    rows = []
    try:
        for n in B.parse_sizes(args.rows):
            path = make_file(d, n, args.seed)
            cases = {"floor": ([sys.executable, "-c", E.FLOOR_READ, path], None),
                     "regress poisson (streamed)": (mlefit + ["regress", path, "-y", "y", "-x", xs, "-d", "poisson",
                                                              "--json"], E.json_check(n))}
            res = E.measure(cases, args.repeat, args.budget)
            t_f, p_f, c_f = res["floor"] if not isinstance(res["floor"], str) else (None, None, None)
            design = n * (K + 1) * 8
            for key in cases:
                if key == "floor":
                    continue
                size = os.path.getsize(path) / 2 ** 20
                if isinstance(res[key], str):
                    rows.append([key, B.fmt_n(n), f"{size:.0f}", f"error: {res[key]}"] + [""] * 6)
                    continue
                t, peak, cpu = res[key]
                rows.append([key, B.fmt_n(n), f"{size:.0f}", B.fmt_s(t), B.fmt_s(t_f),
                             B.fmt_ratio(t / t_f) if t_f else "", B.fmt_ratio(cpu / c_f) if c_f else "",
                             E.mb(peak), E.mb(p_f) if p_f else "", E.mb(design)])
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    finally:
        if not args.data_dir:
            shutil.rmtree(d, ignore_errors=True)
    body = (B.table(["fit", "rows", "file MB", "mlefit s", "bare read s", "mlefit / bare read",
                     "CPU / bare read CPU", "peak MB", "bare read peak MB", "float64 design MB"], rows,
                    "lrrrrrrrrr") + "\n\n" +
            f"Best of up to {args.repeat} interleaved rounds within {args.budget:g} s, each run a fresh process "
            f"(`{' '.join(mlefit)} regress FILE -y y -x x1,...,x{K} -d poisson --json`); the bare read is "
            f"`{sys.executable} -c \"{E.FLOOR_READ}\" FILE`. Target (issue 16): mlefit / bare read at most 1.5 "
            f"at 1e7 rows; peak memory within 1.5x of the float64 design plus the reader's buffers.\n")
    B.publish(args, "regress_end_to_end", "Regression end to end on a large file against a bare read", body)


if __name__ == "__main__":
    main()
