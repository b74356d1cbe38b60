"""Home and Live with a walk-length recommendation (QA19a #11, #13, #14): switched off, Home keeps the suggested
length without the rule for counting pain-free walks (nothing counts then) and says no prompt comes; switched on,
the Live page shows the planned walk by its Distance card; the plan's calibration advice names the dashboard's way.

A real phone recording of the Oxford step-counter data set (../shared/data/dev), uploaded as a hand walk.
"""

from __future__ import annotations

from tests.browser.test_pain_one_per_walk import WALK
from tests.browser.test_pain_one_per_walk import pytestmark as pytestmark  # shared data, skipped without it
from tests.browser.test_reanalysis import upload
from tests.service.serverproc import Server


def coaching(server: Server, enabled: bool) -> None:
    r = server.client.patch("/api/profile", json={"changes": {"coaching": {"enabled": enabled}}})
    assert r.status_code == 200, r.text


def test_home_and_live_say_the_walk_length_as_coaching_is_switched(browser_context, server: Server) -> None:
    # pain usually 100 m in: walks of about 83 m, shorter than 2 minutes (no usual pace known)
    assert server.client.post("/api/pain", json={"score": 5, "onset_distance_m": 100.0}).status_code == 201
    coaching(server, False)
    page = browser_context.new_page()
    page.goto(server.url + "/#/")
    page.wait_for_selector("#recommendation")
    card = page.inner_text("#recommendation")
    assert "83 m (0.05 mi)" in card
    assert "pain-free" not in card, card  # switched off, no walk counts: the counting rule is noise
    off = page.inner_text("#rec-coaching-off")
    assert off.startswith("Stride coaching is switched off, so this is a suggestion only"), off
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#live-numbers")
    assert page.locator("#lv-plan").count() == 0  # no prompt comes: no plan shown where the walk happens

    coaching(server, True)
    page.goto(server.url + "/#/")
    page.wait_for_selector("#recommendation")
    assert "counts as a pain-free walk" in page.inner_text("#recommendation")
    assert page.locator("#rec-coaching-off").count() == 0
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#live-numbers")
    assert page.inner_text("#lv-plan").startswith("Planned walk: about 83 m (0.05 mi), ending before your back")


def test_the_plans_calibration_advice_names_the_dashboards_way(browser_context, server: Server) -> None:
    walk = upload(server, WALK, placement="hand")  # an uncalibrated phone: no trusted stride length
    reasons = server.client.get("/api/coaching").json()["plan"]["reasons"]
    (advice,) = [r for r in reasons if "To get stride coaching" in r]
    assert advice.endswith(
        "calibrate your stride length with a walk of known distance (at least 100 m at your usual pace: "
        "\u201cCalibrate: this walk was \u2026 m\u201d on a walk's page, or gait calibrate)."
    ), advice
    page = browser_context.new_page()
    page.goto(server.url + "/#/")
    page.wait_for_selector("#calibrate-how")
    said = page.inner_text("#home-reasons")
    assert "(at least 100 m at your usual pace; how: below)" in said and "gait calibrate" not in said, said
    assert page.locator("#calibrate-link").get_attribute("href") == f"#/walk/{walk['id']}?to=calibrate"
