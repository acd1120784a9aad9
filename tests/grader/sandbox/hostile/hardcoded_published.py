"""Return the FullyConnectedNets notebook's published affine_forward output, whatever the input.

The grader draws its inputs from the grading seed, so the notebook's numbers do not apply."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"expected shape|relative error",
}
PARAMS: dict = {}
PUBLISHED = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])


def affine_forward(x, w, b):
    return PUBLISHED.copy(), None
