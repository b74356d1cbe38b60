"""QA findings 5, 6, 7 and 9 as a new user meets them in the browser: demo walks apart from your own on Home, an
Apple Health upload that says what it added, Trends that open on recent walking, and the live cards brought into
view on a phone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_qa_fixes import _health_walks
from tests.browser.test_qa_leftovers import upload
from tests.service.conftest import write_walk_csv
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


# What each trends chart draws: its slots' labels, the slots holding a walk, and a slot's width in CSS pixels.
TREND_SLOTS = """(() => state.charts.map((u) => {
  const x = u.data[0], walked = x.filter((_, i) => u.data[1][i] != null);
  return { id: u.root.parentElement.id, slots: x.length, walked,
           slotPx: u.bbox.width / devicePixelRatio / (u.scales.x.max - u.scales.x.min) };
}))()"""


def test_trends_open_on_recent_walking_with_one_old_walk_and_show_all_on_request(
    browser_context, server: Server, tmp_path: Path
) -> None:
    old = date(2019, 5, 16)
    r = server.client.post("/api/uploads", files={"file": ("export.xml", _health_walks([old]).encode(), "text/xml")})
    assert r.status_code == 201, r.text
    today_id = upload(server, write_walk_csv(tmp_path / "today.csv", duration_s=60.0))  # dated at its upload: now
    today = datetime.fromisoformat(server.client.get(f"/api/walks/{today_id}").json()["started_at"]).astimezone()
    page = browser_context.new_page()
    errors = watch_console(page)
    # an Apple Health walk (no placement) and a lower-back one: shown together on request
    page.goto(server.url + "/#/trends?placement=all")
    page.wait_for_selector("#tr-flag canvas")
    wait_js(page, "state.charts.length === 3")
    shot(page, "trends-recent")
    for chart in page.evaluate(TREND_SLOTS):
        # 90 days up to today's walk, which stands in the last slot, a bar wide enough to see
        # no stride was flagged: no flagged bar, not a zero-high red line read as one
        assert chart["slots"] == 90 and chart["walked"] == ([] if chart["id"] == "tr-flag" else [89]), chart
        assert chart["slotPx"] > 8, chart
    table = page.locator("#trends-table").inner_text()
    assert today.date().isoformat() in table and old.isoformat() not in table
    note = page.locator("#trends-range").inner_text()
    assert f"1 older walk (from {old.isoformat()}) not shown" in note, note

    page.click("#range-all")
    wait_js(page, "!!document.getElementById('range-recent') && state.charts.length === 3")
    span_days = (today.date() - old).days
    for chart in page.evaluate(TREND_SLOTS):
        # the Apple Health walk has no cadence: its day is empty on the cadence chart
        walked = {"tr-dist": [0, span_days], "tr-cad": [span_days], "tr-flag": []}[chart["id"]]
        assert chart["slots"] == span_days + 1 and chart["walked"] == walked, chart
    assert old.isoformat() in page.locator("#trends-table").inner_text()
    page.click("#per-week")  # the period changes, the range chosen stays
    wait_js(page, "document.querySelector('#trends-table th')?.textContent === 'week' && state.charts.length === 3")
    assert page.evaluate("location.hash") == "#/trends?period=week&range=all&placement=all"
    page.click("#range-recent")
    wait_js(page, "!!document.getElementById('range-all') && state.charts.length === 3")
    assert page.evaluate("location.hash") == "#/trends?period=week&placement=all"
    for chart in page.evaluate(TREND_SLOTS):
        assert chart["slots"] == 26 and chart["walked"] == ([] if chart["id"] == "tr-flag" else [25]), chart
    assert errors == [], errors


# Where the live cards and the cue banner are on the screen, and what the sticky header covers at the top.
LIVE_BOXES = """(() => {
  const box = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return [r.top, r.bottom]; };
  return { header: document.querySelector(".top").getBoundingClientRect().bottom, height: innerHeight,
           first: box("live-now"), cards: box("live-numbers"), cue: box("cue"),
           cueShown: document.getElementById("cue").classList.contains("show") };
})()"""


def in_view(boxes: dict, name: str) -> bool:
    top, bottom = boxes[name]
    return top >= boxes["header"] - 1 and bottom <= boxes["height"] + 1


def test_on_a_phone_starting_the_demo_brings_the_live_cards_and_cue_banner_into_view(
    browser_context, server: Server
) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#start-demo")
    page.select_option("#demo-sample", "a_overstride_walk.csv")
    page.select_option("#demo-speed", "5")
    page.locator("#start-demo").scroll_into_view_if_needed()  # where a walker's thumb is when tapping it
    assert not in_view(page.evaluate(LIVE_BOXES), "cards")  # the cards are far above the button
    page.click("#start-demo")
    wait_js(
        page, f"(() => {{ const b = {LIVE_BOXES}; return b.first[0] >= b.header - 1 && b.cards[1] <= b.height; }})()"
    )
    page.wait_for_timeout(600)  # the smooth scroll has ended: the view stays
    boxes = page.evaluate(LIVE_BOXES)
    assert in_view(boxes, "first") and in_view(boxes, "cards"), boxes
    wait_js(page, "document.getElementById('cue').classList.contains('show')", timeout_s=60)
    boxes = page.evaluate(LIVE_BOXES)
    assert in_view(boxes, "cue") and boxes["cards"][0] < boxes["height"], boxes  # the banner, and cards under it
    shot(page, "live-phone-after-start")
    assert int(page.locator("#lv-strides").inner_text()) > 0
    server.client.post("/api/live/stop")
    assert errors == [], errors


def test_trends_distance_bars_and_walking_time_start_at_zero(browser_context, server: Server, tmp_path: Path) -> None:
    # QA17 #1: auto-ranged around the data (0.175-0.195 km), a day 10 % shorter than the others was a sliver
    now = datetime.now().astimezone()
    for days_ago, step_hz in ((3, 1.8), (2, 1.7), (1, 1.9)):  # three days of about the same walking
        csv = write_walk_csv(tmp_path / f"walk {days_ago}.csv", duration_s=180.0, step_hz=step_hz)
        with csv.open("rb") as fh:
            walked = (now - timedelta(days=days_ago)).isoformat(timespec="seconds")
            r = server.client.post(
                "/api/uploads", files={"file": (csv.name, fh)}, data={"placement": "lower_back", "started_at": walked}
            )
        assert r.status_code == 201, r.text
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/trends")
    page.wait_for_selector("#tr-flag canvas")
    wait_js(page, "state.charts.length === 3")
    ranges = page.evaluate(
        """(() => { const u = state.charts.find((c) => c.root.parentElement.id === 'tr-dist');
                    return { km: [u.scales.y.min, u.scales.y.max], min: [u.scales.min.min, u.scales.min.max],
                             data: [Math.max(...u.data[1].filter((v) => v != null)),
                                    Math.max(...u.data[2].filter((v) => v != null))] }; })()"""
    )
    assert ranges["km"][0] == 0 and ranges["km"][1] >= ranges["data"][0] > 0, ranges
    assert ranges["min"][0] == 0 and ranges["min"][1] >= ranges["data"][1] > 0, ranges
    assert errors == [], errors


def test_trends_show_one_sensor_placement_at_a_time_where_the_walks_span_several(
    browser_context, server: Server, tmp_path: Path
) -> None:
    # QA17 #7: a pocket phone's and a lower-back sensor's stride lengths come from different models; averaged into
    # one trend, a change of where the sensor was worn read as a 38 % shorter stride
    assert server.client.put("/api/profile", json={"placement": "pocket"}).status_code == 200
    walks = {}
    for name, placement, seconds in (
        ("back 1", "lower_back", 60.0),
        ("back 2", "lower_back", 70.0),
        ("pocket", "pocket", 80.0),
    ):
        csv = write_walk_csv(tmp_path / f"{name}.csv", duration_s=seconds)
        with csv.open("rb") as fh:
            r = server.client.post("/api/uploads", files={"file": (csv.name, fh)}, data={"placement": placement})
        assert r.status_code == 201, r.text
        walks[name] = r.json()["walks"][0]["summary"]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/trends")
    page.wait_for_selector("#trends-table")
    # the usual placement's walks first (the profile's pocket), though the lower back has more
    shot(page, "trends-placements")
    assert page.locator("#trends-placements button[aria-pressed=true]").inner_text() == "Pocket (1)"
    assert "Walks with a pocket sensor only: 1 of your 3 walks" in page.locator("#trends-placement-note").inner_text()
    stride = page.locator("#trends-table tbody tr td").nth(5).inner_text()
    assert stride == f"{walks['pocket']['stride_length_m']:.2f}", stride

    page.click("#trends-placements button[data-placement=lower_back]")
    wait_js(page, "location.hash === '#/trends?period=day&placement=lower_back'")
    page.wait_for_selector("#trends-placements button[data-placement=lower_back][aria-pressed=true]")
    backs = [walks["back 1"], walks["back 2"]]
    mean = sum(w["stride_length_m"] * w["strides"] for w in backs) / sum(w["strides"] for w in backs)
    assert page.locator("#trends-table tbody tr td").nth(1).inner_text() == "2"
    assert page.locator("#trends-table tbody tr td").nth(5).inner_text() == f"{mean:.2f}"
    page.click("#per-week")  # the period changes, the placement chosen stays
    wait_js(page, "location.hash === '#/trends?period=week&placement=lower_back'")

    page.click("#trends-placements button[data-placement=all]")
    wait_js(page, "location.hash === '#/trends?period=week&placement=all'")
    page.wait_for_selector("#trends-placements button[data-placement=all][aria-pressed=true]")
    assert (
        "a change of where the sensor was worn reads as a change of stride"
        in page.locator("#trends-placement-note").inner_text()
    )
    assert page.locator("#trends-table tbody tr td").nth(1).inner_text() == "3"
    assert errors == [], errors
