"""Change a stored walk's start (``PATCH /api/walks/{id}``): the date of an upload whose file held none (dated at its
upload), a start typed wrong in the upload form, or a recording whose phone or sensor clock was wrong.

The walk keeps its id, figures, rows, samples and pain reports; from then on it is dated by the walker
(``source["started_at_from"] == "user"``, :data:`service.store.NOT_CLOCK_DATED`: never taken for the same walk as
another by the time it covers, only by its samples or its steps' timing), and its source keeps how it was dated
before (``started_at_changed``). Whatever reads the date follows at once (the walk list, Trends, Home, the plan
shown today). What was stored from the old date is not re-derived: the coaching plan the walk was judged by (the
plan of its old day) and the plans of the walks that counted it, or can count it at its new date, are marked out
of date in the same transaction (:func:`service.reanalysis.date_change_marks`), and "Analyse again" judges them by
the plans of their days as they are now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service import coaching, reanalysis
from service.pipeline import given_end_problem, given_start
from service.reanalysis import SampleFolders
from service.store import StartChange, Store, local_minute, utc_now_iso
from service.uploads import given_words


class WalkDateError(Exception):
    """A walk's start cannot be changed so; ``status`` is the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def date_refusal(walk: dict[str, Any]) -> WalkDateError | None:
    """Why walk ``walk``'s start cannot be changed at all (409), or None when the walker may change it: any of their
    own walks once it has ended, whatever dated it (the upload, the start given then, the recording's clock, this
    computer's clock for a live walk)."""
    if walk["status"] == "live":
        return WalkDateError(
            409, f"walk {walk['id']} is being recorded live: stop it on the Live page first, then change its date"
        )
    if walk["demo"]:
        kind = "a sample recording" if walk["origin"] == "sample" else "a demo walk"
        return WalkDateError(
            409,
            f"walk {walk['id']} is {kind}, somebody else's walking, shown as it was recorded: its date is not yours "
            "to change (it never counts for your coaching)",
        )
    return None


def _pain_refusal(walk: dict[str, Any], pain: list[dict[str, Any]], start: datetime) -> WalkDateError | None:
    """A refusal (422) when a pain report for the walk was felt before the new start (pain during a walk comes after
    it started, as :func:`service.routers.pain.check_time_on_walk` holds when the report is made): the earliest
    such report, with what to do."""
    early = [p for p in pain if coaching.iso_to_unix_s(p["reported_at"]) < start.timestamp()]
    if not early:
        return None
    first = min(early, key=lambda p: (coaching.iso_to_unix_s(p["reported_at"]), p["id"]))
    felt = local_minute(datetime.fromisoformat(first["reported_at"]))
    others = f" (and {len(early) - 1} more)" if len(early) > 1 else ""
    return WalkDateError(
        422,
        f"the pain report of {felt} for this walk (back pain {first['score']}/10){others} was felt before "
        f"{local_minute(start)}, the start given: pain during a walk cannot come before it started. Give a start at "
        f"or before {felt}; if that report's time is wrong, delete it on the Pain page and report it again with the "
        "time the pain was felt. Nothing was changed.",
    )


def change_walk_start(
    store: Store, walk_id: int, text: str, folders: SampleFolders, *, now_s: float | None = None
) -> dict[str, Any]:
    """Give stored walk ``walk_id`` the start ``text`` (ISO 8601 with its UTC offset, checked as the upload form's
    "When did you walk?" is: :func:`service.pipeline.given_start`), in one transaction
    (:meth:`service.store.Store.change_start`), marking out of date the walks whose coaching plan that changes.

    Returns the walk's start before (``started_at_before``), the walks marked (``marked_out_of_date``, oldest first)
    and what was done in words (``message``).

    Raises
    ------
    WalkDateError
        404 no such walk; 409 a walk being recorded live, a sample or demo walk; 422 a start that is no date and
        time with its offset, before 2000 or in the future, one after which the walk would end after now, or one
        after a pain report for the walk. Nothing is changed then.
    """
    try:
        start = given_start(text, now_s=now_s)
    except ValueError as exc:
        raise WalkDateError(422, f"{exc}; nothing was changed") from None
    started_at = start.astimezone(UTC).isoformat(timespec="seconds")
    settings = coaching.load_profile(store).coaching.coach_settings()
    window_days, min_pain = settings.baseline_window_days, settings.min_pain_0_10

    def decide(walk: dict[str, Any], others: list[dict[str, Any]], pain: list[dict[str, Any]]) -> StartChange:
        refusal = date_refusal(walk)
        late = given_end_problem(start, float(walk["duration_s"] or 0.0), now_s=now_s)
        if refusal is None and late:
            refusal = WalkDateError(422, f"{late}: give the time the walk started; nothing was changed")
        refusal = refusal or _pain_refusal(walk, pain, start)
        if refusal is not None:
            raise refusal
        source = dict(walk["source"])
        # the first dating it had stays known (its page says it), however often the walker changes it
        first = source.get("started_at_changed") or {
            "before": walk["started_at"],
            "before_from": source.get("started_at_from"),
        }
        source.update(
            started_at_from="user",
            started_at_given=start.isoformat(),
            started_at_changed={**first, "at": utc_now_iso()},
        )
        free = all(p["score"] < min_pain for p in pain)
        marked = reanalysis.date_change_marks(walk, started_at, others, pain_free=free, window_days=window_days)
        plans = {w["id"]: w["coaching"] for w in (walk, *others)}
        marks = {i: reanalysis.with_date_change(plans[i], walk["id"], walk["started_at"], started_at) for i in marked}
        return StartChange(started_at=started_at, source=source, coaching=marks)

    done = store.change_start(walk_id, started_at, decide, window_days=window_days)
    if done is None:
        raise WalkDateError(404, f"no walk with id {walk_id}: list walks at /api/walks")
    walk, change = done
    marked = list(change.coaching)  # the walk itself first, then the others, oldest first
    words = (
        f'walk {walk_id} "{walk["name"]}" now starts {given_words(start.isoformat())}, as you gave it; its figures '
        f"stay, and {reanalysis.pain_words(store, walk_id)}"
    )
    if marked:
        others = [i for i in marked if i != walk_id]
        parts = ["its coaching was judged by the plan of its old date"] if walk_id in marked else []
        if others:
            judged = "" if parts else "was judged "  # "..., and the coaching of walk 7 by plans ..."
            parts.append(f"the coaching of {reanalysis.walk_ids_words(others)} {judged}by plans its new date changes")
        why = ", and ".join(parts)
        cannot = reanalysis.why_not_each(store, marked, folders)
        words += "; " + reanalysis.marked_words(marked, cannot, why=why, again="with its new date")
    return {
        "walk_id": walk_id,
        "started_at": started_at,
        "started_at_before": walk["started_at"],
        "marked_out_of_date": marked,
        "message": words,
    }
