"""The upload form's "When did you walk?": a file without a start time (an Oxford phone recording) is dated by the
local time the walker types there, sent with the computer's UTC offset; without it, the walk's page says how to
give the date (its "Change date", see test_walk_date.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import chromium_context, shot
from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import REPO, Server

OXFORD = (
    REPO.parent / "shared" / "data" / "dev" / "oxford_step_counter" / "optimisation" / "data"
    / "Pixel_Jamie_Hard_FrontPocket_1" / "accelerometer.csv.gz"
)  # fmt: skip
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin_context(chromium_path: Path, tmp_path: Path):
    """A browser whose computer keeps Berlin time (UTC+01:00 in winter, +02:00 in summer)."""
    with chromium_context(chromium_path, tmp_path, timezone_id="Europe/Berlin") as context:
        yield context


def _upload(page, server: Server, walked: str | None) -> dict:
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#started-at")
    page.set_input_files("#file", str(OXFORD))
    page.select_option("#placement", "pocket")
    if walked:
        page.fill("#started-at", walked)
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=120_000)
    page.wait_for_selector("#notes")
    return server.client.get(f"/api/walks/{int(page.url.rsplit('/', 1)[1])}").json()


def test_a_walk_without_a_start_time_is_dated_by_the_time_typed_in_the_upload_form(
    berlin_context, server: Server
) -> None:
    if not OXFORD.is_file():
        pytest.skip(f"the shared Oxford recording is not here: {OXFORD}")
    page = berlin_context.new_page()
    errors = watch_console(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#started-at")
    label = page.locator("label[for=started-at]").inner_text()
    assert label == "When did you walk? (used only when the file holds no start time)", label
    shot(page, "upload-form-when-did-you-walk")

    # left empty: dated to end at the upload, and the page says how to give the date
    undated = _upload(page, server, None)
    assert undated["source"]["started_at_from"] == "import"
    notes = page.locator("#notes").inner_text()
    assert 'to give it the time you walked, use "Change date" at the top of its page' in notes, notes
    shot(page, "walk-undated-says-how-to-date-it")
    page.click("#delete-walk")
    page.wait_for_url("**/#/walks")

    # filled in: the walker's local time, 09:30 in Berlin three days ago, is the walk's start
    local = (datetime.now(BERLIN) - timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    walk = _upload(page, server, local.strftime("%Y-%m-%dT%H:%M"))
    assert walk["source"]["started_at_from"] == "user"
    assert datetime.fromisoformat(walk["started_at"]) == local  # the same moment, stored in UTC
    offset = local.strftime("%z")
    notes = page.locator("#notes").inner_text()
    given = f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"
    assert f"date: the start given when it was uploaded, {given}, as the file holds no start time" in notes, notes
    shot(page, "walk-dated-by-the-upload-form")
    assert [w["id"] for w in server.client.get("/api/walks").json()] == [walk["id"]]
    assert errors == [], errors
