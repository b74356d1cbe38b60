"""A walker who does not live in UTC reads the times of their walks in their own local time everywhere: the walk
list, the walk's page and Trends say 01:30 for a walk started at 01:30 in Los Angeles, so a refusal naming that
walk, or a walk's note on how it was dated before its date was changed, says 01:30 PDT too, never 08:30 UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from tests.service.conftest import synthetic_walk, write_walk_csv
from tests.service.test_api import los_angeles  # noqa: F401 (a fixture)
from tests.service.test_coaching_honesty import post_file, write_csv


def test_a_refused_upload_names_the_stored_walk_at_its_local_time(
    client: TestClient,
    tmp_path: Path,
    los_angeles,  # noqa: F811
) -> None:
    # given at its upload: 01:30 on 1 November 2026 in Los Angeles, summer time still (08:30 UTC)
    walk_csv = write_walk_csv(tmp_path / "walk.csv", duration_s=150.0)
    first = post_file(client, walk_csv, started_at="2026-11-01T01:30-07:00")
    assert first.status_code == 201, first.text
    (walk,) = first.json()["walks"]
    again = post_file(client, walk_csv, started_at="2026-11-01T01:30-07:00")
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert f'walk {walk["id"]} "walk" (walked 2026-11-01 01:30 PDT, as given at its upload)' in detail, detail
    assert "UTC" not in detail

    # recorded: a file whose clock dates it, 23:50 on 20 November in Los Angeles (07:50 UTC the next day)
    start_s = datetime(2026, 11, 21, 7, 50, tzinfo=UTC).timestamp()
    rec = synthetic_walk(duration_s=150.0, step_hz=1.7)
    recorded = post_file(client, write_csv(tmp_path / "dated.csv", rec, start_epoch_s=start_s))
    assert recorded.status_code == 201, recorded.text
    (dated,) = recorded.json()["walks"]
    same = post_file(client, write_csv(tmp_path / "dated copy.csv", rec, start_epoch_s=start_s))
    assert same.status_code == 409
    assert f'walk {dated["id"]} "dated" (recorded 2026-11-20 23:50 PST)' in same.json()["detail"]
    # another recording of the same time (the walk's first minute): it covers the stored walk's time
    part = synthetic_walk(duration_s=150.0, step_hz=2.0)
    overlap = post_file(client, write_csv(tmp_path / "other.csv", part, start_epoch_s=start_s + 60.0))
    assert overlap.status_code == 409
    detail = overlap.json()["detail"]
    assert f'covers the same time as walk {dated["id"]} "dated" (recorded 2026-11-20 23:50 PST' in detail, detail


def test_a_changed_date_says_the_walks_former_start_in_local_time(
    client: TestClient,
    tmp_path: Path,
    los_angeles,  # noqa: F811
) -> None:
    start_s = datetime(2026, 11, 21, 7, 50, tzinfo=UTC).timestamp()  # 23:50 on 20 November in Los Angeles
    r = post_file(client, write_csv(tmp_path / "dated.csv", synthetic_walk(duration_s=150.0), start_epoch_s=start_s))
    assert r.status_code == 201, r.text
    walk_id = r.json()["walks"][0]["id"]
    changed = client.patch(f"/api/walks/{walk_id}", json={"started_at": "2026-11-19T09:00-08:00"})
    assert changed.status_code == 200, changed.text
    notes = client.get(f"/api/walks/{walk_id}").json()["notes"]
    expected = (
        "date: the start you gave on this page, 2026-11-19 09:00 (UTC-08:00); before, its recording's clock had it "
        "start 2026-11-20 23:50 PST"
    )
    assert expected in notes, notes


def test_a_pain_time_without_its_utc_offset_is_refused_and_nothing_is_stored(client: TestClient) -> None:
    # 09:30 typed by a script or an API client with no zone: read as UTC it would be 01:30 in Los Angeles, hours
    # off and maybe another day, so it is refused with how to give it
    naive = client.post("/api/pain", json={"score": 4, "reported_at": "2026-11-20T09:30:00"})
    assert naive.status_code == 422, naive.text
    detail = naive.json()["detail"]
    assert "2026-11-20T09:30:00" in detail and "no UTC offset" in detail, detail
    assert "2026-11-20T09:30+01:00" in detail, detail  # how to give it
    assert client.get("/api/pain").json() == []

    # with its offset, or in UTC, it is kept at that moment
    for given, stored in (("2026-11-20T09:30+01:00", "2026-11-20T08:30:00+00:00"), ("2026-11-20T09:30Z", None)):
        kept = client.post("/api/pain", json={"score": 4, "reported_at": given})
        assert kept.status_code == 201, kept.text
        assert kept.json()["reported_at"] == (stored or "2026-11-20T09:30:00+00:00")
