"""grader/authoring/collect.py: the student's submission.zip."""

import hashlib
import json
import os
import zipfile

import nbformat
import pytest

from grader import files
from grader.authoring import collect, generate
from grader.authoring.regions import END_MARKER, START_MARKER, stub_statement

S, E = START_MARKER, END_MARKER

SOLUTIONS = {
    "__init__.py": '"""Student code sits between START/END OF YOUR CODE markers."""\n',
    "layers.py": (
        "def affine_forward(x, w):\n    out = None\n    # TODO: compute out.\n"
        f"    {S}\n    out = x.dot(w)\n    {E}\n    return out\n"
    ),
    "solver.py": '"""Given code."""\n\n\ndef train():\n    return 0\n',
    "classifiers/__init__.py": "",
    "classifiers/net.py": (
        "class Net:\n    def loss(self, X):\n        # TODO: the loss.\n"
        f"        {S}\n        return float(X.sum())\n        {E}\n"
    ),
}
STUDENT_FILES = ["assignment/classifiers/net.py", "assignment/layers.py"]
LAYERS_STUB = stub_statement("affine_forward", "assignment/layers.py")


def notebook(*sources, executed=True, error=None):
    nb = nbformat.v4.new_notebook()
    for number, source in enumerate(sources, start=1):
        cell = nbformat.v4.new_code_cell(source)
        if executed:
            cell.execution_count = number
        nb.cells.append(cell)
    if error:
        nb.cells[-1].outputs = [
            nbformat.v4.new_output("error", ename=error, evalue="", traceback=[])
        ]
    return nbformat.writes(nb)


@pytest.fixture
def project(tmp_path):
    """A student folder: generated assignment/, notebooks, hyperparams, things to leave out."""
    src = tmp_path / "solutions"
    for rel, text in SOLUTIONS.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    root = tmp_path / "student"
    generate.write_tree(generate.render_tree(src), root / "assignment")
    layers = root / "assignment/layers.py"
    layers.write_text(layers.read_text().replace(LAYERS_STUB, "out = x @ w"))
    nbs = root / "starter_notebooks"
    nbs.mkdir()
    (nbs / "Layers.ipynb").write_text(notebook("from assignment.layers import affine_forward"))
    (nbs / "Net.ipynb").write_text(notebook("from assignment.classifiers import net"))
    (nbs / "hyperparams.json").write_text('{"learning_rate": 0.001}\n')
    (nbs / "notes.txt").write_text("my notes\n")
    (nbs / "features.npy").write_bytes(b"\x93NUMPY" + bytes(100))
    (nbs / "datasets/cifar-10-batches-py").mkdir(parents=True)
    (nbs / "datasets/cifar-10-batches-py/data_batch_1").write_bytes(bytes(1000))
    (nbs / ".ipynb_checkpoints").mkdir()
    (nbs / ".ipynb_checkpoints/Layers-checkpoint.ipynb").write_text(notebook("old"))
    (root / "assignment/__pycache__").mkdir()
    (root / "assignment/__pycache__/layers.cpython-311.pyc").write_bytes(b"junk")
    return root


def run_collect(start, capsys):
    code = collect.main([], start=start)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def entries(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def test_the_zip_holds_student_files_notebooks_and_hyperparams_only(project, capsys):
    code, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert code == 0
    assert entries(project / "starter_notebooks/submission.zip") == [
        "Layers.ipynb",
        "Net.ipynb",
        "assignment/classifiers/net.py",
        "assignment/layers.py",
        "hyperparams.json",
    ]
    for name in STUDENT_FILES + ["Layers.ipynb", "Net.ipynb", "hyperparams.json"]:
        assert f"  {name}  (" in out


def test_collecting_from_the_project_root_finds_the_notebook_folder(project, capsys):
    run_collect(project / "starter_notebooks", capsys)
    from_notebooks = (project / "starter_notebooks/submission.zip").read_bytes()
    code, _, _ = run_collect(project, capsys)
    assert code == 0
    assert (project / "submission.zip").read_bytes() == from_notebooks


def test_the_zip_is_reproducible_and_its_printed_sha256_is_right(project, capsys):
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    first = (project / "starter_notebooks/submission.zip").read_bytes()
    os.utime(project / "assignment/layers.py", (1e9, 1e9))  # timestamps must not matter
    run_collect(project / "starter_notebooks", capsys)
    assert (project / "starter_notebooks/submission.zip").read_bytes() == first
    assert f"sha256 {hashlib.sha256(first).hexdigest()}" in out
    with zipfile.ZipFile(project / "starter_notebooks/submission.zip") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert (
            archive.read("assignment/layers.py") == (project / "assignment/layers.py").read_bytes()
        )


def test_datasets_are_left_out_and_named(project, capsys):
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    names = entries(project / "starter_notebooks/submission.zip")
    assert not any("npy" in n or "data_batch" in n or "datasets" in n for n in names)
    assert "datasets are never submitted" in out
    assert "starter_notebooks/datasets" in out and "starter_notebooks/features.npy" in out


def test_an_oversize_notebook_stops_the_collect_and_is_named(project, capsys):
    big = notebook("x = 1") + " " * collect.MAX_FILE_BYTES
    (project / "starter_notebooks/Net.ipynb").write_text(big)
    code, out, err = run_collect(project / "starter_notebooks", capsys)
    assert code == 1
    assert "Net.ipynb" in err and "limit per file" in err
    assert not (project / "starter_notebooks/submission.zip").exists()


def test_an_oversize_student_file_stops_the_collect(project, capsys):
    path = project / "assignment/layers.py"
    path.write_text(path.read_text() + "#" * (collect.MAX_FILE_BYTES + 1) + "\n")
    code, _, err = run_collect(project / "starter_notebooks", capsys)
    assert code == 1 and "assignment/layers.py" in err


def test_a_linked_notebook_is_refused(project, tmp_path, capsys):
    target = tmp_path / "elsewhere.ipynb"
    target.write_text(notebook("x = 1"))
    (project / "starter_notebooks/Linked.ipynb").symlink_to(target)
    code, _, err = run_collect(project / "starter_notebooks", capsys)
    assert code == 1 and "Linked.ipynb: not a regular file" in err


def test_outside_a_project_it_says_where_to_run_it(tmp_path, capsys):
    code, _, err = run_collect(tmp_path, capsys)
    assert code == 1 and "run this from the notebook folder" in err


def test_a_student_file_whose_markers_were_deleted_is_still_collected_with_a_warning(
    project, capsys
):
    path = project / "assignment/layers.py"
    path.write_text(path.read_text().replace(S + "\n", "").replace(E + "\n", ""))
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert "assignment/layers.py" in entries(project / "starter_notebooks/submission.zip")
    assert "WARNING: assignment/layers.py: its START/END markers are gone" in out


def test_a_leftover_stub_above_the_code_is_warned_about(project, capsys):
    path = project / "assignment/layers.py"
    path.write_text(path.read_text().replace("out = x @ w", LAYERS_STUB + "\n    out = x @ w"))
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert (
        "WARNING: assignment/layers.py: line 8: delete the `raise NotImplementedError` line above "
        "your code in affine_forward"
    ) in out


def test_unfinished_functions_are_listed(project, capsys):
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert "note: assignment/classifiers/net.py: not implemented yet: Net.loss" in out
    assert "layers.py: not implemented yet" not in out


def test_syntax_errors_and_changed_markers_are_warned_about_with_their_line(project, capsys):
    path = project / "assignment/layers.py"
    text = path.read_text().replace("out = x @ w", "out = x @ (w").replace(E, "# END OF YOUR CODE")
    path.write_text(text)
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert "WARNING: assignment/layers.py:8: syntax error" in out
    assert "WARNING: assignment/layers.py:9: marker text was changed" in out


def test_a_notebook_never_run_gets_one_warning_that_says_so(project, capsys):
    path = project / "starter_notebooks/Net.ipynb"
    path.write_text(notebook("from assignment.classifiers import net", "b = 2", executed=False))
    os.utime(path, (1_000_000, 1_000_000))  # older than net.py, which it imports
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert [line for line in out.splitlines() if "Net.ipynb:" in line] == [
        "WARNING: Net.ipynb: no code cell has been run; run it top to bottom and save it"
    ]
    assert "Layers.ipynb: no code cell" not in out


def test_a_notebook_run_in_part_or_ending_in_an_error_is_warned_about(project, capsys):
    nb = json.loads(notebook("a = 1", "b = 2", "c = 3", error="NotImplementedError"))
    nb["cells"][1]["execution_count"] = None
    (project / "starter_notebooks/Net.ipynb").write_text(json.dumps(nb))
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert "WARNING: Net.ipynb: 1 of 3 code cells have not been run" in out
    assert "WARNING: Net.ipynb: cells ended with an error: cell 3 (NotImplementedError)" in out


def test_a_notebook_saved_before_a_change_to_a_file_it_imports_is_warned_about(project, capsys):
    nbs = project / "starter_notebooks"
    os.utime(nbs / "Layers.ipynb", (1_000_000, 1_000_000))
    os.utime(nbs / "Net.ipynb", (1_000_000, 1_000_000))
    os.utime(project / "assignment/layers.py", (2_000_000, 2_000_000))
    os.utime(project / "assignment/classifiers/net.py", (500_000, 500_000))
    _, out, _ = run_collect(nbs, capsys)
    assert "WARNING: Layers.ipynb: saved before your last change to assignment/layers.py" in out
    assert "Net.ipynb: saved before" not in out


def test_missing_or_malformed_hyperparams_are_warned_about(project, capsys):
    path = project / "starter_notebooks/hyperparams.json"
    path.write_text("[1, 2")
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert "WARNING: hyperparams.json: not a JSON object" in out
    path.unlink()
    _, out, _ = run_collect(project / "starter_notebooks", capsys)
    assert "WARNING: no hyperparams.json" in out
    assert "hyperparams.json" not in entries(project / "starter_notebooks/submission.zip")


def test_the_submission_zip_is_written_by_the_one_reproducible_writer():
    assert collect.zip_bytes is files.zip_bytes
