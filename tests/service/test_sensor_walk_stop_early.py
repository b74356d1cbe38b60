"""Stop pressed while a sensor walk is still starting (POST /api/live/sensor looks its sensor up, a scan of about
a second, and connects before the walk exists) cancels the start, over the virtual radio: the sensor is released,
nothing is stored, and the start answers that it was stopped before it started."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.test_sensor_walk_connections import add_sensor, settle
from tests.service.test_sensors import feed_until, samples_dir, virtual  # noqa: F401 (fixtures)

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("stop_after_s", [0.3, 0.6])
def test_stop_while_the_sensor_is_looked_for_stores_nothing(virtual: TestClient, stop_after_s: float) -> None:  # noqa: F811
    sensor = add_sensor(virtual, "Early", loop=True)
    answers: dict[str, Any] = {}

    def start() -> None:
        answers["start"] = virtual.post("/api/live/sensor", json={"target": "Early", "placement": "lower_back"})

    starter = threading.Thread(target=start)
    starter.start()
    time.sleep(stop_after_s)  # the tester's timing: Stop a moment after Connect, during "Looking for the sensor..."
    stop = virtual.post("/api/live/stop")
    starter.join(timeout=15)
    assert stop.status_code == 200 and stop.json()["running"] is False
    start_answer = answers["start"]
    assert start_answer.status_code == 409, start_answer.text
    assert "Stopped before the walk started" in start_answer.json()["detail"]
    # a started walk would stream within a second or two (10x real time): none does, none is stored
    time.sleep(2.0)
    status = virtual.get("/api/live").json()
    assert (status["running"], status["connecting"], status["walk_id"]) == (False, False, None)
    assert virtual.get("/api/walks").json() == []
    assert sensor.samples_notified == 0
    assert settle(lambda: sensor.links_open == 0)


def test_the_feed_says_connecting_then_stopped_before_it_started(virtual: TestClient) -> None:  # noqa: F811
    add_sensor(virtual, "Watched", loop=True)
    answers: list[Any] = []
    stop_sent = threading.Event()

    def start() -> None:
        def run() -> None:
            answers.append(virtual.post("/api/live/sensor", json={"target": "Watched", "placement": "lower_back"}))

        threading.Thread(target=run, daemon=True).start()

    def on_connecting(ms: list[dict[str, Any]]) -> bool:
        if any(m["type"] == "hub" and m.get("connecting") for m in ms) and not stop_sent.is_set():
            # the page's Stop is enabled by this message: press it now
            stop_sent.set()
            threading.Thread(target=lambda: virtual.post("/api/live/stop"), daemon=True).start()
        return any(m["type"] == "hub" and m.get("start_stopped") for m in ms)

    messages = feed_until(virtual, on_connecting, start=start)
    hubs = [m for m in messages if m["type"] == "hub"]
    assert hubs[0]["connecting"] is False  # the state a new feed starts with: idle
    assert any(m["connecting"] and not m["running"] for m in hubs)
    assert hubs[-1]["connecting"] is False and hubs[-1]["running"] is False and hubs[-1]["start_stopped"] is True
    assert settle(lambda: bool(answers), within_s=5.0) and answers[0].status_code == 409
