"""The Profile page's "Export all my data" downloads one ZIP of the walker's data, with the raw samples when its
checkbox is ticked (a real `gait serve`, a real upload of a sample recording, Chromium's own download)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import REPO, Server

FOOT_WALK = REPO / "sample_recordings" / "gaitmap_left_foot.csv"


def _download(page, tmp_path: Path, name: str) -> tuple[str, zipfile.ZipFile]:
    with page.expect_download() as info:
        page.click("#export-all")
    download = info.value
    saved = tmp_path / name
    download.save_as(str(saved))
    return download.suggested_filename, zipfile.ZipFile(saved)


def test_the_profile_page_s_export_downloads_a_zip_of_the_walker_s_data(
    browser_context, server: Server, tmp_path: Path
) -> None:
    with FOOT_WALK.open("rb") as fh:
        r = server.client.post(
            "/api/uploads", files={"file": (FOOT_WALK.name, fh)}, data={"placement": "foot", "sensor_side": "left"}
        )
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    assert server.client.post("/api/pain", json={"score": 3, "walk_id": walk["id"]}).status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#export-all")
    what = page.locator("#export-what").inner_text()
    assert "walks" in what and "pain reports" in what and "profile" in what
    assert page.locator("label[for=export-samples]").inner_text().startswith("Include the raw sensor samples")
    assert page.locator("#export-all").inner_text() == "Export all my data"

    name, archive = _download(page, tmp_path, "plain.zip")
    assert name == f"gait-export-{datetime.now().astimezone().date().isoformat()}.zip"
    assert sorted(archive.namelist()) == sorted(
        ["README.txt", "walks.csv", "pain_reports.csv", "profile.json", f"strides/walk-{walk['id']}-strides.csv"]
    )
    (row,) = csv.DictReader(io.StringIO(archive.read("walks.csv").decode()))
    assert (row["id"], row["name"], row["steps"]) == (
        str(walk["id"]),
        "gaitmap_left_foot",
        str(walk["summary"]["steps"]),
    )
    (report,) = csv.DictReader(io.StringIO(archive.read("pain_reports.csv").decode()))
    assert (report["walk_id"], report["score"]) == (str(walk["id"]), "3")

    page.check("#export-samples")
    _, with_samples = _download(page, tmp_path, "samples.zip")
    samples = with_samples.read(f"samples/walk-{walk['id']}.csv").decode().splitlines()
    uploaded = FOOT_WALK.read_text().splitlines()
    assert samples[0] == uploaded[0] and len(samples) == len(uploaded)
    assert errors == []
