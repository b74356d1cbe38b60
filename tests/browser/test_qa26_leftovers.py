"""QA26's leftovers: a pain onset given as a distance is marked on a walk's charts where that distance was walked;
distances are said in kilometres from the first that rounds to 1000 m; an Apple Health walk's Flagged cell in the walk
lists says it has no strides to judge, as its page does."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from gait.types import Recording
from ingest.gait_csv import write_gait_csv
from tests.browser.test_dashboard import watch_console
from tests.browser.test_small_fixes import health_export
from tests.service.serverproc import Server

WALK_S, STOP_S = 60.0, 150.0
"""The recording: walking, standing still, walking again as long (lower back, a steady pace)."""


def walk_with_a_stop(path: Path) -> Path:
    rate_hz, step_hz = 100.0, 1.8
    t = np.arange(0.0, 2 * WALK_S + STOP_S, 1.0 / rate_hz)
    walking = (t < WALK_S) | (t >= WALK_S + STOP_S)
    acc = np.zeros((len(t), 3))
    acc[:, 2] = 9.81 + np.where(walking, 2.0 * np.sin(2 * np.pi * step_hz * t), 0.0)
    acc[:, 0] = np.where(walking, 0.5 * np.sin(np.pi * step_hz * t), 0.0)
    acc += np.random.default_rng(7).normal(0.0, 0.02, acc.shape)
    write_gait_csv(Recording(t, acc), path)
    return path


def test_a_pain_onset_distance_is_marked_where_it_was_walked_not_inside_a_stop(
    browser_context, server: Server, tmp_path: Path
) -> None:
    path = walk_with_a_stop(tmp_path / "walk with a stop.csv")
    with path.open("rb") as fh:
        r = server.client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    distance_m = walk["summary"]["distance_m"]
    assert distance_m > 0
    # three quarters of the distance: halfway through the second walking part (the steady pace walks as far in each),
    # where the share of the recording's time (0.75 x 270 s = 202 s) lies inside the stop (60-210 s)
    pain = {"score": 5, "walk_id": walk["id"], "onset_distance_m": 0.75 * distance_m}
    assert server.client.post("/api/pain", json=pain).status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + f"/#/walk/{walk['id']}")
    page.wait_for_selector("#chart-length[aria-label]")
    words = page.locator("#chart-length").get_attribute("aria-label")
    m = re.search(r"pain onset marked at (?:(\d+) min)? ?(?:(\d+) s)? into the walk", words)
    assert m and (m[1] or m[2]), words
    marked_s = 60 * int(m[1] or 0) + int(m[2] or 0)
    expected_s = WALK_S + STOP_S + WALK_S / 2
    assert abs(marked_s - expected_s) <= 5.0, (marked_s, words)
    assert errors == [], errors


def test_a_distance_that_rounds_to_1000_m_is_said_in_km(browser_context, server: Server) -> None:
    page = browser_context.new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("main h1")
    said = page.evaluate("[fmt.dist(999.4), fmt.dist(999.6), fmt.dist(1000), fmt.distBoth(999.6)]")
    assert said == ["999 m", "1.00 km", "1.00 km", "1.0 km (0.6 mi)"]


def test_an_apple_health_walk_has_no_flagged_count_in_the_walk_list(browser_context, server: Server) -> None:
    r = server.client.post("/api/uploads", files={"file": ("export.xml", health_export(2).encode(), "text/xml")})
    assert r.status_code == 201, r.text
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(server.url + "/#/walks")
    page.wait_for_selector("#walks-table tr[data-walk]")
    cells = page.locator("#walks-table tr[data-walk] td.walk-flagged").all_inner_texts()
    assert [c.strip() for c in cells] == ["–", "–"]  # no strides: nothing was judged, as each walk's page says
    walk_id = page.locator("#walks-table tr[data-walk]").first.get_attribute("data-walk")
    page.goto(server.url + f"/#/walk/{walk_id}")
    page.wait_for_selector("#flagged")
    assert "–" in page.locator("#flagged").inner_text()
    assert errors == [], errors
