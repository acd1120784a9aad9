"""Resource limits of the child, and the process bound they come to.

RLIMIT_NPROC counts every task of the real user (not only the child's) and never applies to
root, not even inside a user namespace: the limit is set relative to the user's current count,
and a pids cgroup, where one can be made, is the hard bound.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to the child (and everything it starts).

    ``file_bytes`` bounds one written file and, under bubblewrap, the whole private ``/tmp``.
    ``processes`` counts tasks (threads included) in the pids cgroup, or on top of what the user
    already runs for RLIMIT_NPROC.
    """

    memory_bytes: int = 3 * 2**30
    cpu_seconds: int = 900
    processes: int = 64
    file_bytes: int = 64 * 2**20
    open_files: int = 256


def _user_tasks() -> int | None:
    """Tasks (threads) the real user runs now, as RLIMIT_NPROC counts them; None without /proc."""
    uid = os.getuid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    total = 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            status = Path("/proc", entry, "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        try:
            if int(fields["Uid"].split()[0]) == uid:
                total += int(fields["Threads"])
        except (KeyError, ValueError, IndexError):
            continue
    return total


def nproc_limit(limits: Limits) -> int | None:
    """The RLIMIT_NPROC that leaves the child ``limits.processes`` more tasks than the user runs
    now (the limit counts all of them); None where the count is unknown (leave it alone)."""
    if os.getuid() == 0:
        return limits.processes  # root is exempt; set anyway for the record
    running = _user_tasks()
    return None if running is None else running + limits.processes
