"""sys.exit(0) when layers.py is imported: every layers question errors, optim is untouched."""

import sys

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward", "fc.relu_forward"],
    "still_pass": ["fc.sgd_momentum"],
    "status": ["error"],
    "feedback": r"SystemExit|does not import",  # the import problem is reported once per file
}
PARAMS: dict = {}

sys.exit(0)
