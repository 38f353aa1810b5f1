"""Likelihood-ratio tests of nested families: the statistic, its reference distribution
(chi-square, or the 50:50 mixture on a boundary), calibration and power, and the CLI."""
import json

import numpy as np
import pytest
import scipy.stats
from click.testing import CliRunner

import mlefit
from mlefit.inference import likelihood_ratio as lrt
from mlefit.cli import cli
from mlefit.errors import BoundaryError

from cases import write


def _poisson_vs_nb(x):
    null = mlefit.fit(x, "poisson")
    try:
        alt = mlefit.fit(x, "negative_binomial")
    except BoundaryError as exc:
        alt = exc
    return lrt.compare(lrt.nesting("poisson", "negative_binomial"), null, alt)


def test_poisson_within_negative_binomial_keeps_its_level_and_has_power():
    p = [_poisson_vs_nb(np.random.default_rng(seed).poisson(4.0, 200).astype(float))["p_value"]
         for seed in range(100)]
    assert sum(v >= 0.05 for v in p) >= 90
    # about half the Poisson samples are underdispersed: the NB MLE is the Poisson itself
    assert 30 <= sum(v == 1.0 for v in p) <= 70
    over = np.random.default_rng(1).negative_binomial(2.0, 2.0 / 6.0, 300).astype(float)
    t = _poisson_vs_nb(over)
    assert t["p_value"] < 1e-6 and t["reference"].startswith("50:50 chi2(0)+chi2(1)")


def test_boundary_p_value_is_half_the_chi_square_tail():
    nest = lrt.nesting("normal", "student_t")
    assert lrt.p_value(3.2, nest) == pytest.approx(0.5 * scipy.stats.chi2.sf(3.2, 1), rel=1e-14)
    assert lrt.p_value(0.0, nest) == 1.0
    inner = lrt.nesting("exponential", "gamma")
    assert lrt.p_value(3.2, inner) == pytest.approx(scipy.stats.chi2.sf(3.2, 1), rel=1e-14)


def test_exponential_within_gamma_statistic():
    x = np.random.default_rng(2).gamma(1.6, 1.0, 150)
    e, g = mlefit.fit(x, "exponential"), mlefit.fit(x, "gamma")
    t = lrt.compare(lrt.nesting("exponential", "gamma"), e, g)
    stat = 2 * (np.sum(scipy.stats.gamma.logpdf(x, g.estimates["shape"], scale=1 / g.estimates["rate"]))
                - np.sum(scipy.stats.expon.logpdf(x, scale=1 / e.estimates["rate"])))
    assert t["statistic"] == pytest.approx(stat, rel=1e-9)
    assert t["p_value"] == pytest.approx(scipy.stats.chi2.sf(stat, 1), rel=1e-8)


def test_unknown_or_swapped_pairs_are_refused():
    with pytest.raises(mlefit.UsageError, match="swap --null and --alt"):
        lrt.nesting("gamma", "exponential")
    with pytest.raises(mlefit.UsageError, match="not known to be nested"):
        lrt.nesting("normal", "gamma")


def test_lrt_from_the_cli(tmp_path):
    x = np.random.default_rng(3).negative_binomial(1.5, 0.3, 200)
    path = write(tmp_path, "k\n" + "\n".join(str(v) for v in x) + "\n")
    out = CliRunner().invoke(cli, ["lrt", path, "--null", "poisson", "--alt", "nbinom", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["test"]["null"] == "poisson" and d["test"]["p_value"] < 1e-10
    assert d["test"]["statistic"] == pytest.approx(2 * (d["alt_fit"]["loglik"] - d["null_fit"]["loglik"]))
    bad = CliRunner().invoke(cli, ["lrt", path, "--null", "normal", "--alt", "gamma"])
    assert bad.exit_code == 2 and "not known to be nested" in bad.output
    under = write(tmp_path, "k\n" + "\n".join(["2", "3", "2", "3", "2", "3"]) + "\n", "u.csv")
    out = CliRunner().invoke(cli, ["lrt", under, "--null", "poisson", "--alt", "negative_binomial"])
    assert out.exit_code == 0 and "boundary" in out.output


def test_binomial_within_beta_binomial_on_geisslers_families():
    """Saxony (Geissler): the boys among 12 children vary more than a binomial allows."""
    from pathlib import Path
    path = str(Path(__file__).resolve().parent.parent / "sample_data" / "saxony.csv")
    for trials in ("12", "children"):
        out = CliRunner().invoke(cli, ["lrt", path, "-c", "boys", "-w", "families", "--trials", trials,
                                       "--null", "binomial", "--alt", "beta_binomial", "--json"])
        assert out.exit_code == 0, out.output
        t = json.loads(out.stdout)["test"]
        assert t["statistic"] == pytest.approx(2 * (12534.172147576 - 12492.871358551), rel=1e-9)
        assert t["p_value"] == pytest.approx(0.5 * scipy.stats.chi2.sf(t["statistic"], 1), rel=1e-12)
    bad = CliRunner().invoke(cli, ["lrt", path, "-c", "boys", "--null", "binomial", "--alt", "beta_binomial"])
    assert bad.exit_code == 2 and "needs the number of trials" in bad.output


def test_geometric_within_negative_binomial_on_counts_that_are_not_overdispersed():
    """The negative_binomial MLE is then on its poisson boundary: its supremum is the
    poisson fit, so LR = 2 (loglik_poisson - loglik_geometric), in lrt and in select."""
    from mlefit.io.column import from_values
    from mlefit.inference.selection import select
    x = np.random.default_rng(4).poisson(3.0, 200).astype(float)
    assert x.var() <= x.mean()
    d = lrt.run(from_values(x), "geometric", "nb")
    ll_pois, ll_geom = mlefit.fit(x, "poisson").loglik, mlefit.fit(x, "geometric").loglik
    assert d["test"]["statistic"] == pytest.approx(2 * (ll_pois - ll_geom), rel=1e-12)
    assert d["alt_fit"] is None and "supremum is the poisson fit" in d["test"]["note"]
    s = select(from_values(x), ["poisson", "geometric", "negative_binomial"], bootstrap=0)
    assert {(t["null"], t["alt"]) for t in s["lrt"]} == {("poisson", "negative_binomial"),
                                                         ("geometric", "negative_binomial")}
