"""How far above its accuracy bar does the reference train, over many grading seeds?

    python benchmarks/sweep_training_bars.py [--seeds 0-19]

Grades the reference submission on every question that trains a model (numpy ``training`` and
the PyTorch training questions) at each seed, and prints per question the bar, the worst and
median validation accuracy, the worst margin, and the grading time. A bar the reference misses at
some seed would fail correct students at that seed: the worst margin must stay clearly positive.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import catalog  # noqa: E402
from grader.authoring.reference import build_reference_submission  # noqa: E402
from grader.engine import pipeline  # noqa: E402

VAL = re.compile(r"val accuracy ([0-9.]+) \(bar ([0-9.]+)\)")


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=_seeds, default=_seeds("0-19"))
    args = parser.parse_args()
    trains = [
        q["id"]
        for q in catalog.load_catalog()["questions"]
        if q["kind"] == "training"
        or q["id"] in ("pytorch.train_barebones", "pytorch.train_module", "pytorch.challenge")
    ]
    reference = build_reference_submission(Path(tempfile.mkdtemp()) / "reference")
    seen: dict[str, list[tuple[float, float, float]]] = {qid: [] for qid in trains}
    passed: dict[str, list[bool]] = {}
    for seed in args.seeds:
        doc = pipeline.grade(submission=reference, seed=seed, only=trains)
        for q in doc["questions"]:
            found = [VAL.search(c["name"] + " " + c["message"]) for c in q["checks"]]
            match = next((m for m in found if m), None)
            if match is None:  # overfit questions have no bar on validation accuracy
                passed.setdefault(q["id"], []).append(q["status"] == "passed")
                if q["status"] != "passed":
                    print(f"seed {seed} {q['id']}: {q['status']}: {q['feedback']}")
                continue
            seen[q["id"]].append((float(match[1]), float(match[2]), q["seconds"]))
        print(f"seed {seed}: {doc['total']:g}/{doc['max_score']:g}", file=sys.stderr)
    print(
        f"{'question':26s} {'bar':>5s} {'worst':>6s} {'median':>6s} {'margin':>7s} "
        f"{'seconds':>8s}  (over {len(args.seeds)} seeds)"
    )
    for qid, rows in seen.items():
        if not rows:
            continue
        accs = [r[0] for r in rows]
        bar = rows[0][1]
        print(
            f"{qid:26s} {bar:5.2f} {min(accs):6.3f} {statistics.median(accs):6.3f} "
            f"{min(accs) - bar:+7.3f} {statistics.median(r[2] for r in rows):8.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
