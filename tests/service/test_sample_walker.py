"""A sample recording is somebody else's walk: its demo, its import and a virtual sensor replaying it use the
sample walker's heights (from its reference file), never the user's height or calibration factor."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.conftest import LOOPBACK, write_walk_csv

pytestmark = pytest.mark.timeout(60)
USER = {"body_height_m": 1.6, "placement": "lower_back", "stride_scale": 1.3}
"""The user's profile: 1.60 m tall, calibrated with a factor of 1.3 (neither belongs to a sample's walker)."""


def samples_with(tmp_path: Path, reference: dict) -> Path:
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk.csv", duration_s=20.0)
    (samples / "walk.reference.json").write_text(json.dumps({"placement": "lower_back", **reference}))
    return samples


def wait_until_idle(client: TestClient) -> None:
    deadline = time.monotonic() + 30
    while client.get("/api/live").json()["running"] and time.monotonic() < deadline:
        time.sleep(0.1)


def length_note(walk: dict) -> str:
    (note,) = [n for n in walk["notes"] if n.startswith("stride length:")]
    return note


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        # a sample that states its walker's sensor height: that height
        ({"body_height_m": 1.9, "sensor_height_m": 1.02}, "sensor height 1.02 m (the sensor height given)"),
        # a sample that states only the body height: that height
        ({"body_height_m": 1.9}, "from the body height 1.90 m"),
        # a sample that states no height (the Oxford phone samples): the default, not the user's 1.60 m, and no advice
        # to give "your height" (it would not change somebody else's walk)
        ({}, "assumed from a default body height of 1.70 m: the sample states no height"),
    ],
)
def test_a_demo_walk_uses_the_sample_walkers_height(tmp_path: Path, reference: dict, expected: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples_with(tmp_path, reference))
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        assert client.put("/api/profile", json=USER).status_code == 200
        walk_id = client.post("/api/live/demo", json={"speed": 50}).json()["walk_id"]
        wait_until_idle(client)
        note = length_note(client.get(f"/api/walks/{walk_id}").json())
    assert expected in note, note
    assert "1.60" not in note and "personal factor" not in note, note


def test_an_imported_sample_uses_the_sample_walkers_height(tmp_path: Path) -> None:
    samples = samples_with(tmp_path, {"body_height_m": 1.9})
    data = tmp_path / "data"
    # the user's profile exists before the samples are imported (a later first run, a restored data folder)
    with TestClient(create_app(Settings(data_dir=data, demo=False, samples_dir=samples)), base_url=LOOPBACK) as c:
        assert c.put("/api/profile", json=USER).status_code == 200
    settings = Settings(data_dir=data, demo=True, live_demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        deadline = time.monotonic() + 30
        while not client.get("/api/walks").json() and time.monotonic() < deadline:
            time.sleep(0.1)
        wait_until_idle(client)
        sample = next(w for w in client.get("/api/walks").json() if w["origin"] == "sample")
    note = length_note(sample)
    assert "from the body height 1.90 m" in note and "personal factor" not in note, note


def test_a_virtual_sensor_uses_the_replayed_sample_walkers_height(tmp_path: Path) -> None:
    samples = samples_with(tmp_path, {"body_height_m": 1.9, "sensor_height_m": 1.02})
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples, demo_speed=10, ble_virtual=True)
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        assert client.put("/api/profile", json=USER).status_code == 200
        sensors = client.get("/api/sensors", params={"seconds": 1}).json()["sensors"]
        imu = next(s for s in sensors if s["protocols"] == ["imu"])
        r = client.post("/api/live/sensor", json={"target": imu["address"], "placement": "lower_back"})
        assert r.status_code == 202
        # read while live: a demo walk stopped before its first stride is not kept
        note = length_note(client.get(f"/api/walks/{r.json()['walk_id']}").json())
        client.post("/api/live/stop")
    # nobody gave it: the sensor height box was left empty, it is the replayed sample's (QA18 #3)
    assert "sensor height 1.02 m (the demo sample's sensor height)" in note and "personal factor" not in note, note
