"""Calibrating from a walk's page: "this walk was N m", the factor before and after, saved to the profile, then the
walk analysed again to the distance walked; refusals said on the page; not offered on somebody else's walk."""

from __future__ import annotations

from tests.browser.conftest import shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.serverproc import REPO, Server

FOOT = REPO / "sample_recordings" / "gaitmap_left_foot.csv"
FOOT_DISTANCE_M = 40  # 2 x 20 m with a turn (the recording's reference file)


def test_a_walk_of_known_distance_calibrates_from_its_page_and_is_analysed_again(
    browser_context, server: Server
) -> None:
    files = {"file": ("my shoe walk.csv", FOOT.read_bytes())}
    r = server.client.post("/api/uploads", files=files, data={"placement": "foot"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    model_m = walk["summary"]["distance_m"]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#calibrate-form")
    assert "(yours now: none)" in page.locator("#calibrate").inner_text()

    # nothing typed, then a distance the walk cannot have been: said, nothing saved
    page.click("#calibrate-form button[type=submit]")
    wait_js(page, "document.getElementById('calibrate-preview').textContent.includes('metres')")
    page.fill("#calibrate-distance", "4000")
    page.click("#calibrate-form button[type=submit]")
    page.wait_for_selector("#calibrate-error")
    assert "implausible (expected 0.5-1.5)" in page.locator("#calibrate-error").inner_text()

    page.fill("#calibrate-distance", str(FOOT_DISTANCE_M))
    page.click("#calibrate-form button[type=submit]")
    page.wait_for_selector("#calibrate-save")
    rows = page.locator("#calibrate-table tr").all_inner_texts()
    assert rows[1].split("\t")[1:] == ["none (the model's own lengths)", f"{FOOT_DISTANCE_M / model_m:.3f}"]
    assert rows[2].split("\t")[1:] == [f"{round(model_m)} m", f"{FOOT_DISTANCE_M} m"]
    assert server.client.get("/api/profile").json()["stride_scales"] == {}  # not saved before "Save"
    shot(page, "walk-calibrate-preview")

    page.click("#calibrate-save")
    page.wait_for_selector("#calibrate-saved")
    factor = server.client.get("/api/profile").json()["stride_scales"]["foot"]
    assert factor == round(FOOT_DISTANCE_M / model_m, 4)
    saved = page.locator("#calibrate-saved").inner_text()
    assert f"your foot factor is now {factor:.3f} (was none)" in saved
    assert f"its distance becomes about {FOOT_DISTANCE_M} m" in saved
    # the walk is now out of date, and the page offers to analyse it again
    assert "calibration factor" in page.locator("#reanalysis-note").inner_text()
    shot(page, "walk-calibrated")

    page.click("#reanalyse-btn")
    page.wait_for_selector("#reanalyse-result")
    assert server.client.get(f"/api/walks/{walk['id']}").json()["summary"]["distance_m"] == FOOT_DISTANCE_M
    assert f"{FOOT_DISTANCE_M} m" in page.locator("#summary").inner_text()
    assert page.locator("#reanalysis-note").count() == 0
    # the console's only error is the refused 4000 m (a 422 the page said in its own words)
    assert len(errors) == 1 and "422" in errors[0], errors


def test_a_walk_without_model_stride_lengths_says_why_it_cannot_calibrate(browser_context, server: Server) -> None:
    files = {"file": ("wrist walk.csv", FOOT.read_bytes())}
    r = server.client.post("/api/uploads", files=files, data={"placement": "wrist"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#summary")
    assert page.locator("#calibrate-form").count() == 0
    assert "a wrist sensor has no stride-length model" in page.locator("#calibrate-why-not").inner_text()
    assert errors == [], errors
