"""Small dashboard fixes found by a fresh-eyes pass: Trends on a phone, the pain form's km field, the upload hint."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from tests.browser.conftest import ARTIFACTS, PHONE, shot
from tests.browser.test_dashboard import wait_js, watch_console
from tests.ingest.test_apple_health import export, record
from tests.service.serverproc import Server


def health_export(n_walks: int = 40) -> str:
    """Apple Health walks two days apart from 16 May 2019: 600 steps, 360 m, a 0.60 m step (1.20 m stride) each."""
    body = ""
    for i in range(n_walks):
        d = (date(2019, 5, 16) + timedelta(days=2 * i)).isoformat()
        body += record("StepCount", "count", 600, f"{d} 18:00:00 -0400", f"{d} 18:05:00 -0400")
        body += record("DistanceWalkingRunning", "km", 0.36, f"{d} 18:00:00 -0400", f"{d} 18:05:00 -0400")
        body += record("WalkingStepLength", "cm", 60, f"{d} 18:01:00 -0400", f"{d} 18:02:00 -0400")
    return export(body)


# The x-axis labels each chart draws, with their extents in CSS pixels (uPlot keeps the splits and labels it drew).
AXIS_LABELS = """(() => state.charts.map((u) => {
  const ax = u.axes[0], ctx = document.createElement("canvas").getContext("2d");
  ctx.font = ax.font[0];
  const left = u.bbox.left / devicePixelRatio;
  return {
    font: ax.font[0], width: u.width,
    labels: ax._splits.map((v, i) => [left + u.valToPos(v, "x"), String(ax._values[i] ?? "")])
      .filter(([, text]) => text !== "")
      .map(([x, text]) => {
        const half = ctx.measureText(text).width / 2;
        return { text, left: x - half, right: x + half };
      }),
  };
}))()"""


def test_trends_fit_a_phone(browser_context, server: Server) -> None:
    r = server.client.post("/api/uploads", files={"file": ("export.xml", health_export().encode(), "text/xml")})
    assert r.status_code == 201, r.text
    page = browser_context.new_page()
    errors = watch_console(page)
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/#/trends")
    page.wait_for_selector("#tr-flag canvas")
    shot(page, "trends-phone")
    page.screenshot(path=str(ARTIFACTS / "trends-phone-charts.png"))  # the charts as the phone first shows them
    box = page.locator("#trends-table").bounding_box()
    page.screenshot(path=str(ARTIFACTS / "trends-phone-table.png"), full_page=True, clip={**box, "height": 300})
    for chart in page.evaluate(AXIS_LABELS):
        assert "12px" in chart["font"], chart["font"]  # measured in the font the axis draws with
        labels = chart["labels"]
        assert len(labels) >= 2, labels  # some dates are shown
        for a, b in itertools.pairwise(labels):
            assert a["right"] + 2 <= b["left"], f"x-axis labels overlap: {a} and {b}"
        # none is cut by the chart's edges
        assert labels[0]["left"] >= 0 and labels[-1]["right"] <= chart["width"], labels
    # every column of the table is on the screen, Flagged too, without scrolling sideways
    table = page.locator("#trends-table")
    header = table.locator("th").last
    assert header.inner_text().lower() == "flagged"
    assert header.bounding_box()["x"] + header.bounding_box()["width"] <= PHONE["width"]
    assert page.evaluate("document.querySelector('#trends-table').parentElement.scrollWidth") <= PHONE["width"]
    # Health walks' stride (2 x 0.60 m) is shown in Trends as in the Walks list
    first_row = table.locator("tbody tr").first.inner_text()
    assert "1.20" in first_row, first_row
    assert errors == [], errors


def test_pain_onset_takes_any_distance_and_time(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/pain")
    page.fill("#onset-km", "2.25")  # a step of 0.1 km blocked this (the browser refused to submit the form)
    page.fill("#onset-min", "12.5")
    page.click("#pain-form button[type=submit]")
    wait_js(page, "document.getElementById('pain-table') !== null")
    (report,) = server.client.get("/api/pain").json()
    assert report["onset_distance_m"] == 2250 and report["onset_time_s"] == 750
    assert errors == [], errors


def test_upload_hint_says_one_file(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#file-hint")
    hint = page.locator("#file-hint").inner_text()
    # the input takes one file: an export folder goes as a zip, not as its files
    assert page.locator("#file").get_attribute("multiple") is None
    assert "one file" in hint and "zip of the export folder" in hint and "folder files" not in hint, hint
    # every phone app whose export we read is named, so a user with one of them knows to pick its file
    for app in ("Sensor Logger", "phyphox", "AndroSensor", "Physics Toolbox", "SensorLog", "Apple Health"):
        assert app in hint, (app, hint)
