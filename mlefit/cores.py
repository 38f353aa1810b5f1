"""Work shared by every core: fn over a list of items by this thread and WORKERS - 1
others, each taking the next item not yet taken, the results in the items' order. For
passes over blocks of rows whose numpy and scipy.special loops release the GIL (a dozen
transcendental functions a row: the censored engine): the results are then added in the
same order as on one thread, so the sums are the same numbers, bit for bit. (Not for the
uncensored families' passes over chunks: those do a few cheap operations a value, and on
two threads took more CPU and no less wall time at 1e7 rows, benchmarks/RESULTS.md.)"""
import itertools
import os
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

WORKERS = min(4, os.cpu_count() or 1)
_POOL = []


def in_order(items, fn):
    """[fn(item) for item in items], computed on up to WORKERS threads (this one among
    them) where there are several items. Each item runs under the caller's numpy error
    state (np.errstate is per thread); an exception in any thread stops the others taking
    items and is raised here, after they have finished the item in hand."""
    items = list(items)
    if len(items) < 2 or WORKERS < 2:
        return [fn(item) for item in items]
    out, taken, stop, state = [None] * len(items), itertools.count(), [], np.geterr()

    def work():
        with np.errstate(**state):
            for i in taken:
                if i >= len(items) or stop:
                    return
                try:
                    out[i] = fn(items[i])
                except BaseException:
                    stop.append(True)
                    raise
    others = [_pool().submit(work) for _ in range(min(WORKERS, len(items)) - 1)]
    try:
        work()
    except BaseException:
        stop.append(True)
        raise
    finally:
        # every item is taken: a helper not yet started has nothing to do, and where this call runs
        # on the pool's own thread (nested) it would never start; cancelled, it is not waited for
        # (wait() would: a cancelled future is done only once a pool thread has dequeued it)
        others = [f for f in others if not f.cancel()]
        wait(others)
    for f in others:
        f.result()
    return out


if hasattr(os, "register_at_fork"):  # a forked child has none of the pool's threads: it makes its own
    os.register_at_fork(after_in_child=lambda: _POOL.clear())


def _pool():
    if not _POOL or _POOL[0][0] != WORKERS:  # (made again where WORKERS was changed)
        if _POOL:
            _POOL[0][1].shutdown(wait=False)
        _POOL[:] = [(WORKERS, ThreadPoolExecutor(max_workers=max(WORKERS - 1, 1), thread_name_prefix="mlefit-rows"))]
    return _POOL[0][1]
