"""QA30: the dashboard with a keyboard and a screen reader.

An automated audit (axe-core, through axe-playwright-python) of every page at a desktop's and a phone's width, with
the sample recordings loaded; focus kept where a keyboard walker is when a button's action ends or a question is
answered; a focused control never hidden under the sticky header; live regions touched only when their words change
(a screen reader may read a region out each time it is rewritten, the same words at every stride included).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, chromium_context
from tests.browser.test_dashboard import open_page, wait_js, watch_console
from tests.browser.test_qa_fixes import _health_walks
from tests.browser.test_qa_leftovers import upload
from tests.browser.test_sensors import serve_virtual
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server

AE = "document.activeElement ? document.activeElement.id : null"


def focused(page) -> str:
    """The focused element, as a test failure reads it: its tag, id and first words."""
    return page.evaluate(
        "(() => { const e = document.activeElement; return e ? `${e.tagName}#${e.id} ${(e.textContent || '')"
        ".trim().slice(0, 60)}` : 'nothing'; })()"
    )


# -- the automated audit ---------------------------------------------------------------------------------------


def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    chromium_path: Path, tmp_path: Path, samples_dir: Path
) -> None:
    """Every page (Home, Walks, a walk's page, Upload, Live, Trends, Pain, Profile) at 1280 and 390 px, with the
    sample recordings and a walk of one's own stored, a pain report and a live demo walk running."""
    from axe_playwright_python.sync_playwright import Axe

    server = Server(tmp_path / "data", samples_dir, demo=True)
    try:
        own = upload(server, write_walk_csv(tmp_path / "mine.csv", duration_s=150.0))
        assert server.client.post("/api/pain", json={"score": 4, "walk_id": own}).status_code == 201
        sample = next(w["id"] for w in server.client.get("/api/walks").json() if w["origin"] == "sample")
        pages = ["#/", "#/walks", f"#/walk/{own}", f"#/walk/{sample}", "#/upload", "#/live", "#/trends", "#/pain"]
        pages.append("#/profile")
        assert server.client.put("/api/profile", json={"stride_scales": {"pocket": 1.1}}).status_code == 200
        axe = Axe()
        found = []
        with chromium_context(chromium_path, tmp_path) as context:
            page = context.new_page()
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                for hash_ in pages:
                    open_page(page, f"{server.url}/{hash_}")
                    page.wait_for_timeout(300)  # the charts drawn
                    for v in axe.run(page).response["violations"]:
                        # and a column without a name (minor to axe): its buttons would be read without one
                        if v["impact"] in ("serious", "critical") or v["id"] == "empty-table-header":
                            targets = [n["target"] for n in v["nodes"]]
                            found.append(f"{viewport['width']} px {hash_}: {v['id']} ({v['impact']}) {targets}")
        assert found == [], "\n".join(found)
    finally:
        server.kill()


def test_the_upload_forms_hints_are_read_with_their_fields(browser_context, server: Server) -> None:
    """A screen reader reads a field's hint with it (aria-describedby) only when the field names it."""
    page = browser_context.new_page()
    open_page(page, f"{server.url}/#/upload")
    described = page.evaluate(
        """[...document.querySelectorAll('#upload-form input, #upload-form select')].map((f) => [f.id,
            (f.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
              .map((id) => (document.getElementById(id) || {}).textContent || '')])"""
    )
    hints = {field: words for field, words in described}
    assert hints["file"] and "Sensor Logger" in hints["file"][0], hints
    assert any("stride lengths depend on it" in w for w in hints["placement"]), hints
    assert any("pocket" in w for w in hints["placement"]), hints
    assert hints["side"] and "foot sensors only" in hints["side"][0], hints
    assert hints["started-at"] and "your local time" in hints["started-at"][0], hints


# -- focus where the walker is -------------------------------------------------------------------------------


def test_a_delete_walk_question_answered_no_leaves_focus_on_delete(browser_context, server: Server, tmp_path) -> None:
    """The button was disabled while the walk's latest figures were fetched for the question, and a focused button
    that is disabled loses focus: after "Cancel" focus was on the page's body, Tab went on from the top."""
    walk = upload(server, write_walk_csv(tmp_path / "walk.csv", duration_s=150.0))
    page = browser_context.new_page()
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    open_page(page, f"{server.url}/#/walk/{walk}")
    page.focus("#delete-walk")
    page.keyboard.press("Enter")
    wait_js(page, "document.getElementById('delete-walk') && !document.getElementById('delete-walk').disabled")
    page.wait_for_timeout(200)
    assert len(asked) == 1 and "Delete" in asked[0]
    assert page.evaluate(AE) == "delete-walk", focused(page)
    assert server.client.get(f"/api/walks/{walk}").status_code == 200  # not deleted


def test_an_upload_of_several_walks_puts_focus_on_what_it_added(browser_context, server: Server, tmp_path) -> None:
    days = [date(2025, 3, 3) + timedelta(days=i) for i in range(3)]
    export = tmp_path / "export.xml"
    export.write_text(_health_walks(days))
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/upload")
    page.set_input_files("#file", str(export))
    page.focus("#upload-btn")
    page.keyboard.press("Enter")
    page.wait_for_selector("#upload-count", timeout=60_000)
    page.wait_for_timeout(200)
    assert page.locator("#upload-count").inner_text().startswith("3 walks added")
    # on the result (role=status, read out), not the page's body: Tab goes on to the walks it links
    assert page.evaluate(AE) == "upload-result", focused(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#upload-walks') !== null"), focused(page)
    assert errors == [], errors


def test_analyse_again_puts_focus_on_what_it_did(browser_context, server: Server, tmp_path) -> None:
    walk = upload(server, write_walk_csv(tmp_path / "walk.csv", duration_s=150.0))
    assert server.client.put("/api/profile", json={"body_height_m": 1.95}).status_code == 200  # now out of date
    page = browser_context.new_page()
    open_page(page, f"{server.url}/#/walk/{walk}")
    page.focus("#reanalyse-btn")
    page.keyboard.press("Enter")
    page.wait_for_selector("#reanalyse-result", timeout=60_000)
    page.wait_for_timeout(200)
    assert page.evaluate(AE) == "reanalyse-result", focused(page)
    assert page.locator("#reanalyse-result").get_attribute("role") == "status"


def test_show_older_walks_puts_focus_on_the_first_walk_it_added(browser_context, server: Server) -> None:
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(103)]
    r = server.client.post("/api/uploads", files={"file": ("export.xml", _health_walks(days).encode(), "text/xml")})
    assert r.status_code == 201, r.text
    page = browser_context.new_page()
    open_page(page, f"{server.url}/#/walks")
    page.focus("#walks-older")
    page.keyboard.press("Enter")
    wait_js(page, "document.querySelectorAll('#walks-table tr[data-walk]').length > 100")
    page.wait_for_timeout(200)
    rows = page.locator("#walks-table tr[data-walk]")
    first_added = rows.nth(100).locator("a").get_attribute("href")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first_added, focused(page)


@pytest.fixture
def virtual_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    yield from serve_virtual(tmp_path, monkeypatch)


def test_a_refused_connect_keeps_focus_on_connect(browser_context, virtual_server: Server) -> None:
    page = browser_context.new_page()
    open_page(page, f"{virtual_server.url}/#/live")
    page.fill("#sensor-target", "Nobody's sensor")
    page.focus("#connect-btn")
    page.keyboard.press("Enter")
    wait_js(page, "document.getElementById('sensor-msg').textContent.includes('found')")
    page.wait_for_timeout(200)
    assert page.evaluate(AE) == "connect-btn", focused(page)


# -- focus never under the sticky header ---------------------------------------------------------------------

FOCUS_VS_HEADER = """(() => {
  const e = document.activeElement, r = e.getBoundingClientRect(), top = document.querySelector('.top');
  return { inHeader: top.contains(e) || e.id === 'skip-link' || e === document.body, top: r.top,
           header: top.getBoundingClientRect().bottom, what: `${e.tagName}#${e.id}` };
})()"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_shift_tab_never_hides_the_focused_control_under_the_header(
    browser_context, server: Server, viewport: dict[str, int]
) -> None:
    """Going back up a page with Shift+Tab, the browser scrolled each control to the window's top edge: under the
    sticky header (two rows of links, 113 px, on a phone), where the walker could not see what had focus."""
    page = browser_context.new_page()
    page.set_viewport_size(viewport)
    open_page(page, f"{server.url}/#/profile")
    # from the page's last control, reached from the top as a keyboard reaches it (scrolled into view at the bottom)
    page.evaluate(
        "[...document.querySelectorAll('main a, main button, main input, main select, main summary')].pop().focus()"
    )
    hidden, stops = [], 0
    for _ in range(60):
        page.keyboard.press("Shift+Tab")
        page.wait_for_timeout(150)  # the browser scrolls to the control a moment after the key
        at = page.evaluate(FOCUS_VS_HEADER)
        if at["inHeader"]:
            break
        stops += 1
        if at["top"] < at["header"] - 1:
            hidden.append(f"{at['what']} at {at['top']:.0f} px, header to {at['header']:.0f} px")
    assert stops > 5
    assert hidden == [], hidden


# -- live regions: read out when their words change, not at every stride -------------------------------------

NOTE = "The prompt near your usual point of pain comes after about 20 min of this walk, not at 1.5 km: a test note."


def _feed_body(strides: int) -> str:
    events = [
        (
            "hub",
            {
                "running": True,
                "walk_id": 999_999,
                "sensor": {"name": "Test pod", "address": "AA"},
                "state": {"phase": "streaming", "lost_packets": 0, "gaps": 0},
            },
        )
    ]
    for i in range(strides):
        events.append(
            (
                "stride",
                {
                    "start_s": 1.0 + i,
                    "length_m": 1.1,
                    "trusted": True,
                    "overlong": False,
                    "target_m": 1.0,
                    "cadence_spm": 108.0,
                    "walk_distance_m": 0.55 * (i + 1),
                    "distance_cue_note": NOTE,
                },
            )
        )
        events.append(
            (
                "state",
                {"sensor": {"name": "Test pod", "address": "AA"}, "phase": "streaming", "lost_packets": 0, "gaps": 0},
            )
        )
    events.append(("cue", {"message": "Shorten your stride", "t_s": 9.0, "reason": "3 of the last 5 strides"}))
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


# Each batch of changes inside a live region (role=status or alert, aria-live): the region and whether its words
# changed. A region rewritten with the words it had is read out again by some screen readers.
WATCH_LIVE_REGIONS = """(() => {
  const regions = '[role=status], [role=alert], [aria-live]';
  const words = new Map([...document.querySelectorAll(regions)].map((r) => [r, r.textContent]));
  window.__liveChanges = [];
  new MutationObserver((records) => {
    const touched = new Set();
    for (const rec of records) {
      const node = rec.target.nodeType === Node.ELEMENT_NODE ? rec.target : rec.target.parentElement;
      const region = node && node.closest(regions);
      if (region) touched.add(region);
    }
    for (const r of touched) {
      window.__liveChanges.push({ id: r.id, same: words.get(r) === r.textContent, words: r.textContent });
      words.set(r, r.textContent);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()"""


def test_live_regions_are_rewritten_only_when_their_words_change(browser_context, server: Server) -> None:
    """A stride a second each set the distance note (role=status) and a sensor's state message its status box
    (aria-live) again, the same words each time: a screen reader could read the note's long sentence at every
    stride. The coaching cue (role=alert) is said once."""
    page = browser_context.new_page()
    held = []
    page.route("**/api/live/feed", lambda route: held.append(route))
    open_page(page, f"{server.url}/#/live")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the live page asked for no feed"
    page.evaluate(WATCH_LIVE_REGIONS)
    held[0].fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=_feed_body(10))
    wait_js(page, "document.getElementById('lv-strides').textContent === '10'")
    wait_js(page, "window.__liveChanges.some((c) => c.id === 'cue')")
    changes = page.evaluate("window.__liveChanges")
    assert [c for c in changes if c["same"]] == [], changes
    assert [c["words"] for c in changes if c["id"] == "lv-distance-note"] == [NOTE]
    assert [c["words"] for c in changes if c["id"] == "cue"] == ["Shorten your stride"]


LIVE_REGION_WORDS = """[...document.querySelectorAll('[role=status], [role=alert], [aria-live]')]
  .map((r) => r.textContent.trim()).filter(Boolean)"""


def test_a_demo_walk_started_and_stopped_from_the_keyboard_is_said(browser_context, server: Server) -> None:
    """Start and Stop by keyboard; a screen reader heard that the walk stopped ("Stopped.") but not that it had
    started: the session's state ("Demo replay: streaming") was no live region."""
    page = browser_context.new_page()
    errors = watch_console(page)
    open_page(page, f"{server.url}/#/live")
    page.focus("#start-demo")
    page.keyboard.press("Enter")
    wait_js(page, "document.getElementById('live-badge').textContent === 'live'")
    wait_js(page, "document.getElementById('live-state').textContent.includes('streaming')")
    assert "Demo replay: streaming" in page.evaluate(LIVE_REGION_WORDS)
    page.focus("#stop-live")
    page.keyboard.press("Space")
    wait_js(page, "document.getElementById('live-badge').textContent !== 'live'")
    wait_js(page, "document.getElementById('live-state').textContent.includes('ended')")
    said = page.evaluate(LIVE_REGION_WORDS)
    assert "Stopped." in said and "Demo replay: ended" in said, said
    assert page.evaluate(AE) == "stop-msg", focused(page)  # Stop is disabled now: focus on what it did
    assert errors == [], errors
