"""Foot sensor: contacts and ZUPT stride lengths on a synthetic walk whose kinematics are known exactly."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gait.analysis import analyze
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


@pytest.mark.parametrize("splits", [[1], [401, 402, 950], list(range(7, 3000, 173)), [1234, 2890]])
def test_foot_chunked_equals_whole(splits: list[int]) -> None:
    t, acc, gyr, _ = foot_walk_signal(first_swing_pause_s=0.12)

    def run(cuts: list[int]) -> list:
        tracker = GaitTracker(placement="foot")
        events = []
        for a, b in itertools.pairwise([0, *cuts, len(t)]):
            events += tracker.update(Chunk(t[a:b], acc[a:b], gyr[a:b]))
        return events + tracker.finish()

    assert run(splits) == run([])
