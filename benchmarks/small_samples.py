"""Small samples, several seeds: mlefit.fit against scipy.stats' fit where both take
well under a millisecond, so that the ratio depends on the sample (scipy's iterations)
and on fixed costs. fit_vs_scipy.py shows one seed per size; this shows the spread.

    python3 benchmarks/small_samples.py                          # logistic, gumbel; 1e3, 1e4; 5 seeds
    python3 benchmarks/small_samples.py --families logistic,gumbel,normal --sizes 1e3 --seeds 10

Each cell: other/mlefit (above 1: mlefit is faster), the min of `--repeat` timings of
`--number` calls each, per side, on the same array. Prints a markdown table.
"""
import argparse
import timeit

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402

import mlefit  # noqa: E402

CASES = {
    "logistic": (st.logistic, lambda r, n: r.logistic(0.5, 1.3, n)),
    "gumbel": (st.gumbel_r, lambda r, n: r.gumbel(2.0, 1.5, n)),
    "cauchy": (st.cauchy, lambda r, n: -2.0 + 0.8 * r.standard_cauchy(n)),
    "laplace": (st.laplace, lambda r, n: r.laplace(1.0, 2.0, n)),
    "normal": (st.norm, lambda r, n: r.normal(3.0, 2.0, n)),
}


def best(fn, number, repeat):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", default="logistic,gumbel")
    ap.add_argument("--sizes", default="1e3,1e4")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--number", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    names = args.families.split(",")
    unknown = [f for f in names if f not in CASES]
    if unknown:
        ap.error(f"unknown families {unknown}; choose from {', '.join(CASES)}")
    rows = []
    for name in names:
        dist, draw = CASES[name]
        for n in B.parse_sizes(args.sizes):
            ratios, ml_ms, sc_ms = [], [], []
            for seed in range(args.seeds):
                x = draw(np.random.default_rng(seed), n)
                mlefit.fit(x, name), dist.fit(x)  # warm: imports and caches
                a = best(lambda: mlefit.fit(x, name), args.number, args.repeat)
                b = best(lambda: dist.fit(x), args.number, args.repeat)
                ratios.append(b / a)
                ml_ms.append(a * 1e3)
                sc_ms.append(b * 1e3)
            rows.append([name, B.fmt_n(n), f"{min(ml_ms):.3f}-{max(ml_ms):.3f}",
                         f"{min(sc_ms):.3f}-{max(sc_ms):.3f}", f"{min(ratios):.2f}-{max(ratios):.2f}"])
    print(B.table(["family", "n", "mlefit ms", "scipy ms", "scipy/mlefit"], rows, "lrrrr"))


if __name__ == "__main__":
    main()
