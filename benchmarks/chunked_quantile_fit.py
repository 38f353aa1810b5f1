"""The fit after the read, in CPU seconds: laplace, asymmetric_laplace and huber on values
held in chunks (a LocalChunks filled as stream.py fills it, then chunked_stats, the
estimate, its loglik and information) against the same fit on the array in memory, in
one process, twice each; and whether the estimates are equal (the quantile exactly).

Usage: PYTHONPATH=. python3 benchmarks/chunked_quantile_fit.py FILE.csv [families]"""
import sys
import time

import pyarrow.csv as pc

from mlefit import families
from mlefit.io.chunks import LocalChunks
from mlefit.families.base import Controls

x = pc.read_csv(sys.argv[1]).column(0).to_numpy()
names = sys.argv[2] if len(sys.argv) > 2 else "laplace,asymmetric_laplace:0.5,huber:1.345"


def fit(fam, s):
    sol = fam.estimate(s, Controls())
    fam.loglik(s, sol.theta)
    fam.observed_information(s, sol.theta)
    return sol.theta


print("| family | append to chunks s | fit on chunks s | fit in memory s | estimates (chunks / memory) |")
print("| --- | ---: | ---: | ---: | --- |")
for name in names.split(","):
    fam = families.get(name)
    for _ in range(2):
        c = LocalChunks((16 << 20) // 8)  # stream.py's chunks of 16 MB
        t0 = time.process_time()
        for i in range(0, x.size, 1 << 20):
            c.append(x[i:i + (1 << 20)])
        t1 = time.process_time()
        a = fit(fam, fam.chunked_stats(c))
        t2 = time.process_time()
        b = fit(fam, fam.stats(x, None))
        t3 = time.process_time()
        c.close()
        same = "equal" if a == b else " / ".join(f"{u!r} {v!r}" for u, v in zip(a, b) if u != v)
        print(f"| {name} | {t1 - t0:.3f} | {t2 - t1:.3f} | {t3 - t2:.3f} | {same} |", flush=True)
