"""Goodness of fit on counts whose table is small but whose weight or range is huge:
the chi-square and KS tests follow the distinct values and at most MAX_CELLS cells,
never the total weight or the width of the range (before cells were grouped, the wide
range took minutes). The timing that tests/test_gof.py used to assert, measured here.

    python3 benchmarks/gof_counts.py            # prints the section
    python3 benchmarks/gof_counts.py --write    # and replaces it in benchmarks/RESULTS.md

Each row: the fit alone, then goodness_of_fit after it (textbook p-values, and with a
small parametric bootstrap), best of up to 3 timings, and gof/fit.
"""
import argparse

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402
from mlefit import families  # noqa: E402
from mlefit.inference.gof import goodness_of_fit  # noqa: E402


def cases():
    values = np.arange(7.0)
    weights = np.array([1.1e6, 1.2e6, 0.9e6, 0.6e6, 0.3e6, 0.1e6, 0.05e6])
    wide = np.random.default_rng(1).negative_binomial(0.3, 1e-6, 1000).astype(float)
    return [("7 distinct counts weighing 4.25 million", "poisson", values, weights, 0),
            ("7 distinct counts weighing 4.25 million", "poisson", values, weights, 19),
            ("1000 counts over a range of millions", "geometric", wide, None, 0),
            ("1000 counts over a range of millions", "geometric", wide, None, 5)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    B.add_output_options(ap, "gof_counts")
    args = ap.parse_args()
    rows = []
    for label, name, x, w, bootstrap in cases():
        fam = families.get(name)
        fit_s, _, r = B.measure(lambda: mlefit.fit(x, name, weights=w))
        theta = tuple(p.estimate for p in r.parameters)
        gof_s, _, _ = B.measure(lambda: goodness_of_fit(fam, x, theta, 1, weights=w, bootstrap=bootstrap))
        rows.append([label, name, str(bootstrap), B.fmt_s(fit_s), B.fmt_s(gof_s), f"{gof_s / fit_s:.0f}x"])
    body = B.table(["data", "family", "bootstrap", "fit (s)", "goodness of fit (s)", "gof/fit"], rows, "lllrrr")
    B.publish(args, "gof_counts", "Goodness of fit on large tables of counts (`goodness_of_fit`)", body)


if __name__ == "__main__":
    main()
