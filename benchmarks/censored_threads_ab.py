"""The per-row censored engine on one thread against several (cores.WORKERS), in
one process, interleaved round after round: wall time of one pass (censored_terms.sums
over every row at the estimate) and of the whole fit (mlefit.fit), the least of the rounds
each; the estimates and log-likelihood must be the same on any number of threads.

    python3 benchmarks/censored_threads_ab.py [--rows 1e6] [--rounds 5] [--workers 2]

Cases as censored_engine_passes.py's (seeded; imported from it): interval lognormal,
interval weibull, left-censored normal. Wall time, not CPU: threads spend about the same
CPU and save wall time only where a core is free (run it on a quiet machine)."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mlefit  # noqa: E402
from censored_engine_passes import CASES, data  # noqa: E402
from mlefit.censored import fit as cf  # noqa: E402
from mlefit.censored import terms as ct  # noqa: E402
from mlefit import cores  # noqa: E402
from mlefit import families  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=1e6)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    n = int(a.rows)
    made = {case: data(case, n, 1) for case in CASES}
    best, seen = {}, {}
    for _ in range(a.rounds):
        for case, (cens, name) in made.items():
            fam = families.get(name)
            dens, shapes = cf.density_of(fam)
            terms = cf.terms_of(cf.rows_array(cens, fam.spec.discrete), None, fam.spec.discrete)
            for w in (1, a.workers):
                cores.WORKERS = w
                t = time.perf_counter()
                r = mlefit.fit(cens, name)
                fit = time.perf_counter() - t
                t = time.perf_counter()
                ct.sums(dens, terms, r.fitted.theta, shapes)
                one = time.perf_counter() - t
                key = (case, w)
                old = best.get(key, (float("inf"), float("inf")))
                best[key] = (min(old[0], one), min(old[1], fit))
                seen.setdefault(case, set()).add((tuple(p.estimate for p in r.parameters), r.loglik))
    print(f"| case ({n:,} rows) | pass, 1 thread s | pass, {a.workers} s | ratio | fit, 1 thread s | "
          f"fit, {a.workers} s | ratio | same numbers |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for case in CASES:
        (p1, f1), (p2, f2) = best[(case, 1)], best[(case, a.workers)]
        print(f"| {case} | {p1:.3f} | {p2:.3f} | {p1 / p2:.2f} | {f1:.3f} | {f2:.3f} | {f1 / f2:.2f} | "
              f"{len(seen[case]) == 1} |")


if __name__ == "__main__":
    main()
