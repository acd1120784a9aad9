"""Execute grading requests against a package: the student's (in the sandbox) or the reference.

The grader sends requests such as "call ``layers.affine_forward`` with these arrays" or "build
``FullyConnectedNet`` with these params and call ``loss``". ``execute`` carries one out against a
package root (``assignment`` in the child, ``solutions`` in the trusted parent), so student and
reference run exactly the same recipe.

Run as a script, this is the child's main loop: it reads requests from one file descriptor and
answers on another, and it never decides a score. It is copied into the sandbox next to
``wire.py`` and must import nothing from the grader.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import traceback

import numpy as np

if __package__:  # imported by the grader: the trusted parent runs the reference through it
    from . import ops, torch_ops
else:  # the child: run as a script beside copies of its siblings (``grader.inside.CHILD_FILES``)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ops
    import torch_ops


def op_imports(package, req):
    """Import each module of the package; how each went (the submission's problems)."""
    package_dir = os.path.dirname(importlib.import_module(package).__file__)
    outcomes = []
    for name in req["modules"]:
        try:
            importlib.import_module(f"{package}.{name}")
            outcomes.append({"status": "ok"})
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            outcomes.append({"status": "error", **describe_exception(exc, package_dir)})
    return {"modules": outcomes}


def op_warm(package, req):
    """Start importing ``modules`` in the background and answer at once: torch takes seconds to
    import, and the requests that come first need not wait for it."""

    def load():
        for name in req.get("modules", []):
            with contextlib.suppress(BaseException):  # a request that needs it will say why
                importlib.import_module(name)

    threading.Thread(target=load, name="scratchnet-warm", daemon=True).start()
    return {"started": True}


def describe_exception(exc, package_dir):
    """Exception type, message and the deepest line of the student's package it passed through."""
    where = None
    if isinstance(exc, SyntaxError) and exc.filename:
        where = {"file": _relative(exc.filename, package_dir), "line": exc.lineno, "function": None}
    # A syntax error in a package file is reported there, not at the line that imported it.
    frames = [] if where and where["file"] else traceback.extract_tb(exc.__traceback__)
    for frame in frames:
        rel = _relative(frame.filename, package_dir)
        if rel is not None:
            where = {"file": rel, "line": frame.lineno, "function": frame.name}
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "where": where if where and where["file"] else None,
    }


def _relative(filename, package_dir):
    try:
        path = os.path.realpath(filename)
    except (TypeError, ValueError):
        return None
    base = os.path.realpath(package_dir)
    if os.path.commonpath([path, base]) != base:
        return None
    return os.path.relpath(path, os.path.dirname(base))


OPS = {
    "imports": op_imports,
    "call": ops.op_call,
    "calls": ops.op_calls,
    "forward_backward": ops.op_forward_backward,
    "forward_cache": ops.op_forward_cache,
    "backward": ops.op_backward,
    "steps": ops.op_steps,
    "model": ops.op_model,
    "train_solver": ops.op_train_solver,
    "torch": torch_ops.op_torch,
    "warm": op_warm,
}


def execute(req, package):
    """Carry out one request against ``package`` (``"assignment"`` or ``"solutions"``)."""
    np.random.seed(req.get("global_seed", 0))  # models draw their init from the global RNG
    return OPS[req["op"]](package, req)


def answer_request(req, package, package_dir):
    """Execute and package the outcome as a plain answer; never raises."""
    try:
        return {"status": "ok", "value": execute(req, package)}
    except NotImplementedError as exc:
        return {"status": "not_implemented", **describe_exception(exc, package_dir)}
    except BaseException as exc:  # student code may raise anything, SystemExit included
        return {"status": "error", **describe_exception(exc, package_dir)}


def main(argv):
    """Child loop: ``runner.py IN_FD OUT_FD ROOT`` — ROOT holds the package to grade."""
    in_fd, out_fd, root = int(argv[1]), int(argv[2]), argv[3]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [here, root]
    import wire  # noqa: PLC0415 - found only once ``here`` is on the path

    package = "assignment"
    package_dir = os.path.join(root, package)
    # The handshake, before any student file is imported: a child that cannot get this far is
    # the grading environment's fault. It carries what confine.py applied (if it ran).
    import json  # noqa: PLC0415 - only the child loop needs it

    confinement = json.loads(os.environ.pop("SCRATCHNET_CONFINEMENT", "{}"))
    wire.write_message(out_fd, {"status": "ready", "uid": os.getuid(), "confinement": confinement})
    while True:
        try:
            req = wire.read_message(in_fd)
        except EOFError:
            return 0
        answer = answer_request(req, package, package_dir)
        try:
            wire.write_message(out_fd, answer)
        except wire.WireError as exc:
            wire.write_message(
                out_fd,
                {
                    "status": "error",
                    "type": "BadReturnValue",
                    "message": f"returned something that is not plain numeric data: {exc}",
                    "where": None,
                },
            )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
