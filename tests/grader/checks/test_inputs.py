"""grader/checks/inputs.py: the catalog's input specs become arrays drawn from the seed."""

import numpy as np
import pytest

from grader.checks.inputs import build, case_rng


def test_the_same_seed_question_and_case_draw_the_same_inputs():
    spec = {"x": {"$randn": [2, 3]}, "y": {"$randint": [4], "high": 5}}
    a, b = build(spec, case_rng(0, "fc.x", 1)), build(spec, case_rng(0, "fc.x", 1))
    assert np.array_equal(a["x"], b["x"]) and np.array_equal(a["y"], b["y"])


@pytest.mark.parametrize("other", [(1, "fc.x", 1), (0, "fc.y", 1), (0, "fc.x", 2)])
def test_another_seed_question_or_case_draws_other_inputs(other):
    spec = {"$randn": [5]}
    assert not np.array_equal(build(spec, case_rng(0, "fc.x", 1)), build(spec, case_rng(*other)))


def test_generators_honour_shape_dtype_range_and_names():
    rng = case_rng(3, "q", 0)
    out = build(
        {
            "u": {"$rand": [100], "low": 2.0, "high": 3.0, "dtype": "float32"},
            "labels": {"$randint": [50], "high": 3},
            "dout": {"$like": "u"},
            "param": {"stride": 2, "pad": [1, 1]},
        },
        rng,
        named={"u": np.zeros((4, 5))},
    )
    assert out["u"].dtype == np.float32 and ((out["u"] >= 2) & (out["u"] < 3)).all()
    assert out["labels"].dtype == np.int64 and set(out["labels"]) <= {0, 1, 2}
    assert out["dout"].shape == (4, 5)
    assert out["param"] == {"stride": 2, "pad": [1, 1]}  # plain data passes through


def test_unknown_generators_and_names_are_errors_not_silence():
    with pytest.raises(KeyError, match="unknown input generator"):
        build({"$zeros": [2]}, case_rng(0, "q", 0))
    with pytest.raises(KeyError, match="unknown array"):
        build({"$like": "nope"}, case_rng(0, "q", 0), named={})
