"""The live page when the service goes away and comes back, and when one live walk follows another (QA pass 2,
findings 5 and 6)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import wait_js
from tests.browser.test_sensors import pick_from_scan_list, virtual_server  # noqa: F401 (a fixture)
from tests.service.serverproc import Server

STRIDES_SHOWN = "Number(document.getElementById('lv-strides').textContent) > 0"


def open_live(browser_context, server: Server):
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#start-demo")
    return page


def start_demo(page, sample: str) -> None:
    page.select_option("#demo-sample", sample)
    page.select_option("#demo-speed", "1")
    page.click("#start-demo")
    wait_js(page, "document.getElementById('live-badge').textContent === 'live'")


def test_the_live_page_says_the_service_stopped_and_reconnects_when_it_is_back(
    browser_context, server: Server, tmp_path: Path, samples_dir: Path
) -> None:
    page = open_live(browser_context, server)
    start_demo(page, "a_overstride_walk.csv")
    wait_js(page, STRIDES_SHOWN)
    walk_id = server.client.get("/api/live").json()["walk_id"]

    server.terminate()
    t0 = time.monotonic()
    wait_js(page, "document.body.dataset.service === 'gone'", timeout_s=15)
    noticed_s = time.monotonic() - t0
    assert noticed_s < 6, f"the page noticed the stopped service only after {noticed_s:.1f} s"
    badge = page.locator("#live-badge").inner_text()
    assert "live" not in badge.lower(), badge
    gone = page.locator("#live-offline")
    assert gone.is_visible()
    words = gone.inner_text()
    assert "cannot reach the gait service" in words and "gait serve" in words, words
    assert "reconnects by itself" in words and "walk that was live" in words, words
    assert "reconnecting" not in page.locator("#live-state").inner_text()
    assert page.locator("#stop-live").is_disabled() and page.locator("#start-demo").is_disabled()
    shot(page, "live-service-gone")

    # the service starts again on the same address: the page reconnects by itself and shows the state
    again = Server(tmp_path / "data", samples_dir, demo=False, port=server.port)
    try:
        wait_js(page, "document.body.dataset.service === 'up'", timeout_s=15)
        assert page.locator("#live-badge").inner_text() == "idle"
        assert not page.locator("#live-offline").is_visible()
        back = page.locator("#live-back")
        wait_js(page, "!!document.querySelector('#live-back a')")
        assert "running again" in back.inner_text() and "No walk is live" in back.inner_text(), back.inner_text()
        assert page.locator("#live-back a").get_attribute("href") == f"#/walk/{walk_id}"
        assert again.client.get(f"/api/walks/{walk_id}").json()["summary"]["strides"] > 0
        # the feed is live again: a new demo shows its strides
        assert page.locator("#start-demo").is_enabled()
        start_demo(page, "a_overstride_walk.csv")
        wait_js(page, STRIDES_SHOWN)
        shot(page, "live-service-back")
    finally:
        again.kill()


def test_a_new_live_walk_drops_the_previous_walks_link(browser_context, server: Server) -> None:
    page = open_live(browser_context, server)
    start_demo(page, "a_overstride_walk.csv")
    wait_js(page, STRIDES_SHOWN)
    first = server.client.get("/api/live").json()["walk_id"]
    page.click("#stop-live")
    page.wait_for_selector("#live-walk-link a")
    assert page.locator("#live-walk-link a").get_attribute("href") == f"#/walk/{first}"

    samples = [o for o in page.locator("#demo-sample option").all_inner_texts() if o != "a_overstride_walk.csv"]
    start_demo(page, samples[0])
    second = server.client.get("/api/live").json()["walk_id"]
    assert second != first
    wait_js(
        page,
        f"document.querySelector('#live-walk-link a') === null || "
        f"document.querySelector('#live-walk-link a').getAttribute('href') !== '#/walk/{first}'",
    )
    assert page.locator("#live-walk-link a").count() == 0, page.locator("#live-walk-link").inner_text()


def test_home_demo_walks_fit_a_phone(browser_context, server: Server) -> None:
    """QA2 finding 9: a long sample name kept the demo table 502 px wide in a 369 px box at 390 px."""
    r = server.client.post("/api/live/demo", json={"sample": "mobgap_lower_back_straight_walk.csv", "speed": 20})
    assert r.status_code == 202, r.text
    server.wait_until(lambda: not server.client.get("/api/live").json()["running"], "the demo to end", 60)
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/#/")
    page.wait_for_selector("#demo-walks-table")
    assert "mobgap_lower_back_straight_walk" in page.locator("#demo-walks-table").inner_text()
    table_px, box_px = page.evaluate(
        "[document.getElementById('demo-walks-table').scrollWidth,"
        " document.getElementById('demo-walks-table').parentElement.clientWidth]"
    )
    assert table_px <= box_px, f"demo table {table_px} px in a {box_px} px box"
    for header in ("Stride (m)", "Flagged"):
        right = page.locator("#demo-walks-table th", has_text=header).evaluate("e => e.getBoundingClientRect().right")
        assert right <= PHONE["width"], f"{header} ends at {right} px"
    shot(page, "home-demo-walks-phone")


def test_a_foot_pod_alone_says_why_its_chart_is_empty_and_its_card_reads_on_a_phone(
    browser_context,
    virtual_server: Server,  # noqa: F811 (the fixture imported above)
) -> None:
    """QA2 finding 12: the pod's live chart was an empty grid; its cadence unit spread over three wide lines."""
    page, _ = pick_from_scan_list(browser_context, virtual_server, "rsc")
    page.set_viewport_size(PHONE)
    page.click("#connect-btn")
    wait_js(page, "document.body.dataset.pod === '1'")
    note = page.locator("#lv-chart-note")
    assert note.is_visible() and "no strides to chart" in note.inner_text().lower()
    assert not page.locator("#chart-live").is_visible()
    unit = page.locator("#lv-cadence-unit")
    assert unit.inner_text() == "steps/min, walk so far (foot pod)"
    height_px, font_px = unit.evaluate(
        "e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).fontSize)]"
    )
    # at most three closely spaced lines of its own size (it was three lines of the big figure's spacing)
    assert height_px <= 3 * 1.3 * font_px, f"unit {height_px} px high at {font_px} px"
    shot(page, "live-pod-phone")
    page.click("#stop-live")
