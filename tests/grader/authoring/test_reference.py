"""grader/authoring/reference.py: the reference and skeleton submissions the tests, the
benchmarks and the Gradescope self-test grade."""

import zipfile

from grader.authoring import layout, reference


def test_the_reference_submission_holds_every_student_file_and_the_hyperparameters(tmp_path):
    sub = reference.build_reference_submission(tmp_path / "ref")
    files = {p.relative_to(sub).as_posix() for p in sub.rglob("*") if p.is_file()}
    assert set(layout.allow_list().code) <= files
    assert layout.HYPERPARAMS_NAME in files
    solutions = reference.solutions_dir()
    assert (sub / "assignment" / "layers.py").read_bytes() == (solutions / "layers.py").read_bytes()


def test_the_skeleton_submission_is_the_pristine_skeleton(tmp_path):
    sub = reference.build_skeleton_submission(tmp_path / "skel")
    assert (sub / "assignment" / "layers.py").read_bytes() == (
        layout.skeleton_dir() / "layers.py"
    ).read_bytes()
    assert not (sub / layout.HYPERPARAMS_NAME).exists()


def test_zipping_a_submission_twice_gives_the_same_bytes(tmp_path):
    sub = reference.build_skeleton_submission(tmp_path / "skel")
    first = reference.zip_submission(sub, tmp_path / "a.zip").read_bytes()
    second = reference.zip_submission(sub, tmp_path / "b.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert "assignment/layers.py" in archive.namelist()
