"""The grader's errors: one hierarchy, and the exit code of each kind said in one place.

Only the standard library: the student's standalone ``collect_submission.py`` carries a copy.
Every error the grader raises on purpose is a ``ScratchnetError``; ``grade`` and its commands
print ``grade <command>: <message>`` and exit with the error's ``exit_code`` (``grader.cli``).
Each kind also keeps the built-in base its callers have always caught (``ValueError`` for bad
data, ``RuntimeError`` for a broken environment).
"""

EXIT_GRADED, EXIT_UNREADABLE, EXIT_GRADER_FAULT = 0, 1, 2


class ScratchnetError(Exception):
    """Base of every error the grader raises on purpose."""

    exit_code = EXIT_GRADER_FAULT


class SubmissionError(ScratchnetError):
    """A student's files cannot be read or collected; the message says why in words a student
    understands."""

    exit_code = EXIT_UNREADABLE


class SetupError(ScratchnetError, ValueError):
    """A file or folder the instructor provides is not valid (catalog, hints, roster, source
    regions, a batch's folder); the message names the file and the place."""


class EnvironmentFault(ScratchnetError, RuntimeError):
    """The grading environment cannot grade (the child does not start, an optional extra is
    missing): never the student's fault."""
