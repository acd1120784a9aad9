"""solutions/selfcheck.py: the notebooks' PASS/FAIL lines, fixtures, hyperparams and helpers."""

import json
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from solutions import selfcheck

ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = ROOT / "grader" / "catalog"
SCHEMA = json.loads((CATALOG_DIR / "schemas" / "hyperparams.schema.json").read_text())
REFERENCE_HYPERPARAMS = json.loads((CATALOG_DIR / "reference_hyperparams.json").read_text())


def lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_check_close_passes_below_the_tolerance_and_prints_the_error(capsys):
    selfcheck.check_close("out", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), tol=1e-7)
    (line,) = lines(capsys)
    assert line.startswith("PASS  out: relative error 2.50e-10") and "below 1e-07" in line


def test_check_close_fails_above_the_tolerance(capsys):
    selfcheck.check_close("out", np.array([1.0, 2.0]), np.array([1.0, 2.1]), tol=1e-7)
    assert lines(capsys)[0].startswith("FAIL  out: relative error 2.44e-02")


@pytest.mark.parametrize(
    "actual, message",
    [
        (None, "got None"),
        (np.ones((2, 3)), "shape (2, 3), expected (3, 2)"),
        (np.full((3, 2), np.nan), "NaN or inf"),
    ],
)
def test_check_close_fails_with_a_reason_for_unusable_results(actual, message, capsys):
    selfcheck.check_close("x", actual, np.ones((3, 2)))
    (line,) = lines(capsys)
    assert line.startswith("FAIL  x: ") and message in line


def test_check_that_prints_the_hint_only_when_it_fails(capsys):
    selfcheck.check_that("p is kept", True, "hint")
    selfcheck.check_that("p is kept", False, "p is the KEEP probability.")
    assert lines(capsys) == [
        "PASS  p is kept: yes",
        "FAIL  p is kept: no. p is the KEEP probability.",
    ]


class Quadratic:
    """loss = sum(w * x**2) + b; the gradients are right unless told otherwise."""

    def __init__(self, wrong=None, missing=None):
        self.params = {"w": np.array([1.0, -2.0, 3.0]), "b": np.array([0.5])}
        self.wrong, self.missing = wrong, missing

    def loss(self, X, y):
        loss = float(np.sum(self.params["w"] * X**2) + self.params["b"][0])
        grads = {"w": X**2, "b": np.ones(1)}
        if self.wrong:
            grads[self.wrong] = 2 * grads[self.wrong]
        grads.pop(self.missing, None)
        return loss, grads


def test_check_model_gradients_passes_a_right_model(capsys):
    selfcheck.check_model_gradients(Quadratic(), np.array([1.0, 2.0, 3.0]), None)
    out = lines(capsys)
    assert out[0].startswith("loss: ")
    assert [line[:20] for line in out[1:]] == ["PASS  gradient of b:", "PASS  gradient of w:"]


def test_check_model_gradients_names_a_wrong_or_missing_gradient(capsys):
    selfcheck.check_model_gradients(Quadratic(wrong="w"), np.array([1.0, 2.0, 3.0]), None)
    assert any(line.startswith("FAIL  gradient of w") for line in lines(capsys))
    selfcheck.check_model_gradients(Quadratic(missing="b"), np.array([1.0, 2.0, 3.0]), None)
    assert "FAIL  gradient of b: missing from the gradients the loss returned" in lines(capsys)


def test_gradient_error_measures_near_zero_entries_against_the_largest():
    analytic = np.array([1.0, 1e-9])
    numeric = np.array([1.0, 1.2e-9])  # rounding noise on an entry that is almost zero
    assert selfcheck.rel_error(analytic, numeric) > 0.01
    assert selfcheck.gradient_error(analytic, numeric) < 1e-6
    assert selfcheck.gradient_error(np.array([1.0, 0.5]), np.array([1.0, 0.6])) > 0.05
    assert selfcheck.gradient_error(np.zeros(3), np.zeros(3)) == 0.0


def test_load_fixture_decodes_arrays_with_their_shape_and_dtype():
    fixture = selfcheck.load_fixture("fc_net_loss")
    assert fixture["inputs"]["X"].shape == (4, 3) and fixture["inputs"]["X"].dtype == np.float64
    assert fixture["inputs"]["y"].dtype == np.int64
    assert fixture["cases"]["batchnorm"]["params"]["gamma1"].shape == (6,)
    assert isinstance(fixture["cases"]["none"]["loss"], float)


def test_load_fixture_names_a_missing_fixture():
    with pytest.raises(FileNotFoundError, match="no fixture nothing.json"):
        selfcheck.load_fixture("nothing")


def _schema_valid(doc):
    try:
        jsonschema.validate(doc, SCHEMA)
    except jsonschema.ValidationError:
        return False
    return True


def _variant(section, key, value):
    doc = json.loads(json.dumps(REFERENCE_HYPERPARAMS))
    if value is _DELETE:
        del doc[section][key]
    else:
        doc[section][key] = value
    return doc


_DELETE = object()
VARIANTS = [
    ("model", "hidden_dims", _DELETE),
    ("model", "hidden_dims", []),
    ("model", "hidden_dims", [0]),
    ("model", "hidden_dims", [10] * 7),
    ("model", "hidden_dims", [1.5]),
    ("model", "hidden_dims", [1024]),
    ("model", "normalization", "batch"),
    ("model", "normalization", None),
    ("model", "dropout", 0),
    ("model", "dropout", 1),
    ("model", "dropout", 1.2),
    ("model", "reg", 0),
    ("model", "reg", -1),
    ("model", "reg", 10),
    ("model", "weight_scale", 0),
    ("model", "input_dim", 64),
    ("solver", "update_rule", "sgdd"),
    ("solver", "update_rule", "rmsprop"),
    ("solver", "learning_rate", 0),
    ("solver", "lr_decay", 1),
    ("solver", "lr_decay", 1.5),
    ("solver", "num_epochs", 60),
    ("solver", "num_epochs", 61),
    ("solver", "num_epochs", True),
    ("solver", "batch_size", 0),
    ("solver", "batch_size", 2000),
    ("solver", "seed", 1),
    ("solver", "num_epochs", _DELETE),
]


@pytest.mark.parametrize("section, key, value", VARIANTS)
def test_hyperparams_problems_agrees_with_the_graders_schema(section, key, value):
    doc = _variant(section, key, value)
    assert (selfcheck.hyperparams_problems(doc) == []) == _schema_valid(doc)


def test_hyperparams_problems_rejects_a_float_epoch_count_the_solver_cannot_use():
    """Stricter than the schema (which calls 2.0 an integer): the Solver needs an int."""
    doc = _variant("solver", "num_epochs", 2.0)
    assert _schema_valid(doc)
    assert selfcheck.hyperparams_problems(doc) == ["solver num_epochs must be an integer in 1..60"]


@pytest.mark.parametrize(
    "doc",
    [
        {},
        [],
        {"model": {"hidden_dims": [3]}},
        {"model": 1, "solver": {}},
        {"model": {"hidden_dims": [3]}, "solver": {}, "extra": 1},
    ],
)
def test_hyperparams_problems_rejects_what_the_schema_rejects(doc):
    assert not _schema_valid(doc)
    assert selfcheck.hyperparams_problems(doc) != []


def test_save_hyperparams_writes_json_the_schema_accepts(tmp_path, capsys):
    selfcheck.save_hyperparams(REFERENCE_HYPERPARAMS, folder=tmp_path)
    saved = json.loads((tmp_path / "hyperparams.json").read_text())
    assert saved == REFERENCE_HYPERPARAMS and _schema_valid(saved)
    assert "hyperparams.json" in capsys.readouterr().out


def test_save_hyperparams_refuses_an_invalid_dict_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="num_epochs"):
        selfcheck.save_hyperparams(_variant("solver", "num_epochs", 0), folder=tmp_path)
    assert not (tmp_path / "hyperparams.json").exists()


class FakeShell:
    def __init__(self):
        self.short, self.full = [], []

    def _showtraceback(self, etype, value, stb):
        self.short.append(stb)

    def showtraceback(self, exc_tuple, tb_offset=None):
        self.full.append(exc_tuple)


def _raise_from(path, message):
    """The exception info of a NotImplementedError raised on line 3 of a file named path."""
    code = compile(f"\n\nraise NotImplementedError({message!r})\n", path, "exec")
    try:
        exec(code, {})
    except NotImplementedError:
        return sys.exc_info()
    raise AssertionError("not raised")


def test_a_skeleton_stub_error_becomes_a_two_line_message_naming_function_file_and_line():
    shell = FakeShell()
    message = (
        "affine_forward in assignment/layers.py is not implemented yet: replace this "
        "line with your code (see the TODO above)"
    )
    selfcheck._short_not_implemented(shell, *_raise_from("/x/assignment/layers.py", message))
    assert shell.full == []
    (stb,) = shell.short
    assert stb[0] == "NotImplementedError: affine_forward is not implemented yet."
    assert stb[1].startswith("Write it in assignment/layers.py, line 3, between the START/END")


def test_any_other_not_implemented_error_keeps_its_full_traceback():
    shell = FakeShell()
    selfcheck._short_not_implemented(shell, *_raise_from("/x/mine.py", "my own placeholder"))
    assert shell.short == [] and len(shell.full) == 1


def test_setup_notebook_outside_ipython_only_sets_plot_defaults():
    import matplotlib

    matplotlib.use("Agg")
    selfcheck.setup_notebook()
    assert matplotlib.rcParams["image.cmap"] == "gray"


def test_collect_submission_runs_the_release_script_from_the_folder_above(tmp_path, capsys):
    (tmp_path / "collect_submission.py").write_text(
        "import os\nprint('collected in', os.path.basename(os.getcwd()))\n"
    )
    notebooks = tmp_path / "starter_notebooks"
    notebooks.mkdir()
    selfcheck.collect_submission(notebooks)
    assert capsys.readouterr().out.strip() == "collected in starter_notebooks"
