"""Monkeypatch numpy at import so every comparison a harness might make says "equal"."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["failed"],
    "feedback": r"relative error",
}
PARAMS: dict = {}


def _always(*args, **kwargs):
    return True


np.allclose = _always
np.array_equal = _always
np.array_equiv = _always
np.isclose = _always
np.testing.assert_allclose = _always
np.testing.assert_array_equal = _always
np.testing.assert_array_almost_equal = _always


def affine_forward(x, w, b):
    return np.zeros((x.shape[0], w.shape[1])), None
