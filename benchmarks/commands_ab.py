"""Whole `mlefit` commands before and after a change: each command of a list runs as a
fresh process from each source tree in turn (PYTHONPATH set to the tree; the order
swapped at each round), and the least wall and CPU seconds (user + system of the child)
over --repeat rounds are kept.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/commands_ab.py --before /tmp/base --commands FILE [--repeat 3] [--write]

FILE holds one command a line, as a user types it (`mlefit select x.csv --continuous`);
blank lines and lines starting with # are skipped. Output is thrown away; a command that
fails on either tree is shown as failed with its last line of stderr.
"""
import argparse
import os
import resource
import shlex
import subprocess
import sys
import time

import _bench as B

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def once(words, tree, timeout):
    """(wall s, None) of one fresh run, or (None, the error's last line)."""
    env = dict(os.environ, PYTHONPATH=tree)
    # python -m puts the working directory first on sys.path, ahead of PYTHONPATH: the run
    # starts in the tree, and the command's paths relative to this checkout are made absolute
    words = words[:1] + [os.path.join(HERE, w) if not os.path.isabs(w) and os.path.exists(os.path.join(HERE, w))
                         else w for w in words[1:]]
    argv = [sys.executable, "-m", "mlefit", *words[1:]] if words[0] == "mlefit" else words
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None, f"over {timeout:g} s"
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines() or ["(no message)"]
        return None, lines[-1][:120]
    return wall, None


def run(words, tree, timeout):
    """(wall s, CPU s, error): the children's CPU totals grow by each child's, so their
    difference around one run is its CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, err = once(words, tree, timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, (cpu if wall is not None else None), err


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="a source tree holding mlefit/ before the change")
    ap.add_argument("--commands", required=True, help="a file of commands, one a line")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=900)
    B.add_output_options(ap, "commands_ab")
    args = ap.parse_args()
    trees = {"before": os.path.abspath(args.before), "after": HERE}
    B.compile_trees(*trees.values())
    with open(args.commands) as f:
        commands = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    rows = []
    for text in commands:
        words = shlex.split(text)
        best = {k: [float("inf"), float("inf"), None] for k in trees}
        for r in range(args.repeat):
            for key in (("before", "after") if r % 2 == 0 else ("after", "before")):
                wall, cpu, err = run(words, trees[key], args.timeout)
                if err:
                    best[key][2] = err
                    continue
                best[key][0], best[key][1] = min(best[key][0], wall), min(best[key][1], cpu)
        b, a = best["before"], best["after"]
        if b[2] or a[2]:
            rows.append([f"`{text}`", "failed: " + (b[2] or "") if b[2] else B.fmt_s(b[0]),
                         "failed: " + (a[2] or "") if a[2] else B.fmt_s(a[0]), "", "", "", ""])
        else:
            rows.append([f"`{text}`", B.fmt_s(b[0]), B.fmt_s(a[0]), B.fmt_s(b[1]), B.fmt_s(a[1]),
                         f"{a[0] / b[0]:.2f}", f"{a[1] / b[1]:.2f}"])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    body = B.table(["command", "before wall s", "after wall s", "before CPU s", "after CPU s",
                    "after/before wall", "after/before CPU"], rows)
    body += (f"\n\nLeast of {args.repeat} fresh processes per tree, the trees interleaved (the "
             f"order swapped at each round); before = {trees['before']}, after = this checkout.")
    B.publish(args, "commands_ab", "Whole commands before and after a change", body)


if __name__ == "__main__":
    main()
