"""`mlefit lrt` between models the user says are nested, at least one of them a user's own
model (issue 22, point 4): each side fitted by its own estimator, df the difference of
their numbers of parameters, --boundary for a null on the edge. Checked against the
built-in nested pairs the expressions are."""
import json

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

from mlefit.cli import cli

EXPONENTIAL = ["--null-logpdf", "log(r) - r*x", "--null-params", "r>0=0.1"]
WEIBULL = ["--alt-logpdf", "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k", "--alt-params", "k>0=1, lam>0=10"]
POISSON = ["--null-logpmf", "x*log(m) - m - lgamma(x+1)", "--null-params", "m>0=1"]
NEGBIN = ["--alt-logpmf", "lgamma(x+size) - lgamma(size) - lgamma(x+1) + size*log(size/(size+mu)) "
          "+ x*log(mu/(size+mu))", "--alt-params", "size>0=1, mu>0=1"]


def lrt(path, *args):
    out = CliRunner().invoke(cli, ["lrt", str(path), *[str(a) for a in args], "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def column(tmp_path, values, event=None):
    path = tmp_path / "d.csv"
    if event is None:
        path.write_text("x\n" + "".join(f"{float(v)!r}\n" for v in values))
    else:
        path.write_text("x,e\n" + "".join(f"{float(v)!r},{e}\n" for v, e in zip(values, event)))
    return path


def same_test(own, ref, rel=1e-8):
    assert own["statistic"] == pytest.approx(ref["statistic"], rel=rel)
    assert own["p_value"] == pytest.approx(ref["p_value"], rel=1e-6)
    assert (own["df"], own["reference"]) == (ref["df"], ref["reference"])


def test_exponential_within_weibull_written_out_equals_the_built_in_pair(tmp_path):
    path = column(tmp_path, st.weibull_min(1.3, scale=20.0).rvs(200, random_state=np.random.default_rng(11)))
    own = lrt(path, *EXPONENTIAL, *WEIBULL, "--support", "x>0")
    ref = lrt(path, "--null", "exponential", "--alt", "weibull")
    same_test(own["test"], ref["test"])
    assert "as you say (not checked): df = 2 - 1" in own["test"]["nesting"]
    assert own["null_fit"]["family"] == own["alt_fit"]["family"] == "logpdf"


def test_a_family_within_an_own_model_and_censored_rows(tmp_path):
    t = np.random.default_rng(7).weibull(1.4, 300) * 20.0
    path = column(tmp_path, np.minimum(t, 30.0), (t < 30.0).astype(int))
    own = lrt(path, "-c", "x", "--event", "e", "--null", "exponential", *WEIBULL, "--support", "x>0")
    ref = lrt(path, "-c", "x", "--event", "e", "--null", "exponential", "--alt", "weibull")
    same_test(own["test"], ref["test"], rel=1e-6)
    assert own["alt_fit"]["censoring"]["right"] == int(np.sum(t >= 30.0))


def test_boundary_gives_the_half_chi_square_like_poisson_within_negative_binomial(tmp_path):
    rng = np.random.default_rng(2)
    path = column(tmp_path, rng.negative_binomial(3, 3 / (3 + 4.0), 300))
    own = lrt(path, *POISSON, *NEGBIN, "--boundary")
    ref = lrt(path, "--null", "poisson", "--alt", "negative_binomial")
    same_test(own["test"], ref["test"], rel=1e-7)
    assert own["test"]["reference"].startswith("50:50")


@pytest.mark.parametrize("args,message", [
    ([*WEIBULL, "--null-logpdf", "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k", "--null-params",
      "k>0=1, lam>0=10"], "the alternative has 2 parameters and the null 2"),
    (["--null-logpdf", "log(r) - r*x", *WEIBULL], "--null-logpdf/--null-logpmf needs --null-params LIST"),
    (["--null", "exponential", *EXPONENTIAL, *WEIBULL], "give the null model once: --null FAMILY, "
                                                       "--null-logpdf EXPR or --null-logpmf EXPR (got --null and "
                                                       "--null-logpdf)"),
    (["--null", "exponential", "--alt", "weibull", "--support", "x>0"], "--support, --normalize and --boundary go "
                                                                        "with an own model"),
    (["--alt", "weibull"], "lrt needs the two models"),
])
def test_bad_pairs_are_refused_in_one_line(tmp_path, args, message):
    path = column(tmp_path, [1.5, 2.5, 0.7, 3.1])
    out = CliRunner().invoke(cli, ["lrt", str(path), *args])
    assert out.exit_code == 2 and message in out.stderr, out.output
