"""Read the reference source, the catalog and another submission from outside the sandbox."""

import glob
import os

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"read nothing",
    "needs": "bwrap",
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    paths = [
        PARAMS["solutions_file"],
        "/proc/1/root" + PARAMS["solutions_file"],
        f"/proc/{os.getppid()}/root" + PARAMS["solutions_file"],
    ]
    for path in paths:
        try:
            with open(path) as fh:
                source = fh.read()
        except OSError:
            continue
        namespace = {"__name__": "stolen"}
        exec(compile(source.replace("from .", "from solutions."), path, "exec"), namespace)
        return namespace["affine_forward"](x, w, b)
    readable = [
        p
        for p in [PARAMS["catalog_file"], *glob.glob(PARAMS["other_submissions"])]
        if os.path.exists(p)
    ]
    raise RuntimeError(f"read nothing; also visible: {readable}")
