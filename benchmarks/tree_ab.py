"""Any benchmark script run on two source trees, its tables compared cell by cell.

    python3 benchmarks/tree_ab.py --before TREE [--rounds K] [--keep FILE] -- SCRIPT [ARGS...]

SCRIPT runs K times on each tree, alternating (before, after, before, ...), with
PYTHONPATH set to the tree, so `import mlefit` and the `mlefit` command both load that
tree's code. Its markdown tables are read from stdout; every cell of a timing column
(seconds, milliseconds or instructions) is kept at its least over the rounds, and each
mlefit cell is reported as after/before. The columns of the other tools (scipy, statsmodels,
lifelines, the bare read ...) run the same code in both trees: their after/before is the
machine's noise in that run, printed beside the mlefit figures as a control.

The script is the after tree's copy (SCRIPT as given); where it fails on the before tree
(it imports a module moved since, or passes what did not exist), the before tree's own
copy runs there, or the copy --before-script names.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _bench  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIME_HEADER = re.compile(r"(\bs\b|\bms\b|\(CPU\)|seconds|instructions|\bwall\b|\btime\b|\w bootstrap$|scratch$|loop$)")
NUMBER = re.compile(r"^\s*(-?[0-9.]+(?:e[-+]?[0-9]+)?)\s*([¹*]?|s|ms)\s*$")
MEASURE = re.compile(r"(MB|MiB|peak|bytes|loglik|dlog|gap|picks|iterations|ends|estimates|log-likelihood|passes)", re.I)
OTHERS = ("scipy", "statsmodels", "lifelines", "fitter", "distfit", "floor", "bare read",
          "other", "sklearn", "scikit", "glum", "firth", "-d weibull", "scan")


def tables(text):
    """The markdown tables in text: a list of (headers, rows of cells)."""
    out, current = [], None
    for line in text.splitlines():
        if line.startswith("|") and line.rstrip().endswith("|"):
            cells = [c.strip() for c in line.strip()[1:-1].split("|")]
            if current is None:
                current = (cells, [])
                out.append(current)
            elif not all(set(c) <= set("-: ") for c in cells):
                current[1].append(cells)
        else:
            current = None
    return out


def value(cell):
    """A timing cell's seconds (or count), else None."""
    m = NUMBER.match(cell.replace(",", ""))
    if not m:
        return None
    x = float(m.group(1))
    return x / 1000 if m.group(2) == "ms" else x


def timing_columns(headers):
    """{column index: 'mlefit' or 'other'} for the columns holding times: a ratio column
    (a '/' in its header) is no timing."""
    cols = {}
    for j, h in enumerate(headers):
        low = h.lower()
        if "/" in low or not TIME_HEADER.search(low):
            continue
        cols[j] = "other" if any(o in low for o in OTHERS) and "mlefit" not in low else "mlefit"
    return cols


def run(script, args, tree, timeout, keep=None):
    """The script's tables on `tree`. Where the after tree's script fails on the before tree
    (it imports a module moved since, or calls what did not exist), the before tree's own
    copy of the script runs."""
    env = dict(os.environ, PYTHONPATH=tree)
    p = subprocess.run([sys.executable, script, *args], env=env, capture_output=True,
                       text=True, timeout=timeout)
    own = os.path.join(tree, "benchmarks", os.path.basename(script))
    if p.returncode != 0 and os.path.exists(own) and os.path.abspath(own) != os.path.abspath(script):
        print(f"{os.path.basename(script)}: the before tree's copy runs there", file=sys.stderr)
        return run(own, args, tree, timeout, keep)
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise SystemExit(f"{os.path.basename(script)} failed on {tree}: {tail}")
    if keep:
        with open(keep, "a") as f:
            f.write(f"<!-- {tree}: {script} {' '.join(args)} -->\n{p.stdout}\n")
    return tables(p.stdout)


def least(runs):
    """Cell-wise least of the timing cells over rounds of the same tables."""
    best = runs[0]
    for other in runs[1:]:
        for (h, rows), (_, rows2) in zip(best, other):
            for j in timing_columns(h):
                for r, r2 in zip(rows, rows2):
                    a, b = value(r[j]) if j < len(r) else None, value(r2[j]) if j < len(r2) else None
                    if a is not None and b is not None and b < a:
                        r[j] = r2[j]
    return best


def compare(before, after):
    """Rows (table, row key, column, kind, before, after, after/before) for every timing
    cell present in both."""
    out = []
    for t, ((h, rows_b), (h2, rows_a)) in enumerate(zip(before, after)):
        if h != h2:
            continue
        cols = timing_columns(h)
        first = min(cols, default=len(h))  # a row's key: the columns before its first timing
        keys = [j for j in range(first) if "/" not in h[j] and not MEASURE.search(h[j])]
        index_a = {}
        for r in rows_a:  # rows of the same key are paired in order
            index_a.setdefault(tuple(r[j] for j in keys if j < len(r)), []).append(r)
        for r in rows_b:
            key = tuple(r[j] for j in keys if j < len(r))
            if not index_a.get(key):
                continue
            ra = index_a[key].pop(0)
            for j, kind in cols.items():
                b = value(r[j]) if j < len(r) else None
                a = value(ra[j]) if j < len(ra) else None
                if a is not None and b is not None and b > 0:
                    if any(o in r[0].lower() for o in ("floor", "python -c", "bare read")):
                        kind = "other"  # a row of its own for the floor (start-up tables)
                    out.append((t, " · ".join(key), h[j], kind, b, a, a / b))
    return out


def summary(cells):
    """One line per kind: count, median, least and greatest after/before."""
    lines = []
    for kind in ("mlefit", "other"):
        r = [c[-1] for c in cells if c[3] == kind]
        if r:
            lines.append(f"{kind}: {len(r)} cells, after/before median {statistics.median(r):.2f}, "
                         f"range {min(r):.2f}-{max(r):.2f}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", default=HERE)
    ap.add_argument("--before-script", default=None)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--name", default=None, help="the benchmark's name in the output")
    ap.add_argument("--keep", default=None, metavar="FILE", help="append each run's whole output to FILE")
    ap.add_argument("script")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = [x for x in a.args if x != "--"]
    runs = {"before": [], "after": []}
    _bench.compile_trees(os.path.abspath(a.before), os.path.abspath(a.after))  # as installed: no run compiles
    for _ in range(a.rounds):
        runs["before"].append(run(a.before_script or a.script, args, os.path.abspath(a.before), a.timeout, a.keep))
        runs["after"].append(run(a.script, args, os.path.abspath(a.after), a.timeout, a.keep))
    cells = compare(least(runs["before"]), least(runs["after"]))
    name = a.name or " ".join([os.path.basename(a.script), *args])
    print(f"## {name}")
    print(_bench.table(["table", "row", "column", "kind", "before", "after", "after/before"],
                       [[t, k, c, kind, _bench.fmt_s(b), _bench.fmt_s(x), f"{r:.2f}"]
                        for t, k, c, kind, b, x, r in cells], "rllrrrr"))
    for line in summary(cells):
        print(line)


if __name__ == "__main__":
    main()
