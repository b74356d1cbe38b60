"""Back-pain reports: score 0-10, when, and how far or how long into a walk it started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Response

from gait.coach.pain import MIN_ONSET_DISTANCE_M, MIN_ONSET_TIME_S, is_onset_from_start, onset_too_old
from gait.coach.records import PainReport
from gait.coach.text import format_distance, format_duration, format_percent
from service.coaching import load_profile
from service.deps import StoreDep
from service.models import PainCreate, PainPublic, PainSaved
from service.store import aware_utc, local_minute

router = APIRouter(prefix="/api/pain", tags=["pain"])

FUTURE_SLACK = timedelta(minutes=5)
"""Clock skew between phone and server tolerated before a report counts as 'in the future'."""
ONSET_MARGIN_SHARE = 0.10
"""An onset may lie this share beyond the walk's estimated distance or duration (a sensor's distance can be off by
about 10 %, see docs/COACHING.md section 6) ..."""
ONSET_MARGIN_MIN_M = 50.0
"""... or at least this many metres ..."""
ONSET_MARGIN_MIN_S = 60.0
"""... or this many seconds beyond it, for short walks; further out it was not on this walk."""
MARGIN_WORDS = format_percent(ONSET_MARGIN_SHARE)


NO_PAIN_ONSET = (
    "a pain score of 0/10 means no pain, so there is no point into the walk at which it started: leave the distance "
    "and time into the walk empty, or give the pain you felt (1 to 10)"
)
"""The refusal of a report of no pain with an onset."""


def _duration(seconds: float) -> str:
    """``"40 s"`` under two minutes, else as the coach writes durations (``"25 min"``)."""
    return f"{seconds:.0f} s" if seconds < 120.0 else format_duration(seconds)


def _walk_name(walk: dict[str, Any]) -> str:
    """A walk as the pain form's list of walks names it (its name, quoted), not by its id."""
    return f"\u201c{walk['name']}\u201d"


def walk_start(walk: dict[str, Any]) -> datetime:
    """When a stored walk started."""
    return aware_utc(datetime.fromisoformat(walk["started_at"]))


def walk_end(walk: dict[str, Any]) -> datetime:
    """When a stored walk ended: its start plus its duration (its start when the duration is unknown)."""
    duration_s = walk.get("duration_s") or walk.get("walking_time_s") or 0.0
    return walk_start(walk) + timedelta(seconds=max(float(duration_s), 0.0))


def check_time_on_walk(when: datetime, walk: dict[str, Any]) -> None:
    """Refuse (422) a report dated before the start of the walk it names: pain during that walk came after it."""
    start = walk_start(walk)
    if when.astimezone(UTC) < start:
        raise HTTPException(
            422,
            f"the walk {_walk_name(walk)} started at {local_minute(start)}: pain during it cannot "
            f"have been felt at {local_minute(when)}, before it started. Give the time the pain was "
            "felt (during or after the walk), leave the time empty to date it at the walk's end, or choose the walk "
            "it happened on.",
        )


def describe_report(row: dict[str, Any]) -> str:
    """A stored report in the walker's words: ``"5/10 after 120 m (0.07 mi), reported Nov 17, 08:02"``."""
    parts = [f"{row['score']}/10"]
    if row.get("onset_distance_m") is not None:
        parts.append(f"after {format_distance(row['onset_distance_m'])}")
    if row.get("onset_time_s") is not None:
        parts.append(f"after {_duration(row['onset_time_s'])}")
    when = aware_utc(datetime.fromisoformat(row["reported_at"]))
    return f"{' '.join(parts)}, reported {local_minute(when)}"


def check_no_contradiction(report: PainCreate, walk: dict[str, Any], stored: list[dict[str, Any]]) -> None:
    """Refuse (422) a report of no pain (0/10) for a walk that already has a report of pain, or one of pain for a
    walk already reported as pain-free: one walk cannot have been both. Reports of pain for a walk that has some
    are kept (the coach takes the walk's earliest onset, once)."""
    mine = [r for r in stored if r["walk_id"] == walk["id"]]
    other = [r for r in mine if (r["score"] == 0) != (report.score == 0)]
    if other:
        said = "no pain (0/10)" if report.score == 0 else f"pain {report.score}/10"
        raise HTTPException(
            422,
            f"the walk {_walk_name(walk)} already has a report of {describe_report(other[0])}: a report of {said} "
            "for the same walk contradicts it. If that report is wrong, delete it in the history on the Pain page, "
            "then report again; otherwise choose the walk this report is about.",
        )


def check_onset_on_walk(report: PainCreate, walk: dict[str, Any]) -> None:
    """Refuse (422) an onset distance or time beyond the walk it names (with the margin above)."""
    if walk["status"] == "live":
        return  # still growing
    distance_m = walk.get("distance_m")
    if distance_m is None and not walk.get("strides") and not walk.get("steps"):
        distance_m = 0.0  # no walking found: nothing was walked (None alone means lengths unknown, not checked)
    if report.onset_distance_m is not None and distance_m is not None:
        limit_m = distance_m + max(ONSET_MARGIN_SHARE * distance_m, ONSET_MARGIN_MIN_M)
        if report.onset_distance_m > limit_m:
            # the limit says why it passes the walk's distance: without it a limit of 65 m on a 15 m walk reads as a
            # mistake, and the walker cannot tell what is accepted
            raise HTTPException(
                422,
                f"the walk {_walk_name(walk)} covered about {format_distance(distance_m)}: pain starting "
                f"{format_distance(report.onset_distance_m)} into it is beyond its end. That distance is an estimate, "
                f"so an onset up to {format_distance(limit_m)} is accepted ({MARGIN_WORDS} beyond it, at least "
                f"{ONSET_MARGIN_MIN_M:.0f} m). Give the distance into this walk at which the pain started, "
                "choose the walk it happened on, or report it without a walk.",
            )
    duration_s = walk.get("duration_s")
    if report.onset_time_s is not None and duration_s is not None:
        limit_s = duration_s + max(ONSET_MARGIN_SHARE * duration_s, ONSET_MARGIN_MIN_S)
        if report.onset_time_s > limit_s:
            raise HTTPException(
                422,
                f"the walk {_walk_name(walk)} lasted {_duration(duration_s)}: pain starting "
                f"{_duration(report.onset_time_s)} into it is beyond its end. A time into a walk is often given "
                f"roughly, so an onset up to {_duration(limit_s)} is accepted ({MARGIN_WORDS} beyond it, at least "
                f"{ONSET_MARGIN_MIN_S:.0f} s). Give the time into this walk at which the pain started, choose "
                "the walk it happened on, or report it without a walk.",
            )


@router.get("", response_model=list[PainPublic], summary="Pain reports, newest first")
def list_pain(store: StoreDep) -> list[dict[str, Any]]:
    """List the pain reports, newest first."""
    return store.list_pain()


def no_offset_words(when: datetime) -> str:
    """Why a pain report's ``reported_at`` without a UTC offset is refused, and how to give it.

    >>> print(no_offset_words(datetime(2026, 11, 20, 9, 30)))  # doctest: +ELLIPSIS
    reported_at, 2026-11-20T09:30:00, has no UTC offset: ...
    """
    return (
        f"reported_at, {when.isoformat()}, has no UTC offset: it cannot be told which time zone it is in. Give it as "
        "ISO 8601 with its offset, e.g. 2026-11-20T09:30+01:00, or in UTC with Z (the dashboard's Pain page sends "
        "it so), or leave it out to date the report at the end of its walk (or now)"
    )


@router.post(
    "",
    response_model=PainSaved,
    status_code=201,
    summary="Report back pain",
    description="Without `reported_at` the report is dated at the end of the walk named by `walk_id` (its start "
    "plus its duration), or now when no walk is named. An onset beyond the named walk's distance or duration (by "
    "more than 10 %, at least 50 m or 60 s) is refused (422): it did not happen on that walk; so is a "
    "`reported_at` before the named walk's start or without its UTC offset, an onset on a report of score 0 "
    "(no pain), and a report of score 0 "
    "for a walk that has a report of pain (or of pain for a walk reported as 0/10). Several reports of pain for one "
    "walk are kept; the coach counts the walk once, with its earliest onset. A report older "
    "than the coaching's pain lookback (90 days) is stored, and `too_old_to_plan` says that its point of pain gives "
    "no walk-length recommendation.",
)
def add_pain(report: PainCreate, store: StoreDep) -> dict[str, Any]:
    """Store a pain report, checking an onset against the walk it names."""
    if report.reported_at is not None and report.reported_at.tzinfo is None:
        # read as UTC it would be hours off for most walkers, and could land before its walk or on another day
        raise HTTPException(422, no_offset_words(report.reported_at))
    if report.score == 0 and (report.onset_distance_m is not None or report.onset_time_s is not None):
        # the coach never learns a point of pain from a report of no pain: stored, the onset would sit in the history
        # as if it counted
        raise HTTPException(422, NO_PAIN_ONSET)
    if is_onset_from_start(report.onset_distance_m, report.onset_time_s):
        raise HTTPException(
            422,
            f"an onset under {MIN_ONSET_DISTANCE_M:.0f} m or {MIN_ONSET_TIME_S:.0f} s into the walk means the pain was "
            "there from the very start of the walk: that is no point into a walk that "
            "a shorter walk could end before. Leave the distance and time into the walk empty (the report still "
            "counts as pain). Back pain that is there as soon as you start walking is worth discussing with a doctor "
            "or physiotherapist.",
        )
    walk = None
    if report.walk_id is not None:
        walk = store.get_walk(report.walk_id)
        if walk is None:
            raise HTTPException(422, f"no walk with id {report.walk_id}: leave walk_id empty or pick a listed walk")
        if walk["demo"]:
            raise HTTPException(
                422,
                f"walk {report.walk_id} is a sample or demo walk, not one of yours: report the pain without a walk "
                "or for a walk you made",
            )
        check_onset_on_walk(report, walk)
        check_no_contradiction(report, walk, store.list_pain())
    now = datetime.now(UTC)
    # pain reported for a walk happened on that walk: dated at its end unless the walker says when
    when = aware_utc(report.reported_at or (min(walk_end(walk), now) if walk is not None else now))
    if when.astimezone(UTC) > datetime.now(UTC) + FUTURE_SLACK:
        raise HTTPException(422, "reported_at is in the future: give the time the pain was felt")
    if walk is not None:
        check_time_on_walk(when, walk)
    row = report.model_dump()
    row["reported_at"] = when.astimezone(UTC).isoformat(timespec="seconds")
    report_id = store.add_pain(row)
    stored = store.get_pain(report_id)
    assert stored is not None
    settings = load_profile(store).coaching.coach_settings()
    as_coached = PainReport(when.timestamp(), report.score, report.onset_distance_m, report.onset_time_s)
    lookback = {"lookback_days": settings.pain_lookback_days, "min_pain_0_10": settings.min_pain_0_10}
    return {**stored, "too_old_to_plan": onset_too_old(as_coached, now_s=now.timestamp(), **lookback)}


@router.delete("/{report_id}", status_code=204, summary="Delete a pain report")
def delete_pain(report_id: int, store: StoreDep) -> Response:
    """Delete one pain report (404 when there is none with this id)."""
    if not store.delete_pain(report_id):
        raise HTTPException(404, f"no pain report with id {report_id}")
    return Response(status_code=204)
