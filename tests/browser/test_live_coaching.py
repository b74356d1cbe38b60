"""What the live and walk pages say about coaching: earlier cues mid-walk, labels with coaching off, the distance as
stored, "not medical advice" wherever coaching shows, sample and demo walks labelled as such."""

from __future__ import annotations

import json
import statistics

from playwright.sync_api import expect

from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server

COACHED = {"body_height_m": 1.5, "stride_scale": 1.3, "placement": "lower_back", "coaching": {"enabled": True}}
"""A 1.50 m walker: the overstriding demo walk's strides (a 2.0 m walker's) are flagged and cued (test_dashboard)."""


def start_demo(server: Server, speed: float = 2) -> int:
    r = server.client.post("/api/live/demo", json={"sample": "a_overstride_walk.csv", "speed": speed})
    assert r.status_code == 202, r.text
    return server.client.get("/api/live").json()["walk_id"]


def test_live_page_opened_mid_walk_lists_the_cues_given_so_far(browser_context, server: Server) -> None:
    assert server.client.put("/api/profile", json=COACHED).status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    walk_id = start_demo(server)
    server.wait_until(lambda: server.client.get(f"/api/walks/{walk_id}").json()["cues"], "a stored cue")
    first = server.client.get(f"/api/walks/{walk_id}").json()["cues"][0]
    minutes, seconds = divmod(round(first["t_s"]), 60)  # the dashboard's "2 min 5 s" / "45 s"
    first_cue = f"{f'{minutes} min {seconds} s' if minutes else f'{seconds} s'}: {first['message']}"
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    # the cues so far come from the walk's page data, after the page is drawn: a live cue may be listed first
    expect(page.locator("#cue-list")).to_contain_text(first_cue, timeout=30_000)
    assert page.locator("#lv-target-label").inner_text().lower() == "target"
    assert "Not medical advice" in page.locator("#not-medical-advice").inner_text()
    server.client.post("/api/live/stop")
    assert errors == [], errors


def test_live_page_with_coaching_off_says_usual_stride_until_a_demo_shows_coaching(
    browser_context, server: Server
) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#lv-target-label")
    # before any walk: coaching is off (opt-in), so no "target" anywhere
    assert page.locator("#lv-target-label").inner_text().lower() == "usual stride"
    assert "target band" not in page.locator("main").inner_text()
    walk_id = start_demo(server, speed=5)
    wait_js(page, "Number(document.getElementById('lv-strides').textContent) >= 3")
    # a demo walk shows what coaching does (as `gait live --demo`): coached as just after back pain, and it says so
    assert page.locator("#lv-target-label").inner_text().lower() == "target"
    assert page.locator("#lv-band-label").inner_text() == "target band"
    wait_js(page, "document.getElementById('lv-coach-note').textContent.startsWith('Demo: coached as if')")
    # the demo walker has no baseline here: the walk's own first strides set its level, and the page says so
    wait_js(page, "document.getElementById('lv-level-note').textContent.startsWith('Compared with this walk')")
    assert page.locator("#lv-level-note").inner_text() == "Compared with this walk's first 20 strides."
    assert page.locator("#lv-target").inner_text() != "–"
    assert server.client.get("/api/coaching").json()["plan"]["active"] is False  # the walker's coaching: still off
    # the distance shown when the walk ends is the stored walk's
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')", timeout_s=60)
    stored_m = server.client.get(f"/api/walks/{walk_id}").json()["summary"]["distance_m"]
    assert page.locator("#lv-distance").inner_text() == f"{round(stored_m)} m"
    assert errors == [], errors


def test_walk_page_shows_not_medical_advice_with_its_coaching_and_labels_demo_walks(
    browser_context, server: Server
) -> None:
    assert server.client.put("/api/profile", json=COACHED).status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    walk_id = start_demo(server, speed=20)
    server.wait_until(lambda: not server.client.get("/api/live").json()["running"], "the demo walk to end", 60)
    assert server.client.get(f"/api/walks/{walk_id}").json()["cues"]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#not-medical-advice")
    assert "Not medical advice" in page.locator("#not-medical-advice").inner_text()
    assert "never used for your coaching" in page.locator("#demo-note").inner_text()
    page.goto(server.url + "/#/walks")
    page.wait_for_selector("#walks-table")
    assert page.locator(f"tr[data-walk='{walk_id}'] .badge.demo").inner_text() == "demo"
    page.goto(server.url + "/#/")
    # Home lists a demo walk apart from the walker's own latest walks
    page.wait_for_selector("#demo-walks-table")
    assert page.locator(f"#demo-walks-table tr[data-walk='{walk_id}'] .badge.demo").inner_text() == "demo"
    assert page.locator("#walks-table").count() == 0 and page.locator("#no-own-walks").is_visible()
    assert "never counted for your coaching" in page.locator("#demo-hint").inner_text()
    assert errors == [], errors


def test_a_walk_dated_at_upload_says_so(browser_context, server: Server, tmp_path) -> None:
    with write_walk_csv(tmp_path / "w.csv", duration_s=30.0).open("rb") as fh:  # gait CSV: no start time
        r = server.client.post("/api/uploads", files={"file": ("w.csv", fh)}, data={"placement": "lower_back"})
    walk_id = r.json()["walks"][0]["id"]
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#summary")
    assert "the file holds no start time" in page.locator("#started-note").inner_text()


def first_hub_frame(server: Server) -> str:
    """The feed's opening ``hub`` event, as the server sends it to a page that connects now."""
    with server.client.stream("GET", "/api/live/feed") as feed:
        frame = ""
        for line in feed.iter_lines():
            if not line and "event: hub" in frame:
                return frame + "\n"
            frame += line + "\n"
    raise AssertionError("the feed ended before its hub event")


def test_live_page_opened_mid_walk_shows_the_latest_stride_at_once(browser_context, server: Server) -> None:
    walk_id = start_demo(server)
    server.wait_until(lambda: len(server.client.get(f"/api/walks/{walk_id}/strides").json()) >= 4, "4 stored strides")
    frame = first_hub_frame(server)
    hub = json.loads(frame.split("data:", 1)[1])
    last = hub["last_stride"]
    # the latest stride a turn's (150 steps/min, far from the walk's): the card must not show it alone
    hub["last_stride"] = {**last, "cadence_spm": 150.0}
    frame = frame.split("data:", 1)[0] + "data: " + json.dumps(hub) + "\n\n"
    server.client.post("/api/live/stop")
    page = browser_context.new_page()
    errors = watch_console(page)
    # The page gets only the hub event of the moment it connected: no stride event can fill the cards after it.
    page.route("**/api/live/feed", lambda route: route.fulfill(content_type="text/event-stream", body=frame))
    page.goto(server.url + "/#/live")
    wait_js(page, "document.getElementById('live-badge')?.textContent === 'live'")
    assert page.locator("#lv-stride").inner_text() == f"{last['length_m']:.2f}"
    # QA17 #3: the cadence card is what its label says from the first paint, the median of the walk's last 10
    # strides (the stored ones), not the one latest stride's cadence until 10 more came
    stored = server.client.get(f"/api/walks/{walk_id}/strides").json()
    cadences = [s["cadence_spm"] for s in stored if s["cadence_spm"] is not None][-10:]
    assert len(cadences) > 1, stored
    want = f"{statistics.median(cadences):.0f}"
    wait_js(page, f"document.getElementById('lv-cadence').textContent === '{want}'")
    assert errors == [], errors
