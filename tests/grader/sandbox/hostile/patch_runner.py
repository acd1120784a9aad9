"""Replace the child's request handler at import: every affine_forward request is answered
"ok" with a made-up output, without running anything."""

import numpy as np

import __main__

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"expected shape|relative error",
}
PARAMS: dict = {}

_original = getattr(__main__, "answer_request", None)


def _forged(req, package, package_dir):
    if req.get("target") == "layers.affine_forward":
        return {"status": "ok", "value": {"result": np.ones((1, 1)), "args_after": req["args"]}}
    return _original(req, package, package_dir)


if _original is not None:
    __main__.answer_request = _forged


def affine_forward(x, w, b):
    return np.zeros((1, 1)), None
