"""Choosing a family (`--dist auto`): mlefit.select against fitter and distfit, as time
ratios in one run on the same seeded data, with the family each one picked.

    python3 -m venv --system-site-packages /tmp/bench/venv
    /tmp/bench/venv/bin/pip install fitter distfit
    PYTHONPATH=$PWD /tmp/bench/venv/bin/python benchmarks/select_vs_fitter.py [--sizes 1e3,1e4,1e5] [--write]

(PYTHONPATH: the venv sees the system's site-packages, whose mlefit may be another
checkout; this makes it the one the script is run from.)

(fitter and distfit are not dependencies of mlefit; under a python without them their
columns say "not installed" and the rest still runs.)

Options: --sizes (1e3,1e4,1e5), --samples (what the data are drawn from, comma-separated
among gamma, weibull, lognormal, normal, student_t, beta; default gamma,weibull),
--families (the candidates, mlefit names; default normal, gamma, weibull, lognormal,
beta, student_t), --repeat (best of up to R calls, 3), --budget (no further call once
a measurement would pass it, 20 s), --limit (skip a tool at the sizes where it would take
longer, predicted linearly from its previous size, 120 s), --no-cli, --seed,
--write [PATH] (replace or append the section bench:select_vs_fitter of RESULTS.md).

Each tool is called as its documentation shows, with the same candidate families:
- mlefit: mlefit.select(x, families, bootstrap=B) (maximum likelihood for each family
  that admits the data, ranked by AIC, with textbook KS/CvM/AD statistics for --bootstrap
  0, the default here, or bootstrapped p-values for --bootstrap 199, select's default);
  and, column "mlefit CLI s", `mlefit fit FILE --dist auto --families ... --bootstrap B --json` in a
  fresh process (start-up and reading the CSV included; not used in the ratios);
- fitter: Fitter(x, distributions=[scipy names]).fit() (scipy's generic fit with loc
  and scale free for each, in fitter's default worker pool, 30 s timeout per family),
  picked by get_best() (sum of squared errors against a 100-bin histogram; the AIC pick
  in brackets when it differs);
- distfit: distfit(distr=[scipy names]).fit_transform(x) (scipy's fit, ranked by RSS
  against a histogram), picked by model['name'].
Ratios are other / mlefit.select (above 1: mlefit is faster). Each tool is called once,
untimed, on a small sample first (imports, worker pools). OPENBLAS_NUM_THREADS=1.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import warnings
import zlib

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402

SAMPLERS = {
    "gamma": lambda r, n: r.gamma(2.5, 2.0, n),
    "weibull": lambda r, n: 3.0 * r.weibull(1.5, n),
    "lognormal": lambda r, n: r.lognormal(0.5, 0.7, n),
    "normal": lambda r, n: r.normal(3.0, 2.0, n),
    "student_t": lambda r, n: 1.0 + 2.0 * r.standard_t(4.0, n),
    "beta": lambda r, n: r.beta(2.0, 5.0, n),
}
SCIPY_NAME = {"normal": "norm", "gamma": "gamma", "weibull": "weibull_min", "lognormal": "lognorm",
              "beta": "beta", "student_t": "t", "exponential": "expon", "logistic": "logistic",
              "cauchy": "cauchy", "gumbel": "gumbel_r", "log_logistic": "fisk",
              "inverse_gaussian": "invgauss", "pareto": "pareto", "laplace": "laplace"}
MLEFIT_NAME = {v: k for k, v in SCIPY_NAME.items()}
INSTALL = ("python3 -m venv --system-site-packages /tmp/bench/venv && "
           "/tmp/bench/venv/bin/pip install fitter distfit")


def _import(name):
    try:
        return __import__(name)
    except ImportError as e:
        print(f"{name} is not importable under {sys.executable} ({e}); its columns are skipped. "
              f"Install it with: {INSTALL}; then run this script with /tmp/bench/venv/bin/python",
              file=sys.stderr)
        return None


def tools(families, bootstrap=0):
    """{tool: fn(x) -> (picked family in mlefit's names, note)} for the importable tools."""
    scipy_names = [SCIPY_NAME[f] for f in families]
    out = {"mlefit": lambda x: (mlefit.select(x, families, bootstrap=bootstrap)["ranking"][0]["family"], "")}
    if _import("fitter"):
        from fitter import Fitter

        def run_fitter(x):
            f = Fitter(x, distributions=scipy_names)
            f.fit()
            best = MLEFIT_NAME[next(iter(f.get_best()))]
            by_aic = MLEFIT_NAME[next(iter(f.get_best(method="aic")))]
            missing = len(scipy_names) - len(f.fitted_param)
            note = (f" [aic: {by_aic}]" if by_aic != best else "") + (f" ({missing} not fitted)" if missing else "")
            return best, note
        out["fitter"] = run_fitter
    if _import("distfit"):
        from distfit import distfit

        def run_distfit(x):
            d = distfit(distr=scipy_names, verbose=0)
            d.fit_transform(x, verbose=0)
            return MLEFIT_NAME.get(d.model["name"], d.model["name"]), ""
        out["distfit"] = run_distfit
    return out


def cli_time(path, families, repeat, budget, bootstrap=0):
    """Best wall time of `mlefit fit FILE --dist auto ... --json` in a fresh process."""
    cmd = B.mlefit_command() + [
        "fit", path, "--dist", "auto", "--families", ",".join(families), "--bootstrap", str(bootstrap), "--json"]

    def once():
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
    return B.measure(once, repeat, budget)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e3,1e4,1e5")
    ap.add_argument("--samples", default="gamma,weibull")
    ap.add_argument("--families", default="normal,gamma,weibull,lognormal,beta,student_t")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--limit", type=float, default=120.0)
    ap.add_argument("--no-cli", action="store_true", help="do not time the mlefit CLI")
    ap.add_argument("--bootstrap", type=int, default=0,
                    help="mlefit's goodness-of-fit bootstrap samples (0: none; 199: select's default)")
    ap.add_argument("--seed", type=int, default=20261122)
    B.add_output_options(ap, "select_vs_fitter")  # with --bootstrap N: section select_vs_fitter_gof
    args = ap.parse_args()
    families, samples = args.families.split(","), args.samples.split(",")
    bad = [f for f in families if f not in SCIPY_NAME] + [s for s in samples if s not in SAMPLERS]
    if bad:
        ap.error(f"unknown names {bad}: families among {', '.join(SCIPY_NAME)}; samples among {', '.join(SAMPLERS)}")
    warnings.simplefilter("ignore")
    import logging
    logging.disable(logging.WARNING)  # fitter and distfit log each skipped family
    run = tools(families, args.bootstrap)
    warm = SAMPLERS["gamma"](np.random.default_rng(0), 300)
    for name, fn in run.items():
        try:
            fn(warm)
        except Exception as e:  # noqa: BLE001 - reported again at each size below
            print(f"warm-up of {name} failed: {type(e).__name__}: {e}", file=sys.stderr)
    tmp = tempfile.mkdtemp(prefix="select_", dir="/tmp/bench" if os.path.isdir("/tmp/bench") else None)
    rows, skip = [], B.Skipper(args.limit)
    for sample in samples:
        for n in B.parse_sizes(args.sizes):
            x = SAMPLERS[sample](np.random.default_rng([args.seed, zlib.crc32(sample.encode()), n]), n)
            res = {}
            for name, fn in run.items():
                why = skip.reason(name, n) if name != "mlefit" else None
                if why:
                    res[name] = (None, why)
                    continue
                try:
                    t, _, (pick, note) = B.measure(lambda: fn(x), args.repeat, args.budget)
                    skip.record(name, n, t)
                    res[name] = (t, pick + note)
                except Exception as e:  # noqa: BLE001 - the tool failed: say how
                    res[name] = (None, f"error: {type(e).__name__}")
            cli = ""
            if not args.no_cli:
                path = os.path.join(tmp, f"{sample}_{n}.csv")
                np.savetxt(path, x, fmt="%.17g", header="x", comments="")
                try:
                    cli = B.fmt_s(cli_time(path, families, args.repeat, args.budget, args.bootstrap))
                except RuntimeError as e:
                    cli = f"error: {e}"
                os.remove(path)
            t_ml = res["mlefit"][0]
            row = [sample, B.fmt_n(n), B.fmt_s(t_ml), cli]
            for name in ("fitter", "distfit"):
                t, pick = res.get(name, (None, "not installed"))
                row += [B.fmt_s(t) if t else "", B.fmt_ratio(t / t_ml) if t and t_ml else ""]
            row += [res["mlefit"][1]] + [res.get(k, (None, "not installed"))[1] for k in ("fitter", "distfit")]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr, flush=True)
    os.rmdir(tmp)
    body = B.table(["data", "n", "mlefit s", "mlefit CLI s", "fitter s", "fitter/mlefit",
                    "distfit s", "distfit/mlefit", "mlefit picks", "fitter picks", "distfit picks"],
                   rows, "lrrrrrrrlll")
    body += (f"\n\nCandidates: {', '.join(families)} (scipy: {', '.join(SCIPY_NAME[f] for f in families)}). "
             f"Best of up to {args.repeat} calls within {args.budget:g} s. mlefit ranks by AIC among the "
             "families whose support admits the data (beta is left out for data outside (0, 1)); "
             "fitter (sum of squared errors against a histogram; [aic: ...] its AIC pick) and distfit "
             "(RSS against a histogram) fit scipy's distributions with loc and scale free. "
             f"`mlefit CLI s` is a fresh `mlefit fit FILE --dist auto --bootstrap {args.bootstrap} --json` "
             "(start-up and CSV reading included). "
             + ("mlefit computes no p-values here (--bootstrap 0); fitter and distfit none either.\n"
                if not args.bootstrap else
                f"mlefit includes its bootstrapped goodness-of-fit p-values ({args.bootstrap} samples at "
                "most per family, docs/gof.md); fitter and distfit give none.\n"))
    key = "select_vs_fitter" + ("_gof" if args.bootstrap else "")
    title = "Choosing a family: mlefit.select against fitter and distfit" + (
        f" (mlefit with its goodness-of-fit bootstrap, {args.bootstrap} samples at most)" if args.bootstrap else "")
    B.publish(args, key, title, body, extra=("fitter", "distfit"))


if __name__ == "__main__":
    main()
