"""API tests on a temporary database: uploads, walks, exports, trends, profile, pain and coaching."""

from __future__ import annotations

import csv
import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.types import Recording
from ingest.gait_csv import write_gait_csv
from service.store import Store
from tests.service.conftest import count_rows, write_walk_csv

STEP_HZ = 1.8
CADENCE_SPM = 60.0 * STEP_HZ  # exact answer of the synthetic walk


def upload(client: TestClient, path: Path, **form: str):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh, "text/csv")}, data=form)


def test_upload_gait_csv_stores_walk_with_strides(client: TestClient, walk_csv: Path, store: Store) -> None:
    r = upload(client, walk_csv, placement="lower_back")
    assert r.status_code == 201, r.text
    walk = r.json()["walks"][0]
    assert walk["origin"] == "upload" and walk["status"] == "complete" and walk["format"] == "gait_csv"
    assert walk["summary"]["cadence_spm"] == pytest.approx(CADENCE_SPM, abs=1.0)
    # 60 s at 1.8 steps/s: about 108 contacts; every contact but the first two closes a stride.
    assert 100 <= walk["summary"]["strides"] <= 108
    strides = client.get(f"/api/walks/{walk['id']}/strides").json()
    assert len(strides) == walk["summary"]["strides"] == count_rows(store, "strides")
    assert [s["idx"] for s in strides] == list(range(len(strides)))
    assert all(s["cadence_spm"] == pytest.approx(CADENCE_SPM, abs=1.5) for s in strides)
    assert [w["id"] for w in client.get("/api/walks").json()] == [walk["id"]]
    detail = client.get(f"/api/walks/{walk['id']}").json()
    assert detail["bouts"] and detail["summary"] == walk["summary"]
    # how the lengths were obtained is kept with the walk (the synthetic walk has no gyroscope: no placement check)
    assert any(n.startswith("stride length: inverted-pendulum") for n in detail["notes"]), detail["notes"]
    assert not any(n.startswith("placement check") for n in detail["notes"])


def test_export_csv_and_json(client: TestClient, walk_csv: Path) -> None:
    walk = upload(client, walk_csv, placement="lower_back").json()["walks"][0]
    r = client.get(f"/api/walks/{walk['id']}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == walk["summary"]["strides"]
    assert float(rows[0]["end_s"]) > float(rows[0]["start_s"])
    doc = client.get(f"/api/walks/{walk['id']}/export.json").json()
    assert set(doc) >= {"summary", "steps", "strides", "bouts", "walk"}
    assert len(doc["strides"]) == len(rows) and len(doc["steps"]) == walk["summary"]["steps"]
    assert doc["strides"][0]["duration_s"] == pytest.approx(doc["strides"][0]["end_s"] - doc["strides"][0]["start_s"])


def test_delete_walk_removes_rows(client: TestClient, walk_csv: Path, store: Store) -> None:
    walk = upload(client, walk_csv, placement="lower_back").json()["walks"][0]
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    assert client.get(f"/api/walks/{walk['id']}").status_code == 404
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 404
    assert count_rows(store, "strides") == count_rows(store, "steps") == count_rows(store, "walks") == 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02garbage\xff" * 50, ""),
        (b"time_s,acc_x_ms2\n0,1\n0.01,2\n", ""),
        (b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n" + b"".join(b"%.1f,0,0,9.8\n" % (i / 10) for i in range(50)), "Hz"),
        (b"PK\x03\x04truncated zip", ""),
    ],
    ids=["empty", "binary", "missing-columns", "rate-10hz", "broken-zip"],
)
def test_bad_upload_is_4xx_and_stores_nothing(
    client: TestClient, store: Store, settings, content: bytes, fragment: str
) -> None:
    r = client.post("/api/uploads", files={"file": ("bad.csv", content, "text/csv")}, data={"placement": "lower_back"})
    assert 400 <= r.status_code < 500, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and len(detail) > 10 and fragment in detail
    assert count_rows(store, "walks") == count_rows(store, "strides") == count_rows(store, "steps") == 0
    assert not any(settings.spool_dir.glob("*/*")), "spooled upload left behind"


def test_a_foot_sensor_upload_with_its_shoe_labels_steps_and_strides(client: TestClient, store: Store) -> None:
    foot = Path(__file__).resolve().parents[2] / "sample_recordings" / "gaitmap_left_foot.csv"
    r = upload(client, foot, placement="foot", side="left")
    assert r.status_code == 201, r.text
    walk_id = r.json()["walks"][0]["id"]
    strides = client.get(f"/api/walks/{walk_id}/strides").json()
    steps = store.steps(walk_id)
    assert strides and steps
    assert {s["side"] for s in strides} == {"left"} and {s["side"] for s in steps} == {"left"}
    # a side for a sensor that is not on a foot is refused with what to do, and nothing more is stored
    r = upload(client, foot, placement="lower_back", side="left")
    assert r.status_code == 422 and "set the placement to foot" in r.json()["detail"]
    r = upload(client, foot, placement="foot", side="middle")
    assert r.status_code == 422
    assert count_rows(store, "walks") == 1


def test_upload_without_placement_says_what_to_do(client: TestClient, walk_csv: Path, store: Store) -> None:
    r = upload(client, walk_csv)
    detail = r.json()["detail"]
    # in the upload form's words, not the command line's (no --placement flag on a web page)
    assert r.status_code == 422 and '"Where was the sensor worn?"' in detail and "--" not in detail, detail
    assert count_rows(store, "walks") == 0


def test_upload_over_limit_is_413_and_stores_nothing(tmp_path: Path, store: Store, walk_csv: Path) -> None:
    from service.app import create_app
    from service.deps import get_store
    from service.settings import Settings

    app = create_app(Settings(data_dir=tmp_path / "d", demo=False, max_upload_bytes=10_000))
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app, base_url="http://127.0.0.1") as c:
        r = upload(c, walk_csv, placement="lower_back")
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    # the limit in the unit it is counted in: 10,000 bytes are 0.009537 MiB, not "0 MB"
    assert "limit of 0.009537 MiB (10,000 bytes)" in r.json()["detail"]
    assert count_rows(store, "walks") == 0


def test_concurrent_uploads_all_stored(client: TestClient, tmp_path: Path, store: Store) -> None:
    paths = [write_walk_csv(tmp_path / f"w{i}.csv", step_hz=1.6 + 0.1 * i, duration_s=40.0) for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda p: upload(client, p, placement="lower_back"), paths))
    assert [r.status_code for r in results] == [201] * 4
    ids = {r.json()["walks"][0]["id"] for r in results}
    assert len(ids) == 4 and count_rows(store, "walks") == 4
    cadences = sorted(r.json()["walks"][0]["summary"]["cadence_spm"] for r in results)
    assert cadences == pytest.approx([96.0, 102.0, 108.0, 114.0], abs=1.5)
    assert store.integrity_check() == "ok"


def test_upload_progress_is_readable(client: TestClient, walk_csv: Path) -> None:
    with walk_csv.open("rb") as fh:
        r = client.post(
            "/api/uploads?upload_id=abc123",
            files={"file": (walk_csv.name, fh, "text/csv")},
            data={"placement": "lower_back"},
        )
    assert r.status_code == 201
    status = client.get("/api/uploads/abc123").json()
    assert status["stage"] == "done" and status["progress"] == 1 and status["walk_id"] == r.json()["walks"][0]["id"]
    assert client.get("/api/uploads/nope").status_code == 404


def test_trends_per_day_and_week(client: TestClient, tmp_path: Path) -> None:
    walks = [
        # two different walks (the same recording twice would be refused as a duplicate)
        upload(client, write_walk_csv(tmp_path / f"t{i}.csv", duration_s=30.0 + i), placement="lower_back").json()
        for i in range(2)
    ]
    for period in ("day", "week"):
        rows = client.get(f"/api/trends?period={period}").json()
        assert len(rows) == 1
        assert rows[0]["walks"] == 2
        total = sum(w["walks"][0]["summary"]["distance_m"] for w in walks)
        assert rows[0]["distance_m"] == pytest.approx(total)
        assert rows[0]["cadence_spm"] == pytest.approx(CADENCE_SPM, abs=1.0)
    assert client.get("/api/trends?period=year").status_code == 422


def test_trends_of_one_placement_keep_its_stride_length_apart(client: TestClient, tmp_path: Path) -> None:
    # QA17 #7: a pocket phone's and a lower-back sensor's strides are estimated by different models; averaged
    # together, a change of placement read as a 38 % shorter stride
    back = upload(client, write_walk_csv(tmp_path / "back.csv", duration_s=60.0), placement="lower_back").json()
    pocket = upload(client, write_walk_csv(tmp_path / "pocket.csv", duration_s=45.0), placement="pocket").json()
    (both,) = client.get("/api/trends").json()
    assert both["walks"] == 2 and both["placements"] == {"lower_back": 1, "pocket": 1}
    lengths = {w["walks"][0]["placement"]: w["walks"][0]["summary"]["stride_length_m"] for w in (back, pocket)}
    assert abs(lengths["pocket"] - lengths["lower_back"]) > 0.01, lengths  # two models: two figures
    for placement, walk in (("lower_back", back), ("pocket", pocket)):
        (row,) = client.get(f"/api/trends?placement={placement}").json()
        assert row["walks"] == 1 and row["placements"] == {placement: 1}
        assert row["stride_length_m"] == pytest.approx(lengths[placement], abs=0.001)
        assert row["distance_m"] == pytest.approx(walk["walks"][0]["summary"]["distance_m"])
    assert client.get("/api/trends?placement=unknown").json() == []  # walks stored without one (Apple Health)
    r = client.get("/api/trends?placement=nose")
    assert r.status_code == 422 and "'pocket'" in r.text


@pytest.fixture
def los_angeles(monkeypatch: pytest.MonkeyPatch):
    """This computer's local time as Los Angeles' (the service's local days, weeks and months are this zone's)."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_trends_per_month_are_local_calendar_months(client: TestClient, tmp_path: Path, los_angeles) -> None:
    # 20:00 on 31 October in Los Angeles is already 1 November in UTC: the walker's month is October
    starts = ("2026-10-02T09:00-07:00", "2026-10-31T20:00-07:00", "2026-11-14T10:00-08:00")
    walks = []
    for i, start in enumerate(starts):
        r = upload(
            client,
            write_walk_csv(tmp_path / f"m{i}.csv", duration_s=40.0 + 5 * i),
            placement="lower_back",
            started_at=start,
        )
        assert r.status_code == 201, r.text
        walks.append(r.json()["walks"][0])
    rows = client.get("/api/trends?period=month").json()
    assert [(r["period"], r["walks"]) for r in rows] == [("2026-10", 2), ("2026-11", 1)]
    for row, month in zip(rows, (walks[:2], walks[2:]), strict=True):
        summaries = [w["summary"] for w in month]
        assert row["strides"] == sum(s["strides"] for s in summaries)
        assert row["distance_m"] == pytest.approx(sum(s["distance_m"] for s in summaries), abs=1e-3)
        assert row["walking_time_s"] == pytest.approx(sum(s["walking_time_s"] for s in summaries), abs=1e-3)
        weighted = sum(s["cadence_spm"] * s["strides"] for s in summaries) / sum(s["strides"] for s in summaries)
        assert row["cadence_spm"] == pytest.approx(weighted, abs=0.05)
    # the days and weeks are Los Angeles' too: the walk of 31 October is on that day
    assert "2026-10-31" in {r["period"] for r in client.get("/api/trends?period=day").json()}


def test_profile_round_trip_and_limits(client: TestClient) -> None:
    default = client.get("/api/profile").json()
    assert default["coaching"]["enabled"] is False  # opt-in
    assert "not medical advice" in default["not_medical_advice"].lower()
    body = {"body_height_m": 1.8, "placement": "lower_back", "stride_scale": 1.05, "coaching": {"enabled": True}}
    r = client.put("/api/profile", json=body)
    assert r.status_code == 200 and r.json()["coaching"]["reduction"] == pytest.approx(0.10)
    assert client.get("/api/profile").json()["body_height_m"] == 1.8
    for bad in ({"body_height_m": 180}, {"coaching": {"reduction": 0.5}}, {"unknown": 1}):
        assert client.put("/api/profile", json=bad).status_code == 422
    assert client.get("/api/profile").json()["body_height_m"] == 1.8


def test_profile_patch_sets_only_the_named_fields_and_refuses_a_stale_one(client: TestClient, store: Store) -> None:
    full = {"body_height_m": 1.78, "placement": "lower_back", "stride_scales": {"lower_back": 1.19, "foot": 1.1}}
    assert client.put("/api/profile", json=full).status_code == 200

    def patch(changes: dict, seen: dict | None = None):
        return client.patch("/api/profile", json={"changes": changes, "seen": seen})

    # a coaching setting and one factor: the rest of the profile stays as stored
    r = patch({"coaching": {"audio_cue": False}, "stride_scales": {"foot": None}}, {"coaching": {"audio_cue": True}})
    assert r.status_code == 200
    saved = client.get("/api/profile").json()
    assert saved["stride_scales"] == {"lower_back": 1.19}
    assert (saved["body_height_m"], saved["placement"], saved["coaching"]["audio_cue"]) == (1.78, "lower_back", False)
    assert saved["coaching"]["reduction"] == pytest.approx(0.10)

    # a field shown with another value than the stored one: refused, named, nothing saved (not even the other field)
    before = store.get_profile()
    r = patch({"body_height_m": 1.7, "placement": "pocket"}, {"body_height_m": 1.75, "placement": "lower_back"})
    assert r.status_code == 409
    assert "the profile changed since you opened this page (body height is now 1.78 m" in r.json()["detail"]
    assert "placement" not in r.json()["detail"]  # unchanged elsewhere: not named
    assert store.get_profile() == before
    # the same value saved in both places is no conflict
    assert patch({"body_height_m": 1.78}, {"body_height_m": 1.6}).status_code == 200

    # values the profile does not accept: 422 naming the field, nothing saved
    for bad in ({"body_height_m": 3.0}, {"coaching": {"reduction": 0.5}}, {"unknown": 1}, {"stride_scales": 1.1}):
        r = patch(bad)
        assert r.status_code == 422, bad
        assert store.get_profile() == before, bad
    assert "body_height_m" in str(patch({"body_height_m": 3.0}).json()["detail"])


def test_pain_reports_and_walk_length_recommendation(client: TestClient, store: Store) -> None:
    mile_m = 1609.344
    r = client.post("/api/pain", json={"score": 6, "onset_distance_m": 3 * mile_m, "note": "lower back"})
    assert r.status_code == 201
    assert client.post("/api/pain", json={"score": 11}).status_code == 422
    assert client.post("/api/pain", json={"score": 3, "walk_id": 999}).status_code == 422
    assert client.post("/api/pain", content=json.dumps({"score": 3})).status_code == 422  # no JSON content type
    assert count_rows(store, "pain_reports") == 1
    pain = client.get("/api/pain").json()
    assert len(pain) == 1 and pain[0]["score"] == 6
    rec = client.get("/api/coaching").json()["plan"]["recommendation"]
    # The source material's example: pain at 3 miles -> walk 2.5 miles.
    assert rec["walk_length_m"] == pytest.approx(2.5 * mile_m)
    assert client.delete(f"/api/pain/{pain[0]['id']}").status_code == 204
    assert client.get("/api/coaching").json()["plan"]["recommendation"] is None


def test_a_report_of_no_pain_with_an_onset_is_refused_with_what_to_do(client: TestClient, store: Store) -> None:
    # QA17 #8: stored silently, "0/10 ... 50 m" sat in the history although the coach ignores it
    for onset in ({"onset_distance_m": 50.0}, {"onset_time_s": 300.0}):
        r = client.post("/api/pain", json={"score": 0, **onset})
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == (
            "a pain score of 0/10 means no pain, so there is no point into the walk at which it started: leave the "
            "distance and time into the walk empty, or give the pain you felt (1 to 10)"
        )
    assert count_rows(store, "pain_reports") == 0
    # no pain without an onset, and pain 1/10 with one, are reports as before
    assert client.post("/api/pain", json={"score": 0}).status_code == 201
    assert client.post("/api/pain", json={"score": 1, "onset_distance_m": 50.0}).status_code == 201


def test_coaching_says_how_long_a_walk_to_calibrate_with_must_be(client: TestClient) -> None:
    # the dashboard's Home and Profile say it in the words of the walk page's Calibrate card and gait calibrate
    assert client.get("/api/coaching").json()["calibration_walk_good_m"] == 100.0


def test_a_pain_report_whose_walk_is_deleted_says_it_had_one(client: TestClient, tmp_path: Path) -> None:
    walk = upload(client, write_walk_csv(tmp_path / "w.csv", duration_s=30.0), placement="lower_back").json()
    walk_id = walk["walks"][0]["id"]
    on_walk = client.post("/api/pain", json={"score": 4, "walk_id": walk_id}).json()
    alone = client.post("/api/pain", json={"score": 3}).json()
    assert (on_walk["walk_id"], on_walk["walk_deleted"]) == (walk_id, False)
    assert client.delete(f"/api/walks/{walk_id}").status_code == 200
    listed = {r["id"]: (r["walk_id"], r["walk_deleted"]) for r in client.get("/api/pain").json()}
    assert listed == {on_walk["id"]: (None, True), alone["id"]: (None, False)}


def test_onset_zero_is_refused_and_an_early_time_onset_gets_the_doctor_wording(
    client: TestClient, store: Store
) -> None:
    # QA: pain from the very start gave "Plan walks of about 125 m or about 0 min"
    # and one that rounds to 0 (QA: 0.0001 m made "about 0 m into a walk" and a plan of 0.00008 m)
    for zero in ({"onset_time_s": 0}, {"onset_distance_m": 0.0}, {"onset_distance_m": 0.0001}, {"onset_time_s": 9.5}):
        r = client.post("/api/pain", json={"score": 4, **zero})
        assert r.status_code == 422, zero
        detail = r.json()["detail"]
        assert "from the very start of the walk" in detail and "still counts as pain" in detail
    assert count_rows(store, "pain_reports") == 0
    # QA: a distance onset (150 m -> 125 m) and a time onset of 30 s (-> 25 s): under a minute, the wording
    # that such walks cannot count, and the doctor, not "counts as a pain-free walk"
    assert client.post("/api/pain", json={"score": 4, "onset_distance_m": 150.0}).status_code == 201
    assert client.post("/api/pain", json={"score": 4, "onset_time_s": 30.0}).status_code == 201
    rec = client.get("/api/coaching").json()["plan"]["recommendation"]
    assert rec["walk_time_s"] == pytest.approx(25.0) and rec["walk_length_m"] == pytest.approx(125.0)
    # coaching switched off (the default): no walk counts, so only the doctor (QA19a #14)
    assert "count" not in rec["reason"] and "doctor or physiotherapist" in rec["reason"]
    on = {"changes": {"coaching": {"enabled": True}}}
    assert client.patch("/api/profile", json=on).status_code == 200
    rec = client.get("/api/coaching").json()["plan"]["recommendation"]
    assert "cannot count as pain-free walks" in rec["reason"] and "doctor or physiotherapist" in rec["reason"]


def test_flagged_strides_follow_coaching(client: TestClient, tmp_path: Path) -> None:
    path = write_walk_csv(tmp_path / "w.csv", duration_s=30.0)
    off = upload(client, path, placement="lower_back").json()["walks"][0]
    assert off["summary"]["flagged_strides"] == 0
    assert {s["overlong"] for s in client.get(f"/api/walks/{off['id']}/strides").json()} == {None}
    # No personal baseline: the walk's first 20 trusted strides set its level against the population line (at 108
    # steps/min for a 1.50 m walker: 2 x 0.0035 x 1.50 x 108 = 1.134 m); the synthetic strides (about 1.3 m with a
    # calibration factor of 1.3) are all alike, so the later ones exceed 10 % below that level + 0.05 m.
    client.put(
        "/api/profile",
        json={"body_height_m": 1.5, "stride_scale": 1.3, "placement": "lower_back", "coaching": {"enabled": True}},
    )
    client.post("/api/pain", json={"score": 5})
    # the same recording is analysed again (with the new profile and plan) once its walk is deleted
    assert client.delete(f"/api/walks/{off['id']}").status_code == 200
    on = upload(client, path, placement="lower_back").json()["walks"][0]
    strides = client.get(f"/api/walks/{on['id']}/strides").json()

    def population_m(s: dict) -> float:
        return 2 * 0.0035 * 1.5 * min(max(s["cadence_spm"], 98.0), 130.0)

    level, later = strides[:20], strides[20:]
    assert all(s["confidence"] >= 0.6 and s["length_m"] is not None for s in level)
    assert {(s["target_m"], s["overlong"]) for s in level} == {(None, None)}  # they set the level: not judged
    scale = float(np.median([s["length_m"] / population_m(s) for s in level]))
    assert later and all(s["target_m"] == pytest.approx(0.9 * scale * population_m(s), rel=1e-6) for s in later)
    judged = [s for s in strides if s["overlong"] is not None]
    assert judged == later and all(s["confidence"] >= 0.5 for s in judged)
    assert [s["overlong"] for s in judged] == [s["length_m"] > s["target_m"] + 0.05 for s in judged]
    assert sum(s["overlong"] for s in judged) > 0.9 * len(judged)
    assert on["summary"]["flagged_strides"] == sum(1 for s in strides if s["overlong"])
    assert on["coaching"]["active"] is True
    trend = client.get("/api/trends").json()[0]
    assert trend["flagged_strides"] == on["summary"]["flagged_strides"]


def test_health_and_openapi(client: TestClient) -> None:
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["token_required"] is False and h["schema_version"] >= 1
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/uploads", "/api/walks/{walk_id}/strides", "/api/trends", "/api/pain", "/api/live/feed"):
        assert p in paths


def test_strides_as_columns_equal_rows(client: TestClient, walk_csv: Path) -> None:
    walk = upload(client, walk_csv, placement="lower_back").json()["walks"][0]
    rows = client.get(f"/api/walks/{walk['id']}/strides").json()
    cols = client.get(f"/api/walks/{walk['id']}/strides?layout=columns").json()
    assert set(cols) == set(rows[0])
    assert [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)] == rows


def test_an_assumed_height_note_tells_a_web_user_where_to_give_it(client: TestClient, walk_csv: Path) -> None:
    walk = upload(client, walk_csv, placement="lower_back").json()["walks"][0]
    notes = client.get(f"/api/walks/{walk['id']}").json()["notes"]
    assumed = [n for n in notes if "default body height" in n]
    assert assumed and "give your height (profile" in assumed[0], notes  # not only a command-line flag


@pytest.mark.parametrize("rows", [["0.0,0.1,0.2,9.8"], ["0.0,0.1,0.2,9.8", "0.01,0.1,0.2,9.8", "0.02,0.1,0.2,9.8"]])
def test_an_upload_shorter_than_one_stride_is_refused_and_stores_nothing(
    client: TestClient, store: Store, tmp_path: Path, rows: list[str]
) -> None:
    path = tmp_path / "one_row.csv"
    path.write_text("\n".join(["time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2", *rows]) + "\n")
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "shorter than one stride" in detail and "nothing was stored" in detail
    # QA9: what suffices ("a walk of at least a minute" was neither what stores a walk nor what counts)
    assert detail.endswith(
        "upload a recording with 20 steps or more of walking (for the coaching, walks of 2 minutes of walking or more "
        "count)"
    ), detail
    assert count_rows(store, "walks") == 0 and client.get("/api/walks").json() == []


def test_an_upload_without_walking_is_refused_and_stores_nothing(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    """A minute of a phone lying still: no stride, so no walk in the list or in Trends; the message says what to
    check."""
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 60.0, 0.01)
    acc = np.column_stack([0.05 * rng.standard_normal(len(t)), 0.05 * rng.standard_normal(len(t)), 9.81 + 0 * t])
    path = tmp_path / "on_the_table.csv"
    write_gait_csv(Recording(t, acc), path)
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "pocket"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "no walking found in its 60 s as a pocket recording" in detail and "nothing was stored" in detail, detail
    assert "where the sensor was worn" in detail
    assert count_rows(store, "walks") == 0 and client.get("/api/trends").json() == []


def test_a_short_upload_with_a_stride_is_too_little_walking(client: TestClient, store: Store, tmp_path: Path) -> None:
    path = write_walk_csv(tmp_path / "short.csv", duration_s=1.6)  # one stride: a walk of 0 strides was refused, not it
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith("short.csv: found only ") and "too little to store as a walk" in detail, detail
    assert count_rows(store, "walks") == 0


def test_a_page_address_without_its_hash_takes_the_browser_to_the_page(client: TestClient) -> None:
    # QA: /walks, /live, /walk/12 and /index.html showed {"detail": "Not Found"} in the browser
    html = {"accept": "text/html,application/xhtml+xml"}
    for path, page in (("/walks", "/#/walks"), ("/walk/12/", "/#/walk/12"), ("/index.html", "/"), ("/live", "/#/live")):
        r = client.get(path, headers=html, follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == page, (path, r.status_code, r.headers)
    # the API and scripts keep their JSON 404s
    assert client.get("/api/nothing", headers=html).status_code == 404
    r = client.get("/walks", headers={"accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    assert client.get("/api/walks/999999").json()["detail"] != "Not Found"  # a route's own message is kept
