"""A new user's pass over the dashboard: the pain history names each report's walk on a phone too, and says when that
walk was deleted."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.serverproc import REPO, Server

SAMPLES = REPO / "sample_recordings"
POCKET = SAMPLES / "oxford_phone_back_pocket.csv"
"""A phone in a back pocket, 105 s of walking: about 170 m as a pocket walk."""
SHORT = SAMPLES / "gaitmap_left_foot.csv"
"""2 x 20 m with a turn (its reference file's description): about 50 m as a pocket walk."""


def upload(server: Server, path: Path, placement: str, name: str, started_at: str | None = None) -> dict:
    data = {"placement": placement, "name": name} | ({"started_at": started_at} if started_at else {})
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data=data)
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def pain(server: Server, **report: object) -> dict:
    r = server.client.post("/api/pain", json={"score": 4, **report})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_pain_history_names_the_walk_on_a_phone_and_says_when_it_was_deleted(
    browser_context, server: Server
) -> None:
    kept = upload(server, SHORT, "foot", "Park loop")
    gone = upload(server, POCKET, "pocket", "Canal walk")
    on_kept = pain(server, walk_id=kept["id"], note="after the bridge")
    on_gone = pain(server, walk_id=gone["id"], score=6)
    alone = pain(server, score=2)
    assert server.client.delete(f"/api/walks/{gone['id']}").status_code == 204
    page = browser_context.new_page()
    errors = watch_console(page)
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/#/pain")
    page.wait_for_selector("#pain-table")
    row = lambda report: page.locator(f"tr[data-report='{report['id']}']")  # noqa: E731
    # the Walk column is hidden on a phone: the walk is under the date, a link as in the wide table
    assert not page.locator("#pain-table th", has_text="Walk").is_visible()
    link = row(on_kept).locator(".narrow-walk a")
    assert link.is_visible() and link.inner_text() == "Park loop"
    assert link.get_attribute("href") == f"#/walk/{kept['id']}"
    assert row(on_kept).locator("td").first.inner_text().split("\n")[1:] == ["Park loop", "after the bridge"]
    assert row(on_gone).locator(".narrow-walk").inner_text() == "walk deleted"
    assert row(on_gone).locator(".narrow-walk").is_visible()
    assert row(alone).locator(".narrow-walk").count() == 0 and "walk deleted" not in row(alone).inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    shot(page, "pain-history-walks-phone")

    page.set_viewport_size(DESKTOP)
    assert not row(on_kept).locator(".narrow-walk").is_visible()
    assert row(on_kept).locator("td.pain-walk a").inner_text() == "Park loop"
    assert row(on_gone).locator("td.pain-walk").inner_text() == "walk deleted"  # was an empty cell
    assert row(alone).locator("td.pain-walk").inner_text() == ""
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row(on_gone).locator("button[data-del]").click()
    wait_js(page, "true")
    assert asked and asked[0].endswith("6/10, its walk deleted?"), asked
    assert errors == [], errors
