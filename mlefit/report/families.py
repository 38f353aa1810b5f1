"""The `mlefit families` listing, from catalog_dict(); nothing computed here."""
from .tables import emit
from .plain import Grid


def print_families(d, file=None):
    out = []
    for f in d["families"]:
        table = Grid(box=None, show_header=False, title_justify="left",
                      title=f"{f['usage']}({', '.join(p['name'] for p in f['parameters'])})")
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        table.add_row("support", f["support"])
        for p in f["parameters"]:
            table.add_row(p["name"], f"{p['meaning']} ({p['domain']})")
        table.add_row("density" if not f["discrete"] else "mass", f["density"])
        table.add_row("estimator", f["estimator"])
        table.add_row("scipy.stats", f["scipy"])
        table.add_row("R", f["r"])
        if f["aliases"]:
            table.add_row("aliases", ", ".join(f["aliases"]))
        out += [table, ""]
    emit(out, file)
