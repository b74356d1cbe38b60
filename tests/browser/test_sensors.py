"""The live page's "Connect a sensor" panel in Chromium, against `gait serve` on the virtual radio (GAIT_BLE_VIRTUAL=1).

The virtual demo sensors replay a synthetic walk at exactly 108 steps/min, four times faster than real time.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.ble.virtual import DEMO_SENSOR_NAMES, PROTOCOLS
from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server

pytestmark = pytest.mark.timeout(90)


def serve_virtual(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str = "service.cli") -> Iterator[Server]:
    """`gait serve` (``module``: a test's own command line) on the virtual radio, its sensors replaying a 60 s walk."""
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk.csv", duration_s=60.0)
    (samples / "walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    monkeypatch.setenv("GAIT_BLE_VIRTUAL", "1")  # the server subprocess inherits it
    srv = Server(tmp_path / "data", samples, demo=False, module=module)
    try:
        yield srv
    finally:
        srv.kill()


@pytest.fixture
def virtual_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    yield from serve_virtual(tmp_path, monkeypatch)


def pick_from_scan_list(browser_context, server: Server, protocol: str) -> tuple[object, list[str]]:
    """Open the live page, scan, and click the demo sensor of ``protocol`` in the list; the page and its console."""
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    page.click("#scan-btn")
    page.wait_for_selector("#sensor-list .sensor-row")
    page.locator("#sensor-list .sensor-row").filter(has_text=DEMO_SENSOR_NAMES[protocol]).click()
    return page, errors


def test_scan_connect_and_see_live_strides(browser_context, virtual_server: Server) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(virtual_server.url + "/#/live")
    page.wait_for_selector("#scan-btn")

    # a sensor that is not there: the reason, and nothing started
    page.fill("#sensor-target", "Nobody's sensor")
    page.click("#connect-btn")
    wait_js(page, "document.getElementById('sensor-msg').textContent.includes('found')")
    assert "switch it on" in page.locator("#sensor-msg").inner_text()
    assert virtual_server.client.get("/api/live").json()["running"] is False
    assert all("404" in e for e in errors), errors  # Chromium logs the refused request itself, nothing else
    errors.clear()

    # progress while scanning: noted as it shows (a scan of the virtual radio lasts a second, a wait could miss it)
    page.evaluate(
        "window.__scanShown = false; new MutationObserver(() => { if (!document.getElementById('scan-progress')"
        ".classList.contains('hidden')) window.__scanShown = true; }).observe(document.getElementById('scan-progress'),"
        " { attributes: true })"
    )
    page.click("#scan-btn")
    page.wait_for_selector("#sensor-list .sensor-row")
    assert page.evaluate("window.__scanShown")
    assert page.locator("#scan-progress").get_attribute("class") == "hidden"
    rows = page.locator("#sensor-list .sensor-row")
    assert rows.count() == len(PROTOCOLS)
    assert [rows.nth(i).locator(".sensor-name").inner_text() for i in range(rows.count())] == [
        DEMO_SENSOR_NAMES[p] for p in PROTOCOLS
    ]
    assert "virtual sensors" in page.locator("#scan-note").inner_text()
    first = rows.nth(0).inner_text()
    assert "IMU stream" in first and "dBm" in first
    shot(page, "sensor-scan-desktop")

    # the shoe question is for a sensor on a shoe only: a foot pod's row sets foot and asks it
    assert page.locator("#sensor-side-row").is_hidden()
    rows.filter(has_text=DEMO_SENSOR_NAMES["rsc"]).click()
    assert page.locator("#sensor-placement").input_value() == "foot"
    assert page.locator("#sensor-side-row").is_visible()
    page.select_option("#sensor-side", "left")
    page.select_option("#sensor-placement", "lower_back")  # worn elsewhere: no side is sent
    assert page.locator("#sensor-side-row").is_hidden()
    assert page.locator("#sensor-side").input_value() == ""

    rows.filter(has_text=DEMO_SENSOR_NAMES["imu"]).click()
    address = page.locator("#sensor-target").input_value()
    assert address.startswith("D0:00:00:00:")
    page.select_option("#sensor-placement", "lower_back")
    page.click("#connect-btn")
    wait_js(page, "document.body.dataset.sensorPhase === 'streaming'")
    wait_js(page, "Number(document.getElementById('lv-strides').textContent) >= 4")
    assert page.locator("#live-badge").inner_text() == "live"
    assert page.locator("#sensor-phase").inner_text() == "streaming"
    assert page.locator("#sensor-name").inner_text() == f"{DEMO_SENSOR_NAMES['imu']} (imu)"
    assert page.locator("#sensor-lost").inner_text() == "0"
    cadence = float(page.locator("#lv-cadence").inner_text())
    assert abs(cadence - 108) <= 3
    assert page.locator("#chart-live canvas").count() == 1
    shot(page, "sensor-live-desktop")
    page.set_viewport_size(PHONE)
    # the live chart takes the phone's width on the window's resize event, which comes after the resize itself
    fits = f"document.documentElement.scrollWidth <= {PHONE['width']}"
    with contextlib.suppress(AssertionError):
        wait_js(page, fits, timeout_s=10)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    shot(page, "sensor-live-phone")
    page.set_viewport_size(DESKTOP)

    page.click("#stop-live")
    wait_js(page, "document.body.dataset.sensorPhase === 'ended'")
    # the session's "ended" and the hub's (with the stored walk's figures) are two messages: either may come first
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    assert page.locator("#sensor-error").inner_text() == ""
    walks = virtual_server.client.get("/api/walks").json()
    assert len(walks) == 1
    assert walks[0]["format"] == "ble" and walks[0]["source"]["sensor"]["address"] == address
    assert walks[0]["summary"]["strides"] >= 4
    assert errors == [], errors  # also catches Content-Security-Policy violations


def test_a_foot_pod_alone_shows_its_own_figures_and_its_walk_says_why(browser_context, virtual_server: Server) -> None:
    page, errors = pick_from_scan_list(browser_context, virtual_server, "rsc")
    assert page.locator("#sensor-placement").input_value() == "foot"
    page.click("#connect-btn")
    wait_js(page, "document.body.dataset.pod === '1' && document.getElementById('lv-cadence').textContent !== '0'")
    wait_js(page, "Number(document.getElementById('lv-cadence').textContent) > 0")
    # the walk so far from the pod's own figures (the sample walks at 108 steps/min) fills the cards, labelled so
    assert abs(float(page.locator("#lv-cadence").inner_text()) - 108) <= 3
    assert float(page.locator("#lv-stride").inner_text()) > 0
    assert "walk so far" in page.locator("#lv-cadence-unit").inner_text()
    assert "walk so far" in page.locator("#lv-stride-label").inner_text().lower()
    pod_line = page.locator("#pod-line").inner_text()
    assert "Foot pod now" in pod_line and "no strides of its own" in pod_line, pod_line
    # no "Strides 0 / Flagged 0" that read as nothing walked: its steps so far, and no stride legend (QA18 #3)
    wait_js(page, "Number(document.getElementById('lv-strides').textContent) > 0")
    assert page.locator("#lv-strides-label").inner_text().lower() == "steps"
    assert "foot pod" in page.locator("#lv-strides-unit").inner_text()
    assert page.locator("#lv-flagged-box").is_hidden() and page.locator("#lv-legend").is_hidden()
    shot(page, "sensor-pod-live")
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    (walk,) = virtual_server.client.get("/api/walks").json()
    # the cards ended on the figures the walk stored (the pod's latest report alone differed from its means; QA16
    # finding 6: its last report was then held on to the stop, after the cards had shown the walk without it)
    cadence_spm, stride_m = (float(page.locator(card).inner_text()) for card in ("#lv-cadence", "#lv-stride"))
    summary = walk["summary"]
    # equal to the cards' rounding (whole steps/min, centimetres)
    assert abs(cadence_spm - summary["cadence_spm"]) <= 0.5, (cadence_spm, summary)
    assert abs(stride_m - summary["stride_length_m"]) <= 0.005, (stride_m, summary)
    assert int(page.locator("#lv-strides").inner_text()) == summary["steps"] > 0, summary
    page.goto(f"{virtual_server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#summary")
    # its steps, the pod's, as an Apple Health walk's (its page showed "Strides –" and no steps at all)
    steps = page.locator("#step-count-box")
    assert steps.is_visible() and f"{summary['steps']}" in steps.inner_text() and "foot pod" in steps.inner_text()
    # the walk page says where its figures come from, and shows the pod's cadence
    assert "figures from the foot pod itself" in page.locator("main").inner_text().lower()
    assert abs(walk["summary"]["cadence_spm"] - 108) <= 3
    assert f"{walk['summary']['cadence_spm']:.0f}" in page.locator("#summary").inner_text()
    # no strides: one line says there are no charts, without empty chart headings and legends; no stride coaching
    main = page.locator("main").inner_text()
    assert page.locator("#no-charts").is_visible()
    assert "Stride length over time" not in main and "Cadence over time" not in main and "histogram" not in main
    assert "coached as if" not in main.lower() and "No stride coaching on this walk" in main
    shot(page, "sensor-pod-walk")
    assert errors == [], errors


@pytest.fixture
def overstriding_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """Virtual sensors replaying a walk the demo coaching flags and cues: a 1.20 m walker (its reference) with strides
    of about 0.90 m, over the population's for that height (as tests/browser/conftest.py's overstriding demo)."""
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk.csv", duration_s=120.0)
    (samples / "walk.reference.json").write_text(json.dumps({"placement": "lower_back", "body_height_m": 1.2}))
    monkeypatch.setenv("GAIT_BLE_VIRTUAL", "1")
    srv = Server(tmp_path / "data", samples, demo=False)
    try:
        yield srv
    finally:
        srv.kill()


def test_a_sensor_picked_from_the_scan_list_is_coached_and_its_walk_stored_as_coached(
    browser_context, overstriding_server: Server
) -> None:
    """QA finding 1: the IMU sensor clicked in the scan list (its address filled in) was taken for a foot pod: the
    page said "no stride coaching" and "coaching off" while strides were flagged and cued, and the walk was stored
    uncoached with no protocols."""
    page, errors = pick_from_scan_list(browser_context, overstriding_server, "imu")
    address = page.locator("#sensor-target").input_value()
    assert address.startswith("D0:00:00:00:")  # picked by its address, as the list fills it in
    page.select_option("#sensor-placement", "lower_back")
    page.click("#connect-btn")
    wait_js(page, "document.body.dataset.sensorPhase === 'streaming'")
    wait_js(page, "document.querySelector('#cue-list li') && !document.querySelector('#cue-list .muted')", 60)
    assert int(page.locator("#lv-flagged").inner_text()) > 0
    # the page says the strides are judged against a target, and nothing about a foot pod
    assert page.evaluate("document.body.dataset.coaching") == "on"
    assert page.locator("#lv-target-label").text_content() == "Target"
    assert page.locator("#lv-band-label").inner_text() == "target band"
    assert "no stride coaching" not in page.locator("main").inner_text().lower()
    wait_js(page, "document.getElementById('lv-coach-note').textContent.startsWith('Demo: coached as if')")  # fetched
    assert page.evaluate("document.body.dataset.pod") is None
    assert page.locator("#sensor-name").inner_text() == f"{DEMO_SENSOR_NAMES['imu']} (imu)"
    shot(page, "sensor-picked-coached")
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    (walk,) = overstriding_server.client.get("/api/walks").json()
    walk = overstriding_server.client.get(f"/api/walks/{walk['id']}").json()
    assert walk["source"]["sensor"]["address"] == address and walk["source"]["sensor"]["protocols"] == ["imu"]
    # stored as the page said: coached (the demo's coaching, as just after back pain), with its cues
    assert walk["coaching"]["active"] is True and not walk["coaching"].get("pod")
    assert walk["coaching"]["reasons"][0].startswith("Demo: coached as if"), walk["coaching"]["reasons"]
    assert walk["cues"] and walk["summary"]["flagged_strides"] > 0
    assert errors == [], errors


def test_stop_before_the_sensor_is_found_says_so_in_the_session_card(browser_context, virtual_server: Server) -> None:
    """QA (14th pass): after Stop pressed while the sensor was looked for, the badge said "stopped before it started"
    but the Session line still read the walk before it ("Demo replay: ended")."""
    r = virtual_server.client.post("/api/live/demo", json={"sample": "walk.csv", "speed": 20})
    assert r.status_code == 202, r.text
    walk_id = virtual_server.client.get("/api/live").json()["walk_id"]
    virtual_server.wait_until(lambda: virtual_server.client.get(f"/api/walks/{walk_id}/strides").json(), "a stride")
    assert virtual_server.client.post("/api/live/stop").status_code == 200
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(virtual_server.url + "/#/live")
    page.wait_for_selector("#sensor-target")
    wait_js(page, "document.getElementById('live-state')?.textContent.startsWith('Demo replay: ended')")
    # Stop pressed while the sensor is looked for (a name no sensor has: the lookup lasts the whole scan): pressed
    # from the page as soon as its badge says so, not after a fixed time a found sensor's connection may beat
    page.fill("#sensor-target", "Nobody's sensor")
    page.evaluate(
        "new MutationObserver((_, seen) => { if (document.getElementById('live-badge').textContent === 'connecting')"
        " { seen.disconnect(); document.getElementById('stop-live').click(); } })"
        ".observe(document.getElementById('live-badge'), { childList: true, characterData: true, subtree: true });"
        "document.getElementById('connect-btn').click()"
    )
    wait_js(page, "document.getElementById('live-badge').textContent === 'stopped before it started'")
    assert page.inner_text("#live-state") == "Sensor: ended"
    assert virtual_server.client.get("/api/live").json()["running"] is False
    assert [e for e in errors if "409" not in e] == [], errors  # the refused start is logged by Chromium itself


def test_a_sensor_picked_after_a_foot_pod_is_worn_where_it_was_before_the_pods_pick(
    browser_context, virtual_server: Server
) -> None:
    # QA18 #12: the pod's pick set "Worn at" to foot and it stayed foot for the chest strap picked next: its walk was
    # stored as a foot walk, with no stride length or distance
    assert virtual_server.client.put("/api/profile", json={"placement": "pocket"}).status_code == 200
    page, errors = pick_from_scan_list(browser_context, virtual_server, "rsc")
    assert page.locator("#sensor-placement").input_value() == "foot"
    assert page.locator("#sensor-side-row").is_visible()
    page.locator("#sensor-list .sensor-row").filter(has_text=DEMO_SENSOR_NAMES["pmd"]).click()
    assert page.locator("#sensor-placement").input_value() == "pocket"  # the profile's, as before the pod's pick
    assert page.locator("#sensor-side-row").is_hidden()
    # a placement the walker chose after the pod's pick is theirs: the next sensor keeps it
    page.locator("#sensor-list .sensor-row").filter(has_text=DEMO_SENSOR_NAMES["rsc"]).click()
    page.select_option("#sensor-placement", "lower_back")
    page.locator("#sensor-list .sensor-row").filter(has_text=DEMO_SENSOR_NAMES["imu"]).click()
    assert page.locator("#sensor-placement").input_value() == "lower_back"
    assert page.locator("#sensor-height-row").is_visible()
    assert errors == [], errors


def test_an_already_running_refusal_goes_when_that_walk_ends(browser_context, virtual_server: Server) -> None:
    # QA18 #9: "a live walk is already running: stop it first" stayed under the form after that walk had ended
    page, errors = pick_from_scan_list(browser_context, virtual_server, "imu")
    samples = virtual_server.client.get("/api/live").json()["samples"]
    r = virtual_server.client.post("/api/live/demo", json={"sample": samples[0], "speed": 1})
    assert r.status_code == 202, r.text
    page.click("#connect-btn")
    msg = page.locator("#sensor-msg")
    msg.filter(has_text="already running").wait_for()
    virtual_server.client.post("/api/live/stop")
    wait_js(page, "document.getElementById('sensor-msg').textContent === ''")
    assert [e for e in errors if "status of 409" not in e] == [], errors  # the refusal itself is logged
