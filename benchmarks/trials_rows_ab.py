"""Trials per row as data (issue 15, point 2) before/after: binomial and beta_binomial fits
whose trials differ by row (one family whatever the data, its data the rows (successes,
trials)), their bootstraps (a resample is rows of that family, no family rebuilt per
resample) and robust errors (analytic per-row scores), with one number of trials beside.
A fresh python per task, tree and round (record_ab.run), the two trees interleaved round
after round, each keeping its best round; process CPU time (the machine is shared).

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/trials_rows_ab.py --before /tmp/base [--rounds 3] [--write]

Columns: best CPU seconds per call before and after, and before/after (above 1: faster).
"""
import _bench as B  # noqa: F401 - sets OPENBLAS_NUM_THREADS=1 before numpy is imported
import record_ab

DATA = ("t = rng.integers(1, 30, {n}) * 1.0; s = rng.binomial(t.astype(int), rng.beta(2.0, 3.0, t.size)) * 1.0\n")
TASKS = {
    "binom_1e2": ("fit binomial, trials per row, 100 rows",
                  DATA.format(n=100) + "best(lambda: mlefit.fit(s, 'binomial', trials=t), 300)"),
    "binom_1e5": ("fit binomial, trials per row, 1e5 rows",
                  DATA.format(n=100000) + "best(lambda: mlefit.fit(s, 'binomial', trials=t), 10)"),
    "bb_1e2": ("fit beta_binomial, trials per row, 100 rows",
               DATA.format(n=100) + "best(lambda: mlefit.fit(s, 'beta_binomial', trials=t), 100)"),
    "bb_1e5": ("fit beta_binomial, trials per row, 1e5 rows",
               DATA.format(n=100000) + "best(lambda: mlefit.fit(s, 'beta_binomial', trials=t), 10)"),
    "binom20_1e5": ("fit binomial:20 (one number of trials), 1e5 rows",
                    "s = rng.binomial(20, 0.3, 100000) * 1.0\nbest(lambda: mlefit.fit(s, 'binomial:20'), 10)"),
    "bb_boot_np": ("beta_binomial, trials per row, 1e3 rows, nonparametric bootstrap (200 resamples)",
                   DATA.format(n=1000) + "best(lambda: mlefit.fit(s, 'beta_binomial', trials=t, interval='bootstrap', "
                                         "bootstrap=200, resample='nonparametric'), 1)"),
    "bb_boot_p": ("beta_binomial, trials per row, 1e3 rows, parametric bootstrap (200 resamples)",
                  DATA.format(n=1000) + "best(lambda: mlefit.fit(s, 'beta_binomial', trials=t, interval='bootstrap', "
                                        "bootstrap=200, resample='parametric'), 1)"),
    "binom_robust_1e5": ("fit binomial, trials per row, 1e5 rows, robust errors",
                         DATA.format(n=100000) + "best(lambda: mlefit.fit(s, 'binomial', trials=t, robust=True), 5)"),
}
# single fits, each after one of another shape (with weights, then without): the pattern in
# which a matrix of the rows made for every fit cost page faults (a pair of fits per call)
PAIR = "w = rng.uniform(0.5, 2.0, t.size)\nbest(lambda: (mlefit.fit(s, '{f}', trials=t, weights=w), mlefit.fit(s, '{f}', trials=t)), {k})"
for _n, _k in ((30000, 30), (100000, 10), (300000, 5), (1000000, 3)):
    for _f, _short in (("binomial", "binom"), ("beta_binomial", "bb")):
        TASKS[f"{_short}_pair_{_n:.0e}".replace("+0", "")] = (
            f"fit {_f}, trials per row, {_n:,} rows: weighted, then unweighted (a pair of single fits)",
            DATA.format(n=_n) + PAIR.format(f=_f, k=_k))


def main():
    record_ab.compare(TASKS, "trials_rows_ab", "Trials per row as data (issue 15, point 2): one family, rows "
                      "(successes, trials)", "Before: the tree given by --before; after: this checkout.")


if __name__ == "__main__":
    main()
