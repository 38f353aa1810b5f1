"""`mlefit families`: every family with its aliases, support, parameters, estimator and
equivalents, as a table or JSON (numpy-free: the catalog alone)."""
import json

import click

from .edge import debug_option, json_option
from .group import cli


@cli.command("families")
@json_option("a table")
@debug_option
def families_command(as_json, debug):
    """Every family: aliases, support, parameters, estimator, and its scipy.stats and R
    equivalents with the mapping of parameters."""
    from ..families.catalog import catalog_dict
    d = catalog_dict()
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        from ..report.families import print_families
        print_families(d)
