"""One point of pain per walk (QA19a #8): several reports for one walk (a second press of Save, a changed mind)
count once, with the walk's earliest onset, and the count says walks; a report of no pain (0/10) for a walk
reported painful, or the other way round, is refused with the report it contradicts.

Real phone recordings of the Oxford step-counter data set (../shared/data/dev) uploaded through the API.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.test_coaching_honesty import post_file
from tests.service.test_pain_marks_changed_plans import OXFORD
from tests.service.test_pain_marks_changed_plans import pytestmark as pytestmark  # shared data, skipped without it


def upload(client: TestClient, name: str) -> int:
    r = post_file(client, OXFORD / name / "accelerometer.csv.gz", placement="hand")
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


def report(client: TestClient, walk_id: int, score: int, onset_m: float | None = None):
    body = {"score": score, "walk_id": walk_id} | ({} if onset_m is None else {"onset_distance_m": onset_m})
    return client.post("/api/pain", json=body)


def test_reports_of_one_walk_count_once_with_its_earliest_onset(client: TestClient) -> None:
    first, second = upload(client, "Samsung_Dario_Hard_InHand_2"), upload(client, "Samsung_Carmelo_Hard_InHand_1")
    # Save pressed twice, then a changed mind (earlier than first said): three reports of the first walk
    for onset_m in (90.0, 90.0, 70.0):
        assert report(client, first, 5, onset_m).status_code == 201
    assert report(client, second, 4, 120.0).status_code == 201
    assert len(client.get("/api/pain").json()) == 4  # all kept in the history
    onset = client.get("/api/coaching").json()["plan"]["onset"]
    assert onset["distances_m"] == [70.0, 120.0]
    assert onset["n_distance_reports"] == 2
    assert "about 70 m (0.04 mi) into a walk (the shortest of 2 walks)" in onset["description"]


def test_no_pain_and_pain_for_one_walk_contradict_each_other(client: TestClient) -> None:
    walk = upload(client, "Samsung_Dario_Hard_InHand_2")
    assert report(client, walk, 6, 100.0).status_code == 201
    r = report(client, walk, 0)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail.startswith("the walk \u201caccelerometer\u201d already has a report of 6/10 after 100 m")
    assert "a report of no pain (0/10) for the same walk contradicts it" in detail
    assert "delete it in the history on the Pain page" in detail
    assert len(client.get("/api/pain").json()) == 1
    # and the other way round: a walk reported pain-free, then painful
    other = upload(client, "Samsung_Carmelo_Hard_InHand_1")
    assert report(client, other, 0).status_code == 201
    r = report(client, other, 3, 80.0)
    assert r.status_code == 422 and "already has a report of 0/10" in r.json()["detail"]
    assert "a report of pain 3/10 for the same walk contradicts it" in r.json()["detail"]
