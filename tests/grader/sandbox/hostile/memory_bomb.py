"""A bounded memory bomb: touch 64 MB blocks until allocation fails (at most 4 GB)."""

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"allocated \d+ MB",
    "limits": {"memory_bytes": 536870912},
    "at_most": [r"allocated (\d+) MB", 512],
    "slow": True,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    blocks = []
    try:
        for _ in range(64):
            blocks.append(np.ones(2**23))
    except MemoryError:
        pass
    allocated = 64 * len(blocks)
    del blocks
    raise RuntimeError(f"allocated {allocated} MB")
