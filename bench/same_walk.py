"""Figures of :mod:`service.samewalk` on the real recordings of ``../shared/data/dev``: a part of a walk (first or
second half, first 60 %, middle third, each cut from the recording and analysed on its own, as a cut-short export
would be) against the whole walk, and every pair of different walks (parts of one against the others' wholes too).

Run ``python -m bench.same_walk``; the analyses are cached under ``bench/out/cache/same_walk_steps.npz``.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.datasets import CACHE_DIR, load_all
from gait.analysis import analyze
from gait.types import Recording
from service import samewalk
from service.store import NewWalk, SameWalkError, Store

PARTS: dict[str, tuple[float, float]] = {
    "first half": (0.0, 0.5),
    "second half": (0.5, 1.0),
    "first 60 %": (0.0, 0.6),
    "middle third": (1 / 3, 2 / 3),
}
STEPS_CACHE = CACHE_DIR / "same_walk_steps.npz"


def cut(recording: Recording, start: float, stop: float) -> Recording:
    """The samples between the shares ``start`` and ``stop`` of the recording, counting from 0 s (an export)."""
    n = len(recording.time_s)
    i, j = round(start * n), round(stop * n)
    gyr = None if recording.gyr_dps is None else recording.gyr_dps[i:j]
    time_s = recording.time_s[i:j] - recording.time_s[i]
    return replace(recording, time_s=time_s, acc_ms2=recording.acc_ms2[i:j], gyr_dps=gyr)


def steps_s(recording: Recording, placement: str) -> np.ndarray:
    return np.array([s.t_s for s in analyze(recording, placement=placement).steps], dtype=float)


def load_steps() -> dict[str, tuple[str, float, dict[str, np.ndarray]]]:
    """Per recording: its placement, sample rate and the step times of the whole and of each part."""
    cached = dict(np.load(STEPS_CACHE, allow_pickle=True)["walks"].item()) if STEPS_CACHE.exists() else {}
    out = {}
    for ref in load_all():
        key = f"{ref.dataset}/{ref.name}"
        if key not in cached:
            rec, placement = ref.recording, ref.placement.value
            walks = {"whole": steps_s(rec, placement)}
            for part, (a, b) in PARTS.items():
                walks[part] = steps_s(cut(rec, a, b), placement)
            rate_hz = 1.0 / float(np.median(np.diff(rec.time_s)))
            cached[key] = (placement, rate_hz, walks)
            STEPS_CACHE.parent.mkdir(parents=True, exist_ok=True)
            np.savez(STEPS_CACHE, walks=np.array(cached, dtype=object))
            print(key, len(walks["whole"]), file=sys.stderr, flush=True)
        out[key] = cached[key]
    return out


def trial(key: str) -> str:
    """The walk a recording is of: IPOL's three sensors of a trial (``1-1_lb``, ``1-1_lf``, ``1-1_rf``) are one, and
    IPOL's trial 9-3 is the first 2268 samples of trial 9-4 (the same samples: a cut-short copy in the data set)."""
    if not key.startswith("ipol_healthy_gait/"):
        return key
    return key.rsplit("_", 1)[0].replace("/9-3", "/9-4")


def figures(min_steps: int = samewalk.SAME_WALK_MIN_STEPS) -> None:
    """Print the shares of a part's steps matched in its whole and in other walks (parts of ``min_steps`` or more)."""
    walks = load_steps()
    own: dict[str, list[float]] = {part: [] for part in PARTS}
    own_small: dict[str, list[tuple[str, int, float]]] = {}
    worst_other: list[tuple[float, int, str, str, str]] = []
    by_steps: dict[int, float] = {}
    sensors: list[tuple[str, str, int, float]] = []
    t0 = time.perf_counter()
    pairs = refused = 0
    for key, (_, rate_hz, versions) in walks.items():
        for part, part_s in versions.items():
            if len(part_s) < min_steps:
                continue
            for other, (_, other_rate_hz, other_versions) in walks.items():
                whole_s = other_versions["whole"]
                if len(whole_s) < samewalk.SAME_WALK_SHARE * len(part_s) or (key == other and part == "whole"):
                    continue
                tol_s = samewalk.match_tolerance_s(rate_hz, other_rate_hz)
                share = samewalk.part_matched_steps(part_s, whole_s, tol_s) / len(part_s)
                pairs += 1
                if key == other:
                    own[part].append(share)
                    if share < samewalk.SAME_WALK_SHARE:
                        own_small.setdefault(part, []).append((key, len(part_s), round(share, 2)))
                elif trial(key) == trial(other):
                    sensors.append((f"{key} {part}", other, len(part_s), round(share, 2)))
                else:
                    worst_other.append((share, len(part_s), key, part, other))
                    if len(part_s) >= samewalk.PART_MIN_STEPS:
                        refused += share >= samewalk.SAME_WALK_SHARE
                    bucket = min(len(part_s) // 10 * 10, 100)
                    by_steps[bucket] = max(by_steps.get(bucket, 0.0), share)
    elapsed_s = time.perf_counter() - t0
    print(f"{len(walks)} recordings, {pairs} comparisons in {elapsed_s:.1f} s ({1e3 * elapsed_s / pairs:.2f} ms each)")
    for part, shares in own.items():
        arr = np.array(shares)
        print(
            f"{part} vs its whole: {len(arr)} parts, share matched min {arr.min():.3f}, 5th pct "
            f"{np.percentile(arr, 5):.3f}, median {np.median(arr):.3f}; below {samewalk.SAME_WALK_SHARE}: "
            f"{np.sum(arr < samewalk.SAME_WALK_SHARE)}"
        )
        for small in own_small.get(part, [])[:12]:
            print("   ", small)
    worst_other.sort(reverse=True)
    print(f"{len(worst_other)} pairs of different walks (parts and wholes vs other wholes); highest shares:")
    for w in worst_other[:25]:
        print(f"    {w[0]:.3f} ({w[1]} steps) {w[2]} {w[3]} in {w[4]}")
    print(f"different walks refused (part of {samewalk.PART_MIN_STEPS} steps or more, share >= 0.8): {refused}")
    print("max share of different walks by the part's steps (bucket of 10, 100 = 100 or more):")
    for bucket in sorted(by_steps):
        print(f"    {bucket}-{bucket + 9}: {by_steps[bucket]:.3f}")
    print("another sensor of the same trial (part share, highest 10 of", len(sensors), "):")
    for s in sorted(sensors, key=lambda x: -x[3])[:10]:
        print("   ", s)


class _TimedStore:
    """Mixed into :class:`service.store.Store`: adds up how long its write transactions hold the write lock (from
    ``BEGIN IMMEDIATE`` to the commit or roll-back)."""

    held_s = 0.0

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with super().write() as conn:  # type: ignore[misc]
            t0 = time.perf_counter()
            try:
                yield conn
            finally:
                self.held_s += time.perf_counter() - t0


def _store_walks(
    store: Store, walks: int, minutes: tuple[float, float], rng: np.random.Generator, *, steps_rows: bool = False
) -> None:
    """Store ``walks`` walks of a walker in a pocket (step intervals of 0.5-0.6 s, each walk its own) lasting
    ``minutes``: their step timing, and with ``steps_rows`` their steps (what the indexed same-walk check reads)."""
    with store.write() as conn:
        first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM walks").fetchone()[0]
        for walk_id in range(first, first + walks):
            n = int(rng.uniform(*minutes) * 60 / 0.55)
            times_s = np.cumsum(rng.normal(rng.uniform(0.5, 0.6), 0.025, n))
            conn.execute(
                "INSERT INTO walks (id, name, origin, status, placement, started_at, created_at, duration_s, steps,"
                " source_json) VALUES (?, ?, 'upload', 'complete', 'pocket', '2026-01-01T00:00:00+00:00', '', ?, ?,"
                " '{\"rate_hz\": 100.0}')",
                (walk_id, f"walk {walk_id}", float(times_s[-1]), n),
            )
            if steps_rows:
                conn.executemany(
                    "INSERT INTO steps (walk_id, idx, t_s) VALUES (?, ?, ?)",
                    ((walk_id, k, float(t)) for k, t in enumerate(times_s)),
                )
            conn.execute(
                "INSERT INTO step_timing (walk_id, rate_hz, steps_s) VALUES (?, 100.0, ?)",
                (walk_id, (times_s - times_s[0]).astype(np.float32).tobytes()),
            )


def _upload(name: str, times_s: np.ndarray) -> NewWalk:
    """An upload from a pocket of these step times (not dated by its recording)."""
    return NewWalk(
        name=name,
        origin="upload",
        placement="pocket",
        started_at="2026-01-02T00:00:00+00:00",
        summary={"duration_s": float(times_s[-1] - times_s[0]), "steps": len(times_s)},
        steps=[(float(t), None) for t in times_s],
        source={"rate_hz": 100.0},
    )


def _time_upload(store: _TimedStore, upload: NewWalk, repeats: int) -> str:
    """The median time of ``repeats`` calls of ``add_walks`` with one upload (wall and CPU: the machine may be
    shared), and of its write lock held (each upload stored is deleted after; one refused stores nothing)."""
    totals_s, cpu_s, held_s, refused = [], [], [], ""
    for _ in range(repeats):
        store.held_s = 0.0
        t0, cpu0_s = time.perf_counter(), time.process_time()
        try:
            (walk_id,) = store.add_walks([upload])
        except SameWalkError as exc:
            refused = f"refused ({exc.part or 'the same walk'} of walk {exc.existing['id']})"
            walk_id = None
        totals_s.append(time.perf_counter() - t0)
        cpu_s.append(time.process_time() - cpu0_s)
        held_s.append(store.held_s)
        if walk_id is not None:
            store.delete_walk(walk_id)
    return (
        f"{refused or 'stored'} by add_walks in {np.median(totals_s):.3f} s ({np.median(cpu_s):.3f} s of CPU), the "
        f"write lock held {np.median(held_s):.3f} s of it (medians of {repeats})"
    )


def timing(walks: int = 2000, repeats: int = 3, tmp_dir: Path | None = None) -> None:
    """Time the store's check of one upload against ``walks`` stored walks of the upload's placement: the whole
    ``add_walks`` and how long its write transaction holds the write lock (a live walk storing its strides, and other
    uploads, wait that long).

    - stored walks of 20-40 min, the upload a real phone walk's second half (105 steps): compared with every walk
      for a part of one, none of about its duration; then the whole phone walk stored too (the half is a part);
    - a walker's daily walk: stored walks of 28-32 min with their steps, the upload another 30 min walk: about 150
      stored walks of its duration and step count are compared step by step too (:meth:`Store._same_walk`).
    """
    import tempfile

    from ingest import load

    class TimedStore(_TimedStore, Store):
        pass

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(dir=tmp_dir) as tmp:
        store = TimedStore(Path(tmp) / "walks.sqlite3").open()
        _store_walks(store, walks, (20, 40), rng)
        rec = load(Path(__file__).resolve().parents[1] / "sample_recordings" / "oxford_phone_back_pocket.csv")
        half = _upload("half", steps_s(cut(rec, 0.5, 1.0), "pocket"))
        figures = _time_upload(store, half, repeats)
        print(f"{walks} stored walks of 20-40 min, one upload ({len(half.steps)} steps): {figures}")
        store.add_walks([_upload("whole", steps_s(rec, "pocket"))])
        print(f"    and its whole walk stored: {_time_upload(store, half, repeats)}")
        store.close()
    with tempfile.TemporaryDirectory(dir=tmp_dir) as tmp:
        store = TimedStore(Path(tmp) / "walks.sqlite3").open()
        _store_walks(store, walks, (28, 32), rng, steps_rows=True)
        daily = _upload("daily", np.cumsum(rng.normal(0.55, 0.025, int(30 * 60 / 0.55))))
        low_s, high_s = samewalk.duration_window_s(daily.summary["duration_s"])
        low, high = samewalk.steps_window(len(daily.steps))
        with store.read() as conn:
            (alike,) = conn.execute(
                "SELECT COUNT(*) FROM walks WHERE duration_s BETWEEN ? AND ? AND steps BETWEEN ? AND ?",
                (low_s, high_s, low, high),
            ).fetchone()
        print(
            f"{walks} stored walks of 28-32 min, one upload of 30 min ({len(daily.steps)} steps, {alike} stored walks"
            f" of about its duration and step count): {_time_upload(store, daily, repeats)}"
        )
        store.close()


if __name__ == "__main__":
    if "--timing" in sys.argv:
        timing()
    else:
        figures()
