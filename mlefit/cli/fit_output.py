"""One fit's output: its dict on standard output (JSON, an NDJSON line or the tables),
its picture (--plot) and its goodness-of-fit block (--gof)."""
import json

import click

from ..report.progress import _progress
from .edge import say


def draw(result, plot, censored, how=""):
    """--plot: the fit's figure to the file (survival curves for censored rows), said on stderr."""
    if censored:
        from ..report.plots_censored import plot_survival
        info = plot_survival(result, plot)
        say(f"mlefit: wrote {plot}: the fitted {result.family} survival over {info['nonparametric']}, "
            f"Q-Q and P-P plots{how}", err=True)
    else:
        from ..report.plots import plot_fit
        plot_fit(result.fitted, plot)
        say(f"mlefit: wrote {plot}: the data with the fitted {result.family}, Q-Q and P-P plots{how}", err=True)


def emit_fit(d, output):
    """One fit's dict on stdout: JSON, one NDJSON line, or the tables."""
    if output == "json":
        click.echo(json.dumps(d, indent=2))
    elif output == "ndjson":
        click.echo(json.dumps(d, separators=(",", ":")))
    else:
        from ..report.tables import print_fit
        print_fit(d)
        if "gof" in d:
            from ..report.select import print_gof
            print_gof(d)


def fit_gof(result, col, bootstrap, seed, settings, fam=None):
    """The goodness-of-fit block of one fit to the Record col (its weights with it): tests,
    notes, and how they were made. fam:
    the family fitted (default: the registry's of result.family; a user's own model
    passes its own)."""
    from .. import families
    from ..inference import gof

    fam = fam or families.get(result.family)
    theta = tuple(p.estimate for p in result.parameters)
    refit = gof.holding(fam, settings["fix"], settings["information"], settings["max_iter"]) if settings.get("fix") \
        else None
    with _progress("bootstrap goodness of fit", bootstrap) as bar:
        tests, notes = gof.goodness_of_fit(fam, col, theta, result.n_parameters, bootstrap=bootstrap,
                                           seed=seed, on_step=bar and bar.step, max_iter=settings["max_iter"],
                                           refit=refit)
    return {"bootstrap": bootstrap, "seed": seed, "tests": [t.to_dict() for t in tests],
            "notes": notes}
