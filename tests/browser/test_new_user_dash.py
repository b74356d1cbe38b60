"""A new user's pass over the dashboard: the pain history names each report's walk on a phone too, and says when that
walk was deleted; Home links a walk long enough to calibrate with (or says there is none); and after Save, Delete walk,
deleting a pain report and Trends' Per week / Show all, focus goes to what the page says happened (role=status), not
to the page's body, and the page stays where the walker had it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gait.stride_length import CALIBRATION_WALK_GOOD_M
from service.store import NewWalk, Store
from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.browser.test_dash_qa import TREND_SLOTS
from tests.browser.test_dashboard import wait_js, watch_console
from tests.service.serverproc import REPO, Server

SAMPLES = REPO / "sample_recordings"
POCKET = SAMPLES / "oxford_phone_back_pocket.csv"
"""A phone in a back pocket, 105 s of walking: about 170 m as a pocket walk."""
BAG = SAMPLES / "oxford_phone_in_bag.csv"
"""A phone in a shoulder bag, 140 s of walking (a walk for the coach): about 190 m as a pocket walk."""
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
    assert server.client.delete(f"/api/walks/{gone['id']}").status_code == 200
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


def test_home_links_the_latest_walk_long_enough_to_calibrate_with_or_says_there_is_none(
    browser_context, server: Server, tmp_path: Path
) -> None:
    long = upload(server, BAG, "pocket", "Canal walk", started_at="2026-11-02T09:00:00+00:00")
    short = upload(server, SHORT, "pocket", "Round the block", started_at="2026-11-03T09:00:00+00:00")
    assert short["summary"]["distance_m"] < CALIBRATION_WALK_GOOD_M <= long["summary"]["distance_m"]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/")
    page.wait_for_selector("#calibrate-how")
    # the latest pocket walk is 50 m, where the box asks for 100 m: the one before it is linked
    link = page.locator("#calibrate-link")
    assert link.get_attribute("href") == f"#/walk/{long['id']}?to=calibrate"
    assert link.inner_text() == "your latest pocket walk of 100 m or more, “Canal walk”"
    how = page.locator("#calibrate-how").inner_text()
    assert f"the sensor measured about {round(long['summary']['distance_m'])} m" in how, how
    assert "Or walk a distance you know (at least 100 m:" in how, how
    assert page.locator("#calibrate-too-short").count() == 0

    # A slow walker's walks: 2 1/2 minutes' walking (a walk for the coach, whose lengths it cannot trust: the advice
    # to calibrate stands) measured 90 m, and the 50 m one after it. None is long enough: said, with what to do.
    assert server.client.delete(f"/api/walks/{long['id']}").status_code == 200
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    try:
        strides = [(1.0 * i, 1.0 * i + 2.0, 1.2, 60.0, 0.6, 0.4, "weinberg", None, None, None) for i in range(150)]
        summary = {"duration_s": 160.0, "walking_time_s": 150.0, "steps": 152, "strides": 150, "distance_m": 90.0}
        store.add_walk(
            NewWalk(
                name="Slow walk",
                origin="upload",
                placement="pocket",
                started_at="2026-11-01T09:00:00+00:00",
                summary=summary | {"cadence_spm": 60.0, "stride_length_m": 1.2},
                strides=strides,
            )
        )
    finally:
        store.close()
    page.reload()
    page.wait_for_selector("#calibrate-how")
    assert page.locator("#calibrate-link").count() == 0
    said = page.locator("#calibrate-too-short").inner_text()
    assert said == (
        "None of your pocket walks is long enough to calibrate with: a factor to rely on needs a walk of at least "
        f"100 m, and your latest, “Round the block”, measured about {round(short['summary']['distance_m'])} m."
    ), said
    steps = page.locator("#calibrate-how li").all_inner_texts()
    assert len(steps) == 2 and steps[1].startswith("Walk a distance you know (at least 100 m: "), steps
    shot(page, "home-calibrate-none-long-enough")
    assert errors == [], errors


FOCUSED = "(() => { const el = document.activeElement; return [el.id, el.getAttribute('role'), el.textContent]; })()"


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )


def window_page(browser_context):
    """A page in a window lower than the profile and pain pages, with its console errors."""
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1000, "height": 600})
    return page, watch_console(page)


def test_after_profile_save_focus_goes_to_saved_and_the_page_stays(browser_context, server: Server) -> None:
    page, errors = window_page(browser_context)
    # Save draws the page again from what was stored: the Save button clicked is gone
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#profile-form")
    page.fill("#height", "172")
    page.locator("#profile-form button[type=submit]").scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 100
    page.click("#profile-form button[type=submit]")
    wait_js(page, "document.getElementById('profile-msg')?.textContent === 'Saved.'")
    assert page.evaluate(FOCUSED) == ["profile-msg", "status", "Saved."]
    assert abs(page.evaluate("window.scrollY") - scrolled) <= 2 and in_view(page, "#profile-msg")
    assert server.client.get("/api/profile").json()["body_height_m"] == 1.72
    assert errors == [], errors


def test_after_saving_or_deleting_a_pain_report_focus_goes_to_what_is_said(browser_context, server: Server) -> None:
    page, errors = window_page(browser_context)
    for day in range(1, 21):  # a history longer than the window
        pain(server, score=day % 10 + 1, reported_at=f"2026-11-{day:02d}T08:00:00+00:00")
    page.goto(server.url + "/#/pain")
    page.wait_for_selector("#pain-table")
    oldest = server.client.get("/api/pain").json()[-1]
    button = page.locator(f"button[data-del='{oldest['id']}']")
    button.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 100
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    wait_js(page, "document.getElementById('pain-history-msg')?.textContent.length > 0")
    focus_id, role, words = page.evaluate(FOCUSED)
    assert (focus_id, role) == ("pain-history-msg", "status")
    assert words.startswith("Deleted the pain report of ") and words.endswith(", 2/10."), words
    # the page stays at the end of the history (shorter by the row deleted), not taken up to the message
    assert abs(page.evaluate("window.scrollY") - scrolled) <= 60 and not in_view(page, "#pain-history-msg")
    assert oldest["id"] not in {r["id"] for r in server.client.get("/api/pain").json()}
    # Save report draws the page again too
    page.click("#pain-form button[type=submit]")
    wait_js(page, "document.getElementById('pain-msg')?.textContent === 'Saved.'")
    assert page.evaluate(FOCUSED) == ["pain-msg", "status", "Saved."]
    assert len(server.client.get("/api/pain").json()) == 20
    assert errors == [], errors


def test_delete_walk_says_which_walk_went_on_the_walks_list_once(browser_context, server: Server) -> None:
    page, errors = window_page(browser_context)
    walk = upload(server, SHORT, "foot", "Park loop")
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#delete-walk")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#delete-walk")
    page.wait_for_url("**/#/walks")
    wait_js(page, "document.getElementById('walks-msg') !== null")
    assert page.evaluate(FOCUSED) == ["walks-msg", "status", "Walk “Park loop” deleted."]
    assert server.client.get(f"/api/walks/{walk['id']}").status_code == 404
    # said once: the walks list opened again says nothing
    page.goto(server.url + "/#/")
    page.wait_for_selector("#coaching-state")
    page.goto(server.url + "/#/walks")
    page.wait_for_selector("h1")
    wait_js(page, "document.body.dataset.page === 'pageWalks'")
    assert page.locator("#walks-msg").count() == 0
    assert errors == [], errors


def test_focus_goes_to_what_trends_shows_after_per_week_and_show_all(browser_context, server: Server) -> None:
    # two walks two years apart: Trends opens on the latest 90 days and offers "Show all"
    upload(server, SHORT, "foot", "Old walk", started_at="2024-10-15T09:00:00+00:00")
    upload(server, SAMPLES / "gaitmap_right_foot.csv", "foot", "New walk", started_at="2026-11-03T09:00:00+00:00")
    page, errors = window_page(browser_context)
    page.goto(server.url + "/#/trends")
    page.wait_for_selector("#tr-flag canvas")
    page.evaluate("window.scrollTo(0, 120)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled == 120
    page.click("#per-week")
    page.wait_for_url("**/#/trends?period=week")
    wait_js(page, "document.getElementById('trends-msg')?.textContent.length > 0")
    assert page.evaluate(FOCUSED) == ["trends-msg", "status", "Shown per week."]
    assert page.evaluate("window.scrollY") == scrolled and in_view(page, "#trends-msg")
    page.click("#range-all")
    page.wait_for_url("**/#/trends?period=week&range=all")
    wait_js(page, "document.getElementById('range-recent') !== null")
    wait_js(page, "document.getElementById('trends-msg')?.textContent.length > 0")
    assert page.evaluate(FOCUSED) == ["trends-msg", "status", "All your walks shown."]
    assert page.evaluate("window.scrollY") == scrolled
    page.click("#range-recent")
    page.wait_for_url("**/#/trends?period=week")
    wait_js(page, "document.getElementById('range-all') !== null")
    wait_js(page, "document.getElementById('trends-msg')?.textContent.length > 0")
    assert page.evaluate(FOCUSED) == ["trends-msg", "status", "The last 26 weeks with walks shown."]
    # pressing the period shown already changes nothing, and leaves nothing to say when Trends is opened later
    page.click("#per-week")
    page.goto(server.url + "/#/")
    page.wait_for_selector("#coaching-state")
    page.goto(server.url + "/#/trends?period=week")
    page.wait_for_selector("#tr-flag canvas")
    assert page.locator("#trends-msg").inner_text() == ""
    assert errors == [], errors


def test_per_month_shows_a_row_per_calendar_month_and_says_so(browser_context, server: Server) -> None:
    # two walks in September, none in October, one in November (midday UTC: the same month in any zone)
    walks = [
        upload(server, SHORT, "foot", "Sep one", started_at="2026-09-10T12:00:00+00:00"),
        upload(server, SAMPLES / "gaitmap_right_foot.csv", "foot", "Sep two", started_at="2026-09-24T12:00:00+00:00"),
        upload(server, POCKET, "pocket", "Nov one", started_at="2026-11-03T12:00:00+00:00"),
    ]
    page, errors = window_page(browser_context)
    # foot and pocket walks: shown together on request (else one placement at a time)
    page.goto(server.url + "/#/trends?placement=all")
    page.wait_for_selector("#tr-flag canvas")
    page.click("#per-month")
    page.wait_for_url("**/#/trends?period=month&placement=all")
    wait_js(page, "document.getElementById('trends-msg')?.textContent.length > 0")
    assert page.evaluate(FOCUSED) == ["trends-msg", "status", "Shown per month."]
    assert page.locator("#per-month").get_attribute("class") == ""  # the selected period
    assert page.locator("#per-day").get_attribute("class") == "secondary"
    wait_js(page, "state.charts.length === 3")
    # one slot per month from September to November, October empty
    for chart in page.evaluate(TREND_SLOTS):
        assert chart["slots"] == 3 and chart["walked"] == ([] if chart["id"] == "tr-flag" else [0, 2]), chart
    assert page.locator("#trends-table th").first.inner_text().lower() == "month"
    rows = page.locator("#trends-table tbody tr")
    assert rows.count() == 2
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(2)]
    assert "Sep" in cells[0][0] and "2026" in cells[0][0] and "Nov" in cells[1][0], cells
    assert [c[1] for c in cells] == ["2", "1"]  # walks
    september = walks[0]["summary"]["distance_m"] + walks[1]["summary"]["distance_m"]
    assert float(cells[0][2].split()[0]) * (1000 if "km" in cells[0][2] else 1) == pytest.approx(september, abs=1.0)
    shot(page, "trends-per-month")
    assert errors == [], errors


def test_trends_without_walks_of_ones_own_say_how_to_get_some(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/trends")
    none = page.locator("#trends-none")
    none.wait_for()
    # a new user sees the sample walks elsewhere: here, what to do to see trends of their own
    assert none.inner_text().startswith("No walks of your own yet: upload a recording or start a live walk")
    none.get_by_role("link", name="upload a recording").click()
    page.wait_for_function("location.hash === '#/upload'")
    assert errors == []
