"""The censored engine's passes on several threads (censored_terms.each_block, cores.in_order): the same
numbers as on one, bit for bit; blocks in order; errors and numpy's error state as on one."""
import os
import threading
import time
import warnings

import numpy as np
import pytest

from mlefit.censored import fit as cf
from mlefit.censored import terms as ct
from mlefit.censored import rows as censoring
from mlefit import cores, families


def interval_rows(n=300_000, seed=2):
    """Seeded lognormal rows: exact, left-, right- and interval-censored (several blocks of each)."""
    rng = np.random.default_rng(seed)
    y = rng.lognormal(1.0, 0.5, n)
    width = rng.uniform(0.1, 1.0, n)
    kind = rng.random(n)
    lo = np.where(kind < 0.1, np.nan, np.where(kind < 0.4, y, y - width / 2))
    hi = np.where(kind < 0.2, y + width / 2, np.where(kind < 0.3, np.nan, np.where(kind < 0.4, y, y + width / 2)))
    return censoring.from_bounds(np.maximum(lo, 0.0), hi)


@pytest.mark.parametrize("family", ["lognormal", "weibull"])
def test_a_pass_and_a_fit_are_the_same_on_any_number_of_threads(monkeypatch, family):
    cens = interval_rows()
    fam = families.get(family)
    dens, shapes = cf.density_of(fam)
    terms = cf.terms_of(cf.rows_array(cens, False), None, False)
    assert sum(1 for g in terms.groups for _ in ct.blocks(g)) >= 6
    got = {}
    for workers in (1, 2, 3):
        monkeypatch.setattr(cores, "WORKERS", workers)
        r = cf.fit(cens, family)
        theta = r.fitted.theta
        value, grad, hess, noise = ct.sums(dens, terms, theta, shapes)
        got[workers] = (tuple(theta), r.fitted.loglik, value, tuple(grad), tuple(hess.ravel()), tuple(noise),
                        ct.loglik(dens, terms, theta, shapes))
    assert got[1] == got[2] == got[3]


def test_blocks_come_back_in_order_and_errors_reach_the_caller(monkeypatch):
    monkeypatch.setattr(cores, "WORKERS", 2)
    terms = cf.terms_of(cf.rows_array(interval_rows(), False), None, False)
    pieces = [b for g in terms.groups for b in ct.blocks(g)]

    def first(b):
        return float(b.lo[0] if b.lo is not None else b.hi[0])
    firsts = ct.each_block(None, terms, lambda b: (b.kind, b.size, first(b)))
    assert firsts == [(b.kind, b.size, first(b)) for b in pieces]

    def fails_at_the_fourth(b):
        if (b.kind, first(b)) == (pieces[3].kind, first(pieces[3])):
            raise ValueError("the fourth block")
        return b.size
    with pytest.raises(ValueError, match="the fourth block"):
        ct.each_block(None, terms, fails_at_the_fourth)


def test_the_callers_numpy_error_state_holds_in_every_thread(monkeypatch):
    monkeypatch.setattr(cores, "WORKERS", 2)
    terms = cf.terms_of(cf.rows_array(interval_rows(), False), None, False)
    threads = set()

    def log_of_zero(b):
        threads.add(threading.get_ident())
        time.sleep(0.002)  # (so that both threads take blocks)
        return float(np.log(np.zeros(1))[0])
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            ct.each_block(None, terms, log_of_zero)
    threads.clear()
    with np.errstate(divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")  # a thread without the caller's state would warn, and so fail
        assert all(v == -np.inf for v in ct.each_block(None, terms, log_of_zero))
    assert len(threads) == 2


def test_a_pass_within_a_pass_on_the_pools_thread_finishes(monkeypatch):
    """in_order called from inside an item it runs (nested, possibly on the pool's only
    thread) neither waits for a helper that cannot start nor loses an item."""
    monkeypatch.setattr(cores, "WORKERS", 2)
    monkeypatch.setattr(cores, "_POOL", [])

    def outer(i):
        time.sleep(0.002)
        return sum(cores.in_order(range(i, i + 5), lambda j: (time.sleep(0.001), j * j)[1]))
    got = []
    runner = threading.Thread(target=lambda: got.append(cores.in_order(range(8), outer)), daemon=True)
    runner.start()
    runner.join(60)  # a deadlock fails here instead of hanging the suite
    assert not runner.is_alive() and got == [[sum(j * j for j in range(i, i + 5)) for i in range(8)]]


def test_a_users_model_with_state_runs_on_one_thread(monkeypatch):
    """A user's own model keeps state between calls (its normalising integral's memo, the
    count of integrations in the notes): the censored engine calls it from this thread
    only, so the fit and its notes are those of one thread (on two, the count varied)."""
    from mlefit.own import model as own_model

    t = np.random.default_rng(7).weibull(1.4, 150_000) * 20.0
    rows = censoring.from_event(np.minimum(t, 80.0), (t < 80.0).astype(int))
    spec = own_model.model(logpdf="(k-1)*log(x) - (x/lam)^k", params="k>0=1, lam>0=50", support="x>0",
                           normalize=True)
    monkeypatch.setattr(cores, "WORKERS", 1)
    one = own_model.fit(rows, spec)
    monkeypatch.setattr(cores, "WORKERS", 2)
    monkeypatch.setattr(ct, "in_order", lambda items, fn: pytest.fail("a user's model was run on several threads"))
    two = own_model.fit(rows, spec)
    assert (two.loglik, two.notes) == (one.loglik, one.notes)
    assert any("integrations in this fit" in n for n in one.notes)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_shares_its_items_among_threads_of_its_own(monkeypatch):
    """After a fork the pool's threads are gone: the child makes its own pool, and its
    items are still taken by two threads (a child that kept the parent's pool ran them
    all on one, each call leaving a helper that never starts)."""
    monkeypatch.setattr(cores, "WORKERS", 2)

    def spread():
        seen = set()

        def item(i):
            seen.add(threading.get_ident())
            time.sleep(0.003)
            return i
        assert cores.in_order(range(20), item) == list(range(20))
        return len(seen)
    assert spread() == 2  # the parent's pool now exists
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only where two threads took its items
        code = 1
        try:
            code = 0 if spread() == 2 else 3
        finally:
            os._exit(code)
    deadline = time.time() + 60
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    pytest.fail("the forked child did not finish")
