"""GPS tells a vehicle from walking: real walks paired with real walking GPS tracks keep every step; a stretch of
the track moved at car speed loses exactly its steps, and says so; poor or missing fixes remove nothing.

The phyphox exports with GPS in ../shared/data/dev (phyphox_linear_acc_plus_gps_walks) hold real walking tracks
(1 fix/s, 2-5 m accuracy), but their acceleration lacks gravity; so each track's walking part (its first 210 s:
the walkers then break into a run, 2.6-3.6 m/s) is paired, on the same time axis, with a real walk's
accelerometer: the Oxford phone carried in the hand (sample_recordings) and a Sensor Logger phone walk of 301 s.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

import ingest
from gait.analysis import Analysis, RidingSpan, analyze, riding_note, vehicle_spans
from gait.gps import EARTH_RADIUS_M, track_distance_m
from gait.types import GpsTrack, Recording
from ingest.archive import open_bundle
from ingest.phyphox import read_gps
from tests.sample_data import sample

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
GPS_WALKS = SHARED / "phone_exports" / "phyphox_linear_acc_plus_gps_walks"
LONG_WALK = SHARED / "phone_exports" / "sensor_logger_android_header_edited" / "Longwalking.csv"
WALKING_PART_S = 210.0
"""The tracks' walking part: both walkers run from about 225 s on."""

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not GPS_WALKS.is_dir(), reason=f"shared data not present at {GPS_WALKS}"),
]

PAIRS = [("oxford_phone_in_hand", "rimputus"), ("Longwalking", "t2koan07")]


def real_walk(name: str) -> Recording:
    if name == "Longwalking":
        if not LONG_WALK.is_file():
            pytest.skip(f"{LONG_WALK} not found")
        return ingest.load(LONG_WALK, placement="hand")
    return sample(name).load()


def walking_track(gps_walk: str, rec: Recording) -> GpsTrack:
    """The track's walking part, shifted onto the recording's time axis (both start at their first sample)."""
    track = read_gps(open_bundle(GPS_WALKS / gps_walk))
    assert track is not None and track.accuracy_m is not None
    keep = track.time_s <= min(WALKING_PART_S, rec.duration_s + 1.0)
    return GpsTrack(
        time_s=track.time_s[keep] + rec.time_s[0],
        lat_deg=track.lat_deg[keep],
        lon_deg=track.lon_deg[keep],
        accuracy_m=track.accuracy_m[keep],
    )


def moved_east(track: GpsTrack, start_s: float, end_s: float, speed_mps: float) -> GpsTrack:
    """The track with an eastward motion of ``speed_mps`` added from ``start_s`` to ``end_s`` (a ride)."""
    offset_m = speed_mps * np.clip(track.time_s - start_s, 0.0, end_s - start_s)
    lon = track.lon_deg + np.degrees(offset_m / (EARTH_RADIUS_M * np.cos(np.radians(track.lat_deg))))
    return dataclasses.replace(track, lon_deg=lon)


def ride_in_the_middle(walk: str, gps_walk: str) -> tuple[Recording, GpsTrack, float, float]:
    """The walk, and its track moved at 15 m/s (54 km/h) from a fix about 50 s in to the fix about 50 s later."""
    rec = real_walk(walk)
    track = walking_track(gps_walk, rec)
    t = track.time_s
    a, b = float(t[np.searchsorted(t, t[0] + 50.0)]), float(t[np.searchsorted(t, t[0] + 100.0)])
    return rec, moved_east(track, a, b, 15.0), a, b


def with_gps(rec: Recording, track: GpsTrack) -> Analysis:
    return analyze(dataclasses.replace(rec, gps=track))


def gps_notes(result: Analysis) -> list[str]:
    return [n for n in result.notes if n.startswith("GPS:")]


@pytest.mark.parametrize(("walk", "gps_walk"), PAIRS)
def test_a_real_walk_with_its_real_walking_gps_track_keeps_every_step(walk: str, gps_walk: str) -> None:
    rec = real_walk(walk)
    track = walking_track(gps_walk, rec)
    span = (float(track.time_s[0]), float(track.time_s[-1]))
    walking_mps = track_distance_m(track, *span, max_accuracy_m=15.0) / (span[1] - span[0])
    assert 1.0 < walking_mps < 2.5  # a walk's track, fixes as they came (no smoothing)
    base = analyze(rec)
    result = with_gps(rec, track)
    assert len(base.steps) > 200
    assert result.steps == base.steps
    assert result.strides == base.strides
    assert result.bouts == base.bouts
    assert result.riding == [] and result.to_dict()["riding"] == []
    assert gps_notes(result) == []


@pytest.mark.parametrize(("walk", "gps_walk"), PAIRS)
def test_a_stretch_moved_at_15_mps_loses_exactly_its_steps_and_says_so(walk: str, gps_walk: str) -> None:
    rec, ride, a, b = ride_in_the_middle(walk, gps_walk)
    base = analyze(rec)
    result = with_gps(rec, ride)

    base_t = np.array([s.t_s for s in base.steps])
    inside = (base_t >= a) & (base_t <= b)
    assert 80 <= inside.sum() <= 100  # the walk steps on through the stretch, 1.7-2 steps/s
    assert [s.t_s for s in result.steps] == base_t[~inside].tolist()
    assert result.strides == [s for s in base.strides if s.end_s < a or s.start_s > b]

    # the one bout through the stretch is split around it; the summary counts what remains
    before, after = base_t[base_t < a][-1], base_t[base_t > b][0]
    assert len(base.bouts) == 1 and len(result.bouts) == 2
    assert (result.bouts[0].end_s, result.bouts[1].start_s) == (before, after)
    summary, base_summary = result.summary, base.summary
    assert summary["steps"] == base_summary["steps"] - inside.sum()
    assert summary["walking_time_s"] == pytest.approx(base_summary["walking_time_s"] - (after - before), abs=0.01)
    assert summary["distance_m"] < base_summary["distance_m"]

    (span,) = result.to_dict()["riding"]
    assert (span["start_s"], span["end_s"], span["steps"]) == (round(a, 3), round(b, 3), inside.sum())
    assert 13.5 < span["speed_mps"] < 16.5  # 15 m/s east plus the walk's own 1-2 m/s
    (note,) = gps_notes(result)
    m = re.fullmatch(r"GPS: (\d+) s at (\d+) km/h \(a vehicle, not walking\): (\d+) steps in it left out", note)
    assert m is not None, note
    assert int(m[1]) == round(b - a) and 49 <= int(m[2]) <= 59 and int(m[3]) == inside.sum()


@pytest.mark.parametrize(("walk", "gps_walk"), PAIRS)
def test_poor_or_missing_fixes_remove_nothing(walk: str, gps_walk: str) -> None:
    rec, ride, a, b = ride_in_the_middle(walk, gps_walk)
    t = ride.time_s
    base = analyze(rec)
    assert len(with_gps(rec, ride).steps) < len(base.steps)  # the ride itself is seen

    poor = dataclasses.replace(ride, accuracy_m=np.full(len(t), 20.0))  # every fix worse than 15 m
    keep = (t <= a) | (t >= b)  # no fix during the ride: a 50 s gap, over which nothing was measured
    missing = GpsTrack(t[keep], ride.lat_deg[keep], ride.lon_deg[keep], ride.accuracy_m[keep])
    for track_kept in (poor, missing):
        result = with_gps(rec, track_kept)
        assert result.steps == base.steps and result.bouts == base.bouts
        assert result.to_dict()["riding"] == [] and gps_notes(result) == []


@pytest.mark.parametrize("gps_walk", ["rimputus", "t2koan07"])
def test_the_real_tracks_jogs_included_show_no_vehicle(gps_walk: str) -> None:
    # Their last 3-4 minutes are a jog at 2.6-3.6 m/s over 25 s windows: no walk, but no vehicle either.
    track = read_gps(open_bundle(GPS_WALKS / gps_walk))
    assert track is not None and track.time_s[-1] > 400.0
    assert vehicle_spans(track) == []


def test_the_note_says_how_long_how_fast_and_how_many_steps() -> None:
    assert riding_note([RidingSpan(60.0, 310.0, 10.6, 412)]) == (
        "GPS: 4 min 10 s at 38 km/h (a vehicle, not walking): 412 steps in it left out"
    )
    assert riding_note([RidingSpan(0.0, 30.0, 25.0, 1)]) == (
        "GPS: 30 s at 90 km/h (a vehicle, not walking): 1 step in it left out"
    )
    assert riding_note([RidingSpan(0.0, 100.0, 8.0, 150), RidingSpan(400.0, 520.0, 12.0, 20)]) == (
        "GPS: 2 stretches, 3 min 40 s in all at 29-43 km/h (a vehicle, not walking): 170 steps in them left out"
    )
    assert riding_note([RidingSpan(0.0, 1200.0, 10.0, 900), RidingSpan(1300.0, 1400.0, 10.0, 50)]) == (
        "GPS: 2 stretches, 22 min in all at 36 km/h (a vehicle, not walking): 950 steps in them left out"
    )
