"""Plumbing of the latency and throughput benchmarks (no timing is asserted)."""

from __future__ import annotations

import numpy as np
import pytest

import bench.latency as latency
from bench.throughput import FS_HZ, build_day
from gait.types import Chunk, GaitEvent, Placement, Recording, StrideEvent
from gait.validate import check_samples


class FakeTracker:
    """Emits one stride ending at 1.0 s as soon as it has seen a sample at or after 1.3 s, another at finish."""

    def __init__(self, **_: object) -> None:
        self.sent = False

    def update(self, chunk: Chunk) -> list[GaitEvent]:
        if not self.sent and chunk.time_s[-1] >= 1.3:
            self.sent = True
            return [StrideEvent(0.0, 1.0, None, 120.0, None, 0.0, "none")]
        return []

    def finish(self) -> list[GaitEvent]:
        return [StrideEvent(1.0, 2.0, None, 120.0, None, 0.0, "none")]


def test_delay_is_last_sample_of_the_emitting_chunk_minus_final_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(latency, "GaitTracker", FakeTracker)
    t = np.arange(0, 300) / 100.0  # 3 s at 100 Hz
    acc = np.tile([0.0, 0.0, 9.81], (len(t), 1))
    src = latency.Source("x", "x", Recording(t, acc), Placement.LOWER_BACK, None, None)
    delays, at_finish = latency.stride_delays(src, chunk_s=0.1)
    # chunks hold [0.00-0.09], [0.10-0.19], ...: the sample at 1.30 first arrives in the chunk ending at 1.39
    assert delays == [pytest.approx(0.39)]
    assert at_finish == 1


def test_build_day_is_regular_100hz_walks_and_rest() -> None:
    rec = build_day(0.1, with_gyro=True, seed=3)  # 6 minutes
    assert rec.n_samples == round(0.1 * 3600 * FS_HZ)
    assert np.allclose(np.diff(rec.time_s), 1 / FS_HZ)
    check_samples(rec.time_s, rec.acc_ms2, rec.gyr_dps)
    # one-second windows: rest has almost no motion, walking a lot
    win = rec.acc_ms2[: (rec.n_samples // 100) * 100, 2].reshape(-1, 100).std(axis=1)
    win = np.concatenate([win, rec.acc_ms2[: (rec.n_samples // 100) * 100, 0].reshape(-1, 100).std(axis=1)])
    assert (win < 0.05).any() and (win > 0.5).any()
    assert build_day(0.01, with_gyro=False).gyr_dps is None


def test_cli_memory_measures_gait_analyze_in_its_own_process() -> None:
    from bench.cli_memory import measure

    fig = measure(0.05)  # 3 minutes: 18,000 samples, the first minute 6,000 of them
    assert fig["samples"] == 18_000
    # both runs load the interpreter, numpy, pandas and scipy (over 50 MB); the longer file cannot take less
    assert fig["peak_mb"] >= fig["first_minute_peak_mb"] > 50
    assert fig["bytes_per_sample"] == pytest.approx(fig["peak_mb"] * 2**20 / 18_000)
