"""Live latency: how long after a stride's final initial contact the tracker emits that stride.

Usage::

    .venv/bin/python -m bench.latency [--dataset NAME] [--limit N] [--chunk-s 0.1]

Every reference recording (``../shared/data/dev``; the ``sample_recordings/`` when that is absent) is fed to a
``GaitTracker`` in chunks of 0.1 s of signal, as a live sensor delivers them. For every stride event the delay is
``t_last - end_s``: the signal time of the last sample of the chunk whose ``update()`` emitted the stride, minus
the time of the stride's final initial contact. Prints median, p95 and max per dataset and overall. Target
(issue 2): every stride within 0.5 s. Strides that only ``finish()`` (end of stream) emits are counted apart:
no live walker would see them in time.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.datasets import DATASETS, available, data_root, load_dataset
from gait.tracker import GaitTracker
from gait.types import Chunk, Placement, Recording, StrideEvent

OUT_DIR = Path(__file__).resolve().parent / "out"
TARGET_DELAY_S = 0.5


@dataclass(frozen=True)
class Source:
    """One recording to stream, with the settings a live user would give."""

    dataset: str
    name: str
    recording: Recording
    placement: Placement
    body_height_m: float | None
    sensor_height_m: float | None


def stride_delays(src: Source, chunk_s: float = 0.1) -> tuple[list[float], int]:
    """Stream one recording in ``chunk_s`` chunks; return the emission delays and the count left to ``finish()``."""
    rec = src.recording
    tracker = GaitTracker(placement=src.placement, body_height_m=src.body_height_m, sensor_height_m=src.sensor_height_m)
    t = rec.time_s
    # chunk k holds the samples in [k, k + 1) * chunk_s of signal time: what a live source delivers per period
    # (the small epsilon keeps 1.3 / 0.1 = 12.999... in period 13)
    period = np.floor((t - t[0]) / chunk_s + 1e-9).astype(np.int64)
    edges = np.flatnonzero(np.diff(period)) + 1
    delays: list[float] = []
    start = 0
    for end in [*edges.tolist(), len(t)]:
        if end <= start:
            continue
        gyr = None if rec.gyr_dps is None else rec.gyr_dps[start:end]
        events = tracker.update(Chunk(t[start:end], rec.acc_ms2[start:end], gyr))
        t_last = float(t[end - 1])
        delays += [t_last - e.end_s for e in events if isinstance(e, StrideEvent)]
        start = end
    at_finish = sum(isinstance(e, StrideEvent) for e in tracker.finish())
    return delays, at_finish


def sources(names: Iterable[str], limit: int | None) -> list[Source]:
    """Reference recordings of the shared datasets, or the sample recordings when the shared data are absent."""
    out: list[Source] = []
    if available():
        for name in names:
            recs = load_dataset(name, data_root())
            for r in recs[:limit] if limit else recs:
                out.append(Source(r.dataset, r.name, r.recording, r.placement, r.body_height_m, r.sensor_height_m))
        return out
    from tests.sample_data import samples

    for s in samples()[:limit] if limit else samples():
        rec = s.load()
        out.append(Source("sample_recordings", s.name, rec, s.placement, rec.body_height_m, rec.sensor_height_m))
    return out


def _stats(delays: Sequence[float]) -> tuple[float, float, float]:
    d = np.asarray(delays, dtype=float)
    return float(np.median(d)), float(np.percentile(d, 95)), float(d.max())


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", choices=DATASETS, help="only this dataset (repeatable)")
    parser.add_argument("--limit", type=int, default=None, help="at most N recordings per dataset")
    parser.add_argument("--chunk-s", type=float, default=0.1, help="signal time per update() call")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    srcs = sources(args.dataset or DATASETS, args.limit)
    if not available():
        print(f"shared data not found at {data_root()}: using sample_recordings/ instead")
    per_dataset: dict[str, list[float]] = {}
    finish_counts: dict[str, int] = {}
    for src in srcs:
        delays, at_finish = stride_delays(src, args.chunk_s)
        per_dataset.setdefault(src.dataset, []).extend(delays)
        finish_counts[src.dataset] = finish_counts.get(src.dataset, 0) + at_finish
    print(f"stride emission delay after the final initial contact, fed in {args.chunk_s:g} s chunks")
    print(f"{'dataset':<22} {'strides':>8} {'median s':>9} {'p95 s':>7} {'max s':>7} {'> 0.5 s':>8} {'at finish':>9}")
    all_delays: list[float] = []
    doc: dict[str, dict[str, float]] = {}
    for name, delays in per_dataset.items():
        all_delays += delays
        if not delays:
            print(f"{name:<22} {0:>8}")
            continue
        med, p95, mx = _stats(delays)
        late = int(np.sum(np.asarray(delays) > TARGET_DELAY_S))
        print(f"{name:<22} {len(delays):>8} {med:>9.3f} {p95:>7.3f} {mx:>7.3f} {late:>8} {finish_counts[name]:>9}")
        doc[name] = {"strides": len(delays), "median_s": med, "p95_s": p95, "max_s": mx, "late": late}
    if not all_delays:
        print("no strides emitted: nothing to measure")
        return 0
    med, p95, mx = _stats(all_delays)
    late = int(np.sum(np.asarray(all_delays) > TARGET_DELAY_S))
    n_finish = sum(finish_counts.values())
    print(f"{'all':<22} {len(all_delays):>8} {med:>9.3f} {p95:>7.3f} {mx:>7.3f} {late:>8} {n_finish:>9}")
    ok = mx <= TARGET_DELAY_S
    print(
        f"target: every stride within {TARGET_DELAY_S:g} s of its final IC  {'PASS' if ok else 'FAIL'} (max {mx:.3f} s)"
    )
    doc["all"] = {"strides": len(all_delays), "median_s": med, "p95_s": p95, "max_s": mx, "late": late}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "latency.json").write_text(json.dumps(doc, indent=1))
    print(f"total wall time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
