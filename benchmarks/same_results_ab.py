"""Whether a speed change left every result as it was: the to_dict() JSON of this tree's
mlefit.fit and an older tree's (imported as a second package, as fit_vs_scipy_ab.py does),
byte for byte, over the families of fit_vs_scipy.py and a few discrete ones, sizes 1 to
1000, six kinds of data (an array, the same as a list, with a NaN, rounded, all zeros,
beyond 1e100) and option sets (confidence, expected information, derive, robust, profile
and bootstrap intervals, weights, fix, max_iter/tol), then loss, trials, positive and prior
fits. Errors are compared by type and message. Prints the differences (with the first JSON
path where they differ) and a count: identical, identical but for keys or options the older
tree did not have, numbers within 1e-9 relative (counted as differences with --exact), and
differing.

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
    ap.add_argument("--exact", action="store_true", help="count numbers within 1e-9 relative as differences too")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    old = old_tree(args.old)
    count = differ = added = close = 0
    for data, family, options in cases():
        new_out, old_out = outcome(mlefit, data, family, **options), outcome(old, data, family, **options)
        count += 1
        if new_out == old_out:
            continue
        if old_out.startswith("TypeError: fit() got an unexpected keyword"):
            added += 1  # an option the older tree did not have
            continue
        kind = compare_json(new_out, old_out)
        if kind == "added":
            added += 1
        elif kind == "close" and not args.exact:
            close += 1
        else:
            differ += 1
            print(f"differs: {family} n={len(data)} {options}: {first_difference(new_out, old_out)}\n"
                  f"  new {new_out[:300]}\n  old {old_out[:300]}")
    print(f"{count} fits compared: {count - differ - added - close} identical, {added} identical but for keys or "
          f"options added since the older tree, {close} with numbers within {CLOSE:g} relative, {differ} differ")


CLOSE = 1e-9


def compare_json(new_out, old_out):
    """'added' when the new JSON equals the old one once the keys the old one lacks are left
    out, 'close' when it then differs only in numbers within CLOSE relative, else 'differs'."""
    try:
        new, old = json.loads(new_out), json.loads(old_out)
    except ValueError:
        return "differs"
    new = _without_added(new, old)
    if new == old:
        return "added"
    return "close" if _close(new, old) else "differs"


def first_difference(new_out, old_out):
    """Where the two outcomes first differ (a JSON path, the new and the old value)."""
    try:
        new, old = json.loads(new_out), json.loads(old_out)
    except ValueError:
        return "the outcome"
    new = _without_added(new, old)

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(a.keys() | b.keys()):
                found = walk(a.get(k), b.get(k), f"{path}.{k}")
                if found:
                    return found
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                found = walk(x, y, f"{path}[{i}]")
                if found:
                    return found
        elif not _close(a, b):
            return f"{path or '.'}: new {str(a)[:80]}, old {str(b)[:80]}"
        return None
    return walk(new, old, "")


def _without_added(new, old):
    if isinstance(new, dict) and isinstance(old, dict):
        return {k: _without_added(v, old[k]) for k, v in new.items() if k in old}
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [_without_added(a, b) for a, b in zip(new, old)]
    return new


def _close(new, old):
    if isinstance(new, dict) and isinstance(old, dict):
        return new.keys() == old.keys() and all(_close(new[k], old[k]) for k in new)
    if isinstance(new, list) and isinstance(old, list):
        return len(new) == len(old) and all(_close(a, b) for a, b in zip(new, old))
    if isinstance(new, float) and isinstance(old, float):
        return abs(new - old) <= CLOSE * max(abs(new), abs(old))
    return new == old


if __name__ == "__main__":
    main()
