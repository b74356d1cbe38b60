"""The profile page saves only what was changed on it: a calibration done meanwhile (`gait calibrate`) or another
tab's save is kept, and a field changed both here and elsewhere is refused with a message, not overwritten."""

from __future__ import annotations

import json
from pathlib import Path

from service.cli import main
from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import REPO, Server

FOOT_WALK = REPO / "sample_recordings" / "gaitmap_left_foot.csv"


def _open_profile(browser_context, server: Server):
    page = browser_context.new_page()
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#profile-form")
    return page


def _save(page) -> str:
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#profile-msg:not(:empty)")
    return page.locator("#profile-msg").inner_text()


def test_a_calibration_made_while_the_page_is_open_survives_its_save(
    browser_context, server: Server, tmp_path: Path, capsys
) -> None:
    data_dir = tmp_path / "data"  # the server fixture's data folder
    profile = {"placement": "lower_back", "body_height_m": 1.78, "stride_scales": {"lower_back": 1.1892}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = _open_profile(browser_context, server)
    errors = watch_console(page)

    # the QA's terminal: a foot calibration while the page is open
    assert main(["analyze", str(FOOT_WALK), "--placement", "foot", "--json", "-", "--data-dir", str(data_dir)]) == 0
    model_m = json.loads(capsys.readouterr().out)["summary"]["distance_m"]
    args = ["calibrate", str(FOOT_WALK), "--distance-m", f"{1.1 * model_m:.3f}", "--placement", "foot"]
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    assert "lower_back 1.189" in capsys.readouterr().out
    foot = server.client.get("/api/profile").json()["stride_scales"]["foot"]
    assert abs(foot - 1.1) < 0.01

    # back on the page (which still shows no foot factor): untick "Beep on a cue", Save
    assert page.locator("#scale-foot").input_value() == ""
    page.uncheck("#audio")
    assert _save(page) == "Saved."
    saved = server.client.get("/api/profile").json()
    assert saved["stride_scales"] == {"foot": foot, "lower_back": 1.1892}  # the calibration was not wiped
    assert saved["coaching"]["audio_cue"] is False
    assert (saved["body_height_m"], saved["placement"]) == (1.78, "lower_back")
    # the redrawn page shows the calibration it kept
    assert float(page.locator("#scale-foot").input_value()) == foot
    assert errors == []


def test_two_tabs_keep_each_others_changes_and_refuse_a_stale_edit_of_the_same_field(
    browser_context, server: Server
) -> None:
    profile = {"placement": "lower_back", "body_height_m": 1.78}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    tab_a = _open_profile(browser_context, server)
    tab_b = _open_profile(browser_context, server)

    # tab B saves height 1.70 and placement pocket
    tab_b.fill("#height", "1.70")
    tab_b.select_option("#pf-placement", "pocket")
    assert _save(tab_b) == "Saved."
    # tab A, loaded earlier, changes only the tolerance: tab B's height and placement stay
    tab_a.fill("#tolerance", "0.08")
    assert _save(tab_a).startswith("Saved. Coaching settings apply to your walks from now on")
    saved = server.client.get("/api/profile").json()
    assert (saved["body_height_m"], saved["placement"], saved["coaching"]["tolerance_m"]) == (1.7, "pocket", 0.08)
    assert tab_a.locator("#height").input_value() == "1.7"  # tab A now shows what is stored

    # tab B (drawn before tab A's save) changes the tolerance too: refused, named, nothing saved
    tab_b.fill("#tolerance", "0.12")
    tab_b.fill("#height", "1.72")
    message = _save(tab_b)
    assert "the profile changed since you opened this page" in message
    assert "tolerance is now 0.08 m" in message and "reload the page" in message
    assert "error" in (tab_b.locator("#profile-msg").get_attribute("class") or "")
    after = server.client.get("/api/profile").json()
    assert (after["body_height_m"], after["coaching"]["tolerance_m"]) == (1.7, 0.08)

    # after a reload the same edit goes through
    tab_b.reload()
    tab_b.wait_for_selector("#profile-form")
    tab_b.fill("#tolerance", "0.12")
    assert _save(tab_b).startswith("Saved. Coaching settings apply to your walks from now on")
    assert server.client.get("/api/profile").json()["coaching"]["tolerance_m"] == 0.12


def test_remove_refuses_a_factor_recalibrated_elsewhere(browser_context, server: Server) -> None:
    profile = {"placement": "lower_back", "stride_scales": {"pocket": 1.05}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = _open_profile(browser_context, server)
    # a new pocket calibration after the page was drawn: Remove would have dropped a factor the page never showed
    profile["stride_scales"]["pocket"] = 1.08
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page.click("tr[data-placement=pocket] button.remove-scale")
    page.wait_for_selector("#profile-msg.error")
    message = page.locator("#profile-msg").inner_text()
    assert "The pocket factor was not removed" in message and "pocket calibration factor is now 1.080" in message
    assert server.client.get("/api/profile").json()["stride_scales"] == {"pocket": 1.08}
