"""QA16 #3: pain reported on an older walk. A report dated before the start of the walk it names is refused (the
pain was felt on that walk); a report whose point of pain is older than the coaching's pain lookback is stored, and
the answer and Home say that it gives no walk-length recommendation (it was silently ignored).

Real phone recordings (sample_recordings/ and the Sensor Logger export of 18 Oct 2024 from the shared dev data) on a
real SQLite file through the API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gait.coach.settings import CoachSettings
from tests.service.test_coaching_honesty import iso, post_file
from tests.service.test_pain_added_later import DAY_S, POCKET, upload_dated
from tests.test_cli_analyze import LONG_WALK

LOOKBACK_DAYS = CoachSettings().pain_lookback_days


def test_a_report_dated_before_its_walk_started_is_refused_and_nothing_is_stored(
    client: TestClient, tmp_path: Path
) -> None:
    start_s = float(int(time.time() - 10 * DAY_S))
    walk = upload_dated(client, tmp_path, POCKET, start_s)
    years_before = {"score": 4, "walk_id": walk["id"], "reported_at": iso(start_s - 3 * 365 * DAY_S)}
    r = client.post("/api/pain", json=years_before)
    assert r.status_code == 422, r.text
    said = r.json()["detail"]
    assert "before it started" in said and "Give the time the pain was felt" in said, said
    assert "leave the time empty to date it at the walk's end" in said, said
    assert client.get("/api/pain").json() == []
    # a second before its start is before it too; its start itself and later are on it
    before = {"score": 4, "walk_id": walk["id"], "reported_at": iso(start_s - 1)}
    assert client.post("/api/pain", json=before).status_code == 422
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "reported_at": iso(start_s)})
    assert r.status_code == 201, r.text
    assert r.json()["too_old_to_plan"] is None  # ten days old: planned from (it gives no point of pain anyway)


def test_a_point_of_pain_older_than_the_lookback_is_stored_and_said_not_planned_from(
    client: TestClient, tmp_path: Path
) -> None:
    days_old = LOOKBACK_DAYS + 110
    start_s = float(int(time.time() - days_old * DAY_S))
    walk = upload_dated(client, tmp_path, POCKET, start_s)
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "onset_time_s": 60.0})
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["onset_time_s"] == 60.0 and [p["id"] for p in client.get("/api/pain").json()] == [saved["id"]]
    note = saved["too_old_to_plan"]
    said = f"This report is dated {days_old:.0f} days ago: walk lengths are planned only from the reports of the last"
    assert note.startswith(f"{said} {LOOKBACK_DAYS:.0f} days"), note
    assert "gives no recommendation" in note, note
    # Home: no recommendation, and why, instead of asking for a report that was made
    coaching = client.get("/api/coaching").json()
    assert coaching["plan"]["recommendation"] is None
    said = f"is older than {LOOKBACK_DAYS:.0f} days ({days_old:.0f} days ago)"
    assert coaching["old_onsets"].startswith(f"Your report of where back pain started during a walk {said}"), coaching
    # a recent point of pain is planned from: nothing to say, on saving or on Home
    r = client.post("/api/pain", json={"score": 4, "onset_distance_m": 500.0})
    assert r.status_code == 201 and r.json()["too_old_to_plan"] is None, r.text
    coaching = client.get("/api/coaching").json()
    assert coaching["plan"]["recommendation"] is not None and coaching["old_onsets"] is None


@pytest.mark.skipif(not LONG_WALK.is_file(), reason=f"shared dev data not found at {LONG_WALK}")
def test_the_qa_walk_of_october_2024_takes_a_report_at_its_end_and_says_it_is_too_old(client: TestClient) -> None:
    r = post_file(client, LONG_WALK, placement="pocket")
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    assert walk["started_at"].startswith("2024-10-18"), walk["started_at"]
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "reported_at": "2020-01-01T10:00:00+00:00"})
    assert r.status_code == 422 and "before it started" in r.json()["detail"], r.text
    onset = {"onset_distance_m": 200.0, "onset_time_s": 180.0}
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], **onset})
    assert r.status_code == 201, r.text
    assert r.json()["reported_at"].startswith("2024-10-18")
    assert "walk lengths are planned only from the reports of the last" in r.json()["too_old_to_plan"]
    assert "older than" in client.get("/api/coaching").json()["old_onsets"]


def test_the_refusal_gives_the_walks_start_in_the_walkers_local_time(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Pain page's "When" box is local time: the refusal said both times in UTC, hours off for most walkers."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        start_s = float(int(time.time() - 10 * DAY_S))
        walk = upload_dated(client, tmp_path, POCKET, start_s)
        r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "reported_at": iso(start_s - 3600)})
        assert r.status_code == 422, r.text
        said = r.json()["detail"]
        local = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(start_s))
        felt = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(start_s - 3600))
        assert local.endswith(("PST", "PDT")), local
        assert f"started at {local}" in said and f"felt at {felt}" in said, said
    finally:
        monkeypatch.undo()
        time.tzset()
