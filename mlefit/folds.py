"""The k-fold split of held-out bits per sample, one for every command that scores held-out
rows (compare-losses' constant predictions, regress --folds): a seeded permutation of the
rows cut into k runs by numpy's array_split (the first n mod k folds one row longer). Not
stratified: a fold is a random k-th of the rows."""
import numpy as np

from .errors import UsageError


def permutation(n, seed):
    """The rows 0..n-1 in the order the folds are cut from."""
    return np.random.default_rng(seed).permutation(n)


def check(folds, n):
    """Refuse a fold count the rows cannot take (a fold needs a row; training needs a fold)."""
    if folds < 2 or folds > n:
        raise UsageError(f"--folds must be between 2 and the number of rows ({n}); got {folds}")


def indices(n, folds, seed):
    """[row indices of fold 1, ..., fold k]: the runs compare-losses cuts shuffled values into."""
    check(folds, n)
    return np.array_split(permutation(n, seed), folds)
