"""Does every question take points off a realistic wrong implementation of what it grades?

Each mutant is the reference submission with one snippet of a student region replaced by a
mistake students make (forgotten reshape, unbiased variance, gradient ascent, ...). Grading only
the question that owns the snippet must cost points, with feedback that says something and is
not an internal grader error. A realistic mistake found to pass must be caught by tightening the
catalog or the checks, then listed here. CORRECT_VARIANTS are right answers written differently,
which must keep full marks.

The mistakes the grader can name live in ``grader/catalog/hints.json`` (each with its hint); they
are mutants here too, and their failed case must carry that hint. The others are listed below.
"""

import importlib.util
import json
from dataclasses import dataclass

import pytest

from grader import catalog
from grader.authoring.reference import solutions_dir
from grader.authoring.regions import parse_regions
from grader.checks import evaluators as ev
from grader.checks.gradient import TIES_HINT
from grader.checks.hints import load_hints
from grader.checks.model import SEED_NOT_PASSED_HINT
from grader.engine import pipeline

LAYERS = "layers.py"
OPTIM = "optim.py"
FILTERS = "image_filters.py"
WORKBOOK = "classifiers/neural_net.py"
FC_NET = "classifiers/fc_net.py"
CNN = "classifiers/cnn.py"


@dataclass(frozen=True)
class Mutant:
    """One realistic mistake: in ``relpath`` (under solutions/), ``old`` becomes ``new``."""

    question: str
    slug: str
    relpath: str
    old: str
    new: str
    hint: str = ""


def _hinted_mutants() -> list[Mutant]:
    return [
        Mutant(
            question, v["id"].split(":", 1)[1], edit["file"], edit["old"], edit["new"], v["hint"]
        )
        for v in load_hints()
        for question in v["questions"][:1]
        for edit in v["edits"][:1]
        if len(v["edits"]) == 1
    ]


MUTANTS = _hinted_mutants() + [
    # --- two-layer workbook net ----------------------------------------------------------------
    Mutant(
        "twolayer.train",
        "labels-drawn-separately",
        WORKBOOK,
        "y_batch = y[idx]",
        "y_batch = y[rng.choice(num_train, batch_size, replace=True)]",
    ),
    Mutant(
        "twolayer.train",
        "gradient-ascent",
        WORKBOOK,
        "self.params[name] -= learning_rate * grads[name]",
        "self.params[name] += learning_rate * grads[name]",
    ),
    # --- affine and ReLU layers ----------------------------------------------------------------
    Mutant(
        "fc.relu_forward",
        "clips-the-input-in-place",
        LAYERS,
        "    out = np.maximum(0, x)\n",
        "    x[x < 0] = 0\n    out = x\n",
    ),
    Mutant(
        "fc.relu_backward",
        "zeroes-dout-in-place",
        LAYERS,
        "    dx = dout * (x > 0)\n",
        "    dout[x <= 0] = 0\n    dx = dout\n",
    ),
    # --- training runs -------------------------------------------------------------------------
    Mutant(
        "fc.overfit",
        "dw-averaged-over-the-batch-again",
        LAYERS,
        "dw = x_rows.T @ dout\n",
        "dw = x_rows.T @ dout / x.shape[0]\n",
    ),
    Mutant(
        "fc.overfit",
        "relu-backward-forgets-upstream-gradient",
        LAYERS,
        "dx = dout * (x > 0)",
        "dx = (x > 0).astype(dout.dtype)",
    ),
    Mutant(
        "fc.good_model",
        "adam-step-without-square-root",
        OPTIM,
        'm_hat / (np.sqrt(v_hat) + config["epsilon"])',
        'm_hat / (v_hat + config["epsilon"])',
    ),
    Mutant(
        "fc.good_model",
        "batchnorm-backward-mean-path-dropped",
        LAYERS,
        "    dx = dx_centered + dmean / N\n",
        "    dx = dx_centered\n",
    ),
    Mutant(
        "conv.overfit",
        "adam-step-without-square-root",
        OPTIM,
        'm_hat / (np.sqrt(v_hat) + config["epsilon"])',
        'm_hat / (v_hat + config["epsilon"])',
    ),
    Mutant(
        "conv.overfit",
        "adam-gradient-not-squared",
        OPTIM,
        'v = beta2 * config["v"] + (1 - beta2) * dw**2',
        'v = beta2 * config["v"] + (1 - beta2) * dw',
    ),
    # --- dropout -------------------------------------------------------------------------------
    Mutant(
        "dropout.fc_net",
        "dropout-backward-skipped",
        FC_NET,
        'dout = dropout_backward(dout, caches[f"dropout{layer}"])',
        "pass",
    ),
    Mutant(
        "dropout.forward",
        "p-taken-as-drop-probability",
        LAYERS,
        "mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)",
        "mask = ((rng.random(x.shape) >= p) / (1 - p)).astype(x.dtype)",
        hint=ev.DROP_PROBABILITY_HINT,
    ),
    Mutant(
        "dropout.forward",
        "kept-units-not-scaled",
        LAYERS,
        "mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)",
        "mask = (rng.random(x.shape) < p).astype(x.dtype)",
        hint=ev.NOT_RESCALED_HINT,
    ),
    Mutant(
        "dropout.forward",
        "test-mode-scales-by-p",
        LAYERS,
        "        out = x\n",
        "        out = x * p\n",
        hint=ev.TEST_MODE_SCALED_HINT,
    ),
    Mutant(
        "dropout.backward",
        "fresh-mask-in-backward",
        LAYERS,
        "dx = dout * mask",
        'dx = dout * (np.random.rand(*dout.shape) < dropout_param["p"]) / dropout_param["p"]',
        hint=ev.FRESH_MASK_HINT,
    ),
    Mutant(
        "dropout.backward",
        "mask-without-1-over-p",
        LAYERS,
        "dx = dout * mask",
        "dx = dout * (mask > 0)",
        hint=ev.BACKWARD_UNSCALED_HINT,
    ),
    Mutant(
        "dropout.fc_net",
        "dropout-seed-dropped",
        FC_NET,
        'out, caches[f"dropout{layer}"] = dropout_forward(out, self.dropout_param)',
        'out, caches[f"dropout{layer}"] = dropout_forward(\n'
        '                    out, {"p": self.dropout_param["p"], '
        '"mode": self.dropout_param["mode"]}\n'
        "                )",
        hint=SEED_NOT_PASSED_HINT,
    ),
    # --- convolution and pooling ---------------------------------------------------------------
    Mutant(
        "conv.max_pool_backward",
        "gradient-to-every-maximum",
        LAYERS,
        "            first_max = window.argmax(axis=2)[:, :, None]\n"
        "            dwindow = np.zeros_like(window)\n"
        "            np.put_along_axis(dwindow, first_max, dout[:, :, i, j][:, :, None], "
        "axis=2)\n",
        "            is_max = window == window.max(axis=2, keepdims=True)\n"
        "            dwindow = is_max * dout[:, :, i, j][:, :, None]\n",
        hint=TIES_HINT,
    ),
    # --- image filters aside -------------------------------------------------------------------
    Mutant(
        "conv.image_filters",
        "edge-filter-in-the-blue-channel",
        FILTERS,
        "w[2, 1] = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]",
        "w[2, 2] = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]",
        hint=ev.CHANNEL_HINT,
    ),
    Mutant(
        "conv.image_filters",
        "horizontal-sobel-for-vertical-edges",
        FILTERS,
        "w[2, 1] = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]",
        "w[2, 1] = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]",
        hint=ev.EDGE_DIRECTION_HINT,
    ),
    Mutant(
        "conv.image_filters",
        "gaussian-not-normalised",
        FILTERS,
        "w[3, 0] = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16",
        "w[3, 0] = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])",
        hint=ev.BLUR_NORMALISED_HINT,
    ),
]

# Mistakes the first review of this table found passing (models graded only at zero biases,
# no case with large scores, the mutation check skipped for stateful layers); the checks and the
# catalog were tightened, and these are now caught like the rest.
MUTANTS += [
    Mutant(
        "dropout.forward",
        "seed-ignored",
        LAYERS,
        "mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)",
        "mask = ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)",
        hint=ev.SEED_IGNORED_HINT,
    ),
    Mutant(
        "bn.forward",
        "test-mode-centres-x-in-place",
        LAYERS,
        "out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta",
        "x -= running_mean\n        out = gamma * x / np.sqrt(running_var + eps) + beta",
    ),
]

# Coverage gaps found when the grader was judged on its contract (issue 10, class 6): a
# constructor argument never exercised, a pooling bug that only shows on non-square outputs.
MUTANTS += []

# What the notebooks' own checks let through (issue 11, item 4): gamma != 1 here; pad 0, N=1
# and a network that is handed "layernorm" but runs batchnorm are hints (hints.json), hence
# mutants too. The grader's cases (and the self-check's public ones) have those edge cases.
MUTANTS += [
    Mutant(
        "bn.backward_alt",
        "gamma-left-out-of-dx",
        LAYERS,
        "dx = (gamma / (N * std)) * (N * dout - dbeta - x_hat * dgamma)",
        "dx = (1 / (N * std)) * (N * dout - dbeta - x_hat * dgamma)",
    ),
]

# PyTorch (issue 13): each question of the framework notebook loses points on a realistic
# mistake. Graded only with torch installed (the optional extra); skipped without it.
TORCH = "pytorch_models.py"
MUTANTS += [
    Mutant(
        "pytorch.three_layer_convnet",
        "no-padding-on-the-first-conv",
        TORCH,
        "hidden = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))",
        "hidden = F.relu(F.conv2d(x, conv_w1, conv_b1))",
    ),
    Mutant(
        "pytorch.init",
        "fan-in-of-a-2d-weight-from-its-columns",
        TORCH,
        "fan_in = shape[0] if len(shape) == 2 else math.prod(shape[1:])",
        "fan_in = math.prod(shape[1:])",
    ),
    Mutant(
        "pytorch.init",
        "xavier-scale",
        TORCH,
        "weight = torch.randn(shape, dtype=DTYPE) * math.sqrt(2.0 / fan_in)",
        "weight = torch.randn(shape, dtype=DTYPE) * math.sqrt(1.0 / fan_in)",
    ),
    Mutant("pytorch.init", "requires-grad-forgotten", TORCH, "weight.requires_grad_()", "pass"),
    Mutant(
        "pytorch.init",
        "float64-weights",
        TORCH,
        "weight = torch.randn(shape, dtype=DTYPE) * math.sqrt(2.0 / fan_in)",
        "weight = torch.randn(shape, dtype=torch.float64) * math.sqrt(2.0 / fan_in)",
    ),
    Mutant(
        "pytorch.module",
        "pytorch-default-init-kept",
        TORCH,
        "nn.init.kaiming_normal_(layer.weight)",
        "pass",
    ),
    Mutant(
        "pytorch.module",
        "second-conv-5x5",
        TORCH,
        "self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)",
        "self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=5, padding=2)",
    ),
    Mutant(
        "pytorch.sequential",
        "learning-rate-ignored",
        TORCH,
        "lr=learning_rate, momentum=0.9",
        "lr=1e-2, momentum=0.9",
    ),
    Mutant(
        "pytorch.sequential",
        "relu-after-the-first-conv-missing",
        TORCH,
        "nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2),\n        nn.ReLU(),\n",
        "nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2),\n",
    ),
    Mutant(
        "pytorch.train_barebones",
        "update-rebinds-the-name",
        TORCH,
        "weight -= learning_rate * weight.grad",
        "weight = weight - learning_rate * weight.grad",
    ),
    Mutant(
        "pytorch.train_barebones",
        "gradient-ascent",
        TORCH,
        "weight -= learning_rate * weight.grad",
        "weight += learning_rate * weight.grad",
    ),
    Mutant(
        "pytorch.train_module",
        "fresh-linear-layer-every-forward",
        TORCH,
        "scores = self.fc(flatten(hidden))",
        "scores = nn.Linear(self.fc.in_features, self.fc.out_features)(flatten(hidden))",
    ),
    Mutant(
        "pytorch.challenge", "over-the-epoch-budget", TORCH, '"num_epochs": 6,', '"num_epochs": 60,'
    ),
    Mutant(
        "pytorch.challenge",
        "learning-rate-far-too-high",
        TORCH,
        '"optimizer": {"name": "adam", "lr": 3e-3, "weight_decay": 1e-4},',
        '"optimizer": {"name": "adam", "lr": 30.0, "weight_decay": 1e-4},',
    ),
]

# Correct implementations written differently from the reference: each must get full marks.
CORRECT_VARIANTS = [
    (
        Mutant(
            "fc.relu_backward",
            "np-where",
            LAYERS,
            "dx = dout * (x > 0)",
            "dx = np.where(x > 0, dout, 0)",
        ),
        None,
    ),
    (
        Mutant(
            "fc.affine_forward",
            "np-dot-on-a-flat-view",
            LAYERS,
            "out = x.reshape(x.shape[0], -1) @ w + b",
            "out = np.dot(x.reshape(len(x), np.prod(x.shape[1:])), w) + b",
        ),
        None,
    ),
    (
        Mutant(
            "fc.sgd_momentum",
            "velocity-updated-in-place",
            OPTIM,
            'v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw',
            'v = config["velocity"]\n    v *= config["momentum"]\n'
            '    v -= config["learning_rate"] * dw',
        ),
        None,
    ),
]


def _torch_marks(question: str) -> list:
    """PyTorch questions need the optional extra; without it they are skipped, saying why."""
    if question.startswith("pytorch.") and importlib.util.find_spec("torch") is None:
        return [pytest.mark.skip(reason='torch is not installed (pip install -e ".[torch]")')]
    return []


def _grade_mutant(m: Mutant, reference_submission, mutate, tmp_path) -> dict:
    submission = mutate(reference_submission, tmp_path / "mutant", m.relpath, m.old, m.new)
    results = pipeline.grade(submission=submission, only=[m.question])
    (question,) = results["questions"]
    assert question["id"] == m.question
    return question


def _graded_question_ids() -> set[str]:
    return {q["id"] for q in catalog.load_catalog()["questions"] if q["kind"] != "manual"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "mutant",
    [pytest.param(m, id=f"{m.question}-{m.slug}", marks=_torch_marks(m.question)) for m in MUTANTS],
)
def test_question_loses_points_on_a_realistic_mistake(
    mutant, reference_submission, mutate, tmp_path
):
    question = _grade_mutant(mutant, reference_submission, mutate, tmp_path)
    summary = json.dumps({k: question[k] for k in ("score", "status", "feedback")})
    assert question["score"] < question["max_score"], summary
    assert question["status"] != "passed", summary
    assert question["feedback"].strip(), summary
    assert "internal grader error" not in question["feedback"], summary
    if mutant.hint:
        hints = [c.get("hint") for c in question["checks"]]
        assert mutant.hint in hints, f"{summary}: hint not given; {hints}"


def _xfail_unless_none(pairs):
    return [
        pytest.param(
            m,
            id=f"{m.question}-{m.slug}",
            marks=[pytest.mark.xfail(strict=True, reason=why)] if why else [],
        )
        for m, why in pairs
    ]


@pytest.mark.slow
@pytest.mark.parametrize("mutant", _xfail_unless_none(CORRECT_VARIANTS))
def test_correct_alternative_implementation_gets_full_marks(
    mutant, reference_submission, mutate, tmp_path
):
    question = _grade_mutant(mutant, reference_submission, mutate, tmp_path)
    assert question["score"] == question["max_score"], question["feedback"]
    assert not any(c.get("hint") for c in question["checks"]), question["checks"]


def test_every_graded_question_has_a_mutant_it_catches():
    covered = {m.question for m in MUTANTS}
    assert sorted(_graded_question_ids() - covered) == []
    assert sorted(covered - _graded_question_ids()) == []


def test_every_mutant_edits_only_code_inside_one_student_region():
    for m in [*MUTANTS, *(m for m, _ in CORRECT_VARIANTS)]:
        source = (solutions_dir() / m.relpath).read_text(encoding="utf-8")
        assert source.count(m.old) == 1, f"{m.question}-{m.slug}: snippet not found exactly once"
        first = source[: source.index(m.old)].count("\n") + 1
        last = first + m.old.rstrip("\n").count("\n")
        regions = parse_regions(source, m.relpath)
        assert any(r.start < first and last < r.end for r in regions), (
            f"{m.question}-{m.slug}: lines {first}-{last} of {m.relpath} are not in a region"
        )
        assert "*****" not in m.new, f"{m.question}-{m.slug}: the replacement touches a marker"
