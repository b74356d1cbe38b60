"""Walks: list, get, delete, analyse again, per-stride rows, and export as CSV or JSON."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import math
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Request, Response

from gait.analysis import Analysis, RidingSpan
from gait.coach import NOT_MEDICAL_ADVICE
from gait.coach.plan import reasons_read_now
from gait.errors import GaitError
from gait.numbers import round_half_away
from gait.types import BoutEvent, Placement, StepEvent
from ingest.errors import IngestError
from service import calibration, reanalysis, walkdate
from service.coaching import PainLedger, deleted_pain_basis, load_profile, plan_time_words
from service.deps import HubDep, SettingsDep, StoreDep
from service.livehub import LiveHub, end_words, stride_event
from service.models import (
    CalibrationRequest,
    CalibrationResult,
    Problem,
    ReanalyseRequest,
    ReanalysisBatch,
    ReanalysisOverview,
    ReanalysisResult,
    StrideColumns,
    StridePublic,
    WalkDateChange,
    WalkDateChanged,
    WalkDeleted,
    WalkDetail,
    WalkPublic,
    WalkSummary,
)
from service.pipeline import EARLIEST_START_EPOCH_S, recording_start_epoch_s, time_origin
from service.recordings import delete_walk as delete_stored_walk
from service.settings import Settings
from service.store import NOT_CLOCK_DATED, STRIDE_COLUMNS, SUMMARY_COLUMNS, Store, recorded_live
from service.uploads import dashboard_wording, date_note

router = APIRouter(prefix="/api/walks", tags=["walks"])


def walk_public(walk: dict[str, Any], hub: LiveHub | None = None) -> dict[str, Any]:
    """Store row -> :class:`WalkPublic` fields (summary figures nested).

    With ``hub``, the walk being recorded live shows its distance, cadence and stride length so far, the figures
    its live page shows (its summary is written when it ends).
    """
    summary = {k: walk.get(k) for k in SUMMARY_COLUMNS}
    summary["flagged_strides"] = walk.get("flagged_strides") or 0
    if hub is not None and walk.get("status") == "live":
        for key, value in (hub.summary_so_far(walk["id"]) or {}).items():
            if summary[key] is None:
                summary[key] = value
    out = {k: v for k, v in walk.items() if k not in SUMMARY_COLUMNS and k != "flagged_strides"}
    out["summary"] = WalkSummary(**summary)
    if "notes" in out:
        out["notes"] = [dashboard_wording(n) for n in out["notes"]]
    if recorded_live(walk):
        out["ended"] = end_words(walk.get("source") or {})
    return out


def walk_with_date_note(walk: dict[str, Any], hub: LiveHub | None = None) -> dict[str, Any]:
    """:func:`walk_public` with the note on where its date comes from (:func:`service.uploads.date_note`) last in
    its notes: what an upload answers and a walk's page shows (an export keeps the analysis' notes alone)."""
    out = walk_public(walk, hub)
    note = date_note(walk)
    if note:
        out["notes"] = [*out.get("notes", []), note]
    return out


def gps_bout_stride_lengths(source: dict[str, Any]) -> dict[int, float]:
    """Bout index -> the GPS-based stride length stored with a walk (``gps_bout_stride_length_m`` of its source)."""
    return {int(i): float(v) for i, v in (source.get("gps_bout_stride_length_m") or {}).items()}


def riding_spans(source: dict[str, Any]) -> list[RidingSpan]:
    """The spans GPS showed in a vehicle, stored with a walk (``gps_riding`` of its source), their steps left out."""
    return [RidingSpan(**span) for span in source.get("gps_riding") or []]


def _walk_or_404(store: Store, walk_id: int) -> dict[str, Any]:
    walk = store.get_walk(walk_id)
    if walk is None:
        raise HTTPException(404, f"no walk with id {walk_id}: list walks at /api/walks")
    return walk


def time_origin_s(walk: dict[str, Any], bouts: list[dict[str, Any]]) -> float:
    """The walk's start on its rows' time axis (the recording's own): its first sample.

    Walks stored before the first sample was kept have none: a live walk's clock and most files start at 0, but a
    file whose times are Unix seconds then starts at its first walking bout (the closest start known).

    Examples
    --------
    >>> time_origin_s({"source": {"first_sample_s": 1795599000.0}}, [])
    1795599000.0
    >>> time_origin_s({"source": {}}, [{"start_s": 12.5}])
    0.0
    >>> time_origin_s({"source": {}}, [{"start_s": 1795599012.5}])
    1795599012.5
    """
    first = walk["source"].get("first_sample_s")
    if isinstance(first, int | float) and math.isfinite(first):
        return float(first)
    if bouts and bouts[0]["start_s"] >= EARLIEST_START_EPOCH_S:
        return float(bouts[0]["start_s"])
    return 0.0


@router.get("", response_model=list[WalkPublic], summary="List walks, newest first")
def list_walks(
    store: StoreDep,
    hub: HubDep,
    response: Response,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    demo: bool | None = Query(
        None, description="false: the walker's own walks only; true: sample and demo walks only; unset: all"
    ),
) -> list[dict[str, Any]]:
    """List the stored walks, newest first (a walk being recorded live with its distance so far).

    The ``X-Total-Count`` header gives how many walks there are in all (with the same ``demo``), so that a client
    showing a page of them can say "the latest 100 of 620" and fetch the older ones with ``offset``.
    """
    response.headers["X-Total-Count"] = str(store.count_walks(demo=demo))
    return [walk_public(w, hub) for w in store.list_walks(limit=limit, offset=offset, demo=demo)]


def sample_folders(settings: Settings) -> reanalysis.SampleFolders:
    """Where the service keeps walks' samples."""
    return reanalysis.SampleFolders.of(settings)


@router.get(
    "/reanalysis",
    response_model=ReanalysisOverview,
    summary="How many walks could be analysed again, and how many are out of date",
)
def reanalysis_overview(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """How many walks can be analysed again, and how many were analysed by an older version or profile."""
    return reanalysis.overview(store, sample_folders(settings))


@router.post(
    "/reanalyse",
    response_model=ReanalysisBatch,
    summary="Analyse again every out-of-date walk whose samples are kept (oldest first), reporting each",
)
async def reanalyse_all(request: Request, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Analyse every out-of-date walk again; one walk's failure is reported and the others go on."""
    async with request.app.state.analysis_slots:
        results = await asyncio.to_thread(reanalysis.reanalyse_out_of_date, store, sample_folders(settings))
    ok = sum(r["ok"] for r in results)
    return {"reanalysed": ok, "failed": len(results) - ok, "results": results}


def walk_problems(*, conflict: str, invalid: str) -> dict[int | str, dict[str, Any]]:
    """The documented refusals of an action on one walk: 404 (no such walk), 409 ``conflict``, 422 ``invalid``."""
    return {
        404: {"model": Problem, "description": "No walk with this id."},
        409: {"model": Problem, "description": conflict},
        422: {"model": Problem, "description": invalid},
    }


@router.post(
    "/{walk_id}/reanalyse",
    response_model=ReanalysisResult,
    responses=walk_problems(
        conflict="The walk's samples were not kept (uploaded before they were, an Apple Health summary, a live demo), "
        "it is being recorded live, or another placement was asked of a sample walk.",
        invalid="The kept samples can no longer be analysed; the old analysis stays.",
    ),
    summary="Analyse a walk again from its kept samples with this version and the current profile",
)
async def reanalyse_one(
    walk_id: int,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    body: ReanalyseRequest | None = None,
) -> dict[str, Any]:
    """Analyse one walk again from its kept samples with this version and the current profile; with a
    ``placement``, as a walk with the sensor worn there (a placement corrected in place: the walk keeps its id and
    pain reports, and is judged by the coaching plan of its day with that placement's baseline)."""
    placement = body.placement if body else None
    try:
        async with request.app.state.analysis_slots:
            return await asyncio.to_thread(
                functools.partial(reanalysis.reanalyse_walk, placement=placement),
                store,
                walk_id,
                sample_folders(settings),
            )
    except reanalysis.ReanalysisError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except (IngestError, GaitError) as exc:
        message = f"walk {walk_id} could not be analysed again ({exc}); its analysis is unchanged"
        raise HTTPException(422, message) from None


@router.post(
    "/{walk_id}/calibrate",
    response_model=CalibrationResult,
    responses=walk_problems(
        conflict="The walk cannot calibrate: a sample or demo walk, an Apple Health summary, a foot pod's walk, no "
        "distance from stride lengths, a placement without a length model, figures out of date, or being recorded "
        "live.",
        invalid="The distance is not a positive number, or the factor is implausible; nothing is saved.",
    ),
    summary="Fit the stride-length factor of the walk's placement from the distance it really was, and save it",
)
def calibrate(walk_id: int, body: CalibrationRequest, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Fit the walker's personal stride-length factor from the distance a stored walk really was (as
    ``gait calibrate --distance-m``, without analysing it again) and save it to the profile, unless ``dry_run``.
    Walks analysed with the earlier factor are then out of date: ``POST /api/walks/reanalyse`` analyses them again."""
    try:
        result = calibration.calibrate_walk(store, walk_id, body.distance_m, dry_run=body.dry_run)
    except reanalysis.ReanalysisError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except GaitError as exc:
        raise HTTPException(422, str(exc)) from None
    if result["saved"]:
        result["out_of_date"] = reanalysis.overview(store, sample_folders(settings))["out_of_date"]
    return result


@router.get("/{walk_id}", response_model=WalkDetail, summary="One walk with its summary, bouts, cues and pain")
def get_walk(walk_id: int, store: StoreDep, settings: SettingsDep, hub: HubDep) -> dict[str, Any]:
    """One walk with its summary, bouts, cues, pain reports and coaching."""
    stored = _walk_or_404(store, walk_id)
    walk = walk_with_date_note(stored, hub)
    profile = load_profile(store)
    pain = PainLedger.load(store)
    walk["reanalysis"] = reanalysis.walk_status(stored, profile, sample_folders(settings), pain=pain)
    walk["calibration"] = calibration.calibration_status(stored, profile)
    walk["bouts"] = store.bouts(walk_id)
    walk["time_origin_s"] = time_origin_s(walk, walk["bouts"])
    walk["cues"] = store.cues(walk_id)
    walk["riding"] = [span._asdict() for span in riding_spans(stored["source"])]
    gps = list(gps_bout_stride_lengths(stored["source"]).values())
    # the median over the bouts long enough for one, as the summary of `gait analyze --json` gives it
    walk["gps_stride_length_m"] = float(np.median(gps)) if gps else None
    walk["pain_reports"] = [p for p in pain.reports if p["walk_id"] == walk_id]
    # what deleting it would mark out of date, for the Delete question
    walk["rested_on_by"] = reanalysis.resting_on(store, walk_id, pain)
    walk["can_change_date"] = walkdate.date_refusal(stored) is None
    if walk["coaching"]:
        # the plan stays as it was (the walk's history), but it must not pass off a deleted report as current, nor
        # hide one added since that the plan of its day counts
        changes = reanalysis.pain_changes(stored, pain, profile)
        walk["coaching"]["deleted_pain_reports"] = deleted_pain_basis(walk["coaching"], pain.reports)
        walk["coaching"]["added_pain_reports"] = changes["added"]
        walk["coaching"]["deleted_walks"] = changes["deleted_walks"]
        if walk["coaching"].get("reasons"):
            # the opt-in of then stays, but "switch it on" must not be asked of a walker who has
            walk["coaching"]["reasons"] = reasons_read_now(
                walk["coaching"]["reasons"], enabled_now=profile.coaching.enabled, before=plan_time_words(stored)
            )
    walk["not_medical_advice"] = NOT_MEDICAL_ADVICE
    return walk


@router.get(
    "/{walk_id}/strides",
    response_model=list[StridePublic] | StrideColumns,
    summary="Per-stride rows of a walk",
    description='`layout=columns` returns the same data as one array per field (`{"idx": [...], ...}`), the compact '
    "form the dashboard charts use.",
)
def get_strides(walk_id: int, store: StoreDep, layout: Literal["rows", "columns"] = "rows") -> Response:
    """A walk's strides, as rows or as columns (the form the dashboard charts use)."""
    _walk_or_404(store, walk_id)
    if layout == "columns":
        columns = store.stride_columns(walk_id)
        columns["overlong"] = [None if v is None else bool(v) for v in columns["overlong"]]
        return Response(json.dumps(columns, allow_nan=False), media_type="application/json")
    rows = store.strides(walk_id)
    for r in rows:
        r["overlong"] = None if r["overlong"] is None else bool(r["overlong"])
    # The rows come straight from our own typed schema; validating thousands of them again through pydantic
    # would triple the time of a walk page, so they are encoded directly (the schema above documents them).
    return Response(json.dumps(rows, allow_nan=False), media_type="application/json")


LIVE_WALK_NOT_DELETED = (
    "walk {walk_id} is being recorded live: stop the live walk first, on the Live page, then delete it"
)


def deleted_words(walk_id: int, marked: list[int], cannot: dict[int, str] | None = None) -> str:
    """What deleting walk ``walk_id`` did, with the later walks it marked out of date (:class:`WalkDeleted`);
    ``cannot``: why those of them that cannot be analysed again cannot, with what to do instead
    (:func:`service.reanalysis.why_not_each`), said in place of "Analyse again".

    Examples
    --------
    >>> deleted_words(3, [])
    'walk 3 deleted'
    >>> print(deleted_words(3, [5]))  # doctest: +NORMALIZE_WHITESPACE
    walk 3 deleted; the coaching of 1 later walk (walk 5) rested on it: it is marked out of date, to analyse again
    without it ("Analyse again" on its page, or "Analyse all again" on your profile page)
    >>> print(deleted_words(3, [5, 7], {7: "walk 7 was uploaded before samples were kept: upload its file again"}))
    ... # doctest: +NORMALIZE_WHITESPACE
    walk 3 deleted; the coaching of 2 later walks (walks 5, 7) rested on it: they are marked out of date, to analyse
    again without it ("Analyse again" on the page of walk 5, or "Analyse all again" on your profile page); walk 7
    was uploaded before samples were kept: upload its file again
    """
    if not marked:
        return f"walk {walk_id} deleted"
    one = len(marked) == 1
    which = reanalysis.walk_ids_words(marked)
    why = f"the coaching of {len(marked)} later walk{'' if one else 's'} ({which}) rested on it"
    return f"walk {walk_id} deleted; " + reanalysis.marked_words(marked, cannot or {}, why=why, again="without it")


@router.delete(
    "/{walk_id}",
    response_model=WalkDeleted,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Delete a walk, all its rows and its kept samples",
)
def delete_walk(walk_id: int, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Delete a walk with all its rows and its kept samples (404 when there is none, 409 while it is live: its
    session is still writing to it). The later walks whose coaching plan rested on it are then out of date (their
    plans keep its id): the answer names them."""
    walk = store.get_walk(walk_id)
    if walk is not None and walk["status"] == "live":
        raise HTTPException(409, LIVE_WALK_NOT_DELETED.format(walk_id=walk_id))
    if not delete_stored_walk(store, walk_id, recordings_dir=settings.recordings_dir, journal_dir=settings.journal_dir):
        raise HTTPException(404, f"no walk with id {walk_id}")
    marked = reanalysis.resting_on(store, walk_id)
    cannot = reanalysis.why_not_each(store, marked, sample_folders(settings))
    return {"walk_id": walk_id, "marked_out_of_date": marked, "message": deleted_words(walk_id, marked, cannot)}


@router.patch(
    "/{walk_id}",
    response_model=WalkDateChanged,
    responses=walk_problems(
        conflict="The walk is being recorded live, or is a sample or demo walk (somebody else's walking).",
        invalid="The start is not a date and time with its UTC offset, is before 2000 or in the future, would have "
        "the walk end after now, or comes after a pain report made for the walk. Nothing is changed.",
    ),
    summary="Change a walk's start (its date), keeping its id, figures and pain reports",
)
def change_date(walk_id: int, body: WalkDateChange, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Give a stored walk the start the walker gives (a file without a start time, dated at its upload; a start
    typed wrong; a phone or sensor with a wrong clock): it keeps its id, figures, samples and pain reports, is
    listed and counted in Trends at its new date, and is dated by the walker from then on (its page says so). The
    coaching stored from its old date is not re-derived: the walk itself and the walks whose coaching plan its new
    date changes are marked out of date (the answer names them), and "Analyse again" judges them by the plans of
    their days as they are now."""
    try:
        return walkdate.change_walk_start(store, walk_id, body.started_at, sample_folders(settings))
    except walkdate.WalkDateError as exc:
        raise HTTPException(exc.status, str(exc)) from None


@router.get(
    "/{walk_id}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per stride."}},
    summary="Export a walk's strides as CSV",
)
def export_csv(walk_id: int, store: StoreDep) -> Response:
    """A walk's strides as a CSV file."""
    walk = _walk_or_404(store, walk_id)
    # one snapshot: the strides read twice (rows and document) must be the same ones while a live walk adds strides
    with store.snapshot() as view:
        text = strides_csv(view, walk, walk_document(view, walk))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="walk-{walk["id"]}-strides.csv"'},
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a text cell starts that a spreadsheet would run as a formula (OWASP, CSV injection): a walk's name or a pain
note of the walker's typing ("=1+2", "-2 after the stairs") is written with a single quote before it."""


def spreadsheet_cell(value: Any) -> Any:
    """A value as a CSV cell of the exports: empty for None, text a spreadsheet would run as a formula prefixed
    with a single quote (it then shows the text as typed), numbers as they are (a negative number stays a number).

    Examples
    --------
    >>> [spreadsheet_cell(v) for v in ("=HYPERLINK(1)", "-2 after the stairs", "@SUM(A1)", "walk 1", -0.5, None)]
    ["'=HYPERLINK(1)", "'-2 after the stairs", "'@SUM(A1)", 'walk 1', -0.5, '']
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def strides_csv(store: Store, walk: dict[str, Any], document: dict[str, Any]) -> str:
    """A walk's strides as CSV text, one row per stride (columns :data:`service.store.STRIDE_COLUMNS`): the figures
    of its ``document`` (:func:`walk_document`), so the CSV and JSON exports say the same; the flag as stored."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(STRIDE_COLUMNS)
    # The figures of the JSON document (times and the target to the millimetre, not 3.5300000000000002 or
    # 1.2005000000000001), so both exports say the same; the flag as stored (1, 0 or empty).
    for row, figures in zip(store.strides(walk["id"]), document["strides"], strict=True):
        cells = {**row, **{c: figures[c] for c in STRIDE_COLUMNS if c != "overlong"}}
        writer.writerow([spreadsheet_cell(cells[c]) for c in STRIDE_COLUMNS])
    return buf.getvalue()


def walk_document(store: Store, walk: dict[str, Any]) -> dict[str, Any]:
    """A stored walk as the ``gait analyze --json`` document (the same function writes it: the same keys, the same
    rounding), its strides judged as they were when stored, plus the walk's own fields.

    Added to the document: ``walk`` (the walk's fields), ``cues``, each stride's ``idx`` and coaching ``target_m``
    (to the millimetre), and the summary's ``flagged_strides``. The summary's figures are the stored ones (an
    Apple Health walk has steps but no stride rows); ``target_stride_m`` is null: a coached walk's target follows
    its cadence, so each stride carries its own.
    """
    walk_id = walk["id"]
    public = walk_public(walk)
    strides = store.strides(walk_id)
    events = [stride_event(s) for s in strides]
    analysis = Analysis(
        steps=[StepEvent(s["t_s"], s["side"]) for s in store.steps(walk_id)],
        strides=events,
        duration_s=walk["duration_s"] or 0.0,
        placement=Placement.parse(walk["placement"]) if walk["placement"] else None,
        reason=walk["reason"],
        notes=list(public["notes"]),
        gps_stride_length_m=gps_bout_stride_lengths(walk["source"]),
        riding=riding_spans(walk["source"]),
    )
    one_foot = analysis.one_foot
    analysis.bouts = [BoutEvent(b["start_s"], b["end_s"], b["steps"], one_foot) for b in store.bouts(walk_id)]
    flags = [None if s["overlong"] is None else bool(s["overlong"]) for s in strides]
    coached = any(s["target_m"] is not None for s in strides)
    doc = analysis.to_dict(overlong=flags if coached else None)
    for row, stride in zip(doc["strides"], strides, strict=True):
        row["idx"] = stride["idx"]
        row["target_m"] = None if stride["target_m"] is None else round_half_away(stride["target_m"], 3)
    doc["summary"].update(public["summary"].model_dump())
    # a walk dated by the walker (a start given at its upload, or changed on its page: a recording clock they said
    # was wrong) dates no sample to a clock
    by_walker = walk["source"].get("started_at_from") in NOT_CLOCK_DATED
    clock_s = None if by_walker else recording_start_epoch_s(walk["source"])
    doc["time_origin"] = time_origin(clock_s, walk["source"].get("first_sample_s"))
    return {
        "walk": {k: v for k, v in public.items() if k != "summary"},
        **doc,
        "cues": store.cues(walk_id),
    }


@router.get("/{walk_id}/export.json", summary="Export a walk as JSON (the `gait analyze --json` document + walk)")
def export_json(walk_id: int, store: StoreDep, response: Response) -> dict[str, Any]:
    """A walk as JSON: the `gait analyze --json` document (the same keys and rounding) plus the walk's own fields,
    its cues, each stride's index and coaching target, and the clock time of its times' origin."""
    walk = _walk_or_404(store, walk_id)
    response.headers["content-disposition"] = f'attachment; filename="walk-{walk_id}.json"'
    return walk_document(store, walk)
