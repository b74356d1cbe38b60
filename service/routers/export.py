"""Export all of the walker's data in one ZIP file, while the service runs.

``GET /api/export`` writes, from one snapshot of the store (one read transaction, :meth:`Store.snapshot`):
``walks.csv`` (one row per walk with its summary), ``strides/walk-<id>-strides.csv`` (each walk's per-walk CSV
export), ``pain_reports.csv``, ``profile.json`` (as ``GET /api/profile``), with ``?samples=1`` the kept raw
samples as gait CSV (``samples/walk-<id>.csv``), and a ``README.txt`` describing every file. Sample recordings and
demo walks (somebody else's walking) are left out. The ZIP is streamed while it is written (a thread writes it,
the response sends each piece as it comes): the download starts at once and grows in the browser's download list,
where a year of walks with their samples takes minutes to write; nothing is written to disk on the way.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import queue
import threading
import time
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from gait.coach import NOT_MEDICAL_ADVICE
from ingest.errors import IngestError
from ingest.gait_csv import write_gait_csv_to
from service.deps import SettingsDep, StoreDep
from service.pipeline import ANALYSIS_VERSION, on_clock_axis, recording_start_epoch_s
from service.reanalysis import NoSamplesError, SampleFolders, kept_recording, no_samples_kind
from service.routers.profile import profile_public
from service.routers.walks import spreadsheet_cell, strides_csv, walk_document
from service.store import STRIDE_COLUMNS, Store, local_wall_time, recorded_live

router = APIRouter(prefix="/api", tags=["export"])
logger = logging.getLogger(__name__)

WALK_FIELDS = ("id", "name", "started_at", "time_origin", "placement", "origin", "format", "status", "demo")
SUMMARY_FIELDS = (
    "steps",
    "strides",
    "cadence_spm",
    "stride_length_m",
    "distance_m",
    "walking_time_s",
    "duration_s",
    "flagged_strides",
    "gps_stride_length_m",
)
LOCAL_TIMES = {"started_at": "started_at_local", "reported_at": "reported_at_local"}
"""The export's columns of a time as this computer's clock read it, each beside its UTC column (a spreadsheet shows
UTC hours off for most walkers)."""
WALKS_COLUMNS = (
    *[c for f in WALK_FIELDS for c in (f, LOCAL_TIMES.get(f)) if c],
    *SUMMARY_FIELDS,
    "strides_file",
    "samples_file",
)
NO_SAMPLES_WHY = {
    "upload": "uploaded before samples were kept",
    "apple_health": "an Apple Health summary (the phone's own figures: no samples)",
    "live_no_journal": "a foot pod's walk (a pod sends its own figures, no samples)",
    "live": "a live walk whose samples (its journal) are gone",
}
"""Why a walk has no samples in the export (keys: :func:`service.reanalysis.no_samples_kind`'s, and ``upload``)."""
PAIN_COLUMNS = (
    "id",
    "walk_id",
    "walk_deleted",
    "reported_at",
    "reported_at_local",
    "score",
    "onset_distance_m",
    "onset_time_s",
    "note",
)


EXPORT_COMPRESSLEVEL = 1
"""zlib's fastest level for the export's entries: a year of walks' raw samples as CSV (about 4 GB of text for 7,600
minutes) took 6 minutes to deflate at the default level 6, 75 % of the export's time; level 1 deflates them 3 to 7
times as fast for a file about 13 % larger."""


def export_filename(now: datetime) -> str:
    """The ZIP's name for an export made at ``now`` (its local date).

    Examples
    --------
    >>> export_filename(datetime(2026, 3, 7, 23, 59))
    'gait-export-2026-03-07.zip'
    """
    return f"gait-export-{now.date().isoformat()}.zip"


def _csv_text(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        local = {k: local_wall_time(row[utc]) for utc, k in LOCAL_TIMES.items() if k in columns and row.get(utc)}
        writer.writerow([spreadsheet_cell({**row, **local}.get(c)) for c in columns])
    return buf.getvalue()


def walk_clock_start_s(walk: dict[str, Any]) -> float | None:
    """The clock time (Unix seconds) of a walk's first sample: its recording's, else the start the walker gave; None
    for a walk dated at its upload (its file held no start time: no date is made up for it).

    Examples
    --------
    >>> walk_clock_start_s({"started_at": "2026-11-20T08:00:00+01:00", "source": {"started_at_from": "user"}})
    1795158000.0
    >>> walk_clock_start_s({"started_at": "2026-11-20T08:00:00+01:00", "source": {"started_at_from": "import"}})
    """
    source = walk.get("source") or {}
    if source.get("started_at_from") == "user":
        # the walker's start wins over the recording's clock (a date changed on the walk's page: a wrong clock)
        return datetime.fromisoformat(walk["started_at"]).timestamp()
    return None if source.get("started_at_from") == "import" else recording_start_epoch_s(source)


def _write_samples(
    archive: zipfile.ZipFile, snapshot: Store, walk: dict[str, Any], folders: SampleFolders
) -> str | None:
    """Write the walk's kept samples as ``samples/walk-<id>.csv``; returns why there are none, or None."""
    if walk["status"] == "live":
        return "being recorded live: its samples are still being written (export again once it has ended)"
    kind = no_samples_kind(walk)
    if kind:
        return NO_SAMPLES_WHY.get(kind, NO_SAMPLES_WHY["live_no_journal"])
    try:
        recording = kept_recording(snapshot, walk, folders)
    except NoSamplesError:
        return NO_SAMPLES_WHY["live" if walk["origin"] == "live" else "upload"]
    except (IngestError, ValueError) as exc:
        return f"its kept samples cannot be read ({exc})"
    start_s = walk_clock_start_s(walk)
    if start_s is not None:
        # uploaded again (a new computer), the file is dated as the walk was, not at that upload
        recording = on_clock_axis(recording, start_s)
    # dated when written, as writestr dates the other entries (archive.open of a bare name dates it 1980-01-01)
    entry = zipfile.ZipInfo(f"samples/walk-{walk['id']}.csv", date_time=time.localtime(time.time())[:6])
    entry.compress_type = archive.compression
    entry._compresslevel = archive.compresslevel  # as writestr's entries (a ZipInfo of ours otherwise gets level 6)
    entry.external_attr = 0o600 << 16  # -rw-------, as writestr's entries
    # zip64 from the start: a long recording's CSV may pass 2 GiB, which a plain entry cannot hold
    with (
        archive.open(entry, "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        write_gait_csv_to(recording, text)
    return None


def write_export(
    store: Store, target: Path | IO[bytes], *, folders: SampleFolders | None, now: datetime
) -> dict[str, Any]:
    """Write the export ZIP of ``store`` to ``target`` (a path, or a binary stream that need not seek); with
    ``folders``, each walk's kept samples too.

    Every figure is read from one snapshot of the store. Returns what was written: ``walks`` (ids),
    ``samples`` (walk ids with samples) and ``no_samples`` (walk id -> why none).
    """
    written: dict[str, Any] = {"walks": [], "samples": [], "no_samples": {}}
    with (
        store.snapshot() as snapshot,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=EXPORT_COMPRESSLEVEL) as archive,
    ):
        own = snapshot.list_walks(limit=max(snapshot.count_walks(), 1), demo=False)
        rows = []
        for walk in sorted(own, key=lambda w: (w["started_at"], w["id"])):
            document = walk_document(snapshot, walk)
            strides_file = f"strides/walk-{walk['id']}-strides.csv"
            archive.writestr(strides_file, strides_csv(snapshot, walk, document))
            samples_file = None
            if folders is not None:
                why_none = _write_samples(archive, snapshot, walk, folders)
                if why_none is None:
                    samples_file = f"samples/walk-{walk['id']}.csv"
                    written["samples"].append(walk["id"])
                else:
                    written["no_samples"][walk["id"]] = why_none
            fields = {k: document["walk"].get(k) for k in WALK_FIELDS}
            rows.append(
                {
                    **fields,
                    # a walk gait live recorded is stored as an upload of its journal, but it was recorded live
                    "origin": "live" if recorded_live(document["walk"]) else fields["origin"],
                    "demo": int(bool(walk["demo"])),
                    "time_origin": document["time_origin"],
                    **{k: document["summary"].get(k) for k in SUMMARY_FIELDS},
                    "strides_file": strides_file,
                    "samples_file": samples_file,
                }
            )
            written["walks"].append(walk["id"])
        archive.writestr("walks.csv", _csv_text(WALKS_COLUMNS, rows))
        pain = sorted(snapshot.list_pain(), key=lambda r: (r["reported_at"], r["id"]))
        archive.writestr("pain_reports.csv", _csv_text(PAIN_COLUMNS, pain))
        profile = profile_public(snapshot).model_dump(mode="json")
        archive.writestr("profile.json", json.dumps(profile, indent=2, ensure_ascii=False) + "\n")
        archive.writestr("README.txt", readme_text(written, samples=folders is not None, now=now))
    return written


def readme_text(written: dict[str, Any], *, samples: bool, now: datetime) -> str:
    """The export's ``README.txt``: every file, its columns and units, the version, the export time."""
    if not samples:
        samples_words = (
            "samples/    not in this export: export with raw samples (the Profile page's checkbox, or\n"
            "            GET /api/export?samples=1) to have them.\n"
        )
    else:
        none = written["no_samples"]
        listed = "".join(f"              walk {walk_id}: {why}\n" for walk_id, why in sorted(none.items()))
        samples_words = (
            "samples/walk-<id>.csv\n"
            "            The raw samples kept of a walk, as gait CSV (the analyser's own input format: it can be\n"
            "            uploaded again, and is then dated as the walk was). Columns: time_s (the clock time in Unix\n"
            "            seconds when the walk is dated by its recording or by the start you gave (where walks.csv\n"
            "            gives a time_origin, the strides' times plus it); else seconds on the recording's own time\n"
            "            axis, as the strides' times), acc_x_ms2, acc_y_ms2, acc_z_ms2 (acceleration in m/s^2\n"
            "            including gravity, in the sensor's own frame), and when the sensor had a gyroscope\n"
            "            gyr_x_dps, gyr_y_dps, gyr_z_dps (angular rate in degrees per second). Times to the\n"
            "            microsecond, values to 6 significant digits. A GPS track, when the recording had one, is\n"
            "            not included.\n"
            "            Walks without samples here (walks.csv's samples_file is empty): walks uploaded before\n"
            "            samples were kept, Apple Health summaries (the phone's own figures), foot pods (they send\n"
            "            no samples), live walks whose journal is gone:\n" + (listed or "              none\n")
        )
    stride_units = (
        "idx (stride number in the walk, from 0), start_s and end_s (seconds on the recording's own time axis;\n"
        "            add them to the walk's time_origin for the clock time), length_m (stride length in metres,\n"
        "            empty where unknown), cadence_spm (steps per minute), speed_mps (metres per second),\n"
        "            confidence (0 to 1: how far the stride length can be trusted; the coach uses 0.6 and more),\n"
        "            method (how the length was estimated), side (left, right or empty), target_m (the coaching\n"
        "            target in metres, empty without one), overlong (1 flagged as longer than the target + the\n"
        "            tolerance, 0 not, empty when not judged)"
    )
    assert len(STRIDE_COLUMNS) == 11  # the columns described above
    zone = now.astimezone().tzname() or "local time"
    return f"""Gait analyser: export of all your data
======================================

Exported {now.isoformat(timespec="seconds")} by gait-analyser {ANALYSIS_VERSION}, while the service ran: every
figure comes from one consistent snapshot of the database. Walks: {len(written["walks"])}.

{NOT_MEDICAL_ADVICE}

Sample recordings and demo walks (somebody else's walking, imported to show the analyser) are left out: the
walks here are your own (uploads and live walks). CSV files are UTF-8, comma-separated, with a header row; an
empty cell is a value that is unknown or does not apply. Dates and times are ISO 8601 (UTC unless they say
otherwise); started_at_local and reported_at_local give the same times as this computer's clock read them (the
dashboard's local time: {zone} at the export, its summer or winter time at other dates), to the second and
without a zone, as a spreadsheet reads a date and time (in the hour that comes twice when the clocks go back,
their UTC column tells the two apart). A text cell that starts with = + - @ (a walk's name, a pain note) is
written with a single quote before it ('=1+2), so that a spreadsheet shows it as text instead of running it as
a formula; remove that quote to read the text as typed. Numbers are written as they are.

walks.csv   One row per walk, oldest first. Columns:
            id (the walk's number), name, started_at (when it started), started_at_local (the same in local
            time), time_origin (the clock time of
            t = 0 on its strides' and samples' time axis; empty when the recording dates nothing), placement
            (where the sensor was worn), origin (upload: a file you uploaded; live: recorded live, on the
            Live page or with gait live), format (the file's format), status
            (complete, interrupted, or live: being recorded during the export), demo (always 0 here: sample
            and demo walks are left out), steps (steps found; a foot sensor sees only its own foot's, about
            half the walker's steps, while its cadence counts both feet), strides, cadence_spm (steps per
            minute, to 0.1),
            stride_length_m (metres, to the millimetre), distance_m (metres: to 0.1 m as the analysis gives
            it, an Apple Health walk's to the millimetre), walking_time_s (seconds walking, to 0.01),
            duration_s (seconds recorded), flagged_strides (strides flagged as overlong; 0 for an Apple
            Health walk, which has no strides to judge), gps_stride_length_m (stride length from the GPS
            track, metres; empty without one), strides_file and samples_file (the files below; samples_file
            empty when not exported).
            The figures are those of the walk's page and its JSON export.

strides/walk-<id>-strides.csv
            The walk's strides, one row per stride, as its page's "Export CSV". Columns:
            {stride_units}.

pain_reports.csv
            Every back-pain report, oldest first. Columns: id, walk_id (the walk it happened on, empty when
            none was named or its walk was deleted), walk_deleted (1 when the walk the report was made for
            was deleted since: walk_id is then empty; 0 otherwise), reported_at (when the pain was felt),
            reported_at_local (the same in local time), score (pain 0 to 10), onset_distance_m (metres into
            the walk the pain started, empty when not given), onset_time_s (seconds into the walk the pain
            started, empty when not given), note.

profile.json
            Your profile as the dashboard's Profile page shows it (GET /api/profile): body_height_m (metres),
            placement (your usual sensor placement), stride_scales (your calibration factor per sensor
            placement), coaching (enabled, reduction as a share of your usual stride, tolerance_m in metres,
            audio_cue) and the not-medical-advice notice.

{samples_words}
README.txt  This file.
"""


EXPORT_CHUNK_BYTES = 256 * 1024
"""The pieces the export is sent in: large enough that a year's export is a few thousand sends, small enough that
the download shows its progress."""
EXPORT_QUEUE_CHUNKS = 8
"""Pieces written ahead of the sending (2 MiB): the writer waits for a slow download rather than filling memory."""
_WAIT_S = 0.5
"""How often a writer waiting for room, or a sender waiting for a piece, looks whether the other side has gone."""


class ExportCancelledError(Exception):
    """The download of an export stopped (the browser cancelled it, or the service is stopping)."""


class _ChunkQueueWriter(io.RawIOBase):
    """A write-only, unseekable stream that hands what is written to a queue in pieces of ``EXPORT_CHUNK_BYTES``
    (zipfile writes an unseekable stream with data descriptors, so every entry is sent as soon as it is written)."""

    def __init__(self, pieces: queue.Queue[bytes | BaseException | None], stopped: threading.Event) -> None:
        super().__init__()
        self._pieces = pieces
        self._stopped = stopped
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        if len(self._buffer) >= EXPORT_CHUNK_BYTES:
            self.send_buffer()
        return len(data)

    def send_buffer(self) -> None:
        """Hand what is buffered to the sender, waiting for room; raises once the download has stopped."""
        piece, self._buffer = bytes(self._buffer), bytearray()
        while piece:
            if self._stopped.is_set():
                raise ExportCancelledError
            try:
                self._pieces.put(piece, timeout=_WAIT_S)
                return
            except queue.Full:
                continue


class ExportStream(StreamingResponse):
    """The export ZIP, written by a thread of its own (its store snapshot's connection belongs to that thread) and
    sent piece by piece as it is written. A download stopped halfway stops the writing; a writing that fails
    breaks the download off (the browser says it failed) rather than ending a ZIP that looks whole."""

    def __init__(self, store: Store, *, folders: SampleFolders | None, now: datetime) -> None:
        self._store, self._folders, self._now = store, folders, now
        self._pieces: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=EXPORT_QUEUE_CHUNKS)
        self._stopped = threading.Event()
        super().__init__(
            self._sent_pieces(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{export_filename(now)}"'},
        )

    def _write(self) -> None:
        writer = _ChunkQueueWriter(self._pieces, self._stopped)
        try:
            write_export(self._store, writer, folders=self._folders, now=self._now)
            writer.send_buffer()
            end: BaseException | None = None
        except ExportCancelledError:
            return
        except BaseException as exc:  # handed to the sender, which breaks the download off
            end = exc
        while not self._stopped.is_set():
            try:
                self._pieces.put(end, timeout=_WAIT_S)
                return
            except queue.Full:
                continue

    async def _sent_pieces(self) -> AsyncIterator[bytes]:
        threading.Thread(target=self._write, name="gait-export", daemon=True).start()
        while True:
            try:
                piece = await anyio.to_thread.run_sync(self._pieces.get, True, _WAIT_S)
            except queue.Empty:
                continue
            if piece is None:
                return
            if isinstance(piece, BaseException):
                logger.error("the export could not be written (%s): its download was broken off", piece)
                raise piece
            yield piece

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # the download ended, was cancelled or failed: a writer still at work stops at its next piece
            self._stopped.set()


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "gait-export-YYYY-MM-DD.zip"}},
    summary="Export all your data in one ZIP file (walks, strides, pain reports, profile; raw samples on request)",
)
def export_all(
    store: StoreDep,
    settings: SettingsDep,
    samples: bool = Query(False, description="Include each walk's kept raw samples as gait CSV (larger)."),
) -> StreamingResponse:
    """All of the walker's own data in one ZIP (sample and demo walks left out), read from one snapshot of the
    store and sent as it is written; its ``README.txt`` describes every file, its columns and units."""
    now = datetime.now().astimezone()
    return ExportStream(store, folders=SampleFolders.of(settings) if samples else None, now=now)
