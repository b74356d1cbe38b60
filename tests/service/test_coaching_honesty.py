"""Coaching counts only what happened: one walk per recording, real walking only, pain where and when it was
felt, uploads never "coached", demos never in the walker's coaching state."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.types import Recording
from service.store import MIGRATIONS, NewWalk, Store
from tests.service.conftest import count_rows, synthetic_walk

DAY_S = 86400.0
LOWER_BACK = {"placement": "lower_back"}


def write_csv(
    path: Path,
    recording: Recording,
    *,
    start_epoch_s: float | None = None,
    sep: str = ",",
    decimal: str = ".",
    newline: str = "\n",
    bom: bool = False,
) -> Path:
    """A generic CSV of ``recording`` (an epoch column dates it), in the given dialect."""
    header = (["epoch_s"] if start_epoch_s is not None else []) + ["time_s", "acc_x", "acc_y", "acc_z"]
    lines = [sep.join(header)]
    for t, a in zip(recording.time_s, recording.acc_ms2, strict=True):
        cells = ([f"{start_epoch_s + t:.3f}"] if start_epoch_s is not None else []) + [
            f"{t:.3f}",
            *(f"{v:.5f}" for v in a),
        ]
        lines.append(sep.join(c.replace(".", decimal) for c in cells))
    path.write_text(newline.join(lines) + newline, encoding="utf-8-sig" if bom else "utf-8", newline="")
    return path


def standing(duration_s: float = 60.0, seed: int = 0) -> Recording:
    """A phone lying still: gravity and a little sensor noise, no steps."""
    t = np.arange(0.0, duration_s, 0.01)
    acc = np.random.default_rng(seed).normal(0.0, 0.02, (len(t), 3))
    acc[:, 2] += 9.81
    return Recording(t, acc)


def post_file(client: TestClient, path: Path, **data: str):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={**LOWER_BACK, **data})


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


# -- 1. the same recording twice ------------------------------------------------------------------------------


def test_the_same_recording_uploaded_again_is_refused_naming_the_stored_walk(
    client: TestClient, tmp_path: Path
) -> None:
    start_s = datetime(2026, 11, 23, 8, 14, tzinfo=UTC).timestamp()
    rec = synthetic_walk(duration_s=150.0)
    first = post_file(client, write_csv(tmp_path / "walk.csv", rec, start_epoch_s=start_s))
    assert first.status_code == 201, first.text
    (walk,) = first.json()["walks"]
    rows = {t: count_rows(_store(client), t) for t in ("walks", "strides")}

    again = post_file(client, write_csv(tmp_path / "walk copy.csv", rec, start_epoch_s=start_s))
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert f"walk {walk['id']}" in detail and "recorded 2026-11-23 08:14 UTC" in detail
    assert f'use "Analyse again" on walk {walk["id"]}' in detail and "body height" in detail
    assert "delete" not in detail  # its samples are kept: analysed again from them, not uploaded again
    # the same samples re-saved by a spreadsheet: semicolons, decimal commas, CRLF, a byte-order mark
    resaved = write_csv(tmp_path / "resaved.csv", rec, sep=";", decimal=",", newline="\r\n", bom=True)
    r = post_file(client, resaved)
    assert r.status_code == 409 and f"walk {walk['id']}" in r.json()["detail"]
    # nothing stored on refusal; trends and pain-free walks count the walk once
    assert {t: count_rows(_store(client), t) for t in ("walks", "strides")} == rows
    assert [row["walks"] for row in client.get("/api/trends").json()] == [1]

    # once the walk is deleted, the file is stored again
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    assert post_file(client, resaved).status_code == 201
    # a different recording is of course accepted
    assert post_file(client, write_csv(tmp_path / "other.csv", synthetic_walk(duration_s=151.0))).status_code == 201


def test_a_cut_short_copy_of_a_stored_recording_is_refused_as_the_same_walk(client: TestClient, tmp_path: Path) -> None:
    """A phone export cut short (the app stopped writing) and then the whole one, or a phone and a sensor worn on the
    same walk: the second recording covers the time of the first, and stored too it would count that walking twice
    in the trends and the coaching. Walks back to back (a few seconds in common) are two walks."""
    start_s = datetime(2026, 11, 23, 8, 14, tzinfo=UTC).timestamp()
    rec = synthetic_walk(duration_s=150.0)
    part = Recording(time_s=rec.time_s[: len(rec.time_s) // 3], acc_ms2=rec.acc_ms2[: len(rec.time_s) // 3])
    first = post_file(client, write_csv(tmp_path / "part.csv", part, start_epoch_s=start_s))
    assert first.status_code == 201, first.text
    (walk,) = first.json()["walks"]
    rows = {t: count_rows(_store(client), t) for t in ("walks", "strides")}

    whole = post_file(client, write_csv(tmp_path / "whole.csv", rec, start_epoch_s=start_s))
    assert whole.status_code == 409
    detail = whole.json()["detail"]
    assert f"covers the same time as walk {walk['id']}" in detail and "recorded 2026-11-23 08:14 UTC" in detail
    assert f"delete walk {walk['id']} first" in detail and "counted twice" in detail
    assert {t: count_rows(_store(client), t) for t in ("walks", "strides")} == rows
    assert [row["walks"] for row in client.get("/api/trends").json()] == [1]

    # the next walk, started 2 s before this one ended by another clock, is another walk
    later = write_csv(tmp_path / "later.csv", synthetic_walk(duration_s=151.0), start_epoch_s=start_s + 48.0)
    assert post_file(client, later).status_code == 201
    # a recording without a start time says nothing about when it was walked: not compared
    assert post_file(client, write_csv(tmp_path / "undated.csv", synthetic_walk(duration_s=152.0))).status_code == 201
    # what the message says to do works
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    assert client.delete(f"/api/walks/{walk['id'] + 1}").status_code == 200
    assert post_file(client, write_csv(tmp_path / "whole.csv", rec, start_epoch_s=start_s)).status_code == 201


def _store(client: TestClient) -> Store:
    from service.deps import get_store

    return client.app.dependency_overrides[get_store]()


def test_uploading_a_sample_recording_points_to_the_sample_walk(client: TestClient, tmp_path: Path) -> None:
    from service.demo import import_samples

    samples = tmp_path / "samples"
    samples.mkdir()
    sample = write_csv(samples / "someone.csv", synthetic_walk(duration_s=150.0))
    (samples / "someone.reference.json").write_text('{"placement": "lower_back"}')
    (sample_id,) = import_samples(_store(client), samples)
    r = post_file(client, sample)
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert f"sample recording already shown as walk {sample_id}" in detail and "never counted" in detail
    assert count_rows(_store(client), "walks") == 1


def test_migration_adds_the_recording_fingerprint_and_old_walks_keep_working(tmp_path: Path) -> None:
    version = next(i for i, script in enumerate(MIGRATIONS) if "recording_sha256" in script)
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(
        "INSERT INTO walks (name, origin, status, started_at, created_at, walking_time_s) VALUES (?,?,?,?,?,?)",
        ("old walk", "upload", "complete", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00+00:00", 600.0),
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    store = Store(path).open()
    try:
        assert store.schema_version == len(MIGRATIONS)
        (old,) = store.list_walks()
        assert old["name"] == "old walk"
        with store.read() as c:
            assert c.execute("SELECT recording_sha256 FROM walks").fetchone()[0] is None
        # old walks have no fingerprint: never taken for a duplicate; new ones are checked
        a = store.add_walk(NewWalk(name="a", origin="upload", recording_sha256="abc"))
        assert store.add_walk(NewWalk(name="b", origin="upload")) > a
        from service.store import DuplicateRecordingError

        with pytest.raises(DuplicateRecordingError) as info:
            store.add_walk(NewWalk(name="a again", origin="upload", recording_sha256="abc"))
        assert info.value.existing["id"] == a and store.count_walks() == 3
    finally:
        store.close()


# -- 2. what counts as a walk ---------------------------------------------------------------------------------


def test_recordings_without_walking_are_not_pain_free_walks(client: TestClient, tmp_path: Path) -> None:
    client.put("/api/profile", json={"coaching": {"enabled": True}})
    pain_at = datetime.now(UTC) - timedelta(hours=2)
    assert client.post("/api/pain", json={"score": 5, "reported_at": pain_at.isoformat()}).status_code == 201
    for seed in range(3):  # three different standing recordings: not walks at all, refused (nothing stored)
        r = post_file(client, write_csv(tmp_path / f"standing{seed}.csv", standing(seed=seed)))
        assert r.status_code == 422 and "no walking found" in r.json()["detail"], r.text
    # a few steps across a room (about 15 s of walking)
    assert post_file(client, write_csv(tmp_path / "steps.csv", synthetic_walk(duration_s=15.0))).status_code == 201
    plan = client.get("/api/coaching").json()["plan"]
    assert plan["pain_free_walks_since_pain"] == 0
    assert "a walk counts when it holds at least 2 minutes of walking" in " ".join(plan["reasons"])
    # a real walk counts
    assert post_file(client, write_csv(tmp_path / "walk.csv", synthetic_walk(duration_s=150.0))).status_code == 201
    assert client.get("/api/coaching").json()["plan"]["pain_free_walks_since_pain"] == 1


# -- 3. pain onsets on the walk they name ---------------------------------------------------------------------


def test_an_onset_beyond_the_walk_is_refused(client: TestClient, tmp_path: Path) -> None:
    (walk,) = post_file(client, write_csv(tmp_path / "short.csv", synthetic_walk(duration_s=60.0))).json()["walks"]
    distance_m = walk["summary"]["distance_m"]
    assert 20.0 < distance_m < 200.0
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "onset_distance_m": 2200.0})
    assert r.status_code == 422
    detail = r.json()["detail"]
    # the walk named as the pain form's list shows it (its name), not by an id the walker never sees
    assert f"the walk \u201cshort\u201d covered about {distance_m:.0f} m" in detail and "2.2 km" in detail
    assert f"walk {walk['id']}" not in detail
    assert "report it without a walk" in detail
    # QA17 #6: the limit, larger than the walk's distance, says why (the 50 m margin: 4 times a 15 m walk's length)
    limit_m = distance_m + max(0.1 * distance_m, 50.0)
    assert (
        f"beyond its end. That distance is an estimate, so an onset up to {limit_m:.0f} m ("
        f"{limit_m / 1609.344:.2f} mi) is accepted (10 % beyond it, at least 50 m). Give the distance"
    ) in detail, detail
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "onset_time_s": 3600.0})
    detail = r.json()["detail"]
    limit_s = walk["summary"]["duration_s"] + 60.0
    assert r.status_code == 422 and f"the walk \u201cshort\u201d lasted {walk['summary']['duration_s']:.0f} s" in detail
    assert (
        f"A time into a walk is often given roughly, so an onset up to {limit_s:.0f} s is accepted (10 % beyond it, "
        "at least 60 s)."
    ) in detail, detail
    assert count_rows(_store(client), "pain_reports") == 0
    # within the walk, or within the stated margin (10 %, at least 50 m) of its estimated distance: accepted
    ok = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "onset_distance_m": distance_m + 45.0})
    assert ok.status_code == 201
    # a few steps across a room: some metres, far from 500 m (a recording without walking, or of fewer than 20
    # steps, is not stored at all)
    (steps,) = post_file(client, write_csv(tmp_path / "steps.csv", synthetic_walk(duration_s=15.0))).json()["walks"]
    r = client.post("/api/pain", json={"score": 4, "walk_id": steps["id"], "onset_distance_m": 500.0})
    assert r.status_code == 422 and f"covered about {steps['summary']['distance_m']:.0f} m" in r.json()["detail"]
    # without a walk nothing can be checked
    assert client.post("/api/pain", json={"score": 4, "onset_distance_m": 2200.0}).status_code == 201


def test_with_two_reports_the_usual_onset_is_the_shorter_one(client: TestClient) -> None:
    for d in (50.0, 2200.0):
        assert client.post("/api/pain", json={"score": 4, "onset_distance_m": d}).status_code == 201
    onset = client.get("/api/coaching").json()["plan"]["onset"]
    assert onset["distance_m"] == 50.0
    assert "about 50 m" in onset["description"] and "the shortest of 2 walks" in onset["description"]


# -- 4. uploads are never coached; their coaching context is their own date -----------------------------------


def test_uploads_stay_in_the_baseline_once_the_pain_is_gone(client: TestClient, tmp_path: Path) -> None:
    client.put("/api/profile", json={"body_height_m": 1.75, "coaching": {"enabled": True}})
    now_s = datetime.now(UTC).timestamp()
    pain = client.post("/api/pain", json={"score": 5, "reported_at": iso(now_s - 20 * DAY_S)}).json()
    for i in range(3):
        rec = synthetic_walk(duration_s=150.0 + i)
        r = post_file(client, write_csv(tmp_path / f"w{i}.csv", rec, start_epoch_s=now_s - (10 - i) * DAY_S))
        (walk,) = r.json()["walks"]
        assert walk["coaching"]["active"] is True  # coaching was on at the walk's date: strides judged
    # nobody was cued during an upload: the walks are the walker's normal walking, in the baseline while the
    # pain is reported and after the report is deleted
    for _ in range(2):
        plan = client.get("/api/coaching").json()["plan"]
        assert plan["baseline"]["source"] == "personal", plan["reasons"]
        assert plan["baseline"]["n_walks"] == 3
        client.delete(f"/api/pain/{pain['id']}")


def test_an_uploaded_walk_is_judged_by_the_plan_at_its_own_date(client: TestClient, tmp_path: Path) -> None:
    client.put("/api/profile", json={"coaching": {"enabled": True}})
    now_s = datetime.now(UTC).timestamp()
    client.post("/api/pain", json={"score": 5, "reported_at": iso(now_s - 7 * DAY_S)})
    # a walk 3 days after that report, uploaded today
    r = post_file(
        client, write_csv(tmp_path / "w.csv", synthetic_walk(duration_s=150.0), start_epoch_s=now_s - 4 * DAY_S)
    )
    (walk,) = r.json()["walks"]
    reasons = " ".join(walk["coaching"]["reasons"])
    assert walk["coaching"]["active"] is True
    assert "reported 3 days before this walk" in reasons and "so far 3 days" in reasons, reasons
    # a walk from before any pain: coaching was off then, nothing judged
    r = post_file(
        client, write_csv(tmp_path / "v.csv", synthetic_walk(duration_s=151.0), start_epoch_s=now_s - 30 * DAY_S)
    )
    (old,) = r.json()["walks"]
    assert old["coaching"]["active"] is False and old["summary"]["flagged_strides"] == 0
    assert "no back pain" in " ".join(old["coaching"]["reasons"])


# -- 5. pain reported for a walk is dated at that walk ---------------------------------------------------------


def test_pain_for_a_walk_is_dated_at_its_end_unless_given(client: TestClient, tmp_path: Path) -> None:
    start_s = datetime.now(UTC).timestamp() - 3 * DAY_S
    r = post_file(client, write_csv(tmp_path / "w.csv", synthetic_walk(duration_s=150.0), start_epoch_s=start_s))
    (walk,) = r.json()["walks"]
    report = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"]}).json()
    end = datetime.fromisoformat(walk["started_at"]) + timedelta(seconds=walk["summary"]["duration_s"])
    assert abs((datetime.fromisoformat(report["reported_at"]) - end).total_seconds()) <= 1.0
    # a time the walker gives wins
    given = iso(start_s + 3600.0)
    assert (
        client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "reported_at": given}).json()["reported_at"]
        == given
    )
    # without a walk: now
    before = datetime.now(UTC).replace(microsecond=0)
    assert datetime.fromisoformat(client.post("/api/pain", json={"score": 4}).json()["reported_at"]) >= before
    # the openapi schema says so
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["PainCreate"]["properties"]
    assert "end of the walk" in str(schema["reported_at"])


# -- 7. demos coach as docs/COACHING.md says, and store nothing of the walker's coaching -----------------------


def test_the_cli_demo_coaches_with_the_documented_first_target(tmp_path: Path, monkeypatch) -> None:
    from gait.coach import DEFAULT_REDUCTION
    from service.commands.live import _coach
    from service.settings import Settings

    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    coach, note = _coach(Settings.from_env(), 1.75, demo=True)
    assert coach.plan.active and coach.plan.reduction == DEFAULT_REDUCTION == 0.10
    assert "target 10 % below this walk's first 20 strides" in note and "nothing is stored" in note
    assert coach.plan.baseline.source == "population" and coach.plan.baseline.body_height_m == 1.75
    assert not (tmp_path / "data").exists()  # nothing written, not even a database
    # the walker's chosen reduction is the one a demo shows (the same as the dashboard's demo walk)
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    store.put_profile({"coaching": {"reduction": 0.15}})
    store.close()
    coach, note = _coach(Settings.from_env(), 1.75, demo=True)
    assert coach.plan.reduction == 0.15 and "target 15 % below" in note
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    try:
        assert store.list_pain() == [] and store.get_profile() == {"coaching": {"reduction": 0.15}}
    finally:
        store.close()


def test_the_dashboard_demo_walk_coaches_like_the_cli_demo_and_stores_no_coaching_state(tmp_path: Path) -> None:
    import time

    from service.app import create_app
    from service.settings import Settings
    from tests.service.conftest import LOOPBACK, write_walk_csv

    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "a_walk.csv", duration_s=30.0)
    (samples / "a_walk.reference.json").write_text('{"placement": "lower_back", "body_height_m": 1.75}')
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        # a new user: coaching off, no pain reported
        assert client.post("/api/live/demo", json={"sample": "a_walk.csv", "speed": 50}).status_code == 202
        deadline = time.monotonic() + 60.0
        while client.get("/api/live").json()["running"]:
            assert time.monotonic() < deadline, "the demo walk did not end"
            time.sleep(0.05)
        (walk,) = client.get("/api/walks").json()
        assert walk["demo"] is True
        assert walk["coaching"]["active"] is True and walk["coaching"]["reduction"] == 0.10
        assert walk["coaching"]["reasons"][0].startswith("Demo: coached as if you had reported back pain just now")
        assert "target 10 % below this walk's first 20 strides" in walk["coaching"]["reasons"][0]
        assert walk["coaching"]["judged_against"] == "this walk's first 20 strides"
        assert any("population default from height 1.75 m" in r for r in walk["coaching"]["reasons"])
        # the walker's own coaching is untouched
        assert client.get("/api/pain").json() == []
        plan = client.get("/api/coaching").json()["plan"]
        assert plan["active"] is False and plan["last_pain_at_s"] is None
        assert client.get("/api/profile").json()["coaching"]["enabled"] is False


def test_an_apple_health_export_adds_only_the_walks_not_yet_stored(client: TestClient) -> None:
    from tests.ingest.test_apple_health import export, record, walk_records

    def post_export(body: str):
        return client.post("/api/uploads", files={"file": ("export.xml", export(body).encode(), "text/xml")})

    first = post_export(walk_records())
    assert first.status_code == 201, first.text
    (walk,) = first.json()["walks"]
    again = post_export(walk_records())
    detail = again.json()["detail"]
    assert again.status_code == 409 and f"already stored (the first is walk {walk['id']}" in detail, detail
    assert "Analyse again" not in detail  # Health's summaries have no samples to analyse again (QA)
    # a newer export repeats the first walk and adds one: only the new walk is stored
    later = record("StepCount", "count", 1300, "2024-05-16 08:00:00 -0400", "2024-05-16 08:12:00 -0400")
    later += record("DistanceWalkingRunning", "km", 0.9, "2024-05-16 08:00:00 -0400", "2024-05-16 08:12:00 -0400")
    r = post_export(walk_records() + later)
    assert r.status_code == 201, r.text
    assert [w["started_at"][:10] for w in r.json()["walks"]] == ["2024-05-16"]
    assert count_rows(_store(client), "walks") == 2
