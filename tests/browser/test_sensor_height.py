"""The live page's "Connect a sensor" form takes a measured sensor height (lower back, waist), in Chromium against
`gait serve` on the virtual radio (GAIT_BLE_VIRTUAL=1): checked in plain words, sent to the live router and used for
the walk as `gait live --sensor-height-m` uses it."""

from __future__ import annotations

import pytest

from ingest.ble.virtual import DEMO_SENSOR_NAMES
from tests.browser.conftest import shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_sensors import virtual_server  # noqa: F401 (fixture)
from tests.service.serverproc import Server

pytestmark = pytest.mark.timeout(150)


def walk_with_the_sensor(page, server: Server, sensor_height: str) -> dict:
    """Connect the IMU demo sensor at the lower back with ``sensor_height`` typed in the form, walk eight strides,
    stop; the stored walk."""
    page.fill("#sensor-target", DEMO_SENSOR_NAMES["imu"])
    page.select_option("#sensor-placement", "lower_back")
    page.fill("#sensor-height", sensor_height)
    page.click("#connect-btn")
    wait_js(page, "document.body.dataset.sensorPhase === 'streaming'")
    walk_id = server.client.get("/api/live").json()["walk_id"]
    wait_js(page, "Number(document.getElementById('lv-strides').textContent) >= 8")
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    return server.client.get(f"/api/walks/{walk_id}").json()


def test_a_measured_sensor_height_is_checked_sent_and_used_for_the_walk(
    browser_context,
    virtual_server: Server,  # noqa: F811
) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(virtual_server.url + "/#/live")
    page.wait_for_selector("#connect-btn")

    # only a sensor at the lower back or waist has a height the stride lengths rest on
    for placement, shown in (("lower_back", True), ("waist", True), ("foot", False), ("wrist", False)):
        page.select_option("#sensor-placement", placement)
        assert page.locator("#sensor-height-row").is_visible() is shown, placement

    # plain words naming the field, and nothing started
    page.select_option("#sensor-placement", "lower_back")
    page.fill("#sensor-target", DEMO_SENSOR_NAMES["imu"])
    for typed, words in (
        ("1.05", "Sensor height: 1.05 reads as metres; the field takes centimetres: enter 105"),
        ("500", "Sensor height: 500 cm is not a height from the floor to a sensor"),
        ("about a metre", 'Sensor height: "about a metre" is not a height'),
    ):
        page.fill("#sensor-height", typed)
        assert page.locator("#sensor-height-read").inner_text().startswith(words), typed
        page.click("#connect-btn")
        wait_js(page, "document.getElementById('sensor-msg').textContent !== ''")
        assert page.locator("#sensor-msg").inner_text().startswith(words)
        assert page.evaluate("document.activeElement.id") == "sensor-height"
        assert virtual_server.client.get("/api/live").json()["running"] is False
    page.fill("#sensor-height", "130")
    assert page.locator("#sensor-height-read").inner_text() == "= 1.30 m"
    shot(page, "sensor-height-form")

    estimated = walk_with_the_sensor(page, virtual_server, "")
    measured = walk_with_the_sensor(page, virtual_server, "130")
    assert "sensor_height_m" not in estimated["analysis"]
    assert measured["analysis"]["sensor_height_m"] == 1.3
    assert any("sensor height 1.30 m (the sensor height given)" in note for note in measured["notes"])
    # the inverted pendulum: the same steps from a sensor higher than the one estimated from a body height (1.70 m
    # assumed: 0.90 m) are longer strides, by about the root of the heights' ratio (a small vertical excursion)
    assert any("sensor height 0.90 m (assumed from a default body height" in note for note in estimated["notes"])
    ratio = measured["summary"]["stride_length_m"] / estimated["summary"]["stride_length_m"]
    assert ratio == pytest.approx((1.30 / 0.90) ** 0.5, rel=0.05)
    assert errors == [], errors


def test_the_live_router_refuses_a_sensor_height_where_no_length_rests_on_it(
    virtual_server: Server,  # noqa: F811
) -> None:
    client = virtual_server.client
    wrist = client.post("/api/live/sensor", json={"target": "GaitDemo", "placement": "wrist", "sensor_height_m": 1.0})
    assert wrist.status_code == 422 and "lower back or waist only" in wrist.text
    low = client.post("/api/live/sensor", json={"target": "GaitDemo", "placement": "waist", "sensor_height_m": 0.1})
    assert low.status_code == 422 and "30 to 160 cm" in low.text
    assert client.get("/api/live").json()["running"] is False
