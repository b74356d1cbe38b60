"""The live page on a phone (390 px) while a sensor's link drops and comes back (QA18 finding 1).

`gait serve` on the virtual radio (GAIT_BLE_VIRTUAL=1) whose IMU demo sensor drops its link 12 s of recording into
streaming (3 s of wall time at the tests' 4x replay) and stays silent for 4 s (tests/browser/link_fault_serve.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.ble.virtual import DEMO_SENSOR_NAMES
from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_sensors import serve_virtual
from tests.service.serverproc import Server

pytestmark = pytest.mark.timeout(120)

# what the walker sees: below the sticky header, above the bottom of the screen
IN_VIEW = """(id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  const top = document.querySelector('.top').getBoundingClientRect().bottom;
  return r.height > 0 && r.top >= top - 1 && r.bottom <= window.innerHeight + 1;
}"""

# every frame from Connect on: the cards' top on the page, the stride count, the phase and the notes above or below
RECORD = """() => {
  window.__frames = [];
  const cards = document.getElementById('live-numbers');
  const frame = () => {
    if (!document.body.contains(cards)) return;  // another page: the recording ends
    window.__frames.push({
      top: cards.getBoundingClientRect().top + window.scrollY,
      strides: Number(document.getElementById('lv-strides').textContent),
      badge: document.getElementById('live-badge').textContent, phase: document.body.dataset.sensorPhase || '',
      notes: ['lv-coach-note', 'lv-level-note'].every((id) => document.getElementById(id).textContent !== ''),
    });
    if (window.__frames.length < 20000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


@pytest.fixture
def link_fault_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("GAIT_TEST_LINK_FAULT", "12,4")  # the server subprocess inherits it
    yield from serve_virtual(tmp_path, monkeypatch, module="tests.browser.link_fault_serve")


def test_a_lost_link_is_said_by_the_cards_and_stop_is_in_view_on_a_phone(browser_context, link_fault_server) -> None:
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    errors = watch_console(page)
    page.goto(link_fault_server.url + "/#/live")
    page.click("#scan-btn")
    page.wait_for_selector("#sensor-list .sensor-row")
    page.locator("#sensor-list .sensor-row").filter(has_text=DEMO_SENSOR_NAMES["imu"]).click()
    page.select_option("#sensor-placement", "lower_back")
    page.evaluate(RECORD)
    page.click("#connect-btn")

    # Stop in the first screen once the page has scrolled to the cards, without scrolling further
    wait_js(page, "document.getElementById('live-badge').textContent === 'live'")
    wait_js(page, "Number(document.getElementById('lv-strides').textContent) >= 1")
    page.wait_for_timeout(800)  # the smooth scroll to the cards ends
    stop_top = page.evaluate("document.getElementById('stop-live').getBoundingClientRect().top")
    assert page.evaluate(IN_VIEW, "stop-live"), f"Stop at {stop_top} px, the screen {PHONE['height']} px high"
    assert page.evaluate(IN_VIEW, "live-numbers")
    shot(page, "live-link-streaming-phone")

    # the link drops: a banner by the cards says so and the cards are greyed, in view
    wait_js(page, "document.body.dataset.sensorPhase === 'reconnecting'")
    banner = page.locator("#live-link-lost")
    assert banner.is_visible() and page.evaluate(IN_VIEW, "live-link-lost")
    assert "link lost" in banner.inner_text() and "not live" in banner.inner_text(), banner.inner_text()
    assert "stale" in page.locator("#live-numbers").get_attribute("class")
    shot(page, "live-link-lost-phone")
    # samples flow again: the banner goes, the cards are live again
    wait_js(page, "document.body.dataset.sensorPhase === 'streaming'")
    assert banner.is_hidden()
    assert "stale" not in page.locator("#live-numbers").get_attribute("class")

    # the cards did not move while the walk started and its first strides filled in the coaching notes
    frames = page.evaluate("window.__frames")
    started = [f for f in frames if f["badge"] == "live"]
    before_drop = started[: next(i for i, f in enumerate(started) if f["phase"] == "reconnecting")]
    assert any(f["strides"] == 0 for f in before_drop), "no frame before the first stride"
    assert any(f["strides"] >= 1 and f["notes"] for f in before_drop), "the notes were not filled before the drop"
    tops = sorted({round(f["top"]) for f in before_drop})
    assert tops[-1] - tops[0] <= 1, f"the cards moved: their tops {tops}"

    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    lost = int(page.locator("#sensor-lost").inner_text())
    # the stored walk says its link dropped and came back, with the packets lost, as the live page counted them
    # (QA18 #2: only "stopped by you", and a duration the gap's seconds made longer than its walking)
    (walk,) = link_fault_server.client.get("/api/walks").json()
    assert (walk["source"]["gaps"], walk["source"]["lost_packets"]) == (1, lost) and lost > 0, walk["source"]
    page.click("#live-walk-link a")
    page.wait_for_selector("#notes")
    said = page.locator("#notes").inner_text()
    assert "the link to the sensor dropped once and came back (" in said and f"{lost} packets lost" in said, said
    assert errors == [], errors
