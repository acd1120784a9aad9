"""grader/files.py: atomic writes and reproducible zips, the one way the grader writes files."""

import io
import os
import stat
import zipfile

import pytest

from grader import files


def test_zip_bytes_sorts_entries_whatever_the_input_order():
    forward = files.zip_bytes({"b.txt": b"2", "a.txt": b"1"})
    backward = files.zip_bytes({"a.txt": b"1", "b.txt": b"2"})
    assert forward == backward


def test_zip_entries_have_fixed_dates_and_unix_modes():
    data = files.zip_bytes({"run": b"#!/bin/sh\n", "notes.txt": b"x"}, executable={"run"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    assert {info.date_time for info in infos.values()} == {files.ZIP_DATE}
    assert stat.S_IMODE(infos["run"].external_attr >> 16) == 0o755
    assert stat.S_IMODE(infos["notes.txt"].external_attr >> 16) == 0o644
    assert all(stat.S_ISREG(info.external_attr >> 16) for info in infos.values())


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "deep" / "out.txt"
    files.write_atomic(target, "first")
    files.write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["out.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_a_failed_write_keeps_the_old_file_whole(tmp_path):
    target = tmp_path / "results.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_open(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("the writer died")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["results.json"]
