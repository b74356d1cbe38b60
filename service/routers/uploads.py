"""Upload a recording: stored as a walk once analysed, with progress readable while it runs."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile

from gait.errors import GaitError
from gait.types import Placement
from ingest.errors import IngestError
from service.deps import SettingsDep, StoreDep, UploadsDep
from service.models import Problem, UploadResult, UploadStatus
from service.pipeline import given_start, process_file
from service.reanalysis import UnkeptReplacer
from service.routers.walks import walk_with_date_note
from service.settings import disk_full_message, is_disk_full, upload_limit_message
from service.store import DuplicateRecordingError, OverlappingWalkError, SameWalkError, local_minute
from service.uploads import dashboard_wording, display_filename, safe_filename, walk_name

router = APIRouter(prefix="/api/uploads", tags=["uploads"])

COPY_BLOCK_BYTES = 1024 * 1024
STAGE_SPANS = {"reading": (0.3, 0.5), "analysing": (0.5, 0.9), "storing": (0.9, 1.0)}
"""Share of the whole upload's progress each stage of the service covers, from and to. The file's transfer (the
browser measures it) is the first 0.3: on a phone over Wi-Fi it takes longer than the analysis."""


def stage_progress(stage: str, frac: float) -> float:
    """The whole upload's progress ``frac`` of the way through ``stage`` (:data:`STAGE_SPANS`).

    Examples
    --------
    >>> stage_progress("reading", 0.0), stage_progress("analysing", 0.5), stage_progress("storing", 1.0)
    (0.3, 0.7, 1.0)
    """
    start, end = STAGE_SPANS[stage]
    return start + (end - start) * min(max(frac, 0.0), 1.0)


UPLOAD_WORDING = {
    "placement_missing": 'the file does not say where the sensor was worn: choose it under "Where was the sensor '
    'worn?" (or set your usual placement in your profile) and upload again',
}
"""What an upload's refusal says, by the error's reason, where the core's own words fit the command line only."""


def _minute(iso: object) -> str:
    """An ISO time as a refusal shows it, to the minute in this computer's local time, as the walk list shows it
    ("2026-11-27 02:33 PST"; a time in UTC would read as hours off)."""
    return local_minute(datetime.fromisoformat(str(iso)))


def _stored_walk(existing: dict[str, Any]) -> str:
    """How a refusal names a stored walk: its id, name and date: when recorded (or as the walker gave it, at its
    upload or on its page), or, for a file without a start time, when it was stored (its ``started_at`` is then that
    moment less its duration, no time the user saw)."""
    try:
        source = json.loads(existing.get("source_json") or "{}")
    except ValueError:
        source = {}
    dated_from = source.get("started_at_from")
    if dated_from == "user":
        where = "on its page" if source.get("started_at_changed") else "at its upload"
        dated = f"walked {_minute(existing['started_at'])}, as given {where}"
    elif dated_from != "import":
        dated = f"recorded {_minute(existing['started_at'])}"
    else:
        stored = _minute(existing.get("created_at") or existing["started_at"])
        dated = f"imported with the samples {stored}" if existing["origin"] == "sample" else f"uploaded {stored}"
    return f'walk {existing["id"]} "{existing["name"]}" ({dated})'


OTHER_PLACEMENT_WORDS = (
    'if the sensor was worn elsewhere, choose its placement there ("analyse as another placement"): the walk keeps '
    "its id and pain reports"
)
"""How a refusal says to correct a stored walk's placement: "Analyse again" takes another one
(:func:`service.reanalysis.reanalyse_walk`); deleting the walk would unlink its pain reports for good."""


def duplicate_message(filename: str, existing: dict[str, Any]) -> str:
    """What a refused duplicate upload says: which stored walk holds this recording, from when, and what to do."""
    walk = _stored_walk(existing)
    if existing["demo"]:
        return (
            f"{filename}: this is the sample recording already shown as {walk}: somebody else's walk, labelled "
            "sample, never counted for your coaching. Nothing was stored; open that walk to see its analysis."
        )
    if existing.get("format") == "apple_health":
        # Health's own summaries: no samples, nothing to analyse again
        return (
            f"{filename}: the walks of this Apple Health export are already stored (the first is {walk}); nothing "
            "was stored, so they are not counted twice. A later export adds only the walks recorded since."
        )
    return (
        f"{filename}: this recording is already stored as {walk}; nothing was stored, so it is not counted twice. "
        f'To analyse it again (for example after setting your body height), use "Analyse again" on walk '
        f"{existing['id']}; {OTHER_PLACEMENT_WORDS}."
    )


def same_walk_message(
    filename: str, existing: dict[str, Any], matched_steps: int, tolerance_s: float, part: str = ""
) -> str:
    """What a refused upload says when its steps fall at the same moments as a stored walk's: the same walk in
    another file (another format, time origin or unit), a part of it (``part="part"``) or a whole walk of which the
    stored walk is a part (``part="holds"``); which walk, and what to do."""
    within = f"(within {tolerance_s * 1000:.0f} ms)"
    if existing["demo"]:
        return _sample_part_message(filename, existing, matched_steps, within, part)
    if part == "part":
        return (
            f"{filename}: this is a part of {_stored_walk(existing)}: {matched_steps} of this file's steps fall at "
            f"the same moments as steps of that walk {within}, as a cut-short export or a half of the same recording "
            "does. Nothing was stored, so that walking is not counted twice. To keep this file's analysis instead, "
            f"delete walk {existing['id']} first, then upload it again."
        )
    if part == "holds":
        return (
            f"{filename}: this recording holds {_stored_walk(existing)}: {matched_steps} of that walk's steps fall "
            f"at the same moments as steps of this file {within}; the stored walk is a part of this one (a "
            "cut-short export or a half of it). Nothing was stored, so that walking is not counted twice. To keep "
            f"the whole walk, delete the stored part, walk {existing['id']}, first, then upload this file again."
        )
    return (
        f"{filename}: this is the same walk as {_stored_walk(existing)}: {matched_steps} of its steps fall at the "
        f"same moments {within}, as the same walk saved in another format does (a "
        "sensor's or phone app's export and a gait CSV made of it, other units or another time origin). Nothing "
        f'was stored, so it is not counted twice. To analyse it again, use "Analyse again" on walk {existing["id"]}; '
        f"{OTHER_PLACEMENT_WORDS}. To keep this file's analysis instead, delete walk {existing['id']} first (its "
        "pain reports are then no longer linked to a walk), then upload it again."
    )


def _sample_part_message(filename: str, existing: dict[str, Any], matched_steps: int, within: str, part: str) -> str:
    """What a refused upload says when its steps fall at a sample walk's: the sample itself (as a duplicate), a
    part of it, or a longer recording holding it; a sample is somebody else's walk, never the user's to keep."""
    walk = f"the sample {_stored_walk(existing)}"
    if part == "part":
        return (
            f"{filename}: this is a part of {walk}: {matched_steps} of this file's steps fall at the same moments as "
            f"steps of that sample {within}, as a cut-short copy of it does. A sample is somebody else's walk, "
            "labelled sample and never counted for your coaching; nothing was stored. Open that walk to see its "
            "analysis, or upload a recording of your own walk."
        )
    if part == "holds":
        return (
            f"{filename}: this recording holds {walk}: {matched_steps} of that sample's steps fall at the same "
            f"moments as steps of this file {within}, so part of this file is somebody else's walk (the sample "
            "recording, perhaps joined to other walking). Nothing was stored, so that walking is not counted as "
            "yours. Upload a recording of your own walk without the sample in it."
        )
    return duplicate_message(filename, existing)


def overlap_message(filename: str, existing: dict[str, Any], overlap_s: float) -> str:
    """What a refused upload says when it covers the same time as a stored walk: which walk, how much, what to do."""
    when = _minute(existing["started_at"])
    kind = "live walk" if existing["origin"] == "live" else "walk"
    return (
        f'{filename}: this recording covers the same time as {kind} {existing["id"]} "{existing["name"]}" '
        f"(recorded {when}, {existing['duration_s']:.0f} s long; {overlap_s:.0f} s in common): it is the same walk, "
        "a part of that recording or another sensor's record of it, and would be counted twice. Nothing was "
        f"stored. To keep this recording instead, delete walk {existing['id']} first, then upload it again."
    )


def refusal_message(filename: str, exc: DuplicateRecordingError) -> str:
    """What a refused upload says when its walk is already stored: the same samples, time or steps."""
    if isinstance(exc, SameWalkError):
        return same_walk_message(filename, exc.existing, exc.matched_steps, exc.tolerance_s, exc.part)
    if isinstance(exc, OverlappingWalkError):
        return overlap_message(filename, exc.existing, exc.overlap_s)
    return duplicate_message(filename, exc.existing)


def _copy_limited(src: Any, dest: Path, limit_bytes: int) -> int:
    """Copy an upload to ``dest``; raises HTTPException(413) past ``limit_bytes``. Returns the size."""
    size = 0
    with dest.open("wb") as out:
        while block := src.read(COPY_BLOCK_BYTES):
            size += len(block)
            if size > limit_bytes:
                raise HTTPException(413, upload_limit_message(limit_bytes))
            out.write(block)
    return size


@router.post(
    "",
    status_code=201,
    response_model=UploadResult,
    responses={
        409: {
            "model": Problem,
            "description": "An upload with this upload_id is still running, or the same recording (the same decoded "
            "samples, however the file was re-saved), the same walk (its steps at the same moments: another "
            "format, time origin or unit; a part of a stored walk, or a whole holding one) or a recording of the "
            "same time is already stored as a walk: the message "
            "names that walk. (The same recording, whole walk or time as a walk uploaded before samples were kept, "
            "and no other walk's, replaces that walk's analysis instead: 201 with `replaced`.)",
        },
        413: {"model": Problem, "description": "The file is larger than the upload limit."},
        422: {"model": Problem, "description": "The file is not a recording we can read, or holds no usable data."},
    },
    summary="Upload a recording (any supported format); returns the stored walk(s)",
)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="A recording: gait CSV, phone sensor-app export, zip...")],
    store: StoreDep,
    settings: SettingsDep,
    uploads: UploadsDep,
    upload_id: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Client-chosen id to poll /api/uploads/{upload_id}"),
    ] = None,
    placement: Annotated[
        Placement | None,
        Form(
            description="Where the sensor was worn (used also over a location the file names); default: the "
            "file's own (a GENEActiv header's location), else the profile's placement; needed when neither says."
        ),
    ] = None,
    side: Annotated[
        Literal["left", "right"] | None, Form(description="The shoe a foot sensor was on (foot placement only)")
    ] = None,
    name: Annotated[str | None, Form(max_length=200)] = None,
    fmt: Annotated[str | None, Form(alias="format", description="Force a reader; default: detected")] = None,
    started_at: Annotated[
        str | None,
        Form(
            max_length=64,
            description="When the walk started, ISO 8601 with its UTC offset (2026-11-20T09:30+01:00): the walk's "
            "date when the file holds no start time (an Oxford or phyphox per-sensor file, a gait CSV from 0 s; "
            "without it such a walk is dated to end at its upload). A file's own start time wins; the walk's notes "
            "then say this one was not used. From 2000 on, at most a minute ahead of now.",
        ),
    ] = None,
) -> dict[str, Any]:
    """Nothing is stored unless the whole file was read and analysed: the walk and all its rows go in one
    transaction. A file of a walk uploaded before samples were kept replaces that walk's analysis in place
    (``replaced``: :class:`service.reanalysis.UnkeptReplacer`)."""
    upload_id = upload_id or uuid.uuid4().hex
    filename = display_filename(file.filename)  # what the user named it: the walk's name, the messages' words
    try:
        given = given_start(started_at) if started_at else None
    except ValueError as exc:
        raise HTTPException(422, f"{filename}: {exc}; nothing was stored") from None
    if not uploads.begin(upload_id, filename):
        raise HTTPException(409, f"upload {upload_id} is still running: wait for it or use another upload_id")
    spool = settings.spool_dir / upload_id
    replacer = UnkeptReplacer(store, settings.recordings_dir, sensor_side=side, placement=placement)
    try:
        spool.mkdir(parents=True, exist_ok=True)
        spool_file = spool / safe_filename(file.filename)
        size = await asyncio.to_thread(_copy_limited, file.file, spool_file, settings.max_upload_bytes)
        if size == 0:
            raise HTTPException(422, f"{filename}: the file is empty; upload a recording")
        async with request.app.state.analysis_slots:
            walk_ids = await asyncio.to_thread(
                process_file,
                spool_file,
                store=store,
                name=name or walk_name(filename),
                origin="upload",
                fmt=fmt,
                placement=placement,
                sensor_side=side,
                keep_samples_in=settings.recordings_dir,
                given_start=given,
                progress=lambda stage, frac: uploads.update(upload_id, stage, stage_progress(stage, frac)),
                on_refused=replacer,
            )
    except DuplicateRecordingError as exc:
        message = refusal_message(filename, exc)
        uploads.update(upload_id, "failed", 1.0, error=message)
        raise HTTPException(409, message) from None
    except (IngestError, GaitError) as exc:
        message = UPLOAD_WORDING.get(exc.reason) or dashboard_wording(str(exc))
        uploads.update(upload_id, "failed", 1.0, error=message)
        raise HTTPException(422, message) from None
    except HTTPException as exc:
        uploads.update(upload_id, "failed", 1.0, error=str(exc.detail))
        raise
    except BaseException as exc:
        if is_disk_full(exc):
            message = f"{filename}: {disk_full_message(settings.data_dir)}"
            uploads.update(upload_id, "failed", 1.0, error=message)
            raise HTTPException(507, message) from None
        uploads.update(upload_id, "failed", 1.0, error=f"internal error: {type(exc).__name__}")
        raise
    finally:
        await file.close()
        await asyncio.to_thread(shutil.rmtree, spool, True)
    uploads.update(upload_id, "done", 1.0, walk_id=walk_ids[0])
    stored = [await asyncio.to_thread(store.get_walk, walk_id) for walk_id in walk_ids]
    return {
        "upload_id": upload_id,
        "walks": [walk_with_date_note(w) for w in stored if w is not None],
        "replaced": replacer.replaced,
    }


@router.get("/{upload_id}", response_model=UploadStatus, summary="Progress of an upload")
def upload_status(upload_id: str, uploads: UploadsDep) -> UploadStatus:
    """Progress of one upload (404 once it is forgotten or for an unknown id)."""
    status = uploads.get(upload_id)
    if status is None:
        raise HTTPException(404, f"no upload with id {upload_id} in progress or recently finished")
    return status


@router.get("", response_model=list[UploadStatus], summary="Uploads being received or analysed")
def active_uploads(uploads: UploadsDep) -> list[UploadStatus]:
    """Uploads being received or analysed now."""
    return uploads.active()
