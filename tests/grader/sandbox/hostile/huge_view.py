"""Return a 16 GB array that costs nothing until someone copies it."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"stopped|exited|killed|not plain numeric data|MemoryError",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    return np.broadcast_to(np.float64(0.0), (2**31,)), None
