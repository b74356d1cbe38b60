"""Sensor Logger (Kelvin Choi; iOS and Android) exports: a zip or folder with one CSV per sensor.

Axis files are headed ``time,seconds_elapsed,z,y,x`` (z, y, x order; ``time`` is the Unix epoch in ns) and are
parsed by column name. ``Accelerometer.csv`` holds acceleration WITHOUT gravity, so the gravity-inclusive signal
comes from, in order: ``TotalAcceleration.csv`` (Android), ``Accelerometer.csv`` + ``Gravity.csv``, or
``AccelerometerUncalibrated.csv`` (iOS: in g with CoreMotion's sign, scaled and negated here).
"""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.types import GpsTrack, Placement, Recording
from ingest.archive import Bundle
from ingest.common import (
    DEG_PER_RAD,
    FormatInfo,
    acc_unit_scale,
    align_gyroscope,
    build_gps,
    build_recording,
    infer_acc_unit,
    interp_onto,
    order_samples,
)
from ingest.errors import IngestError
from ingest.table import (
    head_lines,
    line_numbers,
    norm_name,
    read_header,
    read_numeric,
    sniff_dialect,
    split_fields,
)

INFO = FormatInfo(
    name="sensor_logger",
    description="Sensor Logger export (iOS or Android): zip or folder with TotalAcceleration / Accelerometer + "
    "Gravity / AccelerometerUncalibrated, Gyroscope, Location and Metadata CSVs",
    patterns=("<date>.zip", "<date>/", "TotalAcceleration.csv", "AccelerometerUncalibrated.csv"),
    checked_versions=("iOS 1.10.4 (Metadata v3)", "Android 1.26.0", "Android 1.60.0"),
    phone=True,
)

AXIS_FILES = (
    "TotalAcceleration.csv",
    "Accelerometer.csv",
    "AccelerometerUncalibrated.csv",
    "Gravity.csv",
    "Gyroscope.csv",
    "GyroscopeUncalibrated.csv",
)


@dataclass(frozen=True)
class _Axes:
    """One axis file: time in seconds (Unix epoch when ``epoch``) and x, y, z columns."""

    time_s: np.ndarray
    xyz: np.ndarray
    epoch: bool
    notes: tuple[str, ...] = ()  # what was dropped while reading (an incomplete last line)


def looks_like(bundle: Bundle) -> bool:
    """True when the bundle holds Sensor Logger axis files (recognised by name and header)."""
    for name in bundle.names:
        base = name.rsplit("/", 1)[-1]
        if base in AXIS_FILES:
            try:
                header = head_lines(bundle.head(name), 1, what=name)[0]
            except IngestError:
                continue
            fields = {norm_name(f) for f in split_fields(header, sniff_dialect(header, None))}
            if {"x", "y", "z"} <= fields and ("seconds_elapsed" in fields or "time" in fields):
                return True
    return False


def _read_axes(bundle: Bundle, name: str) -> _Axes:
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)
    missing = [c for c in ("x", "y", "z") if c not in fields]
    if missing or not ({"time", "seconds_elapsed"} & set(fields)):
        raise IngestError(
            f"{name}: missing column(s) {', '.join(missing) or 'time'}; Sensor Logger axis files have the header "
            "time,seconds_elapsed,z,y,x: export the recording again without editing it",
            reason="missing_columns",
        )
    epoch = "time" in fields
    tcol = fields.index("time") if epoch else fields.index("seconds_elapsed")
    usecols = [tcol, fields.index("x"), fields.index("y"), fields.index("z")]
    arr = read_numeric(data, what=name, dialect=dialect, skiprows=1, usecols=usecols, n_fields=len(fields))
    time_s = arr[:, 0] * 1e-9 if epoch else arr[:, 0]
    notes: list[str] = []
    time_s, xyz = order_samples(time_s, arr[:, 1:4], what=name, line_of=line_numbers(data, skiprows=1), notes=notes)
    return _Axes(time_s=time_s, xyz=xyz, epoch=epoch, notes=tuple(notes))


def read_metadata(bundle: Bundle) -> dict[str, str]:
    """Return ``Metadata.csv`` as a name -> value dict (any generation: columns are matched by name)."""
    name = bundle.find("Metadata.csv")
    if name is None:
        return {}
    try:
        text = bundle.read(name).decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return {}
    return {k.strip(): v.strip() for k, v in zip(rows[0], rows[1], strict=False)}


def _pick(bundle: Bundle, name: str) -> str | None:
    found = bundle.find(name)
    return found if found is not None and bundle.size(found) > 0 else None


class _AxesReader:
    """Reads axis files once each, the ones certainly needed two at a time (zlib and pandas' tokenizer release
    the GIL, so the accelerometer and gyroscope files of a long export parse in parallel)."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self._done: dict[str, _Axes] = {}

    def prefetch(self, names: list[str]) -> None:
        todo = [n for n in dict.fromkeys(names) if n not in self._done]
        if len(todo) < 2:
            return
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {n: pool.submit(_read_axes, self.bundle, n) for n in todo}
            for name, future in futures.items():
                self._done[name] = future.result()

    def read_files(self) -> list[_Axes]:
        """The axis files read so far."""
        return list(self._done.values())

    def get(self, name: str) -> _Axes:
        if name not in self._done:
            self._done[name] = _read_axes(self.bundle, name)
        return self._done[name]


def _gravity_inclusive(reader: _AxesReader, platform: str, standardised: bool) -> tuple[_Axes, str, str]:
    """Choose and build gravity-inclusive acceleration in m/s^2, Android sign; returns axes, origin, sign note."""
    bundle = reader.bundle
    total = _pick(bundle, "TotalAcceleration.csv")
    if total is not None:
        axes = reader.get(total)
        scale = acc_unit_scale(infer_acc_unit(axes.xyz))
        return _Axes(axes.time_s, axes.xyz * scale, axes.epoch), "TotalAcceleration.csv", "android"

    uncal_name = _pick(bundle, "AccelerometerUncalibrated.csv")
    uncal = reader.get(uncal_name) if uncal_name else None
    uncal_unit = infer_acc_unit(uncal.xyz) if uncal is not None else None
    if platform not in ("ios", "android") and uncal_unit == "g":
        platform = "ios"  # only iOS writes this file in g
    negate = platform == "ios" and not standardised

    lin, grav = _pick(bundle, "Accelerometer.csv"), _pick(bundle, "Gravity.csv")
    if lin is not None and grav is not None and platform in ("ios", "android"):
        a, g = reader.get(lin), reader.get(grav)
        inside = (a.time_s >= g.time_s[0]) & (a.time_s <= g.time_s[-1])
        if inside.sum() >= 2:
            t = a.time_s[inside]
            total_ms2 = a.xyz[inside] + interp_onto(g.time_s, g.xyz, t)
            sign = -1.0 if negate else 1.0
            return _Axes(t, sign * total_ms2, a.epoch), "Accelerometer.csv+Gravity.csv", _sign_note(negate)

    if uncal is not None:
        xyz = uncal.xyz * acc_unit_scale(uncal_unit or "ms2")
        return _Axes(uncal.time_s, -xyz if negate else xyz, uncal.epoch), uncal_name or "", _sign_note(negate)

    if lin is not None and grav is not None:
        raise IngestError(
            f"{bundle.label}: Metadata.csv is missing, so iOS cannot be told from Android (their gravity signs "
            "differ); include Metadata.csv from the original export",
            reason="unknown_platform",
        )
    if bundle.kind == "file":
        raise IngestError(_part_message(bundle), reason="gravity_missing")
    without = " (Accelerometer.csv is without gravity)" if lin is not None else ""
    raise IngestError(
        f"{bundle.label}: this Sensor Logger export has no acceleration including gravity{without}; in Sensor Logger "
        "enable 'Total Acceleration' (Android) or 'Gravity' / 'Accelerometer Uncalibrated' (iOS) and record again",
        reason="gravity_missing",
    )


def _part_message(bundle: Bundle) -> str:
    """What one axis file of an export without gravity in it is told (a Sensor Logger export is never one such
    file): the export's folder, or the file of it that holds gravity, when the folder beside it says which;
    otherwise (an uploaded file, or one copied out of its folder) the files that may."""
    siblings = bundle.siblings()
    beside = [n for n in ("TotalAcceleration.csv", "AccelerometerUncalibrated.csv") if n in siblings]
    in_export = bool(beside) or "Metadata.csv" in siblings
    folder = bundle.folder_name() if in_export else ""
    if beside:
        other = f", or {beside[0]} on its own"
    elif in_export:
        other = ""  # the folder has no file with gravity either: the folder's own message says what to do
    else:
        other = ", or its TotalAcceleration.csv (Android) or AccelerometerUncalibrated.csv (iOS) on its own"
    return (
        f"{bundle.label}: this file is one part of a Sensor Logger export and holds no acceleration including "
        f"gravity on its own; analyse the export's folder{folder} (or upload it zipped){other}"
    )


def _sign_note(negated: bool) -> str:
    return "ios_negated" if negated else "android"


def _read_location(bundle: Bundle, t0: float, epoch: bool) -> GpsTrack | None:
    name = _pick(bundle, "Location.csv")
    if name is None:
        return None
    data = bundle.read(name)
    dialect, fields = read_header(data, what=name)
    tname = "time" if epoch else "seconds_elapsed"
    if not {tname, "latitude", "longitude"} <= set(fields):
        raise IngestError(
            f"{name}: missing time, latitude or longitude column; export the recording again unedited",
            reason="missing_columns",
        )
    wanted = [tname, "latitude", "longitude", "horizontalaccuracy", "speed"]
    present = [c for c in wanted if c in fields]
    arr = read_numeric(data, what=name, dialect=dialect, skiprows=1, usecols=[fields.index(c) for c in present])
    col = {c: arr[:, i] for i, c in enumerate(present)}
    time_s = col[tname] * (1e-9 if epoch else 1.0) - t0
    return build_gps(time_s, col["latitude"], col["longitude"], col.get("horizontalaccuracy"), col.get("speed"))


def read(bundle: Bundle, *, placement: Placement | str | None = None) -> Recording:
    """Read a Sensor Logger export (zip, folder or a single axis CSV).

    Parameters
    ----------
    bundle
        The export's files.
    placement
        Where the phone was carried, stored on the recording.

    Raises
    ------
    IngestError
        When no gravity-inclusive acceleration can be built or a file is malformed.
    """
    meta = read_metadata(bundle)
    platform = meta.get("platform", "").lower()
    standardised = meta.get("standardisation", "").lower() == "true"
    reader = _AxesReader(bundle)
    gyr_name = _pick(bundle, "Gyroscope.csv") or _pick(bundle, "GyroscopeUncalibrated.csv")
    total = _pick(bundle, "TotalAcceleration.csv")
    reader.prefetch([n for n in (total or _pick(bundle, "AccelerometerUncalibrated.csv"), gyr_name) if n])
    acc, acc_origin, sign = _gravity_inclusive(reader, platform, standardised)

    gyr_dps = None
    notes: list[str] = []
    time_s, acc_ms2 = acc.time_s, acc.xyz
    if gyr_name is not None:
        gyr = reader.get(gyr_name)
        if gyr.epoch != acc.epoch:
            notes.append(f"{gyr_name} has no 'time' column like the accelerometer's and was ignored")
        else:
            time_s, acc_ms2, gyr_rads = align_gyroscope(time_s, acc_ms2, gyr.time_s, gyr.xyz)
            if gyr_rads is None:
                notes.append(f"{gyr_name} covers too little of the recording and was ignored")
            else:
                gyr_dps = gyr_rads * DEG_PER_RAD

    notes += [note for axes in reader.read_files() for note in axes.notes]
    t0 = float(time_s[0]) if len(time_s) else 0.0
    gps = _read_location(bundle, t0, acc.epoch)
    source: dict[str, Any] = {
        "format": INFO.name,
        "app": "Sensor Logger",
        "app_version": meta.get("appVersion"),
        "platform": platform or None,
        "device": meta.get("device name"),
        "metadata_version": meta.get("version"),
        "requested_rate_ms": meta.get("sampleRateMs"),
        "file": bundle.label,
        "acc_source": acc_origin,
        "sign_convention": sign,
        "units": "m/s^2 with gravity" + ("; gyroscope converted from rad/s" if gyr_dps is not None else ""),
        "start_epoch_s": t0 if acc.epoch else None,
    }
    if notes:
        source["notes"] = notes
    return build_recording(
        time_s - t0, acc_ms2, gyr_dps, what=bundle.label, source=source, gps=gps, placement=placement
    )


__all__ = ["INFO", "looks_like", "read", "read_metadata"]
