"""What confinement a grading run actually had: the layers, and the note for instructors."""

from __future__ import annotations

import os
from dataclasses import dataclass

from grader.sandbox.account import Account
from grader.sandbox.cgroups import cgroup_parent
from grader.sandbox.process import _PRCTL


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
            _layer(
                "bubblewrap",
                True,
                "no network, read-only runtime, private /tmp, own PID "
                "namespace, no view of the grader or the solutions",
            ),
            _layer("memory_cgroup", bool(cgroups.get("memory")), memory),
            _layer("pids_cgroup", bool(cgroups.get("pids")), processes),
            _layer("rlimits", True, "memory, CPU, processes, file size, open files"),
        )
        return Isolation(
            "bubblewrap",
            False,
            "student code ran under bubblewrap: no network, read-only runtime, "
            "private /tmp, own PID namespace, no view of the grader or the solutions; "
            + processes
            + "; "
            + memory,
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
        detail = (
            f"ran as {account.name} (uid {account.uid}), its own session and process "
            "group; it cannot signal or trace the grader"
        )
        if unreadable:
            detail += (
                "; WARNING: it cannot read the Python runtime at "
                + ", ".join(unreadable)
                + " (install Python where every user can read it): student code "
                "importing modules the grader did not import first fails"
            )
        layers.append(_layer("user", "user" in applied, detail))
        layers.append(
            _layer(
                "file_permissions",
                not exposed,
                "the grader, the solutions and the catalog are unreadable by that user"
                if not exposed
                else "READABLE by the sandbox user (run `python -m grader.sandbox "
                "--protect` as root): " + ", ".join(exposed),
            )
        )
    else:
        layers.append(
            _layer(
                "user",
                False,
                "ran as the grader's own user (the grader is not "
                "root, or lacks CAP_SETUID: no other user to switch to)",
            )
        )
    layers += [reported("no_new_privs"), reported("landlock"), reported("seccomp")]
    layers += [
        _layer("memory_cgroup", bool(cgroups.get("memory")), memory),
        _layer("pids_cgroup", bool(cgroups.get("pids")), processes),
        _layer(
            "parent_not_dumpable",
            _PRCTL is not None,
            "the grader is not dumpable: a process of the same user cannot trace it",
        ),
        _layer("rlimits", True, "memory, CPU, processes, file size, open files per process"),
    ]
    gaps = []
    fs_closed = "landlock" in applied or (account is not None and not exposed)
    if not fs_closed:
        gaps.append(
            "read any file the grader's user can read (the solutions included)"
            if account is None
            else "read " + ", ".join(exposed or ["the solutions"])
        )
    if "landlock" not in applied and account is None:
        gaps.append("write or delete files the grader's user can write")
    if "seccomp" not in applied:
        gaps.append("use the network")
    if account is None:
        gaps.append(
            "signal other processes of the grader's user"
            + (" (not the grader itself: seccomp)" if "seccomp" in applied else "")
        )
    if not cgroups.get("memory"):
        gaps.append("use the memory limit once in each of its processes")
    names = [layer["name"] for layer in layers if layer["applied"]]
    note = "isolation reduced: bubblewrap is not available; layers applied: " + ", ".join(names)
    if unreadable:
        note += "; WARNING: the sandbox user cannot read the Python runtime at " + ", ".join(
            unreadable
        )
    note += ("; student code could still " + "; ".join(gaps)) if gaps else ""
    return Isolation("layered", True, note + "; " + processes, tuple(layers))
