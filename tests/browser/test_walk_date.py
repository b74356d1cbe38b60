"""The walk page's "Change date": an upload whose file held no start time (dated to end at its upload) gets the date
the walker types in their local time, on a 390 px phone, in a browser whose computer keeps Berlin time: a refusal is
said next to the box and changes nothing; a date saved is said in a status message that takes the focus, and the
page is drawn again with the new date, its date note and its coaching out of date."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import watch_console
from tests.browser.test_upload_date import BERLIN, berlin_context  # noqa: F401 (a fixture)
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server


def test_an_undated_walk_gets_the_date_typed_on_its_page(berlin_context, server: Server, tmp_path: Path) -> None:  # noqa: F811
    with write_walk_csv(tmp_path / "forgot the date.csv", duration_s=90.0).open("rb") as fh:  # gait CSV from 0 s
        r = server.client.post(
            "/api/uploads", files={"file": ("forgot the date.csv", fh)}, data={"placement": "lower_back"}
        )
    assert r.status_code == 201, r.text
    before = r.json()["walks"][0]
    assert before["source"]["started_at_from"] == "import"
    page = berlin_context.new_page()
    page.set_viewport_size(PHONE)
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{before['id']}")
    page.wait_for_selector("#change-date-input")
    assert page.locator("#change-date").get_attribute("open") is not None  # an undated walk: the box is shown
    assert "give its date under “Change date”" in page.locator("#started-note").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # tomorrow is refused beside the box, and nothing changes
    tomorrow = datetime.now(BERLIN) + timedelta(days=1)
    page.fill("#change-date-input", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.click("#change-date-btn")
    page.wait_for_selector("#change-date-msg.error")
    assert "is in the future" in page.locator("#change-date-msg").inner_text()
    assert server.client.get(f"/api/walks/{before['id']}").json()["started_at"] == before["started_at"]
    shot(page, "walk-change-date-refused-phone")

    # 07:45 in Berlin three days ago: sent with Berlin's offset, stored as that moment
    walked = (datetime.now(BERLIN) - timedelta(days=3)).replace(hour=7, minute=45, second=0, microsecond=0)
    page.fill("#change-date-input", walked.strftime("%Y-%m-%dT%H:%M"))
    page.click("#change-date-btn")
    page.wait_for_selector("#date-changed")
    assert page.evaluate("document.activeElement.id") == "date-changed"
    said = page.locator("#date-changed").inner_text()
    offset = walked.strftime("%z")
    typed = f"{walked:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"
    assert said.startswith(f'Walk {before["id"]} "forgot the date" now starts {typed}, as you gave it'), said
    after = server.client.get(f"/api/walks/{before['id']}").json()
    assert datetime.fromisoformat(after["started_at"]) == walked and after["summary"] == before["summary"]

    # the page drawn again: the new date in Berlin time, who dated it, and its coaching of the old date out of date
    shown = page.locator("#walk-date").inner_text()
    assert "07:45" in shown and walked.strftime("%b") in shown and str(walked.day) in shown, shown
    assert page.locator("#started-note").count() == 0
    assert page.locator("#change-date-input").input_value() == walked.strftime("%Y-%m-%dT%H:%M")
    assert f"date: the start you gave on this page, {typed}" in page.locator("#notes").inner_text()
    assert "its date was changed since it was analysed" in page.locator("#reanalysis-note").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "walk-change-date-saved-phone")
    assert [e for e in errors if "status of 422" not in e] == [], errors  # but the refusal the page said
