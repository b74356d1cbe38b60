"""The profile page shows, edits and removes the walker's calibration factor of each sensor placement."""

from __future__ import annotations

from gait.consts import STRIDE_SCALE_RANGE
from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.serverproc import Server


def test_each_placements_factor_is_shown_edited_and_removed_alone(browser_context, server: Server) -> None:
    # as `gait calibrate` leaves it after a pocket and a foot calibration (a factor with four decimals)
    profile = {"placement": "lower_back", "body_height_m": 1.7, "stride_scales": {"pocket": 1.0712, "foot": 0.98}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#scales-table")
    # every placement with a stride-length model has its row (wrist and chest: cadence only, none, QA19a #5); the two
    # calibrated ones show their own factor, the others none
    assert page.locator("#scale-pocket").input_value() == "1.0712"
    assert page.locator("#scale-foot").input_value() == "0.98"
    for other in ("lower_back", "waist", "hand"):
        assert page.locator(f"#scale-{other}").input_value() == "", other
    assert page.locator("#scale-wrist, #scale-chest").count() == 0
    assert page.locator("button.remove-scale").count() == 2
    shot(page, "profile-calibration-factors")
    help_text = page.locator("#scales-help").inner_text()
    assert "walks with the sensor there, and of no other walk" in help_text and "gait calibrate" in help_text

    # edit the foot factor only: the pocket factor and the rest of the profile stay
    page.fill("#scale-foot", "1.02")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#profile-msg:has-text('Saved.')")
    saved = server.client.get("/api/profile").json()
    assert saved["stride_scales"] == {"pocket": 1.0712, "foot": 1.02}
    assert (saved["placement"], saved["body_height_m"]) == ("lower_back", 1.7)

    # "Saved." is said once the page shows the saved profile, and stays (it vanished with a redraw 0.6 s later)
    page.wait_for_timeout(1500)
    assert page.locator("#profile-msg").inner_text() == "Saved."
    assert page.locator("#scale-foot").input_value() == "1.02"

    # remove the pocket factor: saved at once, the foot factor stays
    page.click("tr[data-placement=pocket] button.remove-scale")
    page.wait_for_selector("#profile-msg:has-text('no factor for a pocket sensor now')")
    assert server.client.get("/api/profile").json()["stride_scales"] == {"foot": 1.02}
    wait_js(page, "document.querySelectorAll('button.remove-scale').length === 1")
    assert page.locator("#scale-pocket").input_value() == ""

    # a factor outside the accepted range is refused, not saved
    page.fill("#scale-hand", str(STRIDE_SCALE_RANGE[1] + 0.5))
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#profile-msg:has-text('The hand calibration factor')")
    assert "is outside what it can be: enter a number from 0.5 to 1.5" in page.locator("#profile-msg").inner_text()
    assert server.client.get("/api/profile").json()["stride_scales"] == {"foot": 1.02}

    # the table of factors fits a phone's width
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("tr[data-placement=foot] button.remove-scale")
    assert page.locator("#scale-hand").input_value() == ""  # the refused factor was not saved
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # nothing hidden in a sideways scroll: the Remove button is within the table's visible width
    wrap = "document.querySelector('#scales-table').parentElement"
    assert page.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth")
    shot(page, "phone-profile-calibration-factors")
    assert errors == [], errors


def test_remove_changes_only_that_factor_and_shows_what_is_stored(browser_context, server: Server) -> None:
    profile = {"placement": "pocket", "body_height_m": 1.75, "stride_scales": {"pocket": 1.07, "foot": 0.98}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("tr[data-placement=foot] button.remove-scale")
    # an unsaved edit elsewhere in the form is not saved by Remove
    page.fill("#scale-lower_back", "1.1")
    page.fill("#height", "1.8")
    page.click("tr[data-placement=foot] button.remove-scale")
    page.wait_for_selector("#profile-msg:has-text('no factor for a foot sensor now')")
    stored = server.client.get("/api/profile").json()
    assert stored["stride_scales"] == {"pocket": 1.07}
    assert stored["body_height_m"] == 1.75 and stored["placement"] == "pocket"
    assert page.locator("#scale-foot").input_value() == ""
    assert page.locator("tr[data-placement=foot] button.remove-scale").count() == 0
    assert page.locator("#scale-lower_back").input_value() == "1.1"  # still there to save, not saved
    # another field invalid (a waist factor out of range): Remove still removes its own factor, and only that
    page.fill("#scale-waist", str(STRIDE_SCALE_RANGE[1] + 0.5))
    page.click("tr[data-placement=pocket] button.remove-scale")
    page.wait_for_selector("#profile-msg:has-text('no factor for a pocket sensor now')")
    assert server.client.get("/api/profile").json()["stride_scales"] == {}
    assert page.locator("#scale-pocket").input_value() == ""
    page.reload()
    page.wait_for_selector("#scales-table")
    for where in ("pocket", "foot", "lower_back", "waist"):
        assert page.locator(f"#scale-{where}").input_value() == "", where
    assert page.locator("#height").input_value() == "1.75"
    assert errors == []
