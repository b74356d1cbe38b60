"""Clock mapping and sequence counters on synthetic clocks with exact answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.ble.clock import ClockMapper, SequenceTracker, Unwrapper

pytestmark = pytest.mark.timeout(60)


def test_sequence_wraps_without_loss() -> None:
    tracker = SequenceTracker()
    assert [tracker.update(s) for s in (65533, 65534, 65535, 0, 1)] == [0, 0, 0, 0, 0]
    assert tracker.lost_packets == 0


def test_sequence_loss_across_wrap() -> None:
    tracker = SequenceTracker()
    assert [tracker.update(s) for s in (65534, 2, 3, 7)] == [0, 3, 0, 3]
    assert tracker.lost_packets == 6


def test_sequence_duplicate_and_late() -> None:
    tracker = SequenceTracker()
    assert [tracker.update(s) for s in (10, 11, 11, 9, 12)] == [0, 0, -1, -1, 0]
    assert (tracker.lost_packets, tracker.duplicates) == (0, 2)


@given(st.integers(0, 65535), st.lists(st.integers(1, 300), min_size=1, max_size=500))
def test_sequence_counts_every_gap(start: int, steps: list[int]) -> None:
    tracker = SequenceTracker()
    tracker.update(start)
    seq = start
    for step in steps:
        seq += step
        tracker.update(seq % 65536)
    assert tracker.lost_packets == sum(steps) - len(steps)


def test_unwrap_u32_clock() -> None:
    un = Unwrapper(1 << 32)
    values = [un.unwrap(v) for v in (2**32 - 20, 2**32 - 10, 5, 15)]
    assert values == [2**32 - 20, 2**32 - 10, 2**32 + 5, 2**32 + 15]


def test_clock_mapper_fits_drift_over_minutes() -> None:
    # sensor crystal 80 ppm fast; packets every 50 ms for 10 minutes; radio latency 5..60 ms (never negative)
    rng = np.random.default_rng(0)
    sensor_s = np.arange(0.0, 600.0, 0.05)
    true_host_s = 12.0 + sensor_s / (1 + 80e-6)
    arrival_s = true_host_s + 0.005 + rng.exponential(0.015, len(sensor_s))
    mapper = ClockMapper()
    errors = []
    for s, h, t in zip(sensor_s, arrival_s, true_host_s, strict=True):
        mapper.observe(s, h)
        errors.append(float(mapper.to_host(s)) - t)
    assert mapper.slope == pytest.approx(1 / (1 + 80e-6), abs=5e-6)
    # after minutes the mapping is within a few ms of the truth (plus the minimum latency of 5 ms)
    assert abs(errors[-1] - 0.005) < 0.003
    # without the drift fit the error would have grown to 600 s * 80 ppm = 48 ms
    assert 600 * 80e-6 > 0.04


def test_clock_mapper_needs_observation() -> None:
    with pytest.raises(ValueError):
        ClockMapper().to_host(1.0)


def test_clock_mapper_slews_instead_of_stepping_back() -> None:
    # packets of 5 samples every 50 ms; the first arrives 40 ms late, all later ones 2 ms late (exact latencies)
    mapper = ClockMapper()
    last_mapped = -np.inf
    for k in range(200):
        sensor_last_s = k * 0.05 + 0.04
        latency_s = 0.040 if k == 0 else 0.002
        mapper.observe(sensor_last_s, 100.0 + sensor_last_s + latency_s)
        times = mapper.to_host(k * 0.05 + np.arange(5) * 0.01)
        assert times[0] > last_mapped  # consecutive packets never overlap
        last_mapped = times[-1]
    # converged to the least-delay line: host = 100.002 + sensor
    assert mapper.offset_s == pytest.approx(100.002, abs=1e-9)
    assert mapper.target_offset_s == pytest.approx(100.002, abs=1e-9)
