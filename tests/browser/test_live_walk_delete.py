"""The page of a walk that is being recorded live offers no Delete (the API refuses it): it says to stop it first."""

from __future__ import annotations

from tests.browser.test_dashboard import watch_console
from tests.browser.test_live_coaching import start_demo
from tests.service.serverproc import Server


def test_a_live_walk_page_says_to_stop_it_before_deleting(browser_context, server: Server) -> None:
    walk_id = start_demo(server, speed=1)
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk_id}")
    note = page.wait_for_selector("#delete-live-note")
    assert note.inner_text() == "This walk is being recorded live: stop it on the Live page before deleting it."
    assert page.locator("#delete-walk").count() == 0
    assert page.get_attribute("#delete-live-note a", "href") == "#/live"
    # stopped after a stride (a demo stopped before its first is not kept): the page drawn again offers Delete
    server.wait_until(lambda: server.client.get(f"/api/walks/{walk_id}/strides").json(), "a stored stride")
    assert server.client.post("/api/live/stop").status_code == 200
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.click("#delete-walk")
    page.wait_for_url("**/#/walks")
    assert server.client.get(f"/api/walks/{walk_id}").status_code == 404
    assert errors == [], errors
