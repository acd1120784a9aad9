"""Similarity report: pairs of submissions whose student-written code is unusually alike.

A signal for a human to look at, never a verdict: students solve the same small problems, and
short correct answers look alike. Only the code inside the student regions is compared, region
by region (a student's ``affine_forward`` against another's ``affine_forward``); regions left as
the skeleton's stub are skipped and the skeleton's own tokens are removed, so starter code never
counts. The code is normalised with ``tokenize``: comments, blank lines and spacing disappear,
local names become ``_`` (keywords, builtins and attribute names such as ``.reshape`` stay),
strings become ``S``, numbers keep their value.

Each region becomes a set of ``K``-token windows. A window found in more than ``common`` of the
submissions (and more than 5) is common knowledge (everyone writes ``np.maximum(0, x)``) and is
ignored, as MOSS ignores passages found in many submissions; the others weigh by their rarity,
``log((n + 1) / df)``. The score of a pair is the weight of the windows they share over the
weight of the smaller of the two: 1.0 means all that the smaller one wrote, beyond common
knowledge, appears in the other. Pairs sharing fewer than ``MIN_SHARED`` windows are not listed.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import io
import keyword
import math
import re
import textwrap
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from grader.authoring import layout, regions
from grader.course import tasks
from grader.engine import intake, report

K = 5
# Fewer rare windows than this in common (about two short lines) never makes a pair.
MIN_SHARED = 8
NOTE = (
    "A signal for a human, never a verdict: similar code can be independent work, a shared "
    "hint or a common idiom. Read the regions side by side before drawing any conclusion."
)
_BUILTINS = frozenset(dir(builtins))
_FALLBACK_TOKEN = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|\S")
_SKIP_TYPES = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
    tokenize.TYPE_COMMENT,
}


@dataclass(frozen=True)
class RegionCode:
    """One student region: where it is, its text as written, its normalised tokens."""

    key: str
    text: str
    tokens: tuple[str, ...]


def _name(word: str, after_dot: bool) -> str:
    if after_dot or keyword.iskeyword(word) or word in _BUILTINS:
        return word
    return "_"


def _number(text: str) -> str:
    try:
        return repr(ast.literal_eval(text))
    except (SyntaxError, ValueError, OverflowError):
        return text


def normalize(code: str) -> tuple[str, ...]:
    """The tokens of ``code`` without comments, layout or local names.

    Code that does not tokenize (a half-written region) falls back to a regular expression
    split, with comments cut at ``#``.
    """
    source = textwrap.dedent(code).strip("\n") + "\n"
    out: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _SKIP_TYPES:
                continue
            after_dot = bool(out) and out[-1] == "."
            if tok.type == tokenize.NAME:
                out.append(_name(tok.string, after_dot))
            elif tok.type == tokenize.NUMBER:
                out.append(_number(tok.string))
            elif tok.type == tokenize.STRING or tok.type in _fstring_types():
                if not out or out[-1] != "S":
                    out.append("S")
            elif tok.type == tokenize.NEWLINE:
                out.append(";")
            elif tok.type == tokenize.INDENT:
                out.append("{")
            elif tok.type == tokenize.DEDENT:
                out.append("}")
            else:
                out.append(tok.string)
        return tuple(out)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        out = []
        for line in source.splitlines():
            for word in _FALLBACK_TOKEN.findall(line.split("#", 1)[0]):
                after_dot = bool(out) and out[-1] == "."
                out.append(_name(word, after_dot) if word[0].isalpha() or word[0] == "_" else word)
        return tuple(out)


def _fstring_types() -> set[int]:
    names = ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")  # Python 3.12+
    return {getattr(tokenize, n) for n in names if hasattr(tokenize, n)}


def _keyed(path: str, found: list[regions.Region]) -> dict[str, regions.Region]:
    """Regions by key ``file:function`` (``#2``, ``#3`` for a function's later regions)."""
    keyed, seen = {}, Counter()
    for region in found:
        seen[region.function] += 1
        suffix = f"#{seen[region.function]}" if seen[region.function] > 1 else ""
        keyed[f"{path.removeprefix('assignment/')}:{region.function}{suffix}"] = region
    return keyed


def starter_regions(skeleton: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The skeleton's region bodies (the stubs), normalised, by key."""
    skeleton = skeleton or layout.skeleton_dir()
    starter = {}
    for canonical in sorted(layout.allow_list(skeleton).code):
        source = (skeleton / canonical.removeprefix("assignment/")).read_text(encoding="utf-8")
        for key, region in _keyed(canonical, regions.parse_regions(source, canonical)).items():
            starter[key] = normalize("\n".join(region.body))
    return starter


def student_regions(
    sub: intake.Submission, starter: dict[str, tuple[str, ...]]
) -> tuple[dict[str, RegionCode], list[str]]:
    """The regions a student changed, by key, and a note per file that could not be read."""
    found, notes = {}, []
    for canonical, content in sorted(sub.files.items()):
        if not canonical.endswith(".py"):
            continue
        try:
            parsed = regions.parse_regions(content.decode("utf-8"), canonical)
        except (UnicodeDecodeError, regions.MarkerError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            notes.append(f"{canonical} not compared: {first}")
            continue
        for key, region in _keyed(canonical, parsed).items():
            text = "\n".join(region.body)
            tokens = normalize(text)
            if tokens and tokens != starter.get(key):
                found[key] = RegionCode(key, textwrap.dedent(text).strip("\n"), tokens)
    return found, notes


def windows(code: RegionCode, starter: tuple[str, ...] = ()) -> set[tuple]:
    """The region's K-token windows (the whole token list when shorter), keyed by region so
    that only the same region of two submissions can match; windows of the starter excluded."""
    tokens = code.tokens
    grams = {tokens[i : i + K] for i in range(len(tokens) - K + 1)} or {tokens}
    if starter:
        grams -= {starter[i : i + K] for i in range(len(starter) - K + 1)} | {starter}
    return {(code.key, g) for g in grams}


def _ratio(a: RegionCode, b: RegionCode) -> float:
    return round(difflib.SequenceMatcher(None, a.tokens, b.tokens, autojunk=False).ratio(), 3)


def compare(
    codes: dict[str, dict[str, RegionCode]],
    starter: dict[str, tuple[str, ...]],
    *,
    common: float = 0.1,
    top: int = 10,
    min_score: float = 0.0,
    min_shared: int = MIN_SHARED,
) -> tuple[list[dict], int]:
    """The ``top`` most similar pairs (score above ``min_score``, at least ``min_shared`` rare
    windows in common), best first, and the number of submissions a window may appear in
    before it counts as common knowledge."""
    n = len(codes)
    grams = {
        sub: set().union(*(windows(c, starter.get(c.key, ())) for c in regs.values()))
        for sub, regs in codes.items()
    }
    df = Counter(g for gs in grams.values() for g in gs)
    cap = max(5, math.ceil(common * n))
    grams = {sub: {g for g in gs if df[g] <= cap} for sub, gs in grams.items()}

    def weight(g) -> float:
        return math.log((n + 1) / df[g])

    mass = {sub: sum(weight(g) for g in gs) for sub, gs in grams.items()}
    postings = defaultdict(list)
    for sub in sorted(grams):
        for g in grams[sub]:
            if df[g] >= 2:
                postings[g].append(sub)
    shared: dict[tuple[str, str], float] = defaultdict(float)
    per_region: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for g, subs in postings.items():
        for a, b in combinations(subs, 2):
            shared[a, b] += weight(g)
            per_region[a, b][g[0]] += 1
    scored = []
    for (a, b), value in shared.items():
        if sum(per_region[a, b].values()) < min_shared:
            continue  # a line or two in common is no evidence, however alike
        smaller = min(mass[a], mass[b])
        score = round(value / smaller, 3) if smaller > 0 else 0.0
        if score > min_score:
            scored.append((score, a, b))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    pairs = []
    for score, a, b in scored[:top]:
        matching = sorted(per_region[a, b].items(), key=lambda item: (-item[1], item[0]))
        pairs.append(
            {
                "a": a,
                "b": b,
                "score": score,
                "shared_windows": sum(per_region[a, b].values()),
                "regions": [
                    {
                        "region": key,
                        "shared_windows": count,
                        "token_ratio": _ratio(codes[a][key], codes[b][key]),
                        "a_code": codes[a][key].text,
                        "b_code": codes[b][key].text,
                    }
                    for key, count in matching
                ],
            }
        )
    return pairs, cap


def _submissions_of(source: Path) -> dict[str, Path]:
    """The submissions behind ``source``: a batch output folder (its manifest names the
    submissions folder) or a submissions folder itself."""
    manifest = Path(source) / tasks.MANIFEST
    if manifest.is_file():
        folder = Path(tasks.load_result(manifest)["submissions_dir"])
        return tasks.discover(folder, exclude=Path(source))
    return tasks.discover(Path(source))


def similarity_report(
    *, source: Path, top: int = 10, common: float = 0.1, min_score: float = 0.0
) -> dict:
    """Compare the student regions of every submission behind ``source``.

    Args:
        source: a ``grade batch`` output folder, or a folder of submissions.
        top: how many pairs to list.
        common: a window found in more than this fraction of the submissions (and in more than
            5) is common knowledge and does not count.
        min_score: list only pairs scoring above this.
    Returns the report: ``note``, ``submissions``, ``compared``, ``skipped`` (unreadable
    submissions and files), ``common_cap`` and ``pairs`` (best first; each with its matching
    regions, the code of both sides and a token-level ``token_ratio`` from ``difflib``).
    """
    starter = starter_regions()
    allow = layout.allow_list()
    codes, skipped = {}, []
    found = _submissions_of(Path(source))
    for sub_id, path in found.items():
        try:
            sub = intake.read_submission(path, allow)
        except intake.IntakeError as exc:
            skipped.append({"submission": sub_id, "reason": str(exc)})
            continue
        regs, notes = student_regions(sub, starter)
        skipped += [{"submission": sub_id, "reason": note} for note in notes]
        codes[sub_id] = regs
    pairs, cap = compare(codes, starter, common=common, top=top, min_score=min_score)
    return {
        "note": NOTE,
        "submissions": len(found),
        "compared": len(codes),
        "window_tokens": K,
        "common_cap": cap,
        "skipped": skipped,
        "pairs": pairs,
    }


def _side_by_side(left: str, right: str, width: int = 56, max_lines: int = 30) -> list[str]:
    a, b = left.splitlines(), right.splitlines()
    rows = []
    for i in range(min(max(len(a), len(b)), max_lines)):
        x = a[i] if i < len(a) else ""
        y = b[i] if i < len(b) else ""
        x = x if len(x) <= width else x[: width - 3] + "..."
        rows.append(f"    {x:<{width}} | {y}")
    if max(len(a), len(b)) > max_lines:
        rows.append(f"    {'...':<{width}} | ...")
    return rows


def report_text(result: dict, regions_per_pair: int = 3) -> str:
    """The report as plain text: each pair with its most similar regions side by side."""
    lines = [
        f"Similarity of student-written regions: {result['compared']} of "
        f"{result['submissions']} submissions compared.",
        result["note"],
        f"(Windows of {result['window_tokens']} tokens; a window in more than "
        f"{result['common_cap']} submissions counts as common and is ignored.)",
        "",
    ]
    if not result["pairs"]:
        lines.append("No pair shares unusual code.")
    for rank, pair in enumerate(result["pairs"], start=1):
        lines.append(
            f"{rank}. {pair['a']} ~ {pair['b']}: score {pair['score']:.2f} "
            f"({pair['shared_windows']} rare windows in common)"
        )
        for region in pair["regions"][:regions_per_pair]:
            lines.append(
                f"  {region['region']}: {region['shared_windows']} shared windows, "
                f"token ratio {region['token_ratio']:.2f}"
            )
            lines.append(f"    {pair['a']:<56} | {pair['b']}")
            lines += _side_by_side(region["a_code"], region["b_code"])
        hidden = len(pair["regions"]) - regions_per_pair
        if hidden > 0:
            lines.append(f"  (+{hidden} more matching regions in similarity.json)")
        lines.append("")
    if result["skipped"]:
        lines.append("Not compared:")
        lines += [f"  {s['submission']}: {s['reason']}" for s in result["skipped"]]
    return "\n".join(lines).rstrip() + "\n"


def write_report(result: dict, out_dir: Path) -> tuple[Path, Path]:
    """Write ``similarity.json`` and ``similarity.txt`` into ``out_dir``."""
    out_dir = Path(out_dir)
    json_path, text_path = out_dir / "similarity.json", out_dir / "similarity.txt"
    report.write_json(result, json_path)
    tmp = out_dir / ".similarity.txt.tmp"
    tmp.write_text(report_text(result), encoding="utf-8")
    tmp.replace(text_path)
    return json_path, text_path
