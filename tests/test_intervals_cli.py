"""`mlefit fit --interval / --resample / --robust / --derive / --plot` end to end from the
command line, on the sample data and on seeded samples written to files.

Every interval checked here has an independent reference computed in this file with
scipy (root finding on a log-likelihood written here, exact distributions of the
bootstrap estimate where one exists), never with mlefit's own profile or bootstrap code:
- exponential: the profile interval solves 2n(r - 1 - log r) = chi2_1(c), r = rate/rate_hat;
  the Wald interval on the log scale is rate_hat exp(-+z/sqrt n); the sandwich SE is
  rate_hat^2 sqrt(sum (x - mean)^2) / n; the parametric-bootstrap MLE is rate_hat n / G,
  G ~ Gamma(n, 1), so its percentile interval has closed-form limits;
- normal: mu's profile interval is mean -+ sigma_hat sqrt(exp(q/n) - 1);
- gamma with the shape fixed at k: the rate's profile solves 2nk(t - 1 - log t) = q, and
  the parametric-bootstrap rate is n k rate_hat / G, G ~ Gamma(n k, 1);
- gamma mean (--derive mean): the profile over the shape written here with scipy;
- negative_binomial: mu's MLE given the size is the mean, so the size's profile is a
  one-dimensional scipy.stats.nbinom log-likelihood;
- binomial and categorical proportions: the binomial likelihood-ratio interval.
"""
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import scipy.stats
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.io.column import read_column

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
MICHELSON = str(SAMPLE / "michelson.csv")
Q95 = scipy.stats.chi2.ppf(0.95, 1)
Z95 = scipy.stats.norm.ppf(0.975)


def invoke(args, env=None):
    """The CLI at 80 columns; NO_COLOR so the table is plain text."""
    return CliRunner().invoke(cli, [str(a) for a in args],
                              env={"COLUMNS": "80", "NO_COLOR": "1", **(env or {})})


def run_json(args, env=None):
    result = invoke(list(args) + ["--json"], env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def run_table(args, env=None):
    result = invoke(args, env)
    assert result.exit_code == 0, result.output
    return result.stdout


def param(d, name):
    return next(p for p in d["parameters"] + d.get("derived", []) if p["name"] == name)


def write(path, values):
    path.write_text("x\n" + "\n".join(repr(float(v)) if not float(v).is_integer() else str(int(v))
                                      for v in values) + "\n")
    return str(path)


def values(path):
    return np.loadtxt(path, skiprows=1, ndmin=1)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Seeded samples written to CSV files."""
    d = tmp_path_factory.mktemp("intervals")
    out = {
        "exp6": write(d / "exp6.csv", np.random.default_rng(1).exponential(2.0, 6)),
        "gamma8": write(d / "gamma8.csv", np.random.default_rng(2).gamma(2.0, 3.0, 8)),
        "normal": write(d / "normal.csv", np.random.default_rng(3).normal(5.0, 2.0, 2000)),
        "pareto": write(d / "pareto.csv", (np.random.default_rng(3).pareto(3.0, 50) + 1.0) * 2.0),
        # poisson counts a little overdispersed: negative_binomial's size near its limit
        "nb": write(d / "nb.csv", np.random.default_rng(0).poisson(2.0, 40)),
        # poisson counts without excess zeros: zero_inflated_poisson's pi at 0
        "zip0": write(d / "zip0.csv", np.random.default_rng(3).poisson(2.0, 40)),
        "zip": write(d / "zip.csv", [0] * 20 + [1, 1, 2]),
    }
    tdata = None
    for seed in range(30):  # a normal sample whose student_t df runs to the normal limit
        x = np.random.default_rng(seed).normal(0.0, 1.0, 40)
        if mlefit.fit(x, "student_t").parameters[2].estimate > 1e10:
            tdata = x
            break
    out["t_inf"] = write(d / "t_inf.csv", tdata)
    return out


# ------------------------------------------------------------- independent references
def exponential_profile(x, level=0.95):
    n, rate = x.size, 1.0 / x.mean()
    q = scipy.stats.chi2.ppf(level, 1)
    f = (lambda r: 2 * n * (r - 1 - math.log(r)) - q)
    return rate * scipy.optimize.brentq(f, 1e-9, 1.0), rate * scipy.optimize.brentq(f, 1.0, 1e3)


def normal_mu_profile(x, level=0.95):
    q = scipy.stats.chi2.ppf(level, 1)
    half = x.std() * math.sqrt(math.exp(q / x.size) - 1.0)
    return x.mean() - half, x.mean() + half


def gamma_mean_profile(x, level=0.95):
    """The profile interval of shape/rate: for each mean m the shape maximising the
    log-likelihood in (shape, mean) coordinates, written here from the gamma density."""
    n, s, slog = x.size, x.sum(), np.log(x).sum()
    q = scipy.stats.chi2.ppf(level, 1)

    def ll(k, m):
        return n * (k * math.log(k / m) - scipy.special.gammaln(k)) + (k - 1) * slog - k * s / m

    def prof(m):
        r = scipy.optimize.minimize_scalar(lambda u: -ll(math.exp(u), m), bounds=(-10, 15),
                                           method="bounded", options={"xatol": 1e-12})
        return -r.fun
    top = prof(x.mean())  # the MLE of the gamma mean is the sample mean
    f = (lambda m: 2 * (top - prof(m)) - q)
    m = x.mean()
    return scipy.optimize.brentq(f, m * 0.5, m), scipy.optimize.brentq(f, m, m * 1.5)


def binomial_lr(k, n, level=0.95):
    q = scipy.stats.chi2.ppf(level, 1)
    p_hat = k / n

    def f(p):
        return 2 * (k * math.log(p_hat / p) + (n - k) * math.log((1 - p_hat) / (1 - p))) - q
    return scipy.optimize.brentq(f, 1e-12, p_hat), scipy.optimize.brentq(f, p_hat, 1 - 1e-12)


def disagrees(p):
    """Wald and profile ends apart by more than 10% of the profile's width."""
    w, pr = p["intervals"]["wald"], p["intervals"]["profile"]
    width = pr["upper"] - pr["lower"]
    return max(abs(w["lower"] - pr["lower"]), abs(w["upper"] - pr["upper"])) > 0.1 * width


# ------------------------------------------------------------- JSON = the library's
def test_json_equals_the_library_to_dict_for_every_kind_with_a_seed():
    args = ["fit", MICHELSON, "-c", "speed", "--dist", "gamma", "--interval", "all", "--robust",
            "--derive", "mean", "--bootstrap", "199", "--seed", "7"]
    d = run_json(args)
    col = read_column([MICHELSON], column="speed")
    lib = mlefit.fit(col, "gamma", interval="all", robust=True, derive=["mean"], bootstrap=199,
                     seed=7).to_dict()
    assert d == lib
    assert d["intervals"] == "all" and d["tic"] is not None
    assert d["resampling"] == {"samples": 199, "kind": "parametric", "seed": 7, "failed": 0,
                               "at_limit": 0, "method": "parametric bootstrap, percentile intervals"}
    # the numbers themselves: the derived mean's profile interval against scipy
    mean = param(d, "mean")
    assert mean["estimate"] == pytest.approx(852.4, rel=1e-12)
    ref = gamma_mean_profile(values_of_michelson())
    assert (mean["ci_lower"], mean["ci_upper"]) == pytest.approx(ref, rel=1e-6)
    assert mean["interval"] == "profile likelihood"
    assert set(mean["intervals"]) == {"wald", "robust", "profile", "bootstrap"}


def values_of_michelson():
    import csv
    with open(MICHELSON, newline="") as fh:
        return np.array([float(r["speed"]) for r in csv.DictReader(fh)])


# ------------------------------------------------------------- the headline interval
@pytest.mark.parametrize("options, headline, kinds", [
    ([], "wald", None),
    (["--interval", "wald"], "wald", None),
    (["--interval", "profile"], "profile", {"wald", "profile"}),
    (["--interval", "bootstrap", "--bootstrap", "99"], "bootstrap", {"wald", "bootstrap"}),
    (["--interval", "all", "--bootstrap", "99"], "profile", {"wald", "profile", "bootstrap"}),
    (["--robust"], "robust", {"wald", "robust"}),
    (["--robust", "--interval", "bootstrap", "--bootstrap", "99"], "bootstrap",
     {"wald", "robust", "bootstrap"}),
    (["--robust", "--interval", "all", "--bootstrap", "99"], "profile",
     {"wald", "robust", "profile", "bootstrap"}),
])
def test_headline_interval_and_the_kinds_kept(options, headline, kinds):
    base = ["fit", MICHELSON, "-c", "speed", "--dist", "gamma"]
    plain = run_json(base)
    d = run_json(base + options)
    assert d["intervals"] == next((options[i + 1] for i, o in enumerate(options) if o == "--interval"),
                                  "wald")
    for p, before in zip(d["parameters"], plain["parameters"]):
        assert p["estimate"] == before["estimate"] and p["se"] == before["se"]
        if kinds is None:
            assert p == before  # nothing asked: the plain fit, field for field
            continue
        assert set(p["intervals"]) == kinds
        # the Wald interval is the plain fit's, unchanged
        assert p["intervals"]["wald"] == {"lower": before["ci_lower"], "upper": before["ci_upper"],
                                          "method": before["interval"], "note": None}
        head = p["intervals"][headline]
        assert (p["ci_lower"], p["ci_upper"], p["interval"]) == (head["lower"], head["upper"], head["method"])
        assert p["wald_profile_disagree"] == (disagrees(p) if "profile" in kinds else None)
        assert (p["se_robust"] is not None) == ("robust" in kinds)
    if headline == "robust":
        assert all(p["interval"].endswith("sandwich SE") for p in d["parameters"])
    assert (d["resampling"] is not None) == ("bootstrap" in (kinds or ()))


def test_exponential_intervals_against_formulas(files):
    x = values(files["exp6"])
    n, rate = x.size, 1.0 / x.mean()
    d = run_json(["fit", files["exp6"], "--dist", "exponential", "--interval", "profile", "--robust"])
    p = param(d, "rate")
    assert p["estimate"] == pytest.approx(rate, rel=1e-12)
    wald = p["intervals"]["wald"]
    assert (wald["lower"], wald["upper"]) == pytest.approx(
        (rate * math.exp(-Z95 / math.sqrt(n)), rate * math.exp(Z95 / math.sqrt(n))), rel=1e-9)
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx(exponential_profile(x), rel=1e-8)
    assert p["se_robust"] == pytest.approx(rate ** 2 * math.sqrt(np.sum((x - x.mean()) ** 2)) / n, rel=1e-6)
    robust = p["intervals"]["robust"]
    z_log = Z95 * p["se_robust"] / rate
    assert (robust["lower"], robust["upper"]) == pytest.approx(
        (rate * math.exp(-z_log), rate * math.exp(z_log)), rel=1e-9)
    # at 99%: the same formulas with the 99% quantiles
    d99 = run_json(["fit", files["exp6"], "--dist", "exponential", "--interval", "profile",
                    "--confidence", "0.99"])
    p99 = param(d99, "rate")
    assert d99["confidence"] == 0.99
    assert (p99["ci_lower"], p99["ci_upper"]) == pytest.approx(exponential_profile(x, 0.99), rel=1e-8)
    assert "99% interval" in run_table(["fit", files["exp6"], "--dist", "exponential", "--interval",
                                        "profile", "--confidence", "0.99"])


def test_parametric_bootstrap_of_the_exponential_against_its_exact_distribution(files):
    """rate* = rate_hat n / G, G ~ Gamma(n, 1): the percentile interval converges to
    rate_hat n / G's 97.5% and 2.5% quantiles. With 4999 resamples the sampling error of
    those quantiles is under 2% (tolerance 5%)."""
    x = values(files["exp6"])
    n, rate = x.size, 1.0 / x.mean()
    d = run_json(["fit", files["exp6"], "--dist", "exponential", "--interval", "bootstrap",
                  "--bootstrap", "4999", "--seed", "11"])
    p = param(d, "rate")
    exact = (rate * n / scipy.stats.gamma.ppf(0.975, n), rate * n / scipy.stats.gamma.ppf(0.025, n))
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx(exact, rel=0.05)
    assert p["interval"] == "parametric bootstrap percentile"


def test_normal_intervals_on_a_large_sample(files):
    x = values(files["normal"])
    d = run_json(["fit", files["normal"], "--dist", "normal", "--interval", "all", "--resample",
                  "nonparametric", "--bootstrap", "999", "--seed", "5"])
    mu, sigma = param(d, "mu"), param(d, "sigma")
    assert (mu["ci_lower"], mu["ci_upper"]) == pytest.approx(normal_mu_profile(x), rel=1e-9)
    # sigma's profile: n [s^2/sigma^2 - 1 - log(s^2/sigma^2)] = q, mu profiled out
    s, n = x.std(), x.size
    f = (lambda sig: n * ((s / sig) ** 2 - 1 - 2 * math.log(s / sig)) - Q95)
    ref = (scipy.optimize.brentq(f, 0.5 * s, s), scipy.optimize.brentq(f, s, 2 * s))
    assert (sigma["ci_lower"], sigma["ci_upper"]) == pytest.approx(ref, rel=1e-8)
    # the nonparametric bootstrap of the mean: mean -+ z s/sqrt(n) to within a tenth of an SE
    boot = mu["intervals"]["bootstrap"]
    se = s / math.sqrt(n)
    assert abs(boot["lower"] - (x.mean() - Z95 * se)) < 0.1 * se
    assert abs(boot["upper"] - (x.mean() + Z95 * se)) < 0.1 * se
    assert boot["method"] == "nonparametric bootstrap percentile"
    assert d["resampling"]["kind"] == "nonparametric" and d["resampling"]["samples"] == 999


# ------------------------------------------------------------- Wald and profile disagree
@pytest.mark.parametrize("key, family", [("exp6", "exponential"), ("gamma8", "gamma")])
def test_disagree_flag_on_a_skewed_likelihood(files, key, family):
    d = run_json(["fit", files[key], "--dist", family, "--interval", "profile"])
    flags = [p["wald_profile_disagree"] for p in d["parameters"]]
    assert any(flags)
    assert flags == [disagrees(p) for p in d["parameters"]]
    table = run_table(["fit", files[key], "--dist", family, "--interval", "profile"])
    assert re.search(r"^\s+profile !\s", table, re.MULTILINE)
    assert "! the Wald and profile intervals differ by more than 10% of" in table


def test_no_disagreement_on_a_large_normal_sample(files):
    d = run_json(["fit", files["normal"], "--dist", "normal", "--interval", "profile"])
    assert [p["wald_profile_disagree"] for p in d["parameters"]] == [False, False]
    table = run_table(["fit", files["normal"], "--dist", "normal", "--interval", "profile"])
    assert "profile !" not in table and "differ by more than 10%" not in table
    # without a profile interval there is nothing to compare
    d = run_json(["fit", files["normal"], "--dist", "normal", "--robust"])
    assert [p["wald_profile_disagree"] for p in d["parameters"]] == [None, None]


# ------------------------------------------------------------- seeds and resampling
def test_same_seed_same_bootstrap_other_seed_different(files):
    base = ["fit", files["gamma8"], "--dist", "gamma", "--interval", "bootstrap", "--bootstrap", "199"]
    a = run_json(base + ["--seed", "3"])
    b = run_json(base + ["--seed", "3"])
    c = run_json(base + ["--seed", "4"])
    assert a == b
    ends = (lambda d: [(p["ci_lower"], p["ci_upper"]) for p in d["parameters"]])
    assert ends(a) != ends(c)
    assert a["resampling"]["seed"] == 3 and c["resampling"]["seed"] == 4
    default = run_json(base)
    assert default["resampling"]["seed"] == 0


def test_nonparametric_resampling_and_its_record(files):
    d = run_json(["fit", files["gamma8"], "--dist", "gamma", "--interval", "all", "--resample",
                  "nonparametric", "--bootstrap", "199", "--seed", "1"])
    assert d["resampling"] == {"samples": 199, "kind": "nonparametric", "seed": 1,
                               "failed": d["resampling"]["failed"], "at_limit": 0,
                               "method": "nonparametric bootstrap, percentile intervals"}
    for p in d["parameters"]:
        assert p["intervals"]["bootstrap"]["method"] == "nonparametric bootstrap percentile"
        b = p["intervals"]["bootstrap"]
        assert 0 < b["lower"] <= b["upper"]
    table = run_table(["fit", files["gamma8"], "--dist", "gamma", "--interval", "bootstrap",
                       "--resample", "nonparametric", "--bootstrap", "99"])
    assert "99 nonparametric samples, seed 0, percentile intervals" in table


def test_weighted_table_gives_the_same_intervals_as_the_raw_rows():
    """Horse kicks: 200 corps-years as rows, and as a 5-row table of frequency weights."""
    for extra in (["--resample", "parametric"], ["--resample", "nonparametric"]):
        common = ["--dist", "poisson", "--interval", "all", "--bootstrap", "199", "--seed", "2"] + extra
        rows = run_json(["fit", SAMPLE / "horsekicks.csv", "-c", "deaths"] + common)
        table = run_json(["fit", SAMPLE / "horsekicks_table.csv", "-c", "deaths", "-w", "corps_years"]
                         + common)
        assert table["parameters"] == rows["parameters"]
    # and the profile interval is the poisson likelihood-ratio interval: 122 deaths in 200
    p = param(rows, "rate")
    f = (lambda r: 2 * (122 * math.log(0.61 / r) - 200 * (0.61 - r)) - Q95)
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx(
        (scipy.optimize.brentq(f, 0.3, 0.61), scipy.optimize.brentq(f, 0.61, 1.0)), rel=1e-8)


def test_binomial_with_trials_and_weights_profile_is_the_likelihood_ratio_interval():
    d = run_json(["fit", SAMPLE / "saxony.csv", "-c", "boys", "-w", "families", "--trials", "12",
                  "--dist", "binomial", "--interval", "all", "--bootstrap", "99", "--derive", "mean"])
    data = np.loadtxt(SAMPLE / "saxony.csv", delimiter=",", skiprows=1)
    k, n = float(data[:, 0] @ data[:, 1]), 12.0 * data[:, 1].sum()
    p = param(d, "p")
    lo, hi = binomial_lr(k, n)
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx((lo, hi), rel=1e-8)
    mean = param(d, "mean")  # 12 p, monotone: its profile interval is 12 times p's
    assert (mean["ci_lower"], mean["ci_upper"]) == pytest.approx((12 * lo, 12 * hi), rel=1e-7)


# ------------------------------------------------------------- --bootstrap and --gof
def test_bootstrap_alone_still_means_goodness_of_fit(files):
    d = run_json(["fit", files["gamma8"], "--dist", "gamma", "--bootstrap", "19"])
    assert d["gof"]["bootstrap"] == 19 and d["gof"]["tests"]
    assert d["intervals"] == "wald" and d["resampling"] is None
    assert all(p["intervals"] is None for p in d["parameters"])


def test_interval_bootstrap_with_gof_runs_both(files):
    d = run_json(["fit", files["gamma8"], "--dist", "gamma", "--interval", "bootstrap", "--bootstrap",
                  "29", "--gof", "--seed", "2"])
    assert d["gof"]["bootstrap"] == 29 and d["gof"]["seed"] == 2 and d["gof"]["tests"]
    assert d["resampling"]["samples"] == 29 and d["resampling"]["seed"] == 2
    # --interval bootstrap without --gof: the N is for the intervals only
    d = run_json(["fit", files["gamma8"], "--dist", "gamma", "--interval", "bootstrap", "--bootstrap", "29"])
    assert "gof" not in d and d["resampling"]["samples"] == 29


# ------------------------------------------------------------- errors
@pytest.mark.parametrize("extra, message", [
    (["--interval", "bootstrap", "--bootstrap", "0"], "--interval bootstrap needs --bootstrap N of 1 or more"),
    (["--interval", "all", "--bootstrap", "0"], "--interval bootstrap needs --bootstrap N of 1 or more"),
    (["--plot", "x.txt"], "cannot tell the format of the plot file 'x.txt' from its suffix"),
    (["--derive", "__import__('os')"], "unknown name '__import__'"),
    (["--derive", "shape.real"], "attribute access ('.real')"),
    (["--derive", "quantile:2"], "the probability of quantile:P must be strictly between 0 and 1"),
    (["--derive", "mean,quantile:0"], "the probability of quantile:P must be strictly between 0 and 1"),
    (["--interval", "sideways"], "Invalid value for '--interval'"),
    (["--resample", "jackknife"], "Invalid value for '--resample'"),
])
def test_usage_errors_are_one_line_exit_2(files, extra, message):
    result = invoke(["fit", files["gamma8"], "--dist", "gamma"] + extra)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("mlefit: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["fit", MICHELSON, "-c", "speed", "--dist", "normal", "--by", "experiment", "--plot", "a.png"],
     "--plot draws one fit: not with --by"),
    (["fit", MICHELSON, "-c", "speed", "--dist", "auto", "--interval", "profile"],
     "--dist auto compares families on the whole column"),
    (["fit", MICHELSON, "-c", "speed", "--dist", "auto", "--robust"],
     "--dist auto compares families on the whole column"),
    (["fit", SAMPLE / "infert.csv", "-c", "education", "--dist", "categorical", "--derive", "mean"],
     "the categorical family has labels, not numbers: mean is not defined"),
    (["fit", SAMPLE / "infert.csv", "-c", "education", "--dist", "categorical", "--interval", "bootstrap"],
     "use the nonparametric bootstrap"),
    (["fit", MICHELSON, "-c", "speed", "--loss", "huber:50", "--interval", "bootstrap", "--bootstrap", "9"],
     "use the nonparametric bootstrap"),
])
def test_refusals_exit_2_one_line(args, message):
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("mlefit: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_errors_with_json_still_give_a_json_object(files):
    result = invoke(["fit", files["gamma8"], "--dist", "gamma", "--derive", "shape.real", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["type"] == "usage_error"


# ------------------------------------------------------------- --plot and likelihood
def test_plot_png_has_three_panels_and_stdout_stays_the_result(tmp_path, monkeypatch):
    import matplotlib.image

    from mlefit.report import plots
    seen = []
    real = plots.plot_fit

    def spy(*a, **k):
        seen.append(real(*a, **k))
        return seen[-1]
    monkeypatch.setattr(plots, "plot_fit", spy)
    out = tmp_path / "out.png"
    result = invoke(["fit", MICHELSON, "-c", "speed", "--dist", "gamma", "--interval", "profile",
                     "--plot", out, "--json"])
    assert result.exit_code == 0, result.output
    assert seen and seen[0]["axes"] == 3 and seen[0]["format"] == "png"
    image = matplotlib.image.imread(out)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 300
    assert result.stderr == f"mlefit: wrote {out}: the data with the fitted gamma, Q-Q and P-P plots\n"
    d = json.loads(result.stdout)
    lib = mlefit.fit(read_column([MICHELSON], column="speed"), "gamma", interval="profile").to_dict()
    assert d == lib


def test_plot_svg_holds_the_three_tagged_panels(tmp_path):
    out = tmp_path / "fit.svg"
    result = invoke(["fit", MICHELSON, "-c", "speed", "--dist", "normal", "--plot", out])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert [t for t in ("mlefit-data", "mlefit-qq", "mlefit-pp") if f'id="{t}"' in svg] == \
        ["mlefit-data", "mlefit-qq", "mlefit-pp"]
    assert "gamma fit" not in result.stdout and "normal fit to column 'speed'" in result.stdout


def test_likelihood_command_writes_a_png(tmp_path):
    import matplotlib.image
    out = tmp_path / "lik.png"
    result = invoke(["likelihood", MICHELSON, "-c", "speed", "--dist", "gamma", "--plot", out])
    assert result.exit_code == 0, result.output
    # on stderr, as fit --plot's (issue 19, point 10): stdout is for results
    assert result.stdout == "" and result.stderr.startswith(f"mlefit: wrote {out}: ") and "shape and rate" in result.stderr
    assert matplotlib.image.imread(out).ndim == 3


# ------------------------------------------------------------- --by, --fix
def test_by_with_profile_intervals_per_group():
    d = run_json(["fit", MICHELSON, "-c", "speed", "--by", "experiment", "--dist", "normal",
                  "--interval", "profile"])
    data = np.loadtxt(MICHELSON, delimiter=",", skiprows=1)
    assert [g["group"] for g in d["groups"]] == ["1", "2", "3", "4", "5"]
    for g in d["groups"]:
        x = data[data[:, 0] == int(g["group"]), 2]
        mu = param(g, "mu")
        assert set(mu["intervals"]) == {"wald", "profile"} and mu["interval"] == "profile likelihood"
        assert (mu["ci_lower"], mu["ci_upper"]) == pytest.approx(normal_mu_profile(x), rel=1e-9)
        assert g["intervals"] == "profile"


def test_fix_with_all_intervals_respects_the_fixed_value():
    d = run_json(["fit", MICHELSON, "-c", "speed", "--dist", "gamma", "--fix", "shape=100",
                  "--interval", "all", "--bootstrap", "999", "--seed", "4"])
    shape, rate = param(d, "shape"), param(d, "rate")
    assert shape["interval"] == "fixed" and shape["intervals"] is None and shape["estimate"] == 100
    assert shape["wald_profile_disagree"] is None
    x = values_of_michelson()
    n, k = x.size, 100.0
    r_hat = k / x.mean()
    assert rate["estimate"] == pytest.approx(r_hat, rel=1e-8)  # Brent, to ~1e-9
    assert set(rate["intervals"]) == {"wald", "profile", "bootstrap"}
    # the profile given shape = 100 is one-dimensional: 2nk(t - 1 - log t) = q, t = rate/r_hat
    f = (lambda t: 2 * n * k * (t - 1 - math.log(t)) - Q95)
    ref = (r_hat * scipy.optimize.brentq(f, 0.5, 1.0), r_hat * scipy.optimize.brentq(f, 1.0, 2.0))
    assert (rate["ci_lower"], rate["ci_upper"]) == pytest.approx(ref, rel=1e-8)
    # the parametric bootstrap refits with the shape held: rate* = n k r_hat / G, G ~ Gamma(nk);
    # a refit that freed the shape would give an interval about seven times wider
    boot = rate["intervals"]["bootstrap"]
    exact = (n * k * r_hat / scipy.stats.gamma.ppf(0.975, n * k),
             n * k * r_hat / scipy.stats.gamma.ppf(0.025, n * k))
    assert (boot["lower"], boot["upper"]) == pytest.approx(exact, rel=2e-3)
    table = run_table(["fit", MICHELSON, "-c", "speed", "--dist", "gamma", "--fix", "shape=100",
                       "--interval", "profile"])
    assert re.search(r"^ shape\s+100\s+-\s+fixed\s+-\s*$", table, re.MULTILINE), table


def test_fixing_gamma_shape_at_one_gives_the_exponential_intervals(files):
    x = values(files["exp6"])
    d = run_json(["fit", files["exp6"], "--dist", "gamma", "--fix", "shape=1", "--interval", "profile",
                  "--derive", "mean"])
    rate, mean = param(d, "rate"), param(d, "mean")
    lo, hi = exponential_profile(x)
    assert (rate["ci_lower"], rate["ci_upper"]) == pytest.approx((lo, hi), rel=1e-8)
    assert (mean["ci_lower"], mean["ci_upper"]) == pytest.approx((1 / hi, 1 / lo), rel=1e-7)


# ------------------------------------------------------------- exact and open intervals
def test_pareto_keeps_its_exact_intervals(files):
    plain = run_json(["fit", files["pareto"], "--dist", "pareto"])
    d = run_json(["fit", files["pareto"], "--dist", "pareto", "--interval", "all", "--bootstrap", "49"])
    for p, before in zip(d["parameters"], plain["parameters"]):
        assert p == before and p["interval"] == "exact" and p["intervals"] is None
    assert any("on an edge" in n and "use the interval the fit gives" in n for n in d["notes"])
    # alpha's exact interval: 2 n alpha / alpha_hat ~ chi-square(2(n - 1))
    x = values(files["pareto"])
    n = x.size
    a_hat = n / np.log(x / x.min()).sum()
    alpha = param(d, "alpha")
    assert (alpha["ci_lower"], alpha["ci_upper"]) == pytest.approx(
        (a_hat * scipy.stats.chi2.ppf(0.025, 2 * (n - 1)) / (2 * n),
         a_hat * scipy.stats.chi2.ppf(0.975, 2 * (n - 1)) / (2 * n)), rel=1e-9)


def test_negative_binomial_near_the_poisson_limit_is_open_above(files):
    x = values(files["nb"])
    assert x.var() > x.mean()  # overdispersed, a little: a finite MLE of the size
    args = ["fit", files["nb"], "--dist", "negative_binomial", "--interval", "all", "--bootstrap", "199"]
    d = run_json(args)
    size = param(d, "size")
    assert size["ci_upper"] is None and size["intervals"]["profile"]["upper"] is None
    assert size["intervals"]["bootstrap"]["upper"] is None and d["resampling"]["at_limit"] > 0
    assert "open above" in size["intervals"]["profile"]["note"]
    # the profile of the size (mu's MLE given the size is the mean) written with scipy
    m = x.mean()

    def ll(size):
        return scipy.stats.nbinom.logpmf(x, size, size / (size + m)).sum()
    top = ll(size["estimate"])
    assert 2 * (top - scipy.stats.poisson.logpmf(x, m).sum()) < Q95  # the limit is inside: open
    lo = scipy.optimize.brentq(lambda s: 2 * (top - ll(s)) - Q95, 0.1, size["estimate"])
    assert size["ci_lower"] == pytest.approx(lo, rel=1e-6)
    table = run_table(args)
    assert re.search(r"^\s+profile !\s+[\d.]+ - inf\s*$", table, re.MULTILINE), table
    assert re.search(r"^\s+bootstrap\s+[\d.]+ - inf\s*$", table, re.MULTILINE), table


def test_zero_inflated_poisson_at_and_near_its_limit(files):
    d = run_json(["fit", files["zip0"], "--dist", "zero_inflated_poisson", "--interval", "all",
                  "--bootstrap", "99"])
    pi = param(d, "pi")
    assert pi["estimate"] == 0 and pi["intervals"] is None and pi["ci_lower"] == 0
    assert 0 < pi["ci_upper"] < 1
    rate = param(d, "rate")
    x = values(files["zip0"])
    # the rate's profile maximises over pi >= 0 too, so it holds the poisson
    # likelihood-ratio interval (pi = 0 throughout), which is computed here
    f = (lambda r: 2 * (scipy.stats.poisson.logpmf(x, x.mean()).sum()
                        - scipy.stats.poisson.logpmf(x, r).sum()) - Q95)
    inner = (scipy.optimize.brentq(f, 0.5, x.mean()), scipy.optimize.brentq(f, x.mean(), 10))
    assert rate["ci_lower"] <= inner[0] * (1 + 1e-9) and rate["ci_upper"] >= inner[1] * (1 - 1e-9)
    # mostly zeros: both parameters profiled and bootstrapped, no crash, inside their domains
    d = run_json(["fit", files["zip"], "--dist", "zero_inflated_poisson", "--interval", "all",
                  "--bootstrap", "99"])
    for p in d["parameters"]:
        for i in p["intervals"].values():
            assert i["lower"] is not None and i["lower"] >= 0
            assert p["name"] != "pi" or i["upper"] <= 1
    assert run_table(["fit", files["zip"], "--dist", "zero_inflated_poisson", "--interval", "all",
                      "--bootstrap", "99"])


def test_student_t_df_at_infinity(files):
    d = run_json(["fit", files["t_inf"], "--dist", "student_t", "--interval", "all", "--bootstrap", "49"])
    df = param(d, "df")
    assert df["ci_upper"] is None and df["ci_lower"] > 0 and df["intervals"] is None
    assert d["resampling"]["at_limit"] > 0
    for name in ("mu", "sigma"):
        assert set(param(d, name)["intervals"]) == {"wald", "profile", "bootstrap"}


# ------------------------------------------------------------- odd inputs
def test_loss_with_profile_intervals_is_the_family_fit():
    a = run_json(["fit", MICHELSON, "-c", "speed", "--loss", "mse", "--interval", "profile"])
    b = run_json(["fit", MICHELSON, "-c", "speed", "--dist", "normal", "--interval", "profile"])
    assert a["parameters"] == b["parameters"] and a["loss"] == "mse"
    x = values_of_michelson()
    assert (param(a, "mu")["ci_lower"], param(a, "mu")["ci_upper"]) == pytest.approx(
        normal_mu_profile(x), rel=1e-9)


def test_categorical_profile_is_the_binomial_likelihood_ratio_interval():
    d = run_json(["fit", SAMPLE / "infert.csv", "-c", "education", "--dist", "categorical",
                  "--interval", "profile"])
    counts = {"0-5yrs": 12, "6-11yrs": 120, "12+ yrs": 116}
    n = sum(counts.values())
    for label, k in counts.items():
        p = param(d, f"p[{label}]")
        assert p["estimate"] == pytest.approx(k / n, rel=1e-12)
        assert (p["ci_lower"], p["ci_upper"]) == pytest.approx(binomial_lr(k, n), rel=1e-7)


def test_mixture_falls_back_to_bootstrap_with_a_note():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 1, 60), rng.normal(5, 1, 40)])
    text = "x\n" + "\n".join(repr(float(v)) for v in x) + "\n"  # read from stdin
    result = CliRunner().invoke(cli, ["fit", "-", "--dist", "normal_mixture:2", "--interval", "all",
                                      "--bootstrap", "20", "--json"], input=text)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert any("no profile-likelihood intervals" in n for n in d["notes"])
    for p in d["parameters"]:
        assert set(p["intervals"]) == {"wald", "bootstrap"}
        assert p["interval"] == "parametric bootstrap percentile"
        assert p["wald_profile_disagree"] is None


def test_no_color_means_no_escape_codes(files):
    args = ["fit", files["exp6"], "--dist", "exponential", "--interval", "all", "--bootstrap", "49"]
    coloured = CliRunner().invoke(cli, args, env={"FORCE_COLOR": "1", "COLUMNS": "80"})
    plain = CliRunner().invoke(cli, args, env={"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": "80"})
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout
    assert plain.exit_code == 0 and "profile !" in plain.stdout


@pytest.mark.parametrize("family", ["normal", "gamma", "exponential", "weibull", "lognormal"])
def test_tiny_samples_do_not_crash(tmp_path, family):
    path = write(tmp_path / "tiny.csv", [1.5, 2.5, 4.0])
    d = run_json(["fit", path, "--dist", family, "--interval", "all", "--robust", "--derive", "mean",
                  "--bootstrap", "49"])
    for p in d["parameters"] + d["derived"]:
        assert p["ci_lower"] <= p["estimate"] <= p["ci_upper"]


# ------------------------------------------------------------- the table in 80 columns
KINDS = {"wald", "robust", "profile", "profile !", "bootstrap", "fixed", "exact"}


def table_rows(text):
    """(header, rows) of every table printed: the lines between a header holding 'kind'
    and the next blank line, cut at the header's column starts."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if re.search(r"\bkind\b", line) and i + 1 < len(lines) and "───" in lines[i + 1]:
            start = line.index("kind")
            rows = []
            for row in lines[i + 2:]:
                if not row.strip():
                    break
                rows.append(row)
            out.append((line, start, rows))
    return out


@pytest.mark.parametrize("case", [
    ["fit", MICHELSON, "-c", "speed", "--dist", "gamma", "--interval", "all", "--robust",
     "--derive", "mean,var,quantile:0.99", "--bootstrap", "49"],
    ["fit", MICHELSON, "-c", "speed", "--dist", "normal", "--interval", "all", "--robust", "--bootstrap", "49",
     "--confidence", "0.99"],
    ["fit", SAMPLE / "infert.csv", "-c", "education", "--dist", "categorical", "--interval", "all",
     "--resample", "nonparametric", "--robust", "--bootstrap", "49"],
    ["fit", MICHELSON, "-c", "speed", "--dist", "gamma", "--fix", "shape=100", "--interval", "all",
     "--bootstrap", "49", "--robust"],
])
@pytest.mark.slow
def test_table_keeps_to_80_columns_and_whole_kind_words(case):
    text = run_table(case)
    assert max(len(line) for line in text.splitlines()) <= 80
    tables = table_rows(text)
    assert tables
    for header, start, rows in tables:
        for row in rows:
            cell = row[start:].split("  ")[0].strip()
            assert cell in KINDS, (cell, row)


@pytest.mark.parametrize("key, args", [
    ("t_inf", ["--dist", "student_t", "--interval", "all", "--bootstrap", "29", "--robust"]),
    (None, ["--dist", "poisson", "--interval", "all", "--bootstrap", "29", "--derive", "quantile:0.9,sf:3"]),
])
def test_no_number_is_folded_when_a_row_has_one_interval(files, key, args):
    path = files[key] if key else str(SAMPLE / "horsekicks.csv")
    extra = [] if key else ["-c", "deaths"]
    text = run_table(["fit", path] + extra + args)
    assert max(len(line) for line in text.splitlines()) <= 80
    for header, start, rows in table_rows(text):
        assert header.split()[0] in ("parameter", "name"), header  # not folded
        for row in rows:  # an empty kind cell is a line folded out of the row above
            cell = row[start:].split("  ")[0].strip()
            assert cell in KINDS, (cell, row)


# ------------------------------------------------------------- bugs found by review, fixed
@pytest.mark.parametrize("args", [
    ["--dist", "pareto", "--interval", "profile", "--derive", "mean"],
    ["--dist", "exponential", "--fix", "rate=0.5", "--interval", "profile", "--derive", "mean"],
])
def test_derive_with_profile_when_nothing_is_profiled(files, args):
    path = files["pareto"] if "pareto" in args else files["exp6"]
    result = invoke(["fit", path] + args)
    assert result.exit_code == 0, result.output


def test_an_interval_open_below_is_shown_as_minus_inf(files):
    text = run_table(["fit", files["nb"], "--dist", "negative_binomial", "--interval", "profile",
                      "--derive", "0-size"])
    assert re.search(r"^\s+profile !\s+-inf - -[\d.]+\s*$", text, re.MULTILINE), text


def test_an_open_end_is_noted_once(files):
    text = run_table(["fit", files["nb"], "--dist", "negative_binomial", "--interval", "profile"])
    assert text.count("open above") == 1, text


def test_notes_do_not_call_a_profile_interval_exact(files):
    d = run_json(["fit", files["t_inf"], "--dist", "student_t", "--interval", "all", "--bootstrap", "29",
                  "--robust"])
    assert param(d, "df")["interval"] == "profile likelihood"
    bad = [n for n in d["notes"] if "df" in n and "exact" in n]
    assert not bad, bad


def test_degenerate_sandwich_is_not_recommended(tmp_path):
    path = write(tmp_path / "two.csv", [1.5, 2.5])
    d = run_json(["fit", path, "--dist", "normal", "--robust"])
    sigma = param(d, "sigma")
    robust = (sigma["intervals"] or {}).get("robust")
    assert robust is None or robust["upper"] - robust["lower"] > 0.01 * sigma["estimate"]
    assert not any("prefer the robust error" in n for n in d["notes"])


def test_step_quantity_with_bootstrap_given():
    d = run_json(["fit", SAMPLE / "horsekicks.csv", "-c", "deaths", "--dist", "poisson", "--interval",
                  "all", "--bootstrap", "49", "--derive", "quantile:0.9"])
    q = param(d, "quantile:0.9")
    assert q["interval"] == "parametric bootstrap percentile"
    assert "use --interval bootstrap" not in (q["note"] or "")
    assert q["intervals"] is not None and "bootstrap" in q["intervals"]


def test_negative_seed_is_a_usage_error(files):
    result = invoke(["fit", files["gamma8"], "--dist", "gamma", "--bootstrap", "9", "--seed", "-3"])
    assert result.exit_code == 2 and "internal error" not in result.stderr, result.stderr
