"""starter_notebooks/: built from src/, valid and clean, and runnable top to bottom.

The slow tests execute every notebook with nbclient in a scratch copy of the student layout,
``<tmp>/assignment`` beside ``<tmp>/starter_notebooks``, where ``assignment/`` is either a copy
of the reference ``solutions/`` (every self-check must print PASS) or the skeleton freshly
generated from it (the first call of an unwritten function must stop with the short "not
implemented yet" message that names it). The notebooks' set-up cell puts ``<tmp>`` first on
``sys.path``, so ``import assignment`` finds the copy under test.
"""

import importlib
import importlib.util
import json
import os
import re
import shutil
import time
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from grader.authoring.generate import render_tree
from grader.checks import manual
from grader.course import release

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "starter_notebooks"
NOTEBOOKS = [
    "TwoLayerNet",
    "FullyConnectedNets",
    "BatchNormalization",
    "Dropout",
    "ConvolutionalNetworks",
    "PyTorch",
]
# The first student function each notebook calls: against the skeleton, it stops there.
FIRST_STUDENT_CALL = {
    "TwoLayerNet": ("TwoLayerNet.loss", "assignment/classifiers/neural_net.py"),
    "FullyConnectedNets": ("affine_forward", "assignment/layers.py"),
    "BatchNormalization": ("batchnorm_forward", "assignment/layers.py"),
    "Dropout": ("dropout_forward", "assignment/layers.py"),
    "ConvolutionalNetworks": ("conv_forward_naive", "assignment/layers.py"),
    "PyTorch": ("flatten", "assignment/pytorch_models.py"),
}
CELL_TIMEOUT = 300
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~])/(?:home|work|tmp|root|Users|usr|opt|mnt|var|private)/|\b[A-Za-z]:\\\\"
)


def needs_torch(name):
    """The PyTorch notebook needs the optional extra (pip install -e \".[torch]\")."""
    if name == "PyTorch" and importlib.util.find_spec("torch") is None:
        pytest.skip('torch is not installed (the optional extra: pip install -e ".[torch]")')


def load_builder():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOK_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(name):
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=nbformat.NO_CONVERT)


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


# --- static checks: fast ------------------------------------------------------------------


def test_the_five_notebooks_and_their_sources_are_all_there():
    builder = load_builder()
    assert list(builder.NOTEBOOKS) == NOTEBOOKS
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)
    assert sorted(p.stem for p in (NOTEBOOK_DIR / "src").glob("*.py")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_exactly_what_its_source_builds(name):
    builder = load_builder()
    assert (NOTEBOOK_DIR / f"{name}.ipynb").read_text("utf-8") == builder.render(name), (
        f"{name}.ipynb is out of date with src/{name}.py: run python starter_notebooks/build.py"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_valid_nbformat_4(name):
    nb = read(name)
    assert nb.nbformat == 4
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_saved_without_outputs(name):
    for cell in code_cells(read(name)):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]
        assert "execution" not in cell.metadata


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_and_source_hold_no_absolute_paths(name):
    for path in (NOTEBOOK_DIR / f"{name}.ipynb", NOTEBOOK_DIR / "src" / f"{name}.py"):
        found = ABSOLUTE_PATH.findall(path.read_text("utf-8"))
        assert not found, f"{path.name}: {found}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_answer_cells_are_exactly_the_catalog_ids_and_start_blank(name):
    catalog = json.loads((ROOT / "grader" / "catalog" / "catalog.json").read_text("utf-8"))
    expected = sorted(
        answer
        for question in catalog["questions"]
        if question["kind"] == "manual" and question["notebook"] == name
        for answer in question["answers"]
    )
    answers = manual.extract_answers((NOTEBOOK_DIR / f"{name}.ipynb").read_text("utf-8"))
    assert sorted(answers) == expected
    assert all(manual._is_blank(text) for text in answers.values()), answers


def test_notebooks_sources_and_builder_hold_no_solution_text():
    entries = {
        path.relative_to(ROOT).as_posix(): path.read_bytes()
        for path in sorted(NOTEBOOK_DIR.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert release.find_leaks(entries, release.solution_lines(ROOT / "solutions")) == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opens_with_the_setup_and_ends_with_the_collect_step(name):
    cells = code_cells(read(name))
    assert "sys.path.insert(0, str(ROOT))" in cells[0].source
    assert "selfcheck.setup_notebook()" in cells[1].source
    assert "%autoreload 2" in cells[1].source
    assert cells[-1].source.strip() == "selfcheck.collect_submission()"


_IMPORT = re.compile(
    r"^from assignment(?P<module>(?:\.\w+)*) import (?P<names>\([^)]*\)|.+)$", re.MULTILINE
)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_name_a_notebook_imports_exists_in_the_package(name):
    """A renamed function must not surface as an ImportError in a student's notebook."""
    needs_torch(name)
    imported = 0
    for cell in code_cells(read(name)):
        for match in _IMPORT.finditer(cell.source):
            module_name = "solutions" + match.group("module")
            module = importlib.import_module(module_name)
            for attribute in re.findall(r"\w+", match.group("names")):
                if not hasattr(module, attribute):  # a submodule: from assignment import x
                    importlib.import_module(f"{module_name}.{attribute}")
                imported += 1
    assert imported >= 5


# --- the builder --------------------------------------------------------------------------


def test_builder_turns_percent_cells_into_notebook_cells():
    builder = load_builder()
    source = "\n".join(
        [
            "# a header line that is not part of the notebook",
            "# %% [markdown]",
            "# # Title",
            "#",
            "# Some *text*.",
            "",
            "# %%",
            "# %autoreload 2",
            "# a comment stays a comment",
            "x = 1",
            "",
            '# %% [markdown] scratchnet={"answer": "fc.inline1"}',
            "# **Your answer:**",
        ]
    )
    nb = builder.build_notebook(source)
    assert [cell.cell_type for cell in nb.cells] == ["markdown", "code", "markdown"]
    assert nb.cells[0].source == "# Title\n\nSome *text*."
    assert nb.cells[1].source == "%autoreload 2\n# a comment stays a comment\nx = 1"
    assert nb.cells[2].metadata == {"scratchnet": {"answer": "fc.inline1"}}
    assert [cell.id for cell in nb.cells] == ["cell-001", "cell-002", "cell-003"]
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None


@pytest.mark.parametrize(
    "source, problem",
    [
        ("# %% [markdown]\nnot a comment", "must start with '# '"),
        ("# %% [markdown] key={not json}", "not JSON"),
        ("# %%[markdown]\n# x", "malformed cell marker"),
        ("# %%\n\n# %%\nx = 1", "cell 1 is empty"),
    ],
)
def test_builder_rejects_malformed_sources_naming_the_line(source, problem):
    builder = load_builder()
    with pytest.raises(builder.SourceError, match=re.escape(problem)):
        builder.build_notebook(source, "src/X.py")


def test_builder_check_mode_reports_a_stale_notebook(tmp_path, monkeypatch, capsys):
    builder = load_builder()
    for name in NOTEBOOKS:
        shutil.copy(NOTEBOOK_DIR / f"{name}.ipynb", tmp_path)
    monkeypatch.setattr(builder, "HERE", tmp_path)
    assert builder.main(["--check"]) == 0
    stale = tmp_path / "Dropout.ipynb"
    stale.write_text(stale.read_text("utf-8").replace("Dropout", "Drop out"), "utf-8")
    assert builder.main(["--check"]) == 1
    assert "Dropout.ipynb" in capsys.readouterr().err
    assert builder.main([]) == 0
    assert builder.main(["--check"]) == 0


# --- execution: slow ----------------------------------------------------------------------


def kernel_env():
    """The kernel's environment: one BLAS thread (the notebooks' matrices are tiny, and
    threads fighting over a shared CI machine make them many times slower), and the project
    root on PYTHONPATH so that the collect step finds ``grader`` without an install."""
    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def execute(name, package, home):
    """Run ``name`` top to bottom with ``package`` as assignment/; returns (nb, error, secs)."""
    shutil.copytree(package, home / "assignment", ignore=shutil.ignore_patterns("__pycache__"))
    folder = home / "starter_notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK_DIR / f"{name}.ipynb", folder)
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    try:
        client.execute(env=kernel_env())
        error = None
    except CellExecutionError as exc:
        error = exc
    return nb, error, time.perf_counter() - start


def stream_text(cell):
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory):
    """The skeleton generated from solutions/ now, plus the compiled extension if built."""
    dest = tmp_path_factory.mktemp("skeleton") / "assignment"
    for rel, data in render_tree(ROOT / "solutions").items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    for built in (ROOT / "solutions").glob("im2col_cython.*.so"):
        shutil.copy(built, dest)
    return dest


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_against_the_reference_with_every_self_check_passing(name, tmp_path):
    needs_torch(name)
    nb, error, seconds = execute(name, ROOT / "solutions", tmp_path)
    print(f"{name}: {seconds:.1f} s")
    assert error is None, f"{name} stopped: {error}"
    failures, checked = [], 0
    for cell in code_cells(nb):
        assert not [out for out in cell.outputs if out.output_type == "error"]
        lines = stream_text(cell).splitlines()
        failures += [line for line in lines if line.startswith("FAIL")]
        if "selfcheck.check" in cell.source:
            checked += 1
            assert any(line.startswith("PASS") for line in lines), cell.source[:120]
        if "plt.show()" in cell.source:
            assert any("image/png" in out.get("data", {}) for out in cell.outputs), cell.source[:80]
    assert failures == []
    assert checked >= 3

    folder = tmp_path / "starter_notebooks"
    assert (folder / "submission.zip").is_file()
    assert "Wrote " in stream_text(code_cells(nb)[-1])
    if name == "FullyConnectedNets":
        schema = json.loads((ROOT / "grader/catalog/schemas/hyperparams.schema.json").read_text())
        jsonschema.validate(json.loads((folder / "hyperparams.json").read_text()), schema)


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_against_the_skeleton_stops_at_the_first_function_to_write(
    name, skeleton, tmp_path
):
    needs_torch(name)
    function, path = FIRST_STUDENT_CALL[name]
    nb, error, _ = execute(name, skeleton, tmp_path)
    assert error is not None and error.ename == "NotImplementedError"
    cells = code_cells(nb)
    failed = [
        i for i, cell in enumerate(cells) if any(out.output_type == "error" for out in cell.outputs)
    ]
    assert len(failed) == 1
    index = failed[0]
    (output,) = [out for out in cells[index].outputs if out.output_type == "error"]
    assert output.traceback[0] == f"NotImplementedError: {function} is not implemented yet."
    assert re.match(
        rf"Write it in {re.escape(path)}, line \d+, between the START/END", output.traceback[1]
    )
    assert len(output.traceback) == 2  # the short message, not a traceback through our code
    assert all(cell.execution_count is not None for cell in cells[: index + 1])
    assert all(cell.execution_count is None for cell in cells[index + 1 :])
    assert index >= 2, "the set-up cells must run against the skeleton"
