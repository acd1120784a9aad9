"""sys.exit(0) inside the graded function, as if a clean exit meant success."""

import sys

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"SystemExit",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    sys.exit(0)
