"""grader/engine/overlay.py and authoring/layout.py: the tree the child grades."""

from pathlib import Path

from grader.authoring import layout
from grader.engine import intake, overlay
from grader.inside import CHILD_FILES


def test_only_files_with_a_student_region_are_editable():
    allow = layout.allow_list()
    assert "assignment/layers.py" in allow.code and "assignment/optim.py" in allow.code
    assert "assignment/solver.py" not in allow.code  # given code, no student region
    assert allow.canonical("layers.py") == "assignment/layers.py"
    assert allow.canonical("deep/folder/Dropout.ipynb") == "Dropout.ipynb"
    assert allow.canonical("assignment/solver.py") is None
    assert allow.canonical(layout.HYPERPARAMS_NAME) == layout.HYPERPARAMS_NAME


def test_the_tree_is_the_skeleton_with_the_student_files_and_the_child_code(tmp_path):
    sub = intake.Submission(
        name="s", sha256="", files={"assignment/layers.py": b"# mine\n"}, missing=[], extra=[]
    )
    tree = overlay.build(tmp_path, sub)
    assert (tree / "assignment" / "layers.py").read_bytes() == b"# mine\n"
    skeleton = layout.skeleton_dir()
    assert (tree / "assignment" / "optim.py").read_bytes() == (skeleton / "optim.py").read_bytes()
    assert sorted(p.name for p in tree.iterdir() if p.is_file()) == sorted(CHILD_FILES)
    inside = Path(overlay.INSIDE)
    for name in CHILD_FILES:
        assert (tree / name).read_bytes() == (inside / name).read_bytes()
