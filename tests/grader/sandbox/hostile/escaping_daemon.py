"""Double fork and setsid: a daemon outside the child's process group, left sleeping."""

import os

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "reduced_needs": "cgroup",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                os.execv("/bin/sleep", ["sleep", PARAMS["marker"]])
            finally:
                os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
    return np.zeros((x.shape[0], w.shape[1])), None
