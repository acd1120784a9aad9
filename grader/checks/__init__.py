"""The check kinds: each turns one catalog question into a list of case results.

``KINDS`` maps a catalog ``kind`` to its function. Every kind but ``training`` and ``manual``
runs the per-case loop of ``base.run_cases``; a case passes only on a positive, validated
result.
"""

from __future__ import annotations

from collections.abc import Callable

from grader.checks.base import CaseResult, Context, failure_from
from grader.checks.gradient import check_gradient
from grader.checks.manual import check_manual
from grader.checks.model import check_model
from grader.checks.output import check_output
from grader.checks.pytorch import check_pytorch
from grader.checks.state import check_state
from grader.checks.statistic import check_statistic
from grader.checks.training import check_training

KINDS: dict[str, Callable[[dict, Context], list[CaseResult]]] = {
    "output": check_output,
    "gradient": check_gradient,
    "model": check_model,
    "state": check_state,
    "statistic": check_statistic,
    "training": check_training,
    "manual": check_manual,
    "pytorch": check_pytorch,
}

__all__ = ["KINDS", "CaseResult", "Context", "failure_from"]
