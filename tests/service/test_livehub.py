"""The live hub: a replayed walk through LiveSession is stored stride by stride and fanned out to feeds."""

from __future__ import annotations

import asyncio
import json
import math
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gait.analysis import analyze
from gait.coach import Coach, CoachSettings, plan_coaching
from gait.types import Placement, Recording
from ingest.replay import replay_chunks
from service.live import LiveSession
from service.livehub import LiveHub, recover_interrupted
from service.store import NewWalk, Store
from tests.service.conftest import count_rows, synthetic_walk, write_walk_csv


def run_hub(
    store: Store,
    tmp_path: Path,
    *,
    coach: Coach | None = None,
    body_height_m: float | None = None,
    stride_scale: float | None = None,
    recording: Recording | None = None,
    sensor_side: str | None = None,
) -> tuple[int, list[dict]]:
    recording = recording or synthetic_walk(duration_s=40.0)

    async def main() -> tuple[int, list[dict]]:
        hub = LiveHub(store, journal_dir=tmp_path / "journal")
        feed = hub.subscribe()

        def make(walk_id: int) -> LiveSession:
            return LiveSession(
                replay_chunks(recording, speed=math.inf),
                placement=recording.placement or Placement.LOWER_BACK,
                body_height_m=body_height_m,
                stride_scale=stride_scale,
                coach=coach,
                journal_dir=tmp_path / "journal",
                session_id=f"walk-{walk_id}",
                sensor_side=sensor_side,
            )

        walk_id = await hub.start(make, NewWalk(name="live", origin="live"))
        messages = []
        while True:
            event, frame = await asyncio.wait_for(feed.get(), timeout=30)
            lines = frame.decode().splitlines()
            assert lines[0] == f"event: {event}" and lines[1].startswith("data: ")
            msg = json.loads(lines[1][6:])
            assert msg["type"] == event
            messages.append(msg)
            if msg["type"] == "hub" and msg.get("ended"):
                return walk_id, messages

    return asyncio.run(main())


def test_live_walk_is_stored_like_the_offline_analysis(store: Store, tmp_path: Path) -> None:
    walk_id, messages = run_hub(store, tmp_path)
    offline = analyze(synthetic_walk(duration_s=40.0), placement=Placement.LOWER_BACK)
    stored = store.strides(walk_id)
    # One algorithm for both modes: the live walk's strides are the offline strides.
    assert [(s["start_s"], s["end_s"]) for s in stored] == [(s.start_s, s.end_s) for s in offline.strides]
    assert [m["start_s"] for m in messages if m["type"] == "stride"] == [s["start_s"] for s in stored]
    walk = store.get_walk(walk_id)
    assert walk["status"] == "complete" and walk["strides"] == len(offline.strides)
    assert walk["cadence_spm"] == pytest.approx(offline.summary["cadence_spm"], abs=0.5)
    assert messages[0]["type"] == "hub" and all("sent_ms" in m for m in messages[1:])


def test_live_cues_are_stored(store: Store, tmp_path: Path) -> None:
    settings = CoachSettings(enabled=True, min_cue_interval_s=5.0, reminder_interval_s=5.0)
    from gait.coach import PainReport

    # A 1.50 m walker with recent pain: target about 1.02 m at 108 steps/min; with a calibration factor of 1.3 the
    # walk's strides are about 1.3 m.
    plan = plan_coaching([], [PainReport(0.0, 6)], settings, body_height_m=1.5, now_s=3600.0)
    walk_id, messages = run_hub(store, tmp_path, coach=Coach(plan, settings), body_height_m=1.5, stride_scale=1.3)
    cues = [m for m in messages if m["type"] == "cue"]
    assert cues and cues[0]["kind"] == "shorten_stride"
    assert [c["t_s"] for c in store.cues(walk_id)] == [c["t_s"] for c in cues]
    assert store.get_walk(walk_id)["flagged_strides"] == sum(1 for m in messages if m.get("overlong"))


def test_crashed_live_walk_is_recovered_as_interrupted(store: Store) -> None:
    walk_id = store.start_live_walk(NewWalk(name="crashed", origin="live"))
    rows = [(i * 0.55, i * 0.55 + 1.1, 1.2, 109.0, 1.1, 0.8, "inverted_pendulum", None, None, None) for i in range(5)]
    store.append_live(walk_id, strides=rows, steps=[(i * 0.55, None) for i in range(7)])
    recovered = recover_interrupted(store)
    assert [w["id"] for w in recovered] == [walk_id]
    walk = store.get_walk(walk_id)
    assert walk["status"] == "interrupted" and walk["strides"] == 5 and walk["steps"] == 7
    assert walk["distance_m"] is not None and walk["distance_m"] > 0
    assert recover_interrupted(store) == []


def test_the_default_demo_sample_is_the_one_whose_strides_the_coach_trusts(tmp_path: Path) -> None:
    from gait.analysis import analyze
    from service.demo import find_sample, sample_recording
    from service.settings import DEMO_SAMPLE, REPO_SAMPLES_DIR

    # the dashboard's demo preselects what a demo replays; of the lower-back samples, it gathers the 20 trusted
    # strides a walk's own level needs (the other, 7 of 51, never did: its demo never coached)
    assert find_sample(REPO_SAMPLES_DIR, None).name == DEMO_SAMPLE
    rec = sample_recording(REPO_SAMPLES_DIR / DEMO_SAMPLE)
    result = analyze(rec, placement=rec.placement, body_height_m=rec.body_height_m, sensor_height_m=rec.sensor_height_m)
    assert sum(s.confidence >= 0.6 for s in result.strides) >= 20


def test_sse_feed_and_demo_controls(tmp_path: Path) -> None:
    from service.app import create_app
    from service.settings import Settings

    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "demo_walk.csv", duration_s=20.0)
    (samples / "demo_walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        assert client.get("/api/live").json()["samples"] == ["demo_walk.csv"]
        assert client.get("/api/live").json()["default_sample"] == "demo_walk.csv"  # the one a demo replays
        assert client.post("/api/live/demo", json={"sample": "nope.csv"}).status_code == 404
        r = client.post("/api/live/demo", json={"speed": 4})
        assert r.status_code == 202 and r.json()["running"] is True
        assert client.post("/api/live/demo", json={}).status_code == 409
        kinds = []
        with client.stream("GET", "/api/live/feed") as feed:
            assert feed.headers["content-type"].startswith("text/event-stream")
            for line in feed.iter_lines():
                if line.startswith("event: "):
                    kinds.append(line[7:])
                if "stride" in kinds:
                    break
        assert kinds[0] == "hub"
        stopped = client.post("/api/live/stop").json()
        assert stopped["running"] is False
        walks = client.get("/api/walks").json()
        assert len(walks) == 1 and walks[0]["origin"] == "live" and walks[0]["status"] == "complete"
        assert walks[0]["summary"]["strides"] >= 1
        assert count_rows(client.app.state.store, "strides") == walks[0]["summary"]["strides"]


def crash_before_the_last(store: Store, walk_id: int, n_strides: int) -> None:
    """Simulate a crash before the last batches were committed: the walk is still live and misses its tail."""
    tail = store.strides(walk_id)[-n_strides]
    with store.write() as conn:
        conn.execute("UPDATE walks SET status = 'live' WHERE id = ?", (walk_id,))
        conn.execute("DELETE FROM strides WHERE walk_id = ? AND idx >= ?", (walk_id, tail["idx"]))
        conn.execute("DELETE FROM steps WHERE walk_id = ? AND t_s > ?", (walk_id, tail["start_s"]))


def test_strides_lost_in_a_crash_come_back_from_the_journal(store: Store, tmp_path: Path) -> None:
    walk_id, _ = run_hub(store, tmp_path)
    complete = store.strides(walk_id)
    crash_before_the_last(store, walk_id, 10)
    recover_interrupted(store, tmp_path / "journal")
    recovered = store.strides(walk_id)
    assert len(recovered) == len(complete)
    assert [s["start_s"] for s in recovered] == pytest.approx([s["start_s"] for s in complete], abs=1e-5)
    assert [s["idx"] for s in recovered] == list(range(len(complete)))
    assert store.get_walk(walk_id)["status"] == "interrupted"


def test_first_run_imports_samples_and_starts_the_demo(tmp_path: Path) -> None:
    from service.app import create_app
    from service.settings import Settings

    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk_a.csv", duration_s=20.0)
    (samples / "walk_a.reference.json").write_text(json.dumps({"placement": "lower_back", "body_height_m": 1.8}))
    (samples / "broken.csv").write_text("not,a,recording\n")  # skipped with a warning, not fatal
    settings = Settings(data_dir=tmp_path / "data", samples_dir=samples, demo=True, demo_speed=10)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        walks: list[dict] = []
        for _ in range(200):
            walks = client.get("/api/walks").json()
            if len(walks) == 2:
                break
            time.sleep(0.05)
        assert sorted(w["origin"] for w in walks) == ["live", "sample"], walks
        sample = next(w for w in walks if w["origin"] == "sample")
        assert sample["name"] == "walk_a" and sample["summary"]["strides"] > 10
        demo = next(w for w in walks if w["origin"] == "live")
        assert demo["source"]["sample"] == "walk_a.csv"
        # a live walk records how its lengths are obtained, like the sample (the sample's height: 1.8 m given)
        assert demo["notes"] == [n for n in sample["notes"] if n.startswith("stride length:")], (demo, sample)
        assert demo["notes"] and "inverted-pendulum" in demo["notes"][0]


@pytest.mark.parametrize("live_demo", [True, False])
def test_a_later_start_replays_the_demo_walk_only_when_asked(tmp_path: Path, live_demo: bool) -> None:
    from service.app import create_app
    from service.settings import Settings

    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk_a.csv", duration_s=20.0)
    (samples / "walk_a.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    first = Settings(data_dir=tmp_path / "data", samples_dir=samples, demo=True, demo_speed=50)
    with TestClient(create_app(first), base_url="http://127.0.0.1") as client:
        for _ in range(400):  # the first run's demo walk replays 20 s at 50x, then ends
            walks = client.get("/api/walks").json()
            if len(walks) == 2 and not client.get("/api/live").json()["running"]:
                break
            time.sleep(0.05)
        assert len(walks) == 2
        (first_demo,) = [w["id"] for w in walks if w["origin"] == "live"]
    # a second start (./run demo again): the samples are stored already
    again = first.with_(live_demo=live_demo)
    with TestClient(create_app(again), base_url="http://127.0.0.1") as client:
        walks = []
        for _ in range(100):
            walks = client.get("/api/walks").json()
            if not live_demo or first_demo not in [w["id"] for w in walks]:
                break
            time.sleep(0.05)
        live = [w["id"] for w in walks if w["origin"] == "live"]
        # asked, the demo replays again as a new walk that replaces the earlier replay (no pile of copies)
        assert len(live) == 1 and (live[0] != first_demo) == live_demo, walks
        assert sum(w["origin"] == "sample" for w in walks) == 1  # the samples are not imported twice


def test_feed_frames_are_valid_json_even_with_nan(store: Store, tmp_path: Path) -> None:
    hub = LiveHub(store, journal_dir=tmp_path)

    async def main() -> tuple[str, bytes]:
        queue = hub.subscribe()
        queue.get_nowait()  # the initial hub state
        hub.broadcast({"type": "stride", "length_m": float("nan"), "nested": {"x": float("inf")}, "n": 3})
        return queue.get_nowait()

    event, frame = asyncio.run(main())
    data = json.loads(frame.decode().splitlines()[1][6:])
    assert event == "stride" and data["length_m"] is None and data["nested"]["x"] is None and data["n"] == 3


FOOT_SAMPLE = Path(__file__).resolve().parents[2] / "sample_recordings" / "gaitmap_left_foot"


def test_a_foot_sample_streams_as_the_shoe_its_reference_names(tmp_path: Path) -> None:
    """The live demo of a foot sample labels its steps and strides with the shoe, as its import does."""
    from service.app import create_app
    from service.settings import Settings

    samples = tmp_path / "samples"
    samples.mkdir()
    for suffix in (".csv", ".reference.json"):
        (samples / f"foot{suffix}").write_bytes(FOOT_SAMPLE.with_name(FOOT_SAMPLE.name + suffix).read_bytes())
    assert json.loads((samples / "foot.reference.json").read_text())["side"] == "left"
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        walk_id = client.post("/api/live/demo", json={"speed": 50}).json()["walk_id"]
        deadline = time.monotonic() + 20
        while client.get("/api/live").json()["running"] and time.monotonic() < deadline:
            time.sleep(0.1)
        strides = client.get(f"/api/walks/{walk_id}/strides").json()
        steps = client.app.state.store.steps(walk_id)
    assert len(strides) >= 10 and {s["side"] for s in strides} == {"left"}
    assert steps and {s["side"] for s in steps} == {"left"}


def test_a_crash_recovers_the_shoe_of_a_foot_sensor_from_the_journal(store: Store, tmp_path: Path) -> None:
    from ingest.gait_csv import read_gait_csv

    recording = read_gait_csv(FOOT_SAMPLE.with_suffix(".csv"), placement=Placement.FOOT)
    walk_id, _ = run_hub(store, tmp_path, recording=recording, sensor_side="right")
    complete = store.strides(walk_id)
    assert len(complete) >= 10 and {s["side"] for s in complete} == {"right"}
    crash_before_the_last(store, walk_id, 5)
    recover_interrupted(store, tmp_path / "journal")
    recovered = store.strides(walk_id)
    assert len(recovered) == len(complete)
    assert {s["side"] for s in recovered} == {"right"}  # the journal's sidecar keeps the shoe
    assert {s["side"] for s in store.steps(walk_id)} == {"right"}


def test_a_live_walk_lasts_as_long_as_its_recorded_samples(store: Store, tmp_path: Path) -> None:
    recording = synthetic_walk(duration_s=40.0)
    walk_id, _ = run_hub(store, tmp_path, recording=recording)
    # the samples span 0 to 39.99 s; the contacts start and end inside that
    assert store.get_walk(walk_id)["duration_s"] == pytest.approx(recording.duration_s, abs=0.01)


def test_a_recovered_walk_lasts_as_long_as_its_journal(store: Store, tmp_path: Path) -> None:
    recording = synthetic_walk(duration_s=40.0)
    walk_id, _ = run_hub(store, tmp_path, recording=recording)
    crash_before_the_last(store, walk_id, 10)
    with store.write() as conn:  # the crash came before the walk was closed: no summary yet
        conn.execute("UPDATE walks SET duration_s = NULL WHERE id = ?", (walk_id,))
    # a crash may cut the journal's last line
    journal = tmp_path / "journal" / f"walk-{walk_id}.csv"
    with journal.open("a", encoding="utf-8") as fh:
        fh.write("45.0,0.1,")
    recover_interrupted(store, tmp_path / "journal")
    assert store.get_walk(walk_id)["duration_s"] == pytest.approx(recording.duration_s, abs=0.01)


def test_recovery_says_how_many_strides_were_kept_and_recovered(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    walk_id, _ = run_hub(store, tmp_path)
    n = len(store.strides(walk_id))
    with store.write() as conn:  # killed after every stride was committed, before the walk was closed
        conn.execute("UPDATE walks SET status = 'live' WHERE id = ?", (walk_id,))
    with caplog.at_level("INFO", logger="service.livehub"):
        recover_interrupted(store, tmp_path / "journal")
    assert f"walk {walk_id}: {n} strides kept, 0 more recovered from the journal" in caplog.messages
    assert store.get_walk(walk_id)["strides"] == n

    crash_before_the_last(store, walk_id, 3)
    caplog.clear()
    with caplog.at_level("INFO", logger="service.livehub"):
        recover_interrupted(store, tmp_path / "journal")
    assert f"walk {walk_id}: {n - 3} strides kept, 3 more recovered from the journal" in caplog.messages
