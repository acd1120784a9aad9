"""The bubblewrap command line: what the child sees and the environment it runs with.

Under bubblewrap the child sees a read-only Python runtime, a read-only copy of the submission
(mounted at ``/submission``), a small private tmpfs at ``/tmp``, no network, its own user and
PID namespaces without capabilities, and nothing of the grader, the reference solutions or
other submissions. Killing the namespace's first process kills everything in it.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

SANDBOX_ROOT = "/submission"


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
