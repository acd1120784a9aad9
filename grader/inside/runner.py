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

import os
import sys

import numpy as np

if __package__:  # imported by the grader: the trusted parent runs the reference through it
    from . import ops, torch_ops
else:  # the child: run as a script beside copies of its siblings (``grader.inside.CHILD_FILES``)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ops
    import torch_ops


OPS = {
    "imports": ops.op_imports,
    "call": ops.op_call,
    "calls": ops.op_calls,
    "forward_backward": ops.op_forward_backward,
    "forward_cache": ops.op_forward_cache,
    "backward": ops.op_backward,
    "steps": ops.op_steps,
    "model": ops.op_model,
    "train_solver": ops.op_train_solver,
    "torch": torch_ops.op_torch,
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
        return {"status": "not_implemented", **ops.describe_exception(exc, package_dir)}
    except BaseException as exc:  # student code may raise anything, SystemExit included
        return {"status": "error", **ops.describe_exception(exc, package_dir)}


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
