"""What the live and walk pages say when a walk has no target, in Chromium against `gait serve` on the virtual radio:
the real reason (a demo never uses your baseline, nor your height or factor; a chest sensor measures no stride
length; no baseline of yours for the walk's placement), never "there is no personal baseline" for a walker who has one.

The virtual sensors replay a synthetic lower-back walk whose walker's height is not known: its lengths are never
trusted, so the demo walk never reaches the 20 trusted strides that would set its level.
"""

from __future__ import annotations

import pytest

from tests.browser.test_dashboard import wait_js
from tests.browser.test_sensors import pick_from_scan_list, virtual_server  # noqa: F401 (a fixture)
from tests.service.serverproc import Server

pytestmark = pytest.mark.timeout(120)


def _connect(page, server: Server, placement: str) -> int:
    """Connect the chosen sensor worn at ``placement`` and wait for a few strides; returns the walk's id."""
    page.select_option("#sensor-placement", placement)
    page.click("#connect-btn")
    wait_js(page, "Number(document.getElementById('lv-strides').textContent) >= 4")
    return server.client.get("/api/live").json()["walk_id"]


def _walk_page_band_note(page, server: Server, walk_id: int, note: str = "#no-band") -> str:
    """Stop the walk and open its page; the chart legend's word on the missing band (``note``: or the line that
    stands for the stride-length charts of a walk without stride lengths)."""
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector(note)
    return page.locator(note).inner_text()


def test_a_demo_sensor_says_a_demo_never_uses_your_baseline(
    browser_context,
    virtual_server: Server,  # noqa: F811 (the fixture imported above)
) -> None:
    # a walker with coaching on and a (lower-back) profile: the demo's reason is the demo, whatever their baseline
    profile = {"body_height_m": 1.75, "placement": "lower_back", "coaching": {"enabled": True}}
    assert virtual_server.client.put("/api/profile", json=profile).status_code == 200
    page, errors = pick_from_scan_list(browser_context, virtual_server, "imu")
    walk_id = _connect(page, virtual_server, "lower_back")
    note = page.locator("#lv-level-note").inner_text()
    # its lengths can never be trusted (no height, no factor: a demo never uses yours), said from the first stride
    assert note == (
        "No target on this walk, as its lengths are not trusted: a lower-back sensor's stride lengths have confidence "
        "0.50 without a calibration factor or a body height (below the 0.60 the coach needs). A demo walk is somebody "
        "else's walking: your calibration factor and body height do not apply to it."
    ), note
    assert "no personal baseline" not in note
    # from the walk's page data, fetched once the walk is live: it may come after the strides
    said = "Demo: coached as if you had reported back pain"
    wait_js(page, f"document.getElementById('lv-coach-note').textContent.startsWith({said!r})")
    band = _walk_page_band_note(page, virtual_server, walk_id)
    assert band == (
        "no target band: a demo walk never uses your baseline, so this walk's first 20 trusted strides were to set its "
        "level, and it did not have that many (see its coaching below)"
    )
    coaching = page.locator("#coaching-then").inner_text()
    assert "A demo walk never uses your baseline, and this walk had 0 trusted walking strides" in coaching
    assert errors == [], errors


def test_a_chest_sensor_says_it_measures_no_stride_length(
    browser_context,
    virtual_server: Server,  # noqa: F811 (the fixture imported above)
) -> None:
    page, errors = pick_from_scan_list(browser_context, virtual_server, "imu")
    walk_id = _connect(page, virtual_server, "chest")
    assert page.locator("#lv-level-note").inner_text() == (
        "No target: a chest sensor has no stride-length model (cadence only), so no stride is judged."
    )
    # no stride length at all: no stride-length chart (and so no band) is drawn, one line says why
    band = _walk_page_band_note(page, virtual_server, walk_id, "#no-length-charts")
    assert band == "No stride lengths in this walk (a chest sensor gives cadence only), so only its cadence is drawn."
    coaching = page.locator("#coaching-then").inner_text()
    assert "No target: a chest sensor has no stride-length model (cadence only)" in coaching
    assert "without a personal baseline" not in page.locator("main").inner_text()
    assert errors == [], errors
