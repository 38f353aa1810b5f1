"""fit --prior jeffreys for negative_binomial: the log-prior's gradient and Hessian summed
with its information (mlefit.priors.jeffreys_sums.nb_log_prior_fn, one pass over the counts per
Newton step) against the same prior differentiated by Richardson finite differences
(log_prior_fn on nb_information, 72 sums per step), as CPU-time ratios in one run, the two
interleaved; and beta_binomial with trials per row (finite differences over a table of
every distinct number of trials) as a CPU time.

    python3 benchmarks/jeffreys_sums.py            # prints the section
    python3 benchmarks/jeffreys_sums.py --write    # and writes it to RESULTS.md

Columns: best CPU time (time.process_time, best of --repeat, interleaved) of mlefit.fit
with prior='jeffreys' on seeded data; fd / analytic (above 1: the analytic derivatives
are faster); dMAP, the largest relative difference of the two MAPs.
"""
import argparse
import time

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

import mlefit  # noqa: E402
from mlefit.priors import jeffreys_sums  # noqa: E402

KEY = "jeffreys_sums"
CASES = [(2.5, 4.0, 10_000), (0.3, 200.0, 2_000), (50.0, 3.0, 5_000), (0.05, 1000.0, 3_000)]


def _finite_differences(theta, free):
    return jeffreys_sums.log_prior_fn(jeffreys_sums.nb_information, theta, free)


def cpu(fn):
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    B.add_output_options(ap, KEY)
    args = ap.parse_args()
    analytic = jeffreys_sums.nb_log_prior_fn
    rows = []
    for size, mu, n in CASES:
        y = list(np.random.default_rng(1).negative_binomial(size, size / (size + mu), n))
        best = {"analytic": np.inf, "fd": np.inf}
        fits = {}
        for _ in range(args.repeat):  # interleaved: the machine's load falls on both alike
            for kind, fn in (("analytic", analytic), ("fd", _finite_differences)):
                jeffreys_sums.nb_log_prior_fn = fn
                try:
                    t, fits[kind] = cpu(lambda: mlefit.fit(y, "negative_binomial", prior="jeffreys"))
                finally:
                    jeffreys_sums.nb_log_prior_fn = analytic
                best[kind] = min(best[kind], t)
        gap = max(abs(fits["fd"].estimates[k] / fits["analytic"].estimates[k] - 1) for k in ("size", "mu"))
        rows.append([f"negative_binomial({size:g}, {mu:g})", B.fmt_n(n), B.fmt_s(best["analytic"]),
                     B.fmt_s(best["fd"]), B.fmt_ratio(best["fd"] / best["analytic"]), f"{gap:.1e}"])
    rng = np.random.default_rng(0)
    t = rng.integers(1, 500, 2000)
    y = stats.betabinom.rvs(t, 2, 3, random_state=rng)
    bb = min(cpu(lambda: mlefit.fit(list(y), "beta_binomial", trials=list(t), prior="jeffreys"))[0]
             for _ in range(args.repeat))
    body = (B.table(["family (size, mu)", "rows", "analytic", "finite differences", "fd / analytic", "dMAP"], rows)
            + f"\n\nbeta_binomial with trials per row (2000 rows, {np.unique(t).size} distinct trials up to 499, "
              f"finite differences over the table of every distinct number of trials): {B.fmt_s(bb)} s CPU.\n\n"
              f"Best CPU time in seconds of {args.repeat}, the two interleaved.")
    text = B.section(KEY, "Jeffreys' priors summed over the counts (issue 18, point 3)", body)
    print(text)
    if args.write:
        B.write_section(KEY, text, args.write)


if __name__ == "__main__":
    main()
