"""A stride's confidence follows how far its model describes it (gait.confidence): the lower back's pendulum, and
the step model of phones (a stride of two true steps).

Exact answers on the pure checks, one test per check that fails without it, and the tracker's wiring on synthetic
walks: the same strides, turning or hesitant, get a lower confidence than straight and steady, with the same
lengths; streaming parity with the gyroscope the turn check reads.
"""

from __future__ import annotations

import itertools
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from gait.analysis import analyze
from gait.confidence import (
    DOUBT_FACTOR,
    HESITANT_RATIO,
    MAX_STEP_RATIO,
    MAX_WALKING_STEP_RANGE_MS2,
    MIN_COHERENCE,
    MIN_PHASE_SHARE,
    TRUNK_ROTATION_RMS_DPS,
    TURN_DEG,
    bounce_agreement,
    heading_change_deg,
    pendulum_doubts,
    step_model_doubts,
    step_rotation,
    update_pace,
)
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.stride_length import scale_from_known_distance
from gait.tracker import GaitTracker
from gait.types import Chunk, StrideEvent
from ingest import load
from tests.gait.synthetic import limping_walk_signal
from tests.sample_data import samples

KNOWN_HEIGHT_CONFIDENCE = 0.75  # the inverted pendulum's confidence with a known body height (gait.tracker)

STEADY = {
    "step_s": [0.55, 0.56],
    "step_length_m": [0.70, 0.68],
    "phase_share": [0.98, 0.99],
    "coherence": [0.97, 0.97],
    "stride_turn_deg": 4.0,
    "stride_s": 1.11,
    "recent_stride_s": 1.10,
}


# ------------------------------------------------------------------------------------------------- pure kernels
@pytest.mark.parametrize(
    ("offset_deg", "share"), [(0.0, 1.0), (45.0, math.sqrt(0.5)), (90.0, 0.0), (180.0, -1.0), (-60.0, 0.5)]
)
def test_bounce_share_is_the_cosine_of_the_steps_phase_offset(offset_deg: float, share: float) -> None:
    walker = 3.0 * np.exp(1j * 0.4)  # the walker's phase 0.4 rad, from steps of one phase: coherence 1
    step = 1.7 * np.exp(1j * (0.4 + np.deg2rad(offset_deg)))
    got_share, coherence = bounce_agreement(complex(step), complex(walker), 3.0)
    assert got_share == pytest.approx(share, abs=1e-12)
    assert coherence == pytest.approx(1.0)


def test_bounce_coherence_is_the_resultant_length_of_the_recent_steps() -> None:
    phase, weight = 0j, 0.0
    for angle in (0.0, np.pi / 2):  # two steps of amplitude 1, a quarter period apart
        phase, weight = phase + np.exp(1j * angle), weight + 1.0
    assert bounce_agreement(1 + 0j, complex(phase), weight)[1] == pytest.approx(math.sqrt(2) / 2)


def test_bounce_agreement_is_undefined_without_a_phase_or_a_bounce() -> None:
    assert all(math.isnan(x) for x in bounce_agreement(1 + 0j, 0j, 0.0))
    share, coherence = bounce_agreement(complex(math.nan, math.nan), 1 + 0j, 1.0)
    assert math.isnan(share) and coherence == 1.0


@pytest.mark.parametrize("rotvec_deg", [(0.0, 0.0, 0.0), (70.0, -120.0, 35.0), (90.0, 0.0, 0.0)])
def test_heading_change_is_the_rate_about_the_vertical_in_any_sensor_orientation(rotvec_deg) -> None:
    n, dt = 57, 0.01  # a 0.56 s step
    world_acc = np.tile([0.0, 0.0, GRAVITY_MS2], (n + 1, 1))
    world_acc[:, 0] = 1.5 * np.sin(2 * np.pi * np.arange(n + 1) / n)  # forward swing: its mean over the step is 0
    gyr_t = np.arange(-20, n + 20) * dt * 0.5  # the gyroscope at its own rate (200 Hz), beyond the step
    world_gyr = np.tile([25.0, -40.0, 50.0], (len(gyr_t), 1))  # roll and pitch too: only the yaw counts
    turn = Rotation.from_rotvec(np.deg2rad(rotvec_deg))
    got = heading_change_deg(turn.apply(world_acc), gyr_t, turn.apply(world_gyr), 0.0, n * dt)
    assert got == pytest.approx(50.0 * n * dt, rel=1e-9)


def test_heading_change_without_gravity_or_samples_is_nan() -> None:
    t = np.arange(10) * 0.01
    assert math.isnan(heading_change_deg(np.zeros((10, 3)), t, np.ones((10, 3)), 0.0, 0.09))
    assert math.isnan(heading_change_deg(np.zeros((1, 3)), t, np.ones((10, 3)), 0.0, 0.09))
    assert math.isnan(heading_change_deg(np.tile([0.0, 0.0, 9.81], (10, 1)), t, np.ones((10, 3)), 0.5, 0.6))


def test_a_steps_rotation_is_its_mean_squared_rate_on_every_axis() -> None:
    t = np.arange(60) * 0.01
    gyr = np.tile([30.0, -40.0, 0.0], (60, 1))  # 50 deg/s about a horizontal axis: no heading change
    acc = np.tile([0.0, 0.0, 9.81], (51, 1))
    turn_deg, rotation_dps2 = step_rotation(acc, t, gyr, 0.0, 0.5)
    assert turn_deg == pytest.approx(0.0, abs=1e-12)
    assert rotation_dps2 == pytest.approx(50.0**2)
    assert math.isnan(step_rotation(acc, t, gyr, 0.7, 0.8)[1])  # no gyroscope sample in the step


def test_recent_pace_is_a_decaying_mean_of_the_stride_durations() -> None:
    s, w = 0.0, 0.0
    for d in (1.0, 1.0, 1.0, 1.6):
        s, w = update_pace(s, w, d)
    weights = np.array([0.8**3, 0.8**2, 0.8, 1.0])
    assert s / w == pytest.approx(np.dot(weights, [1.0, 1.0, 1.0, 1.6]) / weights.sum())


def test_a_steady_straight_stride_has_no_doubt() -> None:
    assert pendulum_doubts(**STEADY) == ()


@pytest.mark.parametrize(
    ("change", "doubt"),
    [
        ({"stride_turn_deg": -(TURN_DEG + 1.0)}, "turn"),
        ({"phase_share": [0.98, MIN_PHASE_SHARE - 0.01]}, "off_phase"),
        ({"coherence": [MIN_COHERENCE - 0.01, 0.97]}, "incoherent"),
        ({"step_length_m": [0.70, 0.70 / (MAX_STEP_RATIO + 0.01)]}, "unequal_steps"),
        ({"step_length_m": [0.70, 0.0]}, "unequal_steps"),  # a step whose bounce was all in antiphase
        ({"step_s": [0.40, 0.40 * (MAX_STEP_RATIO + 0.01)]}, "unequal_steps"),
        ({"stride_s": 1.10 * (HESITANT_RATIO + 0.01)}, "hesitant"),
        ({"recent_rotation_dps": TRUNK_ROTATION_RMS_DPS + 1.0}, "not_trunk"),
    ],
)
def test_each_sign_of_a_stride_the_model_does_not_describe_is_a_doubt(change: dict, doubt: str) -> None:
    assert pendulum_doubts(**{**STEADY, **change}) == (doubt,)


@pytest.mark.parametrize(
    "change",
    [
        {"stride_turn_deg": TURN_DEG - 1.0},  # a gentle curve
        {"phase_share": [MIN_PHASE_SHARE + 0.01, 1.0]},
        {"coherence": [MIN_COHERENCE + 0.01, 1.0]},
        {"step_length_m": [0.70, 0.70 / (MAX_STEP_RATIO - 0.01)]},  # left and right may differ a lot
        {"stride_s": 1.10 * (HESITANT_RATIO - 0.01)},
        {"stride_s": 0.6},  # faster than before is no hesitation
        {"recent_rotation_dps": TRUNK_ROTATION_RMS_DPS - 1.0},
    ],
)
def test_within_the_bounds_a_stride_keeps_its_confidence(change: dict) -> None:
    assert pendulum_doubts(**{**STEADY, **change}) == ()


def test_what_is_unknown_raises_no_doubt() -> None:
    # No gyroscope, no walker's phase yet (a segment's first steps), no stride before: those checks are skipped.
    unknown = {"stride_turn_deg": math.nan, "phase_share": [math.nan] * 2, "coherence": [math.nan] * 2}
    assert pendulum_doubts(**{**STEADY, **unknown, "recent_stride_s": math.nan}) == ()


# ---------------------------------------------------------------------------------------------- in the tracker
TILT = Rotation.from_rotvec(np.deg2rad([35.0, -20.0, 60.0]))  # the sensor sits at no particular angle


def synthetic_walk(
    step_hz: float | tuple[float, float] = 1.8,
    *,
    walk_s: float = 20.0,
    change_at_s: float = 10.0,
    yaw_dps: float = 0.0,
    turn_s: tuple[float, float] = (8.0, 14.0),
    seed: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A lower-back walk after 3 s of rest, with a gyroscope: time, acceleration and angular rate (sensor frame).

    The trunk bounces 2 m/s^2 once per step (the phase runs continuously, so a change of pace from
    ``step_hz[0]`` to ``step_hz[1]`` at ``3 + change_at_s`` keeps every step one cycle) and swings 0.5 m/s^2
    forward. The gyroscope reads ``yaw_dps`` about the vertical during ``turn_s`` (seconds into the walk, ramped
    over 0.2 s) and noise; the acceleration is the same with or without the turn, so are the lengths.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 3.0 + walk_s + 3.0, 0.01)
    u = t - 3.0
    walking = (u >= 0) & (u < walk_s)
    f0, f1 = (step_hz, step_hz) if isinstance(step_hz, float) else step_hz
    freq = np.where(u < change_at_s, f0, f1)
    phase = 2 * np.pi * np.cumsum(np.where(walking, freq, 0.0)) * 0.01
    world = np.zeros((len(t), 3))
    world[:, 2] = GRAVITY_MS2 + np.where(walking, 2.0 * np.sin(phase), 0.0) + rng.normal(0, 0.03, len(t))
    world[:, 0] = np.where(walking, 0.5 * np.sin(phase + 1.0), 0.0)
    ramp = np.clip((u - turn_s[0]) / 0.2, 0, 1) * np.clip((turn_s[1] - u) / 0.2, 0, 1)
    gyr_world = rng.normal(0, 0.5, (len(t), 3))
    gyr_world[:, 2] += yaw_dps * ramp
    return t, TILT.apply(world), TILT.apply(gyr_world)


def strides_of(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, splits=()) -> list[StrideEvent]:
    tracker = GaitTracker(placement="lower_back", body_height_m=1.75)
    events = []
    for a, b in itertools.pairwise([0, *sorted(set(splits)), len(t)]):
        if b > a:
            events += tracker.update(Chunk(t[a:b], acc[a:b], None if gyr is None else gyr[a:b]))
    return [e for e in events + tracker.finish() if e.kind == "stride"]


def test_a_steady_straight_synthetic_walk_keeps_the_methods_confidence() -> None:
    t, acc, gyr = synthetic_walk()
    inner = [s for s in strides_of(t, acc, gyr) if s.start_s > 4.0 and s.end_s < 22.0]
    assert len(inner) >= 25
    assert {s.confidence for s in inner} == {KNOWN_HEIGHT_CONFIDENCE}


def test_a_turning_stride_gets_a_lower_confidence_than_the_same_stride_straight() -> None:
    # 50 deg/s at 1.8 steps/s: 56 degrees a stride, a corner turned in two strides.
    t, acc, straight_gyr = synthetic_walk()
    _, _, turning_gyr = synthetic_walk(yaw_dps=50.0)
    straight = strides_of(t, acc, straight_gyr)
    turning = strides_of(t, acc, turning_gyr)
    assert [(s.start_s, s.end_s, s.length_m) for s in turning] == [(s.start_s, s.end_s, s.length_m) for s in straight]
    in_turn = [i for i, s in enumerate(straight) if s.start_s > 11.3 and s.end_s < 16.8]
    assert len(in_turn) >= 6
    for i in in_turn:
        assert straight[i].confidence == KNOWN_HEIGHT_CONFIDENCE
        assert turning[i].confidence == KNOWN_HEIGHT_CONFIDENCE * DOUBT_FACTOR
    outside = [i for i, s in enumerate(straight) if s.end_s < 10.8 or s.start_s > 17.3]
    assert [turning[i].confidence for i in outside] == [straight[i].confidence for i in outside]


def test_a_gentle_curve_and_a_walk_without_gyroscope_are_not_turns() -> None:
    t, acc, gyr = synthetic_walk(yaw_dps=20.0)  # 22 degrees a stride: a bend in the path
    curve = strides_of(t, acc, gyr)
    assert [s.confidence for s in curve] == [s.confidence for s in strides_of(t, acc, None)]
    in_curve = [s.confidence for s in curve if s.start_s > 11.3 and s.end_s < 16.8]
    assert len(in_curve) >= 6 and set(in_curve) == {KNOWN_HEIGHT_CONFIDENCE}


def test_a_stride_far_slower_than_the_walkers_recent_ones_is_hesitant() -> None:
    # Steps of 0.5 s, then of 0.71 s (2.0 -> 1.4 steps/s): the first slow stride lasts 1.4 times the recent ones
    # (the stride across the change, one step of each, 1.2 times); a walker at 1.4 steps/s throughout is steady,
    # and so is this one once the slow pace is its recent pace (the next slow stride is already within 1.3 times).
    t, acc, gyr = synthetic_walk((2.0, 1.4), walk_s=24.0)
    changing = strides_of(t, acc, gyr)
    steady = strides_of(*synthetic_walk(1.4, walk_s=24.0))
    k = next(i for i, s in enumerate(changing) if s.start_s >= 13.0)  # the first stride of slow steps only
    assert changing[k].duration_s == pytest.approx(1 / 0.7, abs=0.02)
    assert [s.confidence for s in changing[k - 1 : k + 2]] == [
        KNOWN_HEIGHT_CONFIDENCE,
        KNOWN_HEIGHT_CONFIDENCE * DOUBT_FACTOR,
        KNOWN_HEIGHT_CONFIDENCE,
    ]
    late = [s.confidence for s in changing if s.start_s > 20.0 and s.end_s < 26.0]
    assert late and set(late) == {KNOWN_HEIGHT_CONFIDENCE}
    assert {s.confidence for s in steady if s.start_s > 5.0 and s.end_s < 26.0} == {KNOWN_HEIGHT_CONFIDENCE}
    # faster than before is no hesitation
    faster = strides_of(*synthetic_walk((1.4, 2.0), walk_s=24.0))
    assert {s.confidence for s in faster if s.start_s > 5.0 and s.end_s < 26.0} == {KNOWN_HEIGHT_CONFIDENCE}


T_TURN, ACC_TURN, GYR_TURN = synthetic_walk(yaw_dps=50.0)
TURN_WHOLE = strides_of(T_TURN, ACC_TURN, GYR_TURN)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(T_TURN) - 1), max_size=60))
def test_confidence_chunked_equals_whole(splits: list[int]) -> None:
    assert strides_of(T_TURN, ACC_TURN, GYR_TURN, splits) == TURN_WHOLE


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=len(T_TURN) - 1))
def test_confidence_state_survives_pickling(cut: int) -> None:
    tracker = GaitTracker(placement="lower_back", body_height_m=1.75)
    events = tracker.update(Chunk(T_TURN[:cut], ACC_TURN[:cut], GYR_TURN[:cut]))
    resumed = pickle.loads(pickle.dumps(tracker))
    events += resumed.update(Chunk(T_TURN[cut:], ACC_TURN[cut:], GYR_TURN[cut:])) + resumed.finish()
    assert [e for e in events if e.kind == "stride"] == TURN_WHOLE


def test_a_lower_back_gyroscope_cannot_appear_in_the_middle_of_a_segment() -> None:
    tracker = GaitTracker(placement="lower_back")
    tracker.update(Chunk(T_TURN[:100], ACC_TURN[:100]))
    with pytest.raises(GaitError, match="gyroscope cannot appear or disappear"):
        tracker.update(Chunk(T_TURN[100:200], ACC_TURN[100:200], GYR_TURN[100:200]))


# ------------------------------------------------------------------------------------------ step model (phones)

CALIBRATED_STEP_MODEL_CONFIDENCE = 0.8  # a calibrated step-model stride's confidence (gait.tracker)


@pytest.mark.parametrize(
    ("step_s", "stride_s", "recent_stride_s", "doubts"),
    [
        ([0.42, 0.62], 1.04, 1.06, ()),  # a pocket phone's alternating steps: one stride
        ([0.35, 0.69], 1.04, math.nan, ()),  # the first stride: nothing to compare with
        ([0.33, 0.71], 1.04, 1.06, ("unequal_steps",)),  # over MAX_STEP_RATIO: a contact half a step off
        ([0.55, 1.02], 1.57, 1.06, ("hesitant",)),  # a contact missed: three steps' time
        ([0.52, 0.26], 0.78, 1.06, ("hurried",)),  # an extra contact: a step and a fragment
        ([0.2, 0.5], 0.7, 1.06, ("unequal_steps", "hurried")),
    ],
)
def test_a_step_model_stride_is_doubted_where_its_contacts_are_not_two_steps(
    step_s: list[float], stride_s: float, recent_stride_s: float, doubts: tuple[str, ...]
) -> None:
    assert MAX_STEP_RATIO == 2.0 and HESITANT_RATIO == 1.3  # the bounds the cases sit either side of
    assert step_model_doubts(step_s=step_s, stride_s=stride_s, recent_stride_s=recent_stride_s) == doubts


@pytest.mark.parametrize(
    ("step_range_ms2", "doubts"),
    [
        ([8.0, 24.0], ()),  # walking: the Oxford phone walks' steps swing by 24.4 m/s^2 at most
        ([12.0, 3.2 * GRAVITY_MS2], ("vigorous",)),  # a running or jumping step: 4-6 g at the hip
        ([math.nan, 3.2 * GRAVITY_MS2], ("vigorous",)),
        ([math.nan, math.nan], ()),  # unknown: no verdict
    ],
)
def test_a_step_model_stride_is_doubted_where_a_step_swings_more_than_walking(
    step_range_ms2: list[float], doubts: tuple[str, ...]
) -> None:
    assert 24.4 < MAX_WALKING_STEP_RANGE_MS2 < 3.2 * GRAVITY_MS2  # the bound the cases sit either side of
    steady = {"step_s": [0.5, 0.52], "stride_s": 1.02, "recent_stride_s": 1.0}
    assert step_model_doubts(**steady, step_range_ms2=step_range_ms2) == doubts


IOS_VIGOROUS = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/dev/phone_exports/sensor_logger_ios_v1.10.4/2022-09-26_15-32-56"
)
"""An iPhone in a pocket, 151 s: walking, with running or jumping at 6-12 s and 101-109 s (peaks of 4-6 g)."""


@pytest.mark.skipif(not IOS_VIGOROUS.is_dir(), reason=f"shared dev data not found at {IOS_VIGOROUS}")
def test_a_calibrated_phone_does_not_trust_the_long_strides_of_running_or_jumping() -> None:
    """QA (edges20): uploaded as pocket and calibrated to 150 m, the vigorous stretches read as 2.3-2.5 m strides
    trusted for coaching (each a false "overlong" cue). A stride over 1.25 times the walk's median is beyond every
    Oxford phone walk's strides but one in 10 000 (their 99.9th percentile is 1.16 times the walk's median); the
    steady walking between (73-93 s) keeps its trust."""
    recording = load(IOS_VIGOROUS, placement="pocket")
    scale = scale_from_known_distance(analyze(recording).distance_m, 150.0)
    strides = [s for s in analyze(recording, stride_scale=scale).strides if s.length_m is not None]
    median_m = float(np.median([s.length_m for s in strides]))
    trusted_long = [round(s.start_s, 2) for s in strides if s.confidence >= 0.6 and s.length_m > 1.25 * median_m]
    assert trusted_long == []
    steady = [s for s in strides if 73.0 <= s.start_s <= 93.0]
    assert len(steady) > 30 and all(s.confidence >= 0.6 for s in steady)


@pytest.mark.parametrize("step_ratio", [1.0, 1.5, 1.9])
def test_a_calibrated_pocket_phone_trusts_a_walk_whose_two_legs_steps_differ(step_ratio: float) -> None:
    # A phone on one thigh times the two legs' contacts differently (consecutive steps differ by a median 1.33-1.47x
    # in the Oxford pockets): every stride is still two true steps, so the calibrated length keeps its confidence,
    # and the same length as with equal steps.
    t, acc, heel_strikes_s = limping_walk_signal(step_ratio=step_ratio)
    tracker = GaitTracker(placement="pocket", stride_scale=1.0)
    strides = [e for e in tracker.update(Chunk(t, acc)) + tracker.finish() if e.kind == "stride"]
    assert len(strides) >= len(heel_strikes_s) - 4
    assert {s.confidence for s in strides} == {CALIBRATED_STEP_MODEL_CONFIDENCE}
    equal = GaitTracker(placement="pocket", stride_scale=1.0)
    t1, acc1, _ = limping_walk_signal(step_ratio=1.0)
    lengths_equal = [e.length_m for e in equal.update(Chunk(t1, acc1)) + equal.finish() if e.kind == "stride"]
    assert np.median([s.length_m for s in strides]) == pytest.approx(np.median(lengths_equal), rel=0.03)


@pytest.mark.parametrize(
    ("placement", "stride_scale", "confidence"),
    [
        ("lower_back", None, KNOWN_HEIGHT_CONFIDENCE),  # validated at L5 (mobgap, IPOL)
        ("waist", None, 0.5),  # the same model at the waist: nothing here validates it, so the coach stays silent
        ("waist", 1.0, 0.9),  # until a calibration walk has fitted it
    ],
)
def test_a_waist_sensors_lengths_are_trusted_only_once_calibrated(
    placement: str, stride_scale: float | None, confidence: float
) -> None:
    t, acc, gyr = synthetic_walk()
    tracker = GaitTracker(placement=placement, body_height_m=1.75, stride_scale=stride_scale)
    strides = [e for e in tracker.update(Chunk(t, acc, gyr)) + tracker.finish() if e.kind == "stride"]
    inner = [s for s in strides if s.start_s > 4.0 and s.end_s < 22.0]
    assert len(inner) >= 25 and {s.confidence for s in inner} == {confidence}


@pytest.mark.parametrize("limb", [False, True])
def test_a_sensor_turning_as_a_limb_does_is_not_trusted_as_a_trunk(limb: bool) -> None:
    # A real lower-back walk, its gyroscope as it was (RMS 23 deg/s) and scaled to turn at 250 deg/s RMS, as a
    # shoe sensor's does (median of the benchmark's shoe strides): the same steps and lengths, but a "lower back"
    # that turns like a limb gets no stride the coach would judge (the placement is wrong).
    rec = next(s for s in samples() if s.name == "mobgap_lower_back_straight_walk").load()
    rms_dps = float(np.sqrt(np.mean(np.sum(rec.gyr_dps**2, axis=1))))
    gyr = rec.gyr_dps * (250.0 / rms_dps if limb else 1.0)
    tracker = GaitTracker(placement="lower_back", body_height_m=1.75)
    strides = [e for e in tracker.update(Chunk(rec.time_s, rec.acc_ms2, gyr)) + tracker.finish() if e.kind == "stride"]
    trusted = [s for s in strides if s.confidence >= 0.6]
    assert len(strides) >= 8
    if limb:
        assert trusted == []
    else:
        assert len(trusted) >= len(strides) - 1
