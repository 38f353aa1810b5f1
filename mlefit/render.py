"""Rich tables built from FitResult.to_dict(). Nothing is computed here, only shown."""
import os

from rich import box
from rich.console import Console
from rich.table import Table


def fmt(value, digits=6):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.{digits}g}"
    return str(value)


def fit_table(d):
    """The parameter table of one fit."""
    where = f"column '{d['column']}'" if d["column"] is not None else "data"
    src = f" of {d['source']}" if d["source"] else ""
    table = Table(title=f"{d['family']} fit to {where}{src}", box=box.SIMPLE_HEAD,
                  title_justify="left", pad_edge=False)
    level = f"{d['confidence'] * 100:g}% interval"
    for header, justify in (("parameter", "left"), ("estimate", "right"), ("SE", "right"),
                            (level, "center"), ("interval", "left")):
        table.add_column(header, justify=justify, overflow="fold", no_wrap=header == level)
    for p in d["parameters"]:
        ci = "-" if p["ci_lower"] is None else f"{fmt(p['ci_lower'])} - {_upper(p)}"
        table.add_row(p["name"], fmt(p["estimate"]), fmt(p["se"]), ci, p["interval"])
    return table


def _upper(p):
    """An upper bound of None beside a lower one is an interval open to infinity (JSON
    has no infinity: the student_t df at its normal limit)."""
    return "inf" if p["ci_upper"] is None else fmt(p["ci_upper"])


def summary_table(d):
    """n, likelihood figures, method and convergence, and every row left out."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    if d.get("weights"):
        table.add_row("rows", f"{d['rows_read']} read, {d['rows_used']} used (total weight "
                              f"{fmt(d['n'])}, from '{d['weights']}'), {d['n_dropped']} dropped")
    else:
        table.add_row("rows", f"{d['rows_read']} read, {fmt(d['n'])} used, {d['n_dropped']} dropped")
    for drop in d["dropped"]:
        first = f" ({', '.join(drop['first'])}{', ...' if drop['count'] > len(drop['first']) else ''})" \
            if drop["first"] else ""
        table.add_row("  dropped", f"{drop['count']} x {drop['reason']}{first}")
    table.add_row("log-likelihood", fmt(d["loglik"], 10))
    table.add_row("NLL", fmt(d["nll"], 10))
    bits = fmt(d["bits_per_sample"])
    if d["bits_differential"]:
        bits += "  (differential: depends on the unit of measurement)"
    table.add_row("bits per sample", bits)
    table.add_row("AIC / BIC", f"{fmt(d['aic'], 10)} / {fmt(d['bic'], 10)}"
                  f"  ({d['n_parameters']} free parameter{'s' if d['n_parameters'] != 1 else ''})")
    table.add_row("method", d["method"])
    iters = f" in {d['iterations']} iterations" if d["iterations"] else ""
    table.add_row("converged", fmt(d["converged"]) + iters)
    table.add_row("information", f"{d['information']} Fisher information")
    for p in d["parameters"]:
        if p["note"]:
            table.add_row("note", f"{p['name']}: {p['note']}")
    for note in d["notes"]:
        table.add_row("note", note)
    return table


def console(file=None):
    """A console for results: labels, column names and paths are data, never markup
    ("[red]" stays "[red]"); NO_COLOR (any value) means plain text, no styles at all."""
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(file=file, highlight=False, markup=False, emoji=False,
                   **({"color_system": None} if plain else {}))


def print_fit(d, file=None):
    out = console(file)
    out.print(fit_table(d))
    out.print(summary_table(d))


def print_groups(head, rows, file=None):
    """--by: one table row per group; groups that failed are listed after the table."""
    out = console(file)
    ok = [r for r in rows if "family" in r]
    family = ok[0]["family"] if ok else "?"
    out.print(f"{family} fit to column '{head['column']}' of {head['source']}, by '{head['by']}': "
              f"{len(rows)} groups; {head['rows_read']} rows read, {head['n_dropped']} dropped")
    for drop in head["dropped"]:
        out.print(f"  dropped {drop['count']} x {drop['reason']} ({', '.join(drop['first'])})")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(head["by"], overflow="fold")
    table.add_column("n", justify="right")
    names = [p["name"] for p in ok[0]["parameters"]] if ok and ok[0]["family"] != "categorical" else []
    for name in names:
        table.add_column(f"{name} (SE)", justify="right", overflow="fold")
    for header in ("log-likelihood", "AIC"):
        table.add_column(header, justify="right")
    for r in ok:
        cells = [f"{fmt(p['estimate'])} ({fmt(p['se'], 3)})" for p in r["parameters"]] if names else []
        table.add_row(r["group"], fmt(r["n"]), *cells, fmt(r["loglik"], 8), fmt(r["aic"], 8))
    out.print(table)
    for r in rows:
        if "error" in r:
            out.print(f"{head['by']} = {r['group']}: {r['error']}")
