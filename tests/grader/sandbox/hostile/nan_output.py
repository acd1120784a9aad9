"""Return NaN everywhere: any comparison written as `not err > tol` would let it pass."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"NaN",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    return np.full((x.shape[0], w.shape[1]), np.nan), None
