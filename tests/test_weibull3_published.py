"""weibull3 on a published reliability data set with its published maximum likelihood
estimates (issue 22, point 6, acceptance).

Data: tests/data/alloy_t7987.csv, the fatigue lives of 72 specimens of alloy T7987, in
thousands of cycles: 67 failed, the last 5 were still running at 300 thousand cycles
(right-censored; `failed` is 0 for them). Meeker, W. Q. and Escobar, L. A. (1998),
Statistical Methods for Reliability Data, Wiley, Appendix C (alloy T7987), used in the
book's three-parameter Weibull example; the same 72 values are printed in the SAS/QC
User's Guide, PROC RELIABILITY, Getting Started, "Three-Parameter Weibull" (data set
Alloy), https://support.sas.com/documentation/cdl/en/qcug/65562/HTML/default/
qcug_reliability_gettingstarted14.htm.

Published estimates: that SAS page, Figure 16.45 "Three-Parameter Weibull Parameter
Estimates" (PROC RELIABILITY, DISTRIBUTION WEIBULL3: maximum likelihood, the right-censored
rows contributing log S; standard errors from the observed information; "Asymptotic
Normal" 95% limits):

    EV Location         4.5354   SE 0.1009    4.3377    4.7332
    EV Scale            0.7575   SE 0.0898    0.6005    0.9556
    Weibull Scale      93.2642   SE 9.4082   76.5329  113.6531
    Weibull Shape       1.3202   SE 0.1565    1.0465    1.6654
    Weibull Threshold  92.9928   SE 1.9516   89.1676   96.8179

(EV location = log scale, EV scale = 1/shape.) The threshold's published limits are
threshold -+ 1.96 SE on the raw scale, past the smallest failure (94); mlefit's are built
on log(94 - threshold) and stay below it, so only its estimate and SE are compared."""
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.censored import rows as censoring
from mlefit.cli import cli

DATA = Path(__file__).parent / "data" / "alloy_t7987.csv"
PUBLISHED = {"shape": (1.3202, 0.1565, 1.0465, 1.6654), "scale": (93.2642, 9.4082, 76.5329, 113.6531),
             "threshold": (92.9928, 1.9516, None, None)}


def alloy():
    rows = np.loadtxt(DATA, delimiter=",", skiprows=1)
    return rows[:, 0], rows[:, 1]


def published_loglik(kcycles, failed):
    shape, scale, threshold = (PUBLISHED[p][0] for p in ("shape", "scale", "threshold"))
    dist = st.weibull_min(shape, loc=threshold, scale=scale)
    return float(np.sum(dist.logpdf(kcycles[failed == 1])) + np.sum(dist.logsf(kcycles[failed == 0])))


def test_alloy_t7987_estimates_equal_the_published_ones_to_the_printed_digits():
    kcycles, failed = alloy()
    assert kcycles.size == 72 and failed.sum() == 67 and kcycles.min() == 94
    r = mlefit.fit(censoring.from_event(kcycles, failed), "weibull3")
    for p in r.parameters:
        estimate, se, lo, hi = PUBLISHED[p.name]
        assert round(p.estimate, 4) == estimate, p.name
        assert round(p.se, 4) == se, p.name
        if lo is not None:
            assert (round(p.ci_lower, 4), round(p.ci_upper, 4)) == (lo, hi), p.name
    shape, scale, threshold = (p.estimate for p in r.parameters)
    assert round(math.log(scale), 4) == 4.5354 and round(1.0 / shape, 4) == 0.7575  # the EV parameters
    assert r.loglik >= published_loglik(kcycles, failed)
    assert r.parameters[2].ci_upper < 94.0  # the threshold's interval stays below the smallest failure
    assert any("shape 1.32 is at most 2: the threshold's MLE is not regular" in n for n in r.notes)
    fixed = mlefit.fit(censoring.from_event(kcycles, failed), "weibull3", fix={"threshold": 90.0})
    assert fixed.n_parameters == 2 and not fixed.notes


def test_the_command_line_gives_the_same_fit():
    out = CliRunner().invoke(cli, ["fit", str(DATA), "-c", "kcycles", "--event", "failed", "-d", "weibull3",
                                   "--json"])
    assert out.exit_code == 0, out.output
    import json
    d = json.loads(out.stdout)
    assert [round(p["estimate"], 4) for p in d["parameters"]] == [1.3202, 93.2642, 92.9928]
    assert d["censoring"]["exact"] == 67 and d["censoring"]["right"] == 5


@pytest.mark.parametrize("name,dist", [("gamma3", st.gamma), ("lognormal3", st.lognorm)])
def test_the_other_threshold_families_on_the_same_censored_rows_reach_at_least_an_independent_optimum(name, dist):
    """No published gamma3 or lognormal3 fit of these data: their log-likelihood is checked
    against scipy's optimum of the same censored log-likelihood (Nelder-Mead from mlefit's
    own estimate moved by 5%) and their score against numerical derivatives."""
    import scipy.optimize
    kcycles, failed = alloy()
    r = mlefit.fit(censoring.from_event(kcycles, failed), name)
    a, b, c = (p.estimate for p in r.parameters)
    assert c < kcycles.min()

    def nll(u):
        first, second, thr = u
        if second <= 0 or thr >= kcycles.min() or (name == "gamma3" and first <= 0):
            return math.inf
        d = dist(first, loc=thr, scale=second) if name == "gamma3" else dist(second, loc=thr, scale=math.exp(first))
        return -float(np.sum(d.logpdf(kcycles[failed == 1])) + np.sum(d.logsf(kcycles[failed == 0])))
    assert r.loglik == pytest.approx(-nll((a, b, c)), rel=1e-12)
    out = scipy.optimize.minimize(nll, [a * 1.05, b * 0.95, c - 0.05 * abs(c)], method="Nelder-Mead",
                                  options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert r.loglik >= -out.fun - 1e-7
