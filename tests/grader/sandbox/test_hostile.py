"""The hostile-submission corpus in ``tests/grader/sandbox/hostile/``: every attack gains nothing,
the other questions are still graded, the results are valid JSON, the grader survives, and no
process, file or cgroup is left behind.

Each case runs under bubblewrap and with bubblewrap absent (``find_bwrap`` returning None, as
on a machine without it), except the attacks only the sandbox can stop (``needs: "bwrap"``).
"""

import ast
import importlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from grader import catalog, cli, sandbox
from grader.authoring.reference import solutions_dir
from grader.engine import pipeline, report

HOSTILE_DIR = Path(__file__).parent / "hostile"
PARAMS_LINE = "PARAMS: dict = {}"
HAS_BWRAP = sandbox.find_bwrap() is not None
HAS_CGROUP = sandbox.pids_cgroup_parent() is not None
# RLIMIT_NPROC binds everyone but root; root is bounded only by a pids cgroup.
HAS_PROCESS_BOUND = HAS_CGROUP or os.getuid() != 0


def expectation(name: str) -> dict:
    """The case's ``EXPECT`` dict, read without importing the hostile code."""
    tree = ast.parse((HOSTILE_DIR / f"{name}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXPECT":
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name}.py has no EXPECT")


CASES = sorted(p.stem for p in HOSTILE_DIR.glob("*.py"))
PARAMS = [
    pytest.param(name, mode, id=f"{name}-{mode}", marks=[pytest.mark.slow] * bool(exp.get("slow")))
    for name in CASES
    for exp in [expectation(name)]
    for mode in ("bwrap", "reduced", "rootless", "sameuser")
    if mode != "reduced" or exp.get("needs") != "bwrap" or os.getuid() == 0
]


def build(reference: Path, dest: Path, name: str, params: dict) -> Path:
    """The reference submission with the hostile code appended to one student file."""
    shutil.copytree(reference, dest)
    source = (HOSTILE_DIR / f"{name}.py").read_text()
    assert source.count(PARAMS_LINE) == 1, name
    source = source.replace(PARAMS_LINE, f"PARAMS = {params!r}")
    target = dest / "assignment" / expectation(name)["patch"]
    target.write_text(target.read_text() + "\n\n# --- hostile code ---\n" + source)
    return dest


def small_catalog(path: Path, ids: list[str], hostile: list[str], time_limit) -> Path:
    """The real catalog's questions ``ids``, with a short time limit where the case asks."""
    full = catalog.load_catalog()
    questions = []
    for q in full["questions"]:
        if q["id"] in ids:
            limit = time_limit if (time_limit and q["id"] in hostile) else min(q["time_limit"], 20)
            questions.append({**q, "time_limit": limit})
    path.write_text(json.dumps({**full, "questions": questions}))
    return path


def processes_mentioning(*needles: str) -> list[str]:
    """Command lines of live processes that contain any of ``needles``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path("/proc", entry, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(n in cmdline for n in needles):
            found.append(f"{entry}: {cmdline}")
    return found


def wait_until_gone(*needles: str, seconds: float = 3.0) -> list[str]:
    """Killed processes leave /proc a moment later; wait a little before calling them leftovers."""
    deadline = time.monotonic() + seconds
    while (left := processes_mentioning(*needles)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def own_cgroups() -> list[Path]:
    parent = sandbox.pids_cgroup_parent()
    return list(parent.glob(f"{sandbox.CGROUP_PREFIX}{os.getpid()}-*")) if parent else []


@pytest.fixture
def arena(tmp_path, monkeypatch):
    """A private working directory and temporary directory for one grading run.

    As root the grader's temporary directory is made directly under /tmp (``arena/tmp`` links
    to it): the sandbox user must traverse to the scratch folder, and pytest keeps its own base
    folder private (0700, reset by every pytest session)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    # The trusted parent caches a folder of its own for the hints' variant modules, made on
    # first use under the temporary directory: make it before that directory moves here, so it
    # is neither taken for a leftover of the child nor deleted under later tests.
    hints = importlib.import_module("grader.checks.hints")
    if hasattr(hints, "_variants_root"):
        hints._variants_root()
    if os.getuid() == 0:
        tmp = Path(tempfile.mkdtemp(prefix="scratchnet-arena-", dir="/tmp"))
        tmp.chmod(0o755)
        (tmp_path / "tmp").symlink_to(tmp)
    else:
        tmp = tmp_path / "tmp"
        tmp.mkdir()
    other = tmp / "scratchnet-other" / "tree" / "assignment"
    other.mkdir(parents=True)
    (other / "layers.py").write_text("# another student's submission\n")
    (tmp_path / "victim.txt").write_text("must survive\n")
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp_path
    if tmp != tmp_path / "tmp":
        shutil.rmtree(tmp, ignore_errors=True)


def run_throwaway(
    submission: Path,
    ids: list[str],
    cat: Path,
    limits: dict,
    out: Path,
    tmp: Path,
    marker: str,
    rootless: bool = False,
    hide_bwrap: bool = False,
    same_user: bool = False,
):
    """Grade in a separate grader process, so an attack on the grader cannot reach pytest.
    The marker in its command line is how hostile code may recognise it.

    ``rootless`` simulates Gradescope's container: root without CAP_SYS_ADMIN in its bounding
    set (``setpriv``) and bubblewrap hidden (here it would still work through a user namespace,
    which such containers forbid). ``same_user`` also drops CAP_SETUID/CAP_SETGID: the child
    then runs as the grader's own user, as on a laptop without bubblewrap."""
    script = (
        "import json, sys\n"
        "from grader import sandbox\n"
        "from grader.engine import pipeline, report\n"
        "sub, ids, cat, limits, out, rootless = json.loads(sys.argv[1])\n"
        "if rootless:\n"
        "    sandbox.find_bwrap = lambda: None\n"
        "doc = pipeline.grade(submission=sub, only=ids, catalog_path=cat,\n"
        "                     limits=sandbox.Limits(**limits))\n"
        "report.write_json(doc, out)\n"
    )
    args = json.dumps([str(submission), ids, str(cat), limits, str(out), rootless or hide_bwrap])
    env = {**os.environ, "TMPDIR": str(tmp)}
    caps = "-sys_admin,-setuid,-setgid" if same_user else "-sys_admin"
    prefix = ["setpriv", "--bounding-set", caps, "--inh-caps", caps]
    proc = subprocess.run(
        [*(prefix if rootless or same_user else []), sys.executable, "-c", script, args, marker],
        env=env,
        capture_output=True,
        timeout=120,
    )
    return proc


@pytest.mark.parametrize(("name", "mode"), PARAMS)
def test_hostile_submission_gains_nothing_and_leaves_nothing(
    name, mode, arena, reference_submission, monkeypatch
):
    exp = expectation(name)
    if mode == "bwrap" and not HAS_BWRAP:
        pytest.skip("bubblewrap is not available on this machine")
    if mode in ("rootless", "sameuser") and (os.getuid() != 0 or not shutil.which("setpriv")):
        pytest.skip("the simulated modes need root and setpriv")
    if mode != "bwrap":
        monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
        if exp.get("reduced_needs") == "cgroup" and not HAS_CGROUP:
            pytest.skip(
                "without bubblewrap only a pids cgroup finds a process that left its group, "
                "and none can be created here (a documented limit of reduced isolation)"
            )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    marker = f"150.{secrets.randbelow(10**9):09d}"
    params = {
        "port": listener.getsockname()[1],
        "marker": marker,
        "solutions_file": str(solutions_dir() / "layers.py"),
        "project_root": str(solutions_dir().parent),
        "catalog_file": str(catalog.CATALOG_PATH),
        "other_submissions": str(
            (arena / "tmp").resolve() / "scratchnet-*" / "tree" / "assignment" / "*"
        ),
        "victim": str(arena / "victim.txt"),
        "grader_cwd": str(arena / "cwd"),
    }
    submission = build(reference_submission, arena / "submission", name, params)
    ids = exp["hostile"] + exp["still_pass"]
    cat = small_catalog(arena / "catalog.json", ids, exp["hostile"], exp.get("time_limit"))
    limits = exp.get("limits", {})
    tmp_results_before = _stat_or_none(Path("/tmp/results.json"))

    if exp.get("throwaway") or mode in ("rootless", "sameuser"):
        out = arena / "out" / "results.json"
        out.parent.mkdir(exist_ok=True)
        proc = run_throwaway(
            submission,
            ids,
            cat,
            limits,
            out,
            (arena / "tmp").resolve(),
            marker,
            rootless=mode == "rootless",
            hide_bwrap=mode != "bwrap",
            same_user=mode == "sameuser",
        )
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]  # the grader survived
        doc = json.loads(out.read_text())
    else:
        doc = pipeline.grade(
            submission=submission,
            only=ids,
            catalog_path=cat,
            limits=sandbox.Limits(**limits),
        )
        report.write_json(doc, arena / "out" / "results.json")
        assert json.loads((arena / "out" / "results.json").read_text()) == doc
    report.validate(doc)
    assert doc["isolation"]["reduced"] is (mode != "bwrap")
    applied = {layer["name"] for layer in doc["isolation"].get("layers", []) if layer["applied"]}
    if mode == "rootless":  # the results name the layers that applied
        assert {"user", "no_new_privs", "landlock", "seccomp"} <= applied, doc["isolation"]
    if mode == "sameuser":
        assert {"no_new_privs", "landlock", "seccomp"} <= applied, doc["isolation"]
        assert "user" not in applied

    by_id = {q["id"]: q for q in doc["questions"]}
    for qid in exp["hostile"]:
        q = by_id[qid]
        assert q["score"] == 0, (qid, q["feedback"])
        assert q["status"] in exp["status"], (qid, q["status"], q["feedback"])
        # The feedback of the sandbox-only attacks describes bubblewrap's symptom (pid 1, no
        # network device); without it other layers stop them with other errors (EPERM, EACCES).
        if "feedback" in exp and (mode == "bwrap" or exp.get("needs") != "bwrap"):
            assert re.search(exp["feedback"], q["feedback"]), (qid, q["feedback"])
        held = re.search(r"held (\d+) MB", q["feedback"])
        if held:  # the memory bound covers all the child's processes together
            assert int(held.group(1)) <= 512, q["feedback"]
        if "at_most" in exp and HAS_PROCESS_BOUND:
            pattern, bound = exp["at_most"]
            found = re.search(pattern, q["feedback"])
            if mode != "bwrap" and found is None:  # stopped by the parent before it could say
                assert re.search(r"the files it wrote exceed \d+ MB", q["feedback"]), q
            else:
                assert int(found.group(1)) <= bound, q["feedback"]
    for qid in exp["still_pass"]:
        assert by_id[qid]["status"] == "passed", (qid, by_id[qid]["feedback"])
        assert by_id[qid]["score"] == by_id[qid]["max_score"] > 0
    assert doc["total"] == sum(by_id[qid]["max_score"] for qid in exp["still_pass"])

    # Nothing left behind: processes, scratch folders, files, cgroups; the parent's numpy intact.
    assert wait_until_gone(str(arena), marker) == []
    assert sorted(p.name for p in (arena / "tmp").iterdir()) == ["scratchnet-other"]
    assert list((arena / "cwd").iterdir()) == []
    assert (arena / "victim.txt").read_text() == "must survive\n"
    assert sorted(p.relative_to(arena) for p in arena.rglob("results.json")) == [
        Path("out/results.json")
    ]
    assert _stat_or_none(Path("/tmp/results.json")) == tmp_results_before
    assert own_cgroups() == []
    assert np.allclose(0.0, 1.0) is False
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()


def _stat_or_none(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def test_the_corpus_covers_every_attack_named_in_the_issue():
    wanted = {
        "import_reference",
        "read_outside_files",
        "network_localhost",
        "fork_bomb",
        "memory_bomb",
        "infinite_loop",
        "sys_exit_at_import",
        "os_exit_at_import",
        "sys_exit_in_function",
        "os_exit_in_function",
        "fake_results_output",
        "write_results_everywhere",
        "write_results_cwd",
        "numpy_monkeypatch",
        "ndarray_subclass",
        "always_equal_object",
        "nan_output",
        "wrong_shape",
        "string_output",
        "huge_view",
        "too_many_elements",
        "kill_parent",
        "sleep_past_limit",
        "delete_files",
        "hardcoded_published",
        "memory_bomb_spread",
    }
    assert wanted <= set(CASES)
    for name in CASES:
        exp = expectation(name)
        assert exp["hostile"] and exp["status"], name
        assert set(exp) <= {
            "patch",
            "hostile",
            "still_pass",
            "status",
            "feedback",
            "needs",
            "reduced_needs",
            "time_limit",
            "limits",
            "at_most",
            "throwaway",
            "slow",
        }, name


def test_reduced_isolation_is_reported_because_it_is_real(arena, reference_submission, monkeypatch):
    """Without bubblewrap the note names the layers that applied. As root (the Gradescope case)
    they stop a child that imports the reference; as another user, the note says it would not."""
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    params = {"project_root": str(solutions_dir().parent)}
    submission = build(reference_submission, arena / "submission", "import_reference", params)
    doc = pipeline.grade(submission=submission, only=["fc.affine_forward"])
    isolation = doc["isolation"]
    assert isolation["reduced"] is True and isolation["sandbox"] == "layered"
    applied = {layer["name"] for layer in isolation["layers"] if layer["applied"]}
    assert (
        "layers applied: "
        + ", ".join(layer["name"] for layer in isolation["layers"] if layer["applied"])
        in isolation["note"]
    )
    if "landlock" in applied or "file_permissions" in applied:
        assert doc["questions"][0]["score"] == 0
    else:
        assert "could still read any file the grader's user can read" in isolation["note"]
        assert doc["questions"][0]["status"] == "passed"  # the attack works here, as said


def test_grade_cli_writes_its_own_results_whatever_the_student_wrote(
    arena, reference_submission, monkeypatch
):
    submission = build(reference_submission, arena / "submission", "write_results_cwd", {})
    code = cli.main(
        [
            str(submission),
            "-o",
            "results.json",
            "-q",
            "--only",
            "fc.affine_forward",
            "fc.relu_forward",
        ]
    )
    assert code == cli.EXIT_GRADED
    written = json.loads((arena / "cwd" / "results.json").read_text())
    report.validate(written)
    assert [q["score"] for q in written["questions"]] == [0, 1.0]
    assert list((arena / "cwd").iterdir()) == [arena / "cwd" / "results.json"]
