"""The side of a lower-back contact from the trunk's sway (gait.laterality): exact answers on synthetic strides."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from gait.laterality import contact_side, stride_sway
from tests.gait.synthetic import swaying_walk_signal


def _stride(k: int, **kwargs) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, str]:
    """Samples of the stride that ends at contact ``k`` of a swaying walk, and that contact's foot."""
    t, acc, gyr, contacts_s, sides = swaying_walk_signal(**kwargs)
    a, b = np.searchsorted(t, [contacts_s[k - 2], contacts_s[k]])
    return t, acc[a : b + 1], gyr, float(t[a]), float(t[b]), sides[k]


@pytest.mark.parametrize("first_side", ["left", "right"])
@pytest.mark.parametrize("k", [4, 5, 12, 13])
def test_the_sway_toward_the_landing_foot_gives_its_side(first_side: str, k: int) -> None:
    t, acc, gyr, start_s, end_s, side = _stride(k, first_side=first_side)
    forward, lever = stride_sway(acc, t, gyr, start_s, end_s)
    assert forward[0] > 0.9 * math.hypot(*forward)  # the pendulum points forward
    assert contact_side(forward, lever) == side


def test_the_gyroscope_takes_out_the_gravity_that_the_trunks_roll_puts_on_the_sideways_axis() -> None:
    # The walk's roll puts more gravity on the sideways axis than the sway's own acceleration, with the opposite
    # sign: read without the roll rate, the accelerometer gives the other foot.
    t, acc, gyr, start_s, end_s, side = _stride(10)
    forward, lever = stride_sway(acc, t, gyr, start_s, end_s)
    _, lever_without = stride_sway(acc, t, np.zeros_like(gyr), start_s, end_s)
    assert contact_side(forward, lever) == side
    assert contact_side(forward, lever_without) not in (side, None)
    # Without the roll both readings agree.
    t, acc, gyr, start_s, end_s, side = _stride(10, roll_deg=0.0)
    forward, lever = stride_sway(acc, t, gyr, start_s, end_s)
    assert contact_side(forward, lever) == side


@pytest.mark.parametrize("rotvec_deg", [[0.0, 0.0, 180.0], [70.0, -120.0, 35.0], [180.0, 0.0, 0.0]])
def test_any_mounting_gives_the_same_side(rotvec_deg: list[float]) -> None:
    # Up comes from gravity and left from up x forward: every quantity turns with the sensor, so a sensor clipped on
    # turned (back to front: 180 deg about the vertical; upside down) reads the same foot.
    t, acc, gyr, start_s, end_s, side = _stride(9)
    turn = Rotation.from_rotvec(np.deg2rad(rotvec_deg))
    forward, lever = stride_sway(turn.apply(acc), t, turn.apply(gyr), start_s, end_s)
    assert contact_side(forward, lever) == side
    assert contact_side(tuple(-f for f in forward), lever) not in (side, None)  # the forward sign decides it


def test_no_evidence_without_samples_or_gravity() -> None:
    t = np.arange(0.0, 1.0, 0.01)
    gyr = np.zeros((len(t), 3))
    assert stride_sway(np.zeros((3, 3)), t, gyr, 0.0, 0.02) is None  # too few samples
    assert stride_sway(np.zeros((100, 3)), t, gyr, 0.0, 0.99) is None  # no gravity
    assert stride_sway(np.tile([0.0, 0.0, 9.81], (100, 1)), t, gyr, 2.0, 3.0) is None  # no gyroscope sample
    assert contact_side((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)) is None
    assert contact_side((math.nan,) * 3, (1.0, 1.0, 1.0)) is None
