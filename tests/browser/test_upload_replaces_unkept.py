"""The upload page says when a file replaced the analysis of a walk uploaded before samples were kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.browser.conftest import shot
from tests.browser.test_dashboard import watch_console
from tests.browser.test_reanalysis import OTHER, WALK, upload
from tests.service.serverproc import Server


def test_the_upload_page_says_the_file_replaced_an_old_walks_analysis(
    browser_context, server: Server, tmp_path: Path
) -> None:
    walk = upload(server, WALK)
    other = upload(server, OTHER)  # its samples kept: "Analyse all" can do it, not the old walk
    assert server.client.post("/api/pain", json={"score": 3, "walk_id": walk["id"]}).status_code == 201
    # as a walk stored before samples were kept: no kept samples, an earlier version's analysis
    (tmp_path / "data" / "recordings" / f"walk-{walk['id']}.npz").unlink()
    with sqlite3.connect(tmp_path / "data" / "gait.sqlite3") as conn:
        conn.execute(
            "UPDATE walks SET analysis_json = json_set(analysis_json, '$.version', '0.0.9') WHERE id = ?", (walk["id"],)
        )
    assert server.client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"}).status_code == 200

    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#reanalysis-note")
    note = page.locator("#reanalysis-note").inner_text()
    assert f"upload its file again: it replaces walk {walk['id']}'s analysis" in note and "delete" not in note, note
    # the reasons' sentence ends, and the one saying why it cannot be analysed again begins with a capital
    assert f"your profile now says 1.95 m. Walk {walk['id']} was uploaded before samples were kept" in note, note

    # the profile page counts the one walk "Analyse all" cannot do, in the singular
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#reanalyse-all-why")
    why = page.locator("#reanalyse-all-why").inner_text()
    assert why.endswith(
        " 1 more cannot be: it was uploaded before samples were kept (upload its file again: it replaces that "
        "walk's analysis, keeping its pain reports)."
    ), why
    assert "they were" not in why and "their files" not in why

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
    assert sorted(w["id"] for w in server.client.get("/api/walks").json()) == sorted([walk["id"], other["id"]])
    assert errors == [], errors
