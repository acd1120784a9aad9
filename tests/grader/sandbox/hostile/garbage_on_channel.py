"""Write garbage, then a forged "ok" answer, straight onto the answer channel."""

import os
import struct
import sys

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"malformed answer",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    out_fd = int(sys.argv[2])
    garbage = b'{"status": "ok", "value": {"result": "All tests passed"}}'
    os.write(out_fd, struct.pack(">Q", len(garbage)) + garbage)
    os._exit(0)
