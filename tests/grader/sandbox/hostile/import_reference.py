"""Import the reference solutions (or the grader) inside the child and return their answer."""

import importlib
import sys

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"ModuleNotFoundError|ImportError",
    "needs": "bwrap",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    for extra in (None, PARAMS["project_root"]):
        if extra:
            sys.path.insert(0, extra)
        for name in ("solutions.layers", "grader.inside.runner"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            if name == "solutions.layers":
                return module.affine_forward(x, w, b)
            req = {"op": "call", "target": "layers.affine_forward", "args": [x, w, b]}
            return module.execute(req, "solutions")["result"]
    importlib.import_module("solutions.layers")  # raises: the feedback shows what was tried
