"""Return an object that equals everything and pretends to be an array."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"not plain numeric data",
}
PARAMS: dict = {}


class Everything:
    shape = property(lambda self: self._shape)
    dtype = np.dtype("float64")

    def __init__(self, shape):
        self._shape = shape

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self._shape)

    def __float__(self):
        return 0.0


def affine_forward(x, w, b):
    return Everything((x.shape[0], w.shape[1])), None
