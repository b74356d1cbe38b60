"""QA findings 5, 6, 7 and 9 as a new user meets them in the browser: demo walks apart from your own on Home, an
Apple Health upload that says what it added, Trends that open on recent walking, and the live cards brought into
view on a phone."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.browser.conftest import shot
from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import REPO, Server

HEALTH_EXPORT = REPO.parent / "shared" / "data" / "dev" / "phone_exports" / "apple_health_export_ios12" / "export.xml"


def month_range(dates: list[datetime]) -> str:
    """The months the dates fall in, as a walker reads them: "Jun 2019" or "May – Jul 2019"."""
    lo, hi = min(dates), max(dates)
    if (lo.year, lo.month) == (hi.year, hi.month):
        return lo.strftime("%b %Y")
    return f"{lo.strftime('%b' if lo.year == hi.year else '%b %Y')} – {hi.strftime('%b %Y')}"


def test_an_apple_health_upload_says_how_many_walks_it_added_when_and_links_them(
    browser_context, server: Server
) -> None:
    if not HEALTH_EXPORT.exists():
        pytest.skip(f"the shared Apple Health export is not here: {HEALTH_EXPORT}")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(HEALTH_EXPORT))
    page.click("#upload-btn")
    page.wait_for_selector("#upload-count", timeout=120_000)
    shot(page, "upload-apple-health")
    assert page.evaluate("location.hash") == "#/upload"  # it stays to say what was added
    stored = server.client.get("/api/walks?limit=1000").json()
    assert len(stored) > 1 and {w["format"] for w in stored} == {"apple_health"}
    # the page's dates are local time: so are the browser's and this process's
    dates = [datetime.fromisoformat(w["started_at"]).astimezone() for w in stored]
    assert page.locator("#upload-count").inner_text() == f"{len(stored)} walks added ({month_range(dates)})"
    links = page.locator("#upload-walks a")
    assert links.count() == len(stored)
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert hrefs == {f"#/walk/{w['id']}" for w in stored}
    links.first.click()
    page.wait_for_selector("#summary")
    assert page.evaluate("location.hash") in hrefs
    assert errors == [], errors
