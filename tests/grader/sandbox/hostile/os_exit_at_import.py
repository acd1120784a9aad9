"""os._exit(0) when layers.py is imported: the child vanishes with status 0, every time."""

import os

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward", "fc.relu_forward"],
    "still_pass": ["fc.sgd_momentum"],
    "status": ["error"],
    "feedback": r"exited with status 0",
}
PARAMS: dict = {}

os._exit(0)
