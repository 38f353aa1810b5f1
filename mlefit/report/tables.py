"""Tables built from FitResult.to_dict(). Nothing is computed here, only shown.

The tables are Grids (report/plain.py): rich draws them on a terminal; to a file or a
pipe report/plain.py writes them as plain text (the same words, never a word split) without
importing rich."""
import os
import sys

from .plain import SIMPLE_HEAD, Grid, is_terminal, plain_text, plain_width


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


DISAGREE_MARK = "!"


def fit_table(d, rows=None, title=None):
    """The parameter table of one fit (or its derived quantities, given as rows): the
    headline interval and how it was made; with several kinds (--interval, --robust),
    one line per kind under each parameter, so the table keeps to 80 columns."""
    from ..inference.information import percent

    if title is None:
        where = f"column '{d['column']}'" if d["column"] is not None else "data"
        src = f" of {d['source']}" if d["source"] else ""
        title = f"{d['family']} {'MAP ' if d.get('map') else ''}fit to {where}{src}"
    rows = d["parameters"] if rows is None else rows
    table = Grid(title=title, box=SIMPLE_HEAD, title_justify="left")
    robust = any(p.get("se_robust") is not None for p in rows)
    several = any(p.get("intervals") for p in rows)
    headers = [("name" if rows is not d["parameters"] else "parameter", "left"), ("estimate", "right"),
               ("SE", "right")] + ([("robust SE", "right")] if robust else [])
    headers += [("kind", "left")] if several else []
    headers += [(f"{percent(d['confidence'])} interval", "center")] + ([] if several else [("interval", "left")])
    for header, justify in headers:
        table.add_column(header, justify=justify, overflow="fold",
                         no_wrap=header.endswith("% interval") or header == "kind")
    for p in rows:
        digits = 4 if several else 6  # several kinds: SEs and ends to fewer digits, to fit 80 columns
        first = [p["name"], fmt(p["estimate"]), fmt(p["se"], digits)] + \
            ([fmt(p.get("se_robust"), digits)] if robust else [])
        found = [(k, i) for k, i in (p.get("intervals") or {}).items()]
        if not several:
            table.add_row(*first, _span(p), p["interval"])
            continue
        if not found:  # fixed, exact, or the one interval a limit allows
            table.add_row(*first, kind_word(p["interval"]), _span(p))
            continue
        for j, (kind, i) in enumerate(found):
            mark = f" {DISAGREE_MARK}" if kind == "profile" and p.get("wald_profile_disagree") else ""
            cells = first if j == 0 else [""] * len(first)
            table.add_row(*cells, kind + mark, _span(i, 5))
    return table


def iterations(n):
    """'1 iteration', '5 iterations'."""
    return f"{n} iteration{'' if n == 1 else 's'}"


def kind_word(method):
    """The kind column's one word for an interval's method ('profile likelihood' ->
    'profile', 'parametric bootstrap percentile' -> 'bootstrap'), so the column stays
    narrow and numbers are never folded."""
    for word in ("fixed", "exact", "profile", "bootstrap", "sandwich"):
        if word in method:
            return "robust" if word == "sandwich" else word
    return "wald" if method.startswith(("wald", "delta")) else method.split(":")[0].split(",")[0]


def _span(p, digits=6):
    """'lower - upper' of a parameter (ci_lower, ci_upper) or an interval (lower,
    upper). JSON has no infinity: a None beside a number is an open end (-inf below,
    inf above: the student_t df at its normal limit); two Nones, no interval."""
    lo, hi = (p["ci_lower"], p["ci_upper"]) if "ci_lower" in p else (p["lower"], p["upper"])
    if lo is None and hi is None:
        return "-"
    return f"{'-inf' if lo is None else fmt(lo, digits)} - {'inf' if hi is None else fmt(hi, digits)}"


def censoring_text(counts):
    """'1114 exact, 886 right-censored' (kinds with no row left out)."""
    words = {"exact": "exact", "left": "left-censored", "right": "right-censored",
             "interval": "interval-censored", "truncated": "truncated"}
    text = ", ".join(f"{counts[k]} {w}" for k, w in words.items() if counts.get(k)) or "no rows"
    if "kaplan_meier_median" in counts:
        km = counts["kaplan_meier_median"]
        km = "not reached" if km is None else fmt(km)
        text += f"; median {km} (Kaplan-Meier), {fmt(counts.get('fitted_median'))} (fitted)"
    return text


def summary_table(d):
    """n, likelihood figures, method and convergence, and every row left out."""
    table = Grid(box=None, show_header=False)
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
    if d.get("censoring"):
        table.add_row("censoring", censoring_text(d["censoring"]))
    table.add_row("log-likelihood", fmt(d["loglik"], 10))
    table.add_row("NLL", fmt(d["nll"], 10))
    bits = fmt(d["bits_per_sample"])
    if d["bits_differential"]:
        bits += "  (differential: depends on the unit of measurement)"
    table.add_row("bits per sample", bits)
    if d.get("map"):
        from .map import map_rows
        map_rows(table, d)
    else:
        table.add_row("AIC / BIC", f"{fmt(d['aic'], 10)} / {fmt(d['bic'], 10)}"
                      f"  ({d['n_parameters']} free parameter{'s' if d['n_parameters'] != 1 else ''})")
    if d.get("tic") is not None:
        table.add_row("TIC", f"{fmt(d['tic'], 10)}  (AIC with the sandwich's penalty: robust to a wrong family)")
    if d.get("resampling"):
        r = d["resampling"]
        extra = ", ".join(f"{r[k]} {k.replace('_', ' ')}" for k in ("failed", "at_limit") if r[k])
        table.add_row("bootstrap", f"{r['samples']} {r['kind']} samples, seed {r['seed']}, percentile "
                                   f"intervals{f' ({extra})' if extra else ''}")
    table.add_row("method", d["method"])
    iters = f" in {iterations(d['iterations'])}" if d["iterations"] else ""
    table.add_row("converged", fmt(d["converged"]) + iters)
    table.add_row("information", "minus the Hessian of the log-posterior (observed information + the prior's)"
                  if d.get("map") else f"{d['information']} Fisher information")
    for p in list(d["parameters"]) + list(d.get("derived", [])):
        if p["note"]:
            table.add_row("note", f"{p['name']}: {p['note']}")
        for kind, i in (p.get("intervals") or {}).items():
            if i["note"]:
                table.add_row("note", f"{p['name']} ({kind}): {i['note']}")
    if any(p.get("wald_profile_disagree") for p in list(d["parameters"]) + list(d.get("derived", []))):
        table.add_row("note", f"{DISAGREE_MARK} the Wald and profile intervals differ by more than 10% of "
                              f"the width: the log-likelihood is far from quadratic there; trust the "
                              f"profile (or bootstrap) interval")
    for note in d["notes"]:
        table.add_row("note", note)
    return table


def console(file=None, width=None):
    """A console for results: labels, column names and paths are data, never markup
    ("[red]" stays "[red]") and never terminal control (every string rich draws, in a
    table or a line, has its control characters escaped: errors.shown); NO_COLOR (any
    value) means plain text, no styles at all."""
    from rich.console import Console

    from ..errors import shown

    class Shown(Console):
        def render_str(self, text, **how):
            text = shown(text)
            if not self.encoding.startswith("utf"):  # what the output cannot encode, escaped before it is measured
                text = text.encode(self.encoding, "backslashreplace").decode(self.encoding)
            return super().render_str(text, **how)

    plain = bool(os.environ.get("NO_COLOR"))
    return Shown(file=file, highlight=False, markup=False, emoji=False, width=width,
                 **({"color_system": None} if plain else {}))


UNWRAPPED = 1 << 20  # the width of a table or line off a terminal: never wrapped


def _edge(grid):
    """The columns a Grid takes beyond its text: padding (0, 1), (1, 1), ..., (1, 0) and,
    with a box, its two edges and the rules between columns (report/plain.py)."""
    n = len(grid.columns)
    return 2 * (n - 1) + ((2 + (n - 1)) if grid.box else 0)


def _text_widths(grid):
    """(natural, least) text width of each column: its longest cell, and the least it can
    be without splitting a word (a name, a number): its longest word, or its longest
    cell if it does not wrap."""
    natural, least = [], []
    for i, col in enumerate(grid.columns):
        cells = [str(col["header"])] * bool(grid.show_header) + [str(row[i]) for row in grid.rows]
        natural.append(max([len(c) for c in cells] + [1]))
        least.append(natural[-1] if col["no_wrap"] else max([len(w) for c in cells for w in c.split()] + [1]))
    return natural, least


def _needed(grid):
    """The narrowest a Grid can be drawn with every word whole."""
    return sum(_text_widths(grid)[1]) + _edge(grid)


def _words_whole(grid, width):
    """The Grid with fixed column widths that fit `width` without splitting any word
    (rich, left to itself, narrows the widest column first and folds the words in it:
    'zero_inflated_poisso' / 'n'): the widest columns narrowed to a common level, none
    below its longest word. Unchanged when it fits as it is."""
    natural, least = _text_widths(grid)
    room = width - _edge(grid)
    if sum(natural) <= room:
        return grid

    def total(level):
        return sum(min(n, max(m, level)) for n, m in zip(natural, least))

    level = max(n for n in natural)
    while level > 1 and total(level) > room:
        level -= 1
    widths = [min(n, max(m, level)) for n, m in zip(natural, least)]
    spare = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: -natural[i]):  # the rest to the widest ones
        give = min(spare, natural[i] - widths[i])
        widths[i] += give
        spare -= give
    out = Grid(title=grid.title, box=grid.box, show_header=grid.show_header, title_justify=grid.title_justify)
    out.columns = [dict(c, width=w) for c, w in zip(grid.columns, widths)]
    out.rows = grid.rows
    return out


class Lines(list):
    """A table given as lines ('header: value'), written as they are: not wrapped, so a
    label and its value stay on one line however narrow the terminal."""


def as_lines(grid):
    """A Grid too wide for the terminal as one 'header: value' line per field, each row
    under its first cell, so that no column (the estimate above all) is ever hidden."""
    out = Lines([grid.title] if grid.title else [])
    heads = [c["header"] for c in grid.columns]
    for row in grid.rows:
        out.append(str(row[0]))
        out += [f"  {h}: {cell}" for h, cell in zip(heads[1:], row[1:]) if str(cell) != ""]
    return out


def narrow(items, width):
    """The items laid out for `width`: a headed Grid that cannot show every word whole as
    Lines, one too wide for its natural widths with fixed widths that keep words whole."""
    out = []
    for i in items:
        if isinstance(i, Grid) and i.show_header and len(i.columns) > 1:
            i = as_lines(i) if _needed(i) > width else _words_whole(i, width)
        out.append(i)
    return out


def unwrapped(items):
    """Off a terminal nothing is wrapped: each table's title is its own line (a table's
    title is otherwise wrapped to the table's width)."""
    out = []
    for i in items:
        if isinstance(i, Grid) and i.title:
            headless = Grid(box=i.box, show_header=i.show_header, title_justify=i.title_justify)
            headless.columns, headless.rows = i.columns, i.rows
            out += [i.title, headless]
        elif not isinstance(i, (str, Grid, Lines)) and getattr(i, "title", None):  # a rich Table
            title, i.title = i.title, None
            out += [title, i]
        else:
            out.append(i)
    return out


def emit(items, file=None):
    """Print tables (Grids) and one-line strings to `file` (None: standard output): the
    plain text of report/plain.py where rich would print exactly that, else through rich.
    Off a terminal (a pipe, a file) nothing is wrapped, unless COLUMNS asks for a width;
    on one, no word is split: a table that cannot show every word whole at the width is
    written as lines instead."""
    width = plain_width(file)
    columns = os.environ.get("COLUMNS")
    if not is_terminal(file) and not (columns and columns.isdigit()):
        items, width, layout = unwrapped(items), (None if width is None else UNWRAPPED), UNWRAPPED
    else:
        layout = width if width is not None else console(file).width
    items = narrow(items, layout)
    group = []
    for item in items + [None]:
        if item is not None and not isinstance(item, Lines):
            group.append(item)
            continue
        if group:
            _emit(group, file, width, layout)
            group = []
        if item is not None:
            from ..errors import shown
            out = sys.stdout if file is None else file
            out.write("".join(shown(line) + "\n" for line in item))
            out.flush()


def _emit(items, file, width, layout):
    text = None if width is None else plain_text(items, width)
    if text is None and layout == UNWRAPPED:  # rich's text, captured to lose the padding below
        out = console(file, width=UNWRAPPED)
        with out.capture() as captured:
            for item in items:
                out.print(item)
        text = captured.get()
    if text is not None:
        if layout == UNWRAPPED:  # one long note would pad every line of its table to its length
            text = "".join(line.rstrip() + "\n" for line in text.splitlines())
        out = sys.stdout if file is None else file
        out.write(text)
        out.flush()
        return
    out = console(file)
    for item in items:
        out.print(item)


def print_fit(d, file=None):
    items = [fit_table(d)]
    if d.get("derived"):
        items.append(fit_table(d, d["derived"], "derived quantities (g at the MAP, a plug-in: see the note)"
                               if d.get("map") else "derived quantities (by the invariance of the MLE)"))
    emit(items + [summary_table(d)], file)


def print_groups(head, rows, file=None):
    """--by: one table row per group; groups that failed are listed after the table."""
    ok = [r for r in rows if "family" in r]
    family = (ok[0]["family"] + (" MAP" if ok[0].get("map") else "")) if ok else "?"
    items = [f"{family} fit to column '{head['column']}' of {head['source']}, by '{head['by']}': "
             f"{len(rows)} groups; {head['rows_read']} rows read, {head['n_dropped']} dropped"]
    for drop in head["dropped"]:
        items.append(f"  dropped {drop['count']} x {drop['reason']} ({', '.join(drop['first'])})")
    shared = [n for n in (ok[0].get("notes") or []) if all(n in (r.get("notes") or []) for r in ok)] if ok else []
    items += [f"note: {n}" for n in shared]  # every group's (two text labels: which is 1)
    table = Grid(box=SIMPLE_HEAD)
    table.add_column(head["by"], overflow="fold")
    table.add_column("n", justify="right")
    names = [p["name"] for p in ok[0]["parameters"]] if ok and ok[0]["family"] != "categorical" else []
    for name in names:
        table.add_column(f"{name} (SE)", justify="right", overflow="fold")
    last = ("log-posterior", "log_posterior") if ok and ok[0].get("map") else ("AIC", "aic")
    for header in ("log-likelihood", last[0]):
        table.add_column(header, justify="right")
    for r in ok:
        cells = [f"{fmt(p['estimate'])} ({fmt(p['se'], 3)})" for p in r["parameters"]] if names else []
        table.add_row(r["group"], fmt(r["n"]), *cells, fmt(r["loglik"], 8), fmt(r[last[1]], 8))
    items.append(table)
    if ok and ok[0].get("map"):  # the prior, and why there is no AIC
        from .map import said
        items.append(f"prior: {'; '.join(said(p) for p in ok[0]['prior'])}; estimates are the MAP, the "
                     f"log-likelihood the data's at it, the log-posterior (unnormalised) log-likelihood + "
                     f"log-prior, in place of AIC")
    items += [f"{head['by']} = {r['group']}: {r['error']}" for r in rows if "error" in r]
    emit(items, file)
