"""Before/after of mlefit.fit against scipy's fit, interleaved in one process: an older
tree of mlefit (imported as a second package), this tree, and scipy's fit of the same
model are called in turn, round after round, and each keeps its best batch. On a shared
machine this is steadier than fit_vs_scipy.py's best of 3 (whose ratios swing by a third
between runs at 1e5, where a fit takes a tenth of a millisecond).

    git -C . archive a0e7995 mlefit | tar -x -C /tmp/before
    python3 benchmarks/fit_vs_scipy_ab.py --old /tmp/before --families normal,exponential --sizes 1e5,1e6

Columns: best time per call (ms) of the old tree, this tree and scipy (the "same model"
competitor of fit_vs_scipy.py), and scipy's time over each (above 1: mlefit faster).
--scipy-limit S leaves scipy out where its first call takes longer than S seconds, or is
predicted to from a call on 1e4 values (its generic fits at 1e7 take minutes a call).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings

import _bench as B  # noqa: F401 - sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402
from fit_vs_scipy import SAMPLERS, competitors  # noqa: E402


def old_tree(path):
    """The mlefit package under `path`, imported as mlefit_old (a copy under that name)."""
    where = tempfile.mkdtemp(prefix="mlefit_old_")
    shutil.copytree(os.path.join(path, "mlefit"), os.path.join(where, "mlefit_old"))
    sys.path.insert(0, where)
    import mlefit_old
    return mlefit_old


def per_call(fn, k):
    t0 = time.perf_counter()
    for _ in range(k):
        fn()
    return (time.perf_counter() - t0) / k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="a directory holding the older tree's mlefit/")
    ap.add_argument("--families", default="normal,exponential,lognormal,uniform")
    ap.add_argument("--sizes", default="1e5,1e6")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--scipy-limit", type=float, default=float("inf"), metavar="SECONDS",
                    help="leave scipy's fit out where one call takes longer (its column shows -)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    old = old_tree(args.old)
    print("| family | n | old ms | new ms | scipy ms | scipy/old | scipy/new |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.families.split(","):
        other = competitors(name)[0][2]
        for n in B.parse_sizes(args.sizes):
            x = SAMPLERS[name](np.random.default_rng(n), n)
            fns = {"old": lambda: old.fit(x, name), "new": lambda: mlefit.fit(x, name), "scipy": lambda: other(x)}
            if n > 10 ** 4 and per_call(lambda: other(x[:10 ** 4]), 1) * n / 10 ** 4 > args.scipy_limit:
                del fns["scipy"]  # predicted linearly from a call on 1e4 values: not started
            for key, fn in list(fns.items()):
                if per_call(fn, 1) > args.scipy_limit and key == "scipy":
                    del fns[key]
            k = max(1, int(0.01 / max(per_call(fns["new"], 1), 1e-7)))  # batches of about 10 ms
            best = dict.fromkeys(fns, float("inf"))
            for _ in range(args.rounds):
                for key, fn in fns.items():
                    best[key] = min(best[key], per_call(fn, k))
            sc = best.get("scipy", float("inf"))
            scipy = [f"{sc * 1e3:.3g}", f"{sc / best['old']:.2f}", f"{sc / best['new']:.2f}"] \
                if sc < float("inf") else ["-", "-", "-"]
            print(f"| {name} | {B.fmt_n(n)} | {best['old'] * 1e3:.3g} | {best['new'] * 1e3:.3g} | "
                  f"{' | '.join(scipy)} |", flush=True)


if __name__ == "__main__":
    main()
