"""Return strings where arrays are expected."""

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"expected an array, got str",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    return "All tests passed", "score: 100"
