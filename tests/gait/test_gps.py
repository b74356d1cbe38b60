"""gait.gps: distances, speeds and GPS stride length on tracks with exact answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.errors import GaitError
from gait.gps import (
    EARTH_RADIUS_M,
    FastSpan,
    fast_spans,
    gps_speed_mps,
    gps_stride_length_m,
    haversine_m,
    segment_distances_m,
    segment_speeds_mps,
    track_distance_m,
)
from gait.types import GpsTrack

# Along the equator, one degree of longitude is exactly R * pi / 180 on the sphere.
M_PER_DEG = EARTH_RADIUS_M * np.pi / 180.0


def equator_track(speed_mps: float = 1.25, duration_s: float = 100.0, dt_s: float = 1.0) -> GpsTrack:
    t = np.arange(0.0, duration_s + dt_s / 2, dt_s)
    return GpsTrack(time_s=t, lat_deg=np.zeros_like(t), lon_deg=speed_mps * t / M_PER_DEG)


def test_haversine_known_distances() -> None:
    assert haversine_m(0, 0, 0, 1) == pytest.approx(M_PER_DEG, rel=1e-12)
    assert haversine_m(0, 0, 1, 0) == pytest.approx(M_PER_DEG, rel=1e-12)  # along a meridian
    assert haversine_m(90, 0, -90, 0) == pytest.approx(np.pi * EARTH_RADIUS_M, rel=1e-12)
    assert haversine_m(60, 25, 60, 25) == 0.0


@settings(max_examples=50, deadline=None)
@given(st.floats(-89, 89), st.floats(-179, 179), st.floats(-89, 89), st.floats(-179, 179))
def test_haversine_is_symmetric_and_bounded(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    d = haversine_m(lat1, lon1, lat2, lon2)
    assert d == pytest.approx(haversine_m(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0.0 <= d <= np.pi * EARTH_RADIUS_M + 1e-6


def test_segments_and_speeds_on_a_constant_walk() -> None:
    track = equator_track(speed_mps=1.25)
    np.testing.assert_allclose(segment_distances_m(track), 1.25, rtol=1e-9)
    np.testing.assert_allclose(segment_speeds_mps(track), 1.25, rtol=1e-9)


def test_track_distance_interpolates_span_ends() -> None:
    track = equator_track(speed_mps=1.25)
    assert track_distance_m(track) == pytest.approx(125.0, rel=1e-9)
    assert track_distance_m(track, 10.5, 20.25) == pytest.approx(1.25 * 9.75, rel=1e-9)
    assert gps_speed_mps(track, 10.0, 90.0) == pytest.approx(1.25, rel=1e-9)


def test_gps_stride_length_is_two_steps() -> None:
    # 1.25 m/s for 80 s = 100 m; 160 steps -> 0.625 m per step -> 1.25 m per stride.
    track = equator_track(speed_mps=1.25)
    assert gps_stride_length_m(track, 10.0, 90.0, steps=160) == pytest.approx(1.25, rel=1e-9)


def test_span_outside_the_track_gives_none() -> None:
    track = equator_track(duration_s=30)
    assert gps_stride_length_m(track, 20.0, 60.0, steps=50) is None
    assert track_distance_m(GpsTrack(np.array([0.0]), np.array([0.0]), np.array([0.0]))) is None


def test_poor_fixes_are_ignored() -> None:
    base = equator_track(speed_mps=1.0, duration_s=10)
    lat = base.lat_deg.copy()
    lat[5] = 0.001  # a 111 m jump, reported with a 150 m accuracy
    acc = np.full(len(lat), 3.0)
    acc[5] = 150.0
    track = GpsTrack(base.time_s, lat, base.lon_deg, accuracy_m=acc)
    assert track_distance_m(track) > 200
    assert track_distance_m(track, max_accuracy_m=20.0) == pytest.approx(10.0, rel=1e-9)


def test_bad_arguments_raise() -> None:
    track = equator_track()
    with pytest.raises(GaitError, match="at least one step"):
        gps_stride_length_m(track, 0, 10, steps=0)
    with pytest.raises(GaitError, match="end after it starts"):
        track_distance_m(track, 10, 5)


def track_of(metres: np.ndarray, t: np.ndarray, accuracy_m: float | None = None) -> GpsTrack:
    """A track along the equator, ``metres`` east of the origin at times ``t``."""
    acc = None if accuracy_m is None else np.full(len(t), accuracy_m)
    return GpsTrack(time_s=t, lat_deg=np.zeros_like(t), lon_deg=metres / M_PER_DEG, accuracy_m=acc)


def fast(track: GpsTrack) -> list[FastSpan]:
    return fast_spans(track, 5.0, window_s=25.0, chord_s=5.0, max_gap_s=10.0, max_accuracy_m=15.0)


def ride_track(jump_at_s: float | None = None, jump_m: float = 8.0) -> GpsTrack:
    """A fix a second for 150 s: 1.4 m/s, but 15 m/s from 40 to 100 s; optionally one fix off by ``jump_m``."""
    t = np.arange(0.0, 151.0)
    metres = 1.4 * t + 13.6 * np.clip(t - 40.0, 0.0, 60.0)
    if jump_at_s is not None:
        metres[int(jump_at_s)] += jump_m
    return track_of(metres, t, accuracy_m=4.0)


def test_fast_spans_finds_a_ride_to_the_fix() -> None:
    (span,) = fast(ride_track())
    assert (span.start_s, span.end_s) == (40.0, 100.0)
    assert span.speed_mps == pytest.approx(15.0, rel=1e-6)  # 900 m in 60 s along a straight line


@pytest.mark.parametrize("speed_mps", [1.4, 2.5, 4.5])
def test_walking_and_jogging_are_not_fast(speed_mps: float) -> None:
    assert fast(equator_track(speed_mps=speed_mps, duration_s=300.0)) == []


def test_one_jittery_fix_neither_makes_nor_widens_a_ride() -> None:
    t = np.arange(0.0, 301.0)
    walk = 1.4 * t
    walk[150] += 20.0  # a fix 20 m off: 21 m/s to it and back, for one second
    assert fast(track_of(walk, t, accuracy_m=4.0)) == []
    # 6 s before the ride, a fix 8 m ahead: fast to it, but the 5 s from it on are not
    (span,) = fast(ride_track(jump_at_s=34.0))
    assert (span.start_s, span.end_s) == (40.0, 100.0)


def test_poor_fixes_and_gaps_are_not_judged() -> None:
    ride = ride_track()
    assert fast(track_of(ride.lon_deg * M_PER_DEG, ride.time_s, accuracy_m=20.0)) == []
    # no fix from 45 to 95 s: the 50 s gap is not judged, nor the stretches either side shorter than a window
    keep = (ride.time_s <= 45.0) | (ride.time_s >= 95.0)
    gappy = GpsTrack(ride.time_s[keep], ride.lat_deg[keep], ride.lon_deg[keep], ride.accuracy_m[keep])
    assert fast(gappy) == []
    # a gap of 8 s is bridged
    keep = (ride.time_s <= 60.0) | (ride.time_s >= 68.0)
    bridged = GpsTrack(ride.time_s[keep], ride.lat_deg[keep], ride.lon_deg[keep], ride.accuracy_m[keep])
    assert [(s.start_s, s.end_s) for s in fast(bridged)] == [(40.0, 100.0)]


def test_chords_shrink_the_length_jitter_adds() -> None:
    # fixes alternating 3 m either side of a straight walk at 1 m/s: 6 m of zigzag per second through every fix
    t = np.arange(0.0, 61.0)
    zigzag = GpsTrack(t, np.where(np.arange(len(t)) % 2, 3.0, -3.0) / M_PER_DEG, t / M_PER_DEG)
    through_fixes = track_distance_m(zigzag, 0.0, 60.0)
    assert through_fixes == pytest.approx(60 * np.hypot(1.0, 6.0), rel=1e-6)
    assert track_distance_m(zigzag, 0.0, 60.0, chord_s=10.0) == pytest.approx(60.0, rel=1e-6)
