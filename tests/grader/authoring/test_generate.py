"""grader/authoring/generate.py: the skeleton assignment/ generated from solutions/."""

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.authoring import generate
from grader.authoring.regions import END_MARKER, START_MARKER, not_implemented_message

ROOT = Path(__file__).resolve().parents[3]
S, E = START_MARKER, END_MARKER

MODEL_PY = textwrap.dedent(
    f'''
    """A toy model."""

    import numpy as np

    from .helpers import double


    def scale(x, factor):
        """Multiply x by factor."""
        out = None
        # TODO: multiply x by factor.
        {S}
        out = x * factor + 0.0
        {E}
        return out


    class Model:
        def __init__(self):
            self.w = np.ones(3)

        def loss(self, x):
            total = None
            # TODO: sum the doubled products.
            {S}
            products = double(x) * self.w
            total = float(np.sum(products))
            {E}
            return total
    '''
).lstrip("\n")

HELPERS_PY = '"""Given helpers."""\n\n\ndef double(x):\n    return 2 * x\n'


def make_solutions(root, files=None):
    """A synthetic package ``root/solutions`` with a region file, given code, and artefacts."""
    src = root / "solutions"
    files = files or {
        "__init__.py": '"""Toy package."""\n',
        "model.py": MODEL_PY,
        "helpers.py": HELPERS_PY,
        "sub/__init__.py": "",
        "sub/fast.pyx": "# cython: boundscheck=False\ndef f(int x):\n    return x\n",
        "sub/notes.txt": "plain text\n",
        "__pycache__/model.cpython-311.pyc": "junk",
        "sub/fast.c": "/* built */",
        "sub/fast.cpython-311-x86_64-linux-gnu.so": "junk",
    }
    for rel, text in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    return src


def run(root, *extra):
    return generate.main(
        ["--solutions", str(root / "solutions"), "--assignment", str(root / "assignment"), *extra]
    )


@pytest.fixture
def tree(tmp_path):
    make_solutions(tmp_path)
    assert run(tmp_path) == 0
    return tmp_path


def test_the_generated_tree_has_the_sources_and_no_build_artefacts(tree):
    assert generate.tree_files(tree / "assignment") == [
        "__init__.py",
        "helpers.py",
        "model.py",
        "sub/__init__.py",
        "sub/fast.pyx",
        "sub/notes.txt",
    ]
    assert not (tree / "assignment" / "__pycache__").exists()


def test_every_python_file_opens_with_a_header_for_students(tree):
    # What a student can do with the file; how instructors regenerate it is not their concern.
    for rel in ("__init__.py", "helpers.py", "model.py", "sub/__init__.py", "sub/fast.pyx"):
        text = (tree / "assignment" / rel).read_text()
        assert text.startswith("# Students: ")
        assert "grade generate" not in text and "solutions/" not in text
    head = (tree / "assignment/model.py").read_text().splitlines()[:3]
    assert "write your code only between" in head[0]
    assert "Keep the given function signatures" in head[1]
    assert "given code" in (tree / "assignment/helpers.py").read_text().splitlines()[0]


def test_non_python_files_are_copied_byte_for_byte(tree):
    assert (tree / "assignment/sub/notes.txt").read_bytes() == b"plain text\n"
    pyx = (tree / "assignment/sub/fast.pyx").read_text()
    assert pyx.endswith((tree / "solutions/sub/fast.pyx").read_text())


def test_region_bodies_become_one_stub_and_everything_else_is_verbatim(tree):
    generated = (tree / "assignment/model.py").read_text().splitlines()[3:]
    original = MODEL_PY.splitlines()
    answers = ("x * factor + 0.0", "products = double", "total = float(")
    kept = [line for line in original if not any(answer in line for answer in answers)]
    assert len(original) - len(kept) == 3
    assert [line for line in generated if "raise NotImplementedError" not in line] == kept
    stubs = [line for line in generated if "raise NotImplementedError" in line]
    assert [line[: len(line) - len(line.lstrip())] for line in stubs] == [" " * 4, " " * 8]
    assert "scale in assignment/model.py is not implemented yet" in stubs[0]
    assert "Model.loss in assignment/model.py is not implemented yet" in stubs[1]


@pytest.fixture
def fresh_assignment_modules():
    """Let a test import a generated ``assignment`` and put the real one back afterwards."""

    def ours(name):
        return name == "assignment" or name.startswith("assignment.")

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    yield
    for name in [name for name in sys.modules if ours(name)]:
        del sys.modules[name]
    sys.modules.update(saved)
    importlib.invalidate_caches()


def test_the_generated_stub_raises_not_implemented_naming_the_function(
    tree, monkeypatch, fresh_assignment_modules
):
    monkeypatch.syspath_prepend(str(tree))
    model = importlib.import_module("assignment.model")
    with pytest.raises(NotImplementedError) as info:
        model.Model().loss(1.0)
    assert str(info.value).startswith("Model.loss in assignment/model.py is not implemented yet")
    assert not_implemented_message(info.value) == "Model.loss is not implemented yet"
    assert model.Model().w.shape == (3,)  # given code outside the regions still runs


def test_generating_twice_changes_nothing_and_is_deterministic(tree, tmp_path_factory, capsys):
    before = {
        p: (tree / "assignment" / p).read_bytes() for p in generate.tree_files(tree / "assignment")
    }
    capsys.readouterr()
    assert run(tree) == 0
    assert "0 written, 0 removed" in capsys.readouterr().out
    other = tmp_path_factory.mktemp("other")
    make_solutions(other)
    run(other)
    again = {
        p: (other / "assignment" / p).read_bytes()
        for p in generate.tree_files(other / "assignment")
    }
    assert again == before


def test_stale_files_are_removed_and_build_artefacts_kept(tree):
    (tree / "solutions/helpers.py").unlink()
    (tree / "assignment/leftover.py").write_text("x = 1\n")
    (tree / "assignment/sub/fast.cpython-311-x86_64-linux-gnu.so").write_bytes(b"built")
    (tree / "assignment/sub/fast.c").write_text("/* built */")
    assert run(tree) == 0
    files = generate.tree_files(tree / "assignment")
    assert "helpers.py" not in files and "leftover.py" not in files
    assert (tree / "assignment/sub/fast.cpython-311-x86_64-linux-gnu.so").exists()
    assert (tree / "assignment/sub/fast.c").exists()


def test_a_removed_package_leaves_no_empty_folder(tree):
    for rel in ("sub/__init__.py", "sub/fast.pyx", "sub/notes.txt", "sub/fast.c"):
        (tree / "solutions" / rel).unlink()
    (tree / "solutions/sub/fast.cpython-311-x86_64-linux-gnu.so").unlink()
    run(tree)
    assert not (tree / "assignment/sub").exists()


def test_check_passes_on_an_up_to_date_tree(tree, capsys):
    assert run(tree, "--check") == 0
    assert "up to date" in capsys.readouterr().out


def test_check_fails_with_a_diff_on_a_hand_edit_and_writes_nothing(tree, capsys):
    path = tree / "assignment/helpers.py"
    path.write_text(path.read_text().replace("2 * x", "3 * x"))
    assert run(tree, "--check") == 1
    out = capsys.readouterr().out
    assert "--- a/assignment/helpers.py" in out and "+++ b/assignment/helpers.py" in out
    assert "-    return 3 * x" in out and "+    return 2 * x" in out
    assert "3 * x" in path.read_text()


def test_check_reports_missing_and_stale_files(tree, capsys):
    (tree / "assignment/helpers.py").unlink()
    (tree / "assignment/stale.py").write_text("x = 1\n")
    assert run(tree, "--check") == 1
    out = capsys.readouterr().out
    assert "+++ b/assignment/helpers.py" in out
    assert "--- a/assignment/stale.py" in out and "+++ /dev/null" in out


def test_check_fails_after_the_solution_changes(tree, capsys):
    path = tree / "solutions/model.py"
    path.write_text(path.read_text().replace("self.w = np.ones(3)", "self.w = np.ones(4)"))
    assert run(tree, "--check") == 1
    assert "+        self.w = np.ones(4)" in capsys.readouterr().out


def test_check_exit_code_from_the_command_line(tree):
    cmd = [sys.executable, "-m", "grader.authoring.generate", "--check"]
    args = ["--solutions", str(tree / "solutions"), "--assignment", str(tree / "assignment")]
    assert subprocess.run(cmd + args, cwd=ROOT, capture_output=True).returncode == 0
    (tree / "assignment/helpers.py").write_text("edited\n")
    result = subprocess.run(cmd + args, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "-edited" in result.stdout


@pytest.mark.parametrize(
    ("body", "line", "phrase"),
    [
        (f"def f():\n    {S}\n    return 1\n", 2, "has no END marker"),
        (f"def f():\n    # TODO: x\n    {S}\n    {S}\n    y = 1\n    {E}\n", 4, "nested"),
        (f"def f():\n    # TODO: x\n    {S}\n    {E}\n    return 1\n", 3, "region is empty"),
        (f"# TODO: x\n{S}\nX = 1\n{E}\n", 2, "not inside a function"),
        (f"def f():\n    y = 0\n    {S}\n    y = 1\n    {E}\n", 3, "no `# TODO:` comment"),
        (
            f"def f():\n    # TODO: x\n    {S}\n    try:\n        y = 1\n    {E}\n"
            "    except ValueError:\n        y = 2\n    return y\n",
            6,
            "would not compile",
        ),
    ],
)
def test_malformed_regions_are_refused_with_file_and_line_and_nothing_written(
    tmp_path, capsys, body, line, phrase
):
    make_solutions(tmp_path, {"__init__.py": "", "bad.py": body})
    assert run(tmp_path) == 2
    err = capsys.readouterr().err
    assert f"solutions/bad.py:{line}: " in err and phrase in err
    assert not (tmp_path / "assignment").exists()


def test_markers_in_a_non_python_file_are_refused(tmp_path, capsys):
    make_solutions(tmp_path, {"__init__.py": "", "fast.pyx": f"def f():\n    {S}\n    {E}\n"})
    assert run(tmp_path) == 2
    assert "solutions/fast.pyx:1: student regions are supported in .py files only" in (
        capsys.readouterr().err
    )


def test_a_folder_that_is_not_a_generated_tree_is_never_overwritten(tmp_path, capsys):
    make_solutions(tmp_path)
    (tmp_path / "assignment").mkdir()
    (tmp_path / "assignment/precious.py").write_text("mine\n")
    assert run(tmp_path) == 2
    assert "refusing" in capsys.readouterr().err
    assert (tmp_path / "assignment/precious.py").read_text() == "mine\n"


# --- the real reference package ----------------------------------------------------------------


def test_the_real_solutions_generate_a_skeleton_that_compiles(tmp_path):
    rendered = generate.render_tree(ROOT / "solutions")
    assert "__init__.py" in rendered and "layers.py" in rendered
    for rel, data in rendered.items():
        if rel.endswith(".py"):
            compile(data, rel, "exec")
    text = rendered["layers.py"].decode()
    assert text.count(START_MARKER) == text.count("raise NotImplementedError(") > 0


GIVEN_CODE_SCRIPT = """
import importlib, pkgutil, warnings
import numpy as np
warnings.simplefilter("ignore", RuntimeWarning)  # the Cython extension is not built here
import assignment
for info in pkgutil.walk_packages(assignment.__path__, "assignment."):
    importlib.import_module(info.name)

from assignment import layers
from assignment.data_utils import get_data
from assignment.fast_layers import conv_forward_fast, max_pool_forward_fast
from assignment.gradient_check import eval_numerical_gradient, rel_error
from assignment.solver import Solver
from assignment.vis_utils import visualize_grid

data = get_data("digits")
N, C, H, W = data["X_train"].shape


class Softmax:
    def __init__(self):
        rng = np.random.default_rng(0)
        self.params = {"W": 1e-3 * rng.standard_normal((C * H * W, 10)), "b": np.zeros(10)}

    def loss(self, X, y=None):
        X = X.reshape(len(X), -1)
        scores = X @ self.params["W"] + self.params["b"]
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(len(y)), y]).mean()
        dscores = probs.copy()
        dscores[np.arange(len(y)), y] -= 1
        dscores /= len(y)
        return loss, {"W": X.T @ dscores, "b": dscores.sum(axis=0)}


model = Softmax()
solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1.0},
                num_epochs=3, batch_size=50, verbose=False, seed=0)
solver.train()
print("val_acc", solver.best_val_acc)
print("loss_ratio", np.mean(solver.loss_history[-5:]) / solver.loss_history[0])

X, y = data["X_train"][:5], data["y_train"][:5]
_, grads = model.loss(X, y)
f = lambda b: model.loss(X, y)[0]
numeric = eval_numerical_gradient(f, model.params["b"], verbose=False)
print("grad_error", rel_error(numeric, grads["b"]))

rng = np.random.default_rng(1)
x, w = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
bias = rng.standard_normal(4)
out, _ = conv_forward_fast(x, w, bias, {"stride": 1, "pad": 1})
xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
windows = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(2, 3))
direct = np.einsum("nchwij,fcij->nfhw", windows, w) + bias[None, :, None, None]
print("conv_error", rel_error(out, direct))
pooled, _ = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 1})
pool_windows = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(2, 3))
print("pool_error", rel_error(pooled, pool_windows.max(axis=(-1, -2))))
print("grid", visualize_grid(rng.random((5, 4, 4, 3))).shape)

try:
    layers.affine_forward(x, w, bias)
except NotImplementedError as exc:
    print("stub", exc)
"""


@pytest.mark.slow
def test_given_code_works_in_the_generated_real_skeleton(tmp_path):
    written, _ = generate.write_tree(
        generate.render_tree(ROOT / "solutions"), tmp_path / "assignment"
    )
    assert written
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", GIVEN_CODE_SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert float(values["val_acc"]) > 0.7  # chance is 0.1: the Solver trained it with sgd
    assert float(values["loss_ratio"]) < 0.5
    assert float(values["grad_error"]) < 1e-7
    assert float(values["conv_error"]) < 1e-10
    assert float(values["pool_error"]) < 1e-12
    assert values["grid"] == "(14, 14, 3)"
    assert values["stub"].startswith(
        "affine_forward in assignment/layers.py is not implemented yet"
    )
