"""Sleep far past the question's time limit."""

import time

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["timeout"],
    "time_limit": 2,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    time.sleep(3600)
