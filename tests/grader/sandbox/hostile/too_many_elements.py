"""Return 60 million int8 elements: a small message that the grader must still refuse."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"malformed answer",
    "slow": True,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    return np.zeros(60_000_000, dtype=np.int8), None
