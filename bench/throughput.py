"""Throughput: offline analysis of a 24-hour 100 Hz recording, and the cost of one streaming update.

Usage::

    .venv/bin/python -m bench.throughput [--hours H] [--acc-only] [--calls N]

1. Builds a day-long 100 Hz lower-back recording from real walks (the mobgap lab trials in
   ``sample_recordings/``, so it runs on a fresh clone) separated by rest (the walk's own resting gravity
   vector plus sensor noise, 30 s to 10 min), runs ``gait.analysis.analyze`` on it in a fresh subprocess and
   prints the wall time and peak memory (``ru_maxrss`` of that subprocess: once with the input built, and at the
   end, so the analysis' own share is visible). Targets (issue 2): under 3 s and under 1 GB.
2. Feeds a ``GaitTracker`` 10-sample chunks (0.1 s at 100 Hz) of the same signal and times every ``update`` call:
   median and p99 per call in microseconds, and how many live sensors one core could carry at the mean cost.
   Target: under 50 microseconds per call.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import timeit
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gait.types import Chunk, Placement, Recording
from tests.sample_data import samples

OUT_DIR = Path(__file__).resolve().parent / "out"
FS_HZ = 100.0
REST_S = (30.0, 600.0)
NOISE_MS2 = 0.02  # accelerometer noise density of a MEMS sensor at rest, roughly
NOISE_DPS = 0.1
TARGET_OFFLINE_S = 3.0
TARGET_MEMORY_MB = 1024.0
TARGET_UPDATE_US = 50.0


def walks() -> list[Recording]:
    """The 100 Hz lower-back sample recordings (real walks with daily-living activities)."""
    out = [
        s.load()
        for s in samples()
        if s.placement is Placement.LOWER_BACK and abs(s.reference["sampling_rate_hz"] - FS_HZ) < 0.5
    ]
    if not out:
        raise SystemExit("bench.throughput: no 100 Hz lower-back sample in sample_recordings/")
    return out


def build_day(hours: float = 24.0, *, with_gyro: bool = True, seed: int = 0) -> Recording:
    """A ``hours``-long 100 Hz recording: real walks in random order, separated by rest.

    Rest uses the mean of the preceding walk's last second as the gravity vector (the sensor keeps its
    orientation) plus white noise, so walks join without a step in the signal larger than noise + motion.
    """
    rng = np.random.default_rng(seed)
    pieces = walks()
    n_total = round(hours * 3600 * FS_HZ)
    # filled in place: concatenating parts would briefly hold the day twice and inflate the memory figure
    acc = np.empty((n_total, 3))
    gyr = np.empty((n_total, 3)) if with_gyro else None
    n = 0
    while n < n_total:
        walk = pieces[int(rng.integers(len(pieces)))]
        k = min(len(walk.acc_ms2), n_total - n)
        acc[n : n + k] = walk.acc_ms2[:k]
        if gyr is not None:
            gyr[n : n + k] = walk.gyr_dps[:k] if walk.gyr_dps is not None else 0.0
        n += k
        k = min(int(rng.uniform(*REST_S) * FS_HZ), n_total - n)
        still = walk.acc_ms2[-int(FS_HZ) :].mean(axis=0)
        acc[n : n + k] = still + rng.normal(0.0, NOISE_MS2, (k, 3))
        if gyr is not None:
            gyr[n : n + k] = rng.normal(0.0, NOISE_DPS, (k, 3))
        n += k
    return Recording(
        time_s=np.arange(n_total) / FS_HZ,
        acc_ms2=acc,
        gyr_dps=gyr,
        placement=Placement.LOWER_BACK,
        body_height_m=1.70,
        source={"format": "synthetic_day", "file": f"{hours:g} h of sample walks and rest"},
    )


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def offline_child(hours: float, with_gyro: bool) -> None:
    """Subprocess body: build the day, analyse it, print one JSON line with the figures."""
    from gait.analysis import analyze

    rec = build_day(hours, with_gyro=with_gyro)
    rss_input_mb = _maxrss_mb()
    t0 = time.perf_counter()
    result = analyze(rec)
    wall_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "samples": rec.n_samples,
                "signal_h": rec.duration_s / 3600,
                "with_gyro": with_gyro,
                "wall_s": wall_s,
                "rss_with_input_mb": rss_input_mb,
                "rss_peak_mb": _maxrss_mb(),
                "input_mb": (rec.time_s.nbytes + rec.acc_ms2.nbytes + (rec.gyr_dps.nbytes if with_gyro else 0)) / 2**20,
                "steps": len(result.steps),
                "strides": len(result.strides),
                "bouts": len(result.bouts),
            }
        )
    )


def offline(hours: float, with_gyro: bool) -> dict[str, float]:
    """Run :func:`offline_child` in a fresh interpreter (clean ``ru_maxrss``) and return its figures."""
    cmd = [sys.executable, "-m", "bench.throughput", "--child", "--hours", str(hours)]
    if not with_gyro:
        cmd.append("--acc-only")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[1])
    if proc.returncode != 0:
        raise SystemExit(f"bench.throughput: the offline run failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def streaming(n_calls: int, chunk: int = 10, *, with_gyro: bool = True) -> np.ndarray:
    """Per-call wall time (s) of ``GaitTracker.update`` on ``chunk``-sample chunks of real walks and rest."""
    from gait.tracker import GaitTracker

    rec = build_day(n_calls * chunk / FS_HZ / 3600 + 0.01, with_gyro=with_gyro, seed=1)
    tracker = GaitTracker(placement=Placement.LOWER_BACK, body_height_m=1.70)
    chunks = [
        Chunk(
            rec.time_s[i : i + chunk],
            rec.acc_ms2[i : i + chunk],
            None if rec.gyr_dps is None else rec.gyr_dps[i : i + chunk],
        )
        for i in range(0, n_calls * chunk, chunk)
    ]
    for c in chunks[:200]:  # warm-up: first-call costs (imports, caches) are not the steady state
        tracker.update(c)
    tracker = GaitTracker(placement=Placement.LOWER_BACK, body_height_m=1.70)
    times = np.empty(len(chunks))
    clock = time.perf_counter
    for i, c in enumerate(chunks):
        t0 = clock()
        tracker.update(c)
        times[i] = clock() - t0
    return times


def numpy_call_us(repeat: int = 7, number: int = 20000) -> float:
    """Best-of-``repeat`` cost in microseconds of one small numpy call (10x3 by 3x3 matrix product).

    A live update is a few dozen such calls, so their cost, which differs between machines and with the load of a
    shared VM's neighbours, sets the update's cost: printed beside it, it tells a slow machine from a slow update.
    """
    a, b = np.ones((10, 3)), np.ones((3, 3))
    best = min(timeit.repeat(lambda: a.dot(b), number=number, repeat=repeat))
    return best / number * 1e6


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=24.0, help="length of the offline recording")
    parser.add_argument("--acc-only", action="store_true", help="no gyroscope columns")
    parser.add_argument("--calls", type=int, default=20000, help="streaming update calls to time")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    with_gyro = not args.acc_only
    if args.child:
        offline_child(args.hours, with_gyro)
        return 0

    t_start = time.perf_counter()
    off = offline(args.hours, with_gyro)
    print(
        f"offline: {off['signal_h']:.1f} h at 100 Hz ({off['samples']:,} samples, "
        f"{'acc + gyro' if with_gyro else 'acc only'}, input arrays {off['input_mb']:.0f} MB)"
    )
    print(f"  found {off['steps']:,} steps, {off['strides']:,} strides, {off['bouts']:,} bouts")
    print(
        f"  analyze wall time {off['wall_s']:.2f} s   [target < {TARGET_OFFLINE_S:g} s]  "
        f"{'PASS' if off['wall_s'] < TARGET_OFFLINE_S else 'FAIL'}"
    )
    print(
        f"  peak memory (maxrss) {off['rss_peak_mb']:.0f} MB, of which {off['rss_with_input_mb']:.0f} MB with the "
        f"input built   [target < {TARGET_MEMORY_MB:.0f} MB]  "
        f"{'PASS' if off['rss_peak_mb'] < TARGET_MEMORY_MB else 'FAIL'}"
    )

    per_call_s = streaming(args.calls, with_gyro=with_gyro)
    us = per_call_s * 1e6
    med, p99, mx, mean = np.median(us), np.percentile(us, 99), us.max(), us.mean()
    sensors = 0.1 / per_call_s.mean()  # each call carries 0.1 s of one sensor's signal
    print(
        f"streaming: GaitTracker.update on 10-sample chunks, {len(us):,} calls over {len(us) / 600:.0f} min of signal"
    )
    print(
        f"  per call: median {med:.1f} us, p99 {p99:.1f} us, max {mx:.0f} us, mean {mean:.1f} us   "
        f"[target median < {TARGET_UPDATE_US:g} us]  {'PASS' if med < TARGET_UPDATE_US else 'FAIL'}"
    )
    print(f"  one core carries about {sensors:,.0f} live 100 Hz sensors at the mean cost   [target > 1,000]")
    call_us = numpy_call_us()
    print(
        f"  this machine: one small numpy call (a 10x3 by 3x3 product) takes {call_us:.2f} us, so an update costs "
        f"about {med / call_us:.0f} such calls (compare machines by this ratio, not by microseconds)"
    )
    doc = {
        "offline": off,
        "streaming": {
            "calls": len(us),
            "median_us": med,
            "p99_us": p99,
            "max_us": mx,
            "mean_us": mean,
            "numpy_call_us": call_us,
        },
        "sensors_per_core": sensors,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "throughput.json").write_text(json.dumps(doc, indent=1, default=float))
    print(f"total wall time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
