"""The child's confinement: what the sandbox hides and forbids, and limits that really hold.

Limits are checked in both modes (under bubblewrap, and with rlimits alone as on a machine
without it) by running small programs exactly as ``Child`` starts the runner: the same command
line, environment, cgroup and ``preexec_fn``.
"""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader import catalog, sandbox
from grader.authoring import layout
from grader.authoring.reference import solutions_dir
from grader.engine import overlay
from grader.sandbox.child import Child

BWRAP = sandbox.find_bwrap()
needs_bwrap = pytest.mark.skipif(BWRAP is None, reason="bubblewrap is not available here")
HAS_CGROUP = sandbox.pids_cgroup_parent() is not None
MODES = ["bwrap", "reduced"]


def run_confined(code: str, mode: str, workdir: Path, limits: sandbox.Limits, timeout=60):
    """Run ``code`` with the child's confinement; returns the CompletedProcess."""
    if mode == "bwrap" and BWRAP is None:
        pytest.skip("bubblewrap is not available here")
    script = workdir / "probe.py"
    script.write_text(textwrap.dedent(code))
    home = workdir.parent / "home"
    home.mkdir(exist_ok=True)
    python = [sys.executable, "-I", "-B"]
    if mode == "bwrap":
        inner = python + [f"{sandbox.SANDBOX_ROOT}/probe.py"]
        cmd = sandbox.bwrap_command(BWRAP, workdir, inner, tmp_bytes=limits.file_bytes)
    else:
        cmd = python + [str(script)]
    cgroup = sandbox.PidsCgroup.create(limits.processes)
    nproc = sandbox.nproc_limit(limits)
    try:
        return subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=home,
            env=sandbox.child_env(None if mode == "bwrap" else home),
            preexec_fn=lambda: sandbox.apply_limits(limits, nproc, cgroup),
            timeout=timeout,
        )
    finally:
        if cgroup:
            cgroup.remove()


@pytest.fixture
def workdir(tmp_path):
    path = tmp_path / "tree"
    path.mkdir()
    return path


# ---------------------------------------------------------------------------------------------
# What the sandbox hides and forbids (bubblewrap only)

INSIDE = """
import json, os, socket, subprocess, sys
PORT, SECRETS = int(sys.argv[1]), json.loads(sys.argv[2])
seen = {}
seen["visible"] = [p for p in SECRETS if os.path.exists(p)]
seen["imports"] = {}
for name in ("solutions", "grader"):
    try:
        __import__(name)
        seen["imports"][name] = "imported"
    except ImportError as exc:
        seen["imports"][name] = type(exc).__name__
seen["ppid"] = os.getppid()
seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
sock = socket.socket()
sock.settimeout(2)
try:
    sock.connect(("127.0.0.1", PORT))
    seen["network"] = "connected"
except OSError as exc:
    seen["network"] = type(exc).__name__
seen["writable"] = []
for folder in ("/", "/dev", "/dev/shm", "/submission", "/usr", "/tmp"):
    try:
        with open(os.path.join(folder, "probe-file"), "w") as fh:
            fh.write("x")
        seen["writable"].append(folder)
    except OSError:
        pass
try:
    with open("/tmp/big", "wb") as fh:
        fh.write(bytes(4 * 2**20))
    seen["tmp_big"] = "written"
except OSError as exc:
    seen["tmp_big"] = type(exc).__name__
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
seen["cap_eff"] = status["CapEff"].strip()
seen["uid_map"] = open("/proc/self/uid_map").read().split()
seen["env"] = sorted(os.environ)
seen["nested_userns"] = subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    """What a program sees from inside the sandbox (run once for the module)."""
    if BWRAP is None:
        pytest.skip("bubblewrap is not available here")
    workdir = tmp_path_factory.mktemp("inside") / "tree"
    workdir.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    secrets = [
        str(solutions_dir()),
        str(solutions_dir() / "layers.py"),
        str(solutions_dir().parent),
        str(catalog.CATALOG_PATH),
        str(workdir.parent),
        str(Path.cwd()),
    ]
    (workdir / "probe.py").write_text(INSIDE)
    limits = sandbox.Limits(file_bytes=2**20)
    inner = [sys.executable, "-I", "-B", f"{sandbox.SANDBOX_ROOT}/probe.py"]
    inner += [str(listener.getsockname()[1]), json.dumps(secrets)]
    cmd = sandbox.bwrap_command(BWRAP, workdir, inner, tmp_bytes=limits.file_bytes)
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=sandbox.child_env(),
        preexec_fn=lambda: sandbox.apply_limits(limits),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    try:
        listener.accept()
        seen["listener"] = "got a connection"
    except BlockingIOError:
        seen["listener"] = "nothing"
    listener.close()
    seen["left_in_workdir"] = sorted(p.name for p in workdir.iterdir())
    return seen


def test_sandbox_shows_nothing_of_the_solutions_grader_catalog_or_grader_folders(inside):
    assert inside["visible"] == []
    assert inside["imports"] == {
        "solutions": "ModuleNotFoundError",
        "grader": "ModuleNotFoundError",
    }


def test_sandbox_has_its_own_pid_namespace_where_the_grader_does_not_exist(inside):
    assert inside["ppid"] == 1
    assert len(inside["pids"]) <= 3


def test_sandbox_has_no_network_even_to_localhost(inside):
    assert inside["network"] != "connected"
    assert inside["listener"] == "nothing"


def test_only_the_private_size_limited_tmp_is_writable(inside):
    assert inside["writable"] == ["/tmp"]
    assert inside["tmp_big"] == "OSError"  # 4 MB into a 1 MB /tmp
    assert inside["left_in_workdir"] == ["probe.py"]


def test_sandboxed_code_has_no_capabilities_and_cannot_nest_user_namespaces(inside):
    assert int(inside["cap_eff"], 16) == 0
    if "userns" in sandbox.bwrap_features(BWRAP):
        assert inside["nested_userns"] != 0


def test_sandbox_environment_holds_only_what_the_runner_needs(inside):
    assert set(inside["env"]) <= {
        "HOME",
        "PATH",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MPLBACKEND",
        "MPLCONFIGDIR",
        "PWD",
        "LC_CTYPE",
    }


# ---------------------------------------------------------------------------------------------
# The command line itself


def test_a_source_checkout_under_a_bound_runtime_path_is_hidden_whole(monkeypatch):
    checkout = solutions_dir().parent
    monkeypatch.setattr(sandbox.bubblewrap, "_runtime_paths", lambda: [str(checkout.parent)])
    cmd = sandbox.bwrap_command("/nonexistent/bwrap", Path("/x"), ["true"])
    hidden = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--tmpfs"]
    assert str(checkout) in hidden


def test_installed_copies_in_site_packages_are_hidden_but_site_packages_is_not(
    tmp_path, monkeypatch
):
    site = tmp_path / "site-packages"
    for name in ("grader", "solutions", "numpy_like"):
        (site / name).mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    hidden = sandbox.bubblewrap._hidden_packages([str(tmp_path)])
    assert str(site / "grader") in hidden and str(site / "solutions") in hidden
    assert str(site) not in hidden and str(site / "numpy_like") not in hidden


def fake_bwrap(folder: Path, refuse: str) -> str:
    """A stand-in bubblewrap that fails when given ``refuse`` and otherwise runs nothing."""
    path = folder / "bwrap"
    path.write_text(f'#!/bin/sh\nfor a in "$@"; do [ "$a" = "{refuse}" ] && exit 1; done\nexit 0\n')
    path.chmod(0o755)
    return str(path)


def test_an_old_bubblewrap_without_tmpfs_sizes_gets_a_read_only_tmp(tmp_path):
    bwrap = fake_bwrap(tmp_path, "--size")
    assert "size" not in sandbox.bwrap_features(bwrap)
    cmd = " ".join(sandbox.bwrap_command(bwrap, Path("/x"), ["true"], tmp_bytes=2**20))
    assert "--tmpfs /tmp --remount-ro /tmp" in cmd
    assert "--size" not in cmd


def test_find_bwrap_is_none_when_missing_or_when_it_cannot_make_namespaces(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert sandbox.find_bwrap() is None
    fake_bwrap(tmp_path, "--unshare-all")
    assert sandbox.find_bwrap() is None


def test_isolation_is_reported_reduced_exactly_when_bubblewrap_is_absent():
    reduced = sandbox.describe(None)  # no handshake: nothing confine.py applies is claimed
    assert reduced.reduced and reduced.sandbox == "layered"
    assert "could still read any file the grader's user can read" in reduced.note
    assert "use the network" in reduced.note
    confined = sandbox.describe(
        None,
        {"applied": {"user": "uid 9", "landlock": "ABI 7", "seccomp": "x", "no_new_privs": "1"}},
        sandbox.Account(999, 999, "scratchnet-sandbox"),
        [],
        {"pids": True, "memory": True},
    )
    assert confined.reduced and "could still" not in confined.note
    applied = {layer["name"] for layer in confined.layers if layer["applied"]}
    assert {"user", "file_permissions", "landlock", "seccomp", "memory_cgroup"} <= applied
    exposed = sandbox.describe(None, None, sandbox.Account(999, 999, "x"), ["/src"], {})
    assert "READABLE by the sandbox user" in str(exposed.layers) and "/src" in exposed.note
    full = sandbox.describe("/usr/bin/bwrap")
    assert not full.reduced and full.sandbox == "bubblewrap"


# ---------------------------------------------------------------------------------------------
# Limits that really hold, in both modes


@pytest.mark.parametrize("mode", MODES)
def test_memory_limit_makes_large_allocations_fail(mode, workdir):
    code = """
        import numpy as np
        try:
            block = np.ones(2**27)  # 1 GiB, touched
            print("allocated")
        except MemoryError:
            print("MemoryError")
    """
    proc = run_confined(code, mode, workdir, sandbox.Limits(memory_bytes=512 * 2**20))
    assert proc.stdout.strip() == "MemoryError", proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_file_size_limit_stops_a_growing_file(mode, workdir):
    code = """
        import errno, os, tempfile
        path = os.path.join(tempfile.gettempdir(), "grow")
        try:
            with open(path, "wb") as fh:
                for _ in range(8):
                    fh.write(bytes(2**20))
            print("wrote 8 MB")
        except OSError as exc:
            print(errno.errorcode[exc.errno], os.path.getsize(path))
    """
    proc = run_confined(code, mode, workdir, sandbox.Limits(file_bytes=2 * 2**20))
    reason, size = proc.stdout.split()
    assert reason in ("EFBIG", "ENOSPC"), proc.stderr
    assert int(size) <= 2 * 2**20


@pytest.mark.parametrize("mode", MODES)
def test_open_files_limit_holds(mode, workdir):
    code = """
        handles = []
        try:
            for _ in range(1000):
                handles.append(open("/dev/null"))
        except OSError:
            pass
        print(len(handles))
    """
    proc = run_confined(code, mode, workdir, sandbox.Limits(open_files=64))
    assert 0 < int(proc.stdout) < 64, proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_cpu_limit_kills_a_busy_loop(mode, workdir):
    begin = time.monotonic()
    proc = run_confined("while True: pass\n", mode, workdir, sandbox.Limits(cpu_seconds=1))
    killed = (signal.SIGXCPU, signal.SIGKILL)  # soft and hard limit coincide
    assert proc.returncode in [-s for s in killed] + [128 + s for s in killed]  # 128+: bwrap
    assert time.monotonic() - begin < 20


@pytest.mark.parametrize("mode", MODES)
def test_a_fork_bomb_is_bounded_by_the_process_limit(mode, workdir):
    if not HAS_CGROUP and os.getuid() == 0:
        pytest.skip("root is exempt from RLIMIT_NPROC and no pids cgroup can be made here")
    code = """
        import os, time
        children = []
        for _ in range(200):  # bounded: a runaway test must not take the machine down
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children.append(pid)
        print(len(children))
        for pid in children:
            os.kill(pid, 9)
    """
    proc = run_confined(code, mode, workdir, sandbox.Limits(processes=16))
    assert 0 < int(proc.stdout) < 16, proc.stderr


def test_the_rlimit_nproc_is_relative_to_what_the_user_already_runs(monkeypatch):
    running = sandbox.limits._user_tasks()
    assert running is not None and running >= 1  # this very process
    monkeypatch.setattr(os, "getuid", lambda: 54321)  # a user with nothing running
    assert sandbox.nproc_limit(sandbox.Limits(processes=10)) == 10
    monkeypatch.setattr(sandbox.limits, "_user_tasks", lambda: 300)
    assert sandbox.nproc_limit(sandbox.Limits(processes=10)) == 310


@pytest.mark.skipif(not HAS_CGROUP, reason="no pids cgroup can be created here")
def test_pids_cgroup_sets_the_bound_kills_everything_and_cleans_up_after_dead_graders():
    cgroup = sandbox.PidsCgroup.create(7)
    assert (cgroup.path / "pids.max").read_text().strip() == "7"
    sleeper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, time\nif os.fork() == 0:\n os.setsid()\n time.sleep(60)\ntime.sleep(60)",
        ],
        preexec_fn=cgroup.enter,
    )
    deadline = time.monotonic() + 5
    while len(cgroup.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(cgroup.pids()) == 2
    cgroup.remove()
    sleeper.wait(timeout=5)
    assert not cgroup.path.exists()

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = cgroup.path.parent / f"{sandbox.CGROUP_PREFIX}{dead.pid}-0"
    stale.mkdir()
    fresh = sandbox.PidsCgroup.create(5)
    fresh.remove()
    assert not stale.exists()


# ---------------------------------------------------------------------------------------------
# The child handle: death with the grader, bounded log


GRADER_THAT_DIES = """
import sys
from pathlib import Path
from grader import catalog, sandbox
from grader.sandbox.child import Child
sandbox.PidsCgroup.create = lambda limit: None  # the death signal alone must do it
tree, scratch, use_bwrap = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "bwrap"
child = Child(tree, scratch, sandbox.Limits(), sandbox.find_bwrap() if use_bwrap else None)
req = {"op": "call", "target": "layers.affine_forward", "args": [1, 2, 3]}
child.request(req, 60)
"""


@pytest.mark.parametrize("mode", MODES)
def test_the_child_dies_when_the_grader_is_killed(mode, tmp_path, reference_submission):
    if mode == "bwrap" and BWRAP is None:
        pytest.skip("bubblewrap is not available here")
    marker = f"140.{os.getpid()}{time.monotonic_ns() % 10**6}"
    layers = tmp_path / "sub" / "assignment" / "layers.py"
    layers.parent.mkdir(parents=True)
    layers.write_text(
        "import os\n\ndef affine_forward(x, w, b):\n"
        f"    os.execv('/bin/sleep', ['sleep', '{marker}'])\n"
    )
    from grader.engine.intake import read_submission

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    tree = overlay.build(scratch, read_submission(tmp_path / "sub", layout.allow_list()))
    grader = subprocess.Popen(
        [sys.executable, "-c", GRADER_THAT_DIES, str(tree), str(scratch), mode],
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: _mentioning(marker), 30), "the child never started"
    finally:
        grader.kill()
        grader.wait()
    try:
        assert _wait_for(lambda: not _mentioning(marker), 5), "the child outlived the grader"
    finally:
        for pid in _mentioning(marker):
            os.kill(int(pid), signal.SIGKILL)


def _mentioning(needle: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if needle.encode() in Path("/proc", entry, "cmdline").read_bytes():
                    found.append(entry)
            except OSError:
                pass
    return found


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_an_earlier_flood_of_output_does_not_doom_the_next_child(tmp_path):
    limits = sandbox.Limits(file_bytes=2**20)
    child = Child(tmp_path, tmp_path, limits, None)
    child.log_path.write_bytes(bytes(limits.file_bytes))
    child._trim_log()
    assert child.log_path.stat().st_size < 100
    assert stat.S_ISREG(child.log_path.stat().st_mode)
