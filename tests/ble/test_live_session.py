"""LiveSession over replayed and fake sources: messages, journal, crash safety, stop, coach plumbing."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gait.types import Chunk, Placement, Recording, StrideEvent
from ingest.errors import IngestError
from ingest.replay import replay_chunks
from service.live import LiveSession, load_journal
from tests.gait.synthetic import walk_signal

pytestmark = pytest.mark.timeout(60)


def synthetic_recording(walk_s: float = 20.0, step_hz: float = 1.8) -> Recording:
    t, acc = walk_signal(step_hz=step_hz, walk_s=walk_s, rest_before_s=2.0, rest_after_s=2.0)
    return Recording(time_s=t, acc_ms2=acc, placement=Placement.LOWER_BACK)


def drain(q: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


class FakeTracker:
    """Emits one stride per 100 samples (time of the 100th sample), so the expected events are exact."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self.n = 0
        self.finished = False

    def update(self, chunk: Chunk) -> list[Any]:
        events = []
        for t in chunk.time_s:
            self.n += 1
            if self.n % 100 == 0:
                events.append(StrideEvent(float(t) - 1.0, float(t), 1.3, 120.0, 1.3, 0.9, "fake"))
        return events

    def finish(self) -> list[Any]:
        self.finished = True
        return []


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def run_session(source: Any, tmp_path: Path, **kwargs: Any) -> tuple[list[dict[str, Any]], LiveSession]:
    """Run a LiveSession on ``source`` to its end; return every message it published, and the session."""
    options: dict[str, Any] = {"placement": "lower_back", "journal_dir": tmp_path}
    options.update(kwargs)

    async def main() -> tuple[list[dict[str, Any]], LiveSession]:
        session = LiveSession(source, **options)
        q = session.subscribe()
        await session.run()
        return drain(q), session

    return asyncio.run(main())


def test_replay_yields_every_sample_in_order() -> None:
    rec = synthetic_recording(walk_s=5.0)

    async def collect() -> list[Chunk]:
        return [c async for c in replay_chunks(rec, speed=math.inf, chunk_s=0.25)]

    chunks = run(collect())
    np.testing.assert_array_equal(np.concatenate([c.time_s for c in chunks]), rec.time_s)
    np.testing.assert_array_equal(np.concatenate([c.acc_ms2 for c in chunks]), rec.acc_ms2)
    assert max(len(c) for c in chunks) == 25  # 0.25 s at 100 Hz


@pytest.mark.parametrize(("speed", "chunk_s"), [(0.0, 0.1), (-1.0, 0.1), (1.0, 0.0)])
def test_replay_rejects_bad_settings(speed: float, chunk_s: float) -> None:
    async def first() -> None:
        await anext(replay_chunks(synthetic_recording(5.0), speed=speed, chunk_s=chunk_s))

    with pytest.raises(IngestError):
        run(first())


def test_session_with_fake_tracker_publishes_and_journals(tmp_path: Path) -> None:
    rec = synthetic_recording(walk_s=6.0)

    msgs, session = run_session(
        replay_chunks(rec, speed=math.inf, chunk_s=0.1),
        tmp_path,
        placement="lower_back",
        session_id="s1",
        tracker_factory=FakeTracker,
    )
    assert msgs[0]["type"] == "state" and msgs[0]["phase"] == "connecting"
    assert msgs[-1]["type"] == "state" and msgs[-1]["phase"] == "ended"
    assert all(m["session_id"] == "s1" for m in msgs)
    strides = [m for m in msgs if m["type"] == "stride"]
    assert len(strides) == rec.n_samples // 100
    assert strides[0]["end_s"] == pytest.approx(rec.time_s[99])
    assert strides[0]["duration_s"] == pytest.approx(1.0)
    assert strides[0]["target_m"] is None and strides[0]["overlong"] is None
    json.dumps(msgs, allow_nan=False)  # every message is strict JSON
    assert session.tracker.finished
    assert session.state.samples == rec.n_samples
    back = load_journal(session.journal_path)
    np.testing.assert_allclose(back.time_s, rec.time_s, atol=1e-6)
    np.testing.assert_allclose(back.acc_ms2, rec.acc_ms2, rtol=1e-5, atol=1e-5)
    assert back.placement is Placement.LOWER_BACK
    assert back.source["session_id"] == "s1" and back.source["complete"] is True


def test_session_with_real_tracker_finds_cadence(tmp_path: Path) -> None:
    rec = synthetic_recording(walk_s=20.0, step_hz=1.8)

    msgs, _ = run_session(
        replay_chunks(rec, speed=math.inf, chunk_s=0.1), tmp_path, placement="lower_back", body_height_m=1.75
    )
    strides = [m for m in msgs if m["type"] == "stride"]
    assert len(strides) >= 12  # 20 s at 0.9 strides/s, minus the first and the look-ahead
    assert np.median([s["cadence_spm"] for s in strides]) == pytest.approx(108.0, rel=0.03)
    assert any(m["type"] == "bout" for m in msgs)


async def failing_source(rec: Recording, fail_after: int, sent: list[Chunk]) -> AsyncIterator[Chunk]:
    async for chunk in replay_chunks(rec, speed=math.inf, chunk_s=0.1):
        if len(sent) == fail_after:
            raise IngestError("sensor vanished", reason="link_lost")
        sent.append(chunk)
        yield chunk


def test_journal_keeps_every_sample_before_a_crash(tmp_path: Path) -> None:
    rec = synthetic_recording(walk_s=5.0)
    sent: list[Chunk] = []

    async def main() -> LiveSession:
        session = LiveSession(failing_source(rec, 17, sent), placement="lower_back", journal_dir=tmp_path)
        q = session.subscribe()
        with pytest.raises(IngestError):
            await session.run()
        last = drain(q)[-1]
        assert last["phase"] == "ended" and last["error"] == "sensor vanished"
        return session

    session = run(main())
    received_s = np.concatenate([c.time_s for c in sent])
    assert 150 < len(received_s) < rec.n_samples
    back = load_journal(session.journal_path)
    np.testing.assert_allclose(back.time_s, received_s, atol=1e-6)
    assert back.source["complete"] is True  # the session itself ended (with an error)
    # a hard crash mid-write leaves a cut line: it is skipped, everything before it is kept
    with open(session.journal_path, "a", encoding="utf-8") as fh:
        fh.write("12.34,9.8")
    again = load_journal(session.journal_path.with_suffix(".json"))
    np.testing.assert_allclose(again.time_s, received_s, atol=1e-6)


def test_load_journal_errors(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        load_journal(tmp_path / "nothing.csv")
    (tmp_path / "empty.csv").write_text("time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n", encoding="utf-8")
    with pytest.raises(IngestError):
        load_journal(tmp_path / "empty.csv")


def test_stop_ends_a_real_time_session(tmp_path: Path) -> None:
    rec = synthetic_recording(walk_s=60.0)

    async def main() -> LiveSession:
        session = LiveSession(replay_chunks(rec, speed=1.0, chunk_s=0.05), placement="lower_back", journal_dir=tmp_path)
        q = session.subscribe()
        task = asyncio.create_task(session.run())
        while True:
            msg = await asyncio.wait_for(q.get(), 5)
            if msg["type"] == "state" and msg["phase"] == "streaming":
                break
        session.stop()
        state = await asyncio.wait_for(task, 5)
        assert state.phase == "ended" and state.error is None
        return session

    session = run(main())
    assert 0 < session.state.samples < rec.n_samples


class ListeningSource:
    """A source that reports state and gap messages the way BLE sources do, and drops back in time once."""

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

    def add_listener(self, cb: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        self.listeners.append(cb)
        return lambda: self.listeners.remove(cb)

    def __aiter__(self) -> AsyncIterator[Chunk]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[Chunk]:
        t, a = self.rec.time_s, self.rec.acc_ms2
        yield Chunk(t[:100], a[:100])
        for cb in list(self.listeners):
            cb({"type": "state", "phase": "reconnecting", "lost_packets": 0})
            cb(
                {
                    "type": "gap",
                    "start_s": t[99],
                    "end_s": t[150],
                    "lost_packets": 5,
                    "total_lost_packets": 5,
                    "reason": "link_lost",
                }
            )
            cb({"type": "state", "phase": "streaming", "lost_packets": 5})
        yield Chunk(t[98:150], a[98:150])  # overlaps by two samples: dropped, never reordered


def test_source_listener_gaps_and_overlap(tmp_path: Path) -> None:
    src = ListeningSource(synthetic_recording(walk_s=5.0))

    msgs, session = run_session(src, tmp_path, placement="waist", tracker_factory=FakeTracker)
    phases = [m["phase"] for m in msgs if m["type"] == "state"]
    assert phases == ["connecting", "streaming", "reconnecting", "streaming", "ended"]
    gaps = [m for m in msgs if m["type"] == "gap"]
    assert len(gaps) == 1 and gaps[0]["lost_packets"] == 5
    assert session.state.lost_packets == 5 and session.state.gaps == 1
    assert session.state.samples == 100 + 50 and session.state.dropped_samples == 2
    assert src.listeners == []  # unregistered at the end
    meta = json.loads(session.journal_path.with_suffix(".json").read_text())
    assert meta["gaps"][0]["reason"] == "link_lost"


class FakeCoach:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    def update(self, event: Any) -> list[dict[str, Any]]:
        self.seen.append(event)
        return [{"t_s": event.end_s, "kind": "shorten_stride", "message": "Shorten your stride", "reason": "test"}]


def test_coach_cues_are_published(tmp_path: Path) -> None:
    rec = synthetic_recording(walk_s=3.0)
    coach = FakeCoach()

    msgs, _ = run_session(
        replay_chunks(rec, speed=math.inf), tmp_path, placement="lower_back", tracker_factory=FakeTracker, coach=coach
    )
    cues = [m for m in msgs if m["type"] == "cue"]
    assert len(cues) == len(coach.seen) == rec.n_samples // 100
    assert cues[0]["message"] == "Shorten your stride"
    # each cue directly follows the stride that triggered it
    i = msgs.index(cues[0])
    assert msgs[i - 1]["type"] == "stride"


def test_existing_journal_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "walk1.csv").write_text("time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n0,0,0,9.8\n", encoding="utf-8")
    rec = synthetic_recording(3.0)

    async def main() -> LiveSession:
        session = LiveSession(
            replay_chunks(rec, speed=math.inf), placement="waist", journal_dir=tmp_path, session_id="walk1"
        )
        await session.run()
        return session

    session = run(main())
    assert session.replaced_journal is not None
    assert session.replaced_journal.read_text(encoding="utf-8").endswith("9.8\n")  # the old samples are kept
    assert len(load_journal(session.journal_path).time_s) == rec.n_samples


class DistanceCoach(FakeCoach):
    def __init__(self) -> None:
        super().__init__()
        self.distances: list[float] = []

    def set_distance_m(self, distance_m: float) -> None:
        self.distances.append(distance_m)


def test_pod_distance_feeds_the_coach(tmp_path: Path) -> None:
    from ingest.ble.protocols import RscMeasurement

    async def source() -> AsyncIterator[Any]:
        for total in (1000.0, 1001.5, 1003.0):
            yield RscMeasurement(1.2, 110.0, 1.3, total)

    coach = DistanceCoach()

    msgs, _ = run_session(source(), tmp_path, placement="foot", tracker_factory=FakeTracker, coach=coach)
    assert [m["total_distance_m"] for m in msgs if m["type"] == "pod"] == [1000.0, 1001.5, 1003.0]
    assert coach.distances == [0.0, 1.5, 3.0]  # distance into this walk, not the pod's odometer
