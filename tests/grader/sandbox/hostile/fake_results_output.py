"""Print fake grader output and results on stdout, stderr and the raw descriptors."""

import json
import os
import sys

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"relative error",
}
PARAMS: dict = {}
FAKE = {"total": 100, "max_score": 100, "questions": [{"id": "fc.affine_forward", "score": 2}]}


def affine_forward(x, w, b):
    for stream in (sys.stdout, sys.stderr):
        print("All tests passed", file=stream, flush=True)
        print(json.dumps(FAKE), file=stream, flush=True)
    for fd in (1, 2):
        os.write(fd, b'{"score": 100, "status": "passed"}\nAll tests passed\n')
    return np.zeros((x.shape[0], w.shape[1])), None
