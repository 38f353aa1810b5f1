"""The regression objectives and fitters on the one data record (issue 15, point 2)
before/after: regress_vs_peers' logistic and poisson fits (1e5 rows x 20 covariates), and
each fitter that now reads its rows from the Record (trials per row with weights, an
offset, a censored AFT response, softmax, the quantile LP, a factor held as level indices)
and the paths that pass it record.take / record.drawn (bootstrap, folds), timed in a
fresh python per task and tree, the two trees interleaved round after round, each keeping
its best round. Process CPU time (time.process_time): the machine is shared.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/regress_record_ab.py --before /tmp/base [--rounds 3] [--write]

Columns: best CPU seconds per call before and after, and before/after (above 1: faster).
"""
from record_ab import compare

DATA = """
def table(n, p, seed=0):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, p)) / np.sqrt(p)
    eta = 0.3 + X @ r.normal(size=p)
    cols = {f'x{j}': np.ascontiguousarray(X[:, j]) for j in range(p)}
    t = r.integers(1, 6, n) * 1.0
    cols.update(yb=(r.uniform(size=n) < 1 / (1 + np.exp(-eta))) * 1.0, yp=r.poisson(np.exp(eta)) * 1.0,
                ybin=r.binomial(t.astype(int), 1 / (1 + np.exp(-eta))) * 1.0, t=t, w=r.integers(1, 4, n) * 1.0,
                t40=t + 35.0, ybin40=r.binomial(t.astype(int) + 35, 1 / (1 + np.exp(-eta))) * 1.0,
                off=r.normal(scale=0.1, size=n), time=np.exp(eta) * r.weibull(1.5, n), ev=(r.uniform(size=n) < 0.7) * 1.0,
                yc=r.integers(0, 3, n) * 1.0, yn=eta + r.standard_t(4, size=n), g=r.integers(0, 500, n).astype(str))
    return cols, [f'x{j}' for j in range(p)]
"""
TASKS = {
    "logistic_1e5": ("regress bernoulli, 1e5 rows x 20 covariates (regress_vs_peers)",
                     "cols, xs = table(100000, 20)\nbest(lambda: mlefit.regress(cols, 'yb', xs, dist='bernoulli'), 3)"),
    "poisson_1e5": ("regress poisson, 1e5 rows x 20 covariates (regress_vs_peers)",
                    "cols, xs = table(100000, 20)\nbest(lambda: mlefit.regress(cols, 'yp', xs, dist='poisson'), 3)"),
    "poisson_off_w_1e5": ("regress poisson with an offset and weights, 1e5 x 20",
                          "cols, xs = table(100000, 20)\n"
                          "best(lambda: mlefit.regress(cols, 'yp', xs, dist='poisson', offset='off', weights='w'), 3)"),
    "binomial_t40_1e5": ("regress binomial, 36-40 trials per row, 1e5 x 20",
                         "cols, xs = table(100000, 20)\n"
                         "best(lambda: mlefit.regress(cols, 'ybin40', xs, dist='binomial', trials='t40'), 3)"),
    "binomial_t_1e5": ("regress binomial, trials per row, 1e5 x 20",
                       "cols, xs = table(100000, 20)\n"
                       "best(lambda: mlefit.regress(cols, 'ybin', xs, dist='binomial', trials='t'), 3)"),
    "weibull_aft_1e5": ("regress weibull AFT, right-censored, 1e5 x 5",
                        "cols, xs = table(100000, 5)\n"
                        "best(lambda: mlefit.regress(cols, 'time', xs, dist='weibull', censoring={'event': 'ev'}), 1)"),
    "softmax_1e5": ("regress categorical (softmax), 3 labels, 1e5 x 5",
                    "cols, xs = table(100000, 5)\n"
                    "best(lambda: mlefit.regress(cols, 'yc', xs, dist='categorical'), 1)"),
    "quantile_1e4": ("regress asymmetric_laplace:0.8 (the LP), 1e4 x 5",
                     "cols, xs = table(10000, 5)\n"
                     "best(lambda: mlefit.regress(cols, 'yn', xs, dist='asymmetric_laplace:0.8'), 1)"),
    "indexed_1e5": ("regress normal over a 500-level factor held as indices, 1e5 rows",
                    "cols, xs = table(100000, 2)\n"
                    "best(lambda: mlefit.regress(cols, formula='yn ~ x0 + x1 + C(g)', dist='normal'), 1)"),
    "boot_weibull_1e4": ("regress weibull AFT, 1e4 x 5, --interval bootstrap (50 resamples)",
                         "cols, xs = table(10000, 5)\n"
                         "best(lambda: mlefit.regress(cols, 'time', xs, dist='weibull', censoring={'event': 'ev'}, "
                         "interval='bootstrap', bootstrap=50), 1)"),
    "folds_binomial_1e4": ("regress binomial, trials per row, weighted, 1e4 x 5, --folds 10",
                           "cols, xs = table(10000, 5)\n"
                           "best(lambda: mlefit.regress(cols, 'ybin', xs, dist='binomial', trials='t', weights='w', "
                           "folds=10), 1)"),
}


def main():
    compare(TASKS, "regress_record_ab",
            "The regression objectives on the one record (issue 15, point 2): before/after",
            "Before: the tree given by --before; after: this checkout.", prefix=DATA)


if __name__ == "__main__":
    main()
