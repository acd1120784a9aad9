"""grader/course/release.py: the student release zip, built from the REAL solutions/ and
skeleton."""

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import files
from grader.authoring import generate
from grader.authoring.regions import END_MARKER, START_MARKER
from grader.checks.hints import load_hints
from grader.course import release

ROOT = Path(__file__).resolve().parents[3]
TOP = "scratchnet/"
MIN_CHARS = 12


def independent_solution_lines():
    """Non-trivial lines of every region body in solutions/, found without grader.authoring.regions.

    Lines between a START and an END marker line, stripped; comments, lines under MIN_CHARS and
    lines that also occur outside the regions (given code) do not count.
    """
    inside, outside = set(), set()
    for path in sorted((ROOT / "solutions").rglob("*.py")):
        in_region = False
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if line == START_MARKER:
                in_region = True
            elif line == END_MARKER:
                in_region = False
            else:
                (inside if in_region else outside).add(line)
    return {
        line for line in inside - outside if len(line) >= MIN_CHARS and not line.startswith("#")
    }


def texts_of(zip_bytes):
    """{entry: searchable text} with notebooks' JSON escapes undone too."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            if name.endswith(".ipynb"):
                cells = json.loads(text).get("cells", [])
                text += "\n".join(json.dumps(cell, ensure_ascii=False) for cell in cells)
                text += "\n".join("".join(cell.get("source", "")) for cell in cells)
            out[name] = text
    return out


@pytest.fixture(scope="module")
def real_release(tmp_path_factory):
    """The release built from the real solutions/, a skeleton generated from them, and the real
    starter_notebooks/ when they exist."""
    tmp = tmp_path_factory.mktemp("release")
    generate.write_tree(generate.render_tree(ROOT / "solutions"), tmp / "assignment")
    entries = release.release_entries(
        solutions=ROOT / "solutions",
        assignment=tmp / "assignment",
        notebooks=ROOT / "starter_notebooks",
    )
    return tmp, files.zip_bytes(entries)


def test_the_release_lists_exactly_the_student_files(real_release):
    tmp, data = real_release
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    expected = {
        TOP + name
        for name in ("README.md", "requirements.txt", "setup.py", "collect_submission.py")
    }
    expected |= {TOP + "assignment/" + rel for rel in generate.tree_files(tmp / "assignment")}
    notebooks = ROOT / "starter_notebooks"
    if notebooks.is_dir():
        expected |= {
            TOP + "starter_notebooks/" + path.relative_to(notebooks).as_posix()
            for path in notebooks.rglob("*.ipynb")
            if ".ipynb_checkpoints" not in path.parts
        }
    grader = ROOT / "grader"
    selfcheck = {
        f"{TOP}grader/{path.relative_to(grader).as_posix()}"
        for pattern in release.SELFCHECK_FILES
        for path in grader.glob(pattern)
    }
    expected |= selfcheck | {TOP + "grader/selfcheck/public_cases.wire.gz"}
    assert expected <= set(names)
    extra = set(names) - expected
    assert all(name.startswith(TOP + "starter_notebooks/") for name in extra), extra
    for name in names:
        parts = name.split("/")
        assert "solutions" not in parts and "__pycache__" not in parts
        assert not name.endswith((".so", ".c", ".pyc")), name
    # The instructors' side of the grader stays with them: the hints' edits of the solutions,
    # the reference's hyperparameters, the course and authoring tools.
    for secret in ("catalog/hints.json", "catalog/reference_hyperparams.json", "cli.py"):
        assert f"{TOP}grader/{secret}" not in names
    assert not any(name.startswith(f"{TOP}grader/course/") for name in names)
    assert f"{TOP}grader/authoring/fixtures.py" not in names
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the engine ships unchanged
        for name in selfcheck:
            assert archive.read(name) == (grader / name.removeprefix(TOP + "grader/")).read_bytes()
    assert TOP + "assignment/layers.py" in names and TOP + "assignment/im2col_cython.pyx" in names


def test_no_line_of_any_solution_region_appears_in_the_release(real_release):
    _, data = real_release
    forbidden = independent_solution_lines()
    assert len(forbidden) > 50, "the scan found too few solution lines to prove anything"
    # The grader's own modules (shipped for the self-check, byte for byte: test above) share
    # generic lines with the solutions ("return model"); what students read and write may not.
    texts = {k: v for k, v in texts_of(data).items() if not k.startswith(TOP + "grader/")}
    leaks = [(name, line) for name, text in texts.items() for line in forbidden if line in text]
    assert leaks == []


def test_the_scan_would_catch_a_leak():
    forbidden = independent_solution_lines()
    line = sorted(forbidden)[0]
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("# a hint\n" + line))
    data = files.zip_bytes({"scratchnet/starter_notebooks/x.ipynb": nbformat.writes(nb).encode()})
    assert any(line in text for text in texts_of(data).values())


def test_the_release_refuses_solution_text_in_a_starter_notebook(real_release, tmp_path):
    tmp, _ = real_release
    # A line with quotes: a notebook's JSON stores it escaped, and the check must see through it.
    line = sorted(line for line in independent_solution_lines() if '"' in line)[0]
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1\n" + line + "\n"))
    (tmp_path / "Leaky.ipynb").write_text(nbformat.writes(nb))
    with pytest.raises(ValueError, match="Leaky.ipynb: contains solution text"):
        release.release_entries(
            solutions=ROOT / "solutions", assignment=tmp / "assignment", notebooks=tmp_path
        )


def test_the_release_refuses_a_skeleton_out_of_date_with_the_solutions(real_release, tmp_path):
    tmp, _ = real_release
    stale = tmp_path / "assignment"
    shutil.copytree(tmp / "assignment", stale)
    (stale / "solver.py").write_text((stale / "solver.py").read_text() + "# edited\n")
    with pytest.raises(ValueError, match="out of date"):
        release.release_entries(
            solutions=ROOT / "solutions", assignment=stale, notebooks=tmp_path / "none"
        )


def test_the_collect_script_is_standalone(real_release):
    _, data = real_release
    script = zipfile.ZipFile(io.BytesIO(data)).read(TOP + "collect_submission.py").decode()
    imported = set()
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import cannot work in a standalone script"
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_a_student_goes_from_the_release_to_a_submission(real_release, tmp_path):
    _, data = real_release
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    home = tmp_path / "scratchnet"
    nbs = home / "starter_notebooks"
    nbs.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("from assignment.layers import affine_forward")
    cell.execution_count = 1
    nb.cells.append(cell)
    (nbs / "MyWork.ipynb").write_text(nbformat.writes(nb))
    (nbs / "hyperparams.json").write_text('{"learning_rate": 0.001}')
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "../collect_submission.py"],
        cwd=nbs,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    names = zipfile.ZipFile(nbs / "submission.zip").namelist()
    assert {"MyWork.ipynb", "hyperparams.json", "assignment/layers.py"} <= set(names)
    assert all(name.endswith((".ipynb", ".json", ".py")) for name in names)
    assert "not implemented yet" in result.stdout and "sha256 " in result.stdout


def test_the_command_writes_dist_student_release_zip(tmp_path, monkeypatch, capsys):
    shutil.copytree(
        ROOT / "solutions", tmp_path / "solutions", ignore=shutil.ignore_patterns("*.so", "*.c")
    )
    generate.write_tree(generate.render_tree(tmp_path / "solutions"), tmp_path / "assignment")
    monkeypatch.setattr(release, "PROJECT_ROOT", tmp_path)
    assert release.main([]) == 0
    first = (tmp_path / "dist/student-release.zip").read_bytes()
    assert release.main([]) == 0
    assert (tmp_path / "dist/student-release.zip").read_bytes() == first
    assert "sha256 " in capsys.readouterr().out


def test_starter_notebooks_ship_without_answers_datasets_tooling_or_leftovers(
    real_release, tmp_path
):
    tmp, _ = real_release
    nbs = tmp_path / "starter_notebooks"
    (nbs / ".ipynb_checkpoints").mkdir(parents=True)
    (nbs / "datasets/cifar-10-batches-py").mkdir(parents=True)
    (nbs / "images").mkdir()
    (nbs / "Intro.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (nbs / ".ipynb_checkpoints/Intro-checkpoint.ipynb").write_text("{}")
    (nbs / "datasets/cifar-10-batches-py/data_batch_1").write_bytes(bytes(10))
    (nbs / "images/figure.png").write_bytes(b"\x89PNG")
    (nbs / "hyperparams.json").write_text('{"learning_rate": 0.001}')
    (nbs / "submission.zip").write_bytes(b"PK")
    (nbs / "features.npy").write_bytes(b"\x93NUMPY")
    (nbs / "src").mkdir()
    (nbs / "src/Intro.py").write_text("# %%\nx = 1\n")
    (nbs / "build.py").write_text("print('instructor tooling')\n")
    entries = release.release_entries(
        solutions=ROOT / "solutions", assignment=tmp / "assignment", notebooks=nbs
    )
    shipped = sorted(name for name in entries if name.startswith(TOP + "starter_notebooks/"))
    assert shipped == [
        TOP + "starter_notebooks/Intro.ipynb",
        TOP + "starter_notebooks/images/figure.png",
    ]


LAYERNORM_OVER_THE_BATCH = "bn.layernorm_forward:statistics-over-the-batch-axis"


def _self_check(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "assignment.selfcheck", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_student_self_checks_the_package_from_the_release(
    real_release, tmp_path, reference_submission
):
    """Unpacked as a student has it (no solutions/, no hints, the grader's engine beside the
    package), the self-check runs the grader's checks on public cases: the reference's files
    pass; one mistake the hints name fails its question, with the hint."""
    _, data = real_release
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    home = tmp_path / "scratchnet"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import grader, assignment; print(grader.__file__, assignment.__file__)",
        ],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.split() == [
        str(home / "grader" / "__init__.py"),
        str(home / "assignment" / "__init__.py"),
    ], where.stderr
    shutil.copytree(reference_submission / "assignment", home / "assignment", dirs_exist_ok=True)
    only = [
        "--only",
        "fc.affine_forward",
        "bn.layernorm_forward",
        "dropout.forward",
        "twolayer.train",
    ]
    result = _self_check(home, *only)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Self-check on PUBLIC cases" in result.stdout
    assert "twolayer.train" in result.stdout and "failed" not in result.stdout
    variant = next(v for v in load_hints() if v["id"] == LAYERNORM_OVER_THE_BATCH)
    (edit,) = variant["edits"]
    path = home / "assignment" / edit["file"]
    path.write_text(path.read_text().replace(edit["old"], edit["new"]))
    result = _self_check(home, "--only", "bn.layernorm_forward", "--details")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bn.layernorm_forward" in result.stdout
    assert " ".join(variant["hint"].split()[:4]) in " ".join(result.stdout.split())


def test_the_self_checks_grader_needs_only_the_students_requirements():
    """What the release's grader/ imports: the standard library, the packages the student's
    requirements.txt installs, and optional ones the code does without (torch for the PyTorch
    notebook; Landlock and seccomp for the sandbox)."""
    requirements = (ROOT / "grader" / "course" / "release_files" / "requirements.txt").read_text()
    required = {
        line.split(">=")[0].strip().lower()
        for line in requirements.splitlines()
        if line.strip() and not line.startswith("#")
    }
    optional = {"torch", "landlock", "pyseccomp"}
    local = {"grader", "ops", "wire", "torch_ops"}  # the child's siblings (grader/inside)
    imported = set()
    for pattern in release.SELFCHECK_FILES:
        for path in (ROOT / "grader").glob(pattern):
            if path.suffix != ".py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - local
    assert {"numpy", "jsonschema", "nbformat"} <= third_party
    assert third_party <= required | optional, third_party - required - optional
