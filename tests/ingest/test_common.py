"""Properties of the shared rules: time ordering, gravity detection, unit inference, gait CSV round trip."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ingest
from gait.consts import GRAVITY_MS2
from gait.types import Recording
from ingest import IngestError
from ingest.common import gravity_present, infer_acc_unit, order_samples


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 200), swaps=st.lists(st.integers(0, 198), max_size=10), dups=st.lists(st.integers(0, 199)))
def test_order_samples_undoes_local_swaps_and_duplicates(n: int, swaps: list[int], dups: list[int]) -> None:
    time_s = np.arange(n) / 100.0
    values = np.column_stack([np.arange(n), -np.arange(n), np.ones(n)]).astype(float)
    order = np.arange(n)
    for i in swaps:
        if i + 1 < n:
            order[[i, i + 1]] = order[[i + 1, i]]
    for d in sorted({d for d in dups if d < n}, reverse=True):  # loggers write a sample twice, in place
        at = int(np.flatnonzero(order == d)[0])
        order = np.insert(order, at + 1, d)
    out_t, out_v = order_samples(time_s[order], values[order], what="x")
    np.testing.assert_array_equal(out_t, time_s)
    np.testing.assert_array_equal(out_v, values)


def test_order_samples_refuses_a_clock_reset() -> None:
    t = np.concatenate([np.arange(100), np.arange(100) + 0.5]) / 10.0
    with pytest.raises(IngestError, match="clock was reset"):
        order_samples(t, np.zeros((200, 3)), what="x")


@settings(max_examples=60, deadline=None)
@given(
    direction=hnp.arrays(float, 3, elements=st.floats(-1, 1)).filter(lambda v: np.linalg.norm(v) > 0.1),
    walk_ms2=st.floats(0.0, 6.0),
    seed=st.integers(0, 1000),
)
def test_gravity_detected_in_any_orientation(direction: np.ndarray, walk_ms2: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(1000) / 100.0
    walking = walk_ms2 * np.column_stack([np.sin(2 * np.pi * 1.8 * t + k) for k in range(3)])
    noise = rng.normal(0, 0.3, (1000, 3))
    gravity = GRAVITY_MS2 * direction / np.linalg.norm(direction)
    assert gravity_present(gravity + walking + noise, 100.0)
    assert not gravity_present(walking + noise, 100.0)  # a linear-acceleration export, even when brisk


@pytest.mark.parametrize(("scale", "unit"), [(1.0, "g"), (GRAVITY_MS2, "ms2")])
def test_infer_acc_unit(scale: float, unit: str) -> None:
    acc = np.tile([0.1, 0.2, 1.0], (50, 1)) * scale
    assert infer_acc_unit(acc) == unit


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 300),
    rate_hz=st.floats(25, 1000),
    t0=st.floats(-1e5, 1e5),
    acc=st.floats(-5, 5),  # a constant offset on x: gravity's magnitude stays within a worn sensor's range
    with_gyro=st.booleans(),
)
def test_gait_csv_round_trip(n: int, rate_hz: float, t0: float, acc: float, with_gyro: bool) -> None:
    time_s = t0 + np.arange(n) / rate_hz
    acc_ms2 = np.column_stack([np.full(n, acc), np.linspace(-3, 3, n), np.full(n, GRAVITY_MS2)])
    gyr = np.column_stack([np.linspace(-500, 500, n)] * 3) if with_gyro else None
    rec = Recording(time_s=time_s, acc_ms2=acc_ms2, gyr_dps=gyr)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        ingest.write_gait_csv(rec, path)
        back = ingest.read_gait_csv(path)
    np.testing.assert_allclose(back.time_s, time_s, atol=1e-6)
    np.testing.assert_allclose(back.acc_ms2, acc_ms2, rtol=1e-5, atol=1e-5)
    assert (back.gyr_dps is None) == (gyr is None)
