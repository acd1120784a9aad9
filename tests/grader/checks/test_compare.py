"""Does the comparison catch every wrong answer and say what is wrong without leaking values?"""

import numpy as np

from grader.checks import compare


def test_equal_arrays_pass_and_noise_below_tolerance_passes():
    want = np.linspace(-1, 1, 12).reshape(3, 4)
    assert compare.compare(want.copy(), want, "out", 1e-7) is None
    assert compare.compare(want + 1e-12, want, "out", 1e-7) is None


def test_wrong_shape_nan_and_error_are_named():
    want = np.ones((3, 4))
    message = compare.compare(np.ones((4, 3)), want, "out", 1e-7)
    assert "expected shape (3, 4), got (4, 3)" in message
    assert "NaN" in compare.compare(np.full((3, 4), np.nan), want, "out", 1e-7)
    message = compare.compare(want * 1.01, want, "dx", 1e-7)
    assert message.startswith("dx: relative error") and "1.01" not in message


def test_none_and_strings_are_reported_as_the_wrong_type():
    assert "None" in compare.compare(None, np.ones(2), "out", 1e-7)
    assert "str" in compare.compare("1.0", np.ones(2), "out", 1e-7)


def test_nested_structures_compare_key_by_key():
    want = [1.5, {"W1": np.ones(2), "b1": np.zeros(2)}]
    assert compare.compare([1.5, {"W1": np.ones(2), "b1": np.zeros(2)}], want, "r", 1e-7) is None
    assert "missing key(s) b1" in compare.compare([1.5, {"W1": np.ones(2)}], want, "r", 1e-7)
    assert "W1" in compare.compare(
        [1.5, {"W1": np.ones(2) * 2, "b1": np.zeros(2)}], want, "r", 1e-7
    )


def test_float_noise_on_a_zero_reference_is_not_a_failure():
    want = np.array([1e-17, -2e-17])  # e.g. the gradient of a bias batchnorm cancels
    assert compare.compare(np.array([-3e-17, 0.0]), want, "db1", 1e-6) is None
    assert compare.compare(np.array([1e-3, 0.0]), want, "db1", 1e-6) is not None


def test_unchanged_detects_in_place_modification():
    before = np.arange(4.0)
    assert compare.unchanged(before, before.copy(), "x") is None
    assert "modified in place" in compare.unchanged(before, before + 1, "x")
