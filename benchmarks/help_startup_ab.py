"""`mlefit --help` and `mlefit families --json` before and after a change, as CPU seconds
of fresh processes (user + system, the least sensitive to the other work on a shared
machine), interleaved old/new, with Python allowed to write its caches and with
PYTHONDONTWRITEBYTECODE=1 (then the families' specs are read from their files at every
start: catalog.py keeps no copy); and, in this process, the CPU time of reading the specs
from the files against loading the kept copy.

    rm -rf /tmp/before && mkdir /tmp/before && git archive main mlefit | tar -x -C /tmp/before
    python3 benchmarks/help_startup_ab.py --old /tmp/before
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEW = Path(__file__).resolve().parent.parent


def cpu_ms(tree, argv, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "mlefit", *argv], cwd=tree, capture_output=True, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return 1e3 * (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def in_process():
    """(ms to read every spec from the files, ms to load the kept copy)."""
    sys.path.insert(0, str(NEW))
    from mlefit.families import catalog
    with tempfile.TemporaryDirectory() as folder:
        for path in Path(catalog.HERE).glob("*.py"):
            (Path(folder) / path.name).write_text(path.read_text())
        catalog.sys.dont_write_bytecode = True
        start = time.process_time()
        for _ in range(50):
            catalog.declared(folder)
        read = (time.process_time() - start) / 50
        catalog.sys.dont_write_bytecode = False
        catalog.declared(folder)
        start = time.process_time()
        for _ in range(500):
            catalog.declared(folder)
        kept = (time.process_time() - start) / 500
    return 1e3 * read, 1e3 * kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="a copy of the older tree's mlefit package's parent folder")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    writes = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    no_writes = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    print("| command | Python's caches | old CPU ms | new CPU ms | new/old |")
    print("| --- | --- | ---: | ---: | ---: |")
    for argv in (["--help"], ["families", "--json"]):
        for label, env in (("written", writes), ("PYTHONDONTWRITEBYTECODE=1", no_writes)):
            times = {"old": [], "new": []}
            for tree in (args.old, NEW):
                cpu_ms(tree, argv, writes)  # each tree's .pyc files and kept copy written once
            for _ in range(args.runs):
                for key, tree in (("old", args.old), ("new", NEW)):
                    times[key].append(cpu_ms(tree, argv, env))
            old, new = statistics.median(times["old"]), statistics.median(times["new"])
            print(f"| `mlefit {' '.join(argv)}` | {label} | {old:.1f} | {new:.1f} | {new / old:.3f} |")
    read, kept = in_process()
    print(f"\nIn process: every spec read from the files {read:.2f} ms CPU, the kept copy loaded {kept:.2f} ms.")


if __name__ == "__main__":
    main()
