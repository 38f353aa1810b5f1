"""Censored rows as the one data record (issue 15, point 2) before/after: the mlefit calls
of censored_vs_peers.py (right-censored weibull, interval-censored lognormal, the rows
built and fitted) and the paths whose censored rows now move by Record.take / drawn
(fit --by groups, the nonparametric bootstrap, a censored regression's folds), timed
in a fresh python per task and tree, the two trees interleaved round after round, each
keeping its best round. Process CPU time (time.process_time): the machine is shared.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/censored_record_ab.py --before /tmp/base [--rounds 3] [--write]

Columns: best CPU seconds per call before and after, and before/after (above 1: faster).
"""
from record_ab import compare

DATA = """
from mlefit.censored import rows as censoring
def weibull_data(n):
    t = rng.weibull(1.5, n) * 10.0
    c = rng.uniform(0, 34.0, n)
    return np.minimum(t, c), t <= c
def lognormal_data(n):
    lo = np.floor(rng.lognormal(1.0, 0.6, n))
    return np.where(lo == 0, np.nan, lo), lo + 1.0
"""
TASKS = {
    "weibull_1e4": ("right-censored weibull, 1e4 rows (from_event + fit)",
                    "y, e = weibull_data(10000)\nbest(lambda: mlefit.fit(censoring.from_event(y, e), 'weibull'), 20)"),
    "weibull_1e6": ("right-censored weibull, 1e6 rows",
                    "y, e = weibull_data(1000000)\nbest(lambda: mlefit.fit(censoring.from_event(y, e), 'weibull'), 1)"),
    "lognormal_1e4": ("interval-censored lognormal, 1e4 rows (from_bounds + fit)",
                      "lo, hi = lognormal_data(10000)\n"
                      "best(lambda: mlefit.fit(censoring.from_bounds(lo, hi), 'lognormal'), 5)"),
    "lognormal_1e5": ("interval-censored lognormal, 1e5 rows",
                      "lo, hi = lognormal_data(100000)\n"
                      "best(lambda: mlefit.fit(censoring.from_bounds(lo, hi), 'lognormal'), 1)"),
    "cells_1e5": ("censored cells ('<=1', '>=9', '4'), poisson, 1e5 rows (from_cells + fit)",
                  "k = rng.poisson(4.0, 100000)\n"
                  "cells = [f'<={v}' if v < 2 else f'>={v}' if v > 8 else str(v) for v in k.tolist()]\n"
                  "best(lambda: mlefit.fit(censoring.from_cells(cells), 'poisson'), 1)"),
    "by_1e3": ("fit --by: 1e3 groups of 10 right-censored rows, weibull, weighted (each_group)",
               "from mlefit.groups import each_group, grouped\n"
               "y, e = weibull_data(10000); g = np.char.add('k', (np.arange(10000) % 1000).astype(str))\n"
               "w = rng.integers(1, 4, 10000) * 1.0; rows = censoring.from_event(y, e)\n"
               "best(lambda: sum(1 for _ in each_group(rows, *grouped(g), 'weibull', weights=w)), 1)"),
    "boot_1e4": ("right-censored weibull, 1e4 rows, nonparametric bootstrap (100 resamples)",
                 "y, e = weibull_data(10000)\n"
                 "best(lambda: mlefit.fit(censoring.from_event(y, e), 'weibull', interval='bootstrap', "
                 "resample='nonparametric', bootstrap=100), 1)"),
    "aft_folds_1e4": ("censored regression (weibull AFT), 1e4 rows x 3 covariates, --folds 5",
                      "from mlefit.censored.request import NAMES\n"
                      "X = rng.normal(size=(10000, 3)); t = rng.weibull(1.5, 10000) * np.exp(0.3 * X.sum(axis=1))\n"
                      "c = rng.uniform(0, 3, 10000)\n"
                      "cols = {'t': np.minimum(t, c), 'e': (t <= c) * 1.0, **{f'x{j}': X[:, j] for j in range(3)}}\n"
                      "opts = {**dict.fromkeys(NAMES), 'censored_cells': False, 'event': 'e'}\n"
                      "best(lambda: mlefit.regress(cols, 't', ['x0', 'x1', 'x2'], dist='weibull', censoring=opts, "
                      "folds=5), 1)"),
}


def main():
    compare(TASKS, "censored_record_ab", "Censored rows as the one data record (issue 15, point 2): before/after",
            "Before: the tree given by --before (censored rows a class of their own, mlefit.censored.rows.Censored); "
            "after: this checkout (a Record with its bounds).", DATA)


if __name__ == "__main__":
    main()
