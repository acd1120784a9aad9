"""The public cases of the self-check: the reference's answers, recorded once, replayed later.

A student's self-check runs the grader's own checks on the student's package, on PUBLIC cases:
their inputs are drawn from the seed namespace ``PUBLIC_NAMESPACE`` (hidden cases use the
bare grading seed, so public inputs never equal hidden ones). The student has no reference
solutions, so the instructor records, where the solutions exist, what the reference answers
to every request those checks make, and what each hint variant answers to each request a
student is asked (``record``). The recording ships with the student release; the self-check
replays it (``Recording.reference`` and ``Recording.outcomes``).

Some requests are built from the student's own answer. Two are foreseen: the reference's
forward cache, asked when a student's forward pass is wrong, is recorded for every backward
case; dropout masks drawn from another stream cannot be replayed in a recording, so the
network is judged as when dropout is written inline (what that asks is recorded too, with the
reference's masks hidden). A request still missing from the recording makes its case
``skipped``, "checked only by the grader", never failed. Training questions need no recording
(they measure what the student's code learns); manual questions are not self-checked.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from grader import catalog
from grader.checks import KINDS, Context, hints
from grader.checks.base import Unavailable, reference_answer
from grader.checks.gradient import reference_cache_request
from grader.files import write_atomic
from grader.inside import wire
from grader.sandbox.child import Answer

FORMAT = 1
PUBLIC_NAMESPACE = "public-"
PUBLIC_SEED = 1
RECORDING_PATH = Path(__file__).resolve().parent / "public_cases.wire.gz"
# Kinds whose expected answers come from the reference; training questions judge what the
# student's code learns with the student's own model class, and manual ones are read by people.
RECORDED_KINDS = ("output", "gradient", "model", "state", "statistic", "pytorch")
UNRECORDED_PARTS = ("train", "challenge")  # PyTorch training: like the training kind
NOT_RECORDED = (
    "checked only by the grader: this case is built from your own answer, which the "
    "self-check's recorded public answers cannot anticipate"
)


def recorded(q: dict) -> bool:
    return q["kind"] in RECORDED_KINDS and q.get("part") not in UNRECORDED_PARTS


def request_key(req: dict) -> str:
    """The request's identity: a hash of its exact wire encoding (arrays bit for bit)."""
    return hashlib.sha256(wire.encode(req)).hexdigest()[:24]


def fingerprint(sources: list[Path]) -> str:
    """What a recording was made from: the catalog, the hints and every reference file."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for path in sources:
        name = path.resolve().relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def reference_sources() -> list[Path]:
    """The catalog, the hints, every reference file, and the code that decides what is asked."""
    grader = Path(__file__).resolve().parents[1]
    code = [*(grader / "checks").glob("*.py"), *(grader / "inside").glob("*.py"), Path(__file__)]
    files = [p for p in hints.SOLUTIONS_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    return [catalog.CATALOG_PATH, hints.HINTS_PATH, *sorted(code), *sorted(files)]


class Recorder:
    """Plays both sides while the checks run on the public cases: the reference answers as
    the reference and as the student, and every answer is written down."""

    def __init__(self) -> None:
        self.answers: dict[str, object] = {}
        self.outcomes: dict[str, list] = {}
        self.question = ""
        # The student's dropout masks unobservable: what the check then asks is recorded too
        # (a student's masks drawn from another stream are judged that way in the self-check).
        self.hide_masks = False

    def reference(self, req: dict):
        key = request_key(req)
        if key not in self.answers:
            self.answers[key] = reference_answer(req)
            if req.get("op") == "forward_backward":  # asked when a student's forward is wrong
                self.reference(reference_cache_request(req))
        return copy.deepcopy(self.answers[key])

    def ask_student(self, req: dict, _remaining: float) -> Answer:
        if hints.explainable(req) and hints.hints_for(self.question):
            key = f"{self.question}:{request_key(req)}"
            if key not in self.outcomes:
                self.reference(req)  # what a hint's answer is told apart from
                self.outcomes[key] = [
                    [hint, kind, value]
                    for hint, (kind, value) in hints.variant_outcomes(self.question, req)
                ]
        if self.hide_masks and req.get("record"):
            req = {key: value for key, value in req.items() if key != "record"}
        return Answer("ok", reference_answer(req))


def record(questions: list[dict]) -> bytes:
    """Run the checks of ``questions`` on the public cases with the reference as the student;
    return the recording (gzip of one wire message)."""
    recorder = Recorder()
    ctx = Context(
        seed=PUBLIC_SEED,
        ask_student=recorder.ask_student,
        dataset={},
        reference=recorder.reference,
        namespace=PUBLIC_NAMESPACE,
    )
    for q in questions:
        if not recorded(q):
            continue
        recorder.question = q["id"]
        ctx.deadline = time.monotonic() + 10 * q["time_limit"]
        replays = any(c.get("replay_dropout") for c in q["cases"])
        for hide_masks in (False, True) if replays else (False,):
            recorder.hide_masks = hide_masks
            with np.errstate(all="ignore"):  # hint variants overflow
                failed = [c for c in KINDS[q["kind"]](q, ctx) if not c.passed]
            if failed:  # the reference must pass its own public cases
                raise RuntimeError(f"{q['id']}: {failed[0].name}: {failed[0].message}")
    document = {
        "format": FORMAT,
        "namespace": PUBLIC_NAMESPACE,
        "seed": PUBLIC_SEED,
        "fingerprint": fingerprint(reference_sources()),
        "answers": recorder.answers,
        "outcomes": recorder.outcomes,
    }
    return gzip.compress(wire.encode(document), mtime=0)


class Recording:
    """A recording, replayed: ``reference`` and ``outcomes`` stand in for the reference
    solutions and the hint variants (``pipeline.Judging``)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        document = wire.decode(gzip.decompress(data))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("the self-check's recording has an unknown format")
        self.fingerprint: str = document["fingerprint"]
        self.namespace: str = document["namespace"]
        self.seed: int = document["seed"]
        self._answers: dict = document["answers"]
        self._outcomes: dict = document["outcomes"]

    @classmethod
    def load(cls, path: Path = RECORDING_PATH) -> Recording:
        return cls(Path(path).read_bytes())

    def reference(self, req: dict):
        try:
            return copy.deepcopy(self._answers[request_key(req)])
        except KeyError:
            raise Unavailable(NOT_RECORDED) from None

    def outcomes(self, question_id: str, req: dict) -> Iterator[tuple[str, hints.Outcome]]:
        for hint, kind, value in self._outcomes.get(f"{question_id}:{request_key(req)}", []):
            yield hint, (kind, value)

    def diagnose(self, case) -> str:
        return hints.explain(case, self.outcomes)


def load_or_record(path: Path = RECORDING_PATH) -> Recording:
    """The recording at ``path``; where the reference solutions exist (an instructor's
    checkout), first (re)recorded when it is missing or was made from other sources."""
    if not hints.SOLUTIONS_DIR.is_dir():  # the student release: the shipped recording
        return Recording.load(path)
    if Path(path).is_file():
        existing = Recording.load(path)
        if existing.fingerprint == fingerprint(reference_sources()):
            return existing
    data = record(catalog.load_catalog()["questions"])
    write_atomic(Path(path), data)
    return Recording(data)
