"""Tables for `mlefit select` / `--dist auto`, `--gof` and `mlefit lrt`, from their dicts."""
from .tables import emit, fit_table, fmt, summary_table
from .plain import SIMPLE_HEAD, Grid
from ..inference.selection import headline

LABEL = {"aic": "AIC", "aicc": "AICc", "bic": "BIC", "bits": "bits/sample"}
SHORT = {"aic": "AIC", "aicc": "AICc", "bic": "BIC", "bits": "bits"}


def ranking_table(d):
    crit = LABEL[d["criterion"]]
    where = f"column '{d['column']}'" if d["column"] is not None else "data"
    table = Grid(title=f"families ranked by {crit} for {where}" + (f" of {d['source']}" if d["source"] else ""))
    for header in ("#", "family", "k", "loglik", f"Δ{SHORT[d['criterion']]}", "weight", "bits", "GOF p"):
        table.add_column(header, justify="left" if header == "family" else "right", no_wrap=True)
    for row in d["ranking"]:
        t = headline(row)
        p = "-" if t is None else _p(t["p_value"], t["samples"])
        weight = "-" if row["weight"] is None else f"{row['weight']:.3f}"
        digits = 7 if abs(row["loglik"]) < 1e7 else 4  # keep the row within 80 columns
        table.add_row(str(row["rank"]), row["family"], str(row["n_parameters"]), fmt(row["loglik"], digits),
                      _delta(row["delta"], 4 if d["criterion"] == "bits" else 1), weight, fmt(row["bits_per_sample"], 4), p)
    return table


def _delta(delta, decimals=1):
    return "-" if delta is None else (f"{delta:.{decimals}f}" if delta < 1e6 else f"{delta:.3g}")


def _p(p, samples):
    """A bootstrap p-value of 1/(B+1) (B samples refitted) means no resample was as
    extreme: p <= that."""
    if p is not None and samples and abs(p * (samples + 1) - 1.0) < 1e-9:
        return f"<={fmt(p, 2)}"
    return fmt(p, 2)


def lrt_table(tests):
    table = Grid(title="likelihood-ratio tests of nested families", box=SIMPLE_HEAD, title_justify="left")
    for header in ("null", "within", "statistic", "reference", "p-value"):
        table.add_column(header, justify="right" if header in ("statistic", "p-value") else "left",
                         overflow="fold")
    for t in tests:
        p = "<1e-300" if t["p_value"] == 0 else fmt(t["p_value"], 3)  # below double precision
        table.add_row(t["null"], t["nesting"], fmt(t["statistic"], 6), t["reference"], p)
    return table


def gof_table(tests, notes=()):
    table = Grid(title="goodness of fit", box=SIMPLE_HEAD, title_justify="left")
    for header in ("test", "statistic", "p-value", "how the p-value was made"):
        table.add_column(header, justify="right" if header in ("statistic", "p-value") else "left",
                         overflow="fold")
    for t in tests:
        table.add_row(t["name"], fmt(t["statistic"], 6), fmt(t["p_value"], 3), t["method"])
        if t["p_asymptotic"] is not None and t["p_asymptotic"] != t["p_value"]:
            table.add_row("", "", fmt(t["p_asymptotic"], 3), f"chi-square({t['df']})")
    return table


def print_selection(d, file=None):
    out = [ranking_table(d)]
    for f in d["failed"]:
        out.append(f"not fitted: {f['family']}: {f['error']}")
    if d["lrt"]:
        out.append(lrt_table(d["lrt"]))
        for t in d["lrt"]:
            if t["note"]:
                out.append(f"note: {t['null']} in {t['alt']}: {t['note']}")
    best = d["best"]
    out.append(f"best by {LABEL[d['criterion']]}: {best['family']} "
               f"({LABEL[d['criterion']]} {fmt(d['ranking'][0]['criterion'], 10)})")
    out += [fit_table(best), summary_table(best)]
    tested = any(headline(row) is not None for row in d["ranking"])  # none on censored data: a note says why
    if tested and d["bootstrap"]:
        out.append(f"GOF p: bootstrapped Anderson-Darling for continuous families, Pearson "
                   f"chi-square for discrete ones; at most {d['bootstrap']} parametric-bootstrap samples per "
                   f"family, fewer where p is clearly above or below 0.05 (<=0.017: none of 59 as large), "
                   f"seed {d['seed']} (every test is in --json; docs/gof.md)")
    elif tested:
        out.append("GOF p: textbook p-values that do NOT account for the estimated parameters "
                   "(--bootstrap 0); chi-square with df reduced by the parameters")
    for row in d["ranking"]:
        for note in row.get("gof_notes", []):
            out.append(f"note: {row['family']}: {note}")
    for note in d["notes"]:
        out.append(f"note: {note}")
    emit(out, file)


def print_gof(d, file=None):
    out = [gof_table(d["gof"]["tests"])]
    for note in d["gof"]["notes"]:
        out.append(f"note: {note}")
    emit(out, file)


def print_lrt(d, file=None):
    out = [lrt_table([d["test"]])]
    if d["test"]["note"]:
        out.append(f"note: {d['test']['note']}")
    for side in ("null_fit", "alt_fit"):
        if d[side] is not None:
            out.append(fit_table(d[side]))
    emit(out, file)
