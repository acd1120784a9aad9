"""Safe intake: every malformed or malicious zip is refused with a reason, as a valid results
document scoring 0, and nothing is ever written outside the grader's scratch directory."""

import json
import os
import random
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.authoring import layout
from grader.engine import intake, pipeline, report

ALLOW = layout.allow_list()
LAYERS = "assignment/layers.py"


def make_zip(path: Path, entries, compression=zipfile.ZIP_DEFLATED) -> Path:
    """``entries``: (name or ZipInfo, bytes) pairs; the name ``ENCRYPTED`` stands for
    ``assignment/layers.py`` with the encryption flag set (bit 0)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    if any(name == "ENCRYPTED" for name, _ in entries):
        raw = set_flag_bits(path.read_bytes(), 0x1).replace(b"ENCRYPTED", b"layers.py")
        path.write_bytes(raw)
    return path


def info(name: str, **attrs) -> zipfile.ZipInfo:
    zinfo = zipfile.ZipInfo(name)
    zinfo.compress_type = zipfile.ZIP_DEFLATED
    for key, value in attrs.items():
        setattr(zinfo, key, value)
    return zinfo


def set_flag_bits(data: bytes, bits: int) -> bytes:
    """Set general-purpose flag ``bits`` in every local and central header (zipfile will not)."""
    out = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            flags = int.from_bytes(out[at + flag_offset : at + flag_offset + 2], "little")
            out[at + flag_offset : at + flag_offset + 2] = (flags | bits).to_bytes(2, "little")
            start = at + 4
    return bytes(out)


def set_utf8_flag_and_bad_name(data: bytes, name: bytes) -> bytes:
    """Flag every entry's name as UTF-8 (bit 11) and make ``name`` invalid UTF-8."""
    return set_flag_bits(data.replace(name, b"\xff\xfe" + name[2:]), 0x800)


@pytest.fixture(scope="module")
def reference_zip(reference_submission, tmp_path_factory) -> Path:
    """The reference submission as a zip, wrapped in one folder as many zip tools do."""
    path = tmp_path_factory.mktemp("zips") / "reference.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(reference_submission.rglob("*")):
            if file.is_file():
                archive.write(file, f"my-submission/{file.relative_to(reference_submission)}")
    return path


# ---------------------------------------------------------------------------------------------
# Each refusal, with the words that explain it

REFUSALS = {
    "path traversal": ([("../../scratchnet_evil.py", b"x")], "path traversal"),
    "traversal inside the tree": ([("assignment/../../../evil.py", b"x")], "path traversal"),
    "traversal in a folder entry": ([("../evil/", b""), (LAYERS, b"x")], "path traversal"),
    "absolute path": ([("/tmp/scratchnet_evil.py", b"x")], "absolute"),
    "windows drive": ([("C:/evil.py", b"x")], "absolute"),
    "backslashes": ([("assignment\\..\\..\\evil.py", b"x")], "backslashes"),
    "symlink": (
        [(info(LAYERS, external_attr=(stat.S_IFLNK | 0o777) << 16, create_system=3), b"/etc")],
        "links",
    ),
    "encrypted": ([("ENCRYPTED", b"x = 1\n")], "encrypted"),
    "oversize entry": ([(LAYERS, bytes(intake.MAX_FILE_BYTES + 1))], "byte limit per file"),
    "compression bomb": ([(LAYERS, bytes(2 * 2**20))], "compression ratio"),
    "too many entries": (
        [(f"junk/{i}.txt", b"") for i in range(intake.MAX_ENTRIES + 1)],
        f"at most {intake.MAX_ENTRIES}",
    ),
    "same file twice": ([(LAYERS, b"a = 1\n"), ("layers.py", b"a = 2\n")], "appears twice"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_each_dangerous_zip_is_refused_with_a_reason(case, tmp_path):
    entries, reason = REFUSALS[case]
    path = make_zip(tmp_path / "sub.zip", entries)
    with pytest.raises(intake.IntakeError, match=reason):
        intake.read_submission(path, ALLOW)


def test_total_uncompressed_size_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 10_000)
    path = make_zip(tmp_path / "sub.zip", [(f"notes/{i}.txt", bytes(3000)) for i in range(4)])
    with pytest.raises(intake.IntakeError, match="unpacks to more than 10000 bytes"):
        intake.read_submission(path, ALLOW)


def test_the_zip_itself_is_size_limited_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_ZIP_BYTES", 1000)
    path = tmp_path / "sub.zip"
    path.write_bytes(bytes(1001))
    with pytest.raises(intake.IntakeError, match="at most 1000 allowed"):
        intake.read_submission(path, ALLOW)


def test_the_entry_count_is_read_from_the_end_record_before_the_directory_is_parsed(
    tmp_path, monkeypatch
):
    path = make_zip(tmp_path / "sub.zip", [(f"{i}.txt", b"") for i in range(5)])
    assert intake._declared_entries(path.read_bytes()) == 5
    monkeypatch.setattr(intake, "MAX_ENTRIES", 4)
    parsed = []
    monkeypatch.setattr(intake.zipfile, "ZipFile", lambda *a, **k: parsed.append(a))
    with pytest.raises(intake.IntakeError, match="5 entries"):
        intake.read_submission(path, ALLOW)
    assert parsed == []


def test_names_flagged_utf8_that_are_not_are_refused_clearly(tmp_path):
    good = make_zip(tmp_path / "good.zip", [("notes/xxréadme.txt", b"x"), (LAYERS, b"a = 1\n")])
    bad = tmp_path / "bad.zip"
    bad.write_bytes(set_utf8_flag_and_bad_name(good.read_bytes(), "notes/xxré".encode()))
    with pytest.raises(intake.IntakeError, match="not valid UTF-8"):
        intake.read_submission(bad, ALLOW)


def test_legacy_non_utf8_names_are_reported_as_extra_files(tmp_path):
    path = make_zip(tmp_path / "legacy.zip", [(LAYERS, b"a = 1\n"), ("QQQQ.txt", b"x")])
    # Rename the entry to cp1252 bytes without the UTF-8 flag, as old Windows tools write them.
    path.write_bytes(path.read_bytes().replace(b"QQQQ.txt", b"r\xe9s\xe9.txt"))
    sub = intake.read_submission(path, ALLOW)
    assert sub.files[LAYERS] == b"a = 1\n"
    assert len(sub.extra) == 1 and sub.extra[0].endswith(".txt")
    json.dumps(sub.extra, ensure_ascii=False).encode("utf-8")


def test_non_utf8_file_names_in_a_folder_can_still_be_reported(tmp_path):
    folder = tmp_path / "sub"
    (folder / "assignment").mkdir(parents=True)
    (folder / "assignment" / "layers.py").write_text("a = 1\n")
    with open(folder.as_posix().encode() + b"/r\xe9sum\xe9.txt", "wb") as fh:
        fh.write(b"x")
    sub = intake.read_submission(folder, ALLOW)
    assert sub.extra == ["r\ufffdsum\ufffd.txt"]
    json.dumps(sub.extra, ensure_ascii=False).encode("utf-8")


def test_one_wrapping_folder_is_accepted(reference_zip, reference_submission):
    sub = intake.read_submission(reference_zip, ALLOW)
    assert sub.missing == sorted(layout.NOTEBOOKS)
    expected = (reference_submission / "assignment" / "layers.py").read_bytes()
    assert sub.files[LAYERS] == expected


def test_two_wrapping_folders_are_not_guessed_at(tmp_path):
    path = make_zip(tmp_path / "sub.zip", [(f"a/b/{LAYERS}", b"x")])
    sub = intake.read_submission(path, ALLOW)
    assert LAYERS in sub.missing and sub.extra == [f"b/{LAYERS}"]


@pytest.mark.parametrize(
    "damage",
    ["empty", "random", "truncated", "bad member data"],
)
def test_a_broken_zip_is_refused_not_crashed_on(damage, tmp_path, reference_zip):
    data = reference_zip.read_bytes()
    path = tmp_path / "broken.zip"
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "random":
        path.write_bytes(random.Random(0).randbytes(5000))
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        good = make_zip(tmp_path / "good.zip", [(LAYERS, b"def f():\n    return 1\n" * 50)])
        raw = bytearray(good.read_bytes())
        raw[40:60] = bytes(20)  # inside the deflated data of the only member
        path.write_bytes(bytes(raw))
    with pytest.raises(intake.IntakeError):
        intake.read_submission(path, ALLOW)


def test_no_corruption_of_a_zip_escapes_as_anything_but_a_refusal(tmp_path, reference_zip):
    """Flip bytes all over a valid zip: every outcome is a Submission or an IntakeError."""
    data = reference_zip.read_bytes()
    rng = random.Random(1234)
    path = tmp_path / "fuzz.zip"
    for _ in range(300):
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        path.write_bytes(bytes(raw))
        try:
            intake.read_submission(path, ALLOW)
        except intake.IntakeError:
            pass


# ---------------------------------------------------------------------------------------------
# Folders


def test_a_symlinked_student_file_in_a_folder_is_refused(tmp_path):
    folder = tmp_path / "sub"
    (folder / "assignment").mkdir(parents=True)
    (folder / "assignment" / "layers.py").symlink_to("/etc/passwd")
    with pytest.raises(intake.IntakeError, match="links"):
        intake.read_submission(folder, ALLOW)


def test_a_fifo_in_place_of_a_student_file_is_refused_without_blocking(tmp_path):
    folder = tmp_path / "sub"
    (folder / "assignment").mkdir(parents=True)
    os.mkfifo(folder / "assignment" / "layers.py")
    with pytest.raises(intake.IntakeError, match="special files"):
        intake.read_submission(folder, ALLOW)


def test_an_oversize_student_file_in_a_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 100)
    folder = tmp_path / "sub"
    (folder / "assignment").mkdir(parents=True)
    (folder / "assignment" / "layers.py").write_bytes(bytes(101))
    with pytest.raises(intake.IntakeError, match="byte limit"):
        intake.read_submission(folder, ALLOW)


# ---------------------------------------------------------------------------------------------
# End to end: a valid results document, nothing written anywhere


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_zip_gives_valid_results_scoring_zero_and_writes_nothing(
    case, tmp_path, monkeypatch
):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch_parent))
    entries, reason = REFUSALS[case]
    path = make_zip(tmp_path / "sub.zip", entries)
    before = sorted(tmp_path.rglob("*"))
    doc = pipeline.grade(submission=path, only=["fc.affine_forward", "fc.relu_forward"])
    report.validate(doc)
    assert doc["status"] == "rejected" and doc["total"] == 0
    assert reason in doc["error"]
    assert all(q["score"] == 0 and q["status"] == "missing" for q in doc["questions"])
    assert sorted(tmp_path.rglob("*")) == before
    assert not Path("/tmp/scratchnet_evil.py").exists()
    assert not (tmp_path.parent / "scratchnet_evil.py").exists()


def test_the_cli_writes_the_refusal_and_exits_with_status_1(tmp_path):
    path = make_zip(tmp_path / "sub.zip", [("../evil.py", b"x")])
    out = tmp_path / "results.json"
    code = cli.main([str(path), "-o", str(out), "-q", "--only", "fc.affine_forward"])
    assert code == cli.EXIT_UNREADABLE
    doc = json.loads(out.read_text())
    report.validate(doc)
    assert doc["status"] == "rejected" and "path traversal" in doc["error"]


def test_the_reference_submission_zipped_in_a_folder_is_graded_normally(reference_zip):
    doc = pipeline.grade(submission=reference_zip, only=["fc.affine_forward"])
    assert doc["status"] == "graded" and doc["questions"][0]["status"] == "passed"


def test_declared_entries_reads_a_zip64_end_record(tmp_path):
    path = tmp_path / "z64.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", b"x")
    data = path.read_bytes()
    end = data.rfind(b"PK\x05\x06")
    # Rewrite as zip64: a zip64 end record and locator before a classic end record saying 0xFFFF.
    z64_offset = end
    record = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, 7, 7, 0, 0)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, z64_offset, 1)
    classic = bytearray(data[end:])
    classic[8:12] = struct.pack("<HH", 0xFFFF, 0xFFFF)
    assert intake._declared_entries(data[:end] + record + locator + bytes(classic)) == 7
