"""The parent's handle on the child that runs student code: start, ask with a deadline, replace.

The parent owns every deadline. A request that gets no valid answer in time, a child that dies,
or an answer that does not decode is reported as an ``Answer`` with status ``timeout``,
``crashed`` or ``protocol_error``; the child is then killed and a fresh one starts on the next
request. Student stdout/stderr go to a bounded log file that the grader never parses.

Killing is thorough: the child's process group, its pids cgroup where there is one (which holds
everything it started, even processes that left the group), and under bubblewrap the PID
namespace, which dies with its first process.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import sandbox
from grader.errors import EnvironmentFault
from grader.inside import wire

LOG_NAME = "student-output.log"
HOME_NAME = "home"
POLICY_NAME = "confine.json"
CONFINE = Path(__file__).resolve().parents[1] / "inside" / "confine.py"
# Seconds a new child has to answer the handshake (import numpy, confine itself).
START_SECONDS = 60.0
# How often the parent measures the child's home while it waits for an answer (no bubblewrap).
WATCH_SECONDS = 0.05


class ChildStartError(EnvironmentFault):
    """The child could not start or did not answer the handshake: a fault of the grading
    environment (interpreter not visible, bubblewrap failing, numpy not importable), never of
    the student, whose code had not been imported yet."""


@dataclass
class Answer:
    """What came back for one request.

    status: ``ok`` | ``not_implemented`` | ``error`` | ``timeout`` | ``crashed`` |
    ``protocol_error``; ``value`` holds the decoded result when ``ok``; ``error`` the exception
    description (type, message, where) otherwise.
    """

    status: str
    value: object = None
    error: dict = field(default_factory=dict)
    seconds: float = 0.0


class Child:
    """A sandboxed interpreter that imports the package in ``workdir`` and serves requests."""

    def __init__(
        self,
        workdir: Path,
        logdir: Path,
        limits: sandbox.Limits,
        bwrap: str | None,
        account: sandbox.Account | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        """Without bubblewrap, the child confines itself with ``confine.py`` (as ``account``
        when the grader is root, with ``secrets`` left out of what Landlock lets it read)."""
        self.workdir = workdir
        self.logdir = logdir
        self.log_path = logdir / LOG_NAME
        self.limits = limits
        self.bwrap = bwrap
        self.account = account
        self.secrets = secrets if secrets is not None else sandbox.secret_paths()
        self.home = logdir / HOME_NAME
        self.proc: subprocess.Popen | None = None
        self.cgroup: sandbox.ChildCgroups | None = None
        self.starts = 0
        self.confinement: dict = {}
        self.cgroup_kinds: dict = {}
        self._reachable = False
        self._serving = False
        self.preimport: list[str] = []  # set where the sandbox user cannot read the runtime

    def _command(self, in_fd: int, out_fd: int) -> list[str]:
        python = [sys.executable, "-I", "-B"]
        if self.bwrap:
            root = sandbox.SANDBOX_ROOT
            inner = python + [f"{root}/runner.py", str(in_fd), str(out_fd), root]
            return sandbox.bwrap_command(
                self.bwrap, self.workdir, inner, tmp_bytes=self.limits.file_bytes
            )
        return python + [
            str(CONFINE),
            str(self.logdir / POLICY_NAME),
            str(self.workdir / "runner.py"),
            str(in_fd),
            str(out_fd),
            str(self.workdir),
        ]

    def _prepare(self) -> None:
        """The private home (the only place the child may write) and its policy. As root, the
        scratch folder becomes traversable and the home the sandbox user's own. Each child gets
        an empty home: nothing an earlier one wrote survives it."""
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(exist_ok=True)
        if self.bwrap:
            return
        if self.account is not None:
            os.chmod(self.logdir, 0o711)
            if not self._reachable:
                runner = str(self.workdir / "runner.py")
                self._reachable = bool(sandbox.exposed_to(self.account, [runner]))
                if not self._reachable:
                    raise ChildStartError(
                        f"the sandbox user {self.account.name} cannot read {runner}: a folder "
                        "above the grader's scratch folder is private; set TMPDIR to a folder "
                        "every user may traverse (such as /tmp)"
                    )
            os.chown(self.home, self.account.uid, self.account.gid)
            os.chmod(self.home, 0o700)
        policy = sandbox.confine_policy(
            self.workdir,
            self.home,
            self.account,
            self.secrets,
            self.preimport,
            preimport_stdlib=bool(self.preimport),
        )
        path = self.logdir / POLICY_NAME
        path.write_text(json.dumps(policy))
        os.chmod(path, 0o600)

    def start(self) -> None:
        """Start a child and wait for its handshake.

        Raises:
            ChildStartError: it could not start or did not answer (the environment's fault).
        """
        self._prepare()
        self._trim_log()
        self.cgroup = sandbox.ChildCgroups.create(self.limits)
        self.cgroup_kinds = dict(self.cgroup.kinds)
        nproc = sandbox.nproc_limit(self.limits)
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.proc = subprocess.Popen(
                self._command(req_r, resp_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(req_r, resp_w),
                cwd=self.home,
                env=sandbox.child_env(None if self.bwrap else self.home),
                preexec_fn=lambda: sandbox.apply_limits(self.limits, nproc, self.cgroup),
            )
        except BaseException:
            for fd in (self._req_w, self._resp_r):
                os.close(fd)
            if self.cgroup:
                self.cgroup.remove()
                self.cgroup = None
            raise
        finally:
            log.close()
            os.close(req_r)
            os.close(resp_w)
        self.starts += 1
        self._serving = False  # student code runs only after the handshake
        self._handshake(time.monotonic() + START_SECONDS)

    def _handshake(self, deadline: float) -> None:
        """The first message comes from grader-owned code before any student file is imported:
        ``{"status": "ready", ...}`` with the confinement that applied."""
        try:
            hello = wire.decode(self._receive(deadline))
        except (TimeoutError, EOFError, BrokenPipeError, wire.WireError) as exc:
            code = self.proc.poll() if self.proc else None
            self.kill()
            why = "no answer in time" if isinstance(exc, TimeoutError) else _exit_reason(code)
            raise ChildStartError(
                f"the grading process did not start ({why.replace('your code', 'the grader')}); "
                f"its output: {self.output_tail(800).strip() or '(none)'}"
            ) from exc
        if not isinstance(hello, dict) or hello.get("status") != "ready":
            self.kill()
            raise ChildStartError("the grading process answered the handshake wrongly")
        confinement = hello.get("confinement")
        self.confinement = confinement if isinstance(confinement, dict) else {}
        self._serving = True

    def _trim_log(self) -> None:
        """Start the log afresh once it nears the file-size limit, so an earlier flood of output
        cannot make every later child die of SIGXFSZ at its first print."""
        try:
            if self.log_path.stat().st_size > self.limits.file_bytes // 2:
                self.log_path.write_bytes(b"[earlier output dropped: too long]\n")
        except FileNotFoundError:
            pass

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """Kill the child and everything it started, then close the pipes."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # stuck in the kernel; nothing more we can do
            pass
        if self.cgroup is not None:  # after the wait: our own child is reaped by now
            self.cgroup.remove()
            self.cgroup = None
        for fd in (self._req_w, self._resp_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.proc = None

    def request(self, req: dict, timeout: float) -> Answer:
        """Send one request and wait at most ``timeout`` seconds for a valid answer."""
        if not self.alive():
            self.kill()
            self.start()
        begin = time.monotonic()
        deadline = begin + timeout
        try:
            self._send(wire.encode(req), deadline)
            payload = self._receive(deadline)
            raw = wire.decode(payload)
        except TimeoutError:
            self.kill()
            return Answer(
                "timeout",
                seconds=time.monotonic() - begin,
                error={"message": f"no answer within {timeout:.0f} s"},
            )
        except HomeFull as exc:
            self.kill()
            return Answer("crashed", seconds=time.monotonic() - begin, error={"message": str(exc)})
        except (EOFError, BrokenPipeError):
            code = self.proc.wait() if self.proc else None
            self.kill()
            return Answer(
                "crashed", seconds=time.monotonic() - begin, error={"message": _exit_reason(code)}
            )
        except wire.WireError as exc:
            self.kill()
            return Answer(
                "protocol_error",
                seconds=time.monotonic() - begin,
                error={"message": f"malformed answer: {exc}"},
            )
        return _to_answer(raw, time.monotonic() - begin)

    def _send(self, payload: bytes, deadline: float) -> None:
        view = memoryview(struct.pack(">Q", len(payload)) + payload)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            _, ready, _ = select.select([], [self._req_w], [], remaining)
            if ready:
                view = view[os.write(self._req_w, view[: 1 << 16]) :]

    def _read(self, n: int, deadline: float) -> bytes:
        chunks = []
        while n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._resp_r], [], [], min(remaining, WATCH_SECONDS))
            if not ready:
                self._watch_home()
                continue
            chunk = os.read(self._resp_r, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float) -> bytes:
        (length,) = struct.unpack(">Q", self._read(8, deadline))
        if length > wire.MAX_MESSAGE_BYTES:
            raise wire.WireError(f"answer of {length} bytes exceeds the limit")
        return self._read(length, deadline)

    def _watch_home(self) -> None:
        """Without bubblewrap nothing bounds the total the child writes in its home (only each
        file, RLIMIT_FSIZE): the parent measures it while it waits and stops the child past
        ``limits.file_bytes`` (bubblewrap's private /tmp has that size)."""
        if self.bwrap or not self._serving:
            return
        used = _folder_bytes(self.home, self.limits.file_bytes)
        if used > self.limits.file_bytes:
            raise HomeFull(
                "the process running your code was stopped: the files it wrote exceed "
                f"{self.limits.file_bytes // 2**20} MB"
            )

    def output_tail(self, limit: int = 2000) -> str:
        """The last ``limit`` bytes the student's code printed (for a human, never parsed)."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(max(0, os.path.getsize(self.log_path) - limit))
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""


class HomeFull(Exception):
    """The child wrote more than it may in its home."""


def _folder_bytes(folder: Path, limit: int, max_entries: int = 10_000) -> int:
    """Bytes (allocated blocks) under ``folder``, counting stops past ``limit``; more than
    ``max_entries`` entries count as over the limit."""
    total, entries, stack = 0, 0, [str(folder)]
    while stack and total <= limit:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entries > max_entries:
                        return limit + 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "the process running your code stopped unexpectedly"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else code
        hints = {
            "SIGXCPU": " (CPU time limit)",
            "SIGKILL": " (killed: memory or time limit)",
            "SIGXFSZ": " (output file size limit: too much printing?)",
            "SIGSEGV": " (segmentation fault)",
        }
        return f"the process running your code was killed by {name}{hints.get(str(name), '')}"
    return (
        f"the process running your code exited with status {code} (sys.exit or os._exit "
        "in your code, or it ran out of memory)"
    )


def _to_answer(raw: object, seconds: float) -> Answer:
    if not isinstance(raw, dict) or raw.get("status") not in ("ok", "not_implemented", "error"):
        return Answer(
            "protocol_error", seconds=seconds, error={"message": "malformed answer from the child"}
        )
    if raw["status"] == "ok":
        return Answer("ok", value=raw.get("value"), seconds=seconds)
    error = {k: raw.get(k) for k in ("type", "message", "where")}
    if not all(isinstance(error[k], str) for k in ("type", "message")):
        error = {"type": "Error", "message": "malformed error report", "where": None}
    return Answer(raw["status"], error=error, seconds=seconds)
