"""The pain page: Delete asks first, a stale list never deletes another report, and a refused onset names the walk
as the form's list of walks shows it."""

from __future__ import annotations

from pathlib import Path

from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_reanalysis import upload
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server


def _open_pain(browser_context, server: Server):
    page = browser_context.new_page()
    page.goto(server.url + "/#/pain")
    page.wait_for_selector("#pain-form")
    return page


def test_delete_asks_first_and_a_stale_tab_deletes_no_other_report(browser_context, server: Server) -> None:
    first = server.client.post("/api/pain", json={"score": 4, "onset_distance_m": 1200.0}).json()
    stale = _open_pain(browser_context, server)
    page = _open_pain(browser_context, server)
    asked: list[str] = []
    answers = iter([False, True])

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    # cancelled: nothing deleted
    page.click(f"button[data-del='{first['id']}']")
    assert asked and asked[0].startswith("Delete the pain report of ") and "4/10, after 1.20 km" in asked[0]
    page.wait_for_timeout(300)
    assert [r["id"] for r in server.client.get("/api/pain").json()] == [first["id"]]
    # confirmed: deleted
    page.click(f"button[data-del='{first['id']}']")
    wait_js(page, "document.getElementById('pain-table') === null")
    assert server.client.get("/api/pain").json() == []

    # a new report after the delete: without AUTOINCREMENT it took the deleted report's id, and the stale tab's
    # Delete (still showing the old report) deleted it
    second = server.client.post("/api/pain", json={"score": 7}).json()
    assert second["id"] != first["id"]
    stale.on("dialog", lambda dialog: dialog.accept())
    stale.click(f"button[data-del='{first['id']}']")
    wait_js(
        stale,
        "document.getElementById('pain-table') !== null && !document.querySelector(\"button[data-del='"
        f"{first['id']}']\")",
    )
    assert [r["id"] for r in server.client.get("/api/pain").json()] == [second["id"]]
    assert stale.locator("#pain-table").inner_text().count("7/10") == 1  # the redrawn list shows the report kept


def test_an_onset_beyond_the_walk_names_it_as_the_list_does(browser_context, server: Server, tmp_path: Path) -> None:
    path = write_walk_csv(tmp_path / "walk1.csv", duration_s=60.0)
    walk = upload(server, path)
    page = _open_pain(browser_context, server)
    errors = watch_console(page)
    page.select_option("#pain-walk", str(walk["id"]))
    shown = page.locator("#pain-walk option:checked").inner_text()
    assert shown.startswith("walk1 ")
    page.fill("#onset-km", "5")
    page.click("#pain-form button[type=submit]")
    page.wait_for_selector("#pain-msg.error")
    message = page.locator("#pain-msg").inner_text()
    assert message.startswith("the walk \u201cwalk1\u201d covered about") and "beyond its end" in message
    assert f"walk {walk['id']}" not in message
    # an onset of 0: refused with its reason, nothing stored
    page.fill("#onset-km", "0")
    page.click("#pain-form button[type=submit]")
    wait_js(page, "document.getElementById('pain-msg').textContent.includes('very start')")
    assert server.client.get("/api/pain").json() == []
    assert all("422" in e for e in errors), errors  # only the refused requests' own console lines
