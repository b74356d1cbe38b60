"""``gait serve`` installed from a package (pip), away from a source checkout: the sample recordings are not there.

The first start on an empty store says so in one plain line (no warning, as nothing is wrong) and serves an empty
dashboard; asking for a demo walk says where the samples come from and how to point the service at them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

LOOPBACK = "http://127.0.0.1"


def test_first_start_without_samples_says_why_the_dashboard_is_empty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "site-packages" / "sample_recordings"
    settings = Settings(data_dir=tmp_path / "data", demo=True, samples_dir=missing)
    with caplog.at_level(logging.INFO), TestClient(create_app(settings), base_url=LOOPBACK) as client:
        walks = client.get("/api/walks").json()
        demo = client.post("/api/live/demo", json={})
    assert walks == []
    said = [r for r in caplog.records if r.name.startswith("service")]
    assert not [r.getMessage() for r in said if r.levelno >= logging.WARNING]
    lines = [r.getMessage() for r in said if str(missing) in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in said]
    assert "GAIT_SAMPLES_DIR" in lines[0] and "starts empty" in lines[0], lines[0]
    assert demo.status_code == 404
    assert str(missing) in demo.json()["detail"] and "GAIT_SAMPLES_DIR" in demo.json()["detail"], demo.json()
