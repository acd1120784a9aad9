"""grader/course/similarity.py: does the report find renamed copies, and ignore starter and common
code?"""

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.authoring import layout, regions
from grader.authoring.reference import solutions_dir
from grader.course import similarity, tasks

COMMON_FUNCTIONS = ("affine_forward", "relu_forward", "relu_backward")


def fill_regions(skeleton_layers: str, functions) -> str:
    """The skeleton's layers.py with the regions of ``functions`` holding the solutions' code."""
    solved = (solutions_dir() / "layers.py").read_text()
    bodies = {r.function: r.body for r in regions.parse_regions(solved)}
    lines = skeleton_layers.splitlines()
    for region in sorted(regions.parse_regions(skeleton_layers), key=lambda r: -r.start):
        if region.function in functions:
            lines[region.start : region.end - 1] = list(bodies[region.function])
    return "\n".join(lines) + "\n"


def renamed_copy(reference: Path, dest: Path) -> Path:
    """The reference with local names changed, comments added and spacing altered."""
    shutil.copytree(reference, dest)
    layers = dest / "assignment" / "layers.py"
    text = layers.read_text()
    for old, new in (("x_pad", "padded"), ("dw_rows", "grad_w"), ("dout_ij", "g")):
        assert old in text
        text = text.replace(old, new)
    text = text.replace("grad_w += g.T @ field", "grad_w  +=  g.T@field   # accumulate dw")
    layers.write_text(text)
    return dest


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, reference_submission, skeleton_submission):
    """alice (the reference), bob (alice renamed), carol (the skeleton), and eight students who
    all wrote the same three short reference answers and left the rest as stubs."""
    subs = tmp_path_factory.mktemp("classroom")
    shutil.copytree(reference_submission, subs / "alice")
    renamed_copy(reference_submission, subs / "bob")
    shutil.copytree(skeleton_submission, subs / "carol")
    skeleton_layers = (skeleton_submission / "assignment" / "layers.py").read_text()
    for i in range(8):
        dest = subs / f"common{i}"
        shutil.copytree(skeleton_submission, dest)
        (dest / "assignment" / "layers.py").write_text(
            fill_regions(skeleton_layers, COMMON_FUNCTIONS)
        )
    return subs


@pytest.fixture(scope="module")
def result(classroom):
    return similarity.similarity_report(source=classroom)


def test_normalize_ignores_names_spacing_and_comments():
    a = "flat = x.reshape(N, -1)  # rows\nout = flat.dot(w) + b\n"
    b = "\n# flatten first\nrows=x.reshape( N,-1 )\n\nresult = rows.dot(w)+b"
    assert similarity.normalize(a) == similarity.normalize(b)


def test_normalize_keeps_what_the_code_does():
    base = similarity.normalize("out = x.dot(w) + b")
    assert similarity.normalize("out = x.T.dot(w) + b") != base  # another attribute
    assert similarity.normalize("out = x.dot(w) - b") != base  # another operator
    assert similarity.normalize("out = len(x)") != similarity.normalize("out = max(x)")
    assert similarity.normalize("eps = 1e-5") == similarity.normalize("e = 0.00001")


def test_normalize_survives_code_that_does_not_tokenize():
    tokens = similarity.normalize("out = np.maximum(0, x\n  if (")
    assert "maximum" in tokens and "out" not in tokens


def test_windows_never_contain_the_starter_code():
    stub = similarity.normalize("raise NotImplementedError('write me')")
    mixed = similarity.RegionCode(
        "layers.py:f", "", stub + similarity.normalize("out = np.maximum(0, x)")
    )
    stub_only = similarity.RegionCode("layers.py:f", "", stub)
    assert not similarity.windows(mixed, stub) & similarity.windows(stub_only)
    assert similarity.windows(mixed, stub)


def test_the_skeleton_has_no_student_regions_to_compare(skeleton_submission):
    from grader.engine import intake

    sub = intake.read_submission(skeleton_submission, layout.allow_list())
    found, notes = similarity.student_regions(sub, similarity.starter_regions())
    assert found == {} and notes == []


def test_a_renamed_copy_is_the_top_pair_with_a_perfect_score(result):
    top = result["pairs"][0]
    assert (top["a"], top["b"], top["score"]) == ("alice", "bob", 1.0)
    conv = next(r for r in top["regions"] if r["region"] == "layers.py:conv_backward_naive")
    assert conv["token_ratio"] == 1.0
    assert "padded" in conv["b_code"] and "x_pad" in conv["a_code"]


def test_starter_and_common_code_make_no_pairs(classroom, result):
    assert [(p["a"], p["b"]) for p in result["pairs"]] == [("alice", "bob")]
    assert result["compared"] == 11
    # the same class with nothing treated as common: the eight identical answers pair up
    everything = similarity.similarity_report(source=classroom, common=1.0, top=100)
    common_pairs = [p for p in everything["pairs"] if p["a"].startswith("common")]
    assert len(common_pairs) == 8 * 7 // 2
    assert not [p for p in everything["pairs"] if "carol" in (p["a"], p["b"])]


def test_text_report_shows_the_regions_side_by_side(result):
    text = similarity.report_text(result)
    assert "never a verdict" in text
    assert "1. alice ~ bob: score 1.00" in text
    row = next(line for line in text.splitlines() if "np.zeros_like(x_pad)" in line)
    left, right = row.split(" | ")
    assert "np.zeros_like(x_pad)" in left and "np.zeros_like(padded)" in right


def test_unreadable_submissions_and_broken_markers_are_listed_not_fatal(
    reference_submission, tmp_path
):
    subs = tmp_path / "subs"
    shutil.copytree(reference_submission, subs / "alice")
    (subs / "mallory.zip").write_bytes(b"not a zip")
    shutil.copytree(reference_submission, subs / "trent")
    optim = subs / "trent" / "assignment" / "optim.py"
    optim.write_text(optim.read_text().replace(regions.END_MARKER, "# end", 1))
    result = similarity.similarity_report(source=subs)
    reasons = {s["submission"]: s["reason"] for s in result["skipped"]}
    assert "not a readable zip" in reasons["mallory"]
    assert reasons["trent"].startswith("assignment/optim.py not compared")
    assert result["compared"] == 2


def test_a_batch_output_folder_leads_to_its_submissions(classroom, result, tmp_path):
    (tmp_path / tasks.MANIFEST).write_text(json.dumps({"submissions_dir": str(classroom)}))
    assert similarity.similarity_report(source=tmp_path) == result


def test_zip_submissions_are_compared_like_folders(reference_submission, tmp_path):
    subs = tmp_path / "subs"
    renamed_copy(reference_submission, subs / "bob")
    with zipfile.ZipFile(subs / "alice.zip", "w") as archive:
        for path in sorted(reference_submission.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(reference_submission).as_posix())
    (top,) = similarity.similarity_report(source=subs)["pairs"]
    assert (top["a"], top["b"], top["score"]) == ("alice", "bob", 1.0)


def test_cli_prints_the_report_and_writes_it_where_asked(classroom, tmp_path, capsys):
    assert cli.main(["similarity", str(classroom), "-o", str(tmp_path), "--top", "1"]) == 0
    assert "alice ~ bob" in capsys.readouterr().out
    saved = json.loads((tmp_path / "similarity.json").read_text())
    assert len(saved["pairs"]) == 1
    assert (tmp_path / "similarity.txt").read_text().startswith("Similarity")
