"""A dashboard sensor walk (POST /api/live/sensor) from a sensor too slow to see steps, on the virtual radio."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gait.types import Recording
from ingest.ble.virtual import VirtualSensor
from tests.service.conftest import synthetic_walk
from tests.service.test_sensors import feed_until, samples_dir, virtual  # noqa: F401 (fixtures)

pytestmark = pytest.mark.timeout(60)


def test_a_sensor_walk_under_20_hz_ends_with_the_reason_and_is_not_marked_complete(
    virtual: TestClient,  # noqa: F811
) -> None:
    """QA: a 17 Hz sensor was stored as "Live: Slow17" complete with no note, while its journal is refused by the
    analysis for its rate."""
    walk = synthetic_walk(duration_s=30.0, rate_hz=17.0)
    slow = VirtualSensor(Recording(walk.time_s, walk.acc_ms2), name="Slow17", speed=4)
    virtual.portal.call(virtual.app.state.ble.radio.add_sensor, slow)
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": "Slow17", "placement": "lower_back"}))

    messages = feed_until(virtual, lambda ms: ms[-1]["type"] == "hub" and bool(ms[-1].get("ended")), start=start)
    assert started[0].status_code == 202, started[0].text
    (error,) = [m["message"] for m in messages if m["type"] == "error"]
    assert "sampled at 17.0 Hz, below the 20 Hz needed to see individual steps" in error
    assert not [m for m in messages if m["type"] == "stride"]
    (stored,) = virtual.get("/api/walks").json()
    assert stored["status"] == "interrupted"
    page = virtual.get(f"/api/walks/{stored['id']}").json()
    assert page["ended"] == "the sensor samples too slowly to see individual steps (under 20 Hz)"
    assert "sampled at 17.0 Hz, below the 20 Hz" in page["source"]["end_detail"]
