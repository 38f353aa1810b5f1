"""Inference beyond the Wald interval, added to a finished fit: profile-likelihood and
bootstrap intervals (--interval), sandwich standard errors and TIC (--robust), and
quantities derived from the parameters (--derive). The work is in profile.py,
resample.py, sandwich.py and derive.py; this module asks them and assembles the result."""
import math
from dataclasses import replace

from . import information as inference
from ..errors import UsageError
from ..limits import check_bootstrap
from ..report.result import Interval

KINDS = ("wald", "profile", "bootstrap", "all")
RESAMPLING = ("parametric", "nonparametric")
DEFAULT_SAMPLES = 999
DISAGREE = 0.10  # Wald and profile ends apart by more than this share of the profile width


def asked(interval="wald", robust=False, derive=()):
    """Whether anything beyond the fit's own Wald intervals is asked for."""
    return interval != "wald" or bool(robust) or bool(derive)


def check_options(interval, resample, bootstrap):
    if interval not in KINDS:
        raise UsageError(f"interval must be one of {', '.join(KINDS)} (got '{interval}')")
    if resample not in RESAMPLING:
        raise UsageError(f"resample must be parametric or nonparametric (got '{resample}')")
    if bootstrap is not None and (isinstance(bootstrap, bool) or int(bootstrap) != bootstrap or bootstrap < 1):
        raise UsageError(f"bootstrap intervals need a positive whole number of samples (got {bootstrap})")
    check_bootstrap(bootstrap)
    if bootstrap == 1 and interval in ("bootstrap", "all"):
        raise UsageError("a bootstrap interval needs 2 or more samples (--bootstrap N): the one estimate "
                         "of a single resample is a point, not an interval")


def extend(result, *, interval="wald", robust=False, derive=(), bootstrap=None,
           resample="parametric", seed=0, on_step=None, on_total=None):
    """The result with the intervals, robust errors and derived quantities asked for.
    on_step(): called once per bootstrap sample; on_total(n): told how many there are."""
    check_options(interval, resample, bootstrap)
    if not asked(interval, robust, derive):
        return result
    fitted = result.fitted
    if fitted is None:
        raise UsageError("profile and bootstrap intervals, --robust and --derive need the data in "
                         "double precision's comfortable range (within 1e+-100); rescale the values")
    derive = [derive] if isinstance(derive, str) else list(derive)
    from . import derive as derived_module
    quantities = [derived_module.quantity(fitted, spec) for spec in derive]
    kinds = {"wald": (), "profile": ("profile",), "bootstrap": ("bootstrap",),
             "all": ("profile", "bootstrap")}[interval]
    notes = []
    rob = None
    if robust:
        from .sandwich import robust as sandwich
        rob = sandwich(fitted)
        notes += list(rob.notes)
    prof = _profiles(fitted, notes) if "profile" in kinds else {}
    draws, boot, resampling = None, {}, None
    if "bootstrap" in kinds:
        from . import resample as resample_module
        samples = DEFAULT_SAMPLES if bootstrap is None else int(bootstrap)
        if on_total is not None:
            on_total(samples)
        draws = resample_module.bootstrap(fitted, samples, resample, seed=seed, on_step=on_step,
                                          functions=[q.function for q in quantities])
        boot = resample_module.parameter_intervals(fitted, draws)
        notes += list(draws.notes)
        resampling = {"samples": samples, "kind": resample, "seed": seed, "failed": draws.failed,
                      "at_limit": draws.at_limit, "method": f"{resample} bootstrap, percentile intervals"}
    z = inference.z_value(fitted.confidence)
    parameters = tuple(_parameter(p, i, fitted, kinds, prof, boot, rob, z, resample)
                       for i, p in enumerate(result.parameters))
    derived = tuple(_derived(fitted, q, j, kinds, draws, resample, derived_module, rob)
                    for j, q in enumerate(quantities))
    return replace(result, parameters=parameters, derived=derived, interval_kind=interval,
                   tic=None if rob is None else rob.tic, resampling=resampling,
                   notes=tuple(result.notes) + tuple(notes))


def _profiles(fitted, notes):
    """{index: (lo, hi, note)} for the regular parameters; a family that cannot be
    profiled leaves a note and keeps its Wald intervals."""
    from .profile import profile_interval
    out = {}
    for i in fitted.regular:
        try:
            out[i] = profile_interval(fitted, i)
        except UsageError as exc:
            notes.append(f"no profile-likelihood intervals: {exc}")
            return {}
    return out


def _parameter(p, i, fitted, kinds, prof, boot, rob, z, resample):
    """One parameter with its intervals of every kind asked for; the headline interval
    is the profile one (profile, all), the bootstrap one (bootstrap), else Wald."""
    if i not in fitted.regular and (rob is None or rob.se[i] is None):
        return p  # fixed, or an exact interval that every kind keeps
    if i not in fitted.regular:  # pareto's alpha: its exact interval, with a sandwich SE beside it
        return replace(p, se_robust=rob.se[i])
    se_robust = None
    found = [Interval("wald", p.ci_lower, p.ci_upper, p.interval)]
    if rob is not None and rob.se[i] is not None:
        se_robust = rob.se[i]
        lo, hi, how = inference.interval(fitted.family, fitted.stats, i, p.estimate, se_robust, fitted.domains[i], z)
        found.append(Interval("robust", lo, hi, f"{how}, sandwich SE"))
    if i in prof:
        lo, hi, note = prof[i]
        found.append(Interval("profile", lo, hi, "profile likelihood", note or None))
    if i in boot:
        lo, hi = boot[i]
        found.append(Interval("bootstrap", lo, hi, f"{resample} bootstrap percentile"))
    head = _headline(found, kinds)
    note = p.note
    if head.note and len(found) == 1:  # otherwise the note stays on its interval, said once
        note = f"{note}; {head.note}" if note else head.note
    return replace(p, ci_lower=head.lower, ci_upper=head.upper, interval=head.method, note=note,
                   se_robust=se_robust, intervals=tuple(found) if len(found) > 1 else (),
                   disagree=_disagree(found) if "profile" in kinds else None)


def _headline(found, kinds):
    """The profile interval (profile, all), the bootstrap one (bootstrap), the sandwich
    Wald one (--robust), else Wald."""
    by_kind = {i.kind: i for i in found}
    for kind in ("profile", "bootstrap", "robust"):
        if (kind in kinds or kind == "robust") and kind in by_kind and by_kind[kind].lower is not None:
            return by_kind[kind]
    return by_kind["wald"]


def _disagree(found):
    """Wald and profile ends apart by more than 10% of the profile interval's width (an
    open end disagrees with a finite one)."""
    by_kind = {i.kind: i for i in found}
    wald, prof = by_kind.get("wald"), by_kind.get("profile")
    if wald is None or prof is None or None in (wald.lower, wald.upper, prof.lower, prof.upper):
        return None
    width = prof.upper - prof.lower
    gaps = [abs(a - b) if math.isfinite(a) and math.isfinite(b) else (0.0 if a == b else math.inf)
            for a, b in ((wald.lower, prof.lower), (wald.upper, prof.upper))]
    return bool(max(gaps) > DISAGREE * width) if math.isfinite(width) else True


def _derived(fitted, q, j, kinds, draws, resample, derived_module, rob):
    """A derived quantity: the delta-method interval (and the sandwich one with
    --robust), and the profile and bootstrap ones asked for."""
    from ..report.result import ParameterEstimate
    d = derived_module.delta(fitted, q)
    found = [Interval("wald", d.ci_lower, d.ci_upper, d.interval)] if d.ci_lower is not None else []
    notes = list(dict.fromkeys(n for n in (q.note, d.note) if n))  # delta() hands q's note on: say it once
    se_robust = None
    if rob is not None and rob.cov is not None and d.se is not None:
        r = derived_module.delta(replace(fitted, cov=rob.cov), q)
        if r.ci_lower is not None:
            se_robust = r.se
            found.append(Interval("robust", r.ci_lower, r.ci_upper, f"{r.interval}, sandwich SE"))
    if "profile" in kinds and not q.step:
        from .profile import profile_quantity
        try:
            lo, hi, note = profile_quantity(fitted, q.function)
        except UsageError as exc:
            lo = hi = None
            note = f"no profile interval: {exc}"
        if lo is not None:
            found.append(Interval("profile", lo, hi, "profile likelihood", note or None))
        elif note:
            notes.append(note)
    if draws is not None:
        from .resample import percentile_interval
        lo, hi = percentile_interval(draws.values[:, j], fitted.confidence)
        if lo is not None and not (isinstance(lo, float) and math.isnan(lo)):
            found.append(Interval("bootstrap", lo, hi, f"{resample} bootstrap percentile"))
    head = _headline(found, kinds) if found and any(i.kind == "wald" for i in found) else (
        found[-1] if found else None)
    if any(i.kind == "bootstrap" for i in found):  # the advice to ask for one is taken
        notes = [n.replace(derived_module.BOOTSTRAP_ADVICE, "") for n in notes]
    keep = len(found) > 1 or bool(found) and found[0].kind != "wald"
    return ParameterEstimate(
        q.name, d.estimate, d.se, None if head is None else head.lower, None if head is None else head.upper,
        "none" if head is None else head.method, "; ".join(notes) or None, se_robust=se_robust,
        intervals=tuple(found) if keep else (),
        disagree=_disagree(found) if "profile" in kinds else None)
