"""Kept samples and re-analysis benchmarks; prints figures (not a test).

1. Disk per minute of recording kept (``recordings/walk-<id>.npz``) at 100 Hz with a gyroscope, from real
   lower-back recordings (mobgap, acc + gyro, 100 Hz) as they are (a recording repeated end to end would compress
   better than any real one), beside the size of the same samples as gait CSV.
2. Time to analyse a 10-minute walk again (the recording repeated end to end to 10 minutes) with
   ``service.reanalysis.reanalyse_walk`` (read the kept samples, analyse, plan the coaching, swap the rows in one
   transaction), median of a few runs, and how much of it is reading the samples.

Run: .venv/bin/python bench/bench_reanalysis.py [--minutes 10] [--runs 5] [--source walking|daily-living]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gait.types import Placement, Recording  # noqa: E402
from ingest.gait_csv import write_gait_csv  # noqa: E402
from service.pipeline import process_file, read_recording  # noqa: E402
from service.reanalysis import SampleFolders, reanalyse_walk  # noqa: E402
from service.recordings import load_recording, recording_path, stage_recording  # noqa: E402
from service.store import Store  # noqa: E402

SOURCES = {
    "walking": REPO / "sample_recordings" / "mobgap_lower_back_straight_walk.csv",
    "daily-living": REPO / "sample_recordings" / "mobgap_lower_back_daily_living_2.csv",
}
"""Real lower-back recordings (100 Hz, acc + gyro): a straight walk (walking throughout, the most strides per
minute) and simulated daily living (short bouts between standing and sitting)."""


def repeated(recording: Recording, minutes: float) -> Recording:
    """``recording`` played end to end until it lasts ``minutes`` (one sample period between the copies)."""
    dt_s = float(np.median(np.diff(recording.time_s)))
    span_s = recording.duration_s + dt_s
    copies = int(np.ceil(minutes * 60.0 / span_s))
    time_s = np.concatenate([recording.time_s - recording.time_s[0] + i * span_s for i in range(copies)])
    keep = time_s < minutes * 60.0
    tile = lambda a: np.concatenate([a] * copies)[keep]  # noqa: E731
    return replace(
        recording,
        time_s=time_s[keep],
        acc_ms2=tile(recording.acc_ms2),
        gyr_dps=tile(recording.gyr_dps),
        placement=Placement.LOWER_BACK,
        source={"format": "gait_csv", "file": "bench.csv"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", choices=[*SOURCES, "both"], default="both")
    args = parser.parse_args()
    for name in SOURCES if args.source == "both" else [args.source]:
        bench(name, args.minutes, args.runs)


def disk_per_minute(name: str, tmp: Path) -> None:
    """Print the kept size per minute of ``SOURCES[name]`` as it is."""
    recording = replace(read_recording(SOURCES[name]), placement=Placement.LOWER_BACK)
    staged = stage_recording(recording, tmp)
    minutes = recording.duration_s / 60.0
    mb = staged.tmp_path.stat().st_size / 1e6
    csv_mb = SOURCES[name].stat().st_size / 1e6
    staged.discard()
    rate_hz = 1.0 / float(np.median(np.diff(recording.time_s)))
    print(
        f"{name}: kept samples of {minutes:.1f} min at {rate_hz:.0f} Hz with gyroscope: {mb:.3f} MB = "
        f"{mb / minutes:.3f} MB/min ({mb / minutes * 60:.1f} MB/hour); "
        f"the file as gait CSV: {csv_mb / minutes:.3f} MB/min"
    )


def bench(name: str, minutes_wanted: float, runs: int) -> None:
    """Print the figures for ``SOURCES[name]``, repeated to ``minutes_wanted`` minutes to time re-analysis."""
    with tempfile.TemporaryDirectory() as tmp_name:
        disk_per_minute(name, Path(tmp_name))
    walk = repeated(read_recording(SOURCES[name]), minutes_wanted)
    minutes = walk.duration_s / 60.0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "bench.csv"
        write_gait_csv(walk, csv_path)
        store = Store(tmp / "gait.sqlite3").open()
        folders = SampleFolders(tmp / "recordings", tmp / "journal", tmp / "samples")
        (walk_id,) = process_file(
            csv_path, store=store, name="bench", origin="upload", recording=walk, keep_samples_in=folders.recordings_dir
        )
        kept = recording_path(folders.recordings_dir, walk_id)
        loads, totals = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            load_recording(kept)
            loads.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result = reanalyse_walk(store, walk_id, folders)
            totals.append(time.perf_counter() - t0)
        store.close()
    print(
        f"{name}: re-analysis of a {minutes:.0f}-minute walk at 100 Hz ({result['after']['strides']} strides): median "
        f"{statistics.median(totals):.2f} s (min {min(totals):.2f}, max {max(totals):.2f}, {runs} runs), of "
        f"which reading the kept samples {statistics.median(loads) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
