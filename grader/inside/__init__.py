"""The code that runs in the sandboxed child: it imports nothing from the grader.

``runner.py`` is the child's loop (and, imported in the parent, how the reference is run);
``ops.py`` and ``torch_ops.py`` carry out the requests; ``wire.py`` is the framing both sides
speak; ``confine.py`` confines the child where bubblewrap cannot (it then runs the runner).
"""

# Copied next to the student's package in every child's tree (``grader.engine.overlay``).
CHILD_FILES = ("runner.py", "ops.py", "torch_ops.py", "wire.py")
