# Students: this file is given code; you do not need to change it.
"""Numeric gradients by centred differences, to check analytic backward passes against."""

import numpy as np


def rel_error(x, y):
    """Maximum relative error between two arrays (or numbers), safe when both are zero."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Numeric gradient of a scalar function ``f`` at ``x``.

    Inputs:
    - f: a function of one array argument returning a number
    - x: the point (numpy array) at which to evaluate the gradient; perturbed in place and restored
    - verbose: print each coordinate's gradient as it is computed
    - h: the step of the centred difference

    Returns an array of the same shape as x.
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numeric gradient of ``sum(f(x) * df)`` with respect to ``x``, for array-valued ``f``.

    ``df`` is the upstream gradient (same shape as ``f(x)``); returns an array shaped like x.
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None):
    """Compare ``analytic_grad`` with centred differences at ``num_checks`` random coordinates.

    Prints one line per coordinate and returns the list of relative errors.
    """
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(m)) for m in x.shape)
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        err = rel_error(grad_numerical, grad_analytic)
        errors.append(err)
        print(f"numerical: {grad_numerical:f} analytic: {grad_analytic:f}, relative error: {err:e}")
    return errors
