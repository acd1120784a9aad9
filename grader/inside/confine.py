"""Confine this process, then run the grader's child loop (``runner.py``).

Run as ``python -I -B confine.py POLICY.json RUNNER.py ARGS...`` where bubblewrap is not used.
It is grader-owned code that runs before any student file is imported, and it imports nothing
from the grader (it may be unreadable to the sandbox user): only the standard library and the
optional bindings ``pyseccomp`` (libseccomp from the distribution) and ``landlock``.

In order, each layer where the system allows it (what applied goes to the handshake):
1. imports the modules the child loop needs (numpy...), while the runtime is still readable;
2. as root: drops to the sandbox user (no supplementary groups) and re-arms the death signal,
   which the kernel clears on a change of user;
3. ``no_new_privs``: nothing it executes gains privileges (set-user-ID programs included);
4. Landlock: the filesystem shrinks to the runtime (without the grader or the solutions), the
   read-only tree and the private home, the only writable place;
5. seccomp: no sockets but Unix ones (no network), no ptrace, io_uring, bpf, namespaces, mounts.
A layer that the policy requires but that cannot be applied ends the process before the
handshake: the grader then reports that the child could not start (not the student's fault).
"""

import ctypes
import errno
import importlib
import json
import os
import runpy
import signal
import socket
import sys

CONFINEMENT_ENV = "SCRATCHNET_CONFINEMENT"
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
# Refused with EPERM: escapes from the filesystem and network rules, access to other processes.
DENIED_SYSCALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "io_uring_setup",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "kexec_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
    "name_to_handle_at",
)


# Never imported in advance: side effects (a browser, a print, a window) or not for this OS.
STDLIB_SKIP = {
    "antigravity",
    "this",
    "idlelib",
    "tkinter",
    "turtle",
    "turtledemo",
    "lib2to3",
    "ensurepip",
    "venv",
    "pydoc_data",
    "test",
    "sitecustomize",
    "usercustomize",
    "msilib",
    "winreg",
    "winsound",
    "nt",
    "msvcrt",
}


def _import_stdlib() -> None:
    """Import the whole public standard library (about 0.35 s): for a runtime the sandbox user
    cannot read, where anything imported after the switch fails (torch imports standard modules
    lazily, at its first optimizer step)."""
    import warnings  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(sys.stdlib_module_names):
            if name in STDLIB_SKIP or name.startswith("_"):
                continue
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a module this platform lacks
                pass


def _drop_user(policy: dict, libc) -> str:
    os.setgroups([])
    os.setgid(policy["gid"])
    os.setuid(policy["uid"])
    if os.getuid() != policy["uid"] or os.geteuid() != policy["uid"]:
        raise OSError("the user did not change")
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != policy["parent"]:  # the grader died before the signal was re-armed
        os._exit(1)
    return f"uid {policy['uid']}"


def _no_new_privs(libc) -> str:
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    return "set"


def _landlock(policy: dict) -> str:
    import landlock  # noqa: PLC0415 - optional

    abi = landlock.landlock_abi_version()
    access = landlock.FSAccess
    read_file = access.READ_FILE | access.EXECUTE
    read_dir = read_file | access.READ_DIR
    ruleset = landlock.Ruleset()  # handles every filesystem right this kernel knows
    for path in policy["read"]:
        try:
            rights = read_dir if os.path.isdir(path) else read_file
            ruleset.allow(path, rules=rights)
        except OSError:
            continue  # vanished since the grader listed it
    write_dir = access.all()
    write_file = access.all_file()
    for path in policy["write"]:
        ruleset.allow(path, rules=write_dir if os.path.isdir(path) else write_file)
    ruleset.apply()  # also sets no_new_privs
    return f"ABI {abi}"


def _seccomp(policy: dict) -> str:
    import pyseccomp  # noqa: PLC0415 - optional

    deny = pyseccomp.ERRNO(errno.EPERM)
    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    rules.add_rule(deny, "socket", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
    rules.add_rule(deny, "socketpair", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))

    # No signal to the grader, even as the same user: not to its pid or threads, not to its
    # process group, not to every process of the user (-1). pid_t is 32 bits: compare masked.
    def int32(value: int) -> pyseccomp.Arg:
        return pyseccomp.Arg(0, pyseccomp.MASKED_EQ, 0xFFFFFFFF, value & 0xFFFFFFFF)

    grader = sorted({policy["parent"], *policy.get("parent_threads", [])})
    for target in [*grader, -1, -policy.get("parent_pgid", policy["parent"])]:
        rules.add_rule(deny, "kill", int32(target))
    for target in grader:
        for name in ("tgkill", "tkill", "pidfd_open"):
            rules.add_rule(deny, name, int32(target))
        rules.add_rule(deny, "rt_sigqueueinfo", int32(target))
        rules.add_rule(deny, "rt_tgsigqueueinfo", int32(target))
    denied = []
    for name in DENIED_SYSCALLS:
        try:
            rules.add_rule(deny, name)
            denied.append(name)
        except (OSError, ValueError, RuntimeError):
            continue  # not a system call of this architecture
    rules.load()
    return (
        "sockets other than AF_UNIX refused; no signal to the grader; "
        + ", ".join(denied)
        + " refused"
    )


def main(argv: list[str]) -> int:
    policy_path, runner, *rest = argv[1:]
    with open(policy_path, encoding="utf-8") as fh:
        policy = json.load(fh)
    if policy.get("preimport_stdlib"):
        _import_stdlib()
    for name in policy.get("preimport", []):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    libc = ctypes.CDLL(None, use_errno=True)
    layers: dict[str, str] = {}
    failed: dict[str, str] = {}
    steps = [("user", lambda: _drop_user(policy, libc))] if policy.get("uid") is not None else []
    steps += [
        ("no_new_privs", lambda: _no_new_privs(libc)),
        ("landlock", lambda: _landlock(policy)),
        ("seccomp", lambda: _seccomp(policy)),
    ]
    for name, step in steps:
        try:
            layers[name] = step()
        except Exception as exc:  # noqa: BLE001 - reported, and fatal only where required
            failed[name] = f"{type(exc).__name__}: {exc}"
            if name == "user" or name in policy.get("required", []):
                print(f"scratchnet: cannot confine the child ({name}): {exc}", file=sys.stderr)
                return 3
    os.environ[CONFINEMENT_ENV] = json.dumps({"applied": layers, "unavailable": failed})
    sys.argv = [runner, *rest]
    runpy.run_path(runner, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
