"""Foot sensor: contacts and ZUPT stride lengths on a synthetic walk whose kinematics are known exactly."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.analysis import analyze
from gait.errors import GaitError
from gait.tracker import GaitTracker
from gait.types import Chunk, Recording
from tests.gait.synthetic import foot_walk_signal


def _analyze(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray):
    return analyze(Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr, placement="foot"))


@pytest.mark.parametrize("pause_s", [0.0, 0.1, 0.2])
def test_every_heel_strike_is_a_contact_even_after_a_slow_first_step(pause_s: float) -> None:
    # With a pause the first swing stops turning halfway: the gyroscope looks like a stance for a moment. The
    # weak toe-off shock before that pause must not be taken for the contact; the heel strike after it must.
    t, acc, gyr, heel_strikes = foot_walk_signal(first_swing_pause_s=pause_s)
    steps = np.array([s.t_s for s in _analyze(t, acc, gyr).steps])
    assert len(steps) == len(heel_strikes)
    np.testing.assert_allclose(steps, heel_strikes, atol=0.02)


@pytest.mark.parametrize("stride_m", [0.9, 1.4])
@pytest.mark.parametrize("pause_s", [0.0, 0.15])
def test_zupt_stride_length_of_a_known_walk(stride_m: float, pause_s: float) -> None:
    # The foot starts rolling before the low-passed gyroscope says so and settles after it lands: integrating
    # from rest to rest recovers the displacement; integrating from the filtered thresholds loses about 5 %.
    t, acc, gyr, heel_strikes = foot_walk_signal(stride_m=stride_m, first_swing_pause_s=pause_s)
    strides = _analyze(t, acc, gyr).strides
    assert len(strides) == len(heel_strikes) - 1
    for s in strides:
        assert s.method == "zupt"
        assert s.length_m == pytest.approx(stride_m, rel=0.01)


# A walk that starts with the slow first step, so that the replacement of an unconfirmed contact and the
# look-ahead into the next stance both happen across chunk borders.
FOOT_T, FOOT_ACC, FOOT_GYR, _ = foot_walk_signal(n_strides=5, first_swing_pause_s=0.12)


def _run(tracker: GaitTracker, cuts: list[int]) -> list:
    events = []
    for a, b in itertools.pairwise([0, *sorted(set(cuts)), len(FOOT_T)]):
        events += tracker.update(Chunk(FOOT_T[a:b], FOOT_ACC[a:b], FOOT_GYR[a:b]))
    return events + tracker.finish()


FOOT_WHOLE = _run(GaitTracker(placement="foot"), [])


def test_the_foot_walk_gives_every_stride() -> None:
    assert sum(e.kind == "stride" for e in FOOT_WHOLE) == 4


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(FOOT_T) - 1), max_size=40))
def test_foot_chunked_equals_whole(splits: list[int]) -> None:
    assert _run(GaitTracker(placement="foot"), splits) == FOOT_WHOLE


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=len(FOOT_T) - 1), st.integers(min_value=1, max_value=60))
def test_foot_pickled_mid_stream_resumes_identically(cut: int, chunk: int) -> None:
    tracker = GaitTracker(placement="foot")
    events = []
    for a in range(0, cut, chunk):
        b = min(a + chunk, cut)
        events += tracker.update(Chunk(FOOT_T[a:b], FOOT_ACC[a:b], FOOT_GYR[a:b]))
    resumed = pickle.loads(pickle.dumps(tracker))
    events += resumed.update(Chunk(FOOT_T[cut:], FOOT_ACC[cut:], FOOT_GYR[cut:])) + resumed.finish()
    assert events == FOOT_WHOLE


def test_pivoting_on_the_spot_is_no_step() -> None:
    # A foot that turns about the vertical on the floor (as in a U-turn) swings its gyroscope like a step but
    # lands with no shock: the specific force stays gravity. Six such pivots, 1.1 s apart, are not a walk.
    rate_hz = 200.0
    t = np.arange(0.0, 10.0, 1.0 / rate_hz)
    gyr = np.zeros((len(t), 3))
    for k in range(6):
        u = (t - 2.0 - 1.1 * k) / 0.4
        gyr[:, 2] += np.where((u > 0) & (u < 1), 300.0 * np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)
    acc = np.tile([0.0, 0.0, 9.81], (len(t), 1))  # a turn about the vertical leaves gravity where it is
    assert _analyze(t, acc, gyr).steps == []


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_foot_sensor_given_its_shoe_labels_its_steps_and_strides(side: str) -> None:
    t, acc, gyr, _ = foot_walk_signal(stride_m=1.3, n_strides=8)
    rec = Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr)
    result = analyze(rec, placement="foot", sensor_side=side)
    assert result.steps and result.strides
    assert {s.side for s in result.steps} == {side} and {s.side for s in result.strides} == {side}
    doc = result.to_dict()
    assert {s["side"] for s in doc["steps"]} == {side} and {s["side"] for s in doc["strides"]} == {side}
    # without it the side is unknown, never guessed
    unknown = analyze(rec, placement="foot")
    assert {s.side for s in unknown.steps} == {None} and {s.side for s in unknown.strides} == {None}


@pytest.mark.parametrize(("placement", "side"), [("lower_back", "left"), ("foot", "middle"), ("pocket", "right")])
def test_a_side_is_refused_where_it_means_nothing(placement: str, side: str) -> None:
    with pytest.raises(GaitError, match="only a foot sensor has one") as err:
        GaitTracker(placement=placement, sensor_side=side)
    assert err.value.reason == "bad_setting"
