"""What the dashboard shows of live walks, from the API: the distance of a walk still live, how a walk ended in
plain words, and the level a live walk without a personal baseline set (said as an upload of it says it).

Real parts: the service's app with its live hub, a real SQLite file, the gaitmap foot sample replayed live."""

from __future__ import annotations

import asyncio
import math
import shutil
import statistics
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gait.types import Placement
from ingest.ble.errors import BleError
from ingest.replay import replay_chunks
from service import coaching
from service.demo import _start_live_walk, sample_recording
from service.livehub import recover_interrupted
from service.store import Store
from tests.service.serverproc import REPO

pytestmark = pytest.mark.timeout(60)
SAMPLE = REPO / "sample_recordings" / "gaitmap_left_foot.csv"


def start_replay(client: TestClient, make_source: Callable[[], AsyncIterator[Any]]) -> int:
    """Start a live walk of the walker's own (not a demo) from ``make_source`` in the app's hub; returns its id."""
    app = client.app
    recording = sample_recording(SAMPLE)
    return client.portal.call(
        lambda: _start_live_walk(
            app.state.hub,
            app.state.store,
            app.state.settings,
            coaching.load_profile(app.state.store),
            make_source=make_source,
            placement=Placement.FOOT,
            body_height_m=recording.body_height_m,
            walk_name="live walk",
            walk_source={},
            sensor_side="left",
        )
    )


def until(predicate: Callable[[], Any], what: str, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


def hub_messages(queue: asyncio.Queue) -> list[dict[str, Any]]:
    import json

    out = []
    while not queue.empty():
        _, frame = queue.get_nowait()
        out.append(json.loads(frame.decode().splitlines()[1][6:]))
    return out


@pytest.fixture
def app_client(tmp_path: Path) -> Any:
    """The service on its own data folder (its store is the app's, as the hub writes to it)."""
    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import LOOPBACK

    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "no-samples")
    with TestClient(create_app(settings), base_url=LOOPBACK) as c:
        yield c


def test_a_walk_still_live_is_listed_with_its_distance_so_far_and_ends_stopped_by_you(app_client: TestClient) -> None:
    recording = sample_recording(SAMPLE)
    keep = recording.time_s < recording.time_s[0] + (recording.time_s[-1] - recording.time_s[0]) / 2
    first_half = replace(recording, time_s=recording.time_s[keep], acc_ms2=recording.acc_ms2[keep],
                         gyr_dps=recording.gyr_dps[keep])  # fmt: skip
    n_samples = int(keep.sum())

    async def walk_then_stand() -> AsyncIterator[Any]:
        async for chunk in replay_chunks(first_half, speed=math.inf):
            yield chunk
        await asyncio.Event().wait()  # the sensor stays connected, sending nothing: the walk is still live

    hub = app_client.app.state.hub
    feed = hub.subscribe()
    walk_id = start_replay(app_client, walk_then_stand)
    until(lambda: (hub.current_state() or {}).get("samples") == n_samples, "the first half to be streamed")
    time.sleep(0.6)  # the hub's pump passes the last messages on (it flushes every 0.25 s)
    messages = hub_messages(feed)
    shown = [m["walk_distance_m"] for m in messages if m["type"] in ("stride", "bout")]
    assert shown and shown[-1] > 10, shown  # what the live page shows now: metres of walking
    strides = [m for m in messages if m["type"] == "stride"]

    (listed,) = [w for w in app_client.get("/api/walks").json() if w["id"] == walk_id]
    assert listed["status"] == "live"
    assert listed["summary"]["distance_m"] == pytest.approx(shown[-1], abs=0.05)
    # cadence and stride length so far: the medians of the strides streamed (a stored summary's are medians); the
    # row showed none until the walk ended
    cadences = [m["cadence_spm"] for m in strides]
    assert listed["summary"]["cadence_spm"] == pytest.approx(statistics.median(cadences), abs=0.05)
    lengths = [m["length_m"] for m in strides if m["length_m"] is not None]
    assert listed["summary"]["stride_length_m"] == pytest.approx(statistics.median(lengths), abs=0.0005)
    one = app_client.get(f"/api/walks/{walk_id}").json()
    assert one["summary"]["distance_m"] == pytest.approx(shown[-1], abs=0.05)

    assert app_client.post("/api/live/stop").status_code == 200
    ended = until(lambda: [m for m in hub_messages(feed) if m["type"] == "hub" and m.get("ended")], "the end")
    assert ended[-1]["ended_how"] == "stopped by you"
    walk = app_client.get(f"/api/walks/{walk_id}").json()
    assert walk["status"] == "complete" and walk["ended"] == "stopped by you"
    assert walk["source"]["ended"] == "stopped"
    # stopped, its distance is the stored summary's (at least what was shown while live)
    assert walk["summary"]["distance_m"] >= shown[-1] - 0.05


def test_a_lost_link_and_a_recording_that_ran_out_are_said_in_plain_words(app_client: TestClient) -> None:
    recording = sample_recording(SAMPLE)
    hub = app_client.app.state.hub

    async def whole() -> AsyncIterator[Any]:
        async for chunk in replay_chunks(recording, speed=math.inf):
            yield chunk

    async def then_lost() -> AsyncIterator[Any]:
        async for chunk in replay_chunks(recording, speed=math.inf):
            yield chunk
        raise BleError("lost Pod-7 and could not reconnect for 30 s (the link dropped)", reason="link_lost")

    runs = {}
    for name, source in (("whole", whole), ("lost", then_lost)):
        walk_id = start_replay(app_client, source)
        until(lambda: not hub.running, "the walk to end")
        runs[name] = until(
            lambda walk_id=walk_id: (w := app_client.get(f"/api/walks/{walk_id}").json())["status"] != "live" and w,
            "the walk to be closed",
        )
    assert runs["whole"]["status"] == "complete"
    # a replay (no sensor) ran to the end of its recording: not "stopped by you", not "complete"
    assert runs["whole"]["ended"] == "the replayed recording came to its end"
    lost = runs["lost"]
    assert lost["status"] == "interrupted"
    assert lost["ended"] == "the link to the sensor was lost and could not be restored"
    # the error's own words are kept with the walk (they were only sent to the live page before)
    assert lost["source"]["end_detail"] == "lost Pod-7 and could not reconnect for 30 s (the link dropped)"
    listed = {w["id"]: w["ended"] for w in app_client.get("/api/walks").json()}
    assert listed == {runs["whole"]["id"]: runs["whole"]["ended"], lost["id"]: lost["ended"]}


def test_a_walk_closed_after_a_crash_says_so(store: Store, tmp_path: Path) -> None:
    from service.store import NewWalk

    walk_id = store.start_live_walk(NewWalk(name="live", origin="live", placement="foot"))
    (walk,) = recover_interrupted(store, tmp_path / "journal")
    assert walk["id"] == walk_id and walk["source"]["ended"] == "crash"
    from service.routers.walks import walk_public

    assert walk_public(walk)["ended"].startswith("the service stopped during the walk (a crash or a power cut)")


def test_a_live_walk_says_the_level_its_first_strides_set_as_an_upload_of_it_says(
    app_client: TestClient, tmp_path: Path
) -> None:
    # a walker with coaching on, a 1.40 m height and back pain reported now: no personal baseline
    profile = {"body_height_m": 1.40, "placement": "foot", "coaching": {"enabled": True}}
    assert app_client.put("/api/profile", json=profile).status_code == 200
    assert app_client.post("/api/pain", json={"score": 5}).status_code == 201
    path = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, path)
    with path.open("rb") as fh:
        r = app_client.post("/api/uploads", files={"file": (path.name, fh, "text/csv")}, data={"placement": "foot"})
    assert r.status_code == 201, r.text
    upload = app_client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()
    assert app_client.delete(f"/api/walks/{upload['id']}").status_code == 200  # the live walk has no baseline either

    recording = sample_recording(SAMPLE)
    hub = app_client.app.state.hub
    walk_id = start_replay(app_client, lambda: replay_chunks(recording, speed=math.inf))
    until(lambda: not hub.running, "the walk to end")
    live = until(lambda: (w := app_client.get(f"/api/walks/{walk_id}").json())["status"] != "live" and w, "its close")
    said = "There is no baseline of yours for a foot sensor yet, so strides were compared with this walk's first 20"
    (up_line,) = [x for x in upload["coaching"]["reasons"] if x.startswith(said)]
    (live_line,) = [x for x in live["coaching"]["reasons"] if x.startswith(said)]
    assert live_line == up_line  # the level (m at steps/min, % above the population line), the same words
    assert live["coaching"]["judged_against"] == upload["coaching"]["judged_against"]
    assert live["coaching"]["walk_level_scale"] == pytest.approx(upload["coaching"]["walk_level_scale"])
    # said where an upload says it: after the rule that each walk sets its own level
    at = live["coaching"]["reasons"].index(live_line)
    assert live["coaching"]["reasons"][at - 1].startswith("Until then each walk sets its own level")
