"""The dashboard dates pain at the walk it is reported for and says what counts as a walk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.browser.test_dashboard import refused_upload, wait_js, watch_console
from tests.service.conftest import synthetic_walk
from tests.service.serverproc import Server
from tests.service.test_coaching_honesty import write_csv


def test_pain_reported_from_a_walk_page_is_dated_at_the_walk(browser_context, server: Server, tmp_path: Path) -> None:
    start = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    path = write_csv(tmp_path / "walk.csv", synthetic_walk(duration_s=150.0), start_epoch_s=start.timestamp())
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    (walk,) = r.json()["walks"]
    end = datetime.fromisoformat(walk["started_at"]) + timedelta(seconds=walk["summary"]["duration_s"])

    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.click("text=Report pain for this walk")
    page.wait_for_selector("#pain-walk")
    assert page.locator("#pain-walk").input_value() == str(walk["id"])
    assert page.locator("#when").input_value() != ""  # filled in from the walk, not left to mean "now"
    page.fill("#score", "5")
    page.click("#pain-form button[type=submit]")
    page.wait_for_selector("#pain-table")
    (report,) = server.client.get("/api/pain").json()
    assert abs((datetime.fromisoformat(report["reported_at"]) - end).total_seconds()) <= 1.0
    # 3 days ago, not "just now": the relax clock is not restarted today
    reasons = " ".join(server.client.get("/api/coaching").json()["plan"]["reasons"])
    assert "just now" not in reasons

    # with no walk chosen the time stays empty (= now)
    page.select_option("#pain-walk", "")
    assert page.locator("#when").input_value() == ""
    assert errors == [], errors


def test_home_says_what_counts_as_a_walk(browser_context, server: Server) -> None:
    server.client.put("/api/profile", json={"coaching": {"enabled": True}})
    server.client.post("/api/pain", json={"score": 4})
    page = browser_context.new_page()
    page.goto(server.url + "/#/")
    page.wait_for_selector("#recommendation")
    card = page.locator("h2:has-text('Stride coaching')").locator("..").inner_text()
    assert "0 pain-free walks" in card and "a walk counts when it holds at least 2 minutes of walking" in card


def test_saving_the_profile_keeps_the_calibration_placement(browser_context, server: Server) -> None:
    profile = {"placement": "lower_back", "stride_scales": {"pocket": 1.1}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = browser_context.new_page()
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#profile-form")
    assert page.locator("#scale-pocket").input_value() == "1.1"
    assert page.locator("#scale-lower_back").input_value() == ""
    page.fill("#height", "1.80")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#profile-msg:has-text('Saved.')")
    saved = server.client.get("/api/profile").json()
    assert saved["body_height_m"] == 1.8
    assert (saved["placement"], saved["stride_scales"]) == ("lower_back", {"pocket": 1.1})


def test_the_demo_walk_shows_coaching_to_a_new_user_and_stores_none(browser_context, server: Server) -> None:
    # a new user: coaching off, no pain. The demo shows coaching as just after back pain (as `gait live --demo`);
    # a 1.50 m demo height and a factor of 1.3 make the synthetic strides (about 1.3 m) overlong at 10 %.
    profile = {"body_height_m": 1.5, "stride_scale": 1.3, "placement": "lower_back"}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    page.select_option("#demo-sample", "a_overstride_walk.csv")
    page.select_option("#demo-speed", "5")
    page.click("#start-demo")
    page.wait_for_selector("#cue.show", timeout=30_000)
    assert "Shorten your stride" in page.locator("#cue").inner_text()
    assert page.locator("#lv-band-label").inner_text() == "target band"
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    # nothing of it in the walker's coaching
    assert server.client.get("/api/pain").json() == []
    assert server.client.get("/api/coaching").json()["plan"]["active"] is False
    assert server.client.get("/api/profile").json()["coaching"]["enabled"] is False
    assert errors == [], errors


def test_uploading_the_same_recording_again_is_refused_on_the_upload_page(
    browser_context, server: Server, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "walk.csv", synthetic_walk(duration_s=150.0))
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    (walk,) = r.json()["walks"]
    page = browser_context.new_page()
    text = refused_upload(page, server, path, "lower_back")
    assert text.startswith("Upload refused: ") and f"already stored as walk {walk['id']}" in text
    assert f'use "Analyse again" on walk {walk["id"]}' in text and "delete" not in text
    assert len(server.client.get("/api/walks").json()) == 1
