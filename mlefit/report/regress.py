"""Tables of a regression, built from RegressionResult.to_dict(); nothing computed here.
The coefficient table keeps to 80 columns: z (= estimate / SE) is in the JSON only."""
from .tables import emit, fmt, iterations
from .plain import SIMPLE_HEAD, Grid

RATIO = {"logit": "odds ratio", "log": "rate ratio", "softmax": "risk ratio"}


def _p(value):
    if value is None:
        return "-"
    return "<1e-300" if value == 0 else f"{value:.2g}"



def coefficient_table(d):
    where = f" of {d['source']}" if d["source"] else ""
    title = f"{d['family']} {'MAP ' if d.get('map') else ''}regression ({d['link']} link) of '{d['response']}'{where}"
    table = Grid(title=title, box=SIMPLE_HEAD, title_justify="left")
    several = any(c.get("intervals") for c in d["coefficients"])  # a line per kind, and no ratio: 80 columns
    ratio = not several and any(c.get("exp_estimate") is not None for c in d["coefficients"])
    ratio_name = RATIO.get(d["link"], "exp(coef)") if d["family"] != "normal" else "exp(coef)"
    from ..regression.linear_model import AFT
    if d["family"] in AFT:
        ratio_name = "time ratio"
    headers = [("coefficient", "left"), ("estimate", "right"), ("SE", "right"), ("p", "right")]
    headers += [("kind", "left")] if several else []
    headers += [(f"{d['confidence'] * 100:g}% interval", "center")]
    headers += [(ratio_name, "right")] if ratio else []
    for header, justify in headers:  # numbers are never folded; a long name is
        table.add_column(header, justify=justify, overflow="fold", no_wrap=header != "coefficient")
    indexed = tuple(f"{f['term']}[" for f in d.get("indexed_factors", ()))
    for c in d["coefficients"]:
        if indexed and c["name"].startswith(indexed):
            continue  # a factor held as level indices: one line in the summary
        first = [c["name"], fmt(c["estimate"], 5), fmt(c["se"], 3), _p(c["p_value"])]
        ratio_cell = [fmt(c.get("exp_estimate"), 4)] if ratio else []
        for j, (kind, lo, hi) in enumerate(_kinds(c, several)):
            table.add_row(*(first if j == 0 else [""] * len(first)), *kind, _span(lo, hi, 3),
                          *(ratio_cell if j == 0 else [""] * len(ratio_cell)))
    return table


def _kinds(c, several):
    """[(kind cell, lower, upper)] of a coefficient: one line per interval kind when some
    coefficient has several (--interval bootstrap or all, as fit shows them; a profile end
    apart from Wald's by over 10% of its width marked), else its one interval."""
    if not several:
        return [((), c["ci_lower"], c["ci_upper"])]
    if not c.get("intervals"):
        from .tables import kind_word
        return [((kind_word(c["interval"]),), c["ci_lower"], c["ci_upper"])]
    from .tables import DISAGREE_MARK
    return [((kind + (f" {DISAGREE_MARK}" if kind == "profile" and c.get("wald_profile_disagree") else ""),),
             i["lower"], i["upper"]) for kind, i in c["intervals"].items()]


def _span(lo, hi, digits=5):
    """'lower - upper'; a None beside a number is an open end (-inf below, inf above)."""
    if lo is None and hi is None:
        return "-"
    return f"{'-inf' if lo is None else fmt(lo, digits)} - {'inf' if hi is None else fmt(hi, digits)}"


def parameter_table(d):
    table = Grid(title="the family's other parameters (shared by every row)", box=SIMPLE_HEAD, title_justify="left")
    for header, justify in (("parameter", "left"), ("estimate", "right"), ("SE", "right"),
                            (f"{d['confidence'] * 100:g}% interval", "center"), ("interval", "left")):
        table.add_column(header, justify=justify, overflow="fold")
    for p in d["parameters"]:
        for j, i in enumerate((p.get("intervals") or {"": {"lower": p["ci_lower"], "upper": p["ci_upper"],
                                                            "method": p["interval"]}}).values()):
            cells = [p["name"], fmt(p["estimate"]), fmt(p["se"], 4)] if j == 0 else ["", "", ""]
            table.add_row(*cells, _span(i["lower"], i["upper"]), i["method"])
    return table


def summary_table(d):
    table = Grid(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("rows", f"{d['rows_read']} read, {d['rows_used']} used, {d['n_dropped']} dropped"
                  + (f" (total weight {fmt(d['n'])}, from '{d['weights']}')" if d["weights"] else ""))
    for drop in d["dropped"]:
        more = ", ..." if drop["count"] > len(drop["first"]) else ""
        table.add_row("  dropped", f"{drop['count']} x {drop['reason']} ({', '.join(drop['first'])}{more})")
    if d.get("censoring"):
        c = d["censoring"]
        parts = [f"{c[k]} {label}" for k, label in (("exact", "exact"), ("left", "left-censored"),
                                                    ("right", "right-censored"), ("interval", "interval-censored"),
                                                    ("truncated", "truncated")) if c.get(k)]
        table.add_row("censoring", ", ".join(parts) or "none")
    for f in d.get("indexed_factors", ()):
        table.add_row("fixed effects", factor_line(f, d["coefficients"]))
    table.add_row("log-likelihood", fmt(d["loglik"], 10))
    if d["loglik_null"] is not None:
        table.add_row("null log-likelihood", f"{fmt(d['loglik_null'], 10)}  (intercept only)")
    if d["lr_test"] is not None:
        lr = d["lr_test"]
        table.add_row("LR test", f"chi2 = {fmt(lr['statistic'], 6)} on {lr['df']} df, p = {_p(lr['p_value'])}")
    if d["deviance"] is not None:
        table.add_row("deviance", fmt(d["deviance"], 10))
    if d["pseudo_r2"] is not None:
        table.add_row("pseudo R2", f"{fmt(d['pseudo_r2'], 6)}  (McFadden: 1 - loglik / null loglik)")
    bits = fmt(d["bits_per_sample"])
    if d["bits_differential"]:
        bits += "  (differential: depends on the unit of the response)"
    table.add_row("bits per sample", bits)
    if d.get("held_out"):
        h = d["held_out"]
        se = "" if h["se"] is None else f" +/- {fmt(h['se'], 4)}"
        each = [fmt(f["bits_per_sample"], 4) if "error" not in f else "failed" for f in h["per_fold"]]
        if len(each) > 10:
            done = [f["bits_per_sample"] for f in h["per_fold"] if "error" not in f]
            each = [f"{fmt(min(done), 4)} to {fmt(max(done), 4)}"]
        table.add_row("held-out bits", f"{fmt(h['bits_per_sample'])}{se} per sample  ({h['folds']}-fold "
                      f"cross-validation, seed {h['seed']}; in-sample {fmt(h['in_sample_bits_per_sample'])}; "
                      f"by fold: {', '.join(each)})")
        if h.get("note"):
            table.add_row("held-out note", h["note"])
    if d.get("map"):
        from .map import regression_rows
        regression_rows(table, d)
    else:
        table.add_row("AIC / BIC", f"{fmt(d['aic'], 10)} / {fmt(d['bic'], 10)}  ({d['n_parameters']} free parameter{'s' if d['n_parameters'] != 1 else ''})")
    table.add_row("method", d["method"])
    table.add_row("converged", fmt(d["converged"]) + (f" in {iterations(d['iterations'])}" if d["iterations"] else ""))
    table.add_row("information", "minus the Hessian of the log-posterior" if d.get("map")
                  else "none: the likelihood has kinks (Powell's kernel sandwich)" if d["information"] == "none"
                  else f"{d['information']} Fisher information")
    if d.get("resampling"):
        r = d["resampling"]
        table.add_row("bootstrap", f"{r['samples']} {r['kind']} resamples, seed {r['seed']}, percentile intervals"
                      + (f"; {r['failed']} not refitted" if r["failed"] else ""))
    for note in d["notes"]:
        table.add_row("note", note)
    return table


def factor_line(f, coefficients):
    """One line for a factor held as level indices: its levels, the range of its
    coefficients and their median SE; each coefficient is in --json."""
    import statistics
    own = [c for c in coefficients if c["name"].startswith(f"{f['term']}[")]
    est = [c["estimate"] for c in own]
    se = [c["se"] for c in own if c["se"] is not None]
    ref = f", reference '{f['reference']}'" if f["reference"] is not None else ""
    spread = f": from {fmt(min(est), 4)} to {fmt(max(est), 4)}" if est else ""
    median = f", median SE {fmt(statistics.median(se), 3)}" if se else ""
    return (f"{f['term']}: {f['levels']:,} levels{ref}, {f['coefficients']:,} coefficients{spread}{median}; "
            f"each one with --json")


def print_regression(d, file=None):
    items = [coefficient_table(d)]
    if d["parameters"]:
        items.append(parameter_table(d))
    emit(items + [summary_table(d)], file)
