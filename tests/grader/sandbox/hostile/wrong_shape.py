"""Return an array of the wrong shape that broadcasts against the expected one."""

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"expected shape",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out.mean(axis=0), None
