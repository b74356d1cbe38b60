"""GPS as a speed reference: great-circle distances, per-segment speed and a GPS-based stride length.

Pure numpy. Stride length from GPS is ``2 x distance / steps`` over a span (a stride is two steps); it serves as
the reference for fitting a walker's personal stride-length factor and is shown beside the sensor estimate.
Phone GPS jitter of a few metres inflates the path length of slow walks; callers drop poor fixes with
``max_accuracy_m`` and use spans of a minute or more.
"""

from __future__ import annotations

from typing import Final, NamedTuple

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
    chord_s: float | None = None,
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
    chord_s
        When given, the path runs through positions interpolated every ``chord_s`` seconds (equal chords over the
        span) instead of through every fix: jitter of a few metres from fix to fix then adds far less length.
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
    return _path_m(t, lat, lon, max(a, float(t[0])), min(b, float(t[-1])), chord_s)


def _path_m(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, a: float, b: float, chord_s: float | None) -> float:
    """Path length from ``a`` to ``b`` through the fixes between them, or through equal chords of about
    ``chord_s`` seconds."""
    if chord_s is None:
        inside = (t > a) & (t < b)
        ts = np.concatenate(([a], t[inside], [b]))
    else:
        ts = np.linspace(a, b, max(1, int(np.ceil((b - a) / chord_s - 1e-9))) + 1)
    lats = np.interp(ts, t, lat)
    lons = np.interp(ts, t, lon)
    return float(haversine_m(lats[:-1], lons[:-1], lats[1:], lons[1:]).sum())


class FastSpan(NamedTuple):
    """A stretch of a GPS track that moves faster than a given speed."""

    start_s: float
    end_s: float
    speed_mps: float
    """Mean speed over the stretch (path through chords, see :func:`fast_spans`)."""


def fast_spans(
    track: GpsTrack,
    min_speed_mps: float,
    *,
    window_s: float,
    chord_s: float,
    max_gap_s: float,
    max_accuracy_m: float | None = None,
) -> list[FastSpan]:
    """The stretches of a track that move faster than ``min_speed_mps``, judged over windows, placed to the fix.

    Only stretches the usable fixes cover are judged: no two consecutive ones further apart than ``max_gap_s``,
    and the stretch at least one window long (a position interpolated over a long gap would give a speed that
    nothing measured). Within a stretch the path is measured through positions every ``chord_s`` seconds (fix
    jitter adds little length); a window of ``window_s`` seconds (a whole number of chords) whose mean speed
    exceeds ``min_speed_mps`` is fast, and overlapping fast windows make one candidate. A window reaches into the
    slow time beside a fast stretch, so each candidate is then narrowed to the fixes where the fast motion starts
    and ends: its first fix from which both the next fix and the next ``chord_s`` seconds are reached faster than
    ``min_speed_mps``, and its last fix, alike backwards (the chord keeps one jittery fix from widening it).

    Parameters
    ----------
    track
        GPS fixes on the recording's time axis.
    min_speed_mps
        Speed above which a window is fast.
    window_s, chord_s
        Length of the judged windows and of the chords the path is measured along (windows step by a chord).
    max_gap_s
        Longest gap between usable fixes inside a judged stretch.
    max_accuracy_m
        Fixes with a worse horizontal accuracy are ignored.

    Returns
    -------
    list of FastSpan
        In time order, each with its mean speed; empty when no window is fast or no stretch can be judged.

    Examples
    --------
    >>> t = np.arange(0.0, 121.0)  # a fix a second: 1.4 m/s, but 15 m/s from 40 to 80 s
    >>> metres = 1.4 * t + 13.6 * np.clip(t - 40.0, 0.0, 40.0)
    >>> track = GpsTrack(time_s=t, lat_deg=np.zeros_like(t), lon_deg=np.degrees(metres / EARTH_RADIUS_M))
    >>> [tuple(round(float(v), 1) for v in span) for span in fast_spans(
    ...     track, 5.0, window_s=25.0, chord_s=5.0, max_gap_s=10.0)]
    [(40.0, 80.0, 15.0)]
    """
    t, lat, lon = _filtered(track, max_accuracy_m)
    chords_per_window = max(1, round(window_s / chord_s))
    spans = []
    stretch_starts = [0, *(np.flatnonzero(np.diff(t) > max_gap_s) + 1).tolist()]
    for i0, i1 in zip(stretch_starts, [*stretch_starts[1:], len(t)], strict=True):
        ts, lats, lons = t[i0:i1], lat[i0:i1], lon[i0:i1]
        if len(ts) < 2 or ts[-1] - ts[0] < chords_per_window * chord_s:
            continue
        grid = ts[0] + chord_s * np.arange(int((ts[-1] - ts[0]) / chord_s) + 1)
        glat, glon = np.interp(grid, ts, lats), np.interp(grid, ts, lons)
        chord_m = haversine_m(glat[:-1], glon[:-1], glat[1:], glon[1:])
        window_mps = np.convolve(chord_m, np.ones(chords_per_window), "valid") / (chords_per_window * chord_s)
        fast = np.flatnonzero(window_mps > min_speed_mps)  # window k spans chords k .. k + chords_per_window - 1
        if not len(fast):
            continue
        # fix to fix, and each fix to the position one chord later / from one chord earlier
        seg_fast = haversine_m(lats[:-1], lons[:-1], lats[1:], lons[1:]) > min_speed_mps * np.diff(ts)
        ahead = np.minimum(ts + chord_s, ts[-1])
        behind = np.maximum(ts - chord_s, ts[0])
        ahead_fast = haversine_m(lats, lons, np.interp(ahead, ts, lats), np.interp(ahead, ts, lons)) > (
            min_speed_mps * (ahead - ts)
        )
        behind_fast = haversine_m(np.interp(behind, ts, lats), np.interp(behind, ts, lons), lats, lons) > (
            min_speed_mps * (ts - behind)
        )
        opens = np.flatnonzero(seg_fast & ahead_fast[:-1])  # fix i: the motion from it on is fast
        closes = np.flatnonzero(seg_fast & behind_fast[1:]) + 1  # fix j: the motion up to it was fast
        groups = np.split(fast, np.flatnonzero(np.diff(fast) > chords_per_window) + 1)
        for group in groups:
            lo_s, hi_s = grid[group[0]], grid[group[-1] + chords_per_window]
            first = opens[(ts[opens] >= lo_s) & (ts[opens] < hi_s)]
            last = closes[(ts[closes] > lo_s) & (ts[closes] <= hi_s)]
            if not len(first) or not len(last) or ts[last[-1]] <= ts[first[0]]:
                continue
            a, b = float(ts[first[0]]), float(ts[last[-1]])
            speed_mps = _path_m(ts, lats, lons, a, b, chord_s) / (b - a)
            if speed_mps > min_speed_mps:
                spans.append(FastSpan(a, b, speed_mps))
    return spans


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
    "FastSpan",
    "fast_spans",
    "gps_speed_mps",
    "gps_stride_length_m",
    "haversine_m",
    "segment_distances_m",
    "segment_speeds_mps",
    "track_distance_m",
]
