"""compare-losses lists the penalties as the priors they are (issue 18, point 6)."""
import json

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

from mlefit import losses
from mlefit.priors import regression as regression_prior
from mlefit.cli import cli
from mlefit.priors.penalties import PENALTIES


def _penalty(b, lam, alpha):
    """glmnet's penalty, added to the mean NLL."""
    return lam * ((1 - alpha) / 2 * np.sum(b ** 2) + alpha * np.sum(np.abs(b)))


@pytest.mark.parametrize("kind, lam, alpha", [("l2", 0.03, 0.0), ("l1", 0.02, 1.0), ("elasticnet", 0.05, 0.3)])
def test_n_times_the_penalty_is_minus_the_stated_log_prior_plus_a_constant(kind, lam, alpha):
    n = 37
    row = {p.name: p for p in PENALTIES}[kind]
    s = 1 / np.sqrt(n * lam * (1 - alpha)) if alpha < 1 else None  # normal(0, 1/sqrt(n lambda (1 - alpha)))
    c = 1 / (n * lam * alpha) if alpha > 0 else None  # laplace(0, 1/(n lambda alpha))
    if s is not None:
        assert "normal(0, 1/sqrt(n lambda" in row.prior
    if c is not None:
        assert f"laplace(0, 1/(n lambda{' alpha' if kind == 'elasticnet' else ''}))" in row.prior

    def minus_log_prior(b):
        out = 0.0
        if s is not None:
            out -= st.norm(0, s).logpdf(b).sum()
        if c is not None:
            out -= st.laplace(0, c).logpdf(b).sum()
        return out

    rng = np.random.default_rng(4)
    gaps = [n * _penalty(b, lam, alpha) - minus_log_prior(b) for b in rng.normal(0, 2, (5, 3))]
    assert np.ptp(gaps) < 1e-10 * max(1, abs(gaps[0]))
    # and these are the priors `regress --penalty` fits with
    used = regression_prior._penalty(f"{kind}:{lam}" + (f":{alpha}" if kind == "elasticnet" else ""),
                                     ("Intercept", "x1", "x2"), n)
    scales = {p.distribution: p.args[1] for _, p in used.priors}
    assert scales == {k: pytest.approx(v, rel=1e-14) for k, v in (("normal", s), ("laplace", c)) if v}


def test_compare_losses_lists_each_penalty_with_its_prior_at_80_columns():
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["compare-losses"])
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    text = result.stdout
    for said in ("l2  ->  normal prior", "l1  ->  laplace prior", "elasticnet  ->  normal x laplace prior",
                 "firth  ->  jeffreys prior", "weight_decay", "n (mean NLL + penalty) = NLL"):
        assert said in text
    assert text.index("mse  ->  normal") < text.index("l2  ->  normal prior") < text.index("hinge:")


def test_compare_losses_json_has_the_penalties_and_every_mode_the_key():
    out = json.loads(CliRunner().invoke(cli, ["compare-losses", "--json"]).stdout)
    assert out["penalties"] == [p.to_dict() for p in PENALTIES]
    assert out == json.loads(json.dumps(losses.reference().to_dict()))
    by_name = {p["penalty"]: p for p in out["penalties"]}
    assert by_name["l2"]["prior_family"] == "normal" and "ridge" in by_name["l2"]["aliases"]
    assert by_name["l1"]["prior_family"] == "laplace" and "lasso" in by_name["l1"]["aliases"]
    data = "y\n1\n2\n2\n3\n5\n4\n"
    other = json.loads(CliRunner().invoke(cli, ["compare-losses", "-", "--json"], input=data).stdout)
    assert other["mode"] == "without_prediction" and other["penalties"] == []
