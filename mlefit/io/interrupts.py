"""Ctrl-C while pyarrow reads.

pyarrow installs its own SIGINT handler for each read_csv call (to cancel a long read).
That handler passes the signal to a helper thread (a self-pipe), which then requests the
stop; a signal that arrives as a read ends can find the handler already removed before
the stop was requested, and is lost: from none to 15 in 100 SIGINTs sent at random moments of
repeated reads, depending on the load (tests/test_interrupt.py), and 2 runs in 33 of a
chunked read, where Ctrl-C did nothing. The CLI therefore turns it
off (ARROW_CTRL_C = False): Python's own handler then sees every SIGINT and raises
KeyboardInterrupt as soon as the read returns, and a chunk's read is short. A library
user keeps pyarrow's default."""

ARROW_CTRL_C = True  # whether pyarrow may catch Ctrl-C itself while it reads; the CLI sets False


def pyarrow_csv():
    """pyarrow.csv, with pyarrow's SIGINT handler off once ARROW_CTRL_C is False."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not ARROW_CTRL_C:
        pa.enable_signal_handlers(False)
    return pacsv
