"""Spin forever, ignoring the polite signals a harness might send first."""

import signal

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["timeout"],
    "time_limit": 2,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
