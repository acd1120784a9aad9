"""What is applied to processes: the limits in the forked child before it runs anything,
and the grader's own hardening (not dumpable, so a child cannot trace it).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

from grader.sandbox.cgroups import PidsCgroup
from grader.sandbox.limits import Limits

_PR_SET_PDEATHSIG = 1


_PR_SET_DUMPABLE = 4


def _threads() -> list[int]:
    try:
        return sorted(int(t) for t in os.listdir("/proc/self/task"))
    except (OSError, ValueError):
        return [os.getpid()]


def harden_parent() -> bool:
    """Make the grader not dumpable: a process of the same user can then neither ptrace it nor
    read its memory or environment through /proc. False where prctl is not available."""
    if _PRCTL is None:
        return False
    return _PRCTL(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()  # resolved at import: nothing is loaded in the forked child


def apply_limits(
    limits: Limits, nproc: int | None = None, cgroup: PidsCgroup | None = None
) -> None:
    """preexec_fn: new session, pids cgroup, death with the grader, rlimits for all it starts."""
    parent = os.getppid()
    os.setsid()
    if cgroup is not None:
        try:
            cgroup.enter()
        except OSError:
            pass  # the other bounds still hold
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the grader died before the request took effect
            os._exit(1)
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NPROC, nproc),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        if value is None:
            continue
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a limit the platform refuses is reported by the isolation note, not fatal
