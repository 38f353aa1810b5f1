"""Tables for compare-losses, built from Comparison.to_dict(); nothing computed."""
from .tables import emit, fmt
from .plain import SIMPLE_HEAD, Grid


def _kv_table(title=None):
    table = Grid(box=None, show_header=False, title=title, title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def reference(d, file=None):
    out = ["Every loss is the negative log-likelihood (NLL) of a family with constants dropped: "
           "over n rows, NLL = a * loss + b. Choosing a loss is choosing a distribution.", ""]
    for row in d["rows"]:
        table = _kv_table(f"{row['loss']}  ->  {row['family']}")
        for key, label in (("formula", "loss"), ("identity", "identity"), ("dropped", "dropped"),
                           ("nuisance_mle", "hidden MLE"), ("minimiser", "minimiser"),
                           ("caveat", "caveat")):
            table.add_row(label, row[key])
        table.add_row("also", ", ".join(row["aliases"]))
        out += [table, ""]
    if d.get("penalties"):
        out += ["Every penalty added to a mean loss is a prior on the coefficients: over n rows, "
                "n (mean NLL + penalty) = NLL - log prior + constant, so minimising it is MAP "
                "estimation. Choosing a penalty is choosing a prior.", ""]
    for row in d.get("penalties", ()):
        table = _kv_table(f"{row['penalty']}  ->  {row['prior_family']} prior")
        for key in ("formula", "prior", "identity", "dropped", "mlefit", "conversions", "caveat"):
            table.add_row({"formula": "penalty", "conversions": "lambda from"}.get(key, key), row[key])
        table.add_row("also", ", ".join(row["aliases"]))
        out += [table, ""]
    emit(out + list(d["notes"]), file)


def _header(d, out):
    out.append(f"compare-losses on {d['source']}: target '{d['target']}'"
              + (f", prediction '{d['prediction']}'" if d["prediction"] else "")
              + f"; {fmt(d['n'])} rows used of {d['rows_read']}, {d['n_dropped']} dropped")
    for drop in d["dropped"]:
            out.append(f"  dropped {drop['count']} x {drop['reason']} ({', '.join(drop['first'])})")


def _family_cell(r):
    name = r["family"].split(":")[0]
    hidden = ", ".join(f"{k} {fmt(v, 4)}" for k, v in r.get("nuisance_mle", {}).items())
    return f"{name} ({hidden})" if hidden else name


def _bits(value, differential):
    return fmt(value, 5) + (" d" if differential else "  ")


def _errors(d, out):
    for r in d["rows"]:
        if "error" in r:
            out.append(f"{r['loss']}: {r['error']}")


def with_prediction(d, file=None):
    out = []
    _header(d, out)
    table = Grid(box=SIMPLE_HEAD)
    table.add_column("loss", overflow="fold")
    table.add_column("family (hidden MLE)", overflow="fold")
    for name in ("loss value", "family NLL", "a*L+b", "bits"):
        table.add_column(name, justify="right" if name != "a*L+b" else "center", no_wrap=True)
    for r in d["rows"]:
        if "error" in r:
            table.add_row(r["loss"], _family_cell(r), "-", "-", "-", "-")
            continue
        table.add_row(r["loss"], _family_cell(r), fmt(r["loss_value"], 6), fmt(r["nll"], 8),
                      "=" if r["identity_holds"] else "NO", _bits(r["bits_per_sample"], r["differential"]))
    out.append(table)
    _errors(d, out)
    out.append("family NLL: at the predictions, with the parameter the loss hides at its MLE. "
               "a*L+b: the loss L alone gives the same number (a and b are in the JSON). "
               "bits: NLL/(n ln 2) per sample; d: a density's differential bits, not comparable "
               "with a mass's.")
    emit(out, file)


def _ranking(model, numbers):
    """The ranking table's columns: rank, loss, the model it is, then right-aligned numbers."""
    table = Grid(box=SIMPLE_HEAD)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("loss", overflow="fold")
    table.add_column(model, overflow="fold")
    for name in numbers:
        table.add_column(name, justify="right", no_wrap=True)
    return table


def without_prediction(d, file=None):
    out = []
    _header(d, out)
    table = _ranking("family", ("minimiser", "family MLE", "held-out bits"))
    unequal = []
    for r in d["rows"]:
        if "error" in r:
            table.add_row("-", r["loss"], r["family"].split(":")[0], "-", "-", "-")
            continue
        m, mle = r["minimiser"], r["family_mle"]
        if isinstance(m, dict):
            m = mle = "frequencies"
        if not r["equal"]:
            unequal.append(r["loss"])
        bits = r["held_out_bits"]
        table.add_row(str(r["rank"]), r["loss"], r["family"].split(":")[0], fmt(m, 6), fmt(mle, 6),
                      _bits(bits, r["differential"]) if bits is not None else "inf")
    out.append(table)
    _errors(d, out)
    s = d["summary"]
    same = ("every minimiser equals its family's MLE (to 1e-8)" if not unequal
            else f"minimiser and MLE differ for: {', '.join(unequal)}")
    out.append(f"minimiser: the constant prediction that minimises the loss; {same}. Held-out "
               f"bits per sample: {s['folds']}-fold cross-validation (seed {s['seed']}), lower is "
               f"better; inf: a fold's fit gave a held-out value probability 0; d: a density's "
               f"differential bits, ranked after the masses (not comparable)"
               + ("; --continuous ranks the losses of a density alone" if _mixed(d) else "") + ".")
    if any(r["loss"].startswith("huber") for r in d["rows"]):
        out.append("huber's density has its scale fixed at 1 in the units of the target, so its "
                   "rank depends on that unit.")
    emit(out, file)


def with_covariates(d, file=None):
    out = []
    _header(d, out)
    s = d["summary"]
    table = _ranking("regression", ("in-sample bits", "held-out bits", "se"))
    for r in d["rows"]:
        if "error" in r:
            table.add_row("-", r["loss"], r["family"].split(":")[0], "-", "-", "-")
            continue
        table.add_row(str(r.get("rank", "-")), r["loss"], f"{r['family']} ({r['link']} link)",
                      _bits(r["in_sample_bits"], r["differential"]), _bits(r["held_out_bits"], r["differential"]),
                      "-" if r["se"] is None else fmt(r["se"], 3))
    out.append(table)
    _errors(d, out)
    for r in d["rows"]:
        if "note" in r:
            out.append(f"{r['loss']}: {r['note']}; not ranked (its bits are over other rows)")
    if s["not_regressed"]:
        out.append(f"not fitted: {', '.join(s['not_regressed'])}: regress does not fit their families yet")
    on = f"the formula '{s['formula']}'" if s["formula"] else f"{', '.join(s['covariates']) or 'the intercept alone'}"
    given = "".join(f"; prior {p} on every model" for p in s["prior"] or ()) + \
        (f"; penalty {s['penalty']} on every model" if s["penalty"] else "")
    out.append(f"each loss fitted as the regression of its family on {on} (regress --loss){given}. Held-out "
               f"bits per sample: {s['folds']}-fold cross-validation (seed {s['seed']}; the folds of regress "
               f"--folds), lower is better; se: its standard error across rows; d: a density's differential "
               f"bits, ranked after the masses (not comparable).")
    emit(out, file)


def _mixed(d):
    """Masses and densities in one ranking (whole numbers: poisson beside mse)."""
    kinds = {r["differential"] for r in d["rows"] if "differential" in r}
    return kinds == {True, False}


def soft(d, file=None):
    out = [f"soft labels from {d['source']}: {fmt(d['n'])} rows, {d['summary']['classes']} classes"]
    table = _kv_table()
    s = d["summary"]
    labels = {"mean_entropy": "mean H(p)", "mean_cross_entropy": "mean CE(p, q)",
              "mean_kl": "mean KL(p || q)", "identity_gap": "max |CE - (H + KL)|",
              "mean_target": "mean of p", "argmin_cross_entropy": "q minimising CE",
              "argmin_kl": "q minimising KL", "argmins_agree": "same q",
              "argmin_is_mean_target": "q = mean of p"}
    for key, label in labels.items():
        if key in s:
            value = s[key]
            shown = ", ".join(fmt(v) for v in value) if isinstance(value, list) else fmt(value)
            table.add_row(label, shown)
    emit(out + [table, "in nats. CE = H(p) + KL(p || q) row by row, and H(p) does not depend on q, so "
                       "minimising either picks the same q."], file)
