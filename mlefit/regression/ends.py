"""regress --interval profile: the notes on the ends a profile search leaves open or finds
doubtful (regression.regress calls profile_engine.newton_interval for the ends)."""
from ..inference.information import z_value


def doubtful_ends(search, top, confidence, reached, ends, fit, max_iter):
    """Open each end whose profile another search's inner solution shows to be higher
    there (profile_engine.verify_ends), with a note; the notes."""
    from ..inference.profile_engine import verify_ends
    names = list(fit.names) + [n for n, _ in fit.others]
    out = []
    for j, sign in verify_ends(search, top, z_value(confidence), reached, max_iter):
        lo, hi = ends[j]
        ends[j] = (None, hi) if sign < 0 else (lo, None)
        out.append(f"the {'lower' if sign < 0 else 'upper'} end of {names[j]}'s profile interval is left open: the "
                   f"penalised likelihood, maximised over the other coefficients, has more than one local maximum "
                   f"there, and the search found a higher one than its own, so the end is further out than mlefit "
                   f"can follow")
    return out


def open_ends(ends, stopped, fit, firth=False):
    """The notes on open profile interval ends: where the profile never falls far enough,
    and, apart, where the search stopped at a value whose profile could not be computed
    (the fits of the other coordinates did not converge there: the end is open only as
    far as mlefit can tell)."""
    never = [j for j, e in ends.items() if None in e and len(stopped[j]) < sum(v is None for v in e)]
    out = []
    if never:
        out.append("an open interval end (shown as -inf or inf in the table, null in JSON): the profile "
                   "log-likelihood never falls far enough on that side")
    names = list(fit.names) + [n for n, _ in fit.others]
    for j, sides in stopped.items():
        for sign, last in sides:
            out.append(f"the {'lower' if sign < 0 else 'upper'} end of {names[j] if j < len(names) else j}'s "
                       f"profile interval is open as far as mlefit can tell: beyond {last:.6g} (on its fitted "
                       f"scale) the fits of the other coefficients did not converge, so the profile there is "
                       "unknown" + (" (far into separated data the penalised likelihood may have several local "
                                     "maxima)" if firth else ""))
    return out
