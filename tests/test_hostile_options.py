"""Options a user can set to values that used to end in an internal error or in a
message blaming something else: each gets its own line naming the option."""
import math
import os

import pytest
from click.testing import CliRunner

import mlefit
from mlefit import families
from mlefit.cli import cli
from mlefit.errors import BoundaryError, DataError, FamilyError, UsageError
from mlefit.inference.information import percent, z_value
from mlefit.io.stream import fit_file


@pytest.mark.parametrize("name", ["binomial:inf", "binomial:-inf", "beta_binomial:1e400", "binomial:nan"])
def test_infinite_trials_are_a_family_error(name):
    with pytest.raises(FamilyError, match=r"trials must be a positive whole number \(got "):
        families.get(name)


def test_a_confidence_within_1e_16_of_1_has_finite_intervals():
    assert math.isfinite(z_value(0.9999999999999999)) and 8 < z_value(0.9999999999999999) < 9
    assert abs(z_value(0.95) - 1.959963984540054) < 1e-14
    p = mlefit.fit([1.0, 2.0, 3.5, 4.0, 2.2], "normal", confidence=0.9999999999999999).parameters[0]
    assert math.isfinite(p.ci_lower) and math.isfinite(p.ci_upper) and p.ci_lower < 2.54 < p.ci_upper


def test_a_subnormal_huber_delta_names_the_delta():
    with pytest.raises(FamilyError, match=r"^delta must be positive and finite, at least 2.2e-308 \(got 1e-320 in "
                                          r"'huber:1e-320'\)$"):
        families.get("huber:1e-320")


def test_weights_beyond_double_precision_are_named_as_such():
    with pytest.raises(DataError, match=r"^the weights add up to more than 1.8e308, the largest double \(the "
                                        r"largest: 1e\+308, "):
        mlefit.fit([1.0, 2.0, 3.0], "normal", weights=[1e308, 1e308, 1e308])


@pytest.mark.parametrize("family", ["normal", "student_t"])
def test_weights_whose_weighted_squares_overflow_are_named_not_called_equal_values(family):
    with pytest.raises(DataError, match=r"^the weights \(total 3e\+300\) are too large for these values"):
        mlefit.fit([1e5, 2e5, 3.5e5], family, weights=[1e300] * 3)
    assert mlefit.fit([1e5, 2e5, 3.5e5], "poisson", weights=[1e300] * 3).converged  # no squares: fitted


def test_huge_equal_weights_leave_weibull_estimates_as_they_are():
    """weibull takes its logs about a centre (issue 19's clustered data), so equal weights of
    1e300 no longer overflow: the estimates are the unweighted ones."""
    weighted = mlefit.fit([1e5, 2e5, 3.5e5], "weibull", weights=[1e300] * 3)
    plain = mlefit.fit([1e5, 2e5, 3.5e5], "weibull")
    for a, b in zip(weighted.parameters, plain.parameters):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-9)


def test_a_fixed_size_is_fitted_where_the_free_size_has_no_finite_mle():
    counts = [5.0, 6.0, 5.0, 6.0]  # variance below the mean: the free size runs off to infinity
    with pytest.raises(BoundaryError):
        mlefit.fit(counts, "negative_binomial")
    r = mlefit.fit(counts, "negative_binomial", fix={"size": "2"})
    size, mu = r.parameters
    assert size.estimate == 2 and abs(mu.estimate - 5.5) < 1e-7 and r.converged
    with pytest.raises(BoundaryError):  # mu fixed: the size still runs off
        mlefit.fit(counts, "negative_binomial", fix={"mu": "5"})
    r = mlefit.fit([5.0, 6.0, 5.0, 6.0], "beta_binomial:12", fix={"a": "2"})
    assert r.parameters[0].estimate == 2 and r.converged


@pytest.mark.parametrize("level, shown", [(0.95, "95%"), (0.999, "99.9%"), (0.99999999999, "99.999999999%"),
                                          (0.9999999999999999, "99.99999999999999%"), (1e-300, "1e-298%"),
                                          (1e-320, "1e-318%")])
def test_a_level_is_shown_with_every_digit_it_has(level, shown):
    assert percent(level) == shown


def test_one_bootstrap_sample_gives_no_interval_and_few_get_a_note():
    x = [1.0, 2.0, 3.5, 4.0, 2.2]
    with pytest.raises(UsageError, match="a bootstrap interval needs 2 or more samples"):
        mlefit.fit(x, "normal", interval="bootstrap", bootstrap=1)
    few = mlefit.fit(x, "normal", interval="bootstrap", bootstrap=20).notes
    assert any(n.startswith("20 bootstrap samples are too few for 95% percentile intervals") for n in few)
    enough = mlefit.fit(x, "normal", interval="bootstrap", bootstrap=39).notes
    assert not any("too few" in n for n in enough)


def test_debug_counts_only_as_the_option(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x\n1\n2\n")
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "-c", "--debug"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.stderr.strip() == "mlefit: error: no column '--debug'; the columns are: x"
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "-c", "y", "--debug"])
    assert isinstance(result.exception, UsageError)  # the option itself still shows the traceback


def test_json_counts_only_as_the_option(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x\n1\n2\n")
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "-c", "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == "mlefit: error: no column '--json'; the columns are: x"
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "-c", "y", "--json"])
    assert result.exit_code == 2 and '"type": "usage_error"' in result.stdout


@pytest.mark.parametrize("chunked", [False, True])
def test_a_loop_of_symbolic_links_is_not_called_missing(tmp_path, chunked):
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    with pytest.raises(UsageError, match=r"cannot open '.*loop': Too many levels of symbolic links"):
        fit_file(str(loop), "normal") if chunked else mlefit.read_column(str(loop))


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_a_compressed_file_cut_short_is_the_same_error_in_chunks_and_in_memory(tmp_path, kind):
    import bz2
    import gzip
    import lzma

    whole = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind](b"x\n" + b"1.5\n" * 2000)
    path = tmp_path / f"cut.csv.{kind}"
    path.write_bytes(whole[:len(whole) // 2])
    said = rf"^'.*cut.csv.{kind}' looks {'gzip' if kind == 'gz' else kind}-compressed but cannot be decompressed"
    with pytest.raises(DataError, match=said + r" \(EOFError\); check the file$"):
        fit_file(str(path), "normal", chunk_rows=64)
    with pytest.raises(DataError, match=said):
        mlefit.read_column(str(path))
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "--chunk-size", "64"])
    assert result.exit_code == 1 and "interrupted" not in result.stderr  # not click's Ctrl-D
