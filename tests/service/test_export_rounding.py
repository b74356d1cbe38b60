"""The CSV export gives each stride's target to the millimetre, not with float noise (1.2005000000000001)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from fastapi.testclient import TestClient

from tests.service.conftest import synthetic_walk
from tests.service.test_coaching_honesty import post_file, write_csv


def test_the_csv_export_gives_the_target_to_the_millimetre(client: TestClient, tmp_path: Path) -> None:
    # a lower-back sensor with a known height: trusted lengths, so the walk's first 20 strides set its level and the
    # strides after them have a target (an uncalibrated pocket phone's never do)
    profile = {"body_height_m": 1.75, "placement": "lower_back", "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    assert client.post("/api/pain", json={"score": 5}).status_code == 201  # coaching active: a reduced target
    rec = synthetic_walk(duration_s=60.0)
    (walk,) = post_file(client, write_csv(tmp_path / "w.csv", rec, start_epoch_s=time.time() - 60.0)).json()["walks"]
    stored = client.get(f"/api/walks/{walk['id']}/strides").json()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/walks/{walk['id']}/export.csv").text)))
    assert len(rows) == len(stored) > 0
    assert sum(s["target_m"] is not None for s in stored) > 20
    for row, stride in zip(rows, stored, strict=True):
        text = row["target_m"]
        if stride["target_m"] is None:  # no level yet: an empty cell, never a zero
            assert text == ""
            continue
        assert len(text.partition(".")[2]) <= 3, text
        assert abs(float(text) - stride["target_m"]) <= 0.0005


def test_the_json_export_gives_the_target_to_the_millimetre_too(client: TestClient, tmp_path: Path) -> None:
    # a lower-back sensor with a known height: trusted lengths, so the walk's first 20 strides set its level and the
    # strides after them have a target (an uncalibrated pocket phone's never do)
    profile = {"body_height_m": 1.75, "placement": "lower_back", "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    assert client.post("/api/pain", json={"score": 5}).status_code == 201
    rec = synthetic_walk(duration_s=60.0)
    (walk,) = post_file(client, write_csv(tmp_path / "w.csv", rec, start_epoch_s=time.time() - 60.0)).json()["walks"]
    stored = client.get(f"/api/walks/{walk['id']}/strides").json()
    exported = client.get(f"/api/walks/{walk['id']}/export.json").json()["strides"]
    assert len(exported) == len(stored) > 0
    assert any(s["target_m"] is not None for s in exported)
    for out, stride in zip(exported, stored, strict=True):
        if stride["target_m"] is None:
            assert out["target_m"] is None
            continue
        assert out["target_m"] == round(out["target_m"], 3)
        assert abs(out["target_m"] - stride["target_m"]) <= 0.0005
