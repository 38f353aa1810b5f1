"""The rows a MAP fit (--prior) adds to the summary of `mlefit fit`: the priors, the MLE
beside the MAP, the log-prior and log-posterior apart from the log-likelihood, the exact
posterior of a conjugate pair, and why AIC and BIC are not shown."""
from ..inference.information import percent
from .tables import fmt


def map_rows(table, d):
    for p in d["prior"]:
        table.add_row("prior", said(p))
    if d["mle"] is None:  # a mixture whose EM runs all collapse: the prior makes the fit defined
        table.add_row("MLE", "does not exist for these data (see the note); the estimates above are the MAP")
    else:
        table.add_row("MLE", ", ".join(f"{k} = {fmt(v)}" for k, v in d["mle"].items())
                      + "  (the estimates above are the MAP)")
    _posterior_rows(table, d)
    post = d.get("posterior")
    if post and post["distribution"] == "dirichlet":
        table.add_row("posterior", f"p ~ {post['label']} exactly (conjugate); each p_k's marginal is "
                                   f"beta(alpha_k, sum alpha - alpha_k):")
        for i, name in enumerate(post["parameters"]):
            table.add_row("", f"{name}: mean {fmt(post['mean'][i])}, mode {fmt(post['mode'][i])}, sd "
                              f"{fmt(post['sd'][i])}, {percent(d['confidence'])} equal-tailed "
                              f"{fmt(post['ci_lower'][i])} - {fmt(post['ci_upper'][i])}")
    elif post:
        table.add_row("posterior", f"{post['parameter']} ~ {post['label']} exactly (conjugate): mean "
                                   f"{fmt(post['mean'])}, mode {fmt(post['mode'])}, sd {fmt(post['sd'])}, "
                                   f"{percent(d['confidence'])} {_shape(post)} {fmt(post['ci_lower'])} - "
                                   f"{fmt(post['ci_upper'])}")
    table.add_row("AIC / BIC", "not reported for a MAP fit (see the note)")


def _shape(post):
    """How the exact posterior's interval is placed: equal-tailed, or one-sided from a mode
    at its lower end (pareto's)."""
    return "one-sided (from the mode)" if post["interval"].startswith("one-sided") else "equal-tailed"


def said(p):
    """One prior of the JSON `prior` list, as the table says it."""
    args = ", ".join(fmt(v, 10) for a in p["args"].values() for v in (a if isinstance(a, list) else [a]))
    lhs = p["parameter"] if p["transform"] is None else f"{p['transform']}({p['parameter']})"
    a = list(p["args"].values())
    if p.get("density"):  # a Jeffreys factor in trigamma terms, or a joint one ('a, b')
        text = f"{lhs if ',' not in lhs else '(' + lhs + ')'} has density {p['density']}"
        return f"jeffreys: {text}" if p["given"] == "jeffreys" else text
    text = (f"{lhs} has density {lhs}^({args}), improper" if p["distribution"] == "power"
            else f"{lhs} has density {lhs}^({fmt(a[0] - 1, 10)}) (1 - {lhs})^({fmt(a[1] - 1, 10)}), improper"
            if p["distribution"] == "beta_kernel" else f"{lhs} ~ {p['distribution']}({args})")
    return f"jeffreys: {text}" if p["given"] == "jeffreys" else text


def _posterior_rows(table, d):
    table.add_row("log-prior", fmt(d["log_prior"], 10))
    table.add_row("log-posterior", f"{fmt(d['log_posterior'], 10)}  (log-likelihood + log-prior, unnormalised)")


def regression_rows(table, d):
    """A MAP regression's priors (or penalty), log-prior and log-posterior."""
    if d.get("penalty"):
        pen = d["penalty"]
        spec = f"{pen['kind']}:{fmt(pen['lambda'], 10)}" + (f":{fmt(pen['alpha'], 10)}" if pen["kind"] == "elasticnet"
                                                             else "")
        table.add_row("penalty", f"{spec} = the prior {pen['prior']} on each coefficient but the intercept")
        for p in d["prior"]:  # priors on the family's other parameters, beside the penalty
            if p["parameter"] != "coef":
                table.add_row("prior", said(p))
    else:
        for p in d["prior"]:
            args = ", ".join(fmt(v, 10) for v in p["args"].values())
            table.add_row("prior", "jeffreys: 1/2 log det I(b) on every coefficient (Firth)"
                          if p["distribution"] == "jeffreys" else f"{p['parameter']} ~ {p['distribution']}({args})")
    if d.get("mle"):
        held = tuple(f"{f['term']}[" for f in d.get("indexed_factors", ()))  # levels held as indices: in --json
        shown = ", ".join(f"{k} = {fmt(v)}" for k, v in d["mle"].items() if not (held and k.startswith(held)))
        table.add_row("MLE", shown + "".join(f", {f['term']}'s levels with --json" for f in d.get("indexed_factors", ()))
                      + "  (the estimates above are the MAP)")
    _posterior_rows(table, d)
    table.add_row("AIC / BIC", "not reported for a MAP fit (see the note)")
