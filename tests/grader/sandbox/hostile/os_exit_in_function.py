"""os._exit(0) inside the graded function: the process ends with success status mid-request."""

import os

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"exited with status 0",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    os._exit(0)
