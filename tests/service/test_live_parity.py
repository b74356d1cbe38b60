"""The same signal gives the same walk live and imported: strides, sensor height, distance (shown and stored)."""

from __future__ import annotations

import asyncio
import json
import math
import shutil
from pathlib import Path

import pytest

from gait.analysis import Analysis, analyze
from gait.coach import Coach, CoachSettings, plan_coaching
from gait.tracker import GaitTracker
from gait.types import BoutEvent, Chunk, Placement, StepEvent, StrideEvent
from ingest.replay import replay_chunks
from service.demo import import_samples, sample_recording, start_demo
from service.live import LiveSession, RunningSummary
from service.livehub import LiveHub
from service.settings import Settings
from service.store import Store
from tests.service.serverproc import REPO

SAMPLE = "mobgap_lower_back_daily_living_2.csv"  # its reference gives the sensor height (1.08 m) and body height


@pytest.fixture
def one_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "samples"
    folder.mkdir()
    for name in (SAMPLE, SAMPLE.replace(".csv", ".reference.json")):
        shutil.copy(REPO / "sample_recordings" / name, folder / name)
    return folder


def replay_demo(store: Store, settings: Settings) -> tuple[int, list[dict]]:
    """Replay the sample as the live demo (as fast as it can go); returns the walk id and every feed message."""

    async def main() -> tuple[int, list[dict]]:
        hub = LiveHub(store, journal_dir=settings.journal_dir)
        feed = hub.subscribe()
        walk_id = await start_demo(hub, store, settings, sample=SAMPLE, speed=1000.0)
        messages = []
        while True:
            _, frame = await asyncio.wait_for(feed.get(), timeout=60)
            msg = json.loads(frame.decode().splitlines()[1][6:])
            messages.append(msg)
            if msg["type"] == "hub" and msg.get("ended"):
                return walk_id, messages

    return asyncio.run(main())


def test_live_demo_and_import_of_one_sample_store_the_same_walk(store: Store, one_sample: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=one_sample)
    (imported_id,) = import_samples(store, one_sample)
    live_id, messages = replay_demo(store, settings)
    imported, live = store.get_walk(imported_id), store.get_walk(live_id)
    # the same model with the same sensor height, said the same way
    assert live["notes"] == [n for n in imported["notes"] if n.startswith("stride length:")]
    assert "sensor height 1.08 m" in live["notes"][0]
    a, b = store.strides(imported_id), store.strides(live_id)
    assert len(a) == len(b) > 20
    assert [s["length_m"] for s in b] == pytest.approx([s["length_m"] for s in a], abs=1e-9, nan_ok=True)
    for key in ("steps", "strides", "stride_length_m", "distance_m"):
        assert live[key] == pytest.approx(imported[key]), key
    # what the live page shows: the running figure ends at the stored one, and the last hub message says it
    running = [m["walk_distance_m"] for m in messages if m["type"] in ("stride", "bout")]
    assert running[-1] == pytest.approx(live["distance_m"], abs=0.05)
    assert messages[-1]["distance_m"] == live["distance_m"]


def counted_as_stored(events: list, placement: Placement) -> float:
    """The distance a walk stopped after ``events`` stores (livehub.walk_analysis: leftover contacts form a bout)."""
    steps = [e for e in events if isinstance(e, StepEvent)]
    strides = [e for e in events if isinstance(e, StrideEvent)]
    bouts = [e for e in events if isinstance(e, BoutEvent)]
    tail = [s for s in steps if not bouts or s.t_s > bouts[-1].end_s]
    if len(tail) >= 3:
        bouts.append(BoutEvent(tail[0].t_s, tail[-1].t_s, len(tail)))
    return Analysis(steps=steps, strides=strides, bouts=bouts, placement=placement).distance_m


@pytest.mark.parametrize("sample", [SAMPLE, "gaitmap_left_foot.csv", "oxford_phone_in_hand.csv"])
def test_running_summary_is_the_summary_a_walk_stopped_then_stores(sample: str) -> None:
    recording = sample_recording(REPO / "sample_recordings" / sample)
    result = analyze(recording, sensor_side=recording.source["sensor_side"])
    # the events in the order a live tracker emits them, fed 1 s at a time
    tracker = GaitTracker(
        placement=recording.placement,
        body_height_m=recording.body_height_m,
        sensor_height_m=recording.sensor_height_m,
        sensor_side=recording.source["sensor_side"],
    )
    events = []
    for a in range(0, len(recording.time_s), 100):
        gyr = None if recording.gyr_dps is None else recording.gyr_dps[a : a + 100]
        events += tracker.update(Chunk(recording.time_s[a : a + 100], recording.acc_ms2[a : a + 100], gyr))
    events += tracker.finish()
    running = RunningSummary(result.placement)
    for i, event in enumerate(events, start=1):
        running.add(event)
        if i % 7 == 0 or i == len(events):
            assert running.distance_m == pytest.approx(counted_as_stored(events[:i], result.placement), abs=1e-6)
    assert running.distance_m == pytest.approx(result.distance_m, abs=1e-6)
    # the walk list's cadence and stride length so far end as the stored summary's
    assert (running.cadence_spm, running.stride_length_m) == (
        result.summary["cadence_spm"],
        result.summary["stride_length_m"],
    )


def test_the_coach_counts_the_distance_into_the_walk_as_the_walk_stores_it(tmp_path: Path) -> None:
    recording = sample_recording(REPO / "sample_recordings" / SAMPLE)
    settings = CoachSettings(enabled=True)
    coach = Coach(plan_coaching([], [], settings, body_height_m=1.75, now_s=0.0), settings)
    session = LiveSession(
        replay_chunks(recording, speed=math.inf),
        placement=recording.placement,
        body_height_m=recording.body_height_m,
        sensor_height_m=recording.sensor_height_m,
        coach=coach,
        journal_dir=tmp_path,
    )
    asyncio.run(session.run())
    assert coach.distance_m == pytest.approx(analyze(recording).distance_m, abs=1e-6)


def test_running_distance_is_unknown_once_a_bouts_strides_have_no_length_as_in_the_summary() -> None:
    # A bout of four contacts with a stride of 1.2 m and one whose samples were lost (no length): the bout's
    # contacts count at the mean known length. Then a bout whose only stride has no length: the distance is unknown.
    events = [
        StepEvent(0.0),
        StepEvent(0.5),
        StepEvent(1.0),
        StrideEvent(0.0, 1.0, 1.2, 120.0, 1.2, 0.8, "weinberg"),
        StepEvent(1.5),
        StrideEvent(0.5, 1.5, None, 120.0, None, 0.0, "none"),  # lost samples: this stride has no length
        BoutEvent(0.0, 1.5, 4),
        StepEvent(10.0),
        StepEvent(10.5),
        StepEvent(11.0),
        StrideEvent(10.0, 11.0, None, 120.0, None, 0.0, "none"),
        BoutEvent(10.0, 11.0, 3),
    ]
    running = RunningSummary(Placement.HAND)
    stored_bouts = [e for e in events if isinstance(e, BoutEvent)]
    for i, event in enumerate(events, start=1):
        running.add(event)
        if i == 7:
            assert running.distance_m == pytest.approx(1.2 * 0.5 * 3)  # 4 contacts span 1.5 strides
            partial = Analysis(
                steps=[e for e in events[:i] if isinstance(e, StepEvent)],
                strides=[e for e in events[:i] if isinstance(e, StrideEvent)],
                bouts=stored_bouts[:1],
                placement=Placement.HAND,
            )
            assert partial.summary["distance_m"] == pytest.approx(1.8)
    assert running.distance_m is None
    stored = Analysis(
        steps=[e for e in events if isinstance(e, StepEvent)],
        strides=[e for e in events if isinstance(e, StrideEvent)],
        bouts=stored_bouts,
        placement=Placement.HAND,
    )
    assert stored.summary["distance_m"] is None
