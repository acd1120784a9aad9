"""grader/course/gradescope.py: is the bundle complete, and does run_autograder write what
Gradescope reads, in a simulated /autograder layout under a temporary root?

setup.sh is only syntax-checked here: it needs apt and the network, which tests do not use.
run_autograder runs with the bundle's own copy of the grader (PYTHONPATH), so a file missing
from the bundle fails the test; its ``venv`` borrows this interpreter's installed packages.
"""

import json
import os
import shutil
import site
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from grader.course import gradescope

ONLY = ["fc.affine_forward", "fc.relu_forward"]
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def check_gradescope_format(results: dict) -> None:
    """Gradescope's autograder specification, checked field by field (independently of the
    schema in grader/course/gradescope.py)."""
    assert isinstance(results["score"], (int, float))
    assert isinstance(results["tests"], list)
    for key in ("visibility", "stdout_visibility"):
        if key in results:
            assert results[key] in VISIBILITY
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["number"], str)
        assert isinstance(test["score"], (int, float))
        assert isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in VISIBILITY


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    return gradescope.build_bundle(output=out, seed=7, only=ONLY)


def autograder_root(bundle: Path, root: Path) -> Path:
    """Lay out what Gradescope builds: source/ (the zip), run_autograder, submission/,
    results/ and the virtualenv venv/."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    # What setup.sh makes, minus the downloads: a virtualenv (sys.prefix = root/venv, as on
    # Gradescope) that borrows this interpreter's packages. Not with --system-site-packages: run
    # from inside a virtualenv, that would see the base interpreter's packages, not this one's.
    # A .pth file adds this interpreter's own site directories (their .pth files included).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root / "venv"], check=True)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run(
        [root / "venv" / "bin" / "python", "-c", where], check=True, capture_output=True, text=True
    ).stdout.strip()
    dirs = [d for d in site.getsitepackages() if os.path.isdir(d)]
    Path(purelib, "borrowed-site.pth").write_text(
        f"import site; list(map(site.addsitedir, {dirs!r}))\n"
    )
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env[gradescope.ROOT_ENV] = str(root)
    env["PYTHONPATH"] = str(root / "source" / gradescope.SOURCE_DIR)
    return subprocess.run(
        [str(root / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bundle_has_the_scripts_at_its_root_executable_and_the_settings(bundle):
    with zipfile.ZipFile(bundle) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        config = json.loads(archive.read(gradescope.CONFIG_NAME))
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) & 0o111, script
    assert config == {"seed": 7, "only": ONLY}


def test_bundle_holds_what_pip_install_needs_and_no_build_products(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    for needed in (
        "pyproject.toml",
        "setup.py",
        "README.md",
        "grader/catalog/catalog.json",
        "grader/catalog/schemas/results.schema.json",
        "grader/inside/runner.py",
        "solutions/layers.py",
        "solutions/im2col_cython.pyx",
        "assignment/layers.py",
    ):
        assert f"scratchnet/{needed}" in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith((".so", ".pyc"))]
    assert not [n for n in names if n.endswith("im2col_cython.c")]


def test_bundle_is_reproducible(bundle, tmp_path):
    time.sleep(2.1)  # zip time stamps have a 2 s resolution
    again = gradescope.build_bundle(output=tmp_path / "again.zip", seed=7, only=ONLY)
    assert again.read_bytes() == bundle.read_bytes()


def test_setup_script_is_valid_bash(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        (tmp_path / "setup.sh").write_bytes(archive.read("setup.sh"))
    assert subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")]).returncode == 0


@pytest.mark.slow
def test_run_autograder_grades_the_submission_into_gradescopes_format(
    bundle, reference_submission, tmp_path
):
    root = autograder_root(bundle, tmp_path / "autograder")
    shutil.copytree(reference_submission, root / "submission", dirs_exist_ok=True)
    done = run_autograder(root)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    check_gradescope_format(results)
    assert [t["name"].split(":")[0] for t in results["tests"]] == ONLY
    assert results["score"] == sum(t["score"] for t in results["tests"]) == 3.0
    assert "TOTAL" in done.stdout  # the score table, for instructors


@pytest.mark.slow
def test_run_autograder_uses_the_bundled_grader_not_the_installed_one(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path / "autograder")
    config = root / "source" / gradescope.CONFIG_NAME
    config.write_text(json.dumps({"seed": 0, "only": ["fc.affine_forward"]}))
    catalog = root / "source" / gradescope.SOURCE_DIR / "grader" / "catalog" / "catalog.json"
    data = json.loads(catalog.read_text())
    for q in data["questions"]:
        q["title"] = "from the bundle"
    catalog.write_text(json.dumps(data))
    run_autograder(root)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["tests"][0]["name"] == "fc.affine_forward: from the bundle"


@pytest.mark.slow
def test_a_single_uploaded_zip_is_graded(bundle, reference_submission, tmp_path):
    root = autograder_root(bundle, tmp_path / "autograder")
    with zipfile.ZipFile(root / "submission" / "submission.zip", "w") as archive:
        for path in sorted(reference_submission.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(reference_submission).as_posix())
    run_autograder(root)
    results = json.loads((root / "results" / "results.json").read_text())
    check_gradescope_format(results)
    assert results["score"] == 3.0


@pytest.mark.slow
def test_an_empty_submission_still_gets_results_with_zero(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path / "autograder")
    done = run_autograder(root)
    assert done.returncode == 0
    results = json.loads((root / "results" / "results.json").read_text())
    check_gradescope_format(results)
    assert results["score"] == 0


@pytest.mark.slow
def test_a_grader_failure_still_writes_results_and_tells_the_instructor(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path / "autograder")
    (root / "source" / gradescope.CONFIG_NAME).write_text("{not json")
    done = run_autograder(root)
    results = json.loads((root / "results" / "results.json").read_text())
    check_gradescope_format(results)
    assert results["score"] == 0 and "error on our side" in results["output"]
    assert "Traceback" in done.stdout  # Gradescope shows stdout to instructors only


# The simulated Gradescope container: root without CAP_SYS_ADMIN (setpriv), bubblewrap hidden
# (PATH without it; the container's user namespaces would refuse it anyway).
SETPRIV = shutil.which("setpriv") or "setpriv"
ROOTLESS = [SETPRIV, "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]
needs_root = pytest.mark.skipif(
    os.getuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)


def rootless_env(root: Path) -> dict:
    env = dict(os.environ)
    env[gradescope.ROOT_ENV] = str(root)
    env["PYTHONPATH"] = str(root / "source" / gradescope.SOURCE_DIR)
    env["PATH"] = "/nonexistent"  # no bwrap to find; the scripts use absolute paths
    return env


@pytest.fixture
def open_root():
    """An /autograder root directly under /tmp, traversable like Gradescope's /autograder."""
    root = Path(tempfile.mkdtemp(prefix="scratchnet-autograder-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@needs_root
def test_simulated_gradescope_grades_with_layers_and_students_never_read_about_them(
    bundle, reference_submission, tmp_path
):
    root = autograder_root(bundle, tmp_path / "autograder")
    shutil.copytree(reference_submission, root / "submission", dirs_exist_ok=True)
    done = subprocess.run(
        [*ROOTLESS, "/bin/bash", str(root / "run_autograder")],
        cwd=root,
        env=rootless_env(root),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = (root / "results" / "results.json").read_text()
    results = json.loads(text)
    check_gradescope_format(results)
    assert results["score"] == 3.0, results
    for word in ("isolation", "sandbox", "bubblewrap", "landlock", "seccomp"):
        assert word not in text.lower()
    # Instructors (Gradescope's hidden stdout) read which layers applied.
    assert "isolation reduced" in done.stdout
    for layer in ("user", "no_new_privs", "landlock", "seccomp"):
        assert layer in done.stdout.split("layers applied:")[1].split(";")[0], done.stdout


@pytest.mark.slow
@needs_root
def test_setup_self_test_passes_on_a_working_image_and_fails_when_the_child_cannot_start(
    bundle, tmp_path
):
    root = autograder_root(bundle, tmp_path / "autograder")
    command = [
        *ROOTLESS,
        str(root / "venv" / "bin" / "python"),
        "-m",
        "grader.course.gradescope",
        "--self-test",
    ]
    done = subprocess.run(
        command, cwd=root, env=rootless_env(root), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test passed" in done.stdout
    # An image where the child cannot start: the build must fail, not grade everyone 0.
    confine = root / "source" / gradescope.SOURCE_DIR / "grader" / "inside" / "confine.py"
    confine.write_text("import sys\nsys.exit('numpy is missing on this image')\n")
    done = subprocess.run(
        command, cwd=root, env=rootless_env(root), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    assert "self-test FAILED: not_graded" in done.stderr
    assert "numpy is missing on this image" in done.stderr


@needs_root
def test_protect_makes_the_source_unreadable_to_the_sandbox_user_and_check_proves_it(
    bundle, open_root
):
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(open_root / "source")
    env = dict(os.environ, PYTHONPATH=str(open_root / "source" / gradescope.SOURCE_DIR))
    check = [sys.executable, "-m", "grader.sandbox", "--check", str(open_root / "source")]
    before = subprocess.run(check, cwd=open_root, env=env, capture_output=True, text=True)
    assert before.returncode == 1 and "READABLE by" in before.stderr, before
    assert str(open_root / "source") in before.stderr
    protect = [sys.executable, "-m", "grader.sandbox", "--protect", str(open_root / "source")]
    done = subprocess.run(protect, cwd=open_root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    after = subprocess.run(check, cwd=open_root, env=env, capture_output=True, text=True)
    assert after.returncode == 0 and "unreadable by" in after.stdout, after
