"""SensorLog (Bernd Thomas, iOS): one CSV row per logged sample, one column per sensor value.

Header names as SensorLog writes them (from public code that reads its exports; no real export checked here):
``loggingTime(txt)`` (the phone's wall clock with its UTC offset, ``2024-05-01 10:00:01.123 +0200`` or
``2019-04-17T10:05:46.123+02:00``), ``loggingSample(N)``, ``accelerometerTimestamp_sinceReboot(s)``,
``accelerometerAccelerationX(G)`` .. ``Z`` (raw Core Motion acceleration WITH gravity, in g, Apple's sign),
``gyroTimestamp_sinceReboot(s)``, ``gyroRotationX(rad/s)`` .. ``Z`` (raw gyroscope),
``motionTimestamp_sinceReboot(s)``, ``motionRotationRateX(rad/s)`` .. ``Z`` (the same gyroscope, bias removed by Core
Motion), ``motionUserAccelerationX(G)`` (gravity REMOVED), ``motionGravityX(G)`` (used with it, summed, when the raw
accelerometer was not logged),
``locationLatitude(WGS84)`` and many more, in any order and subset (the user picks the sensors).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from gait.types import Placement, Recording
from ingest.common import DEG_PER_RAD, FormatInfo, acc_unit_scale, align_gyroscope, build_recording
from ingest.errors import IngestError
from ingest.table import head_lines, line_numbers, norm_name, read_numeric, read_text, sniff_dialect, split_fields

INFO = FormatInfo(
    name="sensorlog",
    description="SensorLog CSV (iOS, Bernd Thomas): 'loggingTime(txt),...,accelerometerAccelerationX(G),...' one row "
    "per sample; raw accelerometer in g with gravity (or Motion's user acceleration + gravity), gyroscope in rad/s",
    patterns=("*.csv with 'accelerometerAccelerationX(G)' or 'loggingTime(txt)'",),
    checked_versions=(
        "header layout from public code (column names as SensorLog writes them), synthetic samples: no real "
        "export checked",
    ),
    phone=True,
)

_ACC_TIME: Final = "accelerometertimestamp_sincereboot(s)"
_ACC: Final = tuple(f"accelerometeracceleration{a}(g)" for a in "xyz")
_USER_ACC: Final = tuple(f"motionuseracceleration{a}(g)" for a in "xyz")
_GRAVITY: Final = tuple(f"motiongravity{a}(g)" for a in "xyz")
_MOTION_TIME: Final = "motiontimestamp_sincereboot(s)"
_LOGGING_TIME: Final = "loggingtime(txt)"
# Gyroscope sources in order of preference. Core Motion's device-motion rotation rate is the same gyroscope with its
# bias estimated and removed (CMDeviceMotion.rotationRate), so it is taken when logged; the raw gyroscope
# (CMGyroData, bias included) only when the motion columns are absent. Both are in rad/s in the same device axes.
_GYROS: Final = (
    ("motiontimestamp_sincereboot(s)", tuple(f"motionrotationrate{a}(rad/s)" for a in "xyz"), "motionRotationRate"),
    ("gyrotimestamp_sincereboot(s)", tuple(f"gyrorotation{a}(rad/s)" for a in "xyz"), "gyroRotation"),
)


def looks_like(head: bytes) -> bool:
    """True when the first line of ``head`` is a SensorLog header."""
    try:
        first = head_lines(head, 1, what="")[0].lower()
    except IngestError:
        return False
    return "accelerometeraccelerationx(g)" in first or (_LOGGING_TIME in first and "loggingsample" in first)


def _start_epoch_s(texts: pd.Series) -> float | None:
    """Unix time of the first logging time stamp, read by pandas with its UTC offset (None without one)."""
    stamps = texts.dropna().astype("string").str.strip()
    if stamps.empty:
        return None
    when = pd.to_datetime(stamps.iloc[0], format="ISO8601", errors="coerce")
    if pd.isna(when):
        return None
    if when.tzinfo is None:  # no offset written: the phone's local time, read in this computer's zone
        return when.to_pydatetime().astimezone().timestamp()
    return float(when.timestamp())


def read(data: bytes, what: str, *, placement: Placement | str | None = None) -> Recording:
    """Read a SensorLog CSV: raw accelerometer (with gravity) on its own time stamps, the gyroscope interpolated onto
    them.

    Acceleration is negated from Apple's sign (-1 g on z face up) to Android's, which the core assumes (DESIGN.md);
    the gyroscope keeps its sign (both platforms use right-handed rates about the same axes), so acceleration and
    rotation stay one right-handed pair, as gait.laterality needs. (Checked on the lower-back sample: negating the
    acceleration alone leaves every step time as it was, since the core finds the vertical from the data, and swaps
    the side of every contact; the tracker uses a gyroscope only for the lower back, waist and foot placements.) The
    recording is dated by ``loggingTime(txt)``.

    Raises
    ------
    IngestError
        Without the raw accelerometer columns and without Core Motion's ``motionUserAcceleration`` +
        ``motionGravity`` (which are summed: the raw acceleration with gravity): the gravity-free user acceleration
        alone, reason ``"gravity_missing"``; none, ``"missing_columns"``; or samples the core cannot use.
    """
    lines = head_lines(data, 2, what=what)
    if len(lines) < 2 or not lines[1].strip():
        raise IngestError(f"{what}: header only, no data rows; record for longer", reason="empty")
    dialect = sniff_dialect(lines[0], lines[1])
    raw_fields = split_fields(lines[0], dialect)
    names = [norm_name(f) for f in raw_fields]

    def index(name: str) -> int | None:
        return names.index(name) if name in names else None

    acc_idx = [index(n) for n in _ACC]
    acc_time = index(_ACC_TIME)
    grav_idx: list[int | None] = []
    acc_source = "accelerometerAcceleration"
    if None in acc_idx or acc_time is None:
        user_idx = [index(n) for n in _USER_ACC]
        grav_idx = [index(n) for n in _GRAVITY]
        if None not in user_idx and None not in grav_idx and index(_MOTION_TIME) is not None:
            # Core Motion's device motion only: user acceleration + gravity is the raw acceleration with gravity
            # (as Sensor Logger's Accelerometer.csv + Gravity.csv), on the motion time stamps
            acc_idx, acc_time, acc_source = user_idx, index(_MOTION_TIME), "motionUserAcceleration+motionGravity"
        elif None not in user_idx:
            raise IngestError(
                f"{what}: this SensorLog file has motionUserAcceleration (gravity removed) but no motionGravity nor "
                "accelerometerAcceleration columns, so the walker's vertical cannot be found; in SensorLog switch on "
                "the Accelerometer (accelerometerAcceleration X, Y, Z) or Motion with its gravity, and record again",
                reason="gravity_missing",
            )
        else:
            raise IngestError(
                f"{what}: this SensorLog file lacks the accelerometer columns ('accelerometerTimestamp_sinceReboot(s)',"
                " 'accelerometerAccelerationX(G)' .. 'Z'); in SensorLog switch on the Accelerometer and record again",
                reason="missing_columns",
            )
    gyro = next(
        (
            (index(t), [index(n) for n in cols], label)
            for t, cols, label in _GYROS
            if index(t) is not None and all(index(n) is not None for n in cols)
        ),
        None,
    )
    usecols = [acc_time, *acc_idx] + ([] if gyro is None else [gyro[0], *gyro[1]]) + grav_idx
    arr = read_numeric(data, what=what, dialect=dialect, skiprows=1, usecols=usecols, n_fields=len(raw_fields))
    acc_g = arr[:, 1:4] + (arr[:, -3:] if grav_idx else 0.0)
    # Core Motion's raw acceleration is in g with Apple's sign: scale to m/s^2 and negate to Android's.
    time_raw, acc_ms2 = arr[:, 0], -acc_g * acc_unit_scale("g")
    t0 = float(time_raw[np.isfinite(time_raw)][0]) if np.isfinite(time_raw).any() else 0.0
    time_s = time_raw - t0

    gyr_dps = None
    notes: list[str] = []
    gyro_source = None
    if gyro is not None:
        g_time, g_val = arr[:, 4] - t0, arr[:, 5:8] * DEG_PER_RAD
        # Rows repeat a sensor's last value until it delivers a new one: keep each gyroscope sample once.
        ok = np.isfinite(g_time) & np.isfinite(g_val).all(axis=1)
        g_time, g_val = g_time[ok], g_val[ok]
        order = np.argsort(g_time, kind="stable")
        g_time, g_val = g_time[order], g_val[order]
        first = np.concatenate(([True], np.diff(g_time) > 0)) if len(g_time) else np.zeros(0, bool)
        g_time, g_val = g_time[first], g_val[first]
        finite = np.isfinite(time_s) & np.isfinite(acc_ms2).all(axis=1)
        if len(g_time) >= 2 and finite.sum() >= 2:
            t_ok, acc_ok, gyr = align_gyroscope(time_s[finite], acc_ms2[finite], g_time, g_val)
            if gyr is not None:
                if len(t_ok) < len(time_s):
                    notes.append(
                        f"{what}: {len(time_s) - len(t_ok)} accelerometer row(s) outside the gyroscope's time span "
                        "(or without a value) were left out"
                    )
                time_s, acc_ms2, gyr_dps, gyro_source = t_ok, acc_ok, gyr, gyro[2]
        if gyr_dps is None:
            notes.append(f"{what}: the gyroscope ({gyro[2]}) covers too little of the recording and was not used")

    if grav_idx:
        notes.insert(
            0,
            f"{what}: no raw accelerometer columns; the acceleration with gravity is Core Motion's "
            "motionUserAcceleration + motionGravity, summed",
        )
    logging_time = index(_LOGGING_TIME)
    start = None
    if logging_time is not None:
        start = _start_epoch_s(read_text(data, dialect=dialect, skiprows=1, column=logging_time).head(1))
    source = {
        "format": INFO.name,
        "file": what,
        "app": "SensorLog",
        "units": f"acceleration in g (Core Motion {'user acceleration + gravity' if grav_idx else 'raw accelerometer'})"
        ", gyroscope in rad/s",
        "acc_source": acc_source,
        "gyr_source": gyro_source,
        "sign": "ios_negated",
        "start_epoch_s": start,
        **({"notes": notes} if notes else {}),
    }
    return build_recording(
        time_s,
        acc_ms2,
        gyr_dps,
        what=what,
        source=source,
        placement=placement,
        line_of=line_numbers(data, skiprows=1) if gyr_dps is None or len(time_s) == len(arr) else None,
    )


__all__ = ["INFO", "looks_like", "read"]
