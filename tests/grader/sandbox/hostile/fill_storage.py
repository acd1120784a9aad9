"""Fill every writable place with 1 MB files (at most 1 GB): the sandbox's root and /dev are
tmpfs, in memory, so only the small private /tmp may take anything."""

import os
import tempfile

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"wrote \d+ MB",
    "needs": "bwrap",
    "limits": {"file_bytes": 8388608},
    "at_most": [r"wrote (\d+) MB", 8],
}
PARAMS: dict = {}
BLOCK = b"\0" * 2**20


def affine_forward(x, w, b):
    folders = ["/", "/dev", "/dev/shm", "/submission", os.getcwd(), tempfile.gettempdir()]
    written = 0
    for number, folder in enumerate(folders):
        for i in range(1024 - written):
            try:
                with open(os.path.join(folder, f"fill-{number}-{i}"), "wb") as fh:
                    fh.write(BLOCK)
            except OSError:
                break
            written += 1
    raise RuntimeError(f"wrote {written} MB")
