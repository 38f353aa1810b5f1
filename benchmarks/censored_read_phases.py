"""In-process phases of a right-censored fit of the 1e7-row file (or FILE) read in chunks
(stream_censored.fit_file): imports, the read (_read: parse, conversions, the helper
thread's sums), the Kaplan-Meier median, the whole fit, wall and process CPU; and the
passes over the weibull's temporary file. Run it from each tree in turn
(PYTHONPATH=<tree> python3 benchmarks/censored_read_phases.py exponential|weibull [FILE]):
whole-process timings on the shared machine vary more than the changes they would compare."""
import time, sys
t0=time.perf_counter(); c0=time.process_time()
import mlefit.cli, mlefit.censored.stream as sc, mlefit.censored.kaplan_meier as km
t1=time.perf_counter(); c1=time.process_time()
print(f"imports wall {t1-t0:.3f} cpu {c1-c0:.3f}")
orig_read = sc._read; orig_median = km.Tally.median
def timed(f, label):
    def g(*a, **k):
        w=time.perf_counter(); c=time.process_time()
        try: return f(*a, **k)
        finally: print(f"{label} wall {time.perf_counter()-w:.3f} cpu {time.process_time()-c:.3f}")
    return g
sc._read = timed(orig_read, "read"); km.Tally.median = timed(orig_median, "median")
import mlefit.io.chunks as ch
passes = []
orig_each = ch.LocalChunks.map_each
ch.LocalChunks.map_each = lambda self, fn: passes.append(1) or orig_each(self, fn)
w=time.perf_counter(); c=time.process_time()
sc.fit_file(sys.argv[2] if len(sys.argv) > 2 else "/tmp/cs/bench/right_10000000_1.csv", sys.argv[1], column="t",
            event="e")
print(f"fit_file wall {time.perf_counter()-w:.3f} cpu {time.process_time()-c:.3f}")
print(f"passes over the temporary file: {len(passes)}")
