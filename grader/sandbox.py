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
import json
import os
import pwd
import resource
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SANDBOX_ROOT = "/submission"
CGROUP_PREFIX = "scratchnet-"
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
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
    """What confinement a grading run actually had, reported in the results (for instructors:
    never shown to students). ``layers`` lists every layer with whether it applied and how."""

    sandbox: str
    reduced: bool
    note: str
    layers: tuple = ()

    def as_dict(self) -> dict:
        return {
            "sandbox": self.sandbox,
            "reduced": self.reduced,
            "note": self.note,
            "layers": [dict(layer) for layer in self.layers],
        }


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


def _layer(name: str, applied: bool, detail: str) -> dict:
    return {"name": name, "applied": bool(applied), "detail": detail}


def describe(
    bwrap: str | None,
    confinement: dict | None = None,
    account: Account | None = None,
    exposed: list[str] | None = None,
    cgroups: dict | None = None,
    unreadable: list[str] | None = None,
) -> Isolation:
    """The isolation a run had. Without bubblewrap, ``confinement`` is what the child reported in
    its handshake (layers applied and unavailable), ``account`` the user it ran as (root only),
    ``exposed`` the secret paths that user could still read, ``cgroups`` which bounds were made."""
    if cgroups is None:  # not measured by a child start: what could be made here
        cgroups = {name: cgroup_parent(name) is not None for name in ("pids", "memory")}
    processes = (
        "processes bounded by a pids cgroup"
        if cgroups.get("pids")
        else "process count bounded by RLIMIT_NPROC"
        if os.getuid() != 0 or account is not None
        else "process count not bounded (root without a pids cgroup), only the time limit"
    )
    memory = (
        "memory bounded over all its processes by a memory cgroup"
        if cgroups.get("memory")
        else "memory bounded per process only (RLIMIT_AS; no memory cgroup could be made)"
    )
    if bwrap:
        layers = (
            _layer("bubblewrap", True, "no network, read-only runtime, private /tmp, own PID "
                   "namespace, no view of the grader or the solutions"),
            _layer("memory_cgroup", bool(cgroups.get("memory")), memory),
            _layer("pids_cgroup", bool(cgroups.get("pids")), processes),
            _layer("rlimits", True, "memory, CPU, processes, file size, open files"),
        )
        return Isolation(
            "bubblewrap",
            False,
            "student code ran under bubblewrap: no network, read-only runtime, "
            "private /tmp, own PID namespace, no view of the grader or the solutions; "
            + processes + "; " + memory,
            layers,
        )
    confinement = confinement or {}
    applied = confinement.get("applied", {})
    unavailable = confinement.get("unavailable", {})

    def reported(name: str) -> dict:
        if name in applied:
            return _layer(name, True, applied[name])
        return _layer(name, False, unavailable.get(name, "not attempted"))

    layers = [_layer("bubblewrap", False, "not available (missing, or no user namespaces)")]
    if account is not None:
        detail = (f"ran as {account.name} (uid {account.uid}), its own session and process "
                  "group; it cannot signal or trace the grader")
        if unreadable:
            detail += ("; WARNING: it cannot read the Python runtime at " + ", ".join(unreadable)
                       + " (install Python where every user can read it): student code "
                       "importing modules the grader did not import first fails")
        layers.append(_layer("user", "user" in applied, detail))
        layers.append(_layer(
            "file_permissions", not exposed,
            "the grader, the solutions and the catalog are unreadable by that user"
            if not exposed else "READABLE by the sandbox user (run `python -m grader.sandbox "
            "--protect` as root): " + ", ".join(exposed)))
    else:
        layers.append(_layer("user", False, "ran as the grader's own user (the grader is not "
                             "root, or lacks CAP_SETUID: no other user to switch to)"))
    layers += [reported("no_new_privs"), reported("landlock"), reported("seccomp")]
    layers += [
        _layer("memory_cgroup", bool(cgroups.get("memory")), memory),
        _layer("pids_cgroup", bool(cgroups.get("pids")), processes),
        _layer("parent_not_dumpable", _PRCTL is not None,
               "the grader is not dumpable: a process of the same user cannot trace it"),
        _layer("rlimits", True, "memory, CPU, processes, file size, open files per process"),
    ]
    gaps = []
    fs_closed = "landlock" in applied or (account is not None and not exposed)
    if not fs_closed:
        gaps.append("read any file the grader's user can read (the solutions included)"
                    if account is None else "read " + ", ".join(exposed or ["the solutions"]))
    if "landlock" not in applied and account is None:
        gaps.append("write or delete files the grader's user can write")
    if "seccomp" not in applied:
        gaps.append("use the network")
    if account is None:
        gaps.append("signal other processes of the grader's user"
                    + (" (not the grader itself: seccomp)" if "seccomp" in applied else ""))
    if not cgroups.get("memory"):
        gaps.append("use the memory limit once in each of its processes")
    names = [layer["name"] for layer in layers if layer["applied"]]
    note = "isolation reduced: bubblewrap is not available; layers applied: " + ", ".join(names)
    if unreadable:
        note += "; WARNING: the sandbox user cannot read the Python runtime at " + ", ".join(
            unreadable)
    note += ("; student code could still " + "; ".join(gaps)) if gaps else ""
    return Isolation("layered", True, note + "; " + processes, tuple(layers))


# ---------------------------------------------------------------------------------------------
# Without bubblewrap: the sandbox user, the secrets it must not read, and the child's policy

SANDBOX_USER = "scratchnet-sandbox"
SANDBOX_USER_ENV = "SCRATCHNET_SANDBOX_USER"
# More paths the child must not read (os.pathsep-separated), e.g. Gradescope's source folder.
SECRET_PATHS_ENV = "SCRATCHNET_SECRET_PATHS"
# Imported by the child before it drops to the sandbox user: on a machine whose runtime that
# user cannot read (an interpreter under /root), these still work afterwards.
PREIMPORT = (
    "numpy", "numpy.lib.stride_tricks", "numpy.testing", "numpy.random", "numpy.linalg",
    "numpy.fft", "numpy.polynomial", "numpy.ma", "math", "copy", "pickle", "inspect",
    "warnings",
    "pathlib", "collections", "collections.abc", "functools", "itertools", "random", "time",
    "json", "runpy", "pkgutil", "importlib", "importlib.util", "importlib.machinery",
    "traceback", "linecache", "tokenize", "struct", "io", "re", "operator", "numbers",
    "contextlib", "dataclasses", "typing", "textwrap", "string", "types", "weakref", "abc",
    "enum", "heapq", "bisect", "statistics", "decimal", "fractions", "datetime", "gc", "zlib",
    "binascii", "base64", "hashlib", "select", "signal", "errno", "ctypes", "ctypes.util", "glob",
    "secrets", "hmac", "threading", "queue", "platform", "sysconfig", "shutil", "tempfile",
    "unittest", "unittest.mock", "importlib.metadata", "cProfile", "pstats", "profile", "timeit",
    "pyseccomp", "landlock",
)


@dataclass(frozen=True)
class Account:
    """The unprivileged user the child runs as when the grader is root."""

    uid: int
    gid: int
    name: str


@functools.lru_cache(maxsize=1)
def sandbox_account() -> Account | None:
    """The sandbox user (``scratchnet-sandbox``, or the name in ``SCRATCHNET_SANDBOX_USER``),
    created as a system user without a home or shell if missing; ``nobody`` if it cannot be
    created; None when the grader is not root (then there is no other user to switch to)."""
    if os.getuid() != 0 or not _can_switch_user():
        return None
    name = os.environ.get(SANDBOX_USER_ENV) or SANDBOX_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        try:
            subprocess.run(
                [useradd, "--system", "--user-group", "--no-create-home", "--home-dir",
                 "/nonexistent", "--shell", "/usr/sbin/nologin", name],
                capture_output=True, timeout=30, check=False,
            )
            entry = pwd.getpwnam(name)
        except (OSError, subprocess.TimeoutExpired, KeyError):
            try:
                entry = pwd.getpwnam("nobody")
            except KeyError:
                return Account(65534, 65534, "nobody")
    if entry.pw_uid == 0:
        raise RuntimeError(f"the sandbox user {name} is root")
    return Account(entry.pw_uid, entry.pw_gid, entry.pw_name)


def unreadable_runtime(account: Account | None) -> list[str]:
    """Parts of the Python runtime the sandbox user cannot read (a standard library or
    site-packages under a private folder, such as /root). The child imports what the child loop
    needs before it switches user, but a module student code imports later fails there."""
    if account is None:
        return []
    probes = {}
    for name in ("stdlib", "purelib", "platlib"):
        folder = sysconfig.get_path(name)
        if folder and os.path.isdir(folder):
            probes[folder] = next(
                (str(e) for e in sorted(Path(folder).iterdir()) if e.suffix == ".py"), folder)
    readable = set(exposed_to(account, sorted(set(probes.values()))))
    return sorted({folder for folder, probe in probes.items() if probe not in readable})


def module_level_imports(folder: Path, skip: Iterable[str] = ()) -> list[str]:
    """Top-level names of the absolute imports that the modules under ``folder`` (the pristine,
    grader-owned skeleton: never student code) make when they are imported, and that are
    installed; ``skip``: file names left out (a module the graded questions never import).
    Where the sandbox user cannot read the runtime, the child imports these before it switches
    user (``torch`` imports standard modules of its own)."""
    import ast  # noqa: PLC0415

    names: set[str] = set()
    sources = [p for p in sorted(Path(folder).rglob("*.py")) if p.name not in set(skip)]
    for path in sources:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        stack = list(tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, (ast.If, ast.Try)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, field, []):
                        stack.extend(child.body if isinstance(child, ast.ExceptHandler)
                                     else [child])
    local = {p.stem for p in Path(folder).glob("*.py")} | {Path(folder).name}
    found = sorted(n for n in names - local
                   if n not in sys.builtin_module_names and importlib.util.find_spec(n))
    # Submodules the skeleton reaches as attributes (``torch.optim.SGD``): they import more.
    dotted: set[str] = set()
    for path in sources:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id in found and len(parts) >= 1:
                dotted.add(f"{node.id}.{parts[-1]}")
    for name in sorted(dotted):
        try:
            if importlib.util.find_spec(name) is not None:
                found.append(name)
        except (ImportError, ValueError, AttributeError):
            continue
    return found


def _can_switch_user() -> bool:
    """Whether this process holds CAP_SETUID and CAP_SETGID (root in a container may not)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                caps = int(line.split()[1], 16)
                return bool(caps & (1 << 6)) and bool(caps & (1 << 7))
    except (OSError, ValueError, IndexError):
        pass
    return True  # no /proc: let the switch itself fail loudly


def secret_paths(extra: tuple[str, ...] = ()) -> list[str]:
    """What the child must never read: every importable copy of ``grader`` and ``solutions``
    (with the catalog inside ``grader``), the source checkout holding a copy that is not in
    site-packages, and ``extra`` (e.g. Gradescope's ``/autograder/source``)."""
    extra = tuple(extra) + tuple(
        p for p in os.environ.get(SECRET_PATHS_ENV, "").split(os.pathsep) if p)
    locations: set[Path] = {Path(p).resolve() for p in extra if os.path.exists(p)}
    for name in ("solutions", "grader"):
        spec = importlib.util.find_spec(name)
        found = set(spec.submodule_search_locations or []) if spec else set()
        for entry in sys.path:
            if entry and Path(entry, name).is_dir():
                found.add(str(Path(entry, name)))
        for location in found:
            location = Path(location).resolve()
            locations.add(location)
            if not location.parent.name.endswith(("site-packages", "dist-packages")):
                locations.add(location.parent)
    return sorted(str(p) for p in locations
                  if not any(p != q and p.is_relative_to(q) for q in locations))


def exposed_to(account: Account, paths: list[str]) -> list[str]:
    """The ``paths`` of which the sandbox user can open something (a file, or list a folder):
    checked by a forked process that becomes that user and asks the kernel (``access``)."""
    candidates: dict[str, list[str]] = {}
    for top in paths:
        files = [top]
        for folder, dirs, names in os.walk(top):
            files += [os.path.join(folder, d) for d in dirs]
            files += [os.path.join(folder, n) for n in names]
        candidates[top] = files
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked checker
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(account.gid)
            os.setuid(account.uid)
            hits = [top for top, files in candidates.items()
                    if any(os.access(f, os.R_OK) for f in files)]
            os.write(write_end, json.dumps(hits).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    try:
        return json.loads(data)
    except ValueError:
        return list(paths)  # the checker failed: assume the worst


def protect(paths: list[str]) -> list[str]:
    """Make each of ``paths`` unreadable to other users (no read, write or search for group and
    others on the top folder or file: nothing below it can be reached). Returns what changed."""
    changed = []
    for path in paths:
        mode = os.stat(path).st_mode
        if mode & 0o077:
            os.chmod(path, stat.S_IMODE(mode) & ~0o077)
            changed.append(path)
    return changed


def _allowed_beneath(path: Path, hidden: list[Path]) -> list[str]:
    """``path``, or its entries one level at a time, leaving out every hidden location: Landlock
    only grants access beneath a path, it cannot carve a hole under a granted one."""
    inside = [h for h in hidden if h == path or h.is_relative_to(path)]
    if not inside:
        return [str(path)]
    if path in hidden or not path.is_dir() or path.is_symlink():
        return []
    allowed = []
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return []
    for entry in entries:
        allowed += _allowed_beneath(entry, inside)
    return allowed


def confine_policy(
    workdir: Path,
    home: Path,
    account: Account | None,
    secrets: list[str],
    preimport: list[str] = (),
    preimport_stdlib: bool = False,
) -> dict:
    """What ``confine.py`` applies in the child (without bubblewrap); ``preimport``: more
    modules to import before the user switch."""
    hidden = [Path(p).resolve() for p in secrets]
    roots = _runtime_paths() + ["/proc", "/sys/devices/system/cpu", "/dev/null", "/dev/zero",
                                "/dev/urandom", "/dev/random"]
    read = []
    for root in roots:
        if os.path.exists(root):
            read += _allowed_beneath(Path(root), hidden)
    read.append(str(workdir))
    return {
        "uid": account.uid if account else None,
        "gid": account.gid if account else None,
        "parent": os.getpid(),
        "parent_pgid": os.getpgid(0),
        "parent_threads": _threads(),
        "read": read,
        "write": [str(home), "/dev/null"],
        "preimport": list(PREIMPORT) + [m for m in preimport if m not in PREIMPORT],
        "preimport_stdlib": preimport_stdlib,
    }


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
                else [("memory.limit_in_bytes", memory, True),
                      ("memory.memsw.limit_in_bytes", memory, False)]
            )
            if v2 and pids is not None and pids.path.parent == parent:
                # One cgroup v2 hierarchy: the pids cgroup takes the memory bound too.
                kinds["memory"] = all(
                    _write_ok(pids.path / name, value) for name, value, req in settings if req)
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


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.sandbox --check|--protect [PATH ...]``: as root, report (or make)
    the grader, the solutions, the catalog and PATHs unreadable by the sandbox user."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("--check", "--protect"):
        print(__doc__.split("\n")[0] + "\nusage: python -m grader.sandbox --check|--protect "
              "[PATH ...]", file=sys.stderr)
        return 2
    account = sandbox_account()
    if account is None:
        print("not root: the child runs as your own user; nothing to check", file=sys.stderr)
        return 0
    secrets = secret_paths(tuple(args[1:]))
    if args[0] == "--protect":
        for path in protect(secrets):
            print(f"made unreadable to other users: {path}")
    exposed = exposed_to(account, secrets)
    for path in exposed:
        print(f"READABLE by {account.name}: {path}", file=sys.stderr)
    if not exposed:
        print(f"unreadable by {account.name}: " + ", ".join(secrets))
    return 1 if exposed else 0


if __name__ == "__main__":
    sys.exit(main())
