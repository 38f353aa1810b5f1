"""--prior on the parameters of a user's own model (issue 22, point 4): the MAP fit of
mlefit.priors.map_fit over the expression's per-row record. Checked against the built-in
families' MAP fits with the same priors, and a conjugate closed form."""
import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.own import model as own_model
from mlefit.cli import cli
from mlefit.errors import UsageError

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"


def weibull_model(normalize=False):
    text = "-(x/lam)^k + (k-1)*log(x)" if normalize else WEIBULL
    return own_model.model(logpdf=text, params="k>0=1, lam>0=30", support="x>0", normalize=normalize)


def data(n=80):
    return st.weibull_min(1.3, scale=20.0).rvs(n, random_state=np.random.default_rng(11))


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("interval", ["wald", "profile"])
def test_map_of_the_weibull_expression_equals_the_weibull_familys(normalize, interval):
    x = data()
    own = own_model.fit(x, weibull_model(normalize), prior=["k ~ gamma(2, 1)", "lam ~ lognormal(3, 1)"],
                        interval=interval)
    ref = mlefit.fit(x, "weibull", prior=["shape ~ gamma(2, 1)", "scale ~ lognormal(3, 1)"], interval=interval)
    for p, q in zip(own.parameters, ref.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=1e-8)
        assert p.se == pytest.approx(q.se, rel=1e-6)
        assert (p.ci_lower, p.ci_upper) == pytest.approx((q.ci_lower, q.ci_upper), rel=1e-6)
    assert own.log_posterior == pytest.approx(ref.log_posterior, rel=1e-10)


def test_a_beta_prior_on_a_probability_gives_the_conjugate_mode():
    x = st.geom(0.3, loc=-1).rvs(40, random_state=np.random.default_rng(2)).astype(float)
    own = own_model.fit(x, own_model.model(logpmf="log(p) + x*log(1 - p)", params="p:(0,1)=0.5"),
                        prior=["p ~ beta(3, 2)"])
    n, s = x.size, x.sum()  # posterior beta(3 + n, 2 + s): mode (2 + n) / (3 + n + s)
    assert own.parameters[0].estimate == pytest.approx((2 + n) / (3 + n + s), rel=1e-9)


def test_jeffreys_is_refused_naming_why():
    with pytest.raises(UsageError, match="jeffreys in fit is for .*not logpdf"):
        own_model.fit(data(), weibull_model(), prior=["jeffreys"])


def test_cli_prior_and_its_refusals(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "".join(f"{float(v)!r}\n" for v in data()))
    own = ["fit", str(path), "--logpdf", WEIBULL, "--params", "k>0=1, lam>0=30", "--support", "x>0",
           "--prior", "k ~ gamma(2, 1)"]
    out = CliRunner().invoke(cli, own)
    assert out.exit_code == 0 and "logpdf MAP fit" in out.stdout, out.output
    out = CliRunner().invoke(cli, own + ["--plot", str(tmp_path / "p.svg")])
    assert out.exit_code == 2 and "--plot works from the MLE: not with --prior" in out.stderr
