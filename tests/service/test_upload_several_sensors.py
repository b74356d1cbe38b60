"""Upload of a CSV holding several sensors' columns (gaitmap's imu_sample.csv): the form picks no sensor, so the
refusal gives the gait convert command that writes one sensor's file; that file, uploaded, is the walk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.cli import main
from service.settings import Settings
from service.store import Store
from tests.service.conftest import count_rows
from tests.test_cli_sensor import GAITMAP, IMU, MATCH_S, RATE_HZ, reference_contacts_s

pytestmark = pytest.mark.skipif(not GAITMAP.is_dir(), reason=f"shared data not present at {GAITMAP}")


def _upload(client: TestClient, path: Path, **form: str) -> object:
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "foot", **form})


def test_the_refusal_gives_the_convert_command_and_stores_nothing(
    client: TestClient, store: Store, settings: Settings
) -> None:
    r = _upload(client, IMU)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "2 sensors (left_sensor, right_sensor)" in detail
    # marked as a command (the upload page shows it to copy), with the rate gaitmap's documentation gives (QA9)
    command = "`gait convert imu_sample.csv imu_sample_left_sensor.csv --sensor left_sensor --rate-hz 204.8`"
    assert command in detail and "(or --sensor right_sensor)" in detail and "upload the converted file" in detail
    assert "gaitmap's documentation gives it for its example imu_sample.csv" in detail
    assert "add --sensor" not in detail  # the command-line words, which the upload form has no field for
    assert count_rows(store, "walks") == 0
    assert not settings.recordings_dir.exists() or not any(settings.recordings_dir.iterdir())  # no samples kept


def test_the_file_the_command_writes_uploads_as_that_shoes_walk(client: TestClient, tmp_path: Path) -> None:
    converted = tmp_path / "imu_sample_left_sensor.csv"
    assert main(["convert", str(IMU), str(converted), "--sensor", "left_sensor", "--rate-hz", str(RATE_HZ)]) == 0
    r = _upload(client, converted, side="left")
    assert r.status_code == 201, r.text
    doc = client.get(f"/api/walks/{r.json()['walks'][0]['id']}/export.json").json()
    steps_s = np.array([s["t_s"] for s in doc["steps"]])  # the file's own axis: 0 at its first sample (no date)
    reference = reference_contacts_s("left")
    assert all(np.min(np.abs(steps_s - t)) <= MATCH_S for t in reference)
    assert {s["side"] for s in doc["steps"]} == {"left"}
