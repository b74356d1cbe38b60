"""Walk charts measure from the walk's start whatever the recording's time origin (a gait CSV in Unix seconds)."""

from __future__ import annotations

from pathlib import Path

from tests.browser.test_dashboard import watch_console
from tests.service.serverproc import Server

UNIX_START_S = 1_795_599_000.0
"""2026-11-25 UTC: a gait CSV whose time column counts Unix seconds (README: dated by its start)."""


def test_charts_of_a_unix_time_walk_read_time_into_the_walk(browser_context, server: Server, tmp_path: Path) -> None:
    from gait.types import Recording
    from ingest.gait_csv import write_gait_csv
    from tests.service.conftest import synthetic_walk

    walk = synthetic_walk(duration_s=150.0)
    path = tmp_path / "unix_walk.csv"
    write_gait_csv(Recording(walk.time_s + UNIX_START_S, walk.acc_ms2), path)
    with path.open("rb") as fh:
        uploaded = server.client.post(
            "/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"}
        ).json()["walks"][0]
    assert uploaded["source"]["started_at_from"] == "recording"
    walk_id = uploaded["id"]
    pain = {"score": 4, "walk_id": walk_id, "onset_distance_m": 100, "onset_time_s": 100}
    assert server.client.post("/api/pain", json=pain).status_code == 201
    page = browser_context.new_page()
    errors = watch_console(page)
    page.goto(f"{server.url}/#/walk/{walk_id}")
    page.wait_for_selector("#chart-length canvas")
    page.wait_for_selector("#chart-cadence canvas")
    for chart in ("chart-length", "chart-cadence"):
        found = f"state.charts.find((u) => u.root.parentElement.id === '{chart}')"
        xs = [x for x in page.evaluate(f"{found}.data[0]") if x is not None]
        # seconds into a 150-second walk (a short walk's axis reads in seconds), not seconds since 1970
        assert min(xs) >= 0 and max(xs) <= 150, (chart, min(xs), max(xs))
        # the pain onset (after 1 min 40 s) lies inside the drawn x range, so its marker is on the chart
        lo, hi = page.evaluate(f"[{found}.scales.x.min, {found}.scales.x.max]")
        assert lo <= 100 <= hi, (chart, lo, hi)
    assert errors == [], errors
