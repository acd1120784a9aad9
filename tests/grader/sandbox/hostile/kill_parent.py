"""Kill the process that started the child, and the grader itself if it can be found.

The grader is recognised by the test's unique marker in its command line, so this code can
only ever hit the throwaway grader process the test starts, never the test runner."""

import os
import signal

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"signalled \[1\]; still here",
    "needs": "bwrap",
    "throwaway": True,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    targets = {os.getppid()}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if PARAMS["marker"].encode() in fh.read():
                    targets.add(int(entry))
        except (OSError, ValueError):
            pass
    for pid in targets:
        for sig in (signal.SIGKILL, signal.SIGTERM):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    raise RuntimeError(f"signalled {sorted(targets)}; still here")
