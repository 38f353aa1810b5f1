"""--engine dask --scheduler ADDRESS that is wrong or unreachable: one line naming the
address and what happened (exit 2 for an address that is not one, exit 1 when nothing
answers within --connect-timeout or what answers is not a Dask scheduler), never an
internal error (issue 19, point 5; issue 20, point 7)."""
import socket
import threading

import pytest
from click.testing import CliRunner

from mlefit.cli import cli
from mlefit.errors import UsageError

pytest.importorskip("distributed")

HELP = "give tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"


def run(tmp_path, address, *more):
    path = tmp_path / "x.csv"
    path.write_text("x\n1.5\n2.5\n3\n")
    return CliRunner().invoke(cli, ["fit", str(path), "-d", "gamma", "--engine", "dask", "--scheduler", address,
                                    *more])


@pytest.mark.parametrize("address, said", [
    ("not a url", "the scheduler address 'not a url' is not valid (missing port number in address 'not a url')"),
    ("http://127.0.0.1:8786", "the scheduler address 'http://127.0.0.1:8786' is not valid (unknown address scheme 'http'"),
    ("tcp://127.0.0.1:99999", "the scheduler address 'tcp://127.0.0.1:99999' needs a host and a port from 1 to 65535"),
    ("tcp://:8786", "the scheduler address 'tcp://:8786' needs a host and a port"),
    ("no\x1b]0;pwned\x07 port", "the scheduler address 'no\\x1b]0;pwned\\x07 port' is not valid"),
])
def test_an_address_that_is_not_one_is_a_usage_error(tmp_path, address, said):
    result = run(tmp_path, address)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert line.startswith(f"mlefit: error: {said}") and line.endswith(HELP) and "\n" not in line
    assert "\x1b" not in result.output


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A plain TCP server on a free port: it sends `reply` to each connection (or
    nothing, holding it open), until closed."""

    def __init__(self, reply):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port, self.reply, self.held = self.sock.getsockname()[1], reply, []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            if self.reply:
                try:
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_nothing_listening_is_said_after_the_connect_timeout(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    result = run(tmp_path, address, "--connect-timeout", "0.5")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"mlefit: error: no Dask scheduler answered at '{address}' within 0.5 s "
                                     f"(nothing listening, or a firewall); start one ('dask scheduler'), check "
                                     f"the address, or raise --connect-timeout")


def test_a_server_that_accepts_and_says_nothing_times_out(tmp_path):
    server = Server(b"")
    try:
        result = run(tmp_path, f"tcp://127.0.0.1:{server.port}", "--connect-timeout", "0.5")
    finally:
        server.close()
    assert result.exit_code == 1 and "no Dask scheduler answered at" in result.stderr


def test_something_else_answering_is_named(tmp_path):
    """An HTTP server's reply read as a Dask frame was a 3.07 EiB MemoryError, an internal error."""
    server = Server(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello" * 4)
    try:
        result = run(tmp_path, f"tcp://127.0.0.1:{server.port}", "--connect-timeout", "5")
    finally:
        server.close()
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith(f"mlefit: error: something answered at 'tcp://127.0.0.1:{server.port}' but not as "
                           f"a Dask scheduler (") and line.endswith("); check the address and port")
    assert "internal error" not in result.output


def test_connect_timeout_goes_with_dask_and_the_library_says_the_same(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x\n1.5\n2.5\n")
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "gamma", "--connect-timeout", "3"])
    assert result.exit_code == 2 and "--connect-timeout goes with --engine dask" in result.stderr
    from mlefit.io.dask_engine import fit_dask
    with pytest.raises(UsageError, match="is not valid"):
        fit_dask(str(path), "gamma", address="not a url")
