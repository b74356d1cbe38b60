"""The raw samples of uploaded walks, kept beside the database so that a walk can be analysed again.

One compressed NumPy file per walk, ``recordings/walk-<id>.npz`` in the data folder: the sample times, the
acceleration, the angular rate and the GPS track when the recording has them, and as JSON the placement, heights
and source metadata the analysis used. A file is written to a temporary name first and renamed into place inside
the walk's insert transaction, just before it commits (:meth:`StagedRecording.place`, passed to
:meth:`service.store.Store.add_walks`): a refused or failed insert leaves no file, and a file without its walk (a
crash between the rename and the commit) is removed at the next start (:func:`remove_orphans`).

Deleting a walk deletes its files here and its live journal (:func:`delete_walk_files`). The samples are health
data: they stay on this machine, in the data folder, like the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.types import GpsTrack, Placement, Recording
from service.privacy import private_folder

if TYPE_CHECKING:
    from service.store import Store

RECORDING_SUFFIX = ".npz"
TMP_SUFFIX = ".tmp"
WALK_FILE = re.compile(r"^walk-(?P<id>\d+)\.")
"""A walk's own files: ``walk-<id>.npz`` here, ``walk-<id>.csv``/``.json`` (and set-aside ``walk-<id>.replaced-*``)
in the journal folder."""
_GPS_FIELDS = ("time_s", "lat_deg", "lon_deg", "accuracy_m", "speed_mps")


def recording_path(recordings_dir: Path, walk_id: int) -> Path:
    """Where the samples of walk ``walk_id`` are kept."""
    return Path(recordings_dir) / f"walk-{walk_id}{RECORDING_SUFFIX}"


def _json_scalars(source: dict[str, Any]) -> dict[str, Any]:
    """The metadata values JSON holds as they are (strings, numbers, booleans, None)."""
    return {k: v for k, v in source.items() if v is None or isinstance(v, str | int | float | bool)}


def write_recording(recording: Recording, path: Path) -> None:
    """Write ``recording`` to ``path`` (``np.savez_compressed``), flushed to disk before returning.

    The metadata (placement, heights, source) goes in as a JSON string, so the file loads with
    ``allow_pickle=False``.
    """
    arrays: dict[str, np.ndarray] = {
        "time_s": np.asarray(recording.time_s, dtype=np.float64),
        "acc_ms2": np.asarray(recording.acc_ms2, dtype=np.float64),
    }
    if recording.gyr_dps is not None:
        arrays["gyr_dps"] = np.asarray(recording.gyr_dps, dtype=np.float64)
    if recording.gps is not None:
        for name in _GPS_FIELDS:
            values = getattr(recording.gps, name)
            if values is not None:
                arrays[f"gps_{name}"] = np.asarray(values, dtype=np.float64)
    meta = {
        "placement": recording.placement.value if recording.placement else None,
        "body_height_m": recording.body_height_m,
        "sensor_height_m": recording.sensor_height_m,
        "source": _json_scalars(recording.source),
    }
    arrays["meta_json"] = np.array(json.dumps(meta))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
        fh.flush()
        # a committed walk must never point at samples a power cut left unwritten
        os.fsync(fh.fileno())


def load_recording(path: Path) -> Recording:
    """Read kept samples back as the :class:`~gait.types.Recording` that was analysed.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        When the file is not kept samples (damaged, or another file).
    """
    with np.load(path, allow_pickle=False) as data:
        try:
            meta = json.loads(str(data["meta_json"]))
            gps = None
            if "gps_time_s" in data:
                gps = GpsTrack(**{n: data.get(f"gps_{n}") for n in _GPS_FIELDS})
            return Recording(
                time_s=data["time_s"],
                acc_ms2=data["acc_ms2"],
                gyr_dps=data.get("gyr_dps"),
                placement=Placement.parse(meta["placement"]) if meta.get("placement") else None,
                body_height_m=meta.get("body_height_m"),
                sensor_height_m=meta.get("sensor_height_m"),
                source=dict(meta.get("source") or {}),
                gps=gps,
            )
        except KeyError as exc:
            raise ValueError(f"{Path(path).name}: not a kept recording (no {exc.args[0]})") from None


@dataclass
class StagedRecording:
    """Samples written under a temporary name, waiting for their walk's id (see the module's docstring).

    Use :meth:`place` as the ``before_commit`` of :meth:`service.store.Store.add_walks`, and :meth:`discard` when
    the insert did not commit.
    """

    recordings_dir: Path
    tmp_path: Path
    placed_path: Path | None = None

    def place(self, walk_ids: list[int]) -> None:
        """Rename the samples to their walk's name (the first id: a recording gives one walk)."""
        if not walk_ids:
            return
        target = recording_path(self.recordings_dir, walk_ids[0])
        os.replace(self.tmp_path, target)
        self.placed_path = target

    def discard(self) -> None:
        """Remove the samples: the temporary file, and the placed one when the transaction failed after all."""
        for path in (self.tmp_path, self.placed_path):
            if path is not None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        self.placed_path = None


def stage_recording(
    recording: Recording, recordings_dir: Path, *, placement: str | None = None, sensor_side: str | None = None
) -> StagedRecording:
    """Write ``recording`` under a temporary name in ``recordings_dir`` (created when missing).

    ``placement`` and ``sensor_side`` are what the walk was analysed with when the file itself does not say (the
    upload's choice or the profile's), so that analysing it again uses the same.
    """
    recordings_dir = Path(recordings_dir)
    private_folder(recordings_dir)
    kept = Recording(
        time_s=recording.time_s,
        acc_ms2=recording.acc_ms2,
        gyr_dps=recording.gyr_dps,
        placement=recording.placement or (Placement.parse(placement) if placement else None),
        sensor_height_m=recording.sensor_height_m,
        body_height_m=recording.body_height_m,
        source={**recording.source, **({"sensor_side": sensor_side} if sensor_side else {})},
        gps=recording.gps,
    )
    tmp_path = recordings_dir / f".upload-{uuid.uuid4().hex}{RECORDING_SUFFIX}{TMP_SUFFIX}"
    try:
        write_recording(kept, tmp_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise
    return StagedRecording(recordings_dir, tmp_path)


def _walk_files(folder: Path, walk_id: int | None = None) -> Iterable[tuple[int, Path]]:
    if not Path(folder).is_dir():
        return
    for path in Path(folder).iterdir():
        match = WALK_FILE.match(path.name)
        if match and path.is_file() and (walk_id is None or int(match["id"]) == walk_id):
            yield int(match["id"]), path


def delete_walk_files(walk_id: int, *, recordings_dir: Path, journal_dir: Path) -> list[Path]:
    """Delete a deleted walk's kept samples and live journal (its CSV, sidecar and set-aside copies); returns the
    files removed."""
    removed = []
    for folder in (recordings_dir, journal_dir):
        for _, path in list(_walk_files(folder, walk_id)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def delete_walk(store: Store, walk_id: int, *, recordings_dir: Path, journal_dir: Path) -> bool:
    """Delete walk ``walk_id`` from ``store``, then its files; False when there was
    no such walk.

    The files go after the commit: a file a failure leaves behind is removed at the next start (an orphan), never
    the reverse (a walk whose samples are gone).
    """
    if not store.delete_walk(walk_id):
        return False
    delete_walk_files(walk_id, recordings_dir=recordings_dir, journal_dir=journal_dir)
    return True


def remove_orphans(walk_ids: set[int], *, recordings_dir: Path, journal_dir: Path) -> list[Path]:
    """At start: delete kept samples and journals whose walk does not exist (``walk_ids`` are those that do), and
    temporary files an interrupted upload left; returns the files removed.

    Run before any live walk starts (a live walk's journal is created once its walk is stored).
    """
    removed = []
    for folder in (recordings_dir, journal_dir):
        for walk_id, path in list(_walk_files(folder)):
            if walk_id not in walk_ids:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    if Path(recordings_dir).is_dir():
        for path in Path(recordings_dir).glob(f".upload-*{TMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed
