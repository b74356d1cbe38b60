"""Coaching as the walker meets it: walks that follow the walk-length plan count, a walk's stored plan says when
a pain report it rested on was deleted, sample walks are not coached, an interrupted walk says what happened."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from tests.service.conftest import synthetic_walk
from tests.service.test_coaching_honesty import post_file, write_csv

DAY_S = 86400.0


def test_walks_that_follow_a_short_plan_relax_the_target(client: TestClient, tmp_path: Path) -> None:
    now_s = time.time()
    start_s = now_s - 10 * DAY_S
    # a 5-minute walk on which back pain started 100 m / 100 s in
    (painful,) = post_file(
        client, write_csv(tmp_path / "long.csv", synthetic_walk(duration_s=300.0), start_epoch_s=start_s)
    ).json()["walks"]
    r = client.post(
        "/api/pain",
        json={"score": 4, "walk_id": painful["id"], "onset_time_s": 100, "onset_distance_m": 100},
    )
    assert r.status_code == 201, r.text
    plan = client.get("/api/coaching").json()["plan"]
    assert plan["recommendation"]["walk_length_m"] < 100.0 and plan["recommendation"]["walk_time_s"] < 100.0
    # three pain-free walks of about 90 s / 95 m after the report: what the plan recommends
    for i in range(3):
        rec = synthetic_walk(duration_s=92.0 + i)
        r = post_file(client, write_csv(tmp_path / f"short{i}.csv", rec, start_epoch_s=start_s + (i + 1) * DAY_S))
        assert r.status_code == 201, r.text
        assert r.json()["walks"][0]["summary"]["walking_time_s"] < 120.0  # shorter than the usual 2 minutes
    plan = client.get("/api/coaching").json()["plan"]
    assert plan["pain_free_walks_since_pain"] == 3
    assert plan["reduction"] < plan["full_reduction"]
    assert "counts as a pain-free walk" in plan["recommendation"]["reason"]
    # a few seconds of walking never count, whatever the plan
    r = post_file(
        client, write_csv(tmp_path / "steps.csv", synthetic_walk(duration_s=20.0), start_epoch_s=now_s - 3600)
    )
    assert r.status_code == 201, r.text
    assert client.get("/api/coaching").json()["plan"]["pain_free_walks_since_pain"] == 3
