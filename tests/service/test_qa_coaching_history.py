"""Coaching as the walker meets it: walks that follow the walk-length plan count, a walk's stored plan says when
a pain report it rested on was deleted, sample walks are not coached, an interrupted walk says what happened."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from tests.service.conftest import synthetic_walk
from tests.service.test_coaching_honesty import iso, post_file, write_csv

DAY_S = 86400.0


def test_walks_that_follow_a_short_plan_relax_the_target(client: TestClient, tmp_path: Path) -> None:
    now_s = time.time()
    start_s = now_s - 10 * DAY_S
    # pain-free walks relax a stride target: the plan says how they count only with coaching switched on (QA19a #14)
    assert client.patch("/api/profile", json={"changes": {"coaching": {"enabled": True}}}).status_code == 200
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


def test_a_walks_plan_says_when_a_pain_report_it_rested_on_was_deleted(client: TestClient, tmp_path: Path) -> None:
    now_s = time.time()
    assert client.put("/api/profile", json={"coaching": {"enabled": True}}).status_code == 200
    r = client.post("/api/pain", json={"score": 6, "reported_at": iso(now_s - 5 * DAY_S), "onset_distance_m": 240})
    assert r.status_code == 201, r.text
    report = r.json()
    rec = synthetic_walk(duration_s=150.0)
    (walk,) = post_file(client, write_csv(tmp_path / "w.csv", rec, start_epoch_s=now_s - 2 * DAY_S)).json()["walks"]
    stored = client.get(f"/api/walks/{walk['id']}").json()["coaching"]
    # the plan at the time rested on the report
    assert any("back pain 6/10" in r for r in stored["reasons"]) and any("240 m" in r for r in stored["reasons"])
    assert stored["deleted_pain_reports"] == []
    assert client.delete(f"/api/pain/{report['id']}").status_code == 204
    # a new report may take the deleted one's id: it is not taken for the old one
    r = client.post("/api/pain", json={"score": 2, "reported_at": iso(now_s - DAY_S)})
    assert r.status_code == 201, r.text
    coaching = client.get(f"/api/walks/{walk['id']}").json()["coaching"]
    # the plan is kept as it was (the walk's history), and says which report is gone
    assert coaching["reasons"] == stored["reasons"]
    (gone,) = coaching["deleted_pain_reports"]
    assert gone["id"] == report["id"] and gone["score"] == 6 and gone["reported_at"] == report["reported_at"]


def test_a_sample_walk_is_not_coached_and_cites_nothing_of_the_users(client: TestClient, tmp_path: Path) -> None:
    from service.demo import import_samples

    samples = tmp_path / "samples"
    samples.mkdir()
    write_csv(samples / "someone.csv", synthetic_walk(duration_s=150.0))
    (samples / "someone.reference.json").write_text('{"placement": "lower_back", "body_height_m": 1.62}')
    # the user has reported pain and switched coaching on: none of it applies to somebody else's walk
    assert client.post("/api/pain", json={"score": 5}).status_code == 201
    assert client.put("/api/profile", json={"coaching": {"enabled": True}}).status_code == 200
    store = client.app.dependency_overrides[next(iter(client.app.dependency_overrides))]()
    (walk_id,) = import_samples(store, samples)
    walk = client.get(f"/api/walks/{walk_id}").json()
    text = " ".join(walk["coaching"]["reasons"])
    assert walk["demo"] is True and walk["coaching"]["active"] is False
    assert "sample recording" in text and "not coached" in text and "Not part of your coaching" in text
    for users in ("your profile)", "so far", "back pain 5/10", "population default"):
        assert users not in text, text
    strides = client.get(f"/api/walks/{walk_id}/strides").json()
    assert strides and all(s["target_m"] is None and s["overlong"] is None for s in strides)


def test_migration_gives_older_walks_plans_the_pain_reports_they_rested_on(tmp_path: Path) -> None:
    import json

    from service.coaching import deleted_pain_basis
    from service.store import MIGRATIONS, Store
    from tests.service.test_store import _database_before

    conn = _database_before(tmp_path / "db.sqlite3", "walk_plans_keep_their_pain_reports")
    pains = [
        (1, "2026-11-01T10:00:00+00:00", 6),  # 5 days before the walk: the plan rested on it
        (2, "2026-07-01T10:00:00+00:00", 5),  # over 90 days before: not
        (3, "2026-11-05T10:00:00+00:00", 0),  # "no pain": not
        (4, "2026-11-07T10:00:00+00:00", 7),  # after the walk: not
    ]
    conn.executemany("INSERT INTO pain_reports (id, reported_at, score) VALUES (?,?,?)", pains)
    plan = {"active": True, "reasons": ["Stride coaching is on: back pain 6/10 reported 5 days ago."]}
    walks = [
        (1, "own walk", 0, json.dumps(plan)),
        (2, "sample walk", 1, json.dumps(plan)),
        (3, "no plan", 0, "{}"),
    ]
    conn.executemany(
        "INSERT INTO walks (id, name, origin, status, started_at, created_at, demo, coaching_json)"
        " VALUES (?, ?, 'upload', 'complete', '2026-11-06T10:00:00+00:00', '2026-11-06T10:00:00+00:00', ?, ?)",
        walks,
    )
    conn.close()
    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        own, sample, none = (store.get_walk(i)["coaching"] for i in (1, 2, 3))
        assert own["pain_reports"] == [{"id": 1, "reported_at": pains[0][1], "score": 6}]
        assert own["reasons"] == plan["reasons"]  # the plan itself is kept as it was
        assert "pain_reports" not in sample and none == {}
        assert store.delete_pain(1)
        assert [r["id"] for r in deleted_pain_basis(own, store.list_pain())] == [1]
    finally:
        store.close()


def test_a_pain_onset_on_a_short_walk_gives_a_recommendation(client: TestClient, tmp_path: Path) -> None:
    # QA: a walker whose pain starts early and who stops there (72 s, about 100 m) must get a recommendation
    now_s = time.time()
    assert client.put("/api/profile", json={"coaching": {"enabled": True}}).status_code == 200
    rec = synthetic_walk(duration_s=75.0)
    (walk,) = post_file(client, write_csv(tmp_path / "s.csv", rec, start_epoch_s=now_s - DAY_S)).json()["walks"]
    summary = walk["summary"]
    assert summary["walking_time_s"] < 120.0  # not a walk by the 2-minute rule
    onset_m = round(0.85 * summary["distance_m"])
    r = client.post("/api/pain", json={"score": 5, "walk_id": walk["id"], "onset_distance_m": onset_m})
    assert r.status_code == 201, r.text
    plan = client.get("/api/coaching").json()["plan"]
    assert plan["onset"] is not None and plan["onset"]["distance_m"] == onset_m
    assert plan["recommendation"]["walk_length_m"] == onset_m * 5.0 / 6.0
    # a second short walk that hurt too keeps both onsets after the first report is deleted
    rec2 = synthetic_walk(duration_s=80.0)
    (walk2,) = post_file(client, write_csv(tmp_path / "s2.csv", rec2, start_epoch_s=now_s - 3600.0)).json()["walks"]
    r2 = client.post("/api/pain", json={"score": 5, "walk_id": walk2["id"], "onset_distance_m": onset_m - 10})
    assert r2.status_code == 201, r2.text
    assert client.delete(f"/api/pain/{r.json()['id']}").status_code in (200, 204)
    plan = client.get("/api/coaching").json()["plan"]
    assert plan["onset"]["distances_m"] == [onset_m - 10]
