"""QA10 on the walk page: a ride the GPS track showed is drawn and said, the GPS stride length is shown beside the
sensor's, and a cadence-only sensor's stride-length tile says so.

The walks are Sensor Logger exports of a real walk (the Oxford phone carried in the hand, sample_recordings) with a
GPS track at walking speed, moved at 15 m/s over a stretch (tests/service/test_upload_riding.py), uploaded to a real
`gait serve` and shown in a real Chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import shot
from tests.browser.test_dashboard import watch_console
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server
from tests.service.test_upload_riding import export

# every text drawn on a chart's canvas: the chart it is on, the text, and its left and right edges (canvas pixels)
RECORD_CANVAS_TEXT = """
window.__drawn = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, ...rest) {
  const chart = this.canvas.closest(".chart"), w = this.measureText(text).width;
  const left = ["right", "end"].includes(this.textAlign) ? x - w : this.textAlign === "center" ? x - w / 2 : x;
  window.__drawn.push([chart ? chart.id : null, String(text), left, left + w]);
  return fillText.call(this, text, x, ...rest);
};
"""


def upload(server: Server, path: Path, placement: str) -> dict:
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def chart(name: str) -> str:
    return f"state.charts.find((u) => u.root.parentElement.id === '{name}')"


def ride_pixels(page, name: str, t_s: float) -> list[list[int]]:
    """The canvas pixels (RGBA) down the middle third of chart ``name``'s plot at ``t_s`` seconds into the walk."""
    return page.evaluate(
        f"""(() => {{
          const u = {chart(name)};
          const x = Math.round(u.valToPos({t_s}, "x", true));
          const top = Math.round(u.bbox.top + u.bbox.height / 3), n = Math.round(u.bbox.height / 3);
          const px = u.ctx.getImageData(x, top, 1, n).data;
          const out = [];
          for (let i = 0; i < n; i++) out.push(Array.from(px.slice(4 * i, 4 * i + 4)));
          return out;
        }})()"""
    )


def test_a_ride_is_drawn_on_the_charts_and_said_near_the_figures(browser_context, server: Server, tmp_path) -> None:
    """QA: the charts had an unlabelled gap where GPS showed a vehicle and the tiles gave no hint of it; the only
    mention was a line under "How these figures were obtained"."""
    walk = upload(server, export(tmp_path, ride_s=(50.0, 100.0)), "hand")
    detail = server.client.get(f"/api/walks/{walk['id']}").json()
    assert detail["riding"] == [
        {"start_s": 50.0, "end_s": 100.0, "speed_mps": 15.0, "steps": detail["riding"][0]["steps"]}
    ]
    assert 80 <= detail["riding"][0]["steps"] <= 100  # about 1.8 steps a second over the 50 s
    page = browser_context.new_page()
    page.add_init_script(RECORD_CANVAS_TEXT)
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#chart-cadence canvas")
    assert page.locator("#riding-line").inner_text() == (
        "50 s in a vehicle left out (GPS): the walking time, distance and strides are without it."
    )
    # the line sits with the figures, before the charts
    assert page.evaluate(
        "document.getElementById('summary').compareDocumentPosition(document.getElementById('riding-line'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert "in a vehicle (GPS)" in page.locator("#chart-length").evaluate("el => el.previousElementSibling.innerText")
    drawn = page.evaluate("window.__drawn")
    for name in ("chart-length", "chart-cadence"):
        # the label inside the band, from 50 to 100 s into the walk
        band = page.evaluate(f"[50, 100].map((t) => {chart(name)}.valToPos(t, 'x', true))")
        labels = [d[2:] for d in drawn if d[:2] == [name, "in a vehicle (GPS)"]]
        assert labels and all(band[0] <= a < b <= band[1] for a, b in labels), (name, band, labels)
        # the band fills the ride (75 s into the walk: no stride there) in the ride's grey, 18 % opaque
        pixels = ride_pixels(page, name, 75.0)
        shaded = [p for p in pixels if abs(p[3] - 46) <= 3 and abs(p[0] - 92) <= 4 and abs(p[2] - 115) <= 4]
        assert len(shaded) >= 0.8 * len(pixels), (name, pixels[:5])
    shot(page, "qa10-ride")
    assert errors == [], errors


def test_a_ride_at_the_end_of_a_walk_is_inside_the_charts(browser_context, server: Server, tmp_path) -> None:
    """No stride runs in a ride: one at the end of the walk was off the charts' time axis, which ended at the last
    stride."""
    walk = upload(server, export(tmp_path, ride_s=(100.0, 1000.0)), "hand")
    (ride,) = server.client.get(f"/api/walks/{walk['id']}").json()["riding"]
    assert (ride["start_s"], ride["end_s"]) == (100.0, 145.0)  # to the last fix, every second from 0 to 145 s
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#chart-cadence canvas")
    for name in ("chart-length", "chart-cadence"):
        assert page.evaluate(f"{chart(name)}.scales.x.max") >= ride["end_s"], name
    assert page.locator("#riding-line").inner_text().startswith("45 s in a vehicle left out (GPS):")
    assert errors == [], errors


def test_the_gps_stride_length_is_shown_beside_the_sensors(browser_context, server: Server, tmp_path) -> None:
    """QA: a note said the GPS-based stride length was "shown beside the sensor estimate"; the page showed it
    nowhere."""
    walk = upload(server, export(tmp_path, ride_s=None), "hand")
    doc = server.client.get(f"/api/walks/{walk['id']}/export.json").json()
    assert any("shown beside the sensor estimate" in n for n in doc["notes"]), doc["notes"]
    (bout,) = doc["bouts"]  # one bout of walking at the track's 1.4 m/s
    expected_m = 2 * 1.4 * (bout["end_s"] - bout["start_s"]) / bout["steps"]
    detail = server.client.get(f"/api/walks/{walk['id']}").json()
    assert detail["gps_stride_length_m"] == pytest.approx(expected_m, rel=0.05)
    assert detail["riding"] == []
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#gps-stride")
    assert page.locator("#gps-stride-label").text_content() == "Stride length (GPS)"
    assert float(page.locator("#gps-stride").inner_text()) == pytest.approx(expected_m, abs=0.08)
    assert page.locator("#gps-stride-unit").inner_text() == "m"
    # beside the sensor's estimate, and no ride said where there was none
    assert page.evaluate("document.getElementById('stride-stat-box').nextElementSibling.id") == "gps-stride-box"
    assert page.locator("#riding-line").count() == 0
    assert errors == [], errors


def test_a_chest_sensors_stride_length_tile_says_cadence_only(browser_context, server: Server, tmp_path) -> None:
    """QA: a chest walk's tile read "– m"."""
    walk = upload(server, write_walk_csv(tmp_path / "chest.csv", duration_s=60.0), "chest")
    assert walk["summary"]["stride_length_m"] is None
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#stride-stat")
    assert page.locator("#stride-stat").inner_text() == "–"
    assert page.locator("#stride-stat-unit").inner_text() == "cadence only"
    assert page.locator("#gps-stride").count() == 0  # no GPS track
    assert errors == [], errors


def test_coaching_switched_on_but_inactive_reads_the_same_on_the_walk_profile_and_home(
    browser_context, server: Server, tmp_path
) -> None:
    """QA: after switching coaching on, a walk page said "... it is on now, for the walks you add from now on" while
    Profile's "Plan now" said "Stride coaching is off: no back pain ...". The walker's switch is "switched on/off";
    whether strides are compared with a target now is "active/inactive"."""
    walk = upload(server, write_walk_csv(tmp_path / "walk.csv", duration_s=150.0), "lower_back")
    r = server.client.put("/api/profile", json={"coaching": {"enabled": True}})
    assert r.status_code == 200, r.text
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#coaching-then-reasons")
    then = page.locator("#coaching-then-reasons").inner_text()
    assert "Stride coaching was switched off when this walk was made" in then, then
    assert "it is switched on now, for the walks you add from now on." in then, then
    assert " is on now" not in then and " was off " not in then, then
    page.goto(f"{server.url}/#/profile")
    page.wait_for_selector("#plan-now-reasons")
    now = page.locator("#plan-now-reasons").inner_text()
    assert now.startswith(
        "Stride coaching is switched on but inactive: no back pain (score 1/10 or more) reported in the last 90 days."
    ), now
    page.goto(f"{server.url}/#/")
    page.wait_for_selector("#coaching-state")
    assert page.locator("#coaching-state").inner_text() == "Stride coaching: switched on, inactive"
    assert errors == [], errors


def test_the_upload_page_says_an_undated_walk_is_dated_to_end_when_uploaded(browser_context, server: Server) -> None:
    """QA: the upload page said "dated to end now" while `gait convert` said "dated when uploaded": one wording,
    as the walk's own page then says ("dated to end when it was uploaded")."""
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/upload")
    page.wait_for_selector("#started-at-hint")
    hint = page.locator("#started-at-hint").inner_text()
    assert hint.endswith("hold no date: without this such a walk is dated to end when uploaded"), hint
    assert errors == [], errors


def test_profile_says_what_an_earlier_version_lacked_and_the_distance_analysing_again_changes(
    browser_context, server: Server, tmp_path
) -> None:
    """QA: after an upgrade the profile said "analysed by an earlier version" (and the walk page version numbers), and
    the result of analysing again did not say that the distance fell once a ride was left out."""
    import json
    import sqlite3

    walk = upload(server, export(tmp_path, ride_s=(50.0, 100.0)), "hand")
    now_m = server.client.get(f"/api/walks/{walk['id']}").json()["summary"]["distance_m"]
    # the walk as the version before the ride rule stored it: analysis revision 1, the ride counted as walking
    with sqlite3.connect(tmp_path / "data" / "gait.sqlite3") as conn:
        (analysis_json,) = conn.execute("SELECT analysis_json FROM walks WHERE id = ?", (walk["id"],)).fetchone()
        analysis = {**json.loads(analysis_json), "version": "0.1.0+r1"}
        conn.execute(
            "UPDATE walks SET analysis_json = ?, distance_m = ? WHERE id = ?",
            (json.dumps(analysis), now_m + 75.0, walk["id"]),
        )
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/profile")
    why = page.locator("#reanalyse-all-why")
    why.wait_for()
    # a hand walk of revision 1 lacks both later changes: the ride rule (it has GPS) and the vigorous-step doubt
    assert "1 walk was analysed before this version's changes: rides in a vehicle are now left out" in why.inner_text()
    assert "steps more vigorous than walking" in why.inner_text()
    assert "earlier version" not in why.inner_text()
    page.click("#reanalyse-all-btn")
    result = page.locator("#reanalyse-all-results li")
    result.wait_for()
    old_m, new_m = round(now_m + 75.0), round(now_m)
    assert f"distance {old_m} m → {new_m} m" in result.inner_text(), result.inner_text()
    assert errors == [], errors


def test_a_cadence_only_walk_draws_no_empty_stride_length_charts(browser_context, server: Server) -> None:
    """QA: a chest walk's page showed a bare "Stride length over time" grid and a blank histogram."""
    path = Path(__file__).resolve().parents[2] / "sample_recordings" / "mobgap_lower_back_daily_living.csv"
    walk = upload(server, path, "chest")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#chart-cadence canvas")
    assert page.locator("#no-length-charts").inner_text() == (
        "No stride lengths in this walk (a chest sensor gives cadence only), so only its cadence is drawn."
    )
    assert page.locator("#chart-length").count() == 0 and page.locator("#chart-hist").count() == 0
    assert errors == [], errors


def test_another_page_opens_at_its_top(browser_context, server: Server) -> None:
    """QA: a walk opened from the bottom of a long page opened at that scroll position, its title and figures above
    the screen."""
    path = Path(__file__).resolve().parents[2] / "sample_recordings" / "mobgap_lower_back_daily_living.csv"
    walk = upload(server, path, "lower_back")
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{server.url}/#/profile")
    page.wait_for_selector("#profile-form")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 300  # the profile page is longer than the screen
    page.evaluate(f"location.hash = '#/walk/{walk['id']}'")
    page.wait_for_selector("#chart-cadence canvas")
    assert page.evaluate("window.scrollY") == 0
