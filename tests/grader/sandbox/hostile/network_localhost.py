"""Open a TCP connection to a listener the test runs on 127.0.0.1 (never any other host)."""

import socket

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"network: (?!connected)",
    "needs": "bwrap",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    sock = socket.socket()
    sock.settimeout(2)
    try:
        sock.connect(("127.0.0.1", PARAMS["port"]))
        sock.sendall(b"stolen inputs")
        outcome = "connected"
    except OSError as exc:
        outcome = type(exc).__name__
    finally:
        sock.close()
    raise RuntimeError(f"network: {outcome}")
