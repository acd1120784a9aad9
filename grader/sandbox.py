"""How the child process is confined: the bubblewrap command line and the resource limits.

Under bubblewrap the child sees a read-only Python runtime, a read-only copy of the submission
(mounted at ``/submission``), a private tmpfs at ``/tmp``, no network, its own PID namespace,
and nothing of the grader, the reference solutions or other submissions. Where bubblewrap is not
available the child still runs with rlimits, and ``Isolation.reduced`` says so.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SANDBOX_ROOT = "/submission"


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to the child (and everything it starts)."""

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


def find_bwrap() -> str | None:
    """Path of a working bubblewrap, or None (missing, or user namespaces are not allowed)."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = subprocess.run(
        [path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
        capture_output=True,
        timeout=20,
    )
    return path if probe.returncode == 0 else None


def describe(bwrap: str | None) -> Isolation:
    if bwrap:
        return Isolation(
            "bubblewrap",
            False,
            "student code ran under bubblewrap: no network, read-only runtime, "
            "private /tmp, no view of the grader or the solutions",
        )
    return Isolation(
        "rlimits-only",
        True,
        "isolation reduced: bubblewrap is not available, so student code ran "
        "with resource limits only (it could read files the grader can read)",
    )


def _runtime_paths() -> list[str]:
    """Directories the interpreter and its installed packages need, read-only."""
    candidates = {
        sys.base_prefix,
        sys.prefix,
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
    """Installed copies of the grader and the solutions that a bound directory would expose."""
    hidden = []
    for name in ("solutions", "grader"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            if any(Path(location).is_relative_to(b) for b in bound):
                hidden.append(location)
    return hidden


def bwrap_command(bwrap: str, workdir: Path, inner: list[str]) -> list[str]:
    """Wrap ``inner`` (run with ``workdir`` visible at SANDBOX_ROOT) in bubblewrap."""
    bound = _runtime_paths()
    cmd = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for path in bound:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        else:
            cmd += ["--ro-bind", path, path]
    for path in _hidden_packages(bound):
        cmd += ["--tmpfs", path]
    cmd += [
        "--ro-bind",
        str(workdir),
        SANDBOX_ROOT,
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


def child_env() -> dict[str, str]:
    """Environment for an unsandboxed child: minimal, single-threaded BLAS."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }


def apply_limits(limits: Limits) -> None:
    """preexec_fn: new process group plus rlimits, inherited by everything the child starts."""
    os.setsid()
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a limit the platform refuses is reported by the isolation note, not fatal
