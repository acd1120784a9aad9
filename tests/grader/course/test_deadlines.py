"""grader/course/deadlines.py: times with offsets, the late policy syntax and its arithmetic."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from grader.course.deadlines import assess, parse_policy, parse_time

DEADLINE = parse_time("2026-12-01T23:59:00+01:00")
POLICY = parse_policy("10%/day,max=50%,cutoff=7d")


def late(delta: timedelta, raw=8.0, policy=POLICY, **kw):
    return assess(
        raw=raw,
        max_score=10.0,
        submitted_at=DEADLINE + delta,
        deadline=DEADLINE,
        policy=policy,
        **kw,
    )


def test_times_need_an_offset_and_z_means_utc():
    assert parse_time("2026-12-01T22:59:00Z") == DEADLINE
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_time("2026-12-01T23:59:00")
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        parse_time("1 Dec 2026")


def test_the_policy_syntax_and_its_errors():
    assert POLICY.rate == 0.1 and POLICY.period == "day" and POLICY.cap == 0.5
    assert POLICY.cutoff == timedelta(days=7) and POLICY.basis == "score"
    hourly = parse_policy("2.5%/hour, grace=15m, of=max")
    assert hourly.rate == 0.025 and hourly.period == "hour"
    assert hourly.grace == timedelta(minutes=15) and hourly.basis == "max"
    for bad, message in [
        ("", "empty late policy"),
        ("10%/week", "not a late policy item"),
        ("10%/day,10%/day", "given twice"),
        ("max=150%", "percentage from 0% to 100%"),
        ("cutoff=7 days", "duration"),
        ("10%/day,penalty=3", "unknown late policy setting"),
        ("of=total", "of= takes score or max"),
        ("10%/day,cutoff=1h,grace=2h", "cut-off must be later than the grace period"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_policy(bad)


@pytest.mark.parametrize(
    "delta, share, penalty, capped, cutoff",
    [
        (timedelta(minutes=-5), 0.0, 0.0, False, False),  # on time
        (timedelta(0), 0.0, 0.0, False, False),  # at the deadline is on time
        (timedelta(minutes=1), 0.1, 0.8, False, False),  # one started day
        (timedelta(hours=24), 0.1, 0.8, False, False),  # exactly one day
        (timedelta(hours=25), 0.2, 1.6, False, False),  # two started days
        (timedelta(days=3), 0.3, 2.4, False, False),  # 3 x 10%, no float dust
        (timedelta(days=5, hours=1), 0.5, 4.0, True, False),  # 60% capped at 50%
        (timedelta(days=7), 0.5, 4.0, True, False),  # at the cut-off: still capped
        (timedelta(days=7, minutes=1), 1.0, 8.0, False, True),  # after it: 0
    ],
)
def test_penalties_per_started_day_with_cap_and_cutoff(delta, share, penalty, capped, cutoff):
    record = late(delta)
    assert record["share"] == share
    assert record["penalty"] == penalty
    assert record["final"] == pytest.approx(8.0 - penalty)
    assert record["capped"] is capped and record["after_cutoff"] is cutoff
    assert record["late"] is (delta > timedelta(0))
    assert record["explanation"]


def test_the_explanation_says_how_the_penalty_was_computed():
    record = late(timedelta(days=1, hours=10, minutes=1))
    assert record["periods_late"] == 2
    assert record["explanation"] == (
        "submitted 1 day 10 h 1 min after the deadline (2026-12-01T23:59+01:00): 2 started "
        "days x 10% = 20% of the score; 1.6 points deducted"
    )
    assert "score is 0" in late(timedelta(days=8))["explanation"]
    assert "capped at 50%" in late(timedelta(days=6))["explanation"]


def test_time_zones_compare_instants_not_wall_clocks():
    def is_late(when):
        return assess(raw=5, max_score=10, submitted_at=when, deadline=DEADLINE, policy=POLICY)

    # Berlin is +01:00 in December: 00:30 on 2 December there is 31 minutes late.
    assert is_late(datetime(2026, 12, 2, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")))["late"]
    # 17:00 in New York (-05:00) is 22:00 UTC, 23:00 +01:00: on time, though a later date's
    # wall clock reads earlier.
    assert not is_late(datetime(2026, 12, 1, 17, 0, tzinfo=ZoneInfo("America/New_York")))["late"]
    # 23:00 UTC is 00:00 +01:00: one minute late, one started day.
    assert is_late(datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc))["periods_late"] == 1


def test_grace_of_max_and_missing_inputs():
    graced = parse_policy("10%/day,grace=15m")
    assert late(timedelta(minutes=10), policy=graced)["penalty"] == 0
    assert late(timedelta(minutes=16), policy=graced)["penalty"] == 0.8
    of_max = parse_policy("10%/day,of=max")
    assert late(timedelta(days=2), policy=of_max)["penalty"] == 2.0  # 20% of 10 points
    assert late(timedelta(days=2), raw=1.0, policy=of_max)["final"] == 0.0  # never below 0
    unknown = assess(raw=5, max_score=10, submitted_at=None, deadline=DEADLINE, policy=POLICY)
    assert unknown["penalty"] == 0 and "no submission time" in unknown["explanation"]
    no_policy = late(timedelta(days=2), policy=None)
    assert (
        no_policy["late"]
        and no_policy["penalty"] == 0
        and "no late policy" in no_policy["explanation"]
    )
    extended = late(timedelta(hours=1), deadline_source="extension")
    assert "your extension" in extended["explanation"]


def test_a_day_is_24_hours_of_elapsed_time_even_across_a_clock_change():
    # Berlin leaves summer time on 25 October 2026: 23:59+02:00 on the 24th to 23:00+01:00 on
    # the 25th is 24 h 1 min of elapsed time, although the wall clock moved 23 h 1 min.
    deadline = parse_time("2026-10-24T23:59:00+02:00")
    submitted = datetime(2026, 10, 25, 23, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    record = assess(raw=10, max_score=10, submitted_at=submitted, deadline=deadline, policy=POLICY)
    assert record["late_seconds"] == 24 * 3600 + 60 and record["periods_late"] == 2
