"""Analysing walks again from the dashboard: the walk page's notice and button, the profile page's "Analyse all"."""

from __future__ import annotations

from gait.numbers import fixed  # the dashboard's rounding (half away from zero)
from tests.browser.conftest import shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.serverproc import REPO, Server

WALK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living_2.csv"
OTHER = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def upload(server: Server, path, placement: str = "lower_back") -> dict:
    files = {"file": (path.name, path.read_bytes())}
    r = server.client.post("/api/uploads", files=files, data={"placement": placement})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def test_a_walk_out_of_date_after_a_height_change_is_analysed_again_from_its_page(
    browser_context, server: Server
) -> None:
    walk = upload(server, WALK)
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#summary")
    assert page.locator("#reanalysis-note").count() == 0  # analysed by this version with this profile

    r = server.client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"})
    assert r.status_code == 200
    page.reload()
    page.wait_for_selector("#reanalysis-note")
    note = page.locator("#reanalysis-note").inner_text()
    assert "out of date: analysed with no height; your profile now says 1.95 m" in note
    shot(page, "walk-out-of-date")

    page.click("#reanalyse-btn")
    page.wait_for_selector("#reanalyse-result")
    after = server.client.get(f"/api/walks/{walk['id']}").json()["summary"]
    before = walk["summary"]
    assert after["stride_length_m"] > before["stride_length_m"]
    assert page.locator("#reanalyse-result").inner_text() == (
        f"Analysed again with version {server.client.get('/api/walks/reanalysis').json()['current_version']}: "
        f"strides {before['strides']} → {after['strides']}, median stride length {before['stride_length_m']:.2f} → "
        f"{after['stride_length_m']:.2f} m, distance {fixed(before['distance_m'])} m → {fixed(after['distance_m'])} m."
    )
    # the page shows the new figures, and no longer says they are out of date
    assert page.locator("#reanalysis-note").count() == 0
    assert f"{after['stride_length_m']:.2f}" in page.locator("#summary").inner_text()
    shot(page, "walk-analysed-again")
    assert errors == [], errors


def test_a_walk_uploaded_as_waist_is_analysed_again_as_lower_back_from_its_page(
    browser_context, server: Server
) -> None:
    r = server.client.put("/api/profile", json={"body_height_m": 1.75, "stride_scales": {"waist": 1.2}})
    assert r.status_code == 200
    walk = upload(server, WALK, placement="waist")
    r = server.client.post("/api/pain", json={"score": 3, "walk_id": walk["id"]})
    assert r.status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#summary")
    # a waist sensor's lengths are not said to come from the lower back (QA, 14th pass)
    notes = page.locator("main").inner_text()
    assert "the sensor on your trunk rises and falls" in notes and "your lower back rises" not in notes
    # up to date, so no "Analyse again" notice; the placement control is there all the same, folded
    assert page.locator("#reanalysis-note").count() == 0
    assert not page.locator("#reanalyse-placement-select").is_visible()
    page.click("#reanalyse-placement summary")
    options = page.locator("#reanalyse-placement-select option").all_inner_texts()
    assert options == ["lower back", "foot", "pocket", "hand", "wrist", "chest"]  # the upload form's words
    page.select_option("#reanalyse-placement-select", "lower_back")
    shot(page, "walk-analyse-as-another-placement")
    page.click("#reanalyse-placement-btn")
    page.wait_for_selector("#reanalyse-result")
    after = server.client.get(f"/api/walks/{walk['id']}").json()
    before = walk["summary"]
    assert after["placement"] == "lower_back" and [p["walk_id"] for p in after["pain_reports"]] == [walk["id"]]
    assert after["summary"]["distance_m"] < before["distance_m"]  # without the waist's 1.2 factor
    text = page.locator("#reanalyse-result").inner_text()
    assert text.startswith(
        f"Analysed again with version {after['analysis']['version']}: placement waist → lower back: strides "
    ), text
    assert f"distance {fixed(before['distance_m'])} m → {fixed(after['summary']['distance_m'])} m." in text
    assert "a lower-back sensor" in page.locator("main").inner_text()
    # the control (folded again) now offers the placements other than lower back
    options = page.locator("#reanalyse-placement-select option").all_text_contents()
    assert "lower back" not in options and "waist" in options
    assert errors == [], errors


def test_the_profile_page_offers_to_analyse_all_walks_again_after_a_height_change(
    browser_context, server: Server
) -> None:
    walks = [upload(server, WALK), upload(server, OTHER)]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#profile-form")
    assert page.locator("#reanalyse-all").count() == 0

    page.fill("#height", "1.62")
    page.select_option("#pf-placement", "lower_back")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#reanalyse-all-btn")
    assert page.locator("#reanalyse-all-btn").inner_text() == "Analyse all 2 again"

    page.click("#reanalyse-all-btn")
    wait_js(page, "document.getElementById('reanalyse-all-msg').textContent.includes('analysed again')")
    assert page.locator("#reanalyse-all-msg").inner_text() == "2 walks analysed again."
    items = page.locator("#reanalyse-all-results li").all_inner_texts()
    assert len(items) == 2
    for walk in walks:
        after = server.client.get(f"/api/walks/{walk['id']}").json()
        assert after["analysis"]["body_height_m"] == 1.62 and after["reanalysis"]["out_of_date"] is False
        line = next(i for i in items if i.startswith(f"{walk['name']} ("))
        assert f"median stride length {walk['summary']['stride_length_m']:.2f} → " in line
        assert f"{after['summary']['stride_length_m']:.2f} m, distance " in line
        assert line.endswith(f"→ {fixed(after['summary']['distance_m'])} m")
    assert page.locator("#reanalyse-all-btn").count() == 0
    shot(page, "profile-analysed-all-again")
    page.reload()
    page.wait_for_selector("#profile-form")
    assert page.locator("#reanalyse-all").count() == 0  # nothing is out of date any more
    assert errors == [], errors


def test_analyse_all_again_says_a_chest_walk_has_no_stride_length_not_a_dash(
    browser_context, server: Server, tmp_path
) -> None:
    """QA: a cadence-only walk read "neck1: strides 252 and median stride length – m as before, and 0 flagged strides
    as before"."""
    import sqlite3

    files = {"file": ("neck1.csv", WALK.read_bytes())}
    r = server.client.post("/api/uploads", files=files, data={"placement": "chest"})
    assert r.status_code == 201, r.text
    chest = r.json()["walks"][0]
    back = upload(server, OTHER)
    assert chest["summary"]["stride_length_m"] is None and chest["summary"]["strides"] > 0
    with sqlite3.connect(tmp_path / "data" / "gait.sqlite3") as conn:  # both analysed by an older version
        conn.execute("UPDATE walks SET analysis_json = json_set(analysis_json, '$.version', '0.0.9+r0')")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/profile")
    page.click("#reanalyse-all-btn")
    wait_js(page, "document.getElementById('reanalyse-all-msg').textContent.includes('analysed again')")
    items = page.locator("#reanalyse-all-results li").all_inner_texts()
    line = next(i for i in items if i.startswith(f"{chest['name']} ("))
    assert line.split("): ", 1)[1] == (
        f"strides {chest['summary']['strides']} as before, no stride length (chest sensor: cadence "
        "only), so no stride to flag"
    )
    other = next(i for i in items if i.startswith(f"{back['name']} ("))
    assert f"median stride length {back['summary']['stride_length_m']:.2f} m as before" in other
    assert errors == [], errors
