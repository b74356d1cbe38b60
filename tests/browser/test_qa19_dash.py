"""QA19's dashboard findings: an Apple Health export's usual renamed copies ("export (1).zip") need no placement
(QA19b #13); the Profile page offers no calibration factor for a cadence-only sensor (QA19a #5); charts, buttons,
navigation and motion that a screen reader, a keyboard or "reduce motion" can use (QA19a #2, #3, #4, #10); the live
cue banner does not move the cards."""

from __future__ import annotations

import statistics
import zipfile
from pathlib import Path

import pytest

from gait.coach.stream import NEAR_PAIN_MESSAGE
from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.browser.test_dash_qa import HEALTH_EXPORT
from tests.browser.test_dashboard import wait_js, watch_console
from tests.browser.test_live_coaching import COACHED, start_demo
from tests.browser.test_walk_calibration import POCKET
from tests.service.serverproc import Server
from tests.test_cli_calibrate import long_walk_m

PLACEMENT_REQUIRED = "document.getElementById('placement').required"


def choose_file(page, name: str, content: bytes = b"PK\x05\x06" + bytes(18)) -> None:
    """Pick a file called ``name`` in the Upload form (by default an empty zip: only its name is looked at)."""
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}])
    page.wait_for_timeout(150)


@pytest.mark.skipif(not HEALTH_EXPORT.exists(), reason=f"the shared Apple Health export is not here: {HEALTH_EXPORT}")
def test_an_apple_health_export_saved_as_a_copy_needs_no_placement(
    browser_context, server: Server, tmp_path: Path
) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#file")
    assert page.evaluate(PLACEMENT_REQUIRED)  # a new walker: no usual placement in the profile
    # a browser's second download, a Finder or iCloud copy, a dated copy, names saying "health"
    for name in (
        "export (1).zip",
        "export(2).zip",
        "export 2.zip",
        "Export-2024-10-18.zip",
        "Health export.zip",
        "apple_health_export.zip",
        "export.xml",
    ):
        choose_file(page, name)
        assert not page.evaluate(PLACEMENT_REQUIRED), name
    # other recordings still ask where the sensor was
    for name in ("walk.zip", "exported_walk.csv", "2024-10-18_15-26-13.zip", "export.csv", "my_export.zip"):
        choose_file(page, name)
        assert page.evaluate(PLACEMENT_REQUIRED), name
    # the real export, zipped as the Health app does and saved as a browser's second download: uploaded as it is
    renamed = tmp_path / "export (1).zip"
    with zipfile.ZipFile(renamed, "w") as z:
        z.write(HEALTH_EXPORT, "apple_health_export/export.xml")
    page.set_input_files("#file", str(renamed))
    page.click("#upload-btn")
    page.wait_for_selector("#upload-count", timeout=120_000)
    assert page.locator("#upload-count").inner_text().endswith(")"), page.locator("#upload-count").inner_text()
    assert len(server.client.get("/api/walks?limit=1000").json()) > 1
    assert errors == [], errors


def test_the_profile_offers_factors_only_for_placements_with_a_stride_length(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    page.goto(server.url + "/#/profile")
    page.wait_for_selector("#scales-table")
    rows = page.evaluate("[...document.querySelectorAll('#scales-table tbody tr')].map((tr) => tr.dataset.placement)")
    assert rows == ["lower_back", "waist", "foot", "pocket", "hand"]
    said = page.locator("#scales-cadence-only").inner_text()
    assert "wrist or chest sensor has no factor" in said and "cadence only" in said


def test_pain_reports_delete_buttons_say_which_report(browser_context, server: Server) -> None:
    for score in (3, 6):
        assert server.client.post("/api/pain", json={"score": score, "onset_distance_m": 150}).status_code == 201
    page = browser_context.new_page()
    page.goto(server.url + "/#/pain")
    page.wait_for_selector("#pain-table")
    buttons = page.locator("#pain-table button[data-del]")
    names = [buttons.nth(i).get_attribute("aria-label") for i in range(buttons.count())]
    assert len(set(names)) == 2, names  # two reports, two names: not eleven "Delete"
    for name, score in zip(sorted(names), ("3/10", "6/10"), strict=True):
        assert name.startswith("Delete the pain report of ") and score in name and "150 m" in name, name
    # the button's name is what the confirm question says
    what = buttons.first.get_attribute("data-what")
    assert buttons.first.get_attribute("aria-label") == f"Delete the pain report {what}"


CHART_WORDS = """[...document.querySelectorAll('.chart')].filter((el) => !el.closest('.hidden'))
  .map((el) => [el.id, el.getAttribute('role'), el.getAttribute('aria-label')])"""


def test_charts_have_words_and_untrusted_strides_are_rings(browser_context, server: Server) -> None:
    # a phone in a back pocket, not calibrated: its stride lengths are not trusted for coaching
    with POCKET.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (POCKET.name, fh)}, data={"placement": "pocket"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    strides = server.client.get(f"/api/walks/{walk['id']}/strides").json()
    lengths = [s["length_m"] for s in strides if s["length_m"] is not None]
    untrusted = [s for s in strides if s["length_m"] is not None and s["confidence"] < 0.6]
    assert untrusted and len(lengths) > 20
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#chart-hist canvas")
    charts = {el: (role, words) for el, role, words in page.evaluate(CHART_WORDS)}
    assert set(charts) == {"chart-length", "chart-cadence", "chart-hist"}
    assert all(role == "img" for role, _ in charts.values()), charts
    length_words = charts["chart-length"][1]
    assert f"median {statistics.median(lengths):.2f} m over {len(lengths)} strides" in length_words, length_words
    trusted = len(lengths) - len(untrusted)
    assert f"{trusted} trusted for coaching (dots), {len(untrusted)} not trusted (rings)" in length_words
    cadences = [s["cadence_spm"] for s in strides if s["cadence_spm"] is not None]
    assert f"median {statistics.median(cadences):.0f} steps/min" in charts["chart-cadence"][1], charts
    assert f"Histogram of {len(lengths)} stride lengths" in charts["chart-hist"][1], charts
    # the untrusted strides: hollow rings on the chart, and so in the legend (not a paler dot of the same shape)
    ring = page.evaluate("""(() => { const u = state.charts[0], p = u.series[1].points;
      const at = (v) => (typeof v === 'function' ? v(u, 1) : v);
      return { fill: at(p.fill), width: at(p.width) }; })()""")
    assert ring["width"] > 0 and ring["fill"].replace(" ", "") == "rgba(0,0,0,0)", ring
    assert "no target band: no baseline of yours for a pocket sensor yet" in length_words, length_words
    legend = page.evaluate("""(() => { const s = getComputedStyle(document.querySelector('.dot-unsure'));
      return [s.backgroundColor, s.borderTopWidth, s.borderTopStyle]; })()""")
    assert legend[0] == "rgba(0, 0, 0, 0)" and legend[1] != "0px" and legend[2] == "solid", legend
    shot(page, "qa19-walk-rings")

    page.goto(server.url + "/#/trends")
    page.wait_for_selector("#tr-flag canvas")
    charts = {el: (role, words) for el, role, words in page.evaluate(CHART_WORDS)}
    assert set(charts) == {"tr-dist", "tr-cad", "tr-flag"} and all(role == "img" for role, _ in charts.values())
    assert (
        "1 day with walks" in charts["tr-dist"][1]
        and f"{round(walk['summary']['distance_m'])} m" in charts["tr-dist"][1]
    )
    assert "table below" in charts["tr-cad"][1], charts

    # a coached walk (the overstriding demo): how many of its judged strides were flagged above the band
    assert server.client.put("/api/profile", json=COACHED).status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    demo_id = start_demo(server, speed=20)
    server.wait_until(lambda: not server.client.get("/api/live").json()["running"], "the demo's end", timeout_s=60)
    demo = server.client.get(f"/api/walks/{demo_id}").json()
    strides = server.client.get(f"/api/walks/{demo_id}/strides").json()
    min_confidence = demo["coaching"]["min_confidence"]
    judged = [s for s in strides if s["length_m"] is not None and s["confidence"] >= min_confidence and s["target_m"]]
    flagged = [s for s in strides if s["overlong"] and s["length_m"] is not None]
    assert demo["coaching"]["active"] and judged and flagged
    page.goto(server.url + f"/#/walk/{demo_id}")
    page.wait_for_selector("#chart-hist canvas")
    length_words = dict((el, words) for el, _, words in page.evaluate(CHART_WORDS))["chart-length"]
    target = statistics.median(s["target_m"] for s in judged)
    assert f"{len(flagged)} of {len(judged)} judged strides flagged above the target band" in length_words
    tolerance_m = demo["coaching"]["tolerance_m"]
    assert f"(target about {target:.2f} m, plus {tolerance_m:.2f} m tolerance)" in length_words, length_words
    assert errors == [], errors


def test_a_page_change_is_said_and_the_keyboard_starts_on_the_new_page(browser_context, server: Server) -> None:
    with POCKET.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (POCKET.name, fh)}, data={"placement": "pocket"})
    walk = r.json()["walks"][0]
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/")
    page.wait_for_selector("main h1")
    assert page.title() == "Home – Gait analyser"
    # the first Tab reaches "Skip to content", which goes past the navigation to the page's heading
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement === document.querySelector('main h1')")
    assert page.evaluate("location.hash") == "#/"
    # Walks from the navigation with the keyboard: titled, the link marked current, focus on the new page's heading
    page.focus("nav a[href='#/walks']")
    page.keyboard.press("Enter")
    wait_js(page, "document.body.dataset.page === 'pageWalks'")
    assert page.title() == "Walks – Gait analyser"
    assert page.evaluate("document.activeElement === document.querySelector('main h1')")
    assert page.evaluate("window.scrollY") == 0  # no jump
    current = page.evaluate("[...document.querySelectorAll('nav a[aria-current]')].map((a) => a.getAttribute('href'))")
    assert current == ["#/walks"]
    # a walk's page is titled by the walk
    page.goto(server.url + f"/#/walk/{walk['id']}")
    wait_js(page, "document.body.dataset.page === 'pageWalk'")
    assert page.title() == f"{walk['name']} – Gait analyser"
    assert page.evaluate("document.querySelector('nav a[aria-current]')") is None
    # Trends' period buttons say which is on
    page.goto(server.url + "/#/trends")
    page.wait_for_selector("#per-week")
    pressed = lambda: [page.get_attribute(f"#per-{p}", "aria-pressed") for p in ("day", "week", "month")]  # noqa: E731
    assert pressed() == ["true", "false", "false"]
    page.focus("#per-week")
    page.keyboard.press("Enter")
    wait_js(
        page,
        "location.hash.includes('period=week')"
        " && document.getElementById('per-week')?.getAttribute('aria-pressed') === 'true'",
    )
    assert pressed() == ["false", "true", "false"]
    assert page.title() == "Trends – Gait analyser"

    # "Save factor" with the keyboard: focus on the saved notice that replaced the button, not the page's top
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#calibrate-form")
    page.fill("#calibrate-distance", f"{round(long_walk_m()):g}")
    page.press("#calibrate-distance", "Enter")
    page.wait_for_selector("#calibrate-save")
    page.focus("#calibrate-save")
    page.keyboard.press("Enter")
    page.wait_for_selector("#calibrate-saved")
    wait_js(page, "document.activeElement.id === 'calibrate-saved'")
    assert errors == [], errors


def card_tops(page) -> list[float]:
    """Where the live cards and the Stop button are, in page coordinates."""
    return page.evaluate("""['live-numbers', 'stop-live'].map((id) =>
      document.getElementById(id).getBoundingClientRect().top + window.scrollY)""")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_live_cue_does_not_move_the_cards(browser_context, server: Server, viewport: dict) -> None:
    assert server.client.put("/api/profile", json=COACHED).status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    page = browser_context.new_page()
    page.set_viewport_size(viewport)
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#chart-live canvas")
    start_demo(server, speed=5)
    wait_js(page, "+document.getElementById('lv-strides').textContent > 0")
    page.wait_for_timeout(300)
    before = card_tops(page)
    shot(page, f"qa19-live-armed-{viewport['width']}")
    wait_js(
        page, "+(document.body.dataset.cues || 0) > 0 && document.getElementById('cue').classList.contains('show')", 60
    )
    assert card_tops(page) == pytest.approx(before, abs=1)
    shot(page, f"qa19-live-cue-{viewport['width']}")
    # the longest cue the coach gives fits the place kept for it
    height = page.evaluate("document.getElementById('cue').offsetHeight")
    page.evaluate(f"document.getElementById('cue').textContent = {NEAR_PAIN_MESSAGE!r}")
    assert page.evaluate("document.getElementById('cue').offsetHeight") == height
    assert card_tops(page) == pytest.approx(before, abs=1)
    shot(page, f"qa19-live-long-cue-{viewport['width']}")
    # 8 s later the cue goes; the cards stay (unless another cue came meanwhile: then it shows, still in place)
    wait_js(page, "!document.getElementById('cue').classList.contains('show') || +document.body.dataset.cues > 1", 15)
    assert card_tops(page) == pytest.approx(before, abs=1)
    # Stop with the keyboard: focus stays by Stop, on what it did, not at the page's top
    page.focus("#stop-live")
    page.keyboard.press("Enter")
    wait_js(page, "document.activeElement.id === 'stop-msg'")
    assert page.locator("#stop-msg").inner_text() == "Stopped."
    assert errors == [], errors


def test_reduce_motion_stops_the_cue_blinking_and_the_smooth_scroll(browser_context, server: Server) -> None:
    for motion, behavior, animation in (("no-preference", "smooth", "pulse"), ("reduce", "auto", "none")):
        page = browser_context.new_page()
        page.set_viewport_size(PHONE)
        page.emulate_media(reduced_motion=motion)
        page.goto(server.url + "/#/live")
        page.wait_for_selector("#start-demo")
        # the scroll that brings the live cards into view once the demo starts (the page's top is scrolled away)
        page.evaluate("window.scrollTo = (o) => { if (o && typeof o === 'object') window.scrolled = o; }")
        page.click("#start-demo")
        wait_js(page, "!!window.scrolled")
        assert page.evaluate("window.scrolled.behavior") == behavior
        page.evaluate("document.getElementById('cue').classList.add('armed', 'show')")
        assert page.evaluate("getComputedStyle(document.getElementById('cue')).animationName") == animation
        server.client.post("/api/live/stop")
        server.wait_until(lambda: not server.client.get("/api/live").json()["running"], "the demo stopped")
        page.close()
