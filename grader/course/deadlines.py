"""Deadlines, extensions and the late policy: how many points lateness costs.

Times are ISO 8601 with a UTC offset (``2026-12-01T23:59:00+01:00``, or ``Z`` for UTC); a time
without one is refused, since its meaning would depend on the grading machine's clock settings.
The submission time comes from the LMS (a roster's ``submitted_at`` column or a
``submissions.csv`` manifest), never from file modification times, which copying and unzipping
change.

Late policy syntax (``--late-policy``), comma-separated items:

- ``P%/day`` or ``P%/hour``: P percent deducted per *started* day (hour) after the deadline;
  a day is 24 hours of elapsed time, whatever the clocks did meanwhile (summer time);
- ``max=P%``: the deduction never exceeds P percent;
- ``cutoff=N[d|h|m]``: submitted more than N days (hours, minutes) late, the score is 0;
- ``grace=N[d|h|m]``: lateness up to N is forgiven (beyond it, days count from the deadline);
- ``of=score`` (default) or ``of=max``: the percentages are of the student's raw score, or of
  the assignment's maximum (the final score never goes below 0).

Example: ``10%/day,max=50%,cutoff=7d``: one minute late costs 10%, 25 hours late 20%, six days
50%, eight days everything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

POLICY_HELP = (
    "comma-separated: P%%/day or P%%/hour (deducted per started day or hour late), max=P%% "
    "(cap), cutoff=N[d|h|m] (later than that: score 0), grace=N[d|h|m] (forgiven lateness), "
    "of=score|max (percent of the raw score, the default, or of the maximum). "
    'Example: "10%%/day,max=50%%,cutoff=7d"'
)
_RATE = re.compile(r"^(\d+(?:\.\d+)?)%/(day|hour)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([dhm])$")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_PERIODS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


def parse_time(text: str) -> datetime:
    """An aware datetime from ISO 8601 text; refuses a time without a UTC offset."""
    raw = text.strip()
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-12-01T23:59:00+01:00)"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset; write it as e.g. {raw}+01:00 or {raw}Z")
    return value


@dataclass(frozen=True)
class LatePolicy:
    """A parsed ``--late-policy``; ``text`` is the instructor's own wording."""

    text: str
    rate: float = 0.0
    period: str = "day"
    cap: float | None = None
    cutoff: timedelta | None = None
    grace: timedelta = timedelta(0)
    basis: str = "score"


def _duration(value: str, item: str) -> timedelta:
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"{item!r}: write a duration as N followed by d, h or m (e.g. 7d)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _percent(value: str, item: str) -> float:
    match = _PERCENT.match(value)
    if not match or float(match.group(1)) > 100:
        raise ValueError(f"{item!r}: write a percentage from 0% to 100%")
    return float(match.group(1)) / 100


def parse_policy(text: str) -> LatePolicy:
    """Parse the late policy syntax of the module docstring; ValueError says what is wrong."""
    fields: dict = {}
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise ValueError("empty late policy")
    for item in items:
        if not item:
            raise ValueError(f"empty item in late policy {text!r}")
        key, sep, value = item.partition("=")
        key = key.strip().lower() if sep else ""
        value = value.strip()
        if not sep:
            match = _RATE.match(item.replace(" ", ""))
            if not match or float(match.group(1)) > 100:
                raise ValueError(
                    f"{item!r} is not a late policy item; expected e.g. 10%/day, max=50%, "
                    "cutoff=7d, grace=15m, of=score"
                )
            name, parsed = "rate", (float(match.group(1)) / 100, match.group(2))
        elif key == "max":
            name, parsed = "cap", _percent(value, item)
        elif key in ("cutoff", "grace"):
            name, parsed = key, _duration(value, item)
        elif key == "of":
            if value not in ("score", "max"):
                raise ValueError(f"{item!r}: of= takes score or max")
            name, parsed = "basis", value
        else:
            raise ValueError(f"{item!r}: unknown late policy setting {key!r}")
        if name in fields:
            raise ValueError(f"{item!r}: {name} is given twice")
        fields[name] = parsed
    rate, period = fields.pop("rate", (0.0, "day"))
    policy = LatePolicy(text=text.strip(), rate=rate, period=period, **fields)
    if policy.cutoff is not None and policy.cutoff <= policy.grace:
        raise ValueError(f"late policy {text!r}: the cut-off must be later than the grace period")
    return policy


def describe_duration(delta: timedelta) -> str:
    """``2 days 3 h 5 min`` (rounded down to the minute; ``under a minute`` below that)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if mins:
        parts.append(f"{mins} min")
    return " ".join(parts) or "under a minute"


def _points(value: float) -> str:
    return f"{round(value, 4):g}"


def assess(
    *,
    raw: float,
    max_score: float,
    submitted_at: datetime | None,
    deadline: datetime | None,
    policy: LatePolicy | None,
    deadline_source: str = "course",
    time_source: str = "",
) -> dict:
    """How lateness changes ``raw``: a record with the inputs, every intermediate value and a
    sentence that explains it (kept in the course records and shown to the student).

    ``final`` is ``raw - penalty``; the penalty is 0 when there is no deadline, no submission
    time, or no policy (lateness is still recorded).
    """
    record = {
        "deadline": deadline.isoformat() if deadline else None,
        "deadline_source": deadline_source if deadline else None,
        "submitted_at": submitted_at.isoformat() if submitted_at else None,
        "time_source": time_source or None,
        "policy": policy.text if policy else None,
        "late": False,
        "late_seconds": 0,
        "periods_late": 0,
        "share": 0.0,
        "capped": False,
        "after_cutoff": False,
        "raw": round(raw, 4),
        "penalty": 0.0,
        "final": round(raw, 4),
        "explanation": "",
    }
    if deadline is None:
        record["explanation"] = "no deadline set: no late penalty"
        return record
    if submitted_at is None:
        record["explanation"] = "no submission time recorded: no late penalty applied"
        return record
    late = submitted_at - deadline
    when = f"the deadline ({deadline.isoformat(timespec='minutes')}"
    when += ", your extension)" if deadline_source == "extension" else ")"
    if late <= timedelta(0):
        record["explanation"] = f"submitted on time, before {when}"
        return record
    record["late"] = True
    record["late_seconds"] = int(late.total_seconds())
    span = describe_duration(late)
    if late <= (policy.grace if policy else timedelta(0)):
        record["explanation"] = (
            f"submitted {span} after {when}, within the grace period: no penalty"
        )
        record["late"] = False
        return record
    if policy is None:
        record["explanation"] = f"submitted {span} after {when}; no late policy: no penalty"
        return record
    periods = math.ceil(late / _PERIODS[policy.period])
    record["periods_late"] = periods
    base = raw if policy.basis == "score" else max_score
    of = "of the score" if policy.basis == "score" else "of the maximum"
    if policy.cutoff is not None and late > policy.cutoff:
        record["after_cutoff"] = True
        share = 1.0
        base = raw
        reason = (
            f"submitted {span} after {when}, later than the cut-off of "
            f"{describe_duration(policy.cutoff)}: the score is 0"
        )
    else:
        share = round(periods * policy.rate, 10)
        unit = policy.period + ("s" if periods != 1 else "")
        reason = (
            f"submitted {span} after {when}: {periods} started {unit} "
            f"x {policy.rate * 100:g}% = {share * 100:g}%"
        )
        if policy.cap is not None and share > policy.cap:
            share = policy.cap
            record["capped"] = True
            reason += f", capped at {policy.cap * 100:g}%"
        share = min(share, 1.0)
        reason += f" {of}"
    penalty = min(raw, round(base * share, 4))
    record["share"] = share
    record["penalty"] = penalty
    record["final"] = round(max(raw - penalty, 0.0), 4)
    record["explanation"] = (
        f"{reason}; {_points(penalty)} point{'s' if penalty != 1 else ''} deducted"
    )
    return record


def describe_duration_seconds(seconds: float) -> str:
    return describe_duration(timedelta(seconds=seconds))
