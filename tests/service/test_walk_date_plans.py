"""A walk's changed date and the coaching stored from dates: the walk's own plan (the plan of its old day) and the
plans of the walks that counted it there, or can count it at its new date (their baseline, their count of pain-free
walks since the last pain), are marked out of date in the same change; no other walk is; "Analyse all again" then
judges each by the plan of its day, and none is left out of date.

Real phone recordings of the Oxford step-counter data set (../shared/data/dev), uploaded as CSVs dated by an epoch
column (a phone's clock) or as their own accelerometer.csv.gz (no start time), on a real SQLite file through the API.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.service.test_coaching_honesty import iso, post_file
from tests.service.test_walk_deleted_marks_plans import (
    DAY_S,
    OXFORD,
    POCKET_WALKS,
    baseline_reason,
    overview,
    page,
    upload_days_ago,
    upload_pocket,
)

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data not found at {OXFORD}"),
    pytest.mark.timeout(300),
]

COACHED = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0}, "coaching": {"enabled": True}}


def coached_walks(client: TestClient, tmp_path: Path, now_s: float) -> tuple[int, ...]:
    """Coaching on, pocket walks a, b, c, d of 20, 15, 10 and 8 days ago, back pain 5 days ago, then walk w of 2 days
    ago, whose plan counted all four (its baseline, pain-free); their ids."""
    assert client.put("/api/profile", json=COACHED).status_code == 200
    a, b, c, d = upload_days_ago(client, tmp_path, (20, 15, 10, 8))
    assert client.post("/api/pain", json={"score": 5, "reported_at": iso(now_s - 5 * DAY_S)}).status_code == 201
    w = upload_pocket(client, tmp_path, POCKET_WALKS[4], now_s - 2 * DAY_S)
    assert page(client, w)["coaching"]["relied_on_walks"] == [a, b, c, d]
    return a, b, c, d, w


def redate(client: TestClient, walk_id: int, start_s: float) -> dict:
    r = client.patch(f"/api/walks/{walk_id}", json={"started_at": iso(start_s)})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_walk_moved_out_of_the_plans_that_counted_it_marks_them_and_itself(
    client: TestClient, tmp_path: Path
) -> None:
    # a phone whose clock was two weeks behind: walk b was really walked yesterday, after the pain report and after
    # walk w, whose baseline (with c's and d's) counted it
    now_s = time.time()
    a, b, c, d, w = coached_walks(client, tmp_path, now_s)
    assert page(client, c)["coaching"]["relied_on_walks"] == [a, b]
    then = page(client, b)
    assert not then["coaching"]["active"] and then["summary"]["flagged_strides"] == 0  # before the pain: not coached
    assert overview(client)["out_of_date"] == 0

    done = redate(client, b, now_s - DAY_S)
    # b itself (judged by the plan of 15 days ago), and c, d and w, whose plans counted b before them; not a, which
    # b was never before
    assert done["marked_out_of_date"] == [b, c, d, w]
    assert (
        f"its coaching was judged by the plan of its old date, and the coaching of walks {c}, {d}, {w} by plans its "
        f"new date changes: they are marked out of date, to analyse again with its new date"
    ) in done["message"]
    counts = overview(client)
    assert counts["out_of_date"] == 4 and counts["out_of_date_by_reason"]["date"] == 4
    assert counts["out_of_date_by_reason"]["pain"] == 0 and counts["out_of_date_by_reason"]["deleted_walk"] == 0
    assert not page(client, a)["reanalysis"]["out_of_date"]
    marked = page(client, w)
    assert marked["reanalysis"]["reasons"] == [
        f"the date of a walk was changed since (walk {b}): the coaching plan it was judged by counted it, or can "
        "count it at its new date"
    ]
    assert marked["coaching"]["relied_on_walks"] == [a, b, c, d]  # the plan of then stays, as history
    own = page(client, b)["reanalysis"]
    assert own["reason_kinds"] == ["date"] and own["plan_changed"] is False  # no pain report changed anything
    assert page(client, b)["coaching"]["added_pain_reports"] == []  # the pain of its new day was not "added since"

    batch = client.post("/api/walks/reanalyse").json()
    assert [(x["walk_id"], x["ok"]) for x in batch["results"]] == [(c, True), (d, True), (w, True), (b, True)]
    assert overview(client)["out_of_date"] == 0
    assert page(client, w)["coaching"]["relied_on_walks"] == [a, c, d]
    assert "in 3 baseline walks" in baseline_reason(page(client, w)["coaching"])
    # b is judged by the plan of yesterday: back pain 4 days before it, coaching on, its strides judged
    now = page(client, b)
    assert now["coaching"]["active"] and now["summary"]["flagged_strides"] > 0
    assert any("back pain 5/10 reported 4 days before this walk" in r for r in now["coaching"]["reasons"])
    assert set(now["coaching"]["relied_on_walks"]) == {a, c, d, w}


def test_an_undated_upload_dated_into_a_plan_that_can_count_it_marks_that_plan_only(
    client: TestClient, tmp_path: Path
) -> None:
    # an Oxford file without a start time, dated at its upload (after every other walk), really walked 3 days ago:
    # between the pain report and walk w, whose plan can now count it (its baseline's placement, a pain-free walk
    # since the pain); the walks before it are not marked
    now_s = time.time()
    a, b, c, d, w = coached_walks(client, tmp_path, now_s)
    r = post_file(client, OXFORD / POCKET_WALKS[5] / "accelerometer.csv.gz", placement="pocket")
    assert r.status_code == 201, r.text
    (x,) = [walk["id"] for walk in r.json()["walks"]]
    assert page(client, x)["source"]["started_at_from"] == "import"
    before = page(client, w)
    assert x not in before["coaching"]["relied_on_walks"] and overview(client)["out_of_date"] == 0

    done = redate(client, x, now_s - 3 * DAY_S)
    assert done["marked_out_of_date"] == [x, w]
    assert not any(page(client, i)["reanalysis"]["out_of_date"] for i in (a, b, c, d))

    assert client.post(f"/api/walks/{w}/reanalyse").status_code == 200
    after = page(client, w)
    assert x in after["coaching"]["relied_on_walks"] and not after["reanalysis"]["out_of_date"]
    assert "in 5 baseline walks" in baseline_reason(after["coaching"])
