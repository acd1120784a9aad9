"""How the child process is confined: the bubblewrap command line, process bounds and rlimits.

Under bubblewrap the child sees a read-only Python runtime, a read-only copy of the submission
(mounted at ``/submission``), a small private tmpfs at ``/tmp`` (the only writable place: the
root and ``/dev`` are read-only, so nothing it writes can fill the machine's memory), no network,
its own user and PID namespaces without capabilities, and nothing of the grader, the reference
solutions or other submissions. Killing the namespace's first process kills everything in it.

Where bubblewrap is not available the child still runs with rlimits, and ``Isolation.reduced``
says so. Two facts shape the process bound: RLIMIT_NPROC counts every task of the real user (not
only the child's), and it never applies to root, not even inside a user namespace. So the limit is
set relative to the user's current count, and where the grader may create a pids cgroup (root, or
a delegated cgroup) that cgroup is the hard bound and the list of what to kill afterwards.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import itertools
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SANDBOX_ROOT = "/submission"
CGROUP_PREFIX = "scratchnet-"
_PR_SET_PDEATHSIG = 1
_cgroup_names = itertools.count()


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


@dataclass(frozen=True)
class Isolation:
    """What confinement a grading run actually had, reported in the results."""

    sandbox: str
    reduced: bool
    note: str


def _probe(bwrap: str, extra: list[str]) -> bool:
    base = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--new-session"]
    base += ["--proc", "/proc", "--dev", "/dev", "--cap-drop", "ALL"]
    try:
        probe = subprocess.run(base + extra + ["true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@functools.lru_cache(maxsize=4)
def bwrap_features(bwrap: str) -> frozenset[str]:
    """Optional hardening this bubblewrap supports: ``userns`` (no nested user namespaces) and
    ``size`` (a size-limited tmpfs); older versions lack them."""
    optional = {
        "userns": ["--unshare-user", "--disable-userns"],
        "size": ["--size", "1048576", "--tmpfs", "/tmp"],
    }
    return frozenset(name for name, flags in optional.items() if _probe(bwrap, flags))


@functools.lru_cache(maxsize=4)
def _works(bwrap: str) -> bool:
    return _probe(bwrap, [])


def find_bwrap() -> str | None:
    """Path of a working bubblewrap, or None (missing, or user namespaces are not allowed)."""
    path = shutil.which("bwrap")
    if path is None or not _works(path):
        return None
    return path


def describe(bwrap: str | None) -> Isolation:
    processes = (
        "processes bounded by a pids cgroup"
        if pids_cgroup_parent()
        else "process count bounded by RLIMIT_NPROC"
        if os.getuid() != 0
        else "process count not bounded (root without a pids cgroup), only the time limit"
    )
    if bwrap:
        return Isolation(
            "bubblewrap",
            False,
            "student code ran under bubblewrap: no network, read-only runtime, "
            "private /tmp, own PID namespace, no view of the grader or the solutions; " + processes,
        )
    return Isolation(
        "rlimits-only",
        True,
        "isolation reduced: bubblewrap is not available, so student code ran "
        "with resource limits only (it could read files the grader can read, use the "
        "network and signal the grader's processes); " + processes,
    )


def _runtime_paths() -> list[str]:
    """Directories the interpreter and its installed packages need, read-only."""
    candidates = {
        sys.base_prefix,
        sys.prefix,
        # The interpreter may be a symlink living outside both prefixes.
        os.path.dirname(sys.executable),
        os.path.dirname(os.path.realpath(sys.executable)),
        "/usr",
        "/lib",
        "/lib64",
        "/bin",
        "/sbin",
        "/etc/ld.so.cache",
        "/etc/alternatives",
    }
    for path in sys.path:
        if path and ("site-packages" in path or "dist-packages" in path):
            candidates.add(path)
    existing = sorted(p for p in candidates if os.path.exists(p))
    # Keep only outermost directories so binds do not shadow each other.
    outer = [p for p in existing if not any(p != q and Path(p).is_relative_to(q) for q in existing)]
    return outer


def _hidden_packages(bound: list[str]) -> list[str]:
    """Copies of the grader and the solutions that a bound directory would expose.

    Every copy on the interpreter's path is hidden, not only the one that imports first. A copy
    in a source checkout (not in site-packages) hides the whole checkout: its tests, history and
    catalog are as secret as the package itself.
    """
    locations: set[Path] = set()
    for name in ("solutions", "grader"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            locations.update(Path(p) for p in spec.submodule_search_locations)
        for entry in sys.path:
            if entry and Path(entry, name).is_dir():
                locations.add(Path(entry, name))
    hidden = set()
    for location in locations:
        location = location.resolve()
        if not any(location.is_relative_to(b) for b in bound):
            continue
        hidden.add(location)
        if not location.parent.name.endswith(("site-packages", "dist-packages")):
            hidden.add(location.parent)
    # Hide outermost paths only: a tmpfs over a path also hides everything below it.
    return sorted(str(p) for p in hidden if not any(p != q and p.is_relative_to(q) for q in hidden))


def bwrap_command(bwrap: str, workdir: Path, inner: list[str], tmp_bytes: int = 0) -> list[str]:
    """Wrap ``inner`` (run with ``workdir`` visible at SANDBOX_ROOT) in bubblewrap.

    ``tmp_bytes`` sizes the private ``/tmp`` (where the bubblewrap supports it; otherwise ``/tmp``
    is read-only, so nothing the child writes can fill the machine's memory).
    """
    features = bwrap_features(bwrap)
    bound = _runtime_paths()
    cmd = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if "userns" in features:
        cmd += ["--unshare-user", "--disable-userns"]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    if tmp_bytes and "size" in features:
        cmd += ["--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    else:
        cmd += ["--tmpfs", "/tmp", "--remount-ro", "/tmp"]
    for path in bound:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        else:
            cmd += ["--ro-bind", path, path]
    for path in _hidden_packages(bound):
        cmd += ["--tmpfs", path, "--remount-ro", path]
    cmd += ["--ro-bind", str(workdir), SANDBOX_ROOT]
    cmd += ["--remount-ro", "/"]  # the root is a tmpfs too; only the sized /tmp stays writable
    cmd += [
        "--chdir",
        "/tmp",
        "--clearenv",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "OPENBLAS_NUM_THREADS",
        "1",
        "--setenv",
        "OMP_NUM_THREADS",
        "1",
        "--setenv",
        "MPLBACKEND",
        "Agg",
        "--setenv",
        "MPLCONFIGDIR",
        "/tmp",
    ]
    return cmd + ["--", *inner]


def child_env(home: Path | None = None) -> dict[str, str]:
    """Environment for an unsandboxed child: minimal, single-threaded BLAS; ``home`` (a private
    folder in the grader's scratch directory) serves as HOME, TMPDIR and working directory."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }
    if home is not None:
        env.update(HOME=str(home), TMPDIR=str(home), MPLCONFIGDIR=str(home))
    return env


# ---------------------------------------------------------------------------------------------
# Process bounds


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
        if fstype == "cgroup" and "pids" in options.split(","):
            mine = own.get("pids")
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
            if "pids" not in enabled:
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
