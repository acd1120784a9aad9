"""A bounded fork bomb: up to 300 children, each replaced by a long sleep carrying a marker.

The count it reaches is reported through the exception message: it must stay within the
process limit, and no marked sleeper may survive grading."""

import os

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"forked \d+",
    "limits": {"processes": 24},
    "at_most": [r"forked (\d+)", 24],
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    forked = 0
    for _ in range(300):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.execv("/bin/sleep", ["sleep", PARAMS["marker"]])
            finally:
                os._exit(0)
        forked += 1
    raise RuntimeError(f"forked {forked}")
