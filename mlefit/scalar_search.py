"""Root finding and minimisation in one variable, in pure Python: Brent's methods as
scipy.optimize implements them (brentq; minimize_scalar(method="brent") from a two-point
bracket), step for step, so the profile engine gives the same numbers without importing
scipy.optimize (some 0.2 s of a 0.3 s profile interval run from the command line).

find_root follows scipy's brentq.c (inverse quadratic interpolation or secant steps,
safeguarded by bisection; the bracket always holds a sign change). minimize follows
scipy's bracket() (downhill expansion by the golden ratio with parabolic extrapolation)
then Brent's parabolic/golden-section minimiser."""
import math

GOLD = 1.618034  # bracket's expansion factor
CG = 0.3819660  # Brent's golden-section fraction
MINTOL = 1.0e-11  # Brent's absolute floor on the tolerance
VERY_SMALL = 1e-21


def find_root(f, a, b, xtol, rtol, maxiter):
    """A root of f in [a, b], where f(a) and f(b) differ in sign (ValueError
    otherwise), within xtol + rtol |x| (RuntimeError after maxiter steps)."""
    xpre, xcur = float(a), float(b)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = f(xpre), f(xcur)
    if fpre * fcur > 0:
        raise ValueError("f(a) and f(b) must have different signs")
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2.0
        sbis = (xblk - xcur) / 2.0
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # secant
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # inverse quadratic
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2.0 * abs(stry) < min(abs(spre), 3.0 * abs(sbis) - delta):
                spre, scur = scur, stry  # a good short step
            else:
                spre = scur = sbis
        else:
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = f(xcur)
    raise RuntimeError(f"the root finder did not converge in {maxiter} steps (at {xcur!r})")


def minimize(f, xa, xb, tol, maxiter, grow_limit=110.0, bracket_steps=1000):
    """A local minimum of f found downhill from the points xa, xb: (x, f(x)). When no
    bracket is found (f falls without end, or NaN), the best point seen."""
    found = _bracket(f, float(xa), float(xb), grow_limit, bracket_steps)
    xa, xb, xc, fa, fb, fc = found
    valid = ((fb < fc and fb <= fa) or (fb < fa and fb <= fc)) and (xa < xb < xc or xc < xb < xa) \
        and all(math.isfinite(v) for v in (xa, xb, xc))
    if not valid:
        if any(math.isnan(v) for v in found):
            return math.nan, math.nan
        return min(((fa, xa), (fb, xb), (fc, xc)), key=lambda p: p[0])[::-1]
    return _brent(f, xa, xb, xc, fb, tol, maxiter)


def minimize_bracketed(f, xa, xb, xc, fb, tol, maxiter):
    """Brent's minimiser of f within the bracket xa < xb < xc (or reversed), fb = f(xb) at
    most f(xa) and f(xc): (x, f(x))."""
    return _brent(f, float(xa), float(xb), float(xc), fb, tol, maxiter)


def _bracket(f, xa, xb, grow_limit, maxiter):
    fa, fb = f(xa), f(xb)
    if fa < fb:
        xa, xb, fa, fb = xb, xa, fb, fa
    xc = xb + GOLD * (xb - xa)
    fc = f(xc)
    it = 0
    while fc < fb:
        tmp1 = (xb - xa) * (fb - fc)
        tmp2 = (xb - xc) * (fb - fa)
        val = tmp2 - tmp1
        denom = 2.0 * VERY_SMALL if abs(val) < VERY_SMALL else 2.0 * val
        w = xb - ((xb - xc) * tmp2 - (xb - xa) * tmp1) / denom
        wlim = xb + grow_limit * (xc - xb)
        if it > maxiter:
            raise RuntimeError("no bracket of a minimum was found")
        it += 1
        if (w - xc) * (xb - w) > 0.0:
            fw = f(w)
            if fw < fc:
                return xb, w, xc, fb, fw, fc
            if fw > fb:
                return xa, xb, w, fa, fb, fw
            w = xc + GOLD * (xc - xb)
            fw = f(w)
        elif (w - wlim) * (wlim - xc) >= 0.0:
            w = wlim
            fw = f(w)
        elif (w - wlim) * (xc - w) > 0.0:
            fw = f(w)
            if fw < fc:
                xb, xc, w = xc, w, w + GOLD * (w - xc)
                fb, fc = fc, fw
                fw = f(w)
        else:
            w = xc + GOLD * (xc - xb)
            fw = f(w)
        xa, xb, xc = xb, xc, w
        fa, fb, fc = fb, fc, fw
    return xa, xb, xc, fa, fb, fc


def _brent(f, xa, xb, xc, fb, tol, maxiter):
    x = w = v = xb
    fw = fv = fx = fb
    a, b = (xa, xc) if xa < xc else (xc, xa)
    deltax = rat = 0.0
    for _ in range(maxiter):
        tol1 = tol * abs(x) + MINTOL
        tol2 = 2.0 * tol1
        xmid = 0.5 * (a + b)
        if abs(x - xmid) < (tol2 - 0.5 * (b - a)):
            break
        if abs(deltax) <= tol1:  # golden section
            deltax = a - x if x >= xmid else b - x
            rat = CG * deltax
        else:  # parabolic
            p, tmp2 = _parabola(x, w, v, fx, fw, fv)
            dx_temp, deltax = deltax, rat
            if p > tmp2 * (a - x) and p < tmp2 * (b - x) and abs(p) < abs(0.5 * tmp2 * dx_temp):
                rat = p * 1.0 / tmp2
                u = x + rat
                if (u - a) < tol2 or (b - u) < tol2:
                    rat = tol1 if xmid - x >= 0 else -tol1
            else:
                deltax = a - x if x >= xmid else b - x
                rat = CG * deltax
        if abs(rat) < tol1:
            u = x + tol1 if rat >= 0 else x - tol1
        else:
            u = x + rat
        fu = f(u)
        if fu > fx:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, w, fv, fw = w, u, fw, fu
            elif fu <= fv or v == x or v == w:
                v, fv = u, fu
        else:
            if u >= x:
                a = x
            else:
                b = x
            v, w, x = w, x, u
            fv, fw, fx = fw, fx, fu
    return x, fx


def minimize_bounded(f, lo, hi, xatol, maxfun=500):
    """A local minimum of f in [lo, hi], as scipy's minimize_scalar(method="bounded")
    finds it (fminbound: Brent's golden-section and parabolic steps, within xatol):
    (x, f(x), evaluations)."""
    sqrt_eps = math.sqrt(2.2e-16)
    a, b = float(lo), float(hi)
    fulc = nfc = xf = a + CG_BOUNDED * (b - a)
    rat = e = 0.0
    fx = f(xf)
    num = 1
    ffulc = fnfc = fx
    xm = 0.5 * (a + b)
    tol1 = sqrt_eps * abs(xf) + xatol / 3.0
    tol2 = 2.0 * tol1
    while abs(xf - xm) > (tol2 - 0.5 * (b - a)):
        golden = True
        if abs(e) > tol1:  # a parabola through the three best points
            golden = False
            p, q = _parabola(xf, nfc, fulc, fx, fnfc, ffulc)
            r, e = e, rat
            if abs(p) < abs(0.5 * q * r) and q * (a - xf) < p < q * (b - xf):
                rat = (p + 0.0) / q
                x = xf + rat
                if (x - a) < tol2 or (b - x) < tol2:
                    rat = tol1 * _sign1(xm - xf)
            else:
                golden = True
        if golden:
            e = a - xf if xf >= xm else b - xf
            rat = CG_BOUNDED * e
        x = xf + _sign1(rat) * max(abs(rat), tol1)
        fu = f(x)
        num += 1
        if fu <= fx:
            if x >= xf:
                a = xf
            else:
                b = xf
            fulc, ffulc = nfc, fnfc
            nfc, fnfc = xf, fx
            xf, fx = x, fu
        else:
            if x < xf:
                a = x
            else:
                b = x
            if fu <= fnfc or nfc == xf:
                fulc, ffulc = nfc, fnfc
                nfc, fnfc = x, fu
            elif fu <= ffulc or fulc == xf or fulc == nfc:
                fulc, ffulc = x, fu
        xm = 0.5 * (a + b)
        tol1 = sqrt_eps * abs(xf) + xatol / 3.0
        tol2 = 2.0 * tol1
        if num >= maxfun:
            break
    return xf, fx, num


CG_BOUNDED = 0.5 * (3.0 - math.sqrt(5.0))  # fminbound's golden-section fraction (more digits than CG)


def _parabola(x, w, v, fx, fw, fv):
    """Brent's parabolic step p / q (q >= 0) from x through its two runners-up w and v."""
    r = (x - w) * (fx - fv)
    q = (x - v) * (fx - fw)
    p = (x - v) * q - (x - w) * r
    q = 2.0 * (q - r)
    return (-p if q > 0.0 else p), abs(q)


def _sign1(v):
    """numpy's sign(v) + (v == 0): 1 for v >= 0, -1 below."""
    return -1.0 if v < 0 else 1.0
