"""What a QA pass found on the dashboard: a deleted pain report still read as current on walk pages, sample walks
citing the user's profile, an interrupted walk without a word of explanation, walk tables cut off on a phone and
weekly trends that drew two years apart as neighbours."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from service.demo import import_samples
from service.store import NewWalk, Store
from tests.browser.conftest import PHONE, shot
from tests.browser.test_dashboard import open_page, watch_console
from tests.ingest.test_apple_health import export, record
from tests.service.conftest import synthetic_walk
from tests.service.serverproc import REPO, Server
from tests.service.test_coaching_honesty import iso, write_csv

DAY_S = 86400.0
SAMPLE = "mobgap_lower_back_daily_living_2"  # a long file name, as sample walks have


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Server, dict[str, int]]]:
    """A server on a data folder that holds a sample walk and a live walk a crash interrupted (3 strides saved,
    no journal), as a restart finds it."""
    data, samples = tmp_path / "data", tmp_path / "samples"
    data.mkdir()
    samples.mkdir()
    for suffix in (".csv", ".reference.json"):
        shutil.copy(REPO / "sample_recordings" / f"{SAMPLE}{suffix}", samples / f"{SAMPLE}{suffix}")
    store = Store(data / "gait.sqlite3").open()
    try:
        (sample_id,) = import_samples(store, samples)
        live_id = store.start_live_walk(NewWalk(name="morning walk", origin="live", placement="lower_back"))
        strides = [(i, i + 1.0, 1.3, 110.0, 1.3, 0.8, "test", None, None, None) for i in range(3)]
        steps = [(i * 0.5, None) for i in range(8)]
        store.append_live(live_id, strides=strides, steps=steps)
    finally:
        store.close()
    server = Server(data, samples, demo=False)  # its start closes the live walk as interrupted
    try:
        yield server, {"sample": sample_id, "interrupted": live_id}
    finally:
        server.kill()


def test_walk_pages_say_what_their_coaching_was(browser_context, seeded, tmp_path: Path) -> None:
    server, ids = seeded
    page = browser_context.new_page()
    errors = watch_console(page)
    # a sample walk: not coached, and nothing of the user's profile or plan is cited
    page.goto(server.url + f"/#/walk/{ids['sample']}")
    page.wait_for_selector("#coaching-then")
    text = page.locator("#coaching-then").inner_text()
    assert "not coached" in text and "Not part of your coaching" in text, text
    assert "your profile)" not in text and "so far" not in text and "population default" not in text, text
    assert "no target" in page.locator("#no-band").inner_text()
    # an interrupted walk says what happened and what was kept
    open_page(page, server.url + f"/#/walk/{ids['interrupted']}")  # the sample walk's page had its #summary too
    notice = page.locator("p.notice", has_text="interrupted").inner_text()
    assert "service stopped while it was running" in notice and "3 strides saved during the walk were kept" in notice
    # a walk whose plan rested on a pain report deleted since
    now_s = time.time()
    assert server.client.put("/api/profile", json={"coaching": {"enabled": True}}).status_code == 200
    r = server.client.post(
        "/api/pain", json={"score": 6, "reported_at": iso(now_s - 5 * DAY_S), "onset_distance_m": 240}
    )
    report = r.json()
    csv = write_csv(tmp_path / "w.csv", synthetic_walk(duration_s=150.0), start_epoch_s=now_s - 2 * DAY_S)
    with csv.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": ("w.csv", fh)}, data={"placement": "lower_back"})
    walk_id = r.json()["walks"][0]["id"]
    open_page(page, server.url + f"/#/walk/{walk_id}")
    assert page.locator("#deleted-pain").count() == 0
    assert "back pain 6/10" in page.locator("#coaching-then").inner_text()
    assert server.client.delete(f"/api/pain/{report['id']}").status_code == 204
    page.reload()
    page.wait_for_selector("#deleted-pain")
    note = page.locator("#deleted-pain").inner_text()
    assert "deleted" in note and "back pain 6/10" in note and "no longer holds" in note, note
    shot(page, "walk-deleted-pain")
    assert errors == [], errors


def test_walk_tables_show_date_stride_and_flagged_on_a_phone(browser_context, seeded) -> None:
    server, _ = seeded
    page = browser_context.new_page()
    errors = watch_console(page)
    page.set_viewport_size(PHONE)
    for route, ready in (("#/walks", "h1:text-is('Walks')"), ("#/", "#recommendation")):
        page.goto(server.url + "/" + route)
        page.wait_for_selector(ready)
        page.wait_for_selector("#walks-table tbody tr")
        shot(page, "walks-phone" if route == "#/walks" else "home-phone")
        wrap = page.evaluate(
            "(() => { const w = document.querySelector('#walks-table').parentElement;"
            " return [w.scrollWidth, w.clientWidth]; })()"
        )
        assert wrap[0] <= wrap[1], f"{route}: the table scrolls sideways ({wrap})"
        headers = page.locator("#walks-table th")
        visible = [headers.nth(i) for i in range(headers.count()) if headers.nth(i).is_visible()]
        assert [h.inner_text().lower() for h in visible][-2:] == ["stride (m)", "flagged"]
        for h in visible:
            box = h.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (route, h.inner_text(), box)
        rows = page.locator("#walks-table tbody tr")
        for i in range(rows.count()):  # each walk's date is on screen, under its name
            when = rows.nth(i).locator(".narrow-date")
            assert when.is_visible() and any(y in when.inner_text() for y in ("2024", "2025", "2026", "2027"))
    assert errors == [], errors


def _health_walks(days: list[date]) -> str:
    body = ""
    for d in days:
        body += record("StepCount", "count", 600, f"{d} 12:00:00 +0000", f"{d} 12:05:00 +0000")
        body += record("DistanceWalkingRunning", "km", 0.36, f"{d} 12:00:00 +0000", f"{d} 12:05:00 +0000")
    return export(body)


def test_trends_show_gaps_in_time_as_gaps(browser_context, tmp_path: Path) -> None:
    days = [date(2024, 10, 16), date(2024, 10, 23), date(2026, 10, 14)]  # ISO weeks 2024-W42, W43, 2026-W42
    server = Server(tmp_path / "data", tmp_path / "none", demo=False)
    try:
        r = server.client.post("/api/uploads", files={"file": ("export.xml", _health_walks(days).encode(), "text/xml")})
        assert r.status_code == 201, r.text
        page = browser_context.new_page()
        errors = watch_console(page)
        for period, unit_days in (("week", 7), ("day", 1)):
            # all: Trends open on recent walking; the day's page is not read off the week's charts still shown
            open_page(page, server.url + f"/#/trends?period={period}&range=all")
            x, km = page.evaluate("[state.charts[0].data[0], state.charts[0].data[1]]")
            walked = [xi for xi, v in zip(x, km, strict=True) if v is not None]
            monday = [d - timedelta(days=d.weekday()) if period == "week" else d for d in days]
            # the bars stand as far apart as the periods are, in slots of one day or one week
            assert walked == [(m - monday[0]).days // unit_days for m in monday], walked
            shot(page, f"trends-gap-{period}")
        labels = page.evaluate("state.charts[0].axes[0]._values")
        assert labels and all(v == "" or len(v) == 10 for v in labels), labels  # calendar days label the axis
        assert errors == [], errors
    finally:
        server.kill()


def test_home_says_that_walks_of_the_recommended_length_count(browser_context, server: Server, tmp_path: Path) -> None:
    now_s = time.time()
    start_s = now_s - 10 * DAY_S

    def upload(name: str, duration_s: float, at_s: float) -> dict:
        csv = write_csv(tmp_path / name, synthetic_walk(duration_s=duration_s), start_epoch_s=at_s)
        with csv.open("rb") as fh:
            r = server.client.post("/api/uploads", files={"file": (name, fh)}, data={"placement": "lower_back"})
        assert r.status_code == 201, r.text
        return r.json()["walks"][0]

    assert server.client.put("/api/profile", json={"coaching": {"enabled": True}}).status_code == 200
    painful = upload("long.csv", 300.0, start_s)
    pain = {"score": 4, "walk_id": painful["id"], "onset_time_s": 100, "onset_distance_m": 100}
    assert server.client.post("/api/pain", json=pain).status_code == 201
    for i in range(3):  # pain-free walks of about 90 s, as recommended
        upload(f"short{i}.csv", 92.0 + i, start_s + (i + 1) * DAY_S)
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/")
    page.wait_for_selector("#recommendation .value")
    rec = page.locator("#recommendation").inner_text()
    assert "counts as a pain-free walk" in rec and "1 minute of walking" in rec, rec
    coaching = page.locator(".card", has_text="Stride coaching:").inner_text()
    assert "3 pain-free walks" in coaching, coaching
    shot(page, "home-short-plan")
    assert errors == [], errors


def test_a_sample_walk_without_a_start_time_says_it_is_dated_at_its_import(browser_context, seeded) -> None:
    server, ids = seeded
    walk = server.client.get(f"/api/walks/{ids['sample']}").json()
    assert walk["source"]["started_at_from"] == "import"  # the sample's file holds no start time
    page = browser_context.new_page()
    page.goto(f"{server.url}/#/walk/{ids['sample']}")
    page.wait_for_selector("#summary")
    note = page.locator("#started-note").inner_text()
    assert "imported at first start" in note and "uploaded" not in note, note
