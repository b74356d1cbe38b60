"""The walk page's calibration card says a placement in the page's words ("lower-back"), never its raw id, and a
factor with 3 decimals wherever it shows one (the stored value keeps its own)."""

from __future__ import annotations

from tests.browser.test_walk_calibration import open_uploaded_walk
from tests.service.serverproc import REPO, Server

BACK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def test_the_calibration_card_says_lower_back_in_words(browser_context, server: Server) -> None:
    assert server.client.put("/api/profile", json={"placement": "pocket"}).status_code == 200
    page, errors, walk = open_uploaded_walk(browser_context, server, BACK, "lower_back")
    page.wait_for_selector("#calibrate-form")
    assert "for a lower-back sensor is fitted" in " ".join(page.locator("#calibrate").inner_text().split())

    page.fill("#calibrate-distance", f"{walk['summary']['distance_m'] * 1.08063:.2f}")
    page.click("#calibrate-form button[type=submit]")
    page.wait_for_selector("#calibrate-save")
    rows = page.locator("#calibrate-table tr").all_inner_texts()
    assert rows[1].startswith("Your lower-back factor\t"), rows
    page.click("#calibrate-save")
    page.wait_for_selector("#calibrate-saved")
    stored = server.client.get("/api/profile").json()["stride_scales"]["lower_back"]
    assert round(stored, 3) == stored  # stored as the page showed it (3 decimals)
    saved = " ".join(page.locator("#calibrate-saved").inner_text().split())
    assert f"your lower-back factor is now {stored:.3f} (was none)" in saved, saved
    assert "this factor applies only to walks with a lower-back sensor" in saved, saved
    assert f"your lower-back factor is now {stored:.3f}" in page.locator("#reanalysis-note").inner_text()
    body = page.locator("body").inner_text()
    assert "lower_back factor" not in body and "sensor at lower_back" not in body
    assert errors == [], errors
