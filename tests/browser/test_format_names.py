"""A walk's page says which app's export it was read from by the app's name (a real `gait serve`, Chromium)."""

from __future__ import annotations

from pathlib import Path

from tests.ingest import exports as ex
from tests.service.serverproc import Server
from tests.service.test_formats import walking_signal


def test_the_walk_page_names_the_app_the_recording_came_from(browser_context, server: Server, tmp_path: Path) -> None:
    export = ex.write_files(tmp_path / "2026-01-01_10-00-00", ex.sensor_logger_android(walking_signal()), as_zip=True)
    with export.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (export.name, fh)}, data={"placement": "pocket"})
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    assert walk["format"] == "sensor_logger"
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#walk-format")
    assert page.locator("#walk-format").inner_text() == "Sensor Logger"
