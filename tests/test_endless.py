"""Endless inputs, decompression bombs and one enormous line: mlefit ends in bounded
memory and time with one line of its own (issue 20, points 1-3).

Each run is a subprocess under the limits documented in docs/bad-input.md: an address
space of MEMORY bytes (resource.setrlimit RLIMIT_AS, with the thread pools held to two
threads, whose stacks count in it) and TIME seconds (the subprocess timeout). The inputs
are far larger than MEMORY (endless, or gigabytes once decompressed) but cheap to make:
a gzip stream may be many members, so one small compressed member repeated is a bomb."""
import gzip
import json
import os
import resource
import subprocess
import sys

import numpy as np
import pytest

MEMORY = 1 << 30
TIME = 60
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": ROOT}
# address space, not memory, is limited: glibc reserves 64 MB of it per thread arena, and
# how many arenas a run opens depends on the machine's threads and load; with two, the
# limit bounds what mlefit itself holds (a full run once failed the chunked bomb at the
# limit without this)
FEW_ARENAS = {**ENV, "MALLOC_ARENA_MAX": "2"}
NOT_UTF8 = ("is not UTF-8 text (it holds binary data or another encoding); name the encoding with "
            "--encoding (e.g. latin-1, cp1252), or export as UTF-8")


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(*args, stdin=subprocess.DEVNULL, before="", env=ENV):
    """mlefit under the limits; `before`: Python run first (a module constant set low)."""
    code = f"{before}\nfrom mlefit.cli import main\nmain()"
    done = subprocess.run([sys.executable, "-c", code, *args], stdin=stdin, capture_output=True,
                          env=env, preexec_fn=_limit, timeout=TIME)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def one_line(err):
    assert "Traceback" not in err and "internal error" not in err, err
    assert err.count("\n") == 1, err
    return err.strip()


def bomb(path, member, times, header=b""):
    """A gzip file of `header` then `member` repeated `times` times (as many members)."""
    one = gzip.compress(member, 9)
    with open(path, "wb") as fh:
        if header:
            fh.write(gzip.compress(header))
        for _ in range(times):
            fh.write(one)
    return str(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("extra", [[], ["--chunk-size", "10"], ["--chunk-size", "0"]])
def test_dev_zero_is_binary_data(extra):
    code, out, err = run("fit", "/dev/zero", "-d", "normal", *extra)
    assert code == 1 and one_line(err) == f"mlefit: error: '/dev/zero' {NOT_UTF8}"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("extra", [[], ["--chunk-size", "10"], ["--derive", "mean"]])
def test_endless_zeros_on_standard_input(extra):
    with open("/dev/zero", "rb") as zeros:
        code, out, err = run("fit", "-", "-d", "normal", *extra, stdin=zeros)
    assert code == 1 and one_line(err) == f"mlefit: error: '<stdin>' {NOT_UTF8}"


@pytest.mark.skipif(not os.path.exists("/dev/urandom"), reason="no /dev/urandom")
@pytest.mark.parametrize("extra", [[], ["--chunk-size", "10"]])
def test_dev_urandom_is_binary_data(extra):
    code, out, err = run("fit", "/dev/urandom", "-d", "normal", *extra)
    assert code == 1 and one_line(err) == f"mlefit: error: '/dev/urandom' {NOT_UTF8}"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_endless_zeros_in_a_named_encoding(encoding):
    code, out, err = run("fit", "/dev/zero", "-d", "normal", "--encoding", encoding)
    assert code == 1
    said = one_line(err)
    if encoding == "latin-1":  # NUL is no latin-1 text
        assert said == ("mlefit: error: '/dev/zero' holds a NUL byte (byte 0): it is binary data, not latin-1 "
                        "text; check the file")
    else:  # NUL bytes are part of UTF-16 text: what stops it is the line that never ends
        assert said.startswith("mlefit: error: '/dev/zero' has a line longer than 16 MiB (from byte 0)")


def test_a_bomb_of_nul_bytes_is_refused_at_its_first_block(tmp_path):
    path = bomb(tmp_path / "nul.csv.gz", bytes(1 << 24), 128)  # 2 GiB of NUL bytes in 2 MB
    assert os.path.getsize(path) < 4 << 20
    code, out, err = run("fit", path, "-d", "normal")
    assert code == 1 and one_line(err) == f"mlefit: error: '{path}' {NOT_UTF8}"


LONG_LINE = ("has a line longer than 16 MiB (from byte {}): it is not a table of values with one row per "
             "line; check the file (mlefit reads lines of up to 16 MiB)")


@pytest.mark.parametrize("extra", [[], ["--chunk-size", "10"], ["--derive", "mean"]])
def test_a_gigabyte_line_is_refused_in_mlefit_s_words(tmp_path, extra):
    path = bomb(tmp_path / "line.csv.gz", b"1," * (1 << 23), 128, header=b"x\n")  # a 2 GiB line 2
    code, out, err = run("fit", path, "-d", "normal", *extra)
    assert code == 1 and one_line(err) == f"mlefit: error: '{path}' " + LONG_LINE.format(2)
    assert "straddling" not in err


def test_a_long_line_in_a_plain_file(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"x\n1\n2\n" + b"3" * ((16 << 20) + 10) + b"\n4\n")
    code, out, err = run("fit", str(path), "-d", "normal")
    assert code == 1 and one_line(err) == f"mlefit: error: '{path}' " + LONG_LINE.format(6)


def test_lines_up_to_the_limit_are_read(tmp_path):
    """A wide header (a long line under the limit) is no error."""
    from click.testing import CliRunner

    from mlefit.cli import cli

    names = ",".join(f"c{i}" for i in range(200_000))  # 1.5 MB
    data = (names + "\n" + ",".join("1" for _ in range(200_000)) + "\n").encode()
    data += (",".join("2" for _ in range(200_000)) + "\n").encode()
    result = CliRunner().invoke(cli, ["fit", "-", "-d", "normal", "-c", "c7", "--json"], input=data)
    assert result.exit_code == 0, result.stderr
    assert '"estimate": 1.5' in result.stdout


def assert_chunked_fit(out):
    d = json.loads(out)
    assert any(n.startswith("read in chunks of about") for n in d["notes"])
    assert d["parameters"][0]["estimate"] == pytest.approx(1.5, abs=1e-12)


def test_the_chunked_decision_is_made_on_the_decompressed_bytes(tmp_path):
    """An 8 MB gzip bomb (8 KB compressed) with the threshold set at 1 MB: read in chunks,
    as a file of 8 MB would be; from standard input too."""
    path = bomb(tmp_path / "ones.csv.gz", b"1\n2\n" * (1 << 20), 1, header=b"x\n")
    assert os.path.getsize(path) < 1 << 20
    low = "import mlefit.io.chunkable as s; s.AUTO_BYTES = 1 << 20"
    code, out, err = run("fit", path, "-d", "normal", "--json", before=low)
    assert code == 0, err
    assert_chunked_fit(out)
    with open(path, "rb") as fh:
        code, out, err = run("fit", "-", "-d", "normal", "--json", stdin=fh, before=low)
    assert code == 0, err
    assert_chunked_fit(out)


def test_a_plain_files_size_decides_without_its_bytes_being_read(tmp_path):
    """A file that is not compressed is longer than the threshold by its size: none of
    its bytes is buffered for the decision (peeking at an 80 MB file buffered its first
    16 MB); a compressed one is still peeked at, and the reader that follows gets every
    byte either way."""
    import tracemalloc
    from mlefit.io import intake
    data = b"x\n" + b"1.25\n" * (6 << 18)  # 7.5 MB
    plain = tmp_path / "x.csv"
    plain.write_bytes(data)
    packed = tmp_path / "x.csv.gz"
    packed.write_bytes(gzip.compress(data, 1))
    intake.open_input(str(packed)).close()  # what opening imports, imported
    for path, answer in ((plain, True), (packed, True)):
        tracemalloc.start()
        assert intake.longer_than(str(path), 4 << 20) is answer
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert (peak < 1 << 20) == (path == plain), (path, peak)
        found = intake.open_input(str(path))  # the one peeked at, continued from the start
        assert found.read_all() == data
        found.close()
    assert intake.longer_than(str(plain), len(data)) is False
    found = intake.open_input(str(plain))
    assert found.read_all() == data
    found.close()


def _read_whole(path, encoding=None):
    """(the bytes Input.read_all gives, or the DataError's message with the path taken out)."""
    from mlefit.errors import DataError
    from mlefit.io import intake
    found = intake.open_input(str(path), encoding)
    try:
        return found.read_all()
    except DataError as exc:
        return str(exc).replace(str(path), "PATH")
    finally:
        found.close()


def test_a_plain_file_read_whole_is_one_read_checked_as_the_blocks_are(tmp_path, monkeypatch):
    """A plain file is read whole in one read of its size and checked block by block in
    place: the same bytes, and the same refusals at the same bytes, as the blocks of a
    compressed file, with no second copy of the file (the blocks gathered into a growing
    buffer took twice a bare read's time and memory)."""
    import tracemalloc
    from mlefit.io import intake
    rng = np.random.default_rng(5)
    good = b"x\n" + b"".join(b"%.6f\n" % v for v in rng.gamma(2.0, 3.0, 400_000))  # 3.6 MB, 4 blocks
    cases = {"good": good, "nul": good[:2_500_001] + b"\x00" + good[2_500_001:],
             "long": good[:1_300_000] + b"7" * (2 << 20) + good[1_300_000:]}
    monkeypatch.setattr(intake, "MAX_LINE", 3 << 19)  # 1.5 MiB: a longer line spans blocks, as 16 MiB does
    for name, data in cases.items():
        plain, packed = tmp_path / f"{name}.csv", tmp_path / f"{name}.csv.gz"
        plain.write_bytes(data)
        packed.write_bytes(gzip.compress(data, 1))
        for encoding in (None, "latin-1"):
            got, blocks = _read_whole(plain, encoding), _read_whole(packed, encoding)
            assert got == blocks and (name != "good" or got == data), (name, encoding, got[:200], blocks[:200])
    assert _read_whole(tmp_path / "nul.csv", "latin-1") == "'PATH' holds a NUL byte (byte 2500001): it is binary data, not latin-1 text; check the file"
    assert _read_whole(tmp_path / "long.csv").startswith("'PATH' has a line longer than 1.5 MiB (from byte 1299")
    _read_whole(tmp_path / "good.csv")  # what reading imports, imported
    tracemalloc.start()
    assert _read_whole(tmp_path / "good.csv") == good
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1.2 * len(good), peak / len(good)

@pytest.mark.slow
def test_a_bomb_of_valid_lines_is_read_in_chunks_in_bounded_memory(tmp_path):
    """48 MB of '1\\n2\\n' behind 48 KB of gzip: read in memory it outgrows MEMORY; read in
    chunks (decided on the decompressed bytes, at the real threshold) it fits."""
    path = bomb(tmp_path / "ones.csv.gz", b"1\n2\n" * (1 << 22), 3, header=b"x\n")
    code, out, err = run("fit", path, "-d", "normal", "--json", env=FEW_ARENAS)
    assert code == 0, err
    assert_chunked_fit(out)
    code, out, err = run("fit", path, "-d", "normal", "--chunk-size", "0")  # asked for in memory
    assert code == 1 and one_line(err).startswith("mlefit: error: out of memory (")
