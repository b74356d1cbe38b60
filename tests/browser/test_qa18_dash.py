"""QA18's dashboard findings: every walk is reachable from the Walks page ("Show older walks", and the page says
"the latest N of M" while not all are listed); Delete walk names what a walk without strides holds (a foot pod's, an
Apple Health walk's steps and distance), not "its 0 strides"; "Analyse all N again" tells two walks of one name apart
(each line gives its walk's date and sensor, and links to it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from service.store import NewWalk, Store
from tests.browser.conftest import shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_new_user_dash import BAG, POCKET, upload
from tests.ingest.test_apple_health import export as health_export
from tests.ingest.test_apple_health import walk_records
from tests.service.serverproc import Server

WALKS_PAGE = 100
"""app.js' WALKS_PAGE: the walks the Walks page lists at a time."""

FIRST_DAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROWS = "document.querySelectorAll('#walks-table tr[data-walk]').length"


def test_the_walks_page_reaches_every_walk(browser_context, server: Server, tmp_path: Path) -> None:
    # 2 1/2 pages of walks, one a day back from 2026-11-20: a daily walker's 7 1/2 months
    count = 2 * WALKS_PAGE + 30
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    try:
        ids = store.add_walks(
            [
                NewWalk(
                    name=f"Walk {n}",
                    origin="upload",
                    started_at=(FIRST_DAY - timedelta(days=n)).isoformat(),
                    summary={"duration_s": 600.0, "steps": 900, "distance_m": 700.0},
                )
                for n in range(count)
            ]
        )
    finally:
        store.close()
    assert len(ids) == count
    listed = server.client.get("/api/walks", params={"limit": count}).json()
    oldest = listed[-1]
    assert server.client.get("/api/walks", params={"limit": 1}).headers["x-total-count"] == str(count)

    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walks")
    wait_js(page, f"{ROWS} > 0")
    assert page.evaluate(ROWS) == WALKS_PAGE
    more = page.locator("#walks-more")
    assert more.inner_text().startswith(f"The latest {WALKS_PAGE} of {count} walks are listed."), more.inner_text()
    assert page.locator(f"#walks-table a[href='#/walk/{oldest['id']}']").count() == 0

    page.click("#walks-older")
    wait_js(page, f"{ROWS} > {WALKS_PAGE}")
    assert page.evaluate(ROWS) == 2 * WALKS_PAGE
    assert more.inner_text().startswith(f"The latest {2 * WALKS_PAGE} of {count} walks are listed.")

    page.click("#walks-older")
    wait_js(page, f"{ROWS} > {2 * WALKS_PAGE}")
    assert page.evaluate(ROWS) == count
    # all listed: no "latest" and no button left
    assert more.inner_text() == "" and page.locator("#walks-older").count() == 0
    # each walk once, newest first, as the API lists them; the oldest opens from the list
    shown = page.evaluate("[...document.querySelectorAll('#walks-table tr[data-walk]')].map((tr) => +tr.dataset.walk)")
    assert shown == [w["id"] for w in listed]
    shot(page, "walks-show-older")
    page.click(f"#walks-table tr[data-walk='{oldest['id']}'] td.walk-distance")
    wait_js(page, f"location.hash === '#/walk/{oldest['id']}'")
    assert errors == [], errors


def test_a_short_list_says_nothing_of_older_walks(browser_context, server: Server, tmp_path: Path) -> None:
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    try:
        store.add_walks(
            [
                NewWalk(name=f"Walk {n}", origin="upload", started_at=f"2026-11-0{n + 1}T09:00:00+00:00")
                for n in range(3)
            ]
        )
    finally:
        store.close()
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walks")
    wait_js(page, f"{ROWS} === 3")
    assert page.locator("#walks-more").inner_text() == "" and page.locator("#walks-older").count() == 0


def delete_question(page, walk_id: int) -> str:
    """The question Delete walk asks on walk ``walk_id``'s page (answered No)."""
    page.goto(f"{page.url.split('#')[0]}#/walk/{walk_id}")
    page.wait_for_selector("#delete-walk")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#delete-walk")
    wait_js(page, "!document.querySelector('#delete-walk').disabled")
    page.wait_for_timeout(200)
    assert len(asked) == 1, asked
    return asked[0]


def test_delete_names_the_steps_and_distance_of_a_walk_without_strides(
    browser_context, server: Server, tmp_path: Path
) -> None:
    health = tmp_path / "export.xml"
    health.write_text(health_export(walk_records()))  # 1100 steps and 0.77 km, as the Health records say
    apple = upload(server, health, "pocket", "Evening walk")
    assert apple["summary"]["strides"] is None and apple["summary"]["steps"] == 1100
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    try:  # a foot pod's live walk: its steps and distance from the pod, no strides
        pod = store.add_walk(
            NewWalk(
                name="Live: FootPod",
                origin="live",
                placement="foot",
                started_at="2026-11-02T09:00:00+00:00",
                summary={"duration_s": 15.0, "steps": 23, "distance_m": 11.7},
            )
        )
    finally:
        store.close()
    strided = upload(server, POCKET, "pocket", "Round the park", started_at="2026-11-03T09:00:00+00:00")
    n = strided["summary"]["strides"]

    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walks")
    assert delete_question(page, apple["id"]).startswith(f'Delete "{apple["name"]}" and its 1100 steps (770 m)?')
    assert delete_question(page, pod).startswith('Delete "Live: FootPod" and its 23 steps (12 m)?')
    assert delete_question(page, strided["id"]).startswith(f'Delete "Round the park" and its {n} strides?')
    assert errors == [], errors


def test_analyse_all_again_tells_two_walks_of_one_name_apart(browser_context, server: Server) -> None:
    # two exports both called Accelerometer.csv (a MetaWear's and a phyphox's, in QA): two walks "Accelerometer"
    first = upload(server, POCKET, "lower_back", "Accelerometer", started_at="2026-10-02T08:00:00+00:00")
    second = upload(server, BAG, "lower_back", "Accelerometer", started_at="2026-11-06T17:30:00+00:00")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walks")
    wait_js(page, f"{ROWS} === 2")
    # each walk's date as the walk list gives it: all that tells them apart (one name, one sensor placement)
    listed = {
        w["id"]: page.locator(f"#walks-table tr[data-walk='{w['id']}'] td.hide-narrow").first.inner_text()
        for w in (first, second)
    }
    assert listed[first["id"]] != listed[second["id"]]

    page.goto(f"{server.url}/#/profile")
    page.wait_for_selector("#profile-form")
    page.fill("#height", "1.75")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#reanalyse-all-btn")
    page.click("#reanalyse-all-btn")
    wait_js(page, "document.getElementById('reanalyse-all-msg').textContent.includes('analysed again')")
    lines = page.locator("#reanalyse-all-results li")
    assert lines.count() == 2, lines.all_inner_texts()
    for i in range(2):
        line = lines.nth(i)
        walk_id = int(line.locator("a").get_attribute("href").removeprefix("#/walk/"))
        assert line.locator("a").inner_text() == "Accelerometer"
        text = line.inner_text()
        assert text.startswith(f"Accelerometer ({listed[walk_id]}, lower-back sensor): strides "), text
    assert {
        int(a.removeprefix("#/walk/"))
        for a in lines.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    } == set(listed)
    shot(page, "reanalyse-all-two-of-one-name")
    assert errors == [], errors
