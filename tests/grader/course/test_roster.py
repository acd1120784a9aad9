"""grader/course/roster.py: a roster is read whole or refused with the line that is wrong."""

import pytest

from grader.course.roster import CourseFileError, load_roster, load_times

GOOD = (
    "submission,name,id,sis_user_id,sis_login_id,section,email,submitted_at\n"
    'alice,"Liddell, Alice",101,S1,alice1,A,alice@example.org,2026-12-01T20:00:00+01:00\n'
    "bob.zip,Bob,102,S2,bob2,A,bob@example.org,\n"
    "\n"
    "carol,Carol,,,,B,,2026-12-02T00:30:00Z\n"
)


def write(tmp_path, text, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_a_valid_roster_is_read_in_order_with_times_and_zip_suffixes_dropped(tmp_path):
    roster = load_roster(write(tmp_path, GOOD))
    assert list(roster) == ["alice", "bob", "carol"]
    assert roster["alice"].name == "Liddell, Alice" and roster["alice"].line == 2
    assert roster["alice"].submitted_at.isoformat() == "2026-12-01T20:00:00+01:00"
    assert roster["bob"].submitted_at is None
    assert roster["carol"].line == 5 and roster["carol"].submitted_at.utcoffset().seconds == 0


def test_only_submission_is_required_headers_are_case_insensitive_and_a_bom_is_fine(tmp_path):
    roster = load_roster(write(tmp_path, "\ufeffSubmission , EMAIL\nalice,a@x.org\n"))
    assert roster["alice"].email == "a@x.org"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "submission,name\nalice,A\nbob,B\nalice,C\n",
            "line 4: submission 'alice' is already on line 2",
        ),
        (
            "submission,id\nalice,7\nbob,8\ncarol,7\n",
            "line 4: duplicate id '7' (already on line 2)",
        ),
        (
            "submission,email\nalice,A@x.org\nbob,a@X.org\n",
            "line 3: duplicate email 'a@X.org' (already on line 2)",
        ),
        ("submission,name,grade\nalice,A,3\n", "line 1: unknown column 'grade'"),
        ("name,email\nAlice,a@x.org\n", "line 1: the required column 'submission' is missing"),
        ("submission,name,name\n", "line 1: column 'name' appears twice"),
        ("submission,name\nalice,A\nbob,B,extra\n", "line 3: 3 fields, the header has 2"),
        ("submission,name\nalice,A\n../etc,B\n", "line 3: '../etc' is not a submission"),
        ("submission,name\n,A\n", "line 2: empty submission name"),
        (
            "submission,submitted_at\nalice,2026-12-01T20:00:00\n",
            "line 2: submitted_at: '2026-12-01T20:00:00' has no UTC offset",
        ),
        ("submission,submitted_at\nalice,yesterday\n", "line 2: submitted_at: 'yesterday' is not"),
        ("", "empty file"),
    ],
)
def test_invalid_rosters_are_refused_with_the_line(tmp_path, text, message):
    with pytest.raises(CourseFileError) as info:
        load_roster(write(tmp_path, text))
    assert message in str(info.value)
    assert str(tmp_path / "roster.csv") in str(info.value)


def test_a_roster_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_byte(tmp_path):
    text = "submission,name\nalice,Alice\nzoe,Zoë Müller\n"
    with pytest.raises(CourseFileError, match=r"line 3: not UTF-8 \(byte 0xeb\)"):
        load_roster(write(tmp_path, text, encoding="latin-1"))


def test_a_quoted_field_over_two_lines_reports_the_line_where_its_row_ends(tmp_path):
    text = 'submission,name\nalice,"Alice\nLiddell"\nalice,B\n'
    with pytest.raises(CourseFileError, match="line 4: submission 'alice' is already on line 3"):
        load_roster(write(tmp_path, text))


def test_extensions_and_manifests_refuse_duplicates_and_naive_times(tmp_path):
    ok = write(tmp_path, "submission,deadline\nalice,2026-12-03T23:59:00+01:00\n", "ext.csv")
    assert load_times(ok, ("submission", "deadline"), "deadline")["alice"].day == 3
    dup = write(
        tmp_path,
        "submission,deadline\nalice,2026-12-03T23:59:00+01:00\nalice,2026-12-04T00:00:00Z\n",
        "dup.csv",
    )
    with pytest.raises(CourseFileError, match="dup.csv line 3: submission 'alice' is already"):
        load_times(dup, ("submission", "deadline"), "deadline")
    naive = write(tmp_path, "submission,submitted_at\nalice,2026-12-03 10:00\n", "m.csv")
    with pytest.raises(CourseFileError, match="m.csv line 2: submitted_at: .* no UTC offset"):
        load_times(naive, ("submission", "submitted_at"), "submitted_at")
    extra = write(tmp_path, "submission,deadline,reason\n", "x.csv")
    with pytest.raises(CourseFileError, match="x.csv line 1: unknown column 'reason'"):
        load_times(extra, ("submission", "deadline"), "deadline")
