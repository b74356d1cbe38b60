"""GPS as a speed reference: great-circle distances, per-segment speed and a GPS-based stride length.

Pure numpy. Stride length from GPS is ``2 x distance / steps`` over a span (a stride is two steps); it serves as
the reference for fitting a walker's personal stride-length factor and is shown beside the sensor estimate.
Phone GPS jitter of a few metres inflates the path length of slow walks; callers drop poor fixes with
``max_accuracy_m`` and use spans of a minute or more.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from gait.errors import GaitError
from gait.types import GpsTrack

EARTH_RADIUS_M: Final = 6_371_008.8
"""Mean Earth radius (IUGG), in metres."""

SPAN_TOLERANCE_S: Final = 2.0
"""A track counts as covering a span when its first and last fixes are at most this far outside it."""


def haversine_m(
    lat1_deg: np.ndarray | float,
    lon1_deg: np.ndarray | float,
    lat2_deg: np.ndarray | float,
    lon2_deg: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in metres between points given in degrees (broadcasting).

    Examples
    --------
    >>> round(float(haversine_m(0.0, 0.0, 0.0, 1.0)))  # one degree of longitude on the equator
    111195
    """
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    )
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _filtered(track: GpsTrack, max_accuracy_m: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, lat, lon = track.time_s, track.lat_deg, track.lon_deg
    if max_accuracy_m is not None and track.accuracy_m is not None:
        # Fixes without a stated accuracy (NaN) are kept: phyphox writes NaN before the first estimate.
        keep = ~(track.accuracy_m > max_accuracy_m)
        t, lat, lon = t[keep], lat[keep], lon[keep]
    return t, lat, lon


def segment_distances_m(track: GpsTrack, *, max_accuracy_m: float | None = None) -> np.ndarray:
    """Distance in metres between consecutive fixes, shape (n - 1,) (after dropping poor fixes)."""
    _, lat, lon = _filtered(track, max_accuracy_m)
    return haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])


def segment_speeds_mps(track: GpsTrack, *, max_accuracy_m: float | None = None) -> np.ndarray:
    """Speed in m/s over each segment between consecutive fixes, shape (n - 1,)."""
    t, lat, lon = _filtered(track, max_accuracy_m)
    dt = np.diff(t)
    dist = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dt > 0, dist / dt, np.nan)


def track_distance_m(
    track: GpsTrack,
    start_s: float | None = None,
    end_s: float | None = None,
    *,
    max_accuracy_m: float | None = None,
) -> float | None:
    """Path length in metres between ``start_s`` and ``end_s`` (whole track when None).

    Positions at the span's ends are interpolated between fixes. Returns None when fewer than two usable fixes
    remain or the track does not cover the span (within :data:`SPAN_TOLERANCE_S`).

    Parameters
    ----------
    track
        GPS fixes on the recording's time axis.
    start_s, end_s
        The span; None means the track's first or last fix.
    max_accuracy_m
        Fixes with a worse horizontal accuracy are ignored.
    """
    t, lat, lon = _filtered(track, max_accuracy_m)
    if len(t) < 2:
        return None
    a = float(t[0]) if start_s is None else float(start_s)
    b = float(t[-1]) if end_s is None else float(end_s)
    if b <= a:
        raise GaitError(f"GPS span must end after it starts (got {a} .. {b} s)", reason="bad_span")
    if t[0] > a + SPAN_TOLERANCE_S or t[-1] < b - SPAN_TOLERANCE_S:
        return None
    a, b = max(a, float(t[0])), min(b, float(t[-1]))
    inside = (t > a) & (t < b)
    ts = np.concatenate(([a], t[inside], [b]))
    lats = np.interp(ts, t, lat)
    lons = np.interp(ts, t, lon)
    return float(haversine_m(lats[:-1], lons[:-1], lats[1:], lons[1:]).sum())


def gps_speed_mps(
    track: GpsTrack, start_s: float, end_s: float, *, max_accuracy_m: float | None = None
) -> float | None:
    """Mean speed in m/s over a span from the GPS path length (None when the track does not cover it)."""
    dist = track_distance_m(track, start_s, end_s, max_accuracy_m=max_accuracy_m)
    return None if dist is None else dist / (end_s - start_s)


def gps_stride_length_m(
    track: GpsTrack, start_s: float, end_s: float, steps: int, *, max_accuracy_m: float | None = None
) -> float | None:
    """Stride length in metres over a span from GPS: ``2 x distance / steps`` (a stride is two steps).

    Parameters
    ----------
    track
        GPS fixes on the recording's time axis.
    start_s, end_s
        The span, for example a walking bout.
    steps
        Steps counted inside the span (at least 1).
    max_accuracy_m
        Fixes with a worse horizontal accuracy are ignored.

    Returns
    -------
    float or None
        None when the track does not cover the span or has too few usable fixes.

    Examples
    --------
    >>> import numpy as np
    >>> lat = np.zeros(3); lon = np.array([0.0, 0.0009, 0.0018])  # about 100 m per fix along the equator
    >>> track = GpsTrack(time_s=np.array([0.0, 60.0, 120.0]), lat_deg=lat, lon_deg=lon)
    >>> round(gps_stride_length_m(track, 0.0, 120.0, steps=300), 3)
    1.334
    """
    if steps < 1:
        raise GaitError(f"a GPS stride length needs at least one step in the span (got {steps})", reason="no_steps")
    dist = track_distance_m(track, start_s, end_s, max_accuracy_m=max_accuracy_m)
    return None if dist is None else 2.0 * dist / steps


__all__ = [
    "EARTH_RADIUS_M",
    "gps_speed_mps",
    "gps_stride_length_m",
    "haversine_m",
    "segment_distances_m",
    "segment_speeds_mps",
    "track_distance_m",
]
