"""The upload page says when a file replaced the analysis of a walk uploaded before samples were kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.browser.conftest import shot
from tests.browser.test_dashboard import watch_console
from tests.browser.test_reanalysis import WALK, upload
from tests.service.serverproc import Server


def test_the_upload_page_says_the_file_replaced_an_old_walks_analysis(
    browser_context, server: Server, tmp_path: Path
) -> None:
    walk = upload(server, WALK)
    assert server.client.post("/api/pain", json={"score": 3, "walk_id": walk["id"]}).status_code == 201
    # as a walk stored before samples were kept: no kept samples, an earlier version's analysis
    (tmp_path / "data" / "recordings" / f"walk-{walk['id']}.npz").unlink()
    with sqlite3.connect(tmp_path / "data" / "gait.sqlite3") as conn:
        conn.execute("UPDATE walks SET analysis_json = json_set(analysis_json, '$.version', '0.0.9')")
    assert server.client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"}).status_code == 200

    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#reanalysis-note")
    note = page.locator("#reanalysis-note").inner_text()
    assert f"upload its file again: it replaces walk {walk['id']}'s analysis" in note and "delete" not in note, note

    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(WALK))
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    page.wait_for_selector("#upload-replaced", timeout=60_000)
    assert page.locator("#upload-count").inner_text() == f"Walk {walk['id']} analysed again from this file"
    said = page.locator("#upload-replaced").inner_text()
    after = server.client.get(f"/api/walks/{walk['id']}").json()
    assert said.startswith(f"Walk {walk['id']} was uploaded before samples were kept: this file replaced its analysis")
    distance = f"distance {walk['summary']['distance_m']:.0f} m -> {after['summary']['distance_m']:.0f} m"
    assert distance in said and said.endswith("its pain report stays linked."), said
    assert page.locator("#upload-error").inner_text() == ""
    shot(page, "upload-replaced-old-walk")

    # its page: the same walk, its figures this version's, nothing out of date
    page.click("#upload-replaced-link")
    page.wait_for_selector("#summary")
    assert page.url.endswith(f"#/walk/{walk['id']}")
    assert page.locator("#reanalysis-note").count() == 0
    assert [w["id"] for w in server.client.get("/api/walks").json()] == [walk["id"]]
    assert errors == [], errors
