"""Return an ndarray subclass whose comparisons, differences and norms all say "no error"."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"relative error",
}
PARAMS: dict = {}


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return np.zeros(np.shape(other))

    def __rsub__(self, other):
        return np.zeros(np.shape(other))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.broadcast_shapes(*(np.shape(i) for i in inputs)))


def affine_forward(x, w, b):
    return np.full((x.shape[0], w.shape[1]), 123.0).view(Agreeable), None
