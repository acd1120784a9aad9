"""Compare an untrusted answer with the reference's, structure first, then numbers.

Every function returns ``None`` when the answer matches, or a message a student can act on. A
message names the output and the symptom (type, shape, NaN, error size against the tolerance) and
never the hidden inputs or the reference values.
"""

from __future__ import annotations

import numpy as np

# Below this magnitude a reference is float noise (e.g. the gradient of a bias that batchnorm
# cancels exactly); errors are measured against this floor instead of against the noise.
ABS_FLOOR = 1e-8


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """Largest absolute difference, relative to the largest reference magnitude.

    Unlike an elementwise relative error, this does not blow up on entries that are zero in
    the reference and 1e-17 in the answer, yet any wrong entry of normal size shows at once.
    """
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    scale = max(float(np.max(np.abs(want), initial=0.0)), ABS_FLOOR)
    return float(np.max(np.abs(got - want), initial=0.0)) / scale


def compare_array(got, want: np.ndarray, name: str, tol: float) -> str | None:
    if isinstance(got, (int, float)) and not isinstance(got, bool) and np.ndim(want) == 0:
        got = np.asarray(got, dtype=np.float64)
    if not isinstance(got, np.ndarray):
        return f"{name}: expected an array, got {_kind(got)}"
    if got.shape != np.shape(want):
        return f"{name}: expected shape {tuple(np.shape(want))}, got {got.shape}"
    if got.dtype.kind == "b" and np.asarray(want).dtype.kind != "b":
        got = got.astype(np.float64)
    if not np.all(np.isfinite(got)):
        return f"{name}: contains NaN or inf"
    err = relative_error(got, want)
    if not err <= tol:
        return f"{name}: relative error {err:.1e} exceeds the tolerance {tol:.0e}"
    return None


def compare(got, want, name: str, tol: float) -> str | None:
    """Recursive comparison of plain data: arrays and numbers by tolerance, the rest exactly."""
    if isinstance(want, np.ndarray) or (isinstance(want, float)):
        return compare_array(got, np.asarray(want), name, tol)
    if isinstance(want, bool) or isinstance(want, str) or want is None:
        return None if got == want and type(got) is type(want) else f"{name}: wrong value"
    if isinstance(want, int):
        if isinstance(got, bool) or not isinstance(got, (int, float, np.ndarray)):
            return f"{name}: expected a number, got {_kind(got)}"
        return compare_array(np.asarray(got, dtype=np.float64), np.asarray(float(want)), name, tol)
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{name}: expected a dict, got {_kind(got)}"
        missing = sorted(set(want) - set(got))
        if missing:
            return f"{name}: missing key(s) {', '.join(missing)}"
        for key in sorted(want):
            problem = compare(got[key], want[key], f"{name}[{key!r}]", tol)
            if problem:
                return problem
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{name}: expected a sequence of {len(want)}, got {_kind(got)}"
        if len(got) != len(want):
            return f"{name}: expected {len(want)} value(s), got {len(got)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            problem = compare(g, w, f"{name}[{i}]", tol)
            if problem:
                return problem
        return None
    raise TypeError(f"reference value of unexpected type {type(want).__name__}")


def unchanged(before, after, name: str) -> str | None:
    """Inputs must come back unmodified (arrays compared exactly, element for element)."""
    if isinstance(before, np.ndarray):
        if (
            not isinstance(after, np.ndarray)
            or after.shape != before.shape
            or not np.array_equal(after, before, equal_nan=True)
        ):
            return f"{name} was modified in place; work on a copy"
    return None


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if value is None:
        return "None (is the function finished? does it return its result?)"
    return type(value).__name__
