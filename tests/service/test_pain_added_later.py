"""A pain report added later for an earlier time (or deleted) changes the plan the walks after it were judged by:
they keep the plan they showed (their history) and are marked out of date, with why, until analysed again; and a
walk-length plan from a distance report and a time report is one walk the walker can follow.

Real phone recordings from sample_recordings/ (the Oxford step-counter walks), dated by an epoch column, on a real
SQLite file through the API.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.demo import sample_recording
from service.store import Store
from tests.service.test_coaching_honesty import iso, post_file, write_csv

DAY_S = 86400.0
SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"
POCKET, HAND, BAG = "oxford_phone_back_pocket", "oxford_phone_in_hand", "oxford_phone_in_bag"
PLACEMENT = {POCKET: "pocket", HAND: "hand", BAG: "waist"}
"""Each recording's own placement (the Oxford data set's BackPocket, InHand and Purse)."""


def coached_walker(client: TestClient, *, first_pain_s: float) -> None:
    """Coaching on, a calibration factor for each phone placement (so that the phones' lengths are trusted and
    judged), and back pain 4/10 reported at ``first_pain_s`` with no walk."""
    profile = {
        "body_height_m": 1.75,
        "stride_scales": dict.fromkeys(PLACEMENT.values(), 1.0),
        "coaching": {"enabled": True},
    }
    assert client.put("/api/profile", json=profile).status_code == 200
    r = client.post("/api/pain", json={"score": 4, "reported_at": iso(first_pain_s)})
    assert r.status_code == 201, r.text


def upload_dated(client: TestClient, tmp_path: Path, name: str, start_s: float) -> dict:
    """Upload the real recording ``name`` as a walk that started at ``start_s`` (Unix seconds)."""
    path = write_csv(tmp_path / f"{name}.csv", sample_recording(SAMPLES / f"{name}.csv"), start_epoch_s=start_s)
    r = post_file(client, path, placement=PLACEMENT[name])
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def walk_page(client: TestClient, walk_id: int) -> dict:
    r = client.get(f"/api/walks/{walk_id}")
    assert r.status_code == 200, r.text
    return r.json()


def status_line(walk: dict) -> str:
    """The plan's first reason: whether coaching was on, and the pain report it rested on."""
    return walk["coaching"]["reasons"][0]


def test_a_pain_report_added_for_an_earlier_walk_marks_the_walks_after_it_out_of_date(
    client: TestClient, tmp_path: Path
) -> None:
    # QA: walks uploaded for a week, then pain entered for the first of them (a normal order of work)
    now_s = time.time()
    first_s = now_s - 17 * DAY_S
    coached_walker(client, first_pain_s=first_s - 21 * DAY_S)
    w1 = upload_dated(client, tmp_path, POCKET, first_s)
    w2 = upload_dated(client, tmp_path, HAND, first_s + 7 * DAY_S)
    w3 = upload_dated(client, tmp_path, BAG, first_s + 14 * DAY_S)
    assert "back pain 4/10 reported 35 days before this walk" in status_line(walk_page(client, w3["id"]))
    assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 0

    onset_m = round(0.7 * w1["summary"]["distance_m"])
    r = client.post("/api/pain", json={"score": 3, "walk_id": w1["id"], "onset_distance_m": onset_m})
    assert r.status_code == 201, r.text
    report = r.json()

    # the walks after the report keep the plan they were judged by, and say it no longer follows from the reports
    for walk, days in ((w2, 28), (w3, 35)):
        page = walk_page(client, walk["id"])
        # the plan of then, kept as history
        assert f"back pain 4/10 reported {days} days before this walk" in status_line(page)
        status = page["reanalysis"]
        assert status["out_of_date"] is True and status["plan_changed"] is True and status["can_reanalyse"] is True
        assert status["reasons"] == [
            "a pain report dated before this walk was added since (back pain 3/10): the coaching plan it was judged "
            "by leaves it out"
        ]
        (added,) = page["coaching"]["added_pain_reports"]
        assert (added["id"], added["score"], added["walk_id"], added["dated"]) == (report["id"], 3, w1["id"], True)
        assert added["walk_name"] == w1["name"]
    # the walk the report names was judged by the plan at its start, which the report (dated at its end) is no part
    # of: analysing it again would give the same plan, so it is not offered
    first = walk_page(client, w1["id"])
    assert first["reanalysis"]["out_of_date"] is False and first["coaching"]["added_pain_reports"] == []
    r = client.post(f"/api/walks/{w1['id']}/reanalyse")
    assert r.status_code == 200, r.text
    assert walk_page(client, w1["id"])["coaching"]["reasons"] == first["coaching"]["reasons"]

    overview = client.get("/api/walks/reanalysis").json()
    assert (overview["out_of_date"], overview["out_of_date_plan_changed"]) == (2, 2)

    # "Analyse all again" judges them by the plan of their day with the report
    batch = client.post("/api/walks/reanalyse").json()
    assert (batch["reanalysed"], batch["failed"]) == (2, 0)
    assert [r["walk_id"] for r in batch["results"]] == [w2["id"], w3["id"]]  # oldest first
    for walk, days in ((w2, 7), (w3, 14)):
        page = walk_page(client, walk["id"])
        assert f"back pain 3/10 reported {days} days before this walk" in status_line(page)
        assert page["reanalysis"]["out_of_date"] is False and page["coaching"]["added_pain_reports"] == []
    overview = client.get("/api/walks/reanalysis").json()
    assert (overview["out_of_date"], overview["out_of_date_plan_changed"]) == (0, 0)

    # deleting that report changes their plan back: out of date again, with the deleted report named
    assert client.delete(f"/api/pain/{report['id']}").status_code == 204
    page = walk_page(client, w3["id"])
    assert page["reanalysis"]["reasons"] == [
        "a pain report the coaching plan it was judged by rested on was deleted since (back pain 3/10)"
    ]
    assert [r["id"] for r in page["coaching"]["deleted_pain_reports"]] == [report["id"]]
    assert client.get("/api/walks/reanalysis").json()["out_of_date_plan_changed"] == 2


def test_a_report_dated_after_a_walk_naming_an_earlier_walk_marks_it_out_of_date(
    client: TestClient, tmp_path: Path
) -> None:
    # pain for the walk of 17 days ago, entered with the date it was reported (after the walk of 10 days ago): the
    # later walk's plan counted the earlier one as a pain-free walk, which it no longer is
    now_s = time.time()
    coached_walker(client, first_pain_s=now_s - 38 * DAY_S)
    earlier = upload_dated(client, tmp_path, HAND, now_s - 17 * DAY_S)
    assert earlier["summary"]["walking_time_s"] >= 120.0  # a walk that counts as a pain-free walk
    later = upload_dated(client, tmp_path, BAG, now_s - 10 * DAY_S)
    assert (
        "so far 28 days and 1 pain-free walk since that report;"
        in walk_page(client, later["id"])["coaching"]["reasons"][1]
    )

    r = client.post("/api/pain", json={"score": 5, "walk_id": earlier["id"], "reported_at": iso(now_s - 5 * DAY_S)})
    assert r.status_code == 201, r.text
    page = walk_page(client, later["id"])
    assert page["reanalysis"]["reasons"] == [
        f"a pain report for an earlier walk (\u201c{earlier['name']}\u201d) was added since (back pain 5/10): the "
        "coaching plan it was judged by counted that walk as pain-free"
    ]
    (added,) = page["coaching"]["added_pain_reports"]
    assert added["dated"] is False and added["walk_id"] == earlier["id"]
    assert walk_page(client, earlier["id"])["reanalysis"]["out_of_date"] is False

    assert client.post(f"/api/walks/{later['id']}/reanalyse").status_code == 200
    page = walk_page(client, later["id"])
    assert "so far 28 days and 0 pain-free walks since that report;" in page["coaching"]["reasons"][1]
    assert page["reanalysis"]["out_of_date"] is False


def test_walks_stored_before_plans_kept_their_walks_reports_are_not_taken_for_out_of_date(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    # a plan stored by an earlier version kept only the reports of its lookback: a report naming a walk of its
    # history that existed then cannot be told from one added since, so it is not compared
    now_s = time.time()
    coached_walker(client, first_pain_s=now_s - 38 * DAY_S)
    earlier = upload_dated(client, tmp_path, HAND, now_s - 17 * DAY_S)
    assert client.post("/api/pain", json={"score": 5, "walk_id": earlier["id"], "reported_at": iso(now_s)}).is_success
    later = upload_dated(client, tmp_path, BAG, now_s - 10 * DAY_S)
    with store.write() as conn:
        (stored,) = conn.execute("SELECT coaching_json FROM walks WHERE id = ?", (later["id"],)).fetchone()
        coaching = json.loads(stored)
        assert [r["walk_id"] for r in coaching.pop("pain_walk_reports")] == [earlier["id"]]
        conn.execute("UPDATE walks SET coaching_json = ? WHERE id = ?", (json.dumps(coaching), later["id"]))
    assert walk_page(client, later["id"])["reanalysis"]["out_of_date"] is False


def test_a_distance_and_a_time_onset_give_one_walk_at_the_walkers_usual_pace(
    client: TestClient, tmp_path: Path
) -> None:
    # QA: a 250 m onset on one walk and a 90 s onset on another gave "about 208 m (0.13 mi) or about 1 min 15 s",
    # and "shorter than the usual 2 minutes", where 208 m takes this walker over 2 minutes, past the 90 s onset
    now_s = time.time()
    coached_walker(client, first_pain_s=now_s - 30 * DAY_S)
    hand, bag, pocket = (
        upload_dated(client, tmp_path, name, now_s - (10 - i) * DAY_S) for i, name in enumerate((HAND, BAG, POCKET))
    )
    onset_m = 180.0  # on the bag walk (198 m)
    for walk, onset in ((bag, {"onset_distance_m": onset_m}), (hand, {"onset_time_s": 90})):
        r = client.post("/api/pain", json={"score": 3, "walk_id": walk["id"], **onset})
        assert r.status_code == 201, r.text
    rec = client.get("/api/coaching").json()["plan"]["recommendation"]
    # the walker's usual pace: the median distance over walking time of their walks of 2 minutes' walking or more
    assert pocket["summary"]["walking_time_s"] < 120.0  # 105 s: not a walk by the 2-minute rule
    pace_mps = statistics.median(w["summary"]["distance_m"] / w["summary"]["walking_time_s"] for w in (hand, bag))
    assert rec["pace_mps"] == pytest.approx(pace_mps, rel=1e-3)
    assert onset_m / pace_mps > 90.0  # at that pace the 90 s come first: the walk ends by time
    assert rec["ends_by"] == "time"
    assert rec["walk_time_s"] == pytest.approx(75.0) and rec["planned_time_s"] == pytest.approx(75.0)
    assert rec["planned_length_m"] == pytest.approx(75.0 * pace_mps, rel=1e-3)
    reason = rec["reason"]
    plan = reason.split("Plan walks")[1]
    assert "or about 1 min 15 s" not in reason and f"{onset_m * 5 / 6:.0f} m" not in plan, reason
    assert f"Plan walks of about 1 min 15 s, about {75.0 * pace_mps:.0f} m" in reason, reason
    assert "at your usual pace" in plan
    # 75 s of walking is shorter than two minutes, and a minute or more: such walks count, as the note says
    assert "counts as a pain-free walk, though shorter than the usual 2 minutes" in reason
