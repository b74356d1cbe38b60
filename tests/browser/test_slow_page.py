"""A page whose data comes back after the walker has opened another page is not drawn over it.

The walk page a finished upload opens was still fetching its strides when the Upload page was opened again; its
answer then replaced the Upload form (CI saw the form vanish under a test's next upload)."""

from __future__ import annotations

from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import REPO, Server

WALK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"


def _stored_walk(server: Server) -> int:
    with WALK.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (WALK.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


def _held(page, pattern: str) -> list:
    """Hold every request matching ``pattern`` until the test lets it go."""
    held: list = []
    page.route(pattern, lambda route: held.append(route))
    return held


def _wait_held(page, held: list) -> None:
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the walk page never asked for its strides")


def test_a_walk_page_answering_late_does_not_replace_the_upload_page(browser_context, server: Server) -> None:
    walk_id = _stored_walk(server)
    page = browser_context.new_page()
    errors = watch_console(page)
    held = _held(page, f"**/api/walks/{walk_id}/strides*")
    page.goto(f"{server.url}/#/walk/{walk_id}")
    _wait_held(page, held)
    page.goto(f"{server.url}/#/upload")
    page.wait_for_selector("#file", state="attached")
    with page.expect_response(f"**/api/walks/{walk_id}/strides*"):
        held[0].continue_()
    page.wait_for_timeout(300)  # the walk page's remaining work, had it gone on drawing
    assert page.locator("#file").count() == 1
    assert page.locator("h1").first.inner_text() == "Upload a recording"
    assert page.evaluate("document.body.dataset.page") == "pageUpload"
    assert errors == []


def test_a_page_failing_late_does_not_put_its_error_over_the_next_page(browser_context, server: Server) -> None:
    walk_id = _stored_walk(server)
    page = browser_context.new_page()
    held = _held(page, f"**/api/walks/{walk_id}/strides*")
    page.goto(f"{server.url}/#/walk/{walk_id}")
    _wait_held(page, held)
    page.goto(f"{server.url}/#/walks")
    page.wait_for_selector("h1:has-text('Walks')")
    held[0].abort()
    page.wait_for_timeout(500)
    assert page.locator("#page-error").count() == 0
    assert page.locator("h1").first.inner_text() == "Walks"
