"""Without bubblewrap, as root: the sandbox user, the secrets it must not read, and the
child's confinement policy (seccomp, Landlock) applied by ``grader/inside/confine.py``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.bubblewrap import _runtime_paths
from grader.sandbox.process import _threads

SANDBOX_USER = "scratchnet-sandbox"


SANDBOX_USER_ENV = "SCRATCHNET_SANDBOX_USER"


# More paths the child must not read (os.pathsep-separated), e.g. Gradescope's source folder.
SECRET_PATHS_ENV = "SCRATCHNET_SECRET_PATHS"


# Imported by the child before it drops to the sandbox user: on a machine whose runtime that
# user cannot read (an interpreter under /root), these still work afterwards.
PREIMPORT = (
    "numpy",
    "numpy.lib.stride_tricks",
    "numpy.testing",
    "numpy.random",
    "numpy.linalg",
    "numpy.fft",
    "numpy.polynomial",
    "numpy.ma",
    "math",
    "copy",
    "pickle",
    "inspect",
    "warnings",
    "pathlib",
    "collections",
    "collections.abc",
    "functools",
    "itertools",
    "random",
    "time",
    "json",
    "runpy",
    "pkgutil",
    "importlib",
    "importlib.util",
    "importlib.machinery",
    "traceback",
    "linecache",
    "tokenize",
    "struct",
    "io",
    "re",
    "operator",
    "numbers",
    "contextlib",
    "dataclasses",
    "typing",
    "textwrap",
    "string",
    "types",
    "weakref",
    "abc",
    "enum",
    "heapq",
    "bisect",
    "statistics",
    "decimal",
    "fractions",
    "datetime",
    "gc",
    "zlib",
    "binascii",
    "base64",
    "hashlib",
    "select",
    "signal",
    "errno",
    "ctypes",
    "ctypes.util",
    "glob",
    "secrets",
    "hmac",
    "threading",
    "queue",
    "platform",
    "sysconfig",
    "shutil",
    "tempfile",
    "unittest",
    "unittest.mock",
    "importlib.metadata",
    "cProfile",
    "pstats",
    "profile",
    "timeit",
    "pyseccomp",
    "landlock",
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
                [
                    useradd,
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    name,
                ],
                capture_output=True,
                timeout=30,
                check=False,
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
                (str(e) for e in sorted(Path(folder).iterdir()) if e.suffix == ".py"), folder
            )
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
                        stack.extend(
                            child.body if isinstance(child, ast.ExceptHandler) else [child]
                        )
    local = {p.stem for p in Path(folder).glob("*.py")} | {Path(folder).name}
    found = sorted(
        n
        for n in names - local
        if n not in sys.builtin_module_names and importlib.util.find_spec(n)
    )
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
        p for p in os.environ.get(SECRET_PATHS_ENV, "").split(os.pathsep) if p
    )
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
    return sorted(
        str(p) for p in locations if not any(p != q and p.is_relative_to(q) for q in locations)
    )


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
            hits = [
                top
                for top, files in candidates.items()
                if any(os.access(f, os.R_OK) for f in files)
            ]
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
    roots = _runtime_paths() + [
        "/proc",
        "/sys/devices/system/cpu",
        "/dev/null",
        "/dev/zero",
        "/dev/urandom",
        "/dev/random",
    ]
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
