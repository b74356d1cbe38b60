"""A MbientLab MetaBase session: one CSV per sensor (zipped or in a folder), read as one recording.

MetaBase names each file ``<session>_<device>_<date>_<MAC>_<Sensor>_<rate>Hz_<app version>.csv`` (older exports
``MetaWear_2022-08-05T16.26.13.153_C5:E7:A3:B1:F2:D0_Accelerometer_100.000Hz_1.4.5.csv``) and heads every file
``epoc (ms),timestamp (...),elapsed (s),...``. Each sensor is stamped on its own, so the gyroscope is put on the
accelerometer's time axis by the Unix times of its ``epoc (ms)`` column. The single accelerometer file is read by
:func:`ingest.csv_formats.read_metawear`.
"""

from __future__ import annotations

import re
from typing import Any

from gait.types import Placement, Recording
from ingest import csv_formats
from ingest.archive import Bundle
from ingest.common import align_gyroscope, build_recording
from ingest.errors import IngestError
from ingest.table import head_lines

_SENSOR_IN_NAME = re.compile(r"_([A-Za-z][A-Za-z ]*?)_[\d.]+Hz", re.IGNORECASE)
"""The sensor a MetaBase file name names before its rate (``..._Gyroscope_100.000Hz_1.3.6.csv``)."""
_MAC_IN_NAME = re.compile(r"(?<![0-9A-Fa-f:])((?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|[0-9A-F]{12})(?=_)")
"""The device's address in a MetaBase file name: ``C5:E7:A3:B1:F2:D0`` or, in later versions, ``CCA00625B61F``."""
_OTHER_SENSOR_WORDS = (
    "linear",
    "gravity",
    "quaternion",
    "euler",
    "fusion",
    "magnet",
    "pressure",
    "temperature",
    "humidity",
    "light",
    "illuminance",
)
"""Words of the sensors a session may log beside the two read: sensor fusion's linear acceleration and gravity are
headed 'x-axis (g)' as the accelerometer is, so the file name tells them apart."""


def _sensor_of(name: str, head: bytes) -> str:
    """``"acc"``, ``"gyr"`` or the other sensor a MetaBase file holds, by its name and else its header's units."""
    base = name.rsplit("/", 1)[-1]
    m = _SENSOR_IN_NAME.search(base)
    said = (m.group(1) if m else base).lower()
    if any(w in said for w in _OTHER_SENSOR_WORDS):
        return m.group(1) if m else base
    if "accelerometer" in said:
        return "acc"
    if "gyro" in said:
        return "gyr"
    header = head_lines(head, 1, what=name)[0].lower()
    if "(deg/s)" in header or "(rad/s)" in header:
        return "gyr"
    if "x-axis (g)" in header:
        return "acc"
    return m.group(1) if m else base


def device_of(name: str) -> str | None:
    """The address of the device a MetaBase file name names, upper case with colons, or None.

    Examples
    --------
    >>> device_of("walk_MetaWear_2023-05-31T12.29.37.734_CCA00625B61F_Gyroscope_100.000Hz_1.3.6.csv")
    'CC:A0:06:25:B6:1F'
    >>> device_of("MetaWear_2022-08-05T16.26.13.153_c5:e7:a3:b1:f2:d0_Accelerometer_100.000Hz_1.4.5.csv")
    'C5:E7:A3:B1:F2:D0'
    >>> device_of("Accelerometer.csv") is None
    True
    """
    m = _MAC_IN_NAME.search(name.rsplit("/", 1)[-1])
    if m is None:
        return None
    digits = m.group(1).replace(":", "").upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _session_files(bundle: Bundle) -> dict[str, str]:
    """The MetaBase files of a zip or folder (by their ``epoc (ms)`` header), each with its sensor."""
    if bundle.kind == "file":
        return {}
    found: dict[str, str] = {}
    for name in bundle.names:
        if not name.lower().endswith((".csv", ".csv.gz")) or bundle.size(name) == 0:
            continue
        head = bundle.head(name, 64 * 1024)
        if csv_formats.detect(head, name) == csv_formats.METAWEAR.name:
            found[name] = _sensor_of(name, head)
    return found


def looks_like(bundle: Bundle) -> bool:
    """Whether a zip or folder holds a MetaBase session of several files, or its gyroscope file (a lone
    accelerometer file is read as the single file it is)."""
    files = _session_files(bundle)
    return len(files) > 1 or "gyr" in files.values()


def read(bundle: Bundle, *, placement: Placement | str | None = None) -> Recording:
    """Read a MetaBase session's Accelerometer and Gyroscope files as one recording.

    The gyroscope is interpolated onto the accelerometer's samples by the two files' ``epoc (ms)`` Unix times;
    the walk is dated by the accelerometer's first ``epoc`` as :func:`ingest.csv_formats.read_metawear` dates it.
    Other sensors' files (magnetometer, pressure, sensor fusion ...) are left out, with a note; a table that is no
    MetaBase file is another recording, and refused as one of several.

    Raises
    ------
    IngestError
        ``"several_devices"`` for files of two devices, ``"missing_columns"`` for a session without its
        accelerometer file, ``"several_recordings"`` for two accelerometer (or gyroscope) files of one device.
    """
    files = _session_files(bundle)
    devices = sorted({d for d in map(device_of, files) if d is not None})
    if len(devices) > 1:
        per_device = "; ".join(
            f"{d}: {', '.join(n.rsplit('/', 1)[-1] for n in files if device_of(n) == d)}" for d in devices
        )
        raise IngestError(
            f"{bundle.label}: holds the MetaBase files of {len(devices)} devices ({per_device}); a recording is one "
            "device's: analyse or upload one device's Accelerometer and Gyroscope files at a time (those files "
            "zipped, or in a folder of their own)",
            reason="several_devices",
        )
    accs = [n for n, s in files.items() if s == "acc"]
    gyrs = [n for n, s in files.items() if s == "gyr"]
    if not accs:
        raise IngestError(
            f"{bundle.label}: this MetaBase session has no accelerometer file ({', '.join(files)}), and steps are "
            "found in the acceleration; log the accelerometer in MetaBase (with the gyroscope if you like) and "
            "upload the session's Accelerometer file, or its Accelerometer and Gyroscope files zipped",
            reason="missing_columns",
        )
    for sensor, found in (("accelerometer", accs), ("gyroscope", gyrs)):
        if len(found) > 1:
            raise IngestError(
                f"{bundle.label}: holds several recordings ({', '.join(found[:6])}: {len(found)} {sensor} files); "
                "analyse or upload one session at a time (its Accelerometer and Gyroscope files)",
                reason="several_recordings",
            )
    acc_name = accs[0]
    rec = csv_formats.read_metawear(bundle.read(acc_name), f"{bundle.label}/{acc_name}", placement=placement)
    notes = list(rec.source.get("notes", []))
    left_out = [n for n in bundle.names if n not in (acc_name, *gyrs) and n.lower().endswith((".csv", ".csv.gz"))]
    strangers = [n for n in left_out if n not in files and bundle.size(n) > 0]
    if strangers:
        # a table that is no MetaBase file is another recording, not part of this session: which one the walker
        # meant is theirs to say, as for any zip of several recordings
        raise IngestError(
            f"{bundle.label}: holds several recordings (the MetaBase session's {acc_name.rsplit('/', 1)[-1]} and "
            f"{', '.join(strangers[:6])}); analyse or upload one recording at a time (a MetaBase session's "
            "Accelerometer and Gyroscope files zipped, or in a folder of their own)",
            reason="several_recordings",
        )
    if left_out:
        named = ", ".join(f"{n} ({files[n]})" if n in files else n for n in left_out[:8])
        notes.append(
            f"{bundle.label}: left out {named}: only a MetaBase session's Accelerometer and Gyroscope files are read"
        )
    time_s, acc_ms2, gyr_dps = rec.time_s, rec.acc_ms2, None
    source: dict[str, Any] = {**rec.source, "file": bundle.label, "acc_file": acc_name}
    if devices:
        source["device_address"] = devices[0]
    if gyrs:
        gyr_epoch_s, gyr = csv_formats.read_metawear_gyroscope(bundle.read(gyrs[0]), f"{bundle.label}/{gyrs[0]}")
        start_s = rec.source.get("start_epoch_s")
        # the accelerometer's time runs from its first 'epoc'; without one (none in this century) both files are
        # taken to start together
        gyr_time_s = gyr_epoch_s - (gyr_epoch_s[0] if start_s is None else start_s)
        time_s, acc_ms2, gyr_dps = align_gyroscope(rec.time_s, rec.acc_ms2, gyr_time_s, gyr)
        if gyr_dps is None:
            notes.append(
                f"{bundle.label}: the gyroscope file {gyrs[0]} covers too little of the accelerometer's "
                f"{float(rec.time_s[-1] - rec.time_s[0]):.1f} s (by their 'epoc' times it runs from "
                f"{gyr_time_s[0]:.1f} s to {gyr_time_s[-1]:.1f} s after the accelerometer's start): read without the "
                "gyroscope"
            )
        else:
            source.update(gyr_file=gyrs[0], gyr_unit="deg", units=f"{source['units']}, gyroscope in deg/s")
    source["notes"] = notes
    return build_recording(time_s, acc_ms2, gyr_dps, what=bundle.label, source=source, placement=placement)


__all__ = ["device_of", "looks_like", "read"]
