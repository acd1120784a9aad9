"""Self-checks for the notebooks: compare what your code computes with what it should compute.

Every check prints one line that starts with PASS or FAIL, names what was checked and, for a
comparison, the relative error and the bound it must stay under. A FAIL does not stop the
notebook; read its line, fix the function it names, save the file and run the cell again.

Expected values come from two places: arrays published with the course's notebooks (written
into the notebook cells), and small public fixtures in ``fixtures/`` (inputs drawn from fixed
public seeds and the outputs of a correct implementation on them). The grader uses other,
hidden inputs, so passing here is necessary but not sufficient.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from .gradient_check import eval_numerical_gradient, rel_error

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HYPERPARAMS_NAME = "hyperparams.json"
# The keys hyperparams.json may hold; the grader validates the file against the same keys.
MODEL_KEYS = ("hidden_dims", "normalization", "dropout", "reg", "weight_scale")
SOLVER_KEYS = ("update_rule", "learning_rate", "lr_decay", "num_epochs", "batch_size")
UPDATE_RULES = ("sgd", "sgd_momentum", "rmsprop", "adam")
_STUB = re.compile(r"^(?P<function>[\w.]+) in (?P<path>\S+\.py) is not implemented yet")


def _report(passed, name, detail):
    print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return passed


def check_close(name, actual, expected, tol=1e-7):
    """Check that ``actual`` matches ``expected`` to a maximum relative error below ``tol``.

    Inputs:
    - name: what is compared, as the printed line shows it
    - actual: your result (array or number)
    - expected: the expected result, of the same shape
    - tol: the largest relative error that passes

    Prints one PASS/FAIL line.
    """
    _check_close(name, actual, expected, tol)


def _check_close(name, actual, expected, tol):
    if actual is None:
        return _report(False, name, "got None; did the function return its result?")
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return _report(False, name, f"shape {actual.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(actual)):
        return _report(False, name, "contains NaN or inf")
    error = rel_error(actual, expected)
    return _report(error < tol, name, f"relative error {error:.2e} (must be below {tol:.0e})")


def check_that(name, condition, hint=""):
    """Check a property that is true or false; ``hint`` is printed when it is false."""
    passed = bool(condition)
    _report(passed, name, "yes" if passed else f"no. {hint}".strip())


def gradient_error(analytic, numeric, floor=1e-3):
    """Largest relative error between two gradients, entry by entry.

    An entry smaller than ``floor`` times the largest entry is measured relative to that
    level instead of its own size: the numeric gradient of a whole model carries rounding
    noise of about 1e-10 in every entry, which would swamp the relative error of an entry
    that is almost zero.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    size = np.abs(analytic) + np.abs(numeric)
    level = max(1e-8, floor * float(size.max(initial=0.0)))
    return float(np.max(np.abs(analytic - numeric) / np.maximum(level, size), initial=0.0))


def check_model_gradients(model, X, y, tol=1e-6, h=1e-5):
    """Compare every gradient ``model.loss(X, y)`` returns with a numeric gradient of its loss.

    The numeric gradient of parameter p nudges each entry of ``model.params[p]`` by +h and -h
    and takes the centred difference of the loss. Use a tiny model: each entry costs two full
    forward passes. Errors are measured by ``gradient_error``. Prints the loss, then one
    PASS/FAIL line per parameter.
    """
    loss, grads = model.loss(X, y)
    print(f"loss: {loss:.6f}")
    for name in sorted(model.params):
        label = f"gradient of {name}"
        if name not in grads:
            _report(False, label, "missing from the gradients the loss returned")
            continue
        numeric = eval_numerical_gradient(
            lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=h
        )
        analytic = np.asarray(grads[name], dtype=np.float64)
        if analytic.shape != numeric.shape:
            _report(False, label, f"shape {analytic.shape}, expected {numeric.shape}")
        elif not np.all(np.isfinite(analytic)):
            _report(False, label, "contains NaN or inf")
        else:
            error = gradient_error(analytic, numeric)
            _report(error < tol, label, f"relative error {error:.2e} (must be below {tol:.0e})")


def _decode(value):
    if isinstance(value, dict) and "dtype" in value and "data" in value:
        return np.array(value["data"], dtype=value["dtype"]).reshape(value["shape"])
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    return value


def load_fixture(name):
    """The public fixture ``fixtures/<name>.json``: nested dicts of arrays and numbers."""
    path = FIXTURES / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no fixture {path.name} in {FIXTURES}")
    return _decode(json.loads(path.read_text("utf-8")))


def _is_number(value, low, high, low_inclusive):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return (low <= value if low_inclusive else low < value) and value <= high


def hyperparams_problems(hyperparams):
    """What is wrong with a hyperparameter dict for hyperparams.json; [] when it is valid.

    The rules are those of the grader's schema: ``model`` needs ``hidden_dims`` and may hold
    normalization, dropout, reg and weight_scale; ``solver`` may hold update_rule,
    learning_rate, lr_decay, num_epochs and batch_size.
    """
    if not isinstance(hyperparams, dict) or set(hyperparams) != {"model", "solver"}:
        return ['hyperparams must be a dict with exactly the keys "model" and "solver"']
    model, solver = hyperparams["model"], hyperparams["solver"]
    if not isinstance(model, dict) or not isinstance(solver, dict):
        return ['hyperparams["model"] and hyperparams["solver"] must be dicts']
    problems = [f'unknown model key "{key}"' for key in sorted(set(model) - set(MODEL_KEYS))]
    problems += [f'unknown solver key "{key}"' for key in sorted(set(solver) - set(SOLVER_KEYS))]
    dims = model.get("hidden_dims")
    if not (isinstance(dims, list) and 1 <= len(dims) <= 6
            and all(_is_number(d, 1, 1024, True) and isinstance(d, int) for d in dims)):
        problems.append("model hidden_dims must be a list of 1 to 6 integers in 1..1024")
    if model.get("normalization") not in (None, "batchnorm", "layernorm"):
        problems.append('model normalization must be None, "batchnorm" or "layernorm"')
    if solver.get("update_rule", "sgd") not in UPDATE_RULES:
        problems.append(f"solver update_rule must be one of {', '.join(UPDATE_RULES)}")
    limits = [(model, "dropout", 0, 1, False), (model, "reg", 0, 10, True),
              (model, "weight_scale", 0, 10, False), (solver, "learning_rate", 0, 10, False),
              (solver, "lr_decay", 0, 1, False)]
    for where, key, low, high, low_inclusive in limits:
        if key in where and not _is_number(where[key], low, high, low_inclusive):
            bracket = "[" if low_inclusive else "("
            problems.append(f"{key} must be a number in {bracket}{low}, {high}]")
    for key, high in (("num_epochs", 60), ("batch_size", 2000)):
        value = solver.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            problems.append(f"solver {key} must be an integer in 1..{high}")
    return problems


def save_hyperparams(hyperparams, folder="."):
    """Validate ``hyperparams`` and write them to ``folder/hyperparams.json`` for the grader.

    Raises ValueError listing the problems when the dict is not valid.
    """
    problems = hyperparams_problems(hyperparams)
    if problems:
        raise ValueError("hyperparams cannot be saved:\n  " + "\n  ".join(problems))
    path = Path(folder) / HYPERPARAMS_NAME
    path.write_text(json.dumps(hyperparams, indent=2, sort_keys=True) + "\n", "utf-8")
    print(f"Saved your hyperparameters to {HYPERPARAMS_NAME}; the collect step hands it in.")


def collect_submission(folder="."):
    """Run the collect step from the notebook folder and print what it reports.

    Uses ``collect_submission.py`` of the student release (next to or above ``folder``), else
    the instructors' ``python -m grader.authoring.collect``.
    """
    folder = Path(folder).resolve()
    scripts = [path / "collect_submission.py" for path in (folder, folder.parent)]
    script = next((path for path in scripts if path.is_file()), None)
    collect = [sys.executable, "-m", "grader.authoring.collect"]
    command = [sys.executable, str(script)] if script else collect
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder.parent), env.get("PYTHONPATH")]))
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    print((result.stdout + result.stderr).strip())


def _stub_line(tb, path):
    """The line number of the innermost frame of ``tb`` that runs in the file ``path``."""
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).as_posix().endswith(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _short_not_implemented(shell, etype, value, tb, tb_offset=None):
    """IPython handler: a two-line message for a skeleton stub, the usual traceback otherwise."""
    match = _STUB.match(str(value))
    if not match:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    function, path = match.group("function"), match.group("path")
    line = _stub_line(tb, path)
    where = f"{path}, line {line}" if line else path
    shell._showtraceback(etype, value, [
        f"NotImplementedError: {function} is not implemented yet.",
        f"Write it in {where}, between the START/END OF YOUR CODE markers (the TODO above "
        "them says what to do), save the file and run this cell again.",
    ])
    return None


def setup_notebook():
    """Plot defaults for the notebooks, and short messages for functions not written yet.

    In IPython, calling a function whose body is still the skeleton's
    ``raise NotImplementedError(...)`` then prints which function to write and where, instead
    of a full traceback. Every other error keeps its usual traceback.
    """
    import matplotlib.pyplot as plt

    plt.rcParams["figure.figsize"] = (10.0, 6.0)
    plt.rcParams["image.interpolation"] = "nearest"
    plt.rcParams["image.cmap"] = "gray"
    np.set_printoptions(precision=6, suppress=True)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "_showtraceback"):
        shell.set_custom_exc((NotImplementedError,), _short_not_implemented)


def main(argv=None):
    """``python -m assignment.selfcheck``: the grader's own checks on public cases, with its
    feedback and hints (``--help`` says more). The student release ships the grader's checks
    in ``grader/`` beside ``assignment/``; run it from the folder that holds both."""
    try:
        from grader.selfcheck.run import main as run
    except ImportError as exc:
        print(f"the self-check needs the grader's checks in grader/ beside assignment/ ({exc})")
        return 2
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
