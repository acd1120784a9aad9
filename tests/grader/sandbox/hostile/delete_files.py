"""Delete what can be reached: the submission tree, the working directory, a file outside."""

import os
import shutil

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"deleted",
    "needs": "bwrap",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    deleted = []
    package = os.path.dirname(os.path.abspath(__file__))
    for path in (PARAMS["victim"], __file__, os.path.join(package, "optim.py")):
        try:
            os.remove(path)
            deleted.append(path)
        except OSError:
            pass
    for folder in (package, os.getcwd()):
        shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError(f"deleted {deleted}")
