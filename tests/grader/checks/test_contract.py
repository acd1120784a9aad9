"""The grader judges the documented contract, not the reference's incidental choices.

Each row is the reference submission with one snippet replaced (unlike the mutant table, a
snippet may lie outside a student region: a student may change a signature), graded on a few
questions with the score each must get. The rows are the mechanism's classes from issue 10:
state updated in place, randomness drawn another way, one mistake charged once, rules the
course never states, and side effects that cost one case only.
"""

from dataclasses import dataclass

import pytest

from grader.engine import pipeline

LAYERS = "layers.py"
OPTIM = "optim.py"
WORKBOOK = "classifiers/neural_net.py"
FC_NET = "classifiers/fc_net.py"

FULL = "full"
ZERO = "zero"
LOSES = "loses"


@dataclass(frozen=True)
class Row:
    """In ``relpath``, ``old`` becomes ``new``; ``expect`` maps question id -> FULL, ZERO,
    LOSES (some points lost, some kept is not required) or an exact fraction of the points."""

    slug: str
    relpath: str
    old: str
    new: str
    expect: dict


DROPOUT_REGION = (
    "        mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)\n        out = x * mask\n"
)

ROWS = [
    # --- state updated in place (the course's optim.py allows it) ---------------------------
    Row(
        "sgd-momentum-in-place",
        OPTIM,
        '    v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw\n'
        "    next_w = w + v\n"
        '    config["velocity"] = v\n',
        '    v = config["velocity"]\n    v *= config["momentum"]\n'
        '    v -= config["learning_rate"] * dw\n    w += v\n    next_w = w\n',
        {"fc.sgd_momentum": FULL},
    ),
    Row(
        "rmsprop-in-place",
        OPTIM,
        '    cache = decay_rate * config["cache"] + (1 - decay_rate) * dw**2\n'
        '    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])\n'
        '    config["cache"] = cache\n',
        '    config["cache"] *= decay_rate\n    config["cache"] += (1 - decay_rate) * dw * dw\n'
        '    w -= config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n'
        "    next_w = w\n",
        {"fc.rmsprop": FULL},
    ),
    Row(
        "adam-in-place",
        OPTIM,
        '    t = config["t"] + 1\n'
        '    m = beta1 * config["m"] + (1 - beta1) * dw\n'
        '    v = beta2 * config["v"] + (1 - beta2) * dw**2\n',
        '    config["t"] += 1\n    t = config["t"]\n'
        '    m, v = config["m"], config["v"]\n'
        "    m *= beta1\n    m += (1 - beta1) * dw\n    v *= beta2\n    v += (1 - beta2) * dw**2\n",
        {"fc.adam": FULL},
    ),
    # --- randomness drawn another way ---------------------------------------------------------
    Row(
        "dropout-global-generator-seeded-from-the-param-dict",
        LAYERS,
        DROPOUT_REGION,
        '        if "seed" in dropout_param:\n            np.random.seed(dropout_param["seed"])\n'
        "        mask = (np.random.rand(*x.shape) < p) / p\n        out = x * mask\n",
        {"dropout.forward": FULL, "dropout.backward": FULL, "dropout.fc_net": FULL},
    ),
    Row(
        "dropout-binomial-boolean-mask",
        LAYERS,
        DROPOUT_REGION + "        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n"
        '    elif mode == "test":',
        '        if dropout_param.get("seed") is not None:\n'
        '            np.random.seed(dropout_param["seed"])\n'
        "        mask = np.random.binomial(1, p, size=x.shape).astype(bool)\n"
        "        out = np.where(mask, x / p, 0).astype(x.dtype)\n"
        "        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n"
        '    elif mode == "test":',
        {"dropout.forward": FULL},
    ),
    # --- one mistake charged once --------------------------------------------------------------
    Row(
        "dropout-p-as-drop-probability",
        LAYERS,
        DROPOUT_REGION,
        "        mask = ((rng.random(x.shape) >= p) / (1 - p)).astype(x.dtype)\n"
        "        out = x * mask\n",
        {"dropout.forward": LOSES, "dropout.backward": FULL, "dropout.fc_net": FULL},
    ),
    Row(
        "dropout-never-rescaled",
        LAYERS,
        DROPOUT_REGION,
        "        mask = (rng.random(x.shape) < p).astype(x.dtype)\n        out = x * mask\n",
        {"dropout.forward": LOSES, "dropout.backward": FULL, "dropout.fc_net": FULL},
    ),
    Row(
        "relu-forward-leaky",
        LAYERS,
        "out = np.maximum(0, x)",
        "out = np.maximum(0.1 * x, x)",
        {"fc.relu_forward": ZERO, "fc.relu_backward": FULL},
    ),
    Row(
        "layernorm-forward-over-the-batch-axis",
        LAYERS,
        "x_centered = x - x.mean(axis=1, keepdims=True)\n"
        "    std = np.sqrt(np.mean(x_centered**2, axis=1, keepdims=True) + eps)",
        "x_centered = x - x.mean(axis=0, keepdims=True)\n"
        "    std = np.sqrt(np.mean(x_centered**2, axis=0, keepdims=True) + eps)",
        # The backward is right: it computes the right gradients from a right cache.
        {"bn.layernorm_forward": ZERO, "bn.layernorm_backward": FULL},
    ),
    # --- rules the course never states --------------------------------------------------------
    Row(
        "max-pool-ties-split",
        LAYERS,
        "            first_max = window.argmax(axis=2)[:, :, None]\n"
        "            dwindow = np.zeros_like(window)\n"
        "            np.put_along_axis(dwindow, first_max, dout[:, :, i, j][:, :, None], "
        "axis=2)\n",
        "            is_max = window == window.max(axis=2, keepdims=True)\n"
        "            dwindow = is_max / is_max.sum(axis=2, keepdims=True)"
        " * dout[:, :, i, j][:, :, None]\n",
        {"conv.max_pool_backward": FULL},
    ),
    Row(
        "train-without-the-seed-keyword",
        WORKBOOK,
        "        verbose=False,\n        seed=None,\n    ):",
        "        verbose=False,\n    ):\n        seed = None",
        {"twolayer.train": FULL},
    ),
    Row(
        "biases-stored-as-rows",
        FC_NET,
        'self.params[f"b{layer}"] = np.zeros(d_out)',
        'self.params[f"b{layer}"] = np.zeros((1, d_out))',
        {"fc.fc_net": LOSES, "fc.overfit": FULL},
    ),
    # --- a side effect whose values are right costs one case ---------------------------------
    Row(
        "relu-backward-zeroes-dout-in-place",
        LAYERS,
        "    dx = dout * (x > 0)\n",
        "    dx = dout\n    dx[x <= 0] = 0\n",
        {"fc.relu_backward": 3 / 4},
    ),
]


def _points(question: dict, expect) -> None:
    summary = (
        f"{question['id']}: {question['score']}/{question['max_score']}: {question['feedback']}"
    )
    if expect == FULL:
        assert question["score"] == question["max_score"], summary
    elif expect == ZERO:
        assert question["score"] == 0, summary
    elif expect == LOSES:
        assert question["score"] < question["max_score"], summary
    else:
        assert question["score"] == pytest.approx(expect * question["max_score"]), summary


@pytest.mark.slow
@pytest.mark.parametrize("row", [pytest.param(r, id=r.slug) for r in ROWS])
def test_the_contract_is_judged(row, reference_submission, mutate, tmp_path):
    submission = mutate(reference_submission, tmp_path / "variant", row.relpath, row.old, row.new)
    results = pipeline.grade(submission=submission, seed=5, only=sorted(row.expect))
    assert not results.get("grader_faults"), results["grader_faults"]
    for question in results["questions"]:
        _points(question, row.expect[question["id"]])


@pytest.mark.slow
def test_a_side_effect_is_explained_once(reference_submission, mutate, tmp_path):
    row = next(r for r in ROWS if r.slug == "relu-backward-zeroes-dout-in-place")
    submission = mutate(reference_submission, tmp_path / "variant", row.relpath, row.old, row.new)
    (question,) = pipeline.grade(submission=submission, only=["fc.relu_backward"])["questions"]
    failed = [c for c in question["checks"] if c["status"] != "passed"]
    assert [c["name"] for c in failed] == ["inputs left unchanged"]
    assert "dout was modified in place" in failed[0]["message"]
    assert "values you return are right" in failed[0]["message"]
