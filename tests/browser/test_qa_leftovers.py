"""QA leftovers, as a new user sees them: keys on the Trends charts, a short walk's time axis in seconds, a live
walk's distance in the walk list, how a walk ended in plain words, and a deleted walk's page in a walker's words."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.browser.test_small_fixes import health_export
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server

# Each trends chart's key entries beside the colour its chart draws the series in (both as the canvas spells them).
CHART_KEYS = """(() => state.charts.map((u) => {
  const ctx = document.createElement("canvas").getContext("2d");
  const norm = (c) => { ctx.fillStyle = "#000"; ctx.fillStyle = c; return ctx.fillStyle; };
  const id = u.root.parentElement.id;
  const key = document.getElementById(`${id}-key`);
  return {
    id, series: u.series.length - 1,
    entries: key ? [...key.querySelectorAll(".key-item")].map((e) => {
      const i = Number(e.dataset.series), s = u.series[i];
      const stroke = typeof s.stroke === "function" ? s.stroke(u, i) : s.stroke;
      const swatch = e.querySelector("span");
      return { text: e.textContent.trim(), i, swatch: norm(getComputedStyle(swatch).backgroundColor),
               stroke: norm(stroke), right: e.getBoundingClientRect().right };
    }) : null,
  };
}))()"""
UNITS = {"tr-dist": ["km", "minutes"], "tr-cad": ["steps/min", "m"], "tr-flag": ["count"]}


def test_every_trends_chart_has_a_key_naming_each_series_with_its_unit(browser_context, server: Server) -> None:
    r = server.client.post("/api/uploads", files={"file": ("export.xml", health_export(6).encode(), "text/xml")})
    assert r.status_code == 201, r.text
    page = browser_context.new_page()
    errors = watch_console(page)
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        open_page(page, server.url + "/#/trends")  # the second time loaded again, drawn at the phone's width
        shot(page, f"trends-keys-{name}")
        charts = page.evaluate(CHART_KEYS)
        assert sorted(c["id"] for c in charts) == sorted(UNITS), charts
        for chart in charts:
            entries = chart["entries"]
            assert entries is not None, f"{chart['id']} has no key"
            # one entry per series, each in its series' colour: a user can tell which line or bar is which
            assert sorted(e["i"] for e in entries) == list(range(1, chart["series"] + 1)), chart
            for entry, unit in zip(entries, UNITS[chart["id"]], strict=True):
                assert entry["swatch"] == entry["stroke"], (chart["id"], entry)
                assert f"({unit}," in entry["text"] or f"({unit})" in entry["text"], (chart["id"], entry["text"])
                assert entry["right"] <= size["width"], (name, entry)  # on the screen, also on a phone
    assert errors == [], errors


# The x axis each walk chart draws: its title, and its tick labels with the values they stand for.
X_AXES = """(() => state.charts.filter((u) => ["chart-length", "chart-cadence"].includes(u.root.parentElement.id))
  .map((u) => ({ label: u.axes[0].label, splits: u.axes[0]._splits,
                 values: u.axes[0]._values.map(String) })))()"""


def upload(server: Server, path: Path) -> int:
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


def test_a_short_walk_reads_in_seconds_and_a_long_one_in_minutes(
    browser_context, server: Server, tmp_path: Path
) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    for duration_s, unit, word in ((50.0, "s", "seconds"), (420.0, "min", "minutes")):
        walk_id = upload(server, write_walk_csv(tmp_path / f"walk_{duration_s:.0f}s.csv", duration_s=duration_s))
        open_page(page, f"{server.url}/#/walk/{walk_id}")  # not the axes of the walk before, still shown
        shot(page, f"walk-axis-{unit}")
        for axis in page.evaluate(X_AXES):
            assert axis["label"] == f"{word} into the walk", axis
            assert len(axis["values"]) >= 3, axis
            # whole seconds or whole minutes ("15 s", "3 min"), never "0.25"
            assert all(re.fullmatch(rf"\d+ {unit}", v) for v in axis["values"]), axis
            shown = [int(v.split()[0]) for v in axis["values"]]
            step = shown[1] - shown[0]
            # ticks at a round step, every step apart
            assert step in (1, 2, 5, 10, 15, 20, 30) if unit == "s" else step in (1, 2, 5, 10, 15, 20, 30, 60), axis
            assert all(b - a == step for a, b in itertools.pairwise(shown)), axis
            assert all(v % step == 0 for v in shown), axis
            per = 1 if unit == "s" else 60
            assert axis["splits"] == [v * per for v in shown], axis  # the label says where the tick is
        # one walk at a time: the two uploads would overlap in time (each dated by its upload)
        assert server.client.delete(f"/api/walks/{walk_id}").status_code == 200
    assert errors == [], errors


def test_a_live_walk_is_listed_with_its_distance_and_a_stopped_one_says_stopped_by_you(
    browser_context, server: Server
) -> None:
    r = server.client.post("/api/live/demo", json={"sample": "a_overstride_walk.csv", "speed": 1})
    assert r.status_code == 202, r.text
    walk_id = r.json()["walk_id"]

    def live_distance() -> float | None:
        (w,) = [w for w in server.client.get("/api/walks").json() if w["id"] == walk_id]
        return w["summary"]["distance_m"]

    server.wait_until(lambda: (live_distance() or 0) > 5, "some metres walked")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/walks")
    row = page.locator(f"tr[data-walk='{walk_id}']")
    row.wait_for()
    assert "live" in row.locator(".badge.live").inner_text()
    cell = row.locator("td").nth(2).inner_text()  # the Distance column
    assert re.fullmatch(r"\d+ m so far", cell), cell  # the distance so far, not "–"
    shot(page, "walks-live-row")

    page.goto(server.url + "/#/live")
    page.wait_for_selector("#live-badge")
    wait_js(page, "document.getElementById('live-badge').textContent === 'live'")
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    assert page.locator("#live-badge").inner_text() == "ended: stopped by you"
    page.wait_for_selector("#live-walk-link a")
    page.click("#live-walk-link a")
    page.wait_for_selector("#walk-ended")
    assert page.locator("#walk-ended").inner_text() == "ended: stopped by you"
    assert "complete" not in page.locator("main").inner_text()
    assert errors == [], errors


def test_a_deleted_walk_and_other_dead_ends_speak_to_a_walker(browser_context, server: Server, tmp_path: Path) -> None:
    walk_id = upload(server, write_walk_csv(tmp_path / "walk.csv", duration_s=40.0))
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#summary")
    assert server.client.delete(f"/api/walks/{walk_id}").status_code == 200
    for where in (f"#/walk/{walk_id}", "#/walk/987654"):  # deleted, never existed
        page.goto(f"{server.url}/{where}")
        page.reload()
        page.wait_for_selector("#page-error")
        main = page.locator("main").inner_text()
        assert "This walk is not stored (it may have been deleted)" in main, main
        assert "/api" not in main and "id 987654" not in main, main
        back = page.locator("main a", has_text="walk list")
        assert back.get_attribute("href") == "#/walks"
    shot(page, "walk-not-found")
    # each page below says so in a #page-error as the page before it did: wait for its own words
    page.goto(f"{server.url}/#/no-such-page")
    expect(page.locator("#page-error")).to_contain_text("no page at this address")
    # the service gone: a page says what to do, not "Failed to fetch"
    server.kill()
    page.evaluate("location.hash = '#/walks'")
    expect(page.locator("#page-error")).to_contain_text("cannot reach the gait service", timeout=30_000)
    main = page.locator("main").inner_text()
    assert "cannot reach the gait service" in main and "Failed to fetch" not in main, main
