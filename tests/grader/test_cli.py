"""grader/cli.py: one command table, every verb reachable, a mistyped verb answered."""

import importlib

import pytest

from grader import cli


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_names_a_function_that_exists(name):
    module, _, function = cli.COMMANDS[name][0].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_a_mistyped_command_gets_a_suggestion_not_a_grading_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["bacth", "submissions/"]) == cli.EXIT_GRADER_FAULT
    err = capsys.readouterr().err
    assert "did you mean `grade batch`?" in err
    assert not (tmp_path / "results.json").exists()


def test_a_submission_named_like_a_command_is_still_graded_by_path(tmp_path, monkeypatch):
    # ``grade ./bacth`` (or an existing folder called bacth) is a submission, not a typo.
    (tmp_path / "bacth").mkdir()
    monkeypatch.chdir(tmp_path)
    code = cli.main(["bacth", "-q", "--only", "fc.relu_forward"])
    assert code == cli.EXIT_GRADED
    assert (tmp_path / "results.json").is_file()


def test_an_authoring_verb_runs_through_the_table(capsys):
    assert cli.main(["generate", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name in cli.COMMANDS:
        assert f"grade {name}:" in out
