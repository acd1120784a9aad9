"""Control groups for the child: a pids cgroup bounds (and lists, to kill) every process it
starts; a memory cgroup bounds all of them together.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

from grader.sandbox.limits import Limits

CGROUP_PREFIX = "scratchnet-"


_cgroup_names = itertools.count()


def _own_cgroups() -> dict[str, str]:
    """``{"pids": path}`` (cgroup v1) and/or ``{"": path}`` (cgroup v2) of this process."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    return own


def pids_cgroup_parent() -> Path | None:
    """A writable cgroup directory with the pids controller under which the child's own cgroup
    can be made, or None (not Linux, not root and not delegated, cgroupfs read-only)."""
    return cgroup_parent("pids")


def cgroup_parent(controller: str) -> Path | None:
    """A writable cgroup directory with ``controller`` (``pids``, ``memory``) under which the
    child's own cgroup can be made, or None."""
    try:
        own = _own_cgroups()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except (OSError, ValueError):
        return None
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        root, mount_point, fstype, options = fields[3], fields[4], tail[0], tail[2]
        if fstype == "cgroup" and controller in options.split(","):
            mine = own.get(controller)
        elif fstype == "cgroup2":
            mine = own.get("")
        else:
            continue
        if mine is None or not Path(mine).is_relative_to(root):
            continue
        parent = Path(mount_point) / Path(mine).relative_to(root)
        if fstype == "cgroup2":
            try:
                enabled = (parent / "cgroup.subtree_control").read_text().split()
            except OSError:
                continue
            if controller not in enabled:
                continue
        if os.access(parent, os.W_OK) and (parent / "cgroup.procs").exists():
            return parent
    return None


class PidsCgroup:
    """One child's pids cgroup: a hard bound on its processes that holds for root too, and the
    complete list of what to kill afterwards, whatever sessions or groups they moved to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._procs = str(path / "cgroup.procs").encode()

    @classmethod
    def create(cls, limit: int) -> PidsCgroup | None:
        parent = pids_cgroup_parent()
        if parent is None:
            return None
        _remove_stale(parent)
        path = parent / f"{CGROUP_PREFIX}{os.getpid()}-{next(_cgroup_names)}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
        except OSError:
            _rmdir(path)
            return None
        return cls(path)

    def enter(self) -> None:
        """Move the calling process in (a preexec_fn: no allocation-heavy work, no imports)."""
        fd = os.open(self._procs, os.O_WRONLY)
        try:
            os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> bool:
        """SIGKILL every process in the cgroup until none is left; False if some survive."""
        for _ in range(400):
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.005)
        return not self.pids()

    def remove(self) -> None:
        self.kill_all()
        _rmdir(self.path)


def _make_cgroup(parent: Path, settings: list[tuple[str, str, bool]]) -> Path | None:
    """A new cgroup under ``parent`` with ``settings`` (file, value, required) written in order;
    None if it cannot be made or a required setting is refused."""
    _remove_stale(parent)
    path = parent / f"{CGROUP_PREFIX}{os.getpid()}-{next(_cgroup_names)}"
    try:
        path.mkdir()
    except OSError:
        return None
    for name, value, required in settings:
        try:
            (path / name).write_text(value)
        except OSError:
            if required:
                _rmdir(path)
                return None
    return path


class ChildCgroups:
    """All the cgroups of one child: pids (the process bound, and the list of what to kill) and
    memory (one bound over all its processes together, where a memory cgroup can be made)."""

    def __init__(self, groups: list[PidsCgroup], kinds: dict[str, bool]) -> None:
        self.groups = groups
        self.kinds = kinds

    @classmethod
    def create(cls, limits: Limits) -> ChildCgroups:
        groups, kinds = [], {"pids": False, "memory": False}
        pids = PidsCgroup.create(limits.processes)
        if pids is not None:
            groups.append(pids)
            kinds["pids"] = True
        parent = cgroup_parent("memory")
        if parent is not None:
            v2 = (parent / "cgroup.subtree_control").exists()
            memory = str(limits.memory_bytes)
            settings = (
                [("memory.max", memory, True), ("memory.swap.max", "0", False)]
                if v2
                else [
                    ("memory.limit_in_bytes", memory, True),
                    ("memory.memsw.limit_in_bytes", memory, False),
                ]
            )
            if v2 and pids is not None and pids.path.parent == parent:
                # One cgroup v2 hierarchy: the pids cgroup takes the memory bound too.
                kinds["memory"] = all(
                    _write_ok(pids.path / name, value) for name, value, req in settings if req
                )
                for name, value, req in settings:
                    if not req:
                        _write_ok(pids.path / name, value)
            else:
                path = _make_cgroup(parent, settings)
                if path is not None:
                    groups.append(PidsCgroup(path))
                    kinds["memory"] = True
        return cls(groups, kinds)

    def enter(self) -> None:
        """preexec_fn: move the calling process into every cgroup (no imports, no allocation)."""
        for group in self.groups:
            group.enter()

    def pids(self) -> list[int]:
        return sorted({pid for group in self.groups for pid in group.pids()})

    def remove(self) -> None:
        for group in self.groups:
            group.remove()
        self.groups = []


def _write_ok(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def _rmdir(path: Path) -> None:
    for _ in range(100):  # a killed process leaves its cgroup a moment after it dies
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def _remove_stale(parent: Path) -> None:
    """Remove cgroups left by graders that were killed before they could clean up."""
    for path in parent.glob(f"{CGROUP_PREFIX}*"):
        try:
            os.kill(int(path.name[len(CGROUP_PREFIX) :].split("-")[0]), 0)
        except ProcessLookupError:
            PidsCgroup(path).remove()
        except (ValueError, PermissionError):
            pass
