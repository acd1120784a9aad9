"""The student's self-check: the grader's own checks, run on public cases before hand-in.

``recording`` records (where the reference solutions are) and replays (where they are not) the
reference's answers on the public cases; ``run`` is ``python -m assignment.selfcheck``.
"""
