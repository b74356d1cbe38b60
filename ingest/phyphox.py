"""phyphox (RWTH Aachen) exports: classic ``Raw Data.csv`` and per-sensor files, in zip, folder or single CSV, and
its Excel export (the app's first choice): a workbook with a sheet per file, read as those files (:func:`sheet_file`).

Columns are found by name and unit (``"Time (s)"``, ``"Acceleration x (m/s^2)"``, ``"X (m/s^2)"``, ``"Gyroscope
x (deg/s)"`` ...); comma, tab and semicolon modes with decimal commas are accepted. Whether acceleration includes
gravity is decided from the data, because the same header was used for both. phyphox writes the Android sign
convention on both platforms. Experiment time stops during a pause; ``meta/time.csv`` gives the wall-clock
restarts, which are put back as gaps so time on the recording is real time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.types import GpsTrack, Placement, Recording
from gait.validate import median_rate_hz
from ingest.archive import Bundle
from ingest.common import (
    DEG_PER_RAD,
    FormatInfo,
    acc_unit_scale,
    align_gyroscope,
    build_gps,
    build_recording,
    gravity_present,
    interp_onto,
    order_samples,
)
from ingest.errors import IngestError
from ingest.table import ACC_UNITS, GYR_UNITS, line_numbers, read_header, read_numeric, sniff_dialect, unit_of

INFO = FormatInfo(
    name="phyphox",
    description="phyphox export: 'Raw Data.csv' (classic) or per-sensor Accelerometer / Gyroscope / Linear "
    "Acceleration / Location CSVs; comma, tab or semicolon with decimal comma; or its Excel export (.xlsx); pauses "
    "from meta/time.csv",
    patterns=("Raw Data.csv", "Accelerometer.csv", "Gyroscope.csv", "Location.csv", "meta/time.csv", "*.zip", "*.xlsx"),
    checked_versions=("1.1.13 iOS (file format 1.17)", "per-sensor CSV exports (Android, 2024-2025)"),
    phone=True,
)

WORKBOOK_META_SHEETS = {"metadata device": "meta/device.csv", "metadata time": "meta/time.csv"}
"""The sheets of phyphox's Excel export that hold what its CSV export puts in ``meta/``; every other sheet is the
CSV file of its name (an export set: "Raw Data", "Accelerometer", "Location"...)."""


def sheet_file(title: str) -> str:
    """The file of phyphox's CSV export that the sheet ``title`` of its Excel export holds (``"Metadata Time"``:
    ``meta/time.csv``; ``"Raw Data"``: ``Raw Data.csv``)."""
    return WORKBOOK_META_SHEETS.get(title.strip().lower(), f"{title}.csv")


_AXIS_RE = re.compile(r"(?:^|[\s_\-])([xyz])(?:$|[\s_\-(])")


@dataclass(frozen=True)
class _Stream:
    """One sensor's columns from one file."""

    file: str
    kind: str  # "acc", "linear", "gravity", "gyr"
    time_s: np.ndarray
    xyz: np.ndarray  # m/s^2 or deg/s


def _is_time(name: str) -> bool:
    return name.startswith(("time", "t (s)"))


def looks_like(bundle: Bundle) -> bool:
    """True for phyphox exports: ``Raw Data.csv``, ``meta/time.csv`` or CSVs headed ``"Time (s)"`` + axes."""
    lowered = {n.lower() for n in bundle.names}
    if "raw data.csv" in lowered or "meta/time.csv" in lowered:
        return True
    for name in bundle.names:
        if "/" in name or not name.lower().endswith((".csv", ".csv.gz", ".txt")):
            continue
        try:
            fields = read_header(bundle.head(name), what=name)[1]
        except IngestError:
            continue
        if fields and fields[0] == "time (s)" and any(_classify(f) for f in fields[1:]):
            return True
    return False


def _classify(field: str) -> tuple[str, str, float] | None:
    """Return (kind, axis, scale to SI/deg) for a sensor column, or None for other columns."""
    unit = unit_of(field)
    m = _AXIS_RE.search(field.split("(")[0])
    if unit is None or m is None:
        return None
    axis = m.group(1)
    unit = unit.lower()
    if unit in ACC_UNITS:
        kind = "linear" if "linear" in field else "gravity" if "gravity" in field else "acc"
        return kind, axis, acc_unit_scale(ACC_UNITS[unit])
    if unit in GYR_UNITS:
        return "gyr", axis, 1.0 if GYR_UNITS[unit] == "deg" else DEG_PER_RAD
    return None


def _read_streams(bundle: Bundle, name: str, notes: list[str]) -> list[_Stream]:
    """Every complete x, y, z group of a phyphox CSV, each with the nearest time column to its left.

    Experiments with several sensors put one ``Time (s)`` column before each sensor's columns, and buffers of
    different lengths leave the shorter ones padded with empty cells at the end.
    """
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)
    if not fields or not _is_time(fields[0]):
        return []
    groups: dict[tuple[str, int], dict[str, tuple[int, float]]] = {}
    time_col = 0
    for i, field in enumerate(fields[1:], start=1):
        if _is_time(field):
            time_col = i
            continue
        found = _classify(field)
        if found is not None:
            kind, axis, scale = found
            groups.setdefault((kind, time_col), {})[axis] = (i, scale)
    groups = {k: v for k, v in groups.items() if set(v) == {"x", "y", "z"}}
    if not groups:
        return []
    for (kind, _), axes in groups.items():
        if len({scale for _, scale in axes.values()}) > 1:
            listed = ", ".join(fields[i] for i, _ in axes.values())
            raise IngestError(
                f"{name}: the {kind} columns declare different units ({listed}); convert them to one unit",
                reason="mixed_units",
            )
    base = name.rsplit("/", 1)[-1].lower()
    cols = sorted({t for _, t in groups} | {axes[a][0] for axes in groups.values() for a in "xyz"})
    arr = read_numeric(data, what=name, dialect=dialect, skiprows=1, usecols=cols, n_fields=len(fields))
    line_of = line_numbers(data, skiprows=1)
    streams = []
    for (kind, tcol), axes in groups.items():
        time_s = arr[:, cols.index(tcol)]
        xyz = arr[:, [cols.index(axes[a][0]) for a in "xyz"]] * np.array([axes[a][1] for a in "xyz"])
        complete = np.flatnonzero(np.isfinite(time_s) & np.isfinite(xyz).all(axis=1))
        end = int(complete[-1]) + 1 if len(complete) else 0
        if kind == "acc" and base.startswith("linear"):
            kind = "linear"  # per-sensor 'Linear Acceleration.csv' has plain 'X (m/s^2)' headers
        if kind == "acc" and base.startswith("gravity"):
            kind = "gravity"
        if end >= 2:
            time_s, xyz = order_samples(time_s[:end], xyz[:end], what=name, line_of=line_of, notes=notes)
            streams.append(_Stream(file=name, kind=kind, time_s=time_s, xyz=xyz))
    return streams


def _read_kv(bundle: Bundle, name: str) -> list[list[str]]:
    found = bundle.find(name)
    if found is None:
        return []
    try:
        text = bundle.read(found).decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    head = text.split("\n", 1)[0]
    dialect = sniff_dialect(head, None)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=dialect.sep)]


def _to_float(text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return float("nan")


def read_pauses(bundle: Bundle) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Return (experiment time of each START, wall-clock offset to add from there on, start epoch) from meta/time.csv.

    The offset of the k-th START is the real time spent paused before it, so ``t + offset`` is wall-clock time
    since the first START.
    """
    rows = _read_kv(bundle, "meta/time.csv")
    starts = [(_to_float(r[1]), _to_float(r[2])) for r in rows[1:] if len(r) >= 3 and r[0].upper() == "START"]
    starts = [(e, s) for e, s in starts if np.isfinite(e) and np.isfinite(s)]
    if not starts:
        return np.zeros(1), np.zeros(1), None
    exp = np.array([e for e, _ in starts])
    sys_ = np.array([s for _, s in starts])
    offsets = (sys_ - sys_[0]) - (exp - exp[0])
    return exp, np.maximum.accumulate(np.maximum(offsets, 0.0)), float(sys_[0] - exp[0])


def _apply_pauses(time_s: np.ndarray, starts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    idx = np.clip(np.searchsorted(starts, time_s, side="right") - 1, 0, len(starts) - 1)
    return time_s + offsets[idx]


def _read_location(bundle: Bundle, starts: np.ndarray, offsets: np.ndarray) -> GpsTrack | None:
    name = next((n for n in bundle.names if n.rsplit("/", 1)[-1].lower() == "location.csv"), None)
    if name is None or bundle.size(name) == 0:
        return None
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)

    def col(prefix: str) -> int | None:
        return next((i for i, f in enumerate(fields) if f.startswith(prefix)), None)

    idx = {"t": 0 if fields and _is_time(fields[0]) else None, "lat": col("latitude"), "lon": col("longitude")}
    if any(v is None for v in idx.values()):
        raise IngestError(
            f"{name}: missing time, latitude or longitude column; export the location data again",
            reason="missing_columns",
        )
    extra = {"acc": col("horizontal accuracy"), "speed": col("velocity")}
    present = {k: v for k, v in {**idx, **extra}.items() if v is not None}
    arr = read_numeric(data, what=name, dialect=dialect, skiprows=1, usecols=list(present.values()))
    c = {k: arr[:, i] for i, k in enumerate(present)}
    return build_gps(_apply_pauses(c["t"], starts, offsets), c["lat"], c["lon"], c.get("acc"), c.get("speed"))


def read_gps(bundle: Bundle) -> GpsTrack | None:
    """The export's ``Location.csv`` as a GPS track on the recording's (pause-corrected) time axis, or None.

    Usable on its own, for example to measure the distance of a walk whose acceleration lacks gravity.
    """
    starts, offsets, _ = read_pauses(bundle)
    return _read_location(bundle, starts, offsets)


def _preferred(streams: list[_Stream], kind: str) -> list[_Stream]:
    # The plain file names first ('Accelerometer.csv' before 'Accelerometer_2.csv', the classic 'Raw Data.csv').
    picked = [s for s in streams if s.kind == kind]
    return sorted(picked, key=lambda s: (len(s.file), s.file))


_COPY_RE = re.compile(r"^(?P<base>.+?)(?:[ _-]\(?(?P<n>\d{1,3})\)?)?(?P<ext>\.(?:csv|csv\.gz|txt))$", re.IGNORECASE)
"""A sensor file's name and copy number: 'Accelerometer_2.csv', 'Accelerometer (1).csv', 'Accelerometer-3.csv'."""


def recordings_in(bundle: Bundle) -> list[list[str]]:
    """The files of each recording in a folder holding several per-sensor exports side by side.

    'Accelerometer.csv' + 'Gyroscope.csv' beside 'Accelerometer_2.csv' + 'Gyroscope_2.csv' are two recordings:
    the same sensor file with and without a copy number. Returns the numbered sensor files of each recording (first
    the one without a number), or a single list of every file when the folder holds one recording.

    Examples
    --------
    >>> from ingest.archive import Bundle
    >>> names = ("Accelerometer.csv", "Accelerometer_2.csv", "Gyroscope.csv", "Gyroscope_2.csv")
    >>> recordings_in(Bundle(label="x", kind="folder", names=names, sizes=(1, 1, 1, 1), _root=None))
    [['Accelerometer.csv', 'Gyroscope.csv'], ['Accelerometer_2.csv', 'Gyroscope_2.csv']]
    """
    copies: dict[str, dict[str, str]] = {}  # sensor name -> copy number ('' for none) -> file
    for name in bundle.names:
        if "/" in name and name.lower().startswith("meta/"):
            continue
        m = _COPY_RE.match(name)
        if m is not None:
            copies.setdefault(m["base"].lower(), {})[m["n"] or ""] = name
    numbers = sorted({n for files in copies.values() if len(files) > 1 for n in files}, key=lambda n: int(n or 0))
    if len(numbers) < 2:
        return [list(bundle.names)]
    return [sorted(files[n] for files in copies.values() if len(files) > 1 and n in files) for n in numbers]


def _refuse_several(bundle: Bundle) -> None:
    """Refuse a folder of several recordings rather than read the first of them silently."""
    recordings = recordings_in(bundle)
    if len(recordings) < 2:
        return
    listed = "; ".join(" + ".join(files) for files in recordings)
    accs = [f for f in recordings[1] if "acc" in f.lower()] or recordings[1]
    raise IngestError(
        f"{bundle.label}: holds {len(recordings)} recordings ({listed}); analyse one at a time: put each "
        f"recording's files in a folder of its own, or give one accelerometer file alone, e.g. "
        f"{bundle.label}/{accs[0]} (its gyroscope is then left out)",
        reason="several_recordings",
    )


def read(bundle: Bundle, *, placement: Placement | str | None = None) -> Recording:
    """Read a phyphox export.

    Parameters
    ----------
    bundle
        The export's files (a zip, a folder or one CSV).
    placement
        Where the phone was carried, stored on the recording.

    Raises
    ------
    IngestError
        When there is no acceleration including gravity (a linear-acceleration export), a file is malformed, or
        the folder holds several recordings side by side (``reason="several_recordings"``).
    """
    _refuse_several(bundle)
    streams: list[_Stream] = []
    notes: list[str] = []  # rows each stream dropped (a missing value, a repeated row)
    for name in bundle.names:
        base = name.rsplit("/", 1)[-1].lower()
        if name.lower().startswith("meta/") or base == "location.csv" or bundle.size(name) == 0:
            continue
        if base.endswith((".csv", ".csv.gz", ".txt")):
            streams.extend(_read_streams(bundle, name, notes))
    if not streams:
        raise IngestError(
            f"{bundle.label}: no phyphox sensor columns found (expected a 'Time (s)' column and x, y, z columns with "
            "units such as 'Acceleration x (m/s^2)'); export the experiment's raw data as CSV",
            reason="missing_columns",
        )

    acc: _Stream | None = None
    acc_origin = ""
    for cand in _preferred(streams, "acc"):
        if gravity_present(cand.xyz, median_rate_hz(cand.time_s)):
            acc, acc_origin = cand, cand.file
            break
    if acc is None:
        lin, grav = _preferred(streams, "linear"), _preferred(streams, "gravity")
        plain = [s for s in _preferred(streams, "acc") if s not in lin]
        if lin and grav:
            t = lin[0].time_s
            acc = _Stream(lin[0].file, "acc", t, lin[0].xyz + interp_onto(grav[0].time_s, grav[0].xyz, t))
            acc_origin = f"{lin[0].file}+{grav[0].file}"
        elif plain or lin:
            raise IngestError(
                f"{bundle.label}: the acceleration in this phyphox export has no gravity (a 'linear acceleration' or "
                "'Acceleration (without g)' export), so the walker's vertical cannot be found; in phyphox record "
                "with the 'Acceleration with g' experiment and export again",
                reason="gravity_missing",
            )
        else:
            raise IngestError(
                f"{bundle.label}: this phyphox export has no acceleration (only a gyroscope); record with "
                "'Acceleration with g' and export again",
                reason="missing_columns",
            )

    time_s, acc_ms2 = acc.time_s, acc.xyz
    gyr_dps = None
    gyros = _preferred(streams, "gyr")
    if gyros:
        time_s, acc_ms2, gyr_dps = align_gyroscope(time_s, acc_ms2, gyros[0].time_s, gyros[0].xyz)

    starts, offsets, epoch0 = read_pauses(bundle)
    time_s = _apply_pauses(time_s, starts, offsets)
    gps = read_gps(bundle)
    device = {r[0]: r[1] for r in _read_kv(bundle, "meta/device.csv")[1:] if len(r) >= 2}
    source: dict[str, Any] = {
        "format": INFO.name,
        "app": "phyphox",
        "app_version": device.get("version"),
        "device": device.get("deviceModel"),
        "os_release": device.get("deviceRelease"),
        "file": bundle.label,
        "acc_source": acc_origin,
        "units": "m/s^2 with gravity (detected from the data)",
        "pauses": [
            {"start_s": float(s + p), "duration_s": float(o - p)}
            for s, o, p in zip(starts[1:], offsets[1:], offsets[:-1], strict=True)
            if o > p
        ],
        "start_epoch_s": epoch0,
    }
    if source["pauses"]:
        notes.append(pauses_note(bundle.label, source["pauses"], float(time_s[0]) if len(time_s) else 0.0))
    if notes:
        source["notes"] = notes
    return build_recording(time_s, acc_ms2, gyr_dps, what=bundle.label, source=source, gps=gps, placement=placement)


def pauses_note(label: str, pauses: list[dict[str, float]], first_s: float) -> str:
    """What a note says of a recording's pauses (phyphox's pause button), each at its time into the recording.

    Examples
    --------
    >>> pauses_note("walk.zip", [{"start_s": 130.0, "duration_s": 40.0}], 0.0)
    'walk.zip: the recording was paused once (40 s at 2:10); the pause is kept as a gap in time, not as walking'
    >>> two = [{"start_s": 60.0, "duration_s": 5.0}, {"start_s": 200.0, "duration_s": 3725.0}]
    >>> pauses_note("w", two, 0.0).split(";")[0]
    'w: the recording was paused 2 times (5 s at 1:00, 1 h 2 min at 3:20)'
    """

    def took(s: float) -> str:
        return (
            f"{s:.0f} s"
            if s < 60
            else f"{s / 60:.0f} min"
            if s < 3600
            else f"{s // 3600:.0f} h {s % 3600 / 60:.0f} min"
        )

    def at(s: float) -> str:
        s = max(0.0, s - first_s)
        return f"{int(s // 60)}:{int(s % 60):02d}"

    listed = ", ".join(f"{took(p['duration_s'])} at {at(p['start_s'])}" for p in pauses)
    times = "once" if len(pauses) == 1 else f"{len(pauses)} times"
    kept = "the pause is kept as a gap" if len(pauses) == 1 else "the pauses are kept as gaps"
    return f"{label}: the recording was paused {times} ({listed}); {kept} in time, not as walking"


__all__ = ["INFO", "looks_like", "read", "read_gps", "read_pauses", "recordings_in", "sheet_file"]
