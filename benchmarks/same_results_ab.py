"""Whether a speed change left every result as it was: the to_dict() JSON of this tree's
mlefit.fit and an older tree's (imported as a second package, as fit_vs_scipy_ab.py does),
byte for byte, over the families of fit_vs_scipy.py and a few discrete ones, sizes 1 to
1000, six kinds of data (an array, the same as a list, with a NaN, rounded, all zeros,
beyond 1e100) and option sets (confidence, expected information, derive, robust, profile
and bootstrap intervals, weights, fix, max_iter/tol), then loss, trials, positive and prior
fits. Errors are compared by type and message. Prints the differences and a count.

    git -C . archive main mlefit | tar -x -C /tmp/before
    python3 benchmarks/same_results_ab.py --old /tmp/before
"""
import argparse
import json
import warnings

import numpy as np

import mlefit
from fit_vs_scipy import SAMPLERS
from fit_vs_scipy_ab import old_tree

OPTIONS = [{}, {"confidence": 0.9}, {"information": "expected"}, {"derive": ["mean"]}, {"robust": True},
           {"interval": "profile"}, {"weights": "ones"}, {"fix": "first"}, {"max_iter": 57, "tol": 1e-9},
           {"interval": "bootstrap", "bootstrap": 20, "seed": 3},
           {"interval": "all", "bootstrap": 20, "resample": "nonparametric"}]
OTHERS = [("normal", {"loss": "mse"}), ("laplace", {"loss": "mae"}), ("bernoulli", {"positive": "b"}),
          ("binomial", {"trials": 12}), ("poisson", {"prior": "rate ~ gamma(2, 1)"}), ("normal", {"prior": "jeffreys"})]


def outcome(mod, data, family, **options):
    try:
        return json.dumps(mod.fit(data, family, **options).to_dict())
    except Exception as exc:  # noqa: BLE001 - an error is an outcome to compare
        return f"{type(exc).__name__}: {exc}"


def datasets(family, n):
    rng = np.random.default_rng(n)
    if family in SAMPLERS:
        x = SAMPLERS[family](rng, n)
    elif family == "bernoulli":
        x = rng.integers(0, 2, n).astype(float)
    else:
        x = rng.poisson(3, n).astype(float)
    return x, x.tolist(), np.append(x, np.nan), np.round(x, 2), np.zeros(n), 1e150 * (1.0 + x)


def cases():
    for family in list(SAMPLERS) + ["poisson", "bernoulli", "geometric"]:
        for n in (1, 2, 10, 1000):
            for data in datasets(family, n):
                for options in OPTIONS:
                    options = dict(options)
                    if options.get("weights") == "ones":
                        options["weights"] = np.ones(len(data))
                    if options.get("fix") == "first":
                        try:
                            p = mlefit.fit(data, family).parameters[0]
                        except mlefit.MlefitError:
                            continue
                        options["fix"] = {p.name: p.estimate}
                    yield data, family, options
    for family, options in OTHERS:
        for data in ([1.0, 2.5, 3.0, 7.0, 4.0], ["a", "b", "b", "a"], [3.0, 5.0, 12.0, 0.0]):
            yield data, None if "loss" in options else family, options


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="a directory holding the older tree's mlefit/")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    old = old_tree(args.old)
    count = differ = 0
    for data, family, options in cases():
        new_out, old_out = outcome(mlefit, data, family, **options), outcome(old, data, family, **options)
        count += 1
        if new_out != old_out:
            differ += 1
            print(f"differs: {family} n={len(data)} {options}\n  new {new_out[:300]}\n  old {old_out[:300]}")
    print(f"{count} fits compared, {differ} differ")


if __name__ == "__main__":
    main()
