"""`fit --by`: grouping in one pass against the label-by-label scan it replaced, and the
whole of fit_by per group, at growing numbers of groups (3 rows a group, normal).

The scan compared every row with every label (n x groups); grouped() sorts once. The
rows show both as ratios in one run, and the per-group cost of the fits, which stays
flat when the work is linear in the number of groups.

    python3 benchmarks/by_groups.py --groups 1e3,1e4,1e5 [--write]
"""
import argparse

import _bench
import numpy as np

from mlefit.groups import each_group, grouped


def scan(groups):
    """The grouping fit_by did before: one comparison of every row per label."""
    groups = np.asarray(groups).astype(str)
    return [np.flatnonzero(groups == label) for label in sorted(set(groups.tolist()))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", default="1e3,1e4,1e5", help="numbers of groups, comma-separated")
    ap.add_argument("--scan-limit", type=float, default=60.0,
                    help="skip the old scan where it is predicted to take longer (seconds)")
    _bench.add_output_options(ap, "by_groups")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows, skip = [], _bench.Skipper(args.scan_limit)
    for g in _bench.parse_sizes(args.groups):
        labels = np.char.add("k", rng.integers(0, g, 3 * g).astype(str))
        x = rng.normal(5.0, 2.0, labels.size)
        t_one, _, _ = _bench.measure(lambda: grouped(labels), repeat=3)
        why = skip.reason("scan", g * g)
        t_scan = None
        if why is None:
            t_scan, _, _ = _bench.measure(lambda: scan(labels), repeat=1, budget=0)
            skip.record("scan", g * g, t_scan)
        t_fit, _, out = _bench.measure(lambda: sum(1 for _ in each_group(x, *grouped(labels), "normal")),
                                       repeat=1, budget=0)
        rows.append([_bench.fmt_n(g), labels.size, _bench.fmt_s(t_one), _bench.fmt_s(t_scan) or why,
                     _bench.fmt_ratio(t_scan / t_one) if t_scan else "",
                     _bench.fmt_s(t_fit), f"{1e6 * t_fit / out:.0f}"])
    body = _bench.table(["groups", "rows", "grouped() s", "old scan s", "scan/grouped", "fit_by s",
                         "us per group"], rows)
    _bench.publish(args, "by_groups", "fit --by: grouping in one pass, and the fits per group", body)


if __name__ == "__main__":
    main()
