"""The dashboard's date and time boxes on the nights the clocks change, in a browser whose computer keeps Los Angeles
time: 02:30 on 8 March 2026 never happened there (the clocks went from 02:00 to 03:00), and 01:00-02:00 on 1
November 2026 came twice (01:30 PDT, then 01:30 PST an hour later). A time that never happened is refused where it
was typed, saying why and the time meant; a time shown in a box and saved unchanged is the moment it was filled
with, never the other 01:30 an hour away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import chromium_context
from tests.browser.test_dashboard import watch_console
from tests.service.conftest import write_walk_csv
from tests.service.serverproc import Server

SECOND_0130 = "2026-11-01T01:30-08:00"  # the second 01:30 of 1 November in Los Angeles (PST), 09:30 UTC


@pytest.fixture
def los_angeles_context(chromium_path: Path, tmp_path: Path):
    with chromium_context(chromium_path, tmp_path, timezone_id="America/Los_Angeles") as context:
        yield context


def _open_walk_at_the_second_0130(context, server: Server, tmp_path: Path, route: str):
    """A walk started at the second 01:30 of 1 November (an upload dated by the API), and a page opened on ``route``
    ({id}: the walk's): the walk, the page and its console's errors."""
    with write_walk_csv(tmp_path / "late walk.csv", duration_s=150.0).open("rb") as fh:
        r = server.client.post(
            "/api/uploads",
            files={"file": ("late walk.csv", fh)},
            data={"placement": "lower_back", "started_at": SECOND_0130},
        )
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    page = context.new_page()
    errors = watch_console(page)
    page.goto(server.url + route.format(id=walk["id"]))
    return walk, page, errors


def test_a_time_the_clocks_skipped_is_refused_in_the_upload_form(
    los_angeles_context, server: Server, tmp_path: Path
) -> None:
    page = los_angeles_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/upload")
    page.wait_for_selector("#started-at")
    page.set_input_files("#file", str(write_walk_csv(tmp_path / "spring.csv", duration_s=90.0)))
    page.select_option("#placement", "lower_back")
    page.fill("#started-at", "2026-03-08T02:30")
    page.click("#upload-btn")
    page.wait_for_function("() => document.getElementById('upload-error').textContent !== ''")
    said = page.locator("#upload-error").inner_text()
    assert said.startswith("Not uploaded: 2026-03-08 02:30 never happened on this computer's clock"), said
    assert "the clocks were put forward" in said and "2026-03-08 03:30 is that moment" in said, said
    assert server.client.get("/api/walks").json() == []  # not sent as 01:30 PST (09:30 UTC) under another offset
    # the same form with the time the clock showed: 03:30 PDT
    page.fill("#started-at", "2026-03-08T03:30")
    page.click("#upload-btn")
    page.wait_for_url("**/#/walk/*", timeout=60_000)
    (walk,) = server.client.get("/api/walks").json()
    assert datetime.fromisoformat(walk["started_at"]) == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert errors == [], errors


def test_a_start_in_the_hour_that_came_twice_stays_put_when_saved_unchanged(
    los_angeles_context, server: Server, tmp_path: Path
) -> None:
    walk, page, errors = _open_walk_at_the_second_0130(los_angeles_context, server, tmp_path, "/#/walk/{id}")
    page.wait_for_selector("#change-date-input", state="attached")
    assert page.input_value("#change-date-input") == "2026-11-01T01:30"
    page.click("#change-date summary")
    page.click("#change-date-btn")
    page.wait_for_selector("#date-changed")
    after = server.client.get(f"/api/walks/{walk['id']}").json()
    assert datetime.fromisoformat(after["started_at"]) == datetime.fromisoformat(SECOND_0130)  # not 01:30 PDT
    # a time the clocks skipped is refused beside the box, and nothing changes
    page.wait_for_selector("#change-date-input", state="attached")
    page.evaluate("document.getElementById('change-date').open = true")
    page.fill("#change-date-input", "2026-03-08T02:10")
    page.click("#change-date-btn")
    page.wait_for_selector("#change-date-msg.error")
    said = page.locator("#change-date-msg").inner_text()
    assert "2026-03-08 02:10 never happened" in said and "2026-03-08 03:10 is that moment" in said, said
    assert server.client.get(f"/api/walks/{walk['id']}").json()["started_at"] == after["started_at"]
    assert errors == [], errors


def test_pain_for_a_walk_in_the_hour_that_came_twice_is_saved_at_its_end(
    los_angeles_context, server: Server, tmp_path: Path
) -> None:
    walk, page, errors = _open_walk_at_the_second_0130(los_angeles_context, server, tmp_path, "/#/pain")
    page.wait_for_selector("#pain-form")
    page.select_option("#pain-walk", str(walk["id"]))
    end = datetime.fromisoformat(walk["started_at"]) + timedelta(seconds=walk["summary"]["duration_s"])
    assert page.input_value("#when") == end.astimezone(datetime.fromisoformat(SECOND_0130).tzinfo).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    page.click("#pain-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('pain-msg').textContent !== ''")
    assert page.locator("#pain-msg").inner_text() == "Saved.", page.locator("#pain-msg").inner_text()
    (report,) = server.client.get("/api/pain").json()
    assert report["walk_id"] == walk["id"]
    assert abs(datetime.fromisoformat(report["reported_at"]) - end) < timedelta(seconds=1)  # the PST end, not PDT
    assert errors == [], errors


def test_walks_in_the_hour_that_came_twice_are_told_apart_by_their_zone(
    los_angeles_context, server: Server, tmp_path: Path
) -> None:
    _later, page, errors = _open_walk_at_the_second_0130(los_angeles_context, server, tmp_path, "/#/walk/{id}")
    with write_walk_csv(tmp_path / "early walk.csv", duration_s=120.0, step_hz=1.7).open("rb") as fh:
        r = server.client.post(
            "/api/uploads",
            files={"file": ("early walk.csv", fh)},
            data={"placement": "lower_back", "started_at": "2026-11-01T01:30-07:00"},  # the first 01:30 (PDT)
        )
    assert r.status_code == 201, r.text
    page.wait_for_selector("#walk-date")
    assert page.locator("#walk-date").inner_text() == "Nov 1, 2026, 01:30 AM PST"
    page.goto(server.url + "/#/walks")
    page.wait_for_selector("td.walk-name")
    rows = page.locator("tbody tr").all_inner_texts()
    assert [("late walk" in row, "01:30 AM PST" in row, "01:30 AM PDT" in row) for row in rows] == [
        (True, True, False),
        (False, False, True),
    ], rows
    assert errors == [], errors


def test_a_start_saved_unchanged_keeps_its_seconds(los_angeles_context, server: Server, tmp_path: Path) -> None:
    # "Change date" opened and saved as shown (to confirm a date): the box shows minutes, the walk keeps 09:30:27
    given = "2026-11-20T09:30:27-08:00"
    with write_walk_csv(tmp_path / "walk.csv", duration_s=150.0).open("rb") as fh:
        r = server.client.post(
            "/api/uploads", files={"file": ("walk.csv", fh)}, data={"placement": "lower_back", "started_at": given}
        )
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    page = los_angeles_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk['id']}")
    page.wait_for_selector("#change-date-input", state="attached")
    assert page.input_value("#change-date-input") == "2026-11-20T09:30"
    page.click("#change-date summary")
    page.click("#change-date-btn")
    page.wait_for_selector("#date-changed")
    after = server.client.get(f"/api/walks/{walk['id']}").json()
    assert datetime.fromisoformat(after["started_at"]) == datetime.fromisoformat(given)  # not 09:30:00
    assert after["source"]["started_at_from"] == "user"  # saved: dated by the walker from then on
    assert errors == [], errors
