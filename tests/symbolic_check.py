"""The pieces both derivative checks use: an expression in x, a, b parsed, its symbolic
gradient and Hessian in (a, b), random data and parameters, and an evaluator."""
import numpy as np

from mlefit.inference import symbolic
from mlefit.inference.expression import MODEL_FUNCTIONS, parse

NAMES = ("a", "b")


def derivatives(text, rng, n=5):
    """(tree, grad, hess, theta, value) for `text`; value(tree, theta) evaluates over x."""
    tree = parse(text, ("x",) + NAMES, MODEL_FUNCTIONS).tree
    x = rng.uniform(0.5, 3.0, n)
    theta = dict(a=rng.uniform(0.5, 2.0), b=rng.uniform(0.5, 2.0))
    grad = [symbolic.derivative(tree, p) for p in NAMES]
    hess = [[symbolic.derivative(g, p) for p in NAMES] for g in grad]

    def value(t, at):
        return symbolic.evaluate([t], {"x": x, **at})[0] + np.zeros(x.size)

    return tree, grad, hess, theta, value
