"""What every reader shares: format descriptions, unit conversion, time ordering and building the Recording.

Readers only find and parse columns; the rules on duplicate or backwards time stamps, units and validation live
here once, so every format behaves the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.types import GpsTrack, Placement, Recording
from gait.validate import check_samples, median_rate_hz
from ingest.errors import IngestError

MAX_SORTABLE_JUMP_S: Final = 1.0
"""Out-of-order stamps that jump back less than this are logger jitter and are sorted; larger jumps are a
clock reset or two files joined, which sorting would interleave, so they are refused."""

GRAVITY_PRESENT_MIN_MS2: Final = 5.0
"""Median norm of 1-s mean acceleration above which gravity is present (about 9.8 with, under 2 without)."""

DEG_PER_RAD: Final = 180.0 / np.pi


@dataclass(frozen=True)
class FormatInfo:
    """One supported input format, as ``gait formats`` lists it.

    Attributes
    ----------
    name
        Identifier accepted by ``--format``.
    description
        One line for users.
    patterns
        File and folder patterns the format is recognised by.
    checked_versions
        App and firmware versions whose real exports the reader was checked against.
    samples
        False for summary exports (Apple Health) that cannot be analysed stride by stride.
    """

    name: str
    description: str
    patterns: tuple[str, ...]
    checked_versions: tuple[str, ...]
    samples: bool = True


def acc_unit_scale(unit: str) -> float:
    """Factor from ``unit`` (``"ms2"``, ``"g"``, ``"mg"``) to m/s^2."""
    return {"ms2": 1.0, "g": GRAVITY_MS2, "mg": GRAVITY_MS2 / 1000.0}[unit]


def infer_acc_unit(acc: np.ndarray) -> str:
    """Tell g from m/s^2 by the median magnitude (about 1 or about 9.8); ``"ms2"`` when gravity is absent."""
    finite = acc[np.isfinite(acc).all(axis=1)]
    if len(finite) == 0:
        return "ms2"
    med = float(np.median(np.linalg.norm(finite, axis=1)))
    return "g" if 0.5 < med < 2.0 else "ms2"


def gravity_present(acc_ms2: np.ndarray, rate_hz: float) -> bool:
    """True when acceleration includes gravity, judged from the data, never from a file name.

    The mean vector over about one second keeps gravity (norm near 9.8 whatever the orientation) and averages
    walking accelerations out, so linear-acceleration exports (norm of the mean under 2) are told apart even
    when their instantaneous magnitude is large during brisk walking.
    """
    finite = acc_ms2[np.isfinite(acc_ms2).all(axis=1)]
    if len(finite) == 0:
        return False
    block = int(min(max(rate_hz, 1.0), len(finite)))
    n_blocks = len(finite) // block
    means = finite[: n_blocks * block].reshape(n_blocks, block, 3).mean(axis=1)
    return float(np.median(np.linalg.norm(means, axis=1))) > GRAVITY_PRESENT_MIN_MS2


def order_samples(time_s: np.ndarray, values: np.ndarray, *, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Return samples in strictly increasing time, or raise when the order cannot be fixed unambiguously.

    An incomplete last row (a recording cut off mid-line) and exact duplicate rows (same time and values, as
    loggers sometimes write twice) are dropped. Stamps that go
    back by less than :data:`MAX_SORTABLE_JUMP_S` are sorted. Two different samples with the same time stamp, or
    a large jump back (a clock reset or joined files), raise :class:`IngestError`.
    """
    if len(time_s) < 2:
        return time_s, values
    finite = np.isfinite(time_s) & np.isfinite(values).all(axis=1)
    if not finite[-1] and finite[:-1].all():
        # A recording cut off by the app or the phone leaves a partial last line; that row alone is dropped.
        time_s, values = time_s[:-1], values[:-1]
        if len(time_s) < 2:
            return time_s, values
    dt = np.diff(time_s)
    if (dt > 0).all() or not np.isfinite(time_s).all():
        return time_s, values  # non-finite time is reported by validation with its row
    if (dt < 0).any():
        worst = int(np.argmin(dt))
        if -dt[worst] >= MAX_SORTABLE_JUMP_S:
            raise IngestError(
                f"{what}: time goes back by {-dt[worst]:.3f} s at row {worst + 2} ({float(time_s[worst])!r} -> "
                f"{float(time_s[worst + 1])!r}); the clock was reset or two recordings were joined: "
                "split the file at that row and load each part",
                reason="time_backwards",
            )
        order = np.argsort(time_s, kind="stable")
        time_s, values = time_s[order], values[order]
        dt = np.diff(time_s)
    same = dt == 0
    if same.any():
        equal_rows = np.all((values[1:] == values[:-1]) | (np.isnan(values[1:]) & np.isnan(values[:-1])), axis=1)
        conflict = same & ~equal_rows
        if conflict.any():
            row = int(np.argmax(conflict)) + 1
            raise IngestError(
                f"{what}: two different samples share the time stamp {float(time_s[row])!r} (row {row + 1}); "
                "the file mixes two streams or lost time resolution: export again with full time stamps",
                reason="duplicate_time",
            )
        keep = np.concatenate(([True], ~same))
        time_s, values = time_s[keep], values[keep]
    return time_s, values


def interp_onto(t_src: np.ndarray, v_src: np.ndarray, t_dst: np.ndarray) -> np.ndarray:
    """Linearly interpolate the columns of ``v_src`` (sampled at ``t_src``) onto ``t_dst``."""
    return np.column_stack([np.interp(t_dst, t_src, v_src[:, i]) for i in range(v_src.shape[1])])


def align_gyroscope(
    time_s: np.ndarray, acc_ms2: np.ndarray, gyr_time_s: np.ndarray, gyr: np.ndarray, *, min_coverage: float = 0.9
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Put a separately stamped gyroscope on the accelerometer's time axis.

    Accelerometer samples outside the gyroscope's span are trimmed when the gyroscope covers at least
    ``min_coverage`` of the accelerometer's span; otherwise the gyroscope is dropped (None) rather than
    cutting the recording short.
    """
    inside = (time_s >= gyr_time_s[0]) & (time_s <= gyr_time_s[-1])
    span = float(time_s[-1] - time_s[0]) if len(time_s) > 1 else 0.0
    covered = float(time_s[inside][-1] - time_s[inside][0]) if inside.sum() > 1 else 0.0
    if span <= 0 or covered < min_coverage * span:
        return time_s, acc_ms2, None
    t = time_s[inside]
    return t, acc_ms2[inside], interp_onto(gyr_time_s, gyr, t)


def parse_placement(placement: Placement | str | None) -> Placement | None:
    """Accept a Placement, its name or None, with an IngestError for unknown names."""
    if placement is None or isinstance(placement, Placement):
        return placement
    try:
        return Placement.parse(placement)
    except GaitError as exc:
        raise IngestError(str(exc), reason=exc.reason) from None


def build_recording(
    time_s: np.ndarray,
    acc_ms2: np.ndarray,
    gyr_dps: np.ndarray | None,
    *,
    what: str,
    source: dict[str, Any],
    gps: GpsTrack | None = None,
    placement: Placement | str | None = None,
) -> Recording:
    """Order, validate and wrap samples as a Recording, adding the achieved rate to ``source``.

    Raises
    ------
    IngestError
        When time cannot be ordered or the samples break the core's contract (converted from GaitError).
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    acc_ms2 = np.asarray(acc_ms2, dtype=np.float64)
    if acc_ms2.ndim != 2 or acc_ms2.shape[1] != 3 or len(acc_ms2) != len(time_s):
        raise IngestError(f"{what}: expected three acceleration columns", reason="missing_columns")
    if len(time_s) == 0:
        raise IngestError(f"{what}: no data rows; record for longer", reason="empty")
    values = acc_ms2 if gyr_dps is None else np.hstack([acc_ms2, gyr_dps])
    time_s, values = order_samples(time_s, values, what=what)
    acc_ms2 = np.ascontiguousarray(values[:, :3])
    gyr_dps = None if gyr_dps is None else np.ascontiguousarray(values[:, 3:6])
    try:
        check_samples(time_s, acc_ms2, gyr_dps, what=what)
    except GaitError as exc:
        raise IngestError(str(exc), reason=exc.reason) from None
    rate_hz = median_rate_hz(time_s)
    source = {
        "app": None,  # every reader's source has these keys, None when the export does not say
        "app_version": None,
        "device": None,
        **source,
        "rate_hz": round(rate_hz, 3),
        "mean_rate_hz": round((len(time_s) - 1) / float(time_s[-1] - time_s[0]), 3) if len(time_s) > 1 else 0.0,
        "n_samples": len(time_s),
        "has_gyroscope": gyr_dps is not None,
        "has_gps": gps is not None,
    }
    return Recording(
        time_s=time_s,
        acc_ms2=acc_ms2,
        gyr_dps=gyr_dps,
        placement=parse_placement(placement),
        source=source,
        gps=gps,
    )


def build_gps(
    time_s: np.ndarray,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    accuracy_m: np.ndarray | None = None,
    speed_mps: np.ndarray | None = None,
) -> GpsTrack | None:
    """Return a GpsTrack of the valid fixes in increasing time, or None when fewer than two remain.

    Fixes without coordinates, at (0, 0) (no fix yet), outside the WGS-84 range or repeating a time stamp are
    dropped: a speed reference must not invent positions.
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    lat_deg = np.asarray(lat_deg, dtype=np.float64)
    lon_deg = np.asarray(lon_deg, dtype=np.float64)
    ok = np.isfinite(time_s) & np.isfinite(lat_deg) & np.isfinite(lon_deg)
    ok &= (np.abs(lat_deg) <= 90) & (np.abs(lon_deg) <= 180) & ~((lat_deg == 0) & (lon_deg == 0))
    idx = np.flatnonzero(ok)
    idx = idx[np.argsort(time_s[idx], kind="stable")]
    if len(idx) > 1:
        idx = idx[np.concatenate(([True], np.diff(time_s[idx]) > 0))]
    if len(idx) < 2:
        return None

    def pick(arr: np.ndarray | None) -> np.ndarray | None:
        return None if arr is None else np.asarray(arr, dtype=np.float64)[idx]

    return GpsTrack(
        time_s=time_s[idx],
        lat_deg=lat_deg[idx],
        lon_deg=lon_deg[idx],
        accuracy_m=pick(accuracy_m),
        speed_mps=pick(speed_mps),
    )


__all__ = [
    "DEG_PER_RAD",
    "FormatInfo",
    "acc_unit_scale",
    "align_gyroscope",
    "build_gps",
    "build_recording",
    "gravity_present",
    "infer_acc_unit",
    "interp_onto",
    "order_samples",
    "parse_placement",
]
