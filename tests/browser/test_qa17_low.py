"""QA17's low findings as a walker sees them in Chromium against `gait serve`: a walk whose level was set by its last
stride, a no-pain report with an onset, the upload page when the service stops mid-upload, the Profile page's
export checkbox."""

from __future__ import annotations

from pathlib import Path

from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import REPO, Server

GAITMAP_LEFT = REPO / "sample_recordings" / "gaitmap_left_foot.csv"
# The gaitmap left foot cut at 24.6 s: 20 strides, all trusted (the foot's lengths do not depend on the height), so
# its 20th trusted stride, the one that sets the walk's own level, is its last.
LEVEL_AT_LAST_STRIDE_S = 24.6


def level_at_last_stride_csv(tmp_path: Path) -> Path:
    """The gaitmap left foot sample cut after :data:`LEVEL_AT_LAST_STRIDE_S` (gait CSV)."""
    lines = GAITMAP_LEFT.read_text().splitlines(keepends=True)
    kept = [lines[0]] + [row for row in lines[1:] if float(row.split(",", 1)[0]) <= LEVEL_AT_LAST_STRIDE_S]
    path = tmp_path / "foot_20_strides.csv"
    path.write_text("".join(kept))
    return path


def test_a_walk_whose_level_was_set_by_its_last_stride_says_so_on_its_chart_and_in_its_coaching(
    browser_context, server: Server, tmp_path: Path
) -> None:
    # QA17 #12: the chart said the walk "did not have that many" trusted strides while its coaching said strides
    # were compared with its first 20: it had exactly 20, the last of them its last stride
    profile = {"body_height_m": 1.75, "placement": "foot", "coaching": {"enabled": True}}
    assert server.client.put("/api/profile", json=profile).status_code == 200
    assert server.client.post("/api/pain", json={"score": 4}).status_code == 201
    path = level_at_last_stride_csv(tmp_path)
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh, "text/csv")}, data={"placement": "foot"})
    assert r.status_code == 201, r.text
    walk_id = r.json()["walks"][0]["id"]
    strides = server.client.get(f"/api/walks/{walk_id}/strides").json()
    trusted = [s for s in strides if s["length_m"] is not None and s["confidence"] >= 0.6]
    # the case itself: 20 trusted strides, the last stride among them, no stride with a target
    assert len(trusted) == 20 and trusted[-1]["idx"] == strides[-1]["idx"], strides
    assert all(s["target_m"] is None for s in strides)
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/walk/{walk_id}")
    assert page.locator("#no-band").inner_text() == (
        "no target band: no baseline of yours for a foot sensor yet, so this walk's first 20 trusted strides were to "
        "set its level, and the 20th was its last stride: none was left to compare (see its coaching below)"
    )
    coaching = page.locator("#coaching-then").inner_text()
    assert "the last of them was the walk's last stride, so no stride was left to compare with a target." in coaching
    assert "strides were compared with" not in coaching and "did not have that many" not in coaching
    assert errors == [], errors


def test_the_pain_page_says_a_report_of_no_pain_has_no_onset(browser_context, server: Server) -> None:
    # QA17 #8: 0/10 with "It started after 0.05 km" was saved silently
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/pain")
    page.fill("#score", "0")
    page.fill("#onset-km", "0.05")
    page.click("#pain-form button[type=submit]")
    msg = page.locator("#pain-msg")
    msg.filter(has_text="0/10").wait_for()
    assert msg.inner_text().startswith("a pain score of 0/10 means no pain, so there is no point into the walk")
    assert "error" in (msg.get_attribute("class") or "")
    assert msg.is_visible()  # the form's own status line, beside its Save button, as its other refusals
    assert server.client.get("/api/pain").json() == []
    assert [e for e in errors if "status of 422" not in e] == [], errors  # the refusal itself is logged


def test_an_upload_cut_off_by_the_service_stopping_says_so_and_what_to_do(
    browser_context, server: Server, tmp_path: Path
) -> None:
    # QA17 #9: after a kill -9 mid-upload the page said only "the connection to the server failed"
    path = write_walk_csv(tmp_path / "long.csv", duration_s=4000.0)  # 400,000 rows: seconds to send and read
    page = browser_context.new_page()
    open_page(page, f"{server.url}/#/upload")
    page.set_input_files("#file", str(path))
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    wait_js(page, "/Sending|Reading/.test(document.getElementById('upload-stage').textContent)")
    server.kill()  # the service crashes mid-upload
    wait_js(page, "document.getElementById('upload-error').textContent.length > 10")
    said = page.locator("#upload-error").text_content()  # the commands are drawn as code blocks
    assert said == (
        "Upload failed: the gait service stopped answering during the upload (it was stopped, or it crashed), so "
        "nothing of this file was stored. Start it again (./run demo or gait serve), reload this page and upload the "
        "file again (had it been stored just before, the upload says so and names its walk)."
    ), said
    assert page.locator("#upload-error code.command").all_inner_texts() == ["./run demo", "gait serve"]


# Each checkbox row of the Profile page: the box, its label, the gap between them and their vertical centres.
CHECKBOX_ROWS = """(() => ["coach-on", "audio", "export-samples"].map((id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  const label = document.querySelector(`label[for="${id}"]`).getBoundingClientRect();
  return { id, gap: label.left - box.right, offset: (label.top + label.height / 2) - (box.top + box.height / 2),
           boxLeft: box.left };
}))()"""


def test_the_profiles_export_checkbox_sits_as_the_other_checkbox_rows(browser_context, server: Server) -> None:
    # QA17 #10: "Include the raw sensor samples ..." touched its box, which sat higher than the text
    page = browser_context.new_page()
    open_page(page, f"{server.url}/#/profile")
    coach, audio, export = page.evaluate(CHECKBOX_ROWS)
    assert coach["gap"] == audio["gap"] >= 6, (coach, audio)  # 0.5rem
    assert export["gap"] == coach["gap"], export
    for row in (coach, audio, export):
        assert abs(row["offset"]) <= 1, row  # the box centred on its label's line
    assert export["boxLeft"] == coach["boxLeft"], export


def test_upload_progress_words_and_bar_are_one_scale_that_never_goes_back(
    browser_context, server: Server, tmp_path: Path
) -> None:
    # QA18 #14: over a slow link the words counted the transfer alone ("Sending… 96 %" over a bar a tenth full),
    # then fell to the service's "Receiving… 0 %"
    path = write_walk_csv(tmp_path / "long.csv", duration_s=1200.0)  # about 4 MB
    page = browser_context.new_page()
    open_page(page, f"{server.url}/#/upload")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1_500_000},
    )
    page.evaluate(
        """() => { window.progressSeen = [];
          new MutationObserver(() => window.progressSeen.push([document.getElementById('upload-stage').textContent,
            document.getElementById('upload-bar').value])).observe(document.getElementById('upload-stage'),
            { childList: true, characterData: true, subtree: true }); }"""
    )
    page.set_input_files("#file", str(path))
    page.select_option("#placement", "lower_back")
    page.click("#upload-btn")
    page.wait_for_selector("#summary", timeout=60_000)  # the walk's page once it is stored
    seen = [(text, bar) for text, bar in page.evaluate("window.progressSeen") if "%" in text]
    assert any(text.startswith("Sending") for text, _ in seen), seen
    assert any(not text.startswith("Sending") for text, _ in seen), seen
    percents = [int(text.split("… ")[1].rstrip(" %")) for text, _ in seen]
    assert percents == sorted(percents), seen  # never back
    for (text, bar), percent in zip(seen, percents, strict=True):
        assert percent == round(100 * bar), (text, bar)  # the words say what the bar shows
        if text.startswith("Sending"):
            assert percent <= 30, seen


def test_saving_coaching_settings_says_stored_walks_keep_the_targets_of_their_day(
    browser_context, server: Server
) -> None:
    # QA18 #15: a walker who lowered the target saw only "Saved." and expected the stored walks' flags to follow
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/profile")
    hint = "Coaching settings apply to your walks from now on: a stored walk keeps the target and flags it was given"
    assert page.locator("#coaching-from-now").inner_text().startswith(hint)
    page.fill("#tolerance", "0.1")
    page.click("#profile-form button[type=submit]")
    wait_js(page, "document.getElementById('profile-msg').textContent.startsWith('Saved.')")
    assert page.locator("#profile-msg").inner_text() == f"Saved. {page.locator('#coaching-from-now').inner_text()}"
    assert server.client.get("/api/profile").json()["coaching"]["tolerance_m"] == 0.1
    page.fill("#height", "1.8")  # not a coaching setting: no such words
    page.click("#profile-form button[type=submit]")
    wait_js(page, "document.getElementById('profile-msg').textContent === 'Saved.'")
    assert errors == [], errors
