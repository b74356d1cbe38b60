"""A live walk whose writes fail: deleted while live (refused now), its rows refused by the store, a full disk.

Real SQLite, the virtual radio's sensors (as the sensor-walk tests use them), a real full disk (a small tmpfs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.conftest import LOOPBACK
from tests.service.test_disk_full import _fill, small_disk  # noqa: F401 (fixture)
from tests.service.test_sensor_walk_connections import add_sensor, settle
from tests.service.test_sensors import feed_until, samples_dir, virtual  # noqa: F401 (fixtures)

pytestmark = pytest.mark.timeout(90)


def start_walk(client: TestClient, name: str, strides: int = 3) -> list[dict[str, Any]]:
    """Start a sensor walk on ``name`` and read the feed until ``strides`` strides came; returns the messages."""
    started: list[Any] = []

    def start() -> None:
        started.append(client.post("/api/live/sensor", json={"target": name, "placement": "lower_back"}))

    messages = feed_until(client, lambda ms: sum(m["type"] == "stride" for m in ms) >= strides, start=start)
    assert started[0].status_code == 202, started[0].text
    return messages


def ended(messages: list[dict[str, Any]]) -> bool:
    return messages[-1]["type"] == "hub" and bool(messages[-1].get("ended"))


def test_a_live_walk_cannot_be_deleted(virtual: TestClient) -> None:  # noqa: F811
    """QA: DELETE of the live walk answered 204, and the hub then failed every flush and could not be stopped."""
    add_sensor(virtual, "Kept", loop=True)
    start_walk(virtual, "Kept")
    walk_id = virtual.get("/api/live").json()["walk_id"]
    r = virtual.delete(f"/api/walks/{walk_id}")
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == (
        f"walk {walk_id} is being recorded live: stop the live walk first, on the Live page, then delete it"
    )
    assert virtual.get(f"/api/walks/{walk_id}").json()["status"] == "live"
    assert virtual.post("/api/live/stop").status_code == 200
    assert virtual.delete(f"/api/walks/{walk_id}").status_code == 200


def test_a_walk_whose_rows_are_refused_ends_frees_its_sensor_and_stops(virtual: TestClient) -> None:  # noqa: F811
    """Whatever a flush fails on (here the walk's row gone under it, as a delete did), the session ends, the sensor
    is released, the live page is told, Stop answers, and the same sensor connects again."""
    sensor = add_sensor(virtual, "GaitTwin", loop=True)
    start_walk(virtual, "GaitTwin")
    walk_id = virtual.get("/api/live").json()["walk_id"]
    store = virtual.app.state.store
    messages = feed_until(virtual, ended, start=lambda: store.delete_walk(walk_id))
    (error,) = [m["message"] for m in messages if m["type"] == "error"]
    assert error.startswith("the live walk stopped: FOREIGN KEY constraint failed"), error
    assert messages[-1]["running"] is False and messages[-1]["end_reason"] == "error"
    assert settle(lambda: sensor.links_open == 0)
    status = virtual.get("/api/live").json()
    assert status["running"] is False and status["state"]["phase"] == "ended"
    assert virtual.post("/api/live/stop").status_code == 200
    # the sensor is free: a new walk on it starts and records
    start_walk(virtual, "GaitTwin", strides=1)
    assert virtual.post("/api/live/stop").status_code == 200


@pytest.fixture
def on_small_disk(small_disk: Path, samples_dir: Path) -> Iterator[TestClient]:  # noqa: F811
    settings = Settings(
        data_dir=small_disk / "data", demo=False, samples_dir=samples_dir, demo_speed=10, ble_virtual=True
    )
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        yield client


def test_a_full_disk_ends_the_walk_at_once_and_stop_closes_it_once_space_is_freed(
    on_small_disk: TestClient,
    small_disk: Path,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """QA: on a full disk the walk kept 'streaming' with Stop answering 507 for ever, the page showing the raw
    error, and the walk stayed live until a restart called it a crash."""
    client = on_small_disk
    caplog.set_level(logging.INFO, logger="service.livehub")
    sensor = add_sensor(client, "GaitFull", loop=True)
    seen = sum(m["type"] == "stride" for m in start_walk(client, "GaitFull", strides=5))
    walk_id = client.get("/api/live").json()["walk_id"]
    stored_before = len(client.get(f"/api/walks/{walk_id}/strides").json())
    assert stored_before >= 1
    filler: list[Path] = []
    messages = feed_until(client, ended, start=lambda: filler.append(_fill(small_disk)))
    (error,) = [m["message"] for m in messages if m["type"] == "error"]
    data_dir = small_disk / "data"
    assert error.startswith(
        f"The disk holding the gait data folder ({data_dir}) is full, so the live walk was stopped and the sensor "
        "released."
    ), error
    assert "Errno" not in error and "in the walk's journal" in error
    end = messages[-1]
    assert end["running"] is False and end["end_reason"] == "disk_full"
    assert end["ended_how"] == "the disk holding the data folder was full, so the walk could not be written on"
    assert settle(lambda: sensor.links_open == 0)
    status = client.get("/api/live").json()
    assert status["running"] is False and status["state"]["phase"] == "ended"
    if end["unclosed"]:
        # the store could not close it either: Stop says the disk is still full, then closes it once freed
        assert "free some space on that disk, then press Stop" in error
        assert status["unclosed_walk_id"] == walk_id
        assert client.get(f"/api/walks/{walk_id}").json()["status"] == "live"
        r = client.post("/api/live/stop")
        # the walk is kept (not the upload's "nothing was stored ... try again"): Stop closes it once space is freed
        assert r.status_code == 507, r.text
        assert r.json()["detail"] == (
            f"The disk holding the gait data folder ({data_dir}) is still full, so walk {walk_id} could not be closed "
            "yet: free some space on that disk, then press Stop again to close the walk with what was recorded "
            "(otherwise it is closed when the service next starts)."
        )
        filler[0].unlink()
        r = client.post("/api/live/stop")
        assert r.status_code == 200, r.text
        assert r.json()["unclosed_walk_id"] is None
        # closed: the "could not be closed yet ... press Stop" words are gone from the state a page opened now shows
        assert "error" not in (r.json()["state"] or {}), r.json()["state"]
        # the close that the full disk failed says nothing: one line, for the close that happened
        closes = [m for m in caplog.messages if m.startswith(f"walk {walk_id}: ") and "strides kept" in m]
        assert len(closes) == 1, closes
    else:
        filler[0].unlink()
    walk = client.get(f"/api/walks/{walk_id}").json()
    assert walk["status"] == "interrupted"
    assert walk["ended"] == "the disk holding the data folder was full, so the walk could not be written on"
    # its summary from what was stored and what its journal held: every stride seen live before the disk filled
    assert walk["summary"]["strides"] >= seen >= 5
    assert not list(data_dir.rglob("*.tmp"))  # no half-written sidecar left behind
    assert walk["summary"]["distance_m"] is not None and walk["summary"]["distance_m"] > 0
    if end["unclosed"]:
        assert walk["reason"].startswith("This live walk was stopped because the disk holding its data was full")
    # space is back: a new walk on the same sensor records
    start_walk(client, "GaitFull", strides=1)
    assert client.post("/api/live/stop").status_code == 200
