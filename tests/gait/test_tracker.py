"""The streaming tracker: exact answers on synthetic walks, chunking parity, pickling, bad input."""

from __future__ import annotations

import itertools
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.analysis import analyze
from gait.consts import SENSOR_HEIGHT_PER_BODY_HEIGHT
from gait.errors import GaitError
from gait.stride_length import pendulum_step_length_m
from gait.tracker import GaitTracker
from gait.types import Chunk, Recording
from tests.gait.synthetic import limping_walk_signal, swaying_walk_signal, walk_signal


def run(tracker: GaitTracker, t: np.ndarray, acc: np.ndarray, splits: list[int]) -> list:
    events = []
    bounds = [0, *sorted(set(splits)), len(t)]
    for a, b in itertools.pairwise(bounds):
        if b > a:
            events += tracker.update(Chunk(t[a:b], acc[a:b]))
    return events + tracker.finish()


@pytest.mark.parametrize("step_hz", [1.4, 1.8, 2.2])
@pytest.mark.parametrize("tilt_deg", [0.0, 35.0, 90.0])
def test_cadence_and_step_count_on_a_synthetic_walk(step_hz: float, tilt_deg: float) -> None:
    walk_s = 20.0
    t, acc = walk_signal(step_hz=step_hz, walk_s=walk_s, tilt_deg=tilt_deg)
    events = run(GaitTracker(placement="lower_back", body_height_m=1.75), t, acc, [])
    steps = [e for e in events if e.kind == "step"]
    strides = [e for e in events if e.kind == "stride"]
    bouts = [e for e in events if e.kind == "bout"]
    expected_steps = step_hz * walk_s
    assert abs(len(steps) - expected_steps) <= 2
    assert len(bouts) == 1
    assert np.median([s.cadence_spm for s in strides]) == pytest.approx(60 * step_hz, abs=0.6)
    # Contacts fall inside the walking part (3 s rest before it).
    assert steps[0].t_s > 2.9 and steps[-1].t_s < 3.0 + walk_s + 0.3


def _walk_after_a_weight_shift(bump_ms2: float) -> tuple[np.ndarray, np.ndarray]:
    """Rest, then one step period of vertical bump (the weight shift of gait initiation), then a 1.8 Hz walk."""
    t, acc = walk_signal(step_hz=1.8, walk_s=10.0, rest_before_s=3.0)
    period_s = 1 / 1.8
    shift = (t >= 3.0 - period_s) & (t < 3.0)
    acc[shift, 2] += bump_ms2 * np.sin(2 * np.pi * 1.8 * (t[shift] - 3.0 + period_s))
    return t, acc


@pytest.mark.parametrize(
    ("placement", "bump_ms2", "first_peak_s"),
    [
        # a bump of a quarter of the walking steps (2 m/s^2) before walking from rest: no heel strike
        ("lower_back", 0.5, 3.0 + 0.25 / 1.8),
        ("waist", 0.5, 3.0 + 0.25 / 1.8),
        # a first step of 60 % of the next ones is a (soft) first step, kept
        ("lower_back", 1.2, 3.0 - 0.75 / 1.8),
        # the rule is for trunk sensors only: a phone in a pocket keeps its first peak
        ("pocket", 0.5, 3.0 - 0.75 / 1.8),
    ],
)
def test_weight_shift_before_the_first_step_is_no_contact(placement: str, bump_ms2: float, first_peak_s: float) -> None:
    t, acc = _walk_after_a_weight_shift(bump_ms2)
    steps = [e for e in run(GaitTracker(placement=placement), t, acc, []) if e.kind == "step"]
    # the contact is placed within the impact delay and filter lag of the vertical peak
    assert steps[0].t_s == pytest.approx(first_peak_s, abs=0.1)
    # every walking peak (18 in 10 s at 1.8 Hz) keeps its contact
    walk_peaks_s = 3.0 + 0.25 / 1.8 + np.arange(18) / 1.8
    step_t_s = np.array([s.t_s for s in steps])
    assert all(np.min(np.abs(step_t_s - p)) < 0.1 for p in walk_peaks_s)


@pytest.mark.parametrize(
    ("placement", "lead_s", "push_off_kept"),
    [
        # one swing phase (0.4 s, under 0.8 of the 0.55 s steps) before the first heel strike: the push-off
        ("lower_back", 0.40, False),
        ("waist", 0.40, False),
        # a whole step before it: a (soft) first heel strike, kept
        ("lower_back", 0.55, True),
        # the rule is for trunk sensors only
        ("pocket", 0.40, True),
    ],
)
def test_push_off_of_the_first_swing_is_no_contact(placement: str, lead_s: float, push_off_kept: bool) -> None:
    # Quiet standing, then the trunk peak of the first swing leg's push-off (two thirds of a heel strike's peak,
    # too strong for the FIRST_PEAK_RATIO test), then 12 heel strikes every 0.55 s from 3 s.
    t = np.arange(0.0, 14.0, 0.01)
    impacts_s = 3.0 + 0.55 * np.arange(12)
    push_off_s = impacts_s[0] - lead_s
    vertical = sum(_impact(t, t0, 3.0) for t0 in impacts_s) + _impact(t, push_off_s, 2.0)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    step_t_s = np.array([e.t_s for e in run(GaitTracker(placement=placement), t, acc, []) if e.kind == "step"])
    expected_s = np.insert(impacts_s, 0, push_off_s) if push_off_kept else impacts_s
    assert len(step_t_s) == len(expected_s)
    assert np.abs(step_t_s - expected_s).max() < 0.1


@pytest.mark.parametrize("placement", ["lower_back", "hand"])
def test_two_impacts_in_one_step_give_one_contact(placement: str) -> None:
    # A slow walker (0.7 s steps) whose trunk (or the phone in the hand) sees the heel strike and, 0.25 s later, a
    # larger loading peak.
    t = np.arange(0.0, 20.0, 0.01)
    impacts_s = 3.0 + 0.7 * np.arange(20)
    vertical = sum(_impact(t, t0, 2.0) + _impact(t, t0 + 0.25, 3.0) for t0 in impacts_s)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    steps = [e for e in run(GaitTracker(placement=placement), t, acc, []) if e.kind == "step"]
    step_t_s = np.array([s.t_s for s in steps])
    # one contact per step; in the confirmed bout at its first impact (within the contact-delay correction), the
    # first impact being already emitted when the second comes; before that (nothing emitted yet) the stronger
    # impact wins, which keeps the bout's first two contacts within the 0.25 s matching tolerance
    assert len(step_t_s) == len(impacts_s)
    assert np.abs(step_t_s[2:] - impacts_s[2:]).max() < 0.1
    assert np.abs(step_t_s[:2] - impacts_s[:2] - 0.25).max() < 0.1


def _impact(t: np.ndarray, t0_s: float, amplitude_ms2: float, width_s: float = 0.06) -> np.ndarray:
    """A zero-mean step impact: a sharp upward peak in a broad dip (the trunk's vertical speed returns to zero)."""
    return amplitude_ms2 * (np.exp(-0.5 * ((t - t0_s) / width_s) ** 2) - 0.3 * np.exp(-0.5 * ((t - t0_s) / 0.2) ** 2))


@pytest.mark.parametrize(
    ("placement", "step_s", "delay_steps", "found"),
    [
        ("lower_back", 0.55, 1.0, True),  # one step after the last: where the bout's rhythm expects it
        ("lower_back", 0.55, 1.5, False),  # half a step late: out of rhythm, a soft bump is no contact
        ("pocket", 0.55, 1.0, False),  # the rule is for lower-back sensors only
        ("lower_back", 0.65, 0.7, True),  # the short closing step lands early: counted, as no contact follows it
        ("lower_back", 0.65, 0.5, False),  # sooner than two steps of a walk may differ (MAX_STEP_RATIO): no contact
    ],
)
def test_a_soft_closing_step_counts_where_the_rhythm_expects_it(
    placement: str, step_s: float, delay_steps: float, found: bool
) -> None:
    # 12 steps of 3 m/s^2 impacts, then the trailing foot set down softly (10 % of a step's impact)
    t = np.arange(0.0, 16.0, 0.01)
    impacts_s = 3.0 + step_s * np.arange(12)
    closing_s = impacts_s[-1] + step_s * delay_steps
    vertical = sum(_impact(t, t0, 3.0) for t0 in impacts_s) + _impact(t, closing_s, 0.3)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    step_t_s = np.array([e.t_s for e in run(GaitTracker(placement=placement), t, acc, []) if e.kind == "step"])
    expected_s = np.append(impacts_s, closing_s) if found else impacts_s
    assert len(step_t_s) == len(expected_s)
    assert np.abs(step_t_s - expected_s).max() < 0.1


@pytest.mark.parametrize("splits", [[], [1043], [1043, 1047, 1200]])
def test_a_soft_early_bump_inside_a_walk_is_no_step(splits: list[int]) -> None:
    # The same soft bump 0.7 of a step after a contact, but the walk goes on: only a closing step may come that
    # early (it is held back until the bout ends), in one chunk or split around the bump
    t = np.arange(0.0, 20.0, 0.01)
    impacts_s = 3.0 + 0.65 * np.arange(20)
    vertical = sum(_impact(t, t0, 3.0) for t0 in impacts_s) + _impact(t, impacts_s[10] + 0.7 * 0.65, 0.3)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    step_t_s = np.array([e.t_s for e in run(GaitTracker(placement="lower_back"), t, acc, splits) if e.kind == "step"])
    assert len(step_t_s) == len(impacts_s)
    assert np.abs(step_t_s - impacts_s).max() < 0.1


def _walk_with_a_sway(sway_s: float, dip_ms2: float, skip: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """14 steps of 0.8 s (3 m/s^2 impacts from 3 s) and a trunk sway at ``sway_s``: a sharp 1.5 m/s^2 bump on a
    broad dip of ``dip_ms2``; with a dip of 2.5 m/s^2 the vertical acceleration stays below gravity throughout
    (no loading). ``skip``: the index of an impact left out (the sway stands in for that step)."""
    t = np.arange(0.0, 17.0, 0.01)
    impacts_s = 3.0 + 0.8 * np.arange(14)
    vertical = sum(_impact(t, t0, 3.0) for k, t0 in enumerate(impacts_s) if k != skip)
    vertical += 1.5 * np.exp(-0.5 * ((t - sway_s) / 0.08) ** 2) - dip_ms2 * np.exp(-0.5 * ((t - sway_s) / 0.25) ** 2)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    return t, acc


SWAY_S = 3.0 + 0.8 * 8 + 0.4  # half a step after the 9th contact: where the rhythm expects none


@pytest.mark.parametrize(
    ("placement", "dip_ms2", "splits", "sway_is_step"),
    [
        ("lower_back", 2.5, [], False),  # no loading, off the rhythm: a sway, no contact
        ("lower_back", 2.5, [975, 985, 1000], False),  # the same split around the sway's decision
        ("lower_back", 0.0, [], True),  # the same bump with loading (above gravity) stays a contact
        ("pocket", 2.5, [], True),  # the rule is for a lower-back sensor only
    ],
)
def test_an_unloaded_sway_between_steps_is_no_contact(
    placement: str, dip_ms2: float, splits: list[int], sway_is_step: bool
) -> None:
    t, acc = _walk_with_a_sway(SWAY_S, dip_ms2)
    step_t_s = np.array([e.t_s for e in run(GaitTracker(placement=placement), t, acc, splits) if e.kind == "step"])
    impacts_s = 3.0 + 0.8 * np.arange(14)
    extra_s = step_t_s[np.min(np.abs(step_t_s[:, None] - impacts_s[None, :]), axis=1) > 0.1]
    assert len(step_t_s) == len(impacts_s) + sway_is_step
    assert np.min(np.abs(step_t_s[:, None] - impacts_s[None, :]), axis=0).max() < 0.1  # every impact found
    if sway_is_step:
        assert extra_s == pytest.approx([SWAY_S], abs=0.15)


def test_an_unloaded_contact_where_the_rhythm_expects_one_counts() -> None:
    # A step in a turn: the trunk pivots over the foot and shows no loading, one step after the previous contact
    impacts_s = 3.0 + 0.8 * np.arange(14)
    t, acc = _walk_with_a_sway(impacts_s[9], 2.5, skip=9)
    step_t_s = np.array([e.t_s for e in run(GaitTracker(placement="lower_back"), t, acc, []) if e.kind == "step"])
    assert len(step_t_s) == len(impacts_s)
    assert np.abs(step_t_s - impacts_s).max() < 0.1


def test_no_steps_while_standing_still() -> None:
    t, acc = walk_signal(walk_s=0.0, rest_before_s=30.0, rest_after_s=0.0)
    events = run(GaitTracker(placement="pocket"), t, acc, [])
    assert events == []


def test_irregular_phone_sampling_gives_the_same_cadence() -> None:
    t, acc = walk_signal(step_hz=1.7, rate_hz=60.0, jitter_s=0.004, tilt_deg=60)
    events = run(GaitTracker(placement="hand"), t, acc, [])
    strides = [e for e in events if e.kind == "stride"]
    assert np.median([s.cadence_spm for s in strides]) == pytest.approx(102.0, abs=1.0)


def test_stride_events_carry_length_confidence_and_method() -> None:
    t, acc = walk_signal()
    events = run(GaitTracker(placement="lower_back", body_height_m=1.8), t, acc, [])
    stride = next(e for e in events if e.kind == "stride")
    assert stride.method == "inverted_pendulum"
    assert stride.length_m is not None and stride.length_m > 0
    assert 0 < stride.confidence <= 1
    assert stride.speed_mps == pytest.approx(stride.length_m / stride.duration_s, rel=1e-3)


def test_a_stride_longer_than_any_walking_stride_gets_no_confidence() -> None:
    # A vertical bounce of 4 m/s^2 at 1.5 steps/s moves the sensor 2 A / (2 pi f)^2 = 9 cm up and down each step:
    # at a sensor height of 1.6 m and a factor of 1.5 the pendulum model gives strides far beyond the 2.5 m of
    # any walking stride; such a length is reported but never trusted (confidence 0)
    step_hz, amplitude_ms2, height_m, scale = 1.5, 4.0, 1.6, 1.5
    excursion_m = 2 * amplitude_ms2 / (2 * np.pi * step_hz) ** 2
    assert 2 * scale * pendulum_step_length_m(excursion_m, height_m) > 2.5 * 1.2
    t, acc = walk_signal(amplitude_ms2=amplitude_ms2, step_hz=step_hz)
    tracker = GaitTracker(placement="lower_back", sensor_height_m=height_m, stride_scale=scale)
    strides = [e for e in run(tracker, t, acc, []) if e.kind == "stride"]
    assert len(strides) > 20 and all(s.length_m is not None and s.length_m > 2.5 for s in strides)
    assert [s.confidence for s in strides] == [0.0] * len(strides)


def test_wrist_gives_cadence_but_no_length() -> None:
    t, acc = walk_signal()
    events = run(GaitTracker(placement="wrist"), t, acc, [])
    strides = [e for e in events if e.kind == "stride"]
    assert strides and all(s.length_m is None and s.confidence == 0 and s.method == "none" for s in strides)


def test_a_gap_ends_the_bout_and_is_never_bridged() -> None:
    t, acc = walk_signal(walk_s=30.0)
    keep = (t < 12.0) | (t > 14.0)  # a 2 s hole in the middle of walking
    events = run(GaitTracker(placement="lower_back"), t[keep], acc[keep], [])
    bouts = [e for e in events if e.kind == "bout"]
    assert len(bouts) == 2
    assert bouts[0].end_s < 12.0 and bouts[1].start_s > 14.0


walk_t, walk_acc = walk_signal(step_hz=1.75, walk_s=25.0, rate_hz=97.0, jitter_s=0.002, tilt_deg=20, seed=3)
# A second bout after a pause makes bout boundaries part of the parity check.
_t2, _a2 = walk_signal(step_hz=1.9, walk_s=10.0, rate_hz=97.0, jitter_s=0.002, tilt_deg=20, seed=4)
walk_t = np.concatenate((walk_t, _t2 + walk_t[-1] + 0.0103))
walk_acc = np.concatenate((walk_acc, _a2))
WHOLE = run(GaitTracker(placement="lower_back", body_height_m=1.7), walk_t, walk_acc, [])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(walk_t) - 1), max_size=60))
def test_chunked_equals_whole(splits: list[int]) -> None:
    events = run(GaitTracker(placement="lower_back", body_height_m=1.7), walk_t, walk_acc, splits)
    assert events == WHOLE


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=len(walk_t) - 1), st.integers(min_value=1, max_value=50))
def test_pickled_mid_stream_resumes_identically(cut: int, chunk: int) -> None:
    tracker = GaitTracker(placement="lower_back", body_height_m=1.7)
    events = []
    for a in range(0, cut, chunk):
        b = min(a + chunk, cut)
        events += tracker.update(Chunk(walk_t[a:b], walk_acc[a:b]))
    resumed = pickle.loads(pickle.dumps(tracker))
    events += resumed.update(Chunk(walk_t[cut:], walk_acc[cut:])) + resumed.finish()
    assert events == WHOLE


def test_running_figures_after_every_chunk_equal_the_batch_figures_on_the_data_so_far() -> None:
    tracker = GaitTracker(placement="lower_back", body_height_m=1.7)
    live: list = []
    for end in range(1000, len(walk_t), 1000):
        live += tracker.update(Chunk(walk_t[end - 1000 : end], walk_acc[end - 1000 : end]))
        batch = GaitTracker(placement="lower_back", body_height_m=1.7).update(Chunk(walk_t[:end], walk_acc[:end]))
        assert live == batch


def test_input_is_not_mutated() -> None:
    t, acc = walk_t.copy(), walk_acc.copy()
    run(GaitTracker(placement="lower_back"), t, acc, [500, 1500])
    assert np.array_equal(t, walk_t) and np.array_equal(acc, walk_acc)


@pytest.mark.parametrize(
    ("time_s", "reason"),
    [
        (np.array([0.0, 0.01, 0.01, 0.02]), "time_not_increasing"),
        (np.array([0.0, 0.02, 0.01, 0.03]), "time_not_increasing"),
    ],
)
def test_time_that_repeats_or_goes_backwards_is_refused(time_s: np.ndarray, reason: str) -> None:
    acc = np.tile([0.0, 0.0, 9.81], (len(time_s), 1))
    with pytest.raises(GaitError) as err:
        GaitTracker(placement="waist").update(Chunk(time_s, acc))
    assert err.value.reason == reason


def test_time_going_backwards_across_chunks_is_refused() -> None:
    tracker = GaitTracker(placement="waist")
    acc = np.tile([0.0, 0.0, 9.81], (3, 1))
    tracker.update(Chunk(np.array([1.0, 1.01, 1.02]), acc))
    with pytest.raises(GaitError, match="strictly increase"):
        tracker.update(Chunk(np.array([1.0, 1.03, 1.04]), acc))


def test_nan_in_a_chunk_is_refused() -> None:
    acc = np.tile([0.0, 0.0, 9.81], (3, 1))
    acc[1, 0] = np.nan
    with pytest.raises(GaitError, match="NaN"):
        GaitTracker(placement="waist").update(Chunk(np.array([0.0, 0.01, 0.02]), acc))


@pytest.mark.parametrize("n_samples", [3, 10, 100])  # the chunk check takes a Python path up to 32 samples
@pytest.mark.parametrize(("where", "bad"), [("time", np.nan), ("time", np.inf), ("acc", np.inf), ("acc", -np.inf)])
def test_a_non_finite_value_anywhere_in_a_chunk_is_refused(n_samples: int, where: str, bad: float) -> None:
    time_s = np.arange(n_samples) * 0.01
    acc = np.tile([0.0, 0.0, 9.81], (n_samples, 1))
    (time_s if where == "time" else acc[:, 2])[n_samples // 2] = bad
    with pytest.raises(GaitError) as err:
        GaitTracker(placement="waist").update(Chunk(time_s, acc))
    assert err.value.reason == "non_finite"


@pytest.mark.parametrize("n_samples", [3, 10, 100])
def test_huge_finite_values_are_not_taken_for_non_finite_ones(n_samples: int) -> None:
    # The quick finiteness test sums (or squares) the chunk, which overflows to inf here: only the element-wise
    # test it falls back to may decide. (Such values are absurd; the filters overflow on them, hence no warnings.)
    time_s = np.arange(n_samples) * 0.01
    acc = np.tile([0.0, 0.0, 9.81], (n_samples, 1))
    acc[n_samples // 2, :2] = 1e308  # their sum overflows as well as their squares
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        GaitTracker(placement="waist").update(Chunk(time_s, acc))  # no GaitError


def test_unknown_placement_and_implausible_settings_are_refused() -> None:
    with pytest.raises(GaitError, match="unknown placement"):
        GaitTracker(placement="ankle-bracelet")
    with pytest.raises(GaitError, match="body_height_m"):
        GaitTracker(placement="waist", body_height_m=17.5)


def _recording(t: np.ndarray, acc: np.ndarray) -> Recording:
    return Recording(time_s=t, acc_ms2=acc, placement="lower_back")


def test_analysis_of_a_recording_without_walking_says_so() -> None:
    t, acc = walk_signal(walk_s=0.0, rest_before_s=20.0, rest_after_s=0.0)
    result = analyze(_recording(t, acc))
    assert result.steps == [] and result.reason == "no walking found"
    assert result.summary["cadence_spm"] is None and result.summary["stride_length_m"] is None


def test_analysis_shorter_than_a_stride_gives_an_empty_result_with_its_reason() -> None:
    t, acc = walk_signal(walk_s=1.0, rest_before_s=0.2, rest_after_s=0.0)
    result = analyze(_recording(t, acc))
    assert result.strides == [] and result.reason.startswith("too short")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda t, a: (t, a / 9.81), "units_look_like_g"),
        (lambda t, a: (t[::10], a[::10]), "rate_too_low"),
        (lambda t, a: (t, np.where(np.arange(len(t))[:, None] == 5, np.inf, a)), "non_finite"),
        (lambda t, a: (t, a - a.mean(axis=0)), "gravity_missing"),
        (lambda t, a: (np.where(np.arange(len(t)) == 50, t[49], t), a), "time_not_increasing"),
        (lambda t, a: (t[::-1].copy(), a), "time_not_increasing"),
    ],
)
def test_analysis_refuses_broken_input_with_a_reason(mutate, reason: str) -> None:
    t, acc = walk_signal(walk_s=5.0)
    t, acc = mutate(t, acc)
    with pytest.raises(GaitError) as err:
        analyze(_recording(t, acc))
    assert err.value.reason == reason


def test_offline_result_does_not_depend_on_the_chunk_length() -> None:
    rec = _recording(walk_t, walk_acc)
    assert analyze(rec, chunk_s=3.7).to_dict() == analyze(rec, chunk_s=600).to_dict()


def test_json_document_has_the_stable_keys() -> None:
    doc = analyze(_recording(walk_t, walk_acc)).to_dict()
    assert set(doc["summary"]) >= {
        "steps",
        "strides",
        "cadence_spm",
        "stride_length_m",
        "distance_m",
        "walking_time_s",
        "duration_s",
    }
    assert set(doc["strides"][0]) >= {
        "start_s",
        "end_s",
        "duration_s",
        "length_m",
        "cadence_spm",
        "speed_mps",
        "confidence",
    }
    assert set(doc["steps"][0]) == {"t_s", "side"} and set(doc["bouts"][0]) >= {"start_s", "end_s"}


def test_progress_rises_to_one_once_per_chunk() -> None:
    shares: list[float] = []
    analyze(_recording(walk_t, walk_acc), chunk_s=10.0, progress=shares.append)
    assert len(shares) == int(np.ceil((walk_t[-1] - walk_t[0]) / 10.0))
    assert shares == sorted(shares) and shares[-1] == 1.0 and shares[0] > 0


@pytest.mark.parametrize("name", ["mobgap_lower_back_daily_living", "oxford_phone_in_hand", "gaitmap_right_foot"])
def test_real_recordings_in_live_sized_chunks_give_the_offline_events(name: str) -> None:
    # Live chunks take other code paths than a whole recording (block-matrix filters, the Python peak scan): on
    # real signals that trigger every detection rule, 10-sample chunks must give exactly the offline events.
    from tests.sample_data import samples

    sample = next(s for s in samples() if s.name == name)
    rec = sample.load()
    kwargs = {"placement": rec.placement, "body_height_m": rec.body_height_m, "sensor_height_m": rec.sensor_height_m}
    whole = GaitTracker(**kwargs)
    offline = whole.update(Chunk(rec.time_s, rec.acc_ms2, rec.gyr_dps)) + whole.finish()
    live_tracker = GaitTracker(**kwargs)
    live: list = []
    for a in range(0, rec.n_samples, 10):
        gyr = None if rec.gyr_dps is None else rec.gyr_dps[a : a + 10]
        live += live_tracker.update(Chunk(rec.time_s[a : a + 10], rec.acc_ms2[a : a + 10], gyr))
    live += live_tracker.finish()
    assert len([e for e in offline if e.kind == "stride"]) > 10
    assert live == offline


def _slow_hand_walk(step_s: float = 0.75, bump_after_s: float = 0.45, n_steps: int = 24) -> tuple:
    """A slow walk with the phone in the hand: the body's bob, one cycle per step (1 m/s^2, highest at heel
    strike), each step's heel-strike impact, then a second bump (70 % of the impact) ``bump_after_s`` later, as the
    arm springs back; with 0.03 m/s^2 noise. Returns time, acceleration and the heel-strike times."""
    t = np.arange(0.0, 3.0 + n_steps * step_s + 3.0, 0.01)
    impacts_s = 3.0 + step_s * np.arange(n_steps)
    walking = (t > impacts_s[0] - step_s / 2) & (t < impacts_s[-1] + step_s / 2)
    vertical = np.where(walking, 1.0 * np.cos(2 * np.pi * (t - impacts_s[0]) / step_s), 0.0)
    vertical += sum(_impact(t, t0, 3.0) + _impact(t, t0 + bump_after_s, 2.1) for t0 in impacts_s)
    vertical += np.random.default_rng(7).normal(0.0, 0.03, len(t))
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    return t, acc, impacts_s


def test_a_hand_held_phones_second_bump_half_a_step_later_is_no_step() -> None:
    # 80 steps/min; the second bump comes 0.45 s after the impact, beyond MIN_STEP_S, and is a clear peak of its
    # own (a pocket phone counts it, below): only the walk's rhythm (0.75 s; the bob makes the signal
    # anti-correlated at 0.45 s) tells it from a step.
    t, acc, impacts_s = _slow_hand_walk()
    events = run(GaitTracker(placement="hand"), t, acc, [])
    step_t_s = np.array([e.t_s for e in events if e.kind == "step"])
    strides = [e for e in events if e.kind == "stride"]
    assert len(step_t_s) == len(impacts_s)
    # every step at its impact once the rhythm is measured (the bout's first contacts may take the bump)
    assert np.abs(step_t_s[4:] - impacts_s[4:]).max() < 0.1
    assert np.median([s.cadence_spm for s in strides]) == pytest.approx(80.0, abs=0.5)


def test_the_rhythm_rule_is_for_a_phone_in_the_hand_only() -> None:
    # In a pocket the rhythm is not consulted: the bump, 0.45 s after each impact and so 0.30 s before the next, is
    # taken for a contact, and the impact after it for that step's second impact (ONE_IMPACT_PER_STEP; the first of
    # the two is kept, FIRST_OF_TWO_PLACEMENTS): one step per step, at the bump.
    t, acc, impacts_s = _slow_hand_walk()
    steps_s = np.array([e.t_s for e in run(GaitTracker(placement="pocket"), t, acc, []) if e.kind == "step"])
    assert len(steps_s) == len(impacts_s)
    assert np.abs(steps_s - (impacts_s + 0.45)).max() < 0.05


def _thigh_walk(stride_s: float = 1.2, n_strides: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A phone in a trouser pocket, on one thigh: each stride the own leg's heel strike (5 m/s^2), half a stride
    later the other leg's, weaker through the pelvis (2.5 m/s^2), and 0.15 s after that (the double support) the
    own leg's toe-off, the thigh jerking into its swing (3.5 m/s^2, larger than the heel strike before it); sharp
    (0.03 s) bumps with 0.03 m/s^2 noise. Returns time, acceleration and both legs' heel-strike times."""
    t = np.arange(0.0, 3.0 + n_strides * stride_s + 3.0, 0.01)
    own_s = 3.0 + stride_s * np.arange(n_strides)
    other_s = own_s + stride_s / 2
    width_s = 0.03
    vertical = sum(
        _impact(t, t0, 5.0, width_s) + _impact(t, t1, 2.5, width_s) + _impact(t, t1 + 0.15, 3.5, width_s)
        for t0, t1 in zip(own_s, other_s, strict=True)
    )
    vertical += np.random.default_rng(9).normal(0.0, 0.03, len(t))
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    return t, acc, np.sort(np.concatenate((own_s, other_s)))


def test_a_pocket_phone_counts_the_other_legs_heel_strike_not_its_own_toe_off() -> None:
    # 100 steps/min. The toe-off's band-passed bump is larger than the heel strike's 0.15 s before it, which is
    # decided after W_FWD_S, before the larger bump comes: without ONE_IMPACT_PER_STEP both count (40 contacts for
    # 26 steps here). Scored from 5 s on (the walk's first contacts are decided before a bout confirms them).
    t, acc, heel_strikes_s = _thigh_walk()
    steps_s = np.array([e.t_s for e in run(GaitTracker(placement="pocket"), t, acc, []) if e.kind == "step"])
    inside = (heel_strikes_s > 5.0) & (heel_strikes_s < heel_strikes_s[-1] - 1.0)
    found = steps_s[(steps_s > 5.0 - 0.1) & (steps_s < heel_strikes_s[-1] - 1.0 + 0.1)]
    assert len(found) == inside.sum()
    assert np.abs(found - heel_strikes_s[inside]).max() < 0.05
    # the same events however the input is split
    assert run(GaitTracker(placement="pocket"), t, acc, [517, 1203, 1204, 1590]) == run(
        GaitTracker(placement="pocket"), t, acc, []
    )


# Not "hand": there the rhythm test (RHYTHM_PLACEMENTS) takes the short step, at 0.35 of the stride period the
# autocorrelation finds, for the arm's second bump and drops it; the bout breaks after its first stride.
@pytest.mark.parametrize("placement", ["pocket", "lower_back", "waist", "chest"])
@pytest.mark.parametrize("step_ratio", [1.9, 2.2])
def test_a_walk_with_unequal_left_and_right_steps_is_found_from_its_first_step(
    placement: str, step_ratio: float
) -> None:
    # A limping walker, or a pocket phone that feels one leg's contact late: every stride 1.2 s (100 steps/min), its
    # steps 0.79 and 0.41 s at a ratio of 1.9 (0.83 and 0.37 s at 2.2): beyond MAX_STEP_RATIO for two consecutive
    # steps, within MAX_STEP_ASYMMETRY. Step by step the walk never looks regular (before the stride-to-stride
    # test no step at all was found), stride by stride it is: one bout from the first heel strike, every step.
    t, acc, heel_strikes_s = limping_walk_signal(step_ratio=step_ratio)
    events = run(GaitTracker(placement=placement), t, acc, [])
    steps_s = np.array([e.t_s for e in events if e.kind == "step"])
    bouts = [e for e in events if e.kind == "bout"]
    assert len(bouts) == 1 and abs(bouts[0].start_s - heel_strikes_s[0]) < 0.1
    assert len(steps_s) == len(heel_strikes_s)
    assert np.abs(steps_s - heel_strikes_s).max() < 0.1
    # The bout opens at its fifth contact (two strides): the stride that ends there is its first, emitted as soon as
    # that contact is decided (the two before it would be late), then one stride per contact.
    strides = [e for e in events if e.kind == "stride"]
    assert len(strides) == len(heel_strikes_s) - 4
    assert abs(strides[0].end_s - heel_strikes_s[4]) < 0.1
    assert np.median([s.cadence_spm for s in strides]) == pytest.approx(100.0, abs=0.5)
    # the same events however the input is split
    assert run(GaitTracker(placement=placement), t, acc, [417, 1003, 1004, 1390]) == events


@pytest.mark.parametrize("placement", ["pocket", "hand", "lower_back", "waist", "chest", "wrist"])
@pytest.mark.parametrize("stride_s", [1.05, 1.2])
def test_the_short_step_of_an_alternating_walk_is_found_inside_the_bout(placement: str, stride_s: float) -> None:
    # Steps at a ratio of 2.0, the short one first: 0.35 s of a 1.05 s stride (0.4 of 1.2), ending at the far leg's
    # weaker heel strike. Its band-passed peak lies within W_BACK_S of the near leg's larger one, so the peak test
    # alone drops it (the interval becomes a stride), and a walk that starts on it lost its first contact to the
    # push-off test. The bout's own rhythm expects it (SHORT_STEP_PLACEMENTS): every heel strike is a step, one bout.
    t, acc, heel_strikes_s = limping_walk_signal(step_ratio=2.0, stride_s=stride_s, long_first=False)
    events = run(GaitTracker(placement=placement), t, acc, [])
    steps_s = np.array([e.t_s for e in events if e.kind == "step"])
    assert len([e for e in events if e.kind == "bout"]) == 1
    assert len(steps_s) == len(heel_strikes_s)
    assert np.abs(steps_s - heel_strikes_s).max() < 0.1
    # the same events however the input is split, and through a pickle mid-walk (the rhythm is carried state)
    assert run(GaitTracker(placement=placement), t, acc, [303, 517, 1203, 1204, 1590]) == events
    tracker = GaitTracker(placement=placement)
    head = tracker.update(Chunk(t[:1111], acc[:1111]))
    resumed = pickle.loads(pickle.dumps(tracker))
    assert head + resumed.update(Chunk(t[1111:], acc[1111:])) + resumed.finish() == events


_short_first_t, _short_first_acc, _ = limping_walk_signal(step_ratio=2.0, stride_s=1.05, long_first=False)
SHORT_FIRST_WHOLE = run(GaitTracker(placement="hand"), _short_first_t, _short_first_acc, [])


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=len(_short_first_t) - 1), max_size=40),
    st.integers(1, len(_short_first_t) - 1),
)
def test_short_step_rule_chunked_and_pickled_equals_whole(splits: list[int], cut: int) -> None:
    # The shadowed peaks, the bout's alternating rhythm and the hand's rhythm window are carried between chunks and
    # through a pickle.
    assert sum(e.kind == "step" for e in SHORT_FIRST_WHOLE) == 28  # every step (see the test above)
    assert run(GaitTracker(placement="hand"), _short_first_t, _short_first_acc, splits) == SHORT_FIRST_WHOLE
    tracker = GaitTracker(placement="hand")
    events = tracker.update(Chunk(_short_first_t[:cut], _short_first_acc[:cut]))
    resumed = pickle.loads(pickle.dumps(tracker))
    rest = resumed.update(Chunk(_short_first_t[cut:], _short_first_acc[cut:])) + resumed.finish()
    assert events + rest == SHORT_FIRST_WHOLE


_limp_t, _limp_acc, _ = limping_walk_signal(step_ratio=1.9)
LIMP_WHOLE = run(GaitTracker(placement="pocket"), _limp_t, _limp_acc, [])


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(_limp_t) - 1), max_size=40), st.integers(1, len(_limp_t) - 1))
def test_alternating_bout_start_chunked_and_pickled_equals_whole(splits: list[int], cut: int) -> None:
    # The chain of up to five contacts that opens an alternating walk is carried between chunks and through a pickle.
    assert sum(e.kind == "step" for e in LIMP_WHOLE) == 28  # 14 strides, every step (see the test above)
    assert run(GaitTracker(placement="pocket"), _limp_t, _limp_acc, splits) == LIMP_WHOLE
    tracker = GaitTracker(placement="pocket")
    events = tracker.update(Chunk(_limp_t[:cut], _limp_acc[:cut]))
    resumed = pickle.loads(pickle.dumps(tracker))
    assert events + resumed.update(Chunk(_limp_t[cut:], _limp_acc[cut:])) + resumed.finish() == LIMP_WHOLE


@pytest.mark.parametrize("placement", ["pocket", "lower_back"])
def test_steps_more_unequal_than_a_walk_allows_open_no_bout(placement: str) -> None:
    # Contacts 0.88 and 0.32 s apart in turn (ratio 2.75): the short one is under MIN_STEP_SHARE of its stride, less
    # than the other leg's swing takes, so stride by stride regular as they are, they are no walk.
    t, acc, _ = limping_walk_signal(step_ratio=2.75)
    assert [e for e in run(GaitTracker(placement=placement), t, acc, []) if e.kind == "bout"] == []


def test_a_hand_held_phone_follows_a_change_of_pace() -> None:
    # 12 steps at 0.75 s, then 20 at 0.5 s (1.5 x faster, within MAX_STEP_RATIO): no true step is dropped while
    # the measured rhythm still holds the slower pace, and nothing locks onto it afterwards.
    t = np.arange(0.0, 22.0, 0.01)
    impacts_s = np.concatenate((3.0 + 0.75 * np.arange(12), 3.0 + 0.75 * 12 + 0.5 * np.arange(20)))
    vertical = sum(_impact(t, t0, 3.0) for t0 in impacts_s) + np.random.default_rng(8).normal(0.0, 0.03, len(t))
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + vertical
    step_t_s = np.array([e.t_s for e in run(GaitTracker(placement="hand"), t, acc, []) if e.kind == "step"])
    assert len(step_t_s) == len(impacts_s)
    assert np.abs(step_t_s - impacts_s).max() < 0.1


_hand_t, _hand_acc, _ = _slow_hand_walk()
HAND_WHOLE = run(GaitTracker(placement="hand"), _hand_t, _hand_acc, [])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(_hand_t) - 1), max_size=60))
def test_hand_rhythm_rule_chunked_equals_whole(splits: list[int]) -> None:
    # The rhythm test reads 3 s of signal before each peak: the look-back kept between chunks must hold it.
    assert run(GaitTracker(placement="hand"), _hand_t, _hand_acc, splits) == HAND_WHOLE


def _bending_walk(step_hz: float, bend_deg: float) -> tuple[np.ndarray, np.ndarray, float]:
    """A synthetic lower-back walk whose trunk bounces with a known excursion, bending forward at 12 s.

    The vertical acceleration swings 2 m/s^2 at the step frequency, so the excursion is d = 2 a / (2 pi f)^2 and
    every stride is twice the pendulum step of the formula (returned). The forward acceleration swings as much
    (the trunk brakes and speeds up once per step). Within 0.1 s at 12 s the trunk pitches forward by
    ``bend_deg``, so that forward swing moves partly into the sensor's old vertical.
    """
    t, world = walk_signal(step_hz=step_hz, walk_s=20.0, amplitude_ms2=2.0, seed=5)
    world[:, 0] *= 4.0  # walk_signal's forward swing is 0.5 m/s^2
    angle = np.deg2rad(bend_deg) * np.clip((t - 12.0) / 0.1, 0.0, 1.0)
    acc = world.copy()
    acc[:, 0] = np.cos(angle) * world[:, 0] - np.sin(angle) * world[:, 2]
    acc[:, 2] = np.sin(angle) * world[:, 0] + np.cos(angle) * world[:, 2]
    d = 2 * 2.0 / (2 * np.pi * step_hz) ** 2
    return t, acc, 2 * pendulum_step_length_m(d, SENSOR_HEIGHT_PER_BODY_HEIGHT * 1.75)


@pytest.mark.parametrize("step_hz", [1.25, 2.0])
def test_lower_back_stride_length_is_the_pendulum_of_the_bounce(step_hz: float) -> None:
    # No filter between the bounce and its measure: exact up to the sensor noise (0.03 m/s^2) and the 10 ms grid
    # of the contacts. (A band-passed vertical was 1-2 % off here, by the filter's gain at the step frequency.)
    t, acc, expected_m = _bending_walk(step_hz, 0.0)
    events = run(GaitTracker(placement="lower_back", body_height_m=1.75), t, acc, [])
    lengths = [s.length_m for s in events if s.kind == "stride" and s.start_s > 5.0 and s.end_s < 22.0]
    assert len(lengths) >= 10
    assert lengths == pytest.approx([expected_m] * len(lengths), rel=0.005)


@pytest.mark.parametrize("step_hz", [1.25, 2.0])
def test_lower_back_stride_length_follows_a_bend_at_once(step_hz: float) -> None:
    # Each step is measured along its own vertical, so a second after the bend the strides are back to the
    # pendulum's length. The vertical of a low-pass gravity estimate still lagged the bend then: 4-5 % too long.
    # What remains is the contacts' timing, which still comes from that low-passed vertical (a step window a few
    # samples off one period).
    t, acc, expected_m = _bending_walk(step_hz, 40.0)
    events = run(GaitTracker(placement="lower_back", body_height_m=1.75), t, acc, [])
    lengths = [s.length_m for s in events if s.kind == "stride" and s.start_s > 13.0 and s.end_s < 22.0]
    assert len(lengths) >= 5
    assert lengths == pytest.approx([expected_m] * len(lengths), rel=0.025)


# ---------------------------------------------------------------------------------------------- sides (lower back)
def _sided_run(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, splits: list[int] = ()) -> list:
    tracker = GaitTracker(placement="lower_back", body_height_m=1.75)
    events = []
    for a, b in itertools.pairwise([0, *sorted(set(splits)), len(t)]):
        if b > a:
            events += tracker.update(Chunk(t[a:b], acc[a:b], None if gyr is None else gyr[a:b]))
    return events + tracker.finish()


def _side_outcomes(events: list, contacts_s: np.ndarray, sides: list[str]) -> tuple[int, int, int]:
    """(right, wrong, None) over the emitted steps within 0.15 s of a true contact."""
    right = wrong = unknown = 0
    for step in (e for e in events if e.kind == "step"):
        k = int(np.argmin(np.abs(contacts_s - step.t_s)))
        if abs(contacts_s[k] - step.t_s) > 0.15:
            continue
        if step.side is None:
            unknown += 1
        elif step.side == sides[k]:
            right += 1
        else:
            wrong += 1
    return right, wrong, unknown


SWAY_T, SWAY_ACC, SWAY_GYR, SWAY_CONTACTS_S, SWAY_SIDES = swaying_walk_signal()
SWAY_WHOLE = _sided_run(SWAY_T, SWAY_ACC, SWAY_GYR)


@pytest.mark.parametrize("first_side", ["left", "right"])
def test_lower_back_steps_carry_the_side_the_trunk_sways_toward(first_side: str) -> None:
    # The walk's roll misleads the accelerometer alone (see swaying_walk_signal): the side comes from the sway with
    # the gyroscope's roll taken out. The first contacts of the walk have no stride before them: None.
    t, acc, gyr, contacts_s, sides = swaying_walk_signal(first_side=first_side)
    events = _sided_run(t, acc, gyr)
    right, wrong, unknown = _side_outcomes(events, contacts_s, sides)
    assert wrong == 0 and right >= len(contacts_s) - 4 and unknown <= 4
    # A stride is its first contact's foot's, as a foot sensor's stride.
    side_at = {e.t_s: e.side for e in events if e.kind == "step"}
    strides = [e for e in events if e.kind == "stride"]
    assert len(strides) > 20 and all(s.side == side_at[s.start_s] for s in strides)
    assert sum(s.side is not None for s in strides) >= len(strides) - 3


def test_a_lower_back_sensor_without_gyroscope_gives_no_side() -> None:
    events = _sided_run(SWAY_T, SWAY_ACC, None)
    assert len([e for e in events if e.kind == "step"]) >= 28
    assert all(e.side is None for e in events if e.kind in ("step", "stride"))


@pytest.mark.parametrize("placement", ["waist", "pocket", "chest"])
def test_only_the_lower_back_is_sided_by_its_sway(placement: str) -> None:
    tracker = GaitTracker(placement=placement, body_height_m=1.75)
    events = tracker.update(Chunk(SWAY_T, SWAY_ACC, SWAY_GYR)) + tracker.finish()
    assert len([e for e in events if e.kind == "step"]) >= 20
    assert all(e.side is None for e in events if e.kind in ("step", "stride"))


def test_a_sensor_turned_back_to_front_gives_the_same_sides() -> None:
    # 180 deg about the vertical (a belt clip worn the other way round): forward and sideways axes both flip, the
    # walker's left stays up x forward.
    turn = np.diag([-1.0, -1.0, 1.0])
    events = _sided_run(SWAY_T, SWAY_ACC @ turn.T, SWAY_GYR @ turn.T)
    assert [(e.kind, getattr(e, "side", None)) for e in events] == [
        (e.kind, getattr(e, "side", None)) for e in SWAY_WHOLE
    ]
    steps_s = [e.t_s for e in events if e.kind == "step"]
    assert steps_s == pytest.approx([e.t_s for e in SWAY_WHOLE if e.kind == "step"], abs=1e-6)
    assert sum(e.side is not None for e in events if e.kind == "step") >= 25


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(SWAY_T) - 1), max_size=60))
def test_sides_chunked_equal_whole(splits: list[int]) -> None:
    assert _sided_run(SWAY_T, SWAY_ACC, SWAY_GYR, splits) == SWAY_WHOLE


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=len(SWAY_T) - 1), st.integers(min_value=1, max_value=50))
def test_sides_pickled_mid_stream_resume_identically(cut: int, chunk: int) -> None:
    tracker = GaitTracker(placement="lower_back", body_height_m=1.75)
    events = []
    for a in range(0, cut, chunk):
        b = min(a + chunk, cut)
        events += tracker.update(Chunk(SWAY_T[a:b], SWAY_ACC[a:b], SWAY_GYR[a:b]))
    resumed = pickle.loads(pickle.dumps(tracker))
    events += resumed.update(Chunk(SWAY_T[cut:], SWAY_ACC[cut:], SWAY_GYR[cut:])) + resumed.finish()
    assert events == SWAY_WHOLE
