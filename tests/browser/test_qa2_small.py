"""QA pass 2, finding 12's smaller points: a pain report's note in the history, what Delete walk keeps, the
Flagged strides chart with nothing flagged, and an Apple Health walk's stride count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_qa_fixes import _health_walks
from tests.browser.test_qa_leftovers import upload
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server


def phone_page(browser_context, url: str):
    """A page at 390 px on ``url``, and the console errors it logs."""
    page = browser_context.new_page()
    errors = watch_console(page)
    page.set_viewport_size(PHONE)
    page.goto(url)
    return page, errors


def test_pain_notes_are_listed_and_delete_walk_says_its_pain_reports_stay(
    browser_context, server: Server, tmp_path: Path
) -> None:
    walk_id = upload(server, write_walk_csv(tmp_path / "walk.csv", duration_s=60.0))
    for score, note in ((4, "after the hill"), (6, "sharp on the left")):
        r = server.client.post("/api/pain", json={"score": score, "walk_id": walk_id, "note": note})
        assert r.status_code == 201, r.text
    page, errors = phone_page(browser_context, server.url + "/#/pain")
    page.wait_for_selector("#pain-table")
    table = page.locator("#pain-table").inner_text()
    assert "after the hill" in table and "sharp on the left" in table, table
    shot(page, "pain-history-notes")

    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#delete-walk")
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.click("#delete-walk")
    # the question is asked once the service has said what deleting it marks (the button is disabled until then)
    wait_js(page, "!document.getElementById('delete-walk').disabled")
    assert len(asked) == 1
    assert "Its 2 pain reports are kept, no longer linked to a walk" in asked[0], asked[0]
    assert server.client.get(f"/api/walks/{walk_id}").status_code == 200  # dismissed: nothing deleted
    assert errors == [], errors


def test_trends_with_nothing_flagged_say_so_and_line_up(browser_context, server: Server, tmp_path: Path) -> None:
    upload(server, write_walk_csv(tmp_path / "walk.csv", duration_s=60.0))  # coaching off: nothing flagged
    page, errors = phone_page(browser_context, server.url + "/#/trends")
    page.wait_for_selector("#tr-flag canvas")
    wait_js(page, "state.charts.length === 3")
    none = page.locator("#tr-flag-none")
    assert none.is_visible() and "No stride was flagged" in none.inner_text()
    lo, hi = page.evaluate("[state.charts[2].scales.y.min, state.charts[2].scales.y.max]")
    assert lo == 0 and hi >= 1, (lo, hi)
    # the three charts' plots start and end at the same x, so the same dates stand at the same places
    boxes = page.evaluate("state.charts.map((u) => [u.root.parentElement.id, u.bbox.left, u.bbox.width])")
    assert len({(left, width) for _, left, width in boxes}) == 1, boxes
    ticks = page.evaluate("state.charts.map((u) => u.axes[0]._splits)")
    assert ticks[0] and ticks[0] == ticks[1] == ticks[2], ticks
    shot(page, "trends-nothing-flagged")
    assert errors == [], errors


def test_an_apple_health_walk_does_not_say_overlapping_strides(browser_context, server: Server) -> None:
    r = server.client.post(
        "/api/uploads", files={"file": ("export.xml", _health_walks([date(2026, 8, 30)]).encode(), "text/xml")}
    )
    assert r.status_code == 201, r.text
    walk_id = r.json()["walks"][0]["id"]
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#summary")
    summary = page.locator("#summary").inner_text()
    assert "overlapping" not in summary, summary
    # its steps are what it holds (600 in the export): shown, not a "Strides –" box
    assert page.locator("#step-count-label").inner_text().lower() == "steps"  # CSS capitals
    assert page.locator("#step-count").inner_text() == "600", summary


def test_the_upload_forms_placement_hint_does_not_claim_files_never_say(browser_context, server: Server) -> None:
    """A GENEActiv file's header names its location (an upload without a placement uses it): the form must not say
    that recordings never say where the sensor was, and says that its own choice is the one used."""
    page, errors = phone_page(browser_context, server.url + "/#/upload")
    hint = page.locator("#placement-hint").inner_text()
    assert hint.startswith("most recordings do not say") and "your choice here is used" in hint, hint
    assert "GENEActiv" in hint, hint
    assert errors == [], errors
