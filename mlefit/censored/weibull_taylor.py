"""A right-censored weibull's power sums carried through a read in chunks as Taylor
moments in the shape, so that its Newton (families.weibull._weibull_estimate) takes no
pass over the times after the read (stream_censored).

The profile equation, the scale, the log-likelihood and the observed information need
F_j(k) = sum w^j e^{k w}, j = 0, 1, 2, over every row's w = log x - C. A group of chunks
read with a pilot shape k0 about a centre c holds S_m = sum w^m e^{k0 w}, m = 0 .. M + 2
(w = log x - c, M = TERMS, even); with d = k - k0,

    F_j(k) = sum_{m < M} d^m / m! S_{j+m} + R_j,   |R_j| <= |d|^M / M! e^{|d| W} A_{j+M}

(Lagrange: e^{d w} less its Taylor polynomial of degree M - 1 is (d w)^M / M! e^xi, xi
between 0 and d w, so e^xi <= e^{|d| W} with W the group's largest w for d > 0, its
largest -w for d < 0, at least 0; A_p = sum |w|^p e^{k0 w}: S_p for p even, at most
(S_{p-1} + S_{p+1}) / 2 for p odd). A value whose e^{k0 w} underflowed adds at most
TINY e^{|d| W} max(1, |w|)^j besides, |w| at most the group's largest |w|. The sums about another centre C follow exactly (the
binomial shift, as _weibull_at's), their bounds with them.

A group's pilot is the fit of the rows read so far (for the first, of about PILOT_ROWS of
the first rows, the chunks waiting in memory until there are that many), so it is within
sampling error of the final shape, and the remainder is about (that error / k)^M of the
sums; a new group starts where the running fit moves further than DRIFT from the pilot.
The sums are used only where the bound at the solution is below EPSILON of them
(certified: as precise as a pass's own rounding); elsewhere the caller takes the passes
over the times (the fallback). Where the sums of the rows so far are not certified at
their own running fit (rows sorted by time, whose fit moves away from the early pilots),
the moments are given up at once."""
import math
from types import SimpleNamespace

import numpy as np

TERMS = 8  # M: S_0 .. S_{M+2} a group
EPSILON = 1e-16  # the bounds certified: below this much of the sums (in their units)
DRIFT = 2e-3  # a new group where the running shape moves further from the pilot (relative)
CENTRE_DRIFT = 0.05  # or the running centre (log scale) further than this over k: the groups stay near
#                     the final centre, where shifting their sums to it cancels nothing
OVERFLOW = 300.0  # a group's k0 w stays below this (else a new group about the chunk's largest log)
SETTLED = 2  # refits in a row that keep the pilot: settled (stream_censored then keeps no more times)
REFIT_ROWS = 1 << 20  # the running fit is taken again after this many rows, or when the rows double
PILOT_ROWS = 1 << 16  # the first pilot: the fit of about this many rows of the first chunk
BLOCK = 1 << 16  # values a block (its temporaries stay in cache)
TINY = 2.0 ** -1022


def chunk_moments(z, c, k0):
    """S_m = sum (z - c)^m e^{k0 (z - c)}, m = 0 .. TERMS + 2, of one chunk's logs z, block
    by block; the blocks' sums added by math.fsum."""
    rows = []
    for i in range(0, z.size, BLOCK):
        w = np.subtract(z[i:i + BLOCK], c)
        e = np.multiply(w, k0)
        np.exp(e, out=e)
        out = [float(np.sum(e))]
        for _ in range(TERMS + 2):
            e *= w
            out.append(float(np.sum(e)))
        rows.append(out)
    return np.array([math.fsum(col) for col in zip(*rows)])


class Moments:
    """The groups' moments, gathered chunk by chunk (add) in the coordinates of the logs
    given (z = log(x / origin): any fixed origin), and the sums at any shape (sums)."""

    def __init__(self):
        self.groups = []  # [k0, c, S, lowest w, highest w, rows]
        self.rows = self.refit_at = 0
        self.pilot = None  # (k0, c)
        self.last_fit = None  # the running fit's shape where it converged
        self.given_up = False
        self.steady = 0  # refits in a row that kept the pilot
        self._waiting = []  # (z, zlo, zhi, the seen rows' z) of the chunks before the first pilot

    def add(self, z, zlo, zhi, seen):
        """A chunk's logs z (its least and greatest zlo, zhi); seen(this) -> (d, sum of the
        seen rows' z, their sd) of the rows seen so far, this chunk's included, and with
        `this` the z of this chunk's seen rows. The first chunks wait (in memory) until
        PILOT_ROWS rows are in hand, for the first pilot."""
        if not z.size or self.given_up:
            return
        if self.pilot is None:
            self._waiting.append((z, zlo, zhi, seen(True)[3]))
            self.rows += z.size
            if self.rows < PILOT_ROWS:
                return
            self._begin()
        else:
            self._add(z, zlo, zhi)
            self.rows += z.size
        if self.rows >= 2 * self.refit_at or self.rows - self.refit_at >= REFIT_ROWS:
            self.refit_at = self.rows
            self._refit(seen(False))

    def _begin(self):
        """The first pilot, from the chunks waiting, and their moments."""
        zs = np.concatenate([w[0] for w in self._waiting])
        seen = [w[3] for w in self._waiting if w[3] is not None]
        self.pilot = _first_pilot(zs, np.concatenate(seen) if seen else None)
        for z, zlo, zhi, _ in self._waiting:
            self._add(z, zlo, zhi)
        self._waiting = []

    def _add(self, z, zlo, zhi):
        k0, c = self.pilot
        if k0 * (zhi - c) > OVERFLOW:  # far above the centre (a sorted file): about these values
            c = zhi
        g = self.groups[-1] if self.groups else None
        if g is None or g[0] != k0 or g[1] != c:
            g = [k0, c, np.zeros(TERMS + 3), math.inf, -math.inf, 0]
            self.groups.append(g)
        g[2] = g[2] + chunk_moments(z, c, k0)
        g[3], g[4], g[5] = min(g[3], zlo - c), max(g[4], zhi - c), g[5] + z.size

    def _refit(self, seen):
        """The pilot for the next chunks: the fit of the rows so far, where it moved from
        the pilot; the moments given up where they do not certify the sums of the rows so
        far at that fit (the rows come in an order, by time, that moves the fit away from
        the early pilots: they would not certify at the end either)."""
        d, sumz, sd = seen[:3]
        top = max(g[1] + g[4] for g in self.groups)
        fit = self.fit(d, sumz, sd, top, math.log(self.pilot[0]))
        if fit is None:
            return
        k, c = fit
        self.last_fit = k
        if not self.certified(k, c):
            self.given_up = True
            return
        k0, c0 = self.pilot
        self.steady += 1
        if abs(k / k0 - 1.0) > DRIFT or k0 * abs(c - c0) > CENTRE_DRIFT:
            self.pilot, self.steady = (k, c), 0

    @property
    def settled(self):
        """Whether the last SETTLED refits kept the pilot (each certifying the sums of the
        rows so far at its fit: rows in no order of time, whose moments will very likely
        certify at the end too)."""
        return self.steady >= SETTLED and not self.given_up

    def fit(self, d, sumz, sd, top, t0, max_iter=50, tol=1e-10):
        """(shape, log scale) of the rows so far from the moments, or None."""
        from ..families.base import Controls
        from ..families.weibull import _weibull_estimate

        if not (d > 0 and sd > 0):
            return None
        with np.errstate(all="ignore"):
            s = self.stats(d, sumz, sd, top, t0)
            try:
                sol = _weibull_estimate(s, Controls(max_iter=max_iter, tol=tol))
            except (ArithmeticError, ValueError):
                return None
        k, lam = sol.theta
        if not (sol.converged and math.isfinite(k) and k > 0 and math.isfinite(lam) and lam > 0):
            return None
        return k, math.log(lam)

    def stats(self, d, sumz, sd, top, t0):
        """_weibull_estimate's stats (logs about top, the largest z) with these sums."""
        return SimpleNamespace(n=float(d), ys=None, top=top, hi=None, ybar=sumz / d - top, sumlog=sumz, sd=sd,
                               t0=t0, power_sums=lambda k, a: self.sums(k, top - a)[0])

    def sums(self, k, centre):
        """((F_0, F_1, F_2), (their bounds)) at shape k about the centre (z coordinates)."""
        k0, c, S, wlo, whi, rows = (np.array(col, dtype=np.float64) if i != 2 else np.array(col)
                                    for i, col in enumerate(zip(*self.groups)))
        factorials = np.array([math.factorial(m) for m in range(TERMS + 1)], dtype=np.float64)
        with np.errstate(all="ignore"):
            d = k - k0
            coef = d[:, None] ** np.arange(TERMS) / factorials[:TERMS]  # d^m / m!
            f = [np.einsum("gm,gm->g", coef, S[:, j:j + TERMS]) for j in range(3)]
            W = np.where(d > 0, np.maximum(whi, 0.0), np.maximum(-wlo, 0.0))
            grow = np.exp(np.abs(d) * W)
            tail = np.abs(d) ** TERMS / factorials[TERMS] * grow
            under = rows * TINY * grow
            big = np.maximum(np.maximum(-wlo, whi), 1.0)  # |w| of any value, an underflowed one included
            b = [tail * S[:, TERMS] + under, tail * 0.5 * (S[:, TERMS] + S[:, TERMS + 2]) + under * big,
                 tail * S[:, TERMS + 2] + under * big * big]
            delta = c - centre  # w about the centre = w + delta
            e = np.exp(k * delta)
            ad = np.abs(delta)
            F = (e * f[0], e * (f[1] + delta * f[0]), e * (f[2] + delta * (2.0 * f[1] + delta * f[0])))
            B = (e * b[0], e * (b[1] + ad * b[0]), e * (b[2] + ad * (2.0 * b[1] + ad * b[0])))
        return tuple(math.fsum(v) for v in F), tuple(float(np.sum(v)) for v in B)

    def estimate(self, d, sumlog, sd, top, hi, top_z, controls):
        """weibull_censored_estimate's solution (top = log hi, hi = max x; top_z: log hi in
        the z coordinates) from the moments, where its sums are certified at the
        solution; None otherwise (the caller's passes decide)."""
        from ..families.weibull import _weibull_estimate
        from .. import numerics as nm

        if self._waiting:  # fewer than PILOT_ROWS rows in all
            self._begin()
        if self.given_up or not self.groups:
            return None
        start = self.last_fit or self.pilot[0]
        s = SimpleNamespace(n=float(d), ys=None, top=top, hi=hi, ybar=sumlog / d - top, sumlog=sumlog, sd=sd,
                            t0=math.log(start), power_sums=lambda k, a: self.sums(k, top_z - a)[0])
        sol = _weibull_estimate(s, controls)
        k, lam = sol.theta
        if not (sol.converged and math.isfinite(k) and k > 0 and math.isfinite(lam) and lam > 0):
            return None
        return sol if self.certified(k, top_z - nm.log_ratio_scalar(hi, lam)) else None

    def certified(self, k, centre):
        """Whether the sums at k about the centre are within EPSILON of themselves (F_1 in
        the units of sqrt(F_0 F_2), the bound of the sum of |w| e^{k w})."""
        (f0, _, f2), (b0, b1, b2) = self.sums(k, centre)
        ok = all(math.isfinite(v) for v in (f0, f2, b0, b1, b2)) and f0 > 0 and f2 > 0
        return ok and b0 <= EPSILON * f0 and b1 <= EPSILON * math.sqrt(f0 * f2) and b2 <= EPSILON * f2


def _first_pilot(z, seen_z):
    """(k0, c) from about PILOT_ROWS rows of the first chunk (every stride-th of its times
    and of its seen rows' logs): their censored fit, or the moments' shape of the logs."""
    from ..families.base import Controls
    from ..families.weibull import weibull_censored_estimate
    from ..io.chunks import InMemory

    stride = max(z.size // PILOT_ROWS, 1)
    zs = np.array(z[::stride])
    sz = np.array(seen_z[::stride]) if seen_z is not None else np.empty(0)
    sd_all = float(np.std(zs))
    k0 = math.pi / (math.sqrt(6.0) * sd_all) if sd_all > 0 else 1.0
    c0 = float(np.mean(zs)) + 0.5772156649015329 / k0  # E log x = log scale - gamma / k
    if sz.size >= 2 and np.std(sz) > 0:
        top = float(zs.max())
        with np.errstate(all="ignore"):
            try:
                sol = weibull_censored_estimate(float(sz.size), float(np.sum(sz)), float(np.std(sz)),
                                                InMemory(zs - top), top, None, Controls(max_iter=50, tol=1e-8))
                k, lam = sol.theta
                if sol.converged and math.isfinite(k) and k > 0 and lam > 0 and math.isfinite(lam):
                    return k, math.log(lam)
            except (ArithmeticError, ValueError):
                pass
    return k0, c0
