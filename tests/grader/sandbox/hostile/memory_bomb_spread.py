"""A memory bomb spread over many processes: 16 children each hold 128 MB (2 GB in all), each
within the per-process limit. Only a bound over all of the child's processes together (a
memory cgroup) stops it: the number held at once must stay within the 512 MB limit."""

import os
import time

import numpy as np

EXPECT = {
    "patch": "layers.py",
    "hostile": ["fc.affine_forward"],
    "still_pass": ["fc.relu_forward"],
    "status": ["error"],
    "feedback": r"held \d+ MB|SIGKILL|exited",
    "limits": {"memory_bytes": 536870912},
    "reduced_needs": "cgroup",
    "slow": True,
}
PARAMS: dict = {}


def affine_forward(x, w, b):
    read_end, write_end = os.pipe()
    children = []
    for _ in range(16):
        pid = os.fork()
        if pid == 0:
            try:
                block = np.ones(2**24)  # 128 MB, touched
                os.write(write_end, b"x")
                time.sleep(30 + float(block[0]))
            finally:
                os._exit(0)
        children.append(pid)
    os.close(write_end)
    time.sleep(3)
    os.set_blocking(read_end, False)
    try:
        held = len(os.read(read_end, 64))
    except BlockingIOError:
        held = 0
    alive = 0
    for pid in children:  # a killed child is a zombie until reaped: reap it, do not count it
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                alive += 1
        except ChildProcessError:
            pass
    holding = min(held, alive)
    raise RuntimeError(f"held {128 * holding} MB")
