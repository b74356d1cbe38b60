"""The core's boundary checks (gait.validate) on synthetic walks with exact answers: units and gravity told by
physics, time units by the step, positions named one way."""

from __future__ import annotations

import numpy as np
import pytest

from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.validate import (
    GRAVITY_BOUNDS_MS2,
    acceleration_magnitudes,
    check_acceleration_unit,
    check_samples,
    check_time_unit,
)
from tests.gait.synthetic import walk_signal

T, ACC = walk_signal(walk_s=20.0, tilt_deg=20)


def reason_of(time_s: np.ndarray, acc: np.ndarray, **kw) -> GaitError:
    with pytest.raises(GaitError) as err:
        check_samples(time_s, acc, **kw)
    return err.value


def test_a_walk_in_m_s2_with_gravity_passes() -> None:
    check_samples(T, ACC)


def test_gravity_dominates_the_mean_vector_of_a_walk() -> None:
    median_norm, gravity = acceleration_magnitudes(ACC, 100.0)
    assert gravity == pytest.approx(GRAVITY_MS2, rel=0.02)
    assert gravity / median_norm > 0.9


@pytest.mark.parametrize("unit_factor", [1.0, 1.0 / GRAVITY_MS2, 1000.0 / GRAVITY_MS2])
def test_without_gravity_the_mean_vector_is_near_zero_in_any_unit(unit_factor: float) -> None:
    # Gravity removed as a phone does (its slowly tracked direction subtracted): a walk's own accelerations stay.
    linear = (ACC - np.median(ACC, axis=0)) * unit_factor
    err = reason_of(T, linear)
    assert err.reason == "gravity_missing" and "linear acceleration (gravity removed)" in str(err)


@pytest.mark.parametrize(
    ("factor", "reason"),
    [
        (1.0 / GRAVITY_MS2, "units_look_like_g"),
        (1000.0 / GRAVITY_MS2, "units_look_like_mg"),
        (5.0, "implausible_acceleration"),
    ],
)
def test_units_are_told_by_gravity_s_magnitude(factor: float, reason: str) -> None:
    assert reason_of(T, ACC * factor).reason == reason


def test_the_gravity_bounds_keep_g_m_s2_and_milli_g_apart() -> None:
    low, high = GRAVITY_BOUNDS_MS2
    assert low < GRAVITY_MS2 < high
    assert high / GRAVITY_MS2 < low  # a reading in g can never pass for m/s^2
    assert high < low * 1000.0 / GRAVITY_MS2  # nor one in m/s^2 for milli-g


def test_zero_acceleration_is_no_signal() -> None:
    with pytest.raises(GaitError) as err:
        check_acceleration_unit(np.zeros((500, 3)), 100.0)
    assert err.value.reason == "no_signal"


@pytest.mark.parametrize(("per_s", "unit"), [(1e3, "milliseconds"), (1e6, "microseconds"), (1e9, "nanoseconds")])
def test_time_in_smaller_units_is_named(per_s: float, unit: str) -> None:
    with pytest.raises(GaitError, match=f"time looks like {unit}") as err:
        check_time_unit(T * per_s)
    assert err.value.reason == "time_not_seconds"


@pytest.mark.parametrize("step_s", [0.1, 0.5, 1.0, 2.0])
def test_a_slow_log_in_seconds_is_not_taken_for_milliseconds(step_s: float) -> None:
    check_time_unit(np.arange(100) * step_s)  # left to the rate check


def test_a_short_file_of_slow_steps_gets_the_rate_message_with_the_unit_as_a_hint() -> None:
    # 100 samples 10 apart: 0.1 Hz over 16 min, or 100 Hz over 1 s; too short to be sure, so both are said.
    t, acc = T[:100] * 1000.0, ACC[:100]
    err = reason_of(t, acc)
    assert err.reason == "rate_too_low"
    assert "record again at 50 Hz" in str(err) and "if the time column is in milliseconds, divide it by 1000" in str(
        err
    )


def test_positions_are_sample_indices_unless_a_reader_names_lines() -> None:
    acc = ACC.copy()
    acc[5, 0] = np.nan
    assert "first on sample 5 (counting from 0)" in str(reason_of(T, acc))
    assert "first on line 7" in str(reason_of(T, acc, locate=lambda i: f"line {i + 2}"))
    t = T.copy()
    t[50] = t[49]
    assert "repeats on line 52" in str(reason_of(t, ACC, locate=lambda i: f"line {i + 2}"))


def test_a_mean_smaller_than_gravity_in_any_unit_says_gravity_was_removed_or_scaled() -> None:
    at_rest = np.tile([0.02, -0.03, 0.04], (500, 1))  # linear acceleration of a sensor lying still: bias only
    with pytest.raises(GaitError, match="less than gravity in any unit") as err:
        check_acceleration_unit(at_rest, 100.0)
    assert err.value.reason == "gravity_missing"


def _jittery_log(nominal_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """The walk as a logger set to ``nominal_hz`` records it with clock jitter: 3 gaps in 5 run 0.6 % long (the
    median gap, as in a real 20 Hz Sensor Logger export: 0.0503 s), the others 8 % short, so the mean rate is above
    the nominal one and the median rate below it."""
    gaps = np.resize([1.006, 0.92, 1.006, 0.92, 1.006], 300) / nominal_hz
    time_s = np.concatenate([[0.0], np.cumsum(gaps)])
    time_s = time_s[time_s <= T[-1]]
    return time_s, np.column_stack([np.interp(time_s, T, ACC[:, k]) for k in range(3)])


def test_a_nominal_20_hz_logger_with_clock_jitter_is_accepted() -> None:
    time_s, acc = _jittery_log(20.0)
    assert 1.0 / np.median(np.diff(time_s)) < 20.0  # the median reads 19.9 Hz
    check_samples(time_s, acc)


def test_an_18_hz_logger_is_still_refused() -> None:
    err = reason_of(*_jittery_log(18.0))
    assert err.reason == "rate_too_low" and "17.9 Hz" in str(err)
