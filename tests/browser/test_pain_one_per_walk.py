"""The Pain page and one point of pain per walk (QA19a #8, #9): after "Saved." the form starts afresh (no walk, no
time), so a second press of Save does not store the same report again; a walk that already has a report says so
and shows it; "90" typed in the km box (meaning metres) is refused with the box's unit and the number to type.

A real phone recording of the Oxford step-counter data set (../shared/data/dev), uploaded as a hand walk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_dashboard import wait_js
from tests.browser.test_reanalysis import upload
from tests.service.serverproc import Server

REPO = Path(__file__).resolve().parents[2]
OXFORD = REPO.parent / "shared/data/dev/oxford_step_counter/optimisation/data"
WALK = OXFORD / "Samsung_Dario_Hard_InHand_2" / "accelerometer.csv.gz"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not WALK.is_file(), reason=f"shared dev data not found at {WALK}"),
]


def _open(browser_context, server: Server, walk_id: int):
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/pain?walk={walk_id}")
    page.wait_for_selector("#pain-form")
    return page


def test_a_saved_report_clears_the_walk_and_the_walk_then_shows_it(browser_context, server: Server) -> None:
    walk = upload(server, WALK, placement="hand")
    page = _open(browser_context, server, walk["id"])
    assert page.input_value("#pain-walk") == str(walk["id"]) and page.input_value("#when")
    assert not page.is_visible("#pain-walk-has")  # no report yet
    page.fill("#onset-km", "0.09")
    page.click("#pain-form button[type=submit]")
    wait_js(page, "document.getElementById('pain-msg').textContent === 'Saved.'")
    # the form starts afresh: pressing Save again would not store a second report of this walk
    assert (page.input_value("#pain-walk"), page.input_value("#when"), page.input_value("#onset-km")) == ("", "", "")
    assert page.evaluate("location.hash") == "#/pain"
    page.click("#pain-form button[type=submit]")
    wait_js(page, "document.getElementById('pain-msg').textContent === 'Saved.'")
    reports = server.client.get("/api/pain").json()
    assert [r["walk_id"] for r in reports].count(walk["id"]) == 1
    # choosing the walk again says it has a report, and shows it
    page.select_option("#pain-walk", str(walk["id"]))
    assert page.is_visible("#pain-walk-has")
    said = page.inner_text("#pain-walk-has")
    assert said.startswith("This walk already has a report: ") and "3/10, after 90 m" in said, said
    assert "counts a walk once, with its earliest onset" in said


def test_metres_typed_in_the_km_box_are_refused_with_the_unit(browser_context, server: Server) -> None:
    walk = upload(server, WALK, placement="hand")
    assert 90.0 < walk["summary"]["distance_m"] < 1000.0
    page = _open(browser_context, server, walk["id"])
    page.fill("#onset-km", "90")
    page.click("#pain-form button[type=submit]")
    page.wait_for_selector("#pain-msg.error")
    message = page.inner_text("#pain-msg")
    assert "beyond its end" in message
    assert message.endswith("The box takes kilometres: if you meant 90 metres, enter 0.09."), message
    assert server.client.get("/api/pain").json() == []
