"""A cheap sensor's faults on real foot recordings: a saturated accelerometer or gyroscope is named and its strides
are not judged; samples lost in transit cost the strides that span them their length, not the walk its steps.

The recordings are the real gaitmap foot samples (``sample_recordings/``, Vicon reference), perturbed the way
``bench.robustness`` perturbs the benchmark: clipped at a small range, or with BLE packets dropped.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.metrics import match_strides, summarize_strides
from gait.analysis import Analysis, analyze
from gait.coach.settings import DEFAULT_MIN_CONFIDENCE
from gait.consts import GRAVITY_MS2
from gait.tracker import GaitTracker
from gait.types import Chunk, Recording
from tests.sample_data import Sample, sample

FOOT_SAMPLES = ("gaitmap_left_foot", "gaitmap_right_foot")
TARGET_FOOT_MAE_M = 0.05  # issue 2's stride length target for a foot sensor


def _analyze(s: Sample, rec: Recording) -> Analysis:
    return analyze(rec, placement=s.placement, sensor_side=s.side)


def _clipped(rec: Recording, acc_g: float | None = None, gyr_dps: float | None = None) -> Recording:
    acc = rec.acc_ms2 if acc_g is None else np.clip(rec.acc_ms2, -acc_g * GRAVITY_MS2, acc_g * GRAVITY_MS2)
    gyr = rec.gyr_dps if gyr_dps is None else np.clip(rec.gyr_dps, -gyr_dps, gyr_dps)
    return dataclasses.replace(rec, acc_ms2=acc, gyr_dps=gyr)


def _packets_lost(rec: Recording, share: float, seed: int) -> Recording:
    """Drop ``share`` of BLE packets of 5-20 samples (seeded), keeping the first and last sample."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(5, 21, len(rec.time_s) // 5 + 1)
    packet = np.repeat(np.arange(len(sizes)), sizes)[: len(rec.time_s)]
    keep = ~(rng.random(len(sizes)) < share)[packet]
    keep[[0, -1]] = True
    gyr = None if rec.gyr_dps is None else rec.gyr_dps[keep]
    return dataclasses.replace(rec, time_s=rec.time_s[keep], acc_ms2=rec.acc_ms2[keep], gyr_dps=gyr)


def _range_notes(result: Analysis) -> list[str]:
    return [n for n in result.notes if "reached its range" in n]


@pytest.mark.parametrize("name", FOOT_SAMPLES)
def test_a_foot_sensor_within_its_range_gets_no_range_note(name: str) -> None:
    s = sample(name)
    result = _analyze(s, s.recording)
    assert _range_notes(result) == []


@pytest.mark.parametrize(("name", "end"), [("gaitmap_left_foot", 5593), ("gaitmap_right_foot", 6385)])
def test_a_walk_ending_just_after_a_heel_strike_is_not_taken_for_a_saturated_sensor(name: str, end: int) -> None:
    # The tracker pads a segment's end with copies of its last sample (a flat run); here that sample is the heel
    # strike's shock, above any saturation level, inside the last stride's integration.
    s = sample(name)
    rec = s.recording
    cut = dataclasses.replace(rec, time_s=rec.time_s[:end], acc_ms2=rec.acc_ms2[:end], gyr_dps=rec.gyr_dps[:end])
    assert _range_notes(_analyze(s, cut)) == []


@pytest.mark.parametrize("name", FOOT_SAMPLES)
def test_an_accelerometer_clipped_at_2g_is_named_and_its_strides_are_not_judged(name: str) -> None:
    # A micro:bit's default range: a shoe's swing and heel strike far exceed 2 g, so the integration misses them.
    s = sample(name)
    result = _analyze(s, _clipped(s.recording, acc_g=2.0))
    notes = _range_notes(result)
    assert len(notes) == 1 and "accelerometer" in notes[0] and "+-2.0 g" in notes[0] and "16 g" in notes[0]
    strides = [st for st in result.strides if st.length_m is not None]
    judged = [st for st in strides if st.confidence >= DEFAULT_MIN_CONFIDENCE]
    assert len(judged) <= 0.2 * len(strides)
    # What the coach still judges is as good as the model is on the unclipped walk.
    matches = match_strides(s.strides, [(st.start_s, st.end_s, st.length_m) for st in judged])
    summary = summarize_strides(matches)
    assert summary.n_matched == 0 or summary.mae_m <= TARGET_FOOT_MAE_M


@pytest.mark.parametrize("name", FOOT_SAMPLES)
def test_a_gyroscope_clipped_at_250_dps_is_named(name: str) -> None:
    # A cheap IMU's default gyroscope range; a foot's swing turns at 300-700 deg/s.
    s = sample(name)
    result = _analyze(s, _clipped(s.recording, gyr_dps=250.0))
    notes = _range_notes(result)
    assert len(notes) == 1 and "gyroscope" in notes[0] and "+-250 deg/s" in notes[0]
    strides = [st for st in result.strides if st.length_m is not None]
    assert sum(st.confidence < DEFAULT_MIN_CONFIDENCE for st in strides) >= 0.8 * len(strides)


@pytest.mark.parametrize("name", FOOT_SAMPLES)
def test_lost_packets_keep_the_steps_and_bouts_and_drop_only_the_lengths_they_spoil(name: str) -> None:
    s = sample(name)
    whole = _analyze(s, s.recording)
    lossy = _analyze(s, _packets_lost(s.recording, share=0.03, seed=7))
    # The walk is the same walk: every step, stride and bout is still found (the gaps are bridged).
    assert len(lossy.steps) == len(whole.steps)
    assert len(lossy.strides) == len(whole.strides)
    assert len(lossy.bouts) == len(whole.bouts)
    # The strides that kept a length are as accurate as the model is, against the Vicon reference.
    kept = [(st.start_s, st.end_s, st.length_m) for st in lossy.strides if st.length_m is not None]
    assert 0.5 * len(whole.strides) <= len(kept) < len(whole.strides)
    assert summarize_strides(match_strides(s.strides, kept)).mae_m <= TARGET_FOOT_MAE_M
    assert any("samples lost in transit" in n for n in lossy.notes)
    assert not any("samples lost in transit" in n for n in whole.notes)
    # The walk's distance still counts every stride, at the mean of the lengths kept (within 5 % of the whole walk's).
    assert lossy.summary["distance_m"] == pytest.approx(whole.summary["distance_m"], rel=0.05)


def _events(rec: Recording, splits: list[int]) -> list[object]:
    tracker = GaitTracker(placement="foot")
    edges = sorted({0, len(rec.time_s), *splits})
    events: list[object] = []
    for a, b in itertools.pairwise(edges):
        events += tracker.update(Chunk(rec.time_s[a:b], rec.acc_ms2[a:b], rec.gyr_dps[a:b]))
    events += tracker.finish()
    return [*events, tracker.state.strides_holed, tracker.state.strides_acc_clipped, tracker.state.acc_clip_ms2]


FAULTY = _packets_lost(_clipped(sample("gaitmap_left_foot").recording, acc_g=2.0), share=0.03, seed=3)
FAULTY_WHOLE = _events(FAULTY, [])


def test_the_faulty_walk_has_holes_and_clipping_to_check() -> None:
    assert FAULTY_WHOLE[-3] > 0 and FAULTY_WHOLE[-2] > 0


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(FAULTY.time_s) - 1), max_size=30))
def test_holes_and_clipping_are_found_whatever_the_chunks(splits: list[int]) -> None:
    assert _events(FAULTY, splits) == FAULTY_WHOLE


@pytest.mark.parametrize(
    ("name", "rotvec_deg"),
    [
        ("gaitmap_left_foot", (180.0, 0.0, 0.0)),  # the shoe pod clipped on upside down
        ("mobgap_lower_back_daily_living", (0.0, 90.0, 0.0)),  # the back clip turned on its side
        ("oxford_phone_back_pocket", (35.0, -120.0, 70.0)),  # a phone at no particular angle
    ],
)
def test_a_sensor_worn_any_way_up_gives_the_same_steps_and_strides(name: str, rotvec_deg: tuple[float, ...]) -> None:
    # The vertical comes from gravity and the walking direction from the walk, so a mount in another orientation
    # (the same signals in a rotated frame) must find the same walk: every contact within a sample of the
    # unrotated one, and the same stride lengths to a millimetre.
    from scipy.spatial.transform import Rotation

    s = sample(name)
    rec = s.recording
    turn = Rotation.from_rotvec(np.deg2rad(rotvec_deg))
    rotated = dataclasses.replace(
        rec, acc_ms2=turn.apply(rec.acc_ms2), gyr_dps=None if rec.gyr_dps is None else turn.apply(rec.gyr_dps)
    )
    assert not np.allclose(rotated.acc_ms2, rec.acc_ms2)
    base, now = _analyze(s, rec), _analyze(s, rotated)
    dt_s = float(np.median(np.diff(rec.time_s)))
    base_ic = np.array([st.t_s for st in base.steps])
    now_ic = np.array([st.t_s for st in now.steps])
    assert len(base_ic) >= 20 and len(now_ic) == len(base_ic)
    assert np.abs(now_ic - base_ic).max() <= dt_s * 1.01
    base_len = np.array([np.nan if x.length_m is None else x.length_m for x in base.strides], dtype=float)
    now_len = np.array([np.nan if x.length_m is None else x.length_m for x in now.strides], dtype=float)
    assert np.isfinite(base_len).sum() >= 10
    np.testing.assert_allclose(now_len, base_len, atol=0.001, equal_nan=True)
