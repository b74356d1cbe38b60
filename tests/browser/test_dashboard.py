"""The dashboard in Chromium: upload a real recording and see its charts; watch a replayed walk live with a cue."""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

import pytest

from service.store import NewWalk, Store
from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import REPO, Server


def real_sample(tmp_path: Path) -> tuple[Path, str]:
    """A real recording from sample_recordings/ with its placement (a synthetic walk until samples exist)."""
    for f in sorted((REPO / "sample_recordings").glob("*.csv")):
        ref = f.with_name(f.name.split(".")[0] + ".reference.json")
        placement = json.loads(ref.read_text()).get("placement") if ref.exists() else None
        return f, placement or "lower_back"
    return write_walk_csv(tmp_path / "walk.csv", duration_s=90.0), "lower_back"


def wait_js(page, expression: str, timeout_s: float = 30.0) -> None:
    """Poll a JS expression until true. (Playwright's wait_for_function evaluates strings with eval, which the
    dashboard's CSP forbids; page.evaluate goes through the DevTools protocol instead.)"""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


# The router sets <body data-page> once it has drawn the page of the latest address (routeSeq counts the addresses
# it was asked for): the observer notes which of them each drawn page was for.
NOTE_ROUTE = """(() => {
  if (typeof state === "undefined") return -1;
  if (window.__drawnFor === undefined) {
    window.__drawnFor = 0;
    new MutationObserver(() => { window.__drawnFor = state.routeSeq; })
      .observe(document.body, { attributes: true, attributeFilter: ["data-page"] });
  }
  return state.routeSeq;
})()"""


def open_page(page, url: str, timeout_s: float = 30.0) -> None:
    """Open the dashboard page at ``url`` and wait until it is drawn.

    A hash change keeps the document, and the page before stays on the screen until the new one's data is back: a
    wait on an element both pages have passes at once, and what the test reads next is the old page's. This waits
    for a page drawn for an address asked for after the call. The address shown already is loaded again (going to
    it would draw nothing)."""
    if page.url == url:
        page.reload()
        before = -1
    else:
        before = page.evaluate(NOTE_ROUTE)  # -1: not the dashboard yet (about:blank)
        page.goto(url)
    wait_js(
        page,
        f"window.__drawnFor !== undefined ? window.__drawnFor > {before}"
        " : typeof state !== 'undefined' && document.body.dataset.page !== undefined",
        timeout_s,
    )


# The Upload page asks for an upload's progress from 0.2 s after it starts sending it; the service knows the upload
# once it has read its file, and answers 404 until then ("not started yet", as the page expects). On a loaded
# machine the file takes longer than that to reach it, and the browser logs each such answer as an error.
UPLOAD_PROGRESS = re.compile(r"/api/uploads/[A-Za-z0-9_-]+$")


def watch_console(page) -> list[str]:
    """The errors ``page`` logs from now on (Content-Security-Policy violations too), but for the 404 of an upload's
    progress asked for before the service had its file."""
    errors: list[str] = []

    def logged(m) -> None:
        early_poll = "status of 404" in m.text and UPLOAD_PROGRESS.search(m.location.get("url", ""))
        if m.type == "error" and not early_poll:
            errors.append(m.text)

    page.on("console", logged)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def refused_upload(page, server: Server, path: Path, placement: str) -> str:
    """Upload ``path`` from the upload page (its sensor at ``placement``) and wait for the refusal: its text."""
    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(path))
    page.select_option("#placement", placement)
    page.click("#upload-btn")
    wait_js(page, "document.getElementById('upload-error').textContent.length > 10")
    return page.locator("#upload-error").inner_text()


def test_upload_real_recording_and_see_its_charts(browser_context, server: Server, tmp_path: Path) -> None:
    path, placement = real_sample(tmp_path)
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(path))
    page.select_option("#placement", placement)
    side = "left" if placement == "foot" else ""
    page.select_option("#side", side)
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=60_000)
    page.wait_for_selector("#chart-length canvas")
    for chart in ("#chart-length", "#chart-cadence", "#chart-hist"):
        assert page.locator(f"{chart} canvas").count() == 1, f"{chart} not drawn"
    walk_id = int(page.url.rsplit("/", 1)[1])
    walk = server.client.get(f"/api/walks/{walk_id}").json()
    assert walk["summary"]["strides"] > 0
    assert page.locator("#summary").inner_text().count("\n") >= 6
    assert str(walk["summary"]["strides"]) in page.locator("#summary").inner_text()
    # a foot sensor's strides follow one another (a trunk's overlap: see the test below)
    assert (placement == "foot") == ("overlapping" not in page.locator("#summary").inner_text())
    assert walk["notes"] and walk["notes"][0] in page.locator("#notes").inner_text()  # how lengths were obtained
    stored = server.client.get(f"/api/walks/{walk_id}/strides").json()
    assert {s["side"] for s in stored} == {side or None}  # the shoe chosen in the form, for a foot sensor
    # the lengths the coach would judge are counted apart from the unreliable ones
    with_length = [s for s in stored if s["length_m"] is not None]
    trusted = sum(s["confidence"] >= walk["coaching"]["min_confidence"] for s in with_length)
    assert page.locator("#trusted").inner_text() == str(trusted)
    assert page.locator("#trusted-unit").inner_text() == f"of {len(with_length)}"
    shot(page, "walk-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#chart-length canvas")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    shot(page, "walk-phone")
    page.set_viewport_size(DESKTOP)
    page.goto(server.url + "/#/walks")
    page.wait_for_selector("#walks-table")
    assert walk["name"] in page.locator("#walks-table").inner_text()
    assert errors == [], errors  # also catches Content-Security-Policy violations


def test_a_trunk_sensors_stride_count_says_its_strides_overlap(browser_context, server: Server) -> None:
    """Strides x stride length was twice the distance on the tiles with no word why (QA): one starts at each step."""
    path = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": ("back.csv", fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#stride-count-box")
    assert page.locator("#stride-count").inner_text() == str(walk["summary"]["strides"])
    assert "overlapping" in page.locator("#stride-count-box").inner_text()
    assert "twice the distance" in page.locator("#stride-count-box").get_attribute("title")


def test_bad_upload_shows_the_reason(browser_context, server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    page = browser_context.new_page()
    assert refused_upload(page, server, bad, "lower_back").startswith("Upload refused: ")
    assert server.client.get("/api/walks").json() == []
    # the progress bar does not stay where the refused upload left it
    assert page.evaluate("document.getElementById('upload-bar').value") == 0
    assert not page.locator("#upload-progress").is_visible()
    shot(page, "upload-refused")


def test_upload_asks_where_the_sensor_was_when_the_profile_does_not_say(
    browser_context, server: Server, tmp_path: Path
) -> None:
    """No recording format says where its sensor was: with no placement in the profile the form asks before
    sending (a plain gait CSV was refused after the upload with a command-line flag in the message)."""
    assert server.client.get("/api/profile").json()["placement"] is None
    csv = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(csv))
    page.click("#upload-btn")
    page.wait_for_timeout(500)  # give a (wrong) request the time to go out; none may
    assert page.evaluate("document.getElementById('placement').validity.valueMissing")
    assert not page.locator("#upload-progress").is_visible()
    assert server.client.get("/api/walks").json() == []
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=60_000)
    assert server.client.get("/api/walks").json()[0]["placement"] == "lower_back"
    # With a usual placement in the profile the form starts from it, after a location the file names itself.
    profile = server.client.get("/api/profile").json()
    profile.pop("not_medical_advice", None)
    assert server.client.put("/api/profile", json={**profile, "placement": "foot"}).status_code == 200
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#placement")
    assert page.locator("#placement").input_value() == "file"
    # a phone is not carried on the foot: a phone app's export takes a pocket (service.pipeline.usual_placement)
    assert page.locator("#placement-file").inner_text() == (
        "as the file says, else my usual (foot; a phone app's export: pocket)"
    )
    assert errors == [], errors


def test_live_walk_shows_cue_on_overlong_strides(browser_context, server: Server) -> None:
    # Opt in to coaching and report pain: a 1.50 m walker's target at 108 steps/min is about 1.02 m; the demo walk's
    # walker is 2.0 m tall (its reference file), its strides about 1.17 m, so strides are flagged and the coach cues.
    profile = {"body_height_m": 1.5, "stride_scale": 1.3, "placement": "lower_back", "coaching": {"enabled": True}}
    r = server.client.put("/api/profile", json=profile)
    assert r.status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    page.select_option("#demo-sample", "a_overstride_walk.csv")
    page.select_option("#demo-speed", "5")
    page.click("#start-demo")
    page.wait_for_selector("#cue.show", timeout=30_000)
    assert "Shorten your stride" in page.locator("#cue").inner_text()
    wait_js(page, "Number(document.body.dataset.beeps || 0) >= 1")
    assert page.locator("#lv-flagged").inner_text() != "0"
    assert page.locator("#live-badge").inner_text() == "live"
    # a steady walk's lengths are trusted (judged), shown at full strength; the legend names the untrusted ones
    assert "unsure" not in (page.locator("#lv-stride-box").get_attribute("class") or "")
    assert "not trusted for coaching" in page.locator("main").inner_text()
    shot(page, "live-cue-desktop")
    # the cadence card's long unit stays inside its card in closely spaced lines (it ran past the card's edge, or left
    # a gap as high as the big figure between its two lines)
    unit_box, card_box, font_px = page.locator("#lv-cadence-unit").evaluate(
        "e => [e.getBoundingClientRect().toJSON(), document.getElementById('lv-cadence-box').getBoundingClientRect()"
        ".toJSON(), parseFloat(getComputedStyle(e).fontSize)]"
    )
    assert unit_box["right"] <= card_box["right"] and unit_box["height"] <= 3 * 1.3 * font_px, (unit_box, card_box)
    page.set_viewport_size(PHONE)
    shot(page, "live-cue-phone")
    assert not page.locator("#stop-live").is_disabled()
    page.click("#stop-live")
    wait_js(page, "document.getElementById('live-badge').textContent.startsWith('ended')")
    walks = server.client.get("/api/walks").json()
    assert walks[0]["origin"] == "live" and walks[0]["summary"]["flagged_strides"] > 0
    # the cadence card is the median of the last 10 strides (one stride at a turn no longer reads 150 steps/min)
    cadences = [s["cadence_spm"] for s in server.client.get(f"/api/walks/{walks[0]['id']}/strides").json()][-10:]
    assert float(page.locator("#lv-cadence").inner_text()) == pytest.approx(statistics.median(cadences), abs=0.51)
    # ended: nothing left to stop, the cue banner gone, and the stored walk one click away
    assert page.locator("#stop-live").is_disabled()
    assert page.locator("#cue.show").count() == 0
    page.click("#live-walk-link a")
    page.wait_for_url(f"**/#/walk/{walks[0]['id']}")
    page.wait_for_selector("#summary")
    assert errors == [], errors


def test_every_page_renders_on_a_phone(browser_context, server: Server, tmp_path: Path) -> None:
    with write_walk_csv(tmp_path / "w.csv", duration_s=60.0).open("rb") as fh:
        # a walk named after its file, as uploads are: one long word a phone's width cannot hold
        long_name = "mobgap_lower_back_straight_walk_recording"
        r = server.client.post(
            "/api/uploads", files={"file": ("w.csv", fh)}, data={"placement": "lower_back", "name": long_name}
        )
    walk_page = f"walk/{r.json()['walks'][0]['id']}"
    server.client.post("/api/pain", json={"score": 4, "onset_distance_m": 3000})
    page = browser_context.new_page()
    errors = watch_console(page)
    page.set_viewport_size(PHONE)
    for name in ("", "walks", walk_page, "trends", "upload", "pain", "profile", "live"):
        open_page(page, f"{server.url}/#/{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        shot(page, f"phone-{name.replace('/', '-') or 'home'}")
    open_page(page, server.url + "/#/trends?period=week")
    assert page.locator("#per-week").get_attribute("class") == ""  # the selected period
    walk_id = server.client.get("/api/walks").json()[0]["id"]
    open_page(page, f"{server.url}/#/pain?walk={walk_id}")
    assert page.locator("#pain-walk").input_value() == str(walk_id)
    open_page(page, server.url + "/#/")
    assert page.locator("#rec-distance").inner_text() == "2.5 km (1.6 mi)"  # 5/6 of a 3 km onset
    assert "2.5 km (1.6 mi)" in page.locator("#recommendation p").inner_text()  # the text below agrees
    # said once: the coaching card's reasons leave out the recommendation the card above gives
    recommendation = page.locator("#recommendation p").inner_text()
    assert recommendation not in page.locator("#home-reasons").inner_text()
    assert page.locator("#home-reasons li").count() >= 1
    open_page(page, server.url + "/#/profile")  # Home has its own "not medical advice"
    assert "Not medical advice" in page.locator("#not-medical-advice").inner_text()
    assert errors == [], errors


def test_a_short_recommended_walk_reads_the_same_in_figure_and_text(browser_context, server: Server) -> None:
    server.client.post("/api/pain", json={"score": 4, "onset_distance_m": 400})
    page = browser_context.new_page()
    page.goto(server.url + "/#/")
    page.wait_for_selector("#rec-distance")
    # 5/6 of 400 m is 333 m, 0.207 miles: the heading said "(0.2 mi)" where the sentence said "(0.21 mi)"
    assert page.locator("#rec-distance").inner_text() == "333 m (0.21 mi)"
    assert "333 m (0.21 mi)" in page.locator("#recommendation p").inner_text()


def test_target_band_and_cadence_stop_at_a_pause(browser_context, server: Server, tmp_path: Path) -> None:
    """Two minutes of standing between two walks: nothing is drawn across them (the band was drawn straight over)."""
    import numpy as np

    from gait.types import Recording
    from ingest.gait_csv import write_gait_csv
    from tests.service.conftest import synthetic_walk

    walk = synthetic_walk(duration_s=60.0)
    still_s = np.arange(0.0, 120.0, 0.01)
    still = np.tile([0.0, 0.0, 9.81], (len(still_s), 1)) + np.random.default_rng(1).normal(0, 0.02, (len(still_s), 3))
    t = np.concatenate([walk.time_s, 60.0 + still_s, 180.0 + walk.time_s])
    path = tmp_path / "walk_pause_walk.csv"
    write_gait_csv(Recording(t, np.concatenate([walk.acc_ms2, still, walk.acc_ms2])), path)
    profile = server.client.get("/api/profile").json()
    profile.pop("not_medical_advice", None)
    server.client.put("/api/profile", json={**profile, "body_height_m": 1.75, "placement": "lower_back"})
    with path.open("rb") as fh:
        walk_id = server.client.post("/api/uploads", files={"file": (path.name, fh)}).json()["walks"][0]["id"]
    strides = server.client.get(f"/api/walks/{walk_id}/strides").json()
    assert any(s["start_s"] < 60 for s in strides) and any(s["start_s"] > 180 for s in strides)
    # no personal baseline: the first 20 trusted strides set the walk's level and have no target, the rest have one
    trusted = [i for i, s in enumerate(strides) if s["length_m"] is not None and s["confidence"] >= 0.6]
    level_end = trusted[19] + 1
    assert all(s["target_m"] is None for s in strides[:level_end])
    assert all(s["target_m"] is not None for s in strides[level_end:])  # the band is drawn
    assert any(s["start_s"] > 180 for s in strides[level_end:]) and any(s["start_s"] < 60 for s in strides[level_end:])
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#chart-length canvas")
    page.wait_for_selector("#chart-cadence canvas")
    for chart in ("chart-length", "chart-cadence"):
        # x in seconds into the walk, then each series: inside the pause (60-180 s) every series is null
        data = page.evaluate(f"state.charts.find((u) => u.root.parentElement.id === '{chart}').data")
        inside = [i for i, x in enumerate(data[0]) if 61 < x < 179]
        assert inside, f"{chart}: no row in the pause, its lines run across it"
        assert all(series[i] is None for series in data[1:] for i in inside), chart
    # the strides without a target leave a gap in the band (null, never a zero drawn at the axis)
    band = page.evaluate("state.charts.find((u) => u.root.parentElement.id === 'chart-length').data[4]")
    assert band[0] is None and 0 not in band and any(v is not None for v in band)
    shot(page, "walk-pause")
    assert errors == [], errors


def test_target_band_holds_the_last_trusted_target_over_untrusted_strides(browser_context, server: Server) -> None:
    """An untrusted stride is never judged, and its cadence is often an artefact (a bout's last stride at 160
    steps/min): the band drew the target at that cadence. It now holds the last trusted stride's target."""
    path = REPO / "sample_recordings" / "gaitmap_right_foot.csv"
    with path.open("rb") as fh:
        walk_id = server.client.post(
            "/api/uploads", files={"file": (path.name, fh)}, data={"placement": "foot"}
        ).json()["walks"][0]["id"]
    strides = server.client.get(f"/api/walks/{walk_id}/strides").json()
    trusted = [s["length_m"] is not None and s["confidence"] >= 0.6 for s in strides]
    held, expected, odd = None, [], []
    for i, (s, ok) in enumerate(zip(strides, trusted, strict=True)):
        if ok and s["target_m"] is not None:
            held = s["target_m"]
        expected.append(held)
        if not ok and s["target_m"] is not None and held is not None and abs(s["target_m"] - held) > 0.02:
            odd.append(i)
    assert odd, "the recording no longer has an untrusted stride whose own target differs: pick another"
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#chart-length canvas")
    data = page.evaluate("state.charts.find((u) => u.root.parentElement.id === 'chart-length').data")
    assert len(data[0]) == len(strides)  # one walk without pauses: one row per stride
    for i in odd:
        assert data[4][i] == pytest.approx(expected[i]) and data[4][i] != pytest.approx(strides[i]["target_m"])
    tol = server.client.get("/api/profile").json()["coaching"]["tolerance_m"]
    assert all((lo is None) == (hi is None) for lo, hi in zip(data[4], data[5], strict=True))
    assert all(hi == pytest.approx(lo + tol) for lo, hi in zip(data[4], data[5], strict=True) if lo is not None)
    assert errors == [], errors


def test_deleting_a_walk_of_one_stride_asks_in_the_singular(browser_context, server: Server, tmp_path: Path) -> None:
    # a live walk stopped after a stride (an upload of so few steps is refused, a live walk is kept whatever its
    # length), written to the server's store as its live walks are
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    try:
        stride = (0.0, 1.1, 1.3, 110.0, 1.2, 0.8, "test", None, None, None)
        summary = {"duration_s": 1.6, "steps": 3, "strides": 1}
        walk_id = store.add_walk(
            NewWalk(name="short", origin="live", placement="lower_back", summary=summary, strides=[stride])
        )
    finally:
        store.close()
    walk = server.client.get(f"/api/walks/{walk_id}").json()
    assert walk["summary"]["strides"] == 1
    page = browser_context.new_page()
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.click("#delete-walk")
    page.wait_for_url("**/#/walks")
    assert asked == ['Delete "short" and its 1 stride?']
    assert server.client.get("/api/walks").json() == []


def test_pain_form_and_profile_form_save(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/pain")
    page.fill("#score", "6")
    page.fill("#onset-km", "4.8")
    page.fill("#note", "after the hill")
    page.click("#pain-form button[type=submit]")
    page.wait_for_selector("#pain-table")
    reports = server.client.get("/api/pain").json()
    assert len(reports) == 1 and reports[0]["score"] == 6 and reports[0]["onset_distance_m"] == 4800
    page.goto(server.url + "/#/profile")
    page.fill("#height", "1.82")
    page.check("#coach-on")
    page.click("#profile-form button[type=submit]")
    wait_js(page, "document.getElementById('profile-msg').textContent.startsWith('Saved. Coaching settings apply')")
    profile = server.client.get("/api/profile").json()
    assert profile["body_height_m"] == 1.82 and profile["coaching"]["enabled"] is True
    page.goto(server.url + "/#/")
    page.wait_for_selector("#recommendation")
    assert page.locator("#rec-distance").inner_text() == "4.0 km (2.5 mi)"  # 5/6 of 4.8 km (3.0 mi)
    shot(page, "home-desktop")
    assert errors == [], errors


def test_live_page_opened_mid_walk_shows_strides_so_far(browser_context, server: Server) -> None:
    assert server.client.post("/api/live/demo", json={"sample": "a_overstride_walk.csv", "speed": 2}).status_code == 202
    walk_id = server.client.get("/api/live").json()["walk_id"]
    server.wait_until(lambda: len(server.client.get(f"/api/walks/{walk_id}/strides").json()) >= 8, "stored strides")
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    page.wait_for_selector("#lv-strides")
    wait_js(page, "Number(document.getElementById('lv-strides')?.textContent) >= 8")
    assert page.locator("#live-badge").inner_text() == "live"
    server.client.post("/api/live/stop")
    assert errors == [], errors


def test_a_shoe_sensor_uploaded_as_lower_back_gets_a_placement_notice(
    browser_context, server: Server, tmp_path: Path
) -> None:
    foot = REPO / "sample_recordings" / "gaitmap_left_foot.csv"
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(foot))
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=60_000)
    page.wait_for_selector("#notes")
    notice = page.locator("p.notice.placement-check").inner_text()  # beside "not medical advice"
    assert "placement check" in notice and "--placement foot" in notice, notice
    # the note names the control on this page that analyses the walk again in place, in the page's own words
    control = page.locator("#reanalyse-placement summary").inner_text()
    assert f'"{control}" on the walk\'s page' in notice and "delete" not in notice, (control, notice)
    assert "inverted-pendulum" in page.locator("#notes").inner_text()
    shot(page, "walk-placement-notice")
    assert errors == [], errors


def test_lengths_not_trusted_for_coaching_are_counted_and_drawn_apart(browser_context, server: Server) -> None:
    profile = server.client.get("/api/profile").json()
    profile.pop("not_medical_advice", None)
    assert server.client.put("/api/profile", json={**profile, "body_height_m": 1.70}).status_code == 200
    daily = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"  # turns, shuffles, hesitations
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.set_input_files("#file", str(daily))
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=60_000)
    page.wait_for_selector("#chart-length canvas")
    walk_id = int(page.url.rsplit("/", 1)[1])
    walk = server.client.get(f"/api/walks/{walk_id}").json()
    with_length = [s for s in server.client.get(f"/api/walks/{walk_id}/strides").json() if s["length_m"] is not None]
    trusted = sum(s["confidence"] >= walk["coaching"]["min_confidence"] for s in with_length)
    assert 0 < trusted < len(with_length)  # a mix: the walk's turns and shuffles are not trusted
    assert page.locator("#trusted").inner_text() == str(trusted)
    assert page.locator("#trusted-unit").inner_text() == f"of {len(with_length)}"
    assert "not trusted for coaching" in page.locator("main").inner_text()  # the chart's legend says which are which
    shot(page, "walk-trusted-lengths")
    assert errors == [], errors


def test_live_sound_button_says_its_state_and_mutes_the_cues(browser_context, server: Server) -> None:
    # QA18 #9: the button said "Enable sound" while Start had turned sound on and cues beeped, and a tap could not
    # mute them mid-walk (the walker had to leave for the Profile page)
    profile = {"body_height_m": 1.5, "stride_scale": 1.3, "placement": "lower_back", "coaching": {"enabled": True}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    assert server.client.post("/api/pain", json={"score": 5}).status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    sound = page.locator("#sound")
    assert sound.inner_text() == "Sound off (tap to turn on)"
    page.select_option("#demo-sample", "a_overstride_walk.csv")
    page.select_option("#demo-speed", "5")
    page.click("#start-demo")  # a click: the browser lets the page play sound from now on
    assert sound.inner_text() == "Sound on (tap to mute)" and sound.get_attribute("aria-pressed") == "true"
    wait_js(page, "Number(document.body.dataset.beeps || 0) >= 1")
    sound.click()
    assert sound.inner_text() == "Sound off (tap to turn on)" and sound.get_attribute("aria-pressed") == "false"
    beeps = int(page.evaluate("document.body.dataset.beeps"))
    page.evaluate("beep()")  # what a cue plays: nothing while muted
    assert int(page.evaluate("document.body.dataset.beeps")) == beeps
    sound.click()
    assert sound.inner_text() == "Sound on (tap to mute)"
    page.evaluate("beep()")
    assert int(page.evaluate("document.body.dataset.beeps")) == beeps + 1
    server.client.post("/api/live/stop")
    assert errors == [], errors


def test_live_sound_button_remembers_sound_was_on_after_a_reload(browser_context, server: Server) -> None:
    # QA coachwords #4: after a reload mid-walk the button read "Sound off (tap to turn on)" although sound was on:
    # browsers block sound until the page is tapped again, and the button now says so
    profile = {"body_height_m": 1.5, "stride_scale": 1.3, "placement": "lower_back", "coaching": {"enabled": True}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/live")
    sound = page.locator("#sound")
    page.select_option("#demo-sample", "a_overstride_walk.csv")
    page.click("#start-demo")
    assert sound.inner_text() == "Sound on (tap to mute)"
    page.reload()
    page.wait_for_selector("#sound")
    assert sound.inner_text() == "Sound was on: tap to turn it on again (the browser needs a tap after a reload)"
    assert sound.get_attribute("aria-pressed") == "false"
    sound.click()
    assert sound.inner_text() == "Sound on (tap to mute)"
    sound.click()  # muted on purpose: a reload keeps it off, without the reminder
    page.reload()
    page.wait_for_selector("#sound")
    assert sound.inner_text() == "Sound off (tap to turn on)"
    server.client.post("/api/live/stop")
    assert errors == [], errors
