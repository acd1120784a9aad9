"""grader/inside/runner.py: requests carried out the same way on any package, never raising."""

import subprocess
import sys
import threading

import numpy as np

from grader.inside import runner


def test_a_call_request_runs_the_named_function_of_the_package():
    x = np.array([[-1.0, 2.0]])
    out = runner.execute({"op": "call", "target": "layers.relu_forward", "args": [x]}, "solutions")
    out_array, cache = out["result"]
    assert np.array_equal(out_array, [[0.0, 2.0]])
    assert np.array_equal(out["args_after"][0], x)  # the input, as the call left it


def test_an_exception_becomes_an_answer_that_says_where_in_the_package():
    req = {"op": "call", "target": "layers.affine_forward", "args": [1, 2, 3]}
    answer = runner.answer_request(
        req, "solutions", runner.os.path.dirname(__import__("solutions").__file__)
    )
    assert answer["status"] == "error" and answer["type"]
    assert answer["where"]["file"].startswith("solutions/")


def test_run_as_a_script_it_imports_its_siblings_not_the_grader(tmp_path):
    # The child runs a copy of runner.py beside copies of ops.py, torch_ops.py and wire.py.
    from grader.engine import overlay
    from grader.inside import CHILD_FILES

    for name in CHILD_FILES:
        (tmp_path / name).write_bytes((overlay.INSIDE / name).read_bytes())
    probe = (
        "import runpy, sys; sys.argv = ['runner.py']; "
        f"g = runpy.run_path({str(tmp_path / 'runner.py')!r}); "
        "print(g['ops'].__file__, 'grader' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)
    ops_file, grader_loaded = out.stdout.split()
    assert ops_file == str(tmp_path / "ops.py") and grader_loaded == "False"


def test_warm_answers_at_once_and_imports_in_the_background():
    name = "xml.dom.minidom"  # a standard module nothing here imports
    sys.modules.pop(name, None)
    assert runner.execute({"op": "warm", "modules": [name, "no_such_module"]}, "solutions") == {
        "started": True
    }
    for thread in [t for t in threading.enumerate() if t.name == "scratchnet-warm"]:
        thread.join(30)
    assert name in sys.modules  # and the missing one was skipped, not raised
