"""The per-row censored engine (mlefit.censored.terms.sums over every row, and the whole
censored fit built on it) for this checkout and another (--compare DIR), in interleaved
fresh processes, by CPU time: what a shared machine's load changes least.

    python3 benchmarks/censored_engine_passes.py [--rows 1e6] [--compare DIR] [--repeat 5] [--cli FILE] [--write]

DIR: another checkout's root (a directory holding mlefit/), e.g. the tree before a change:
`git archive <commit> mlefit | tar -x -C /tmp/before`.

Cases (seeded data made in the child, numpy.random.default_rng([seed, n, case])):
- interval lognormal: lognormal(1, 0.5) values; 30% exact, 10% left-censored at the
  upper end of a cell of width U(0.1, 1), 10% right-censored at its lower end, 50% in the
  cell (censored_end_to_end.py's interval file, without the CSV);
- interval weibull: weibull(1.5, scale 3.6) values, the same mix of rows;
- left-censored normal: normal(10, 2) values below a detection limit of 8 left-censored
  there (about 16%), the others exact.

Columns: pass = one ct.sums over every row at the estimate (best of 5 in the child);
fit = mlefit.censored.fit.fit on the rows (point estimate, Wald intervals; best of 2);
passes = the ct.sums calls (derivatives) + ct.loglik calls (the value alone) the fit made over all
n rows (the subsample's are not counted).
Each is the least of --repeat fresh processes per checkout, run in turn.

--cli FILE: also `python3 -m mlefit fit FILE --lower left --upper right -d lognormal` end to
end in each checkout, in turn (FILE: an interval CSV of censored_end_to_end.py, e.g.
/tmp/cs/bench/interval_10000000_1.csv): least wall and CPU seconds, and peak memory.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import _bench as B

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = ("interval lognormal", "interval weibull", "left-censored normal")


def data(case, n, seed):
    import numpy as np

    from mlefit.censored import rows as censoring

    rng = np.random.default_rng([seed, n, CASES.index(case)])
    if case == "left-censored normal":
        return censoring.from_limits(rng.normal(10.0, 2.0, n), lower_limit=8.0), "normal"
    y = np.exp(rng.normal(1.0, 0.5, n)) if case == "interval lognormal" else 3.6 * rng.weibull(1.5, n)
    w = rng.uniform(0.1, 1.0, n)
    lo = np.floor(y / w) * w
    hi = lo + w
    kind = rng.uniform(size=n)
    lower = np.where(kind < 0.1, np.nan, np.where(kind < 0.2, np.maximum(lo, 0.01), np.where(kind < 0.5, y, lo)))
    upper = np.where(kind < 0.1, hi, np.where(kind < 0.2, np.nan, np.where(kind < 0.5, y, hi)))
    return censoring.from_bounds(lower, upper), case.split()[1]


def child(case, n, seed):
    from mlefit.censored import fit as cf
    from mlefit.censored import terms as ct
    from mlefit import families

    cens, name = data(case, n, seed)
    count = {"sums": 0, "loglik": 0}
    inner = {key: getattr(ct, key) for key in count}

    def counter(key):
        def counted(dens, terms, *a, **k):
            count[key] += sum(g.size for g in terms.groups) >= n
            return inner[key](dens, terms, *a, **k)
        return counted
    for key in count:
        setattr(cf.ct, key, counter(key))
    best_fit, result = float("inf"), None
    for _ in range(2):
        count.update(sums=0, loglik=0)
        t0 = time.process_time()
        result = cf.fit(cens, name)
        best_fit = min(best_fit, time.process_time() - t0)
    passes = f"{count['sums']} + {count['loglik']}"
    for key in count:
        setattr(cf.ct, key, inner[key])
    fam = families.get(name)
    dens, shapes = cf.density_of(fam)
    x = cf.rows_array(cens, fam.spec.discrete)
    terms = cf.terms_of(x, None, fam.spec.discrete)
    theta = result.fitted.theta
    best_pass = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        ct.sums(dens, terms, theta, shapes)
        best_pass = min(best_pass, time.process_time() - t0)
    print(json.dumps({"pass": best_pass, "fit": best_fit, "passes": passes, "theta": list(theta),
                      "loglik": result.fitted.loglik}))


def cli_run(root, path):
    """(wall s, CPU s, peak MB) of the CLI's interval lognormal fit of `path` from `root`."""
    env = dict(os.environ, PYTHONPATH=root)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mlefit", "fit", path, "--lower", "left", "--upper", "right",
                             "-d", "lognormal"], env=env, cwd="/", stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"the CLI failed in {root} (status {status})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def cli_table(roots, path, repeat):
    wall, cpu, peak = ({label: v for label, _ in roots} for v in (float("inf"), float("inf"), 0.0))
    for _ in range(repeat):
        for label, root in roots:
            w, c, m = cli_run(root, path)
            print(label, "cli", w, c, m, file=sys.stderr, flush=True)
            wall[label], cpu[label], peak[label] = min(wall[label], w), min(cpu[label], c), max(peak[label], m)
    rows = [[label, B.fmt_s(wall[label]), B.fmt_s(cpu[label]), f"{peak[label]:.0f}"] for label, _ in roots]
    return (f"\n\nEnd to end, `python3 -m mlefit fit {os.path.basename(path)} --lower left --upper right "
            f"-d lognormal` (least of {repeat} runs per checkout, in turn; peak: the largest resident set):\n\n" +
            B.table(["checkout", "wall (s)", "CPU (s)", "peak MB"], rows))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1e6")
    ap.add_argument("--compare", metavar="DIR", default=None, help="another checkout (its mlefit/ is imported)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--cli", metavar="FILE", default=None, help="also time the CLI's interval lognormal fit of FILE")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    B.add_output_options(ap, "censored_engine_passes")
    args = ap.parse_args()
    n = int(float(args.rows))
    if args.child:
        return child(args.child, n, args.seed)
    roots = [("this checkout", ROOT)] + ([(args.compare, os.path.abspath(args.compare))] if args.compare else [])
    best = {(label, case): None for label, _ in roots for case in CASES}
    for _ in range(args.repeat):
        for case in CASES:
            for label, root in roots:
                env = dict(os.environ, PYTHONPATH=root)
                out = subprocess.run([sys.executable, os.path.abspath(__file__), "--rows", args.rows, "--seed",
                                      str(args.seed), "--child", case], env=env, cwd="/", capture_output=True,
                                     text=True, check=True).stdout
                got = json.loads(out.strip().splitlines()[-1])
                old = best[label, case]
                if old is not None:
                    got["pass"], got["fit"] = min(got["pass"], old["pass"]), min(got["fit"], old["fit"])
                best[label, case] = got
                print(label, case, json.dumps(got), file=sys.stderr, flush=True)
    rows = []
    for case in CASES:
        mine = best["this checkout", case]
        other = best[roots[-1][0], case] if args.compare else None
        for label, _ in roots:
            got = best[label, case]
            rows.append([case if label == "this checkout" else f"{case} [{label}]", B.fmt_n(n), str(got["passes"]),
                         B.fmt_s(got["pass"]), B.fmt_s(got["fit"]),
                         "" if other is None else B.fmt_ratio(got["pass"] and other["pass"] / got["pass"]),
                         "" if other is None else B.fmt_ratio(other["fit"] / got["fit"]),
                         f"{got['loglik']:.10f}"])
        if other is not None:
            gap = max(abs(a - b) / abs(b) for a, b in zip(mine["theta"], other["theta"]))
            print(f"{case}: estimates differ by {gap:.3g} relative, log-likelihoods by "
                  f"{mine['loglik'] - other['loglik']:.3g}", file=sys.stderr)
    body = (f"CPU seconds (time.process_time), least of {args.repeat} fresh processes per checkout, run in turn. "
            "pass: one censored_terms.sums over every row at the estimate; fit: the whole censored fit "
            "(estimate and Wald intervals); passes: its sums + logliks over all n rows; speed-up: the other checkout's "
            "time over this one's.\n\n" +
            B.table(["case", "n", "passes", "pass (s)", "fit (s)", "pass speed-up", "fit speed-up", "log-likelihood"],
                    rows))
    if args.cli:
        body += cli_table(roots, os.path.abspath(args.cli), args.repeat)
    B.publish(args, "censored_engine_passes", "The per-row censored engine: one pass and the whole fit", body)


if __name__ == "__main__":
    main()
