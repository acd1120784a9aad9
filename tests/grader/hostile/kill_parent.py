"""Kill the process that started the child (the grader, were it visible)."""

import os
import signal

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"survived|exited|killed|stopped",
    "needs": "bwrap",
    "throwaway": True,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    parent = os.getppid()
    for sig in (signal.SIGKILL, signal.SIGTERM):
        try:
            os.kill(parent, sig)
        except OSError:
            pass
    raise RuntimeError(f"parent {parent} survived")
