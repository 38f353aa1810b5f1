"""The one profile engine (issue 15, point 4) against the engines it replaced: process CPU
time of each kind of profile work, in fresh processes from the before tree and this one,
interleaved, best of --repeat (CPU time, not wall time: the machine is shared), and
whether the answers agree (the largest relative difference of any interval end).

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/profile_engine_cpu.py --before /tmp/base [--repeat 5] [--write]
"""
import argparse
import json
import os
import subprocess
import sys

import _bench as B

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = {
    "fit --interval profile --derive mean (12 families, 60-300 rows)": "fit",
    "likelihood plot reach (5 families, each parameter, 2 levels)": "reach",
    "likelihood contour, student_t mu x sigma, 41 x 41": "contour",
    "regress --interval profile (bernoulli, poisson, student_t)": "regress",
    "fit --prior --interval profile (normal, 7 rows)": "map",
}
CHILD = r'''
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
import mlefit
from mlefit import plots
kind, out = sys.argv[1], []
rng = np.random.default_rng(3)
data = {"gamma": rng.gamma(2.5, 3.0, 200), "normal": rng.normal(5, 2, 150), "weibull": rng.weibull(1.7, 120) * 4,
        "student_t": rng.standard_t(4, 100) * 2 + 1, "cauchy": rng.standard_cauchy(80) + 1e9,
        "poisson": rng.poisson(3.2, 90), "bernoulli": (rng.random(70) < 0.3).astype(int),
        "zero_inflated_poisson": np.where(rng.random(100) < 0.2, 0, rng.poisson(2.5, 100)),
        "negative_binomial": rng.negative_binomial(3, 0.4, 120), "beta": rng.beta(2, 5, 100),
        "lognormal": rng.lognormal(1, 0.5, 100), "categorical": rng.choice(["a", "b", "c"], 60)}
fits = {f: mlefit.fit(data[f], f).fitted for f in ("gamma", "student_t", "cauchy", "weibull", "negative_binomial")}
t = time.process_time()
if kind == "fit":
    for fam, x in data.items():
        r = mlefit.fit(list(x) if fam == "categorical" else x, fam, interval="profile",
                       derive=() if fam == "categorical" else ["mean"])
        out += [v for p in list(r.parameters) + list(r.derived) for v in (p.ci_lower, p.ci_upper)]
elif kind == "reach":
    for f in fits.values():
        for i in f.regular:
            for level in (3.84, 7.68):
                out += [float(v) for v in plots._reach(f, i, level)[0]]
elif kind == "contour":
    g = mlefit.fit(rng.standard_t(4, 100) * 2 + 10, "student_t").fitted
    info = plots.plot_likelihood(g, sys.argv[2], params=["mu", "sigma"], grid=41)
    ll = info["loglik"]
    out = [float(np.sum(ll[np.isfinite(ll)]))]
elif kind == "regress":
    x = rng.normal(size=(300, 2))
    cols = {"a": x[:, 0], "b": x[:, 1], "y": (rng.random(300) < 1 / (1 + np.exp(-x @ [1.0, -0.5]))).astype(float),
            "k": rng.poisson(np.exp(0.3 + x @ [0.2, 0.1])).astype(float), "t": 1 + x[:, 0] + rng.standard_t(5, 300)}
    for y, dist in (("y", "bernoulli"), ("k", "poisson"), ("t", "student_t")):
        r = mlefit.regress(cols, y, ["a", "b"], dist=dist, interval="profile")
        out += [v for c in list(r.coefficients) + list(r.parameters) for v in (c.ci_lower, c.ci_upper)]
elif kind == "map":
    for _ in range(5):
        r = mlefit.fit([4.1, 5.3, 3.8, 6.0, 5.1, 4.4, 7.2], "normal",
                       prior=["mu ~ normal(3, 2)", "sigma ~ half_normal(3)"], interval="profile")
    out = [v for p in r.parameters for v in (p.ci_lower, p.ci_upper)]
print(json.dumps({"cpu": time.process_time() - t, "out": [v if v is None or np.isfinite(v) else str(v) for v in out]}))
'''


def run(tree, kind, tmp):
    proc = subprocess.run([sys.executable, "-c", CHILD, kind, os.path.join(tmp, "c.png")], cwd=tree,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": tree})
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed in {tree}: {proc.stderr[-600:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def largest_gap(a, b):
    gaps = [abs(x - y) / max(abs(x), abs(y), 1e-300) for x, y in zip(a, b)
            if isinstance(x, float) and isinstance(y, float) and x != y]
    return max(gaps, default=0.0)


def main():
    import tempfile
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="a source tree holding mlefit/ before the change")
    ap.add_argument("--repeat", type=int, default=5)
    B.add_output_options(ap, "profile_engine_cpu")
    args = ap.parse_args()
    trees = {"before": os.path.abspath(args.before), "after": HERE}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, kind in WORK.items():
            best, outs = {k: float("inf") for k in trees}, {}
            for _ in range(args.repeat if kind != "contour" else max(2, args.repeat // 2)):
                for k, tree in trees.items():
                    got = run(tree, kind, tmp)
                    best[k], outs[k] = min(best[k], got["cpu"]), got["out"]
            row = [label, f"{best['before']:.3f} s", f"{best['after']:.3f} s", B.fmt_ratio(best["before"] / best["after"]),
                   f"{largest_gap(outs['before'], outs['after']):.1e}"]
            print(" | ".join(row), file=sys.stderr, flush=True)
            rows.append(row)
    body = (B.table(["work", "before (CPU)", "after (CPU)", "before/after", "largest relative change of an end"],
                    rows, "lrrrr")
            + f"\n\nProcess CPU time of the work alone (imports and the plain fits excluded), best of "
              f"{args.repeat} fresh processes per tree ({max(2, args.repeat // 2)} for the contour), the "
              "trees interleaved. Before: plots._Profile, profile._profile and regression_profile.py (Newton "
              "with one coordinate held, secant on the signed root); after: profile_engine.py's Held, "
              "held_newton and search_side behind all of them.")
    B.publish(args, "profile_engine_cpu", "One profile engine: CPU time before and after (issue 15, point 4)", body)


if __name__ == "__main__":
    main()
