"""QA16 #3 on the dashboard: a pain report for an older walk. Dated before the walk started, it is refused in words;
its point of pain older than the coaching's pain lookback, it is saved and the Pain page says after "Saved." that it
gives no recommendation, and Home says why there is none instead of asking for a report that was made."""

from __future__ import annotations

import time
from pathlib import Path

from gait.coach.settings import CoachSettings
from service.demo import sample_recording
from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.service.serverproc import REPO, Server
from tests.service.test_coaching_honesty import write_csv

DAY_S = 86400.0
DAYS_OLD = CoachSettings().pain_lookback_days + 110


def test_pain_for_a_walk_older_than_the_lookback_is_saved_and_said_not_planned_from(
    browser_context, server: Server, tmp_path: Path
) -> None:
    start_s = float(int(time.time() - DAYS_OLD * DAY_S))
    recording = sample_recording(REPO / "sample_recordings" / "oxford_phone_back_pocket.csv")
    path = write_csv(tmp_path / "autumn walk.csv", recording, start_epoch_s=start_s)
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "pocket"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, server.url + f"/#/pain?walk={walk['id']}")
    page.fill("#onset-min", "1")
    # dated years before the walk: refused, in words, nothing stored
    page.fill("#when", "2020-01-01T10:00:00")
    page.click("#pain-form button[type=submit]")
    wait_js(page, "document.getElementById('pain-msg').textContent.includes('before it started')")
    assert "Give the time the pain was felt" in page.locator("#pain-msg").inner_text()
    assert server.client.get("/api/pain").json() == []

    open_page(page, server.url + f"/#/pain?walk={walk['id']}")  # "When" back to the walk's end
    page.fill("#onset-min", "1")
    page.click("#pain-form button[type=submit]")
    page.wait_for_selector("#pain-msg:has-text('Saved.')")
    said = page.locator("#pain-msg").inner_text()
    assert said.startswith(f"Saved. This report is dated {DAYS_OLD:.0f} days ago: walk lengths are planned only"), said
    assert "gives no recommendation" in said, said
    assert len(server.client.get("/api/pain").json()) == 1

    open_page(page, server.url + "/#/")
    old = page.locator("#old-onsets").inner_text()
    assert old.startswith("No recommendation yet. Your report of where back pain started during a walk is older"), old
    assert f"({DAYS_OLD:.0f} days ago)" in old and "When back pain starts during a walk again, report it" in old, old
    assert [e for e in errors if "status of 422" not in e] == [], errors  # the refusal logs its status
