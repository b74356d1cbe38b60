"""A sensor walk started from the dashboard (POST /api/live/sensor) connects to its sensor once, on the virtual radio.

The service connects to read the sensor's GATT services before it creates the walk (to store how the walk is
coached); that connection is the one the walk streams on. Real sensors are often not connectable for a moment after
a disconnect, so a read-disconnect-reconnect start costs seconds and often fails. The virtual sensors count the
connections they accept.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gait.types import Placement
from ingest.ble.virtual import SensorFaults, VirtualSensor
from service.demo import start_sensor_walk
from tests.service.conftest import synthetic_walk
from tests.service.test_sensors import feed_until, samples_dir, virtual  # noqa: F401 (fixtures)

pytestmark = pytest.mark.timeout(60)


def settle(predicate: Any, within_s: float = 3.0) -> bool:
    """Poll ``predicate()`` until it holds or ``within_s`` passes (a disconnection takes a few radio events)."""
    deadline = time.monotonic() + within_s
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return bool(predicate())


def add_sensor(client: TestClient, name: str, **kwargs: Any) -> VirtualSensor:
    """A virtual IMU sensor called ``name`` on the service's radio (10x real time), powered on."""
    sensor = VirtualSensor(synthetic_walk(duration_s=kwargs.pop("duration_s", 60.0)), name=name, speed=10, **kwargs)
    return client.portal.call(client.app.state.ble.radio.add_sensor, sensor)


def test_a_dashboard_sensor_walk_connects_once(virtual: TestClient) -> None:  # noqa: F811
    counted = add_sensor(virtual, "Counted", loop=True)
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": "Counted", "placement": "lower_back"}))

    feed_until(virtual, lambda ms: sum(m["type"] == "stride" for m in ms) >= 3, start=start)
    assert started[0].status_code == 202, started[0].text
    assert virtual.get("/api/live").json()["sensor"]["protocol"] == "imu"
    # read its services and streamed on the same link
    assert (counted.connections, counted.links_open) == (1, 1)
    virtual.post("/api/live/stop")
    assert settle(lambda: counted.links_open == 0)
    assert counted.connections == 1


def test_a_walk_that_loses_the_start_race_leaves_its_sensor_free(virtual: TestClient) -> None:  # noqa: F811
    """Two walks started at once (two dashboards): both sensors are read, one walk starts, the other is refused as
    'already running' after its read; the refused one's sensor is disconnected (a sensor connected to a forgotten
    client cannot be used by anything else) and starts a walk later, while the started one streamed on its read."""
    first, second = add_sensor(virtual, "First", loop=True), add_sensor(virtual, "Second", loop=True)
    app = virtual.app.state

    async def both() -> list[Any]:
        starts = [
            start_sensor_walk(app.hub, app.store, app.settings, app.ble, target=s.name, placement=Placement.LOWER_BACK)
            for s in (first, second)
        ]
        return await asyncio.gather(*starts, return_exceptions=True)

    results = virtual.portal.call(both)
    assert sorted(type(r).__name__ for r in results) == ["RuntimeError", "int"], results
    winner, loser = (first, second) if isinstance(results[0], int) else (second, first)
    assert "already running" in str(next(r for r in results if isinstance(r, RuntimeError)))
    assert settle(lambda: winner.samples_notified > 0)
    assert (winner.connections, winner.links_open) == (1, 1)
    assert settle(lambda: loser.links_open == 0) and loser.connections == 1
    assert [w["name"] for w in virtual.get("/api/walks").json()] == [f"Live: {winner.name}"]

    virtual.post("/api/live/stop")
    again = virtual.post("/api/live/sensor", json={"target": loser.name, "placement": "lower_back"})
    assert again.status_code == 202, again.text
    assert settle(lambda: loser.samples_notified > 0)
    assert (loser.connections, loser.links_open) == (2, 1)
    virtual.post("/api/live/stop")


def test_a_link_dropped_mid_walk_reconnects_and_every_sample_sent_arrives(virtual: TestClient) -> None:  # noqa: F811
    """The walk streams on the read's connection; when that link drops, the walk reconnects once (the sensor sees
    two connections in all), reports the gap, and receives every sample the sensor sent."""
    faults = SensorFaults(drop_link_after_s=8.0, link_down_s=0.3)
    flaky = add_sensor(virtual, "Flaky", duration_s=20.0, faults=faults)
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": "Flaky", "placement": "lower_back"}))

    def back(ms: list[dict[str, Any]]) -> bool:
        phases = [m["phase"] for m in ms if m["type"] == "state"]
        return "reconnecting" in phases and "streaming" in phases[phases.index("reconnecting") :]

    messages = feed_until(virtual, back, start=start)
    assert started[0].status_code == 202, started[0].text
    reconnecting = [m for m in messages if m["type"] == "state" and m["phase"] == "reconnecting"]
    assert reconnecting[0]["detail"] == "the link dropped"  # told by the disconnect, not by seconds of silence
    # the recording sent to its end, and all of it received (read at once: a silent sensor is reconnected after 3 s)
    assert settle(
        lambda: (
            flaky.finished.is_set() and virtual.get("/api/live").json()["state"]["samples"] == flaky.samples_notified
        ),
        within_s=10.0,
    )
    assert flaky.connections == 2  # the read's connection, streamed on, and one reconnect
    state = virtual.get("/api/live").json()["state"]
    assert state["gaps"] >= 1 and state["lost_packets"] > 0
    virtual.post("/api/live/stop")
    gaps = virtual.get("/api/live").json()["state"]["gaps"]
    assert gaps == state["gaps"]
