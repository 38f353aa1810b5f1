"""Goodness of fit: the statistics against scipy, the bootstrap p-values calibrated under
the null, the chi-square cells and degrees of freedom, and the CLI."""
import json
import math

import numpy as np
import pytest
import scipy.stats
from click.testing import CliRunner

import mlefit
from mlefit import families
from mlefit.cli import cli
from mlefit.inference.gof import chi_square, edf_statistics, goodness_of_fit, pooled_cells

from cases import CASES, sample, write


def theta(r):
    return tuple(p.estimate for p in r.parameters)


@pytest.mark.parametrize("statistic", ["ks", "cvm", "ad"])
def test_edf_statistics_equal_scipy(statistic):
    x = np.random.default_rng(1).gamma(2.3, 1.5, 300)
    th = (2.1, 0.7)
    dist = families.get("gamma").scipy(th)
    ref = scipy.stats.goodness_of_fit(scipy.stats.gamma, x, statistic=statistic, n_mc_samples=9,
                                      known_params={"a": th[0], "scale": 1 / th[1], "loc": 0.0})
    u = np.sort(dist.cdf(x))
    assert float(edf_statistics(u)[statistic]) == pytest.approx(ref.statistic, rel=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["normal", "uniform", "pareto"])
def test_bootstrap_p_values_are_uniform_under_the_null(name):
    """200 seeded samples fitted by their own family (two of them non-regular: the bounds
    are sample extremes): the bootstrapped Anderson-Darling and KS p-values are uniform
    (a seeded KS test does not reject at 1%), while the textbook KS p-values, which
    ignore the estimation, are far too large."""
    fam = families.get(name)
    boot, textbook = {"ad": [], "ks": []}, []
    for seed in range(200):
        x = CASES[name][0](np.random.default_rng(seed), 25)
        r = mlefit.fit(x, name)
        tests, _ = goodness_of_fit(fam, x, theta(r), 2, bootstrap=49, seed=seed, sequential=False)
        for t in tests:
            if t.statistic in boot:
                boot[t.statistic].append(t.p_value)
        plain, _ = goodness_of_fit(fam, x, theta(r), 2, bootstrap=0)
        textbook.append(next(t.p_value for t in plain if t.statistic == "ks"))
    for statistic, ps in boot.items():
        # p-values of a bootstrap of 49 take the values k/50: spread them over their cell
        jitter = np.random.default_rng(0).uniform(-1 / 50, 0, len(ps))
        assert scipy.stats.kstest(np.array(ps) + jitter, "uniform").pvalue > 0.01, statistic
    if name == "normal":
        assert np.mean(textbook) > 0.75  # the uncorrected ones pile up near 1


def test_bootstrap_rejects_the_wrong_family():
    """All 99 samples (sequential=False): p = 1/(B+1); sequentially, the sampling stops
    after the 59 that none reaches: p = 1/60, below 0.05 with 95% confidence."""
    x = np.random.default_rng(3).lognormal(0.0, 1.0, 400)
    r = mlefit.fit(x, "gamma")
    full, _ = goodness_of_fit(families.get("gamma"), x, theta(r), 2, bootstrap=99, seed=1, sequential=False)
    assert {t.statistic: t.p_value for t in full}["ad"] == pytest.approx(0.01)  # 1/(B+1)
    early, _ = goodness_of_fit(families.get("gamma"), x, theta(r), 2, bootstrap=99, seed=1)
    ad = next(t for t in early if t.statistic == "ad")
    assert ad.p_value == pytest.approx(1 / 60) and ad.samples == 59 and "95% confidence" in ad.method
    assert ad.mc_error == pytest.approx(((1 / 61) * (60 / 61) / 59) ** 0.5)


@pytest.mark.parametrize("name, data, fitted_by", [
    ("clear rejection", lambda r: r.lognormal(0.0, 1.0, 300), "gamma"),
    ("clear fit", lambda r: r.gamma(2.0, 1.5, 300), "gamma"),
    ("clear rejection, location-scale", lambda r: r.exponential(1.0, 300), "normal"),
    ("clear fit, location-scale", lambda r: r.normal(5.0, 2.0, 300), "normal"),
])
def test_sequential_p_value_agrees_with_the_full_one_on_clear_cases(name, data, fitted_by):
    """Where the answer is clear, the sequential p-value (fewer samples) is on the same
    side of 0.05 as the one from all 199, and within 3 Monte Carlo errors of it (the
    errors of both added) when above."""
    x = data(np.random.default_rng(11))
    fam = families.get(fitted_by)
    r = mlefit.fit(x, fitted_by)
    full, _ = goodness_of_fit(fam, x, theta(r), 2, bootstrap=199, seed=4, sequential=False)
    early, _ = goodness_of_fit(fam, x, theta(r), 2, bootstrap=199, seed=4)
    for a, b in zip(full, early):
        assert a.statistic == b.statistic and a.value == b.value and b.samples < a.samples
        assert (a.p_value < 0.05) == (b.p_value < 0.05), (name, a.statistic, a.p_value, b.p_value)
        if a.p_value >= 0.05:
            assert abs(a.p_value - b.p_value) <= 3 * (a.mc_error + b.mc_error), (a.p_value, b.p_value)


def test_exceedances_stop_where_the_rule_says():
    from mlefit.inference.montecarlo import Exceedances
    below = Exceedances({"ad": 5.0}, 199)
    drawn = 0
    while not below.done(drawn):
        drawn += 1
        below.add({"ad": 1.0})
    assert drawn == 59 and below.stopped == "below" and below.p_value("ad")[0] == 1 / 60
    above = Exceedances({"ad": 5.0, "ks": 0.1}, 199)
    values = iter([{"ad": 6.0, "ks": 0.2}] * 9 + [{"ad": 1.0, "ks": 0.2}] * 5 + [{"ad": 7.0, "ks": 0.0}] * 50)
    drawn = 0
    while not above.done(drawn):
        drawn += 1
        above.add(next(values))
    # ad reaches its 10th exceedance at the 15th sample (ks had reached 10 at the 10th)
    assert drawn == 15 and above.p_value("ad")[0] == 10 / 15 and above.p_value("ks")[0] == 14 / 15
    full = Exceedances({"ad": 5.0}, 30, sequential=False)
    drawn = 0
    while not full.done(drawn):
        drawn += 1
        full.add({"ad": 6.0 if drawn % 2 else math.nan})  # nan: a statistic that could not be computed
    assert drawn == 30 and full.stopped is None and full.p_value("ad")[0] == 16 / 16


@pytest.mark.slow
@pytest.mark.parametrize("name, n, cap", [("normal", 30, None), ("gamma", 400, 100)])
def test_sequential_p_values_have_their_size_under_the_null(name, n, cap, monkeypatch):
    """400 seeded samples fitted by their own family: the sequential bootstrap rejects at
    0.05 (and at 1/60, where it stops early) about as often as it should (within 3
    binomial standard errors). With cap: bootstrap samples of 100 of the 400 values
    (RESAMPLE_SIZE), KS compared as sqrt(n) KS, so the reference distributions of
    smaller samples keep the size."""
    import mlefit.inference.gof as gof_module
    if cap:
        monkeypatch.setattr(gof_module, "RESAMPLE_SIZE", cap)
    fam, reps = families.get(name), 400
    ps = {"ad": [], "ks": []}
    for seed in range(reps):
        x = CASES[name][0](np.random.default_rng(1000 + seed), n)
        r = mlefit.fit(x, name)
        tests, _ = goodness_of_fit(fam, x, theta(r), 2, bootstrap=199, seed=seed)
        for t in tests:
            if t.statistic in ps:
                ps[t.statistic].append(t.p_value)
                assert t.sample_size == (cap or n)
    for statistic, p in ps.items():
        p = np.array(p)
        for level in (0.05, 1 / 60 + 1e-12):
            se = (level * (1 - level) / reps) ** 0.5
            assert abs(np.mean(p <= level) - level) < 3 * se, (statistic, level, np.mean(p <= level))


@pytest.mark.parametrize("name", ["exponential", "poisson"])
def test_same_seed_same_p_values_and_weights_as_repeated_rows(name):
    x, _ = sample(name, n=60, seed=4)
    k = np.random.default_rng(5).integers(1, 4, 60)
    fam = families.get(name)
    r = mlefit.fit(np.repeat(x, k), name)
    a, _ = goodness_of_fit(fam, np.repeat(x, k), theta(r), 1, bootstrap=49, seed=7)
    b, _ = goodness_of_fit(fam, x, theta(r), 1, weights=k, bootstrap=49, seed=7)
    c, _ = goodness_of_fit(fam, np.repeat(x, k), theta(r), 1, bootstrap=49, seed=8)
    assert a == b
    assert [t.p_value for t in a] != [t.p_value for t in c] or min(t.p_value for t in a) == 0.02
    with pytest.raises(mlefit.UsageError, match="whole-number frequency weights"):
        goodness_of_fit(fam, x, theta(r), 1, weights=np.full(60, 0.5))


def test_a_huge_table_of_counts_is_not_expanded(monkeypatch):
    """Seven distinct counts weighing four million, and counts spread over a range of
    millions: the tests' work follows the distinct values and at most MAX_CELLS cells,
    never the total weight or the width of the range (which once took minutes). How
    long they take is measured in benchmarks/gof_counts.py, not asserted here."""
    from mlefit.families.base import Family
    from mlefit.inference.gof import MAX_CELLS

    sizes = []
    real = Family.cdf_values

    def cdf_values(self, x, theta):
        sizes.append(np.size(x))
        return real(self, x, theta)

    monkeypatch.setattr(Family, "cdf_values", cdf_values)
    fam = families.get("poisson")
    values, weights = np.arange(7.0), np.array([1.1e6, 1.2e6, 0.9e6, 0.6e6, 0.3e6, 0.1e6, 0.05e6])
    r = mlefit.fit(values, "poisson", weights=weights)
    tests, _ = goodness_of_fit(fam, values, theta(r), 1, weights=weights, bootstrap=0)
    assert {t.statistic for t in tests} == {"ks", "chi2"}
    assert sizes and max(sizes) <= 8  # the seven values, and the edges of their cells
    sizes.clear()
    wide = np.random.default_rng(1).negative_binomial(0.3, 1e-6, 1000).astype(float)
    assert wide.max() - wide.min() > 1e6
    rw = mlefit.fit(wide, "geometric")
    tests, _ = goodness_of_fit(families.get("geometric"), wide, theta(rw), 1, bootstrap=5)
    assert {t.statistic for t in tests} == {"ks", "chi2"}
    assert sizes and max(sizes) <= max(wide.size, MAX_CELLS + 1)


def test_chi_square_cells_pooled_and_degrees_of_freedom():
    x = np.random.default_rng(6).poisson(3.0, 300).astype(float)
    fam = families.get("poisson")
    rate = x.mean()
    values, counts = np.unique(x, return_counts=True)
    value, cells = chi_square(values, counts.astype(float), fam, (rate,))
    # independent: counts of each value, tails folded into the end cells, then pooled
    grid = np.arange(x.min(), x.max() + 1)
    p = scipy.stats.poisson.pmf(grid, rate)
    p[0], p[-1] = scipy.stats.poisson.cdf(grid[0], rate), scipy.stats.poisson.sf(grid[-1] - 1, rate)
    e, o = pooled_cells(300 * p, [np.sum(x == g) for g in grid])
    assert np.all(e >= 5) and e.sum() == pytest.approx(300) and o.sum() == 300
    ref = scipy.stats.chisquare(o, e, ddof=1)
    assert value == pytest.approx(ref.statistic, rel=1e-12) and cells == e.size
    tests, _ = goodness_of_fit(fam, x, (rate,), 1, bootstrap=0)
    chi = next(t for t in tests if t.statistic == "chi2")
    assert chi.df == cells - 2 and chi.p_value == pytest.approx(ref.pvalue, rel=1e-10)


def test_discrete_ks_is_the_sup_over_all_integers():
    x = np.array([0.0, 2.0, 2.0, 5.0, 9.0])
    fam, th = families.get("poisson"), (3.1,)
    values, counts = np.unique(x, return_counts=True)
    grid = np.arange(-1, 40.0)
    fn = np.searchsorted(np.sort(x), grid, side="right") / x.size
    ref = np.max(np.abs(fn - scipy.stats.poisson.cdf(grid, th[0])))
    cdf = (lambda v: fam.cdf_values(v, th))
    from mlefit.inference.gof import discrete_ks
    assert discrete_ks(values, counts.astype(float), cdf) == pytest.approx(ref, rel=1e-14)


def test_grouped_cells_for_a_wide_range():
    """Counts spread over millions of integers: cells are grouped (at most 5,000 before
    pooling) and still cover the support and the data."""
    x = np.random.default_rng(2).negative_binomial(0.5, 1e-5, 2000).astype(float)
    fam = families.get("negative_binomial")
    th = tuple(mlefit.fit(x, "negative_binomial").estimates.values())
    values, counts = np.unique(x, return_counts=True)
    value, cells = chi_square(values, counts.astype(float), fam, th)
    assert 2 <= cells <= 5000 and np.isfinite(value)


def test_pooling_merges_adjacent_cells_until_each_expects_five():
    e, o = pooled_cells([0.5, 1.0, 6.0, 8.0, 2.0, 0.1], [1, 2, 5, 9, 3, 0])
    assert list(e) == [7.5, 10.1] and list(o) == [8, 12]
    e, o = pooled_cells([1.0, 2.0], [1, 2])
    assert list(e) == [3.0] and list(o) == [3]
    e, o = pooled_cells([4.0, 2.0, 4.0], [3, 3, 4])
    assert list(e) == [10.0] and list(o) == [10]
    e, o = pooled_cells([6.0, 1.0, 7.0], [5, 2, 7])  # a small middle cell is merged too
    assert list(e) == [6.0, 8.0] and list(o) == [5, 9]


def test_fit_gof_from_the_cli(tmp_path):
    x = np.random.default_rng(8).gamma(3.0, 2.0, 200)
    path = write(tmp_path, "x\n" + "\n".join(f"{v:.17g}" for v in x) + "\n")
    out = CliRunner().invoke(cli, ["fit", path, "-d", "gamma", "--gof", "--bootstrap", "39", "--seed", "3",
                                   "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["gof"]["bootstrap"] == 39 and d["gof"]["seed"] == 3
    assert {t["test"] for t in d["gof"]["tests"]} == {"ks", "cvm", "ad"}
    assert all(0 < t["p_value"] <= 1 and "bootstrap" in t["method"] for t in d["gof"]["tests"])
    table = CliRunner().invoke(cli, ["fit", path, "-d", "gamma", "--bootstrap", "0"])
    assert "does NOT account for the estimation" in " ".join(table.output.split())
    fixed = CliRunner().invoke(cli, ["fit", path, "-d", "gamma", "--fix", "shape=3", "--gof",
                                     "--bootstrap", "19", "--json"])
    assert fixed.exit_code == 0 and len(json.loads(fixed.stdout)["gof"]["tests"]) == 3


def test_large_discrete_samples_are_drawn_as_counts():
    """Above the support's width, a bootstrap sample is drawn as multinomial counts over
    the support: the same distribution as n separate draws."""
    from mlefit.inference.gof import _count_sampler
    fam, th, n = families.get("negative_binomial"), (2.0, 3.0), 200_000
    draw = _count_sampler(fam, n, th)
    values, counts = draw(np.random.default_rng(0))
    assert counts.sum() == n and np.all(values == np.floor(values))
    pmf = scipy.stats.nbinom.pmf(values, 2.0, 2.0 / 5.0)
    z = (counts - n * pmf) / np.sqrt(n * pmf * (1 - pmf))
    assert np.max(np.abs(z)) < 5
    assert _count_sampler(fam, 10, th) is None  # small samples: drawn one by one


def test_asymptotic_chi_square_keeps_its_level_on_sparse_counts():
    """Counts spread over thousands of values (negative binomial, size 0.5, mean 500):
    with adjacent cells pooled until each expects 5, the asymptotic chi-square p-value
    rejects the true family at about the nominal 5%."""
    fam, ps = families.get("negative_binomial"), []
    for seed in range(200):
        x = np.random.default_rng(seed).negative_binomial(0.5, 1e-3, 100).astype(float)
        r = mlefit.fit(x, "negative_binomial")
        tests, _ = goodness_of_fit(fam, x, theta(r), 2, bootstrap=0)
        ps.append(next(t.p_value for t in tests if t.statistic == "chi2"))
    assert 0.02 <= np.mean(np.array(ps) < 0.05) <= 0.10


@pytest.mark.parametrize("name,data,message", [
    ("bernoulli", [0.0, 1.0, 1.0, 0.0], "saturated"),
    ("huber:1.3", [0.1, 2.0, -1.0, 0.5], "no distribution function"),
])
def test_untestable_fits_are_a_clear_usage_error(name, data, message):
    r = mlefit.fit(data, name)
    with pytest.raises(mlefit.UsageError, match=message):
        goodness_of_fit(families.get(r.family), np.array(data), theta(r), 1, bootstrap=9)


def test_huge_continuous_weights_are_refused_and_huge_integers_have_no_chi_square():
    x = np.array([1.0, 2.0, 3.5])
    r = mlefit.fit(x, "gamma", weights=[1e10, 1e10, 1e10])
    with pytest.raises(mlefit.UsageError, match="leave out --gof"):
        goodness_of_fit(families.get("gamma"), x, theta(r), 2, weights=[1e10, 1e10, 1e10])
    big = np.array([1.7e18, 1.7e18 + 2048, 1.7e18 + 8192, 1.7e18 + 4096])
    r = mlefit.fit(big, "poisson")
    tests, _ = goodness_of_fit(families.get("poisson"), big, theta(r), 1, bootstrap=0)
    assert [t.statistic for t in tests] == ["ks"]


def test_one_cell_chi_square_is_zero():
    values, counts = np.array([3.0]), np.array([50.0])
    assert chi_square(values, counts, families.get("poisson"), (3.0,))[0] == 0.0


@pytest.mark.slow
def test_mixture_bootstrap_refits_from_the_fit_and_stays_calibrated():
    """normal_mixture refits each resample from the fit it was drawn at (not from its ~35
    starts): 60 seeded two-component samples give uniform Anderson-Darling p-values."""
    fam, ps = families.get("normal_mixture:2"), []
    for seed in range(60):
        x = CASES["normal_mixture:2"][0](np.random.default_rng(seed), 150)
        r = mlefit.fit(x, "normal_mixture:2")
        tests, _ = goodness_of_fit(fam, x, theta(r), 5, bootstrap=39, seed=seed)
        ps.append(next(t.p_value for t in tests if t.statistic == "ad"))
    jitter = np.random.default_rng(0).uniform(-1 / 40, 0, len(ps))
    assert scipy.stats.kstest(np.array(ps) + jitter, "uniform").pvalue > 0.01
