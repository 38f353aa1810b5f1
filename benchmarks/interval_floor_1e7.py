"""How near issue 17's 1.5x can an interval-censored lognormal fit of a 1e7-row file come?
An idealised floor, from the arithmetic a verified Newton fit cannot skip, measured on this
machine: the bare read (pyarrow, wall and CPU), the logs of the bounds (once), and one
pass of the least work a score needs on each kind of row (interval rows: two normal CDFs,
two densities and a log; left- and right-censored rows: a log-CDF and a density; exact
rows: nothing, their sums are taken once). A Newton fit from a subsample start needs at
least two such passes over every row (one to step, one to verify the score at the point
it returns). Supposing the read leaves no core idle and the passes split perfectly over
the cores, the fit takes at least (read CPU + logs + 2 passes) / cores of wall time.

    python3 benchmarks/interval_floor_1e7.py /tmp/cs/bench/interval_10000000_1.csv [--cores 2]

(FILE: censored_end_to_end.py's interval file, columns left,right; empty = unbounded.)
"""
import argparse
import os
import resource
import time

import numpy as np
import pyarrow.csv as pacsv
from scipy import special


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def least(fn, repeat):
    """(least wall, least CPU) of `repeat` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), cpu()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(cpu() - c)
    return min(walls), min(cpus)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    read = least(lambda: pacsv.read_csv(a.file), a.repeat)
    table = pacsv.read_csv(a.file)
    lo = np.asarray(table.column(0).to_numpy(zero_copy_only=False), dtype=np.float64)
    hi = np.asarray(table.column(1).to_numpy(zero_copy_only=False), dtype=np.float64)
    interval = ~np.isnan(lo) & ~np.isnan(hi) & (lo < hi)
    left, right = np.isnan(lo), np.isnan(hi)
    exact = lo == hi
    bounds = np.concatenate([lo[interval], hi[interval], hi[left], lo[right], lo[exact]])
    logs = least(lambda: np.log(bounds), a.repeat)[1]
    za, zb = np.log(lo[interval]), np.log(hi[interval])
    mu, sd = float(np.mean(za)), float(np.std(za))
    za, zb = (za - mu) / sd, (zb - mu) / sd
    zt = (np.log(np.concatenate([hi[left], lo[right]])) - mu) / sd

    def one_pass():
        with np.errstate(all="ignore"):
            p = special.ndtr(zb) - special.ndtr(za)
            np.log(p)
            np.exp(-0.5 * za * za)
            np.exp(-0.5 * zb * zb)
            special.log_ndtr(zt)
            np.exp(-0.5 * zt * zt)
    passes = least(one_pass, a.repeat)[1]
    floor = (read[1] + logs + 2 * passes) / a.cores
    print(f"rows {lo.size:,}: interval {int(interval.sum()):,}, exact {int(exact.sum()):,}, "
          f"left {int(left.sum()):,}, right {int(right.sum()):,}")
    print(f"bare read: wall {read[0]:.3f} s, CPU {read[1]:.3f} s")
    print(f"logs of the bounds (once): CPU {logs:.3f} s; least pass: CPU {passes:.3f} s")
    print(f"idealised floor on {a.cores} cores: {floor:.3f} s = {floor / read[0]:.2f}x the bare read's wall time "
          f"(issue 17's target: 1.5x)")


if __name__ == "__main__":
    main()
