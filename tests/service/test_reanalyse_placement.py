"""Correcting a stored walk's placement in place (uploaded as waist, really worn at the lower back): "Analyse again"
with another placement, on real recordings and a real SQLite store. The walk keeps its id and pain reports, is
stored with the placement given and its figures are what an upload with that placement gives; a placement is
validated as an upload's is, and a sample walk's placement is its walker's."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.demo import import_samples
from service.settings import Settings
from service.store import Store
from tests.service.conftest import LOOPBACK, count_rows
from tests.service.test_reanalysis import SAMPLES, WALK, upload


def test_analysing_again_as_another_placement_corrects_it_in_place(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    # a waist factor of 1.2 and none at the lower back: the walk's lengths follow the placement it is analysed as
    profile = {"body_height_m": 1.75, "placement": "waist", "stride_scales": {"waist": 1.2}}
    assert client.put("/api/profile", json=profile).status_code == 200
    walk = upload(client, WALK, placement="waist")
    r = client.post("/api/pain", json={"score": 4, "walk_id": walk["id"], "note": "after the stairs"})
    assert r.status_code == 201, r.text
    report = r.json()

    r = client.post(f"/api/walks/{walk['id']}/reanalyse", json={"placement": "lower_back"})
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["placement_before"], result["placement"]) == ("waist", "lower_back")
    assert result["change"].startswith("placement waist -> lower back: strides "), result["change"]
    assert result["after"]["distance_m"] < result["before"]["distance_m"]  # no 1.2 factor at the lower back
    stored = client.get(f"/api/walks/{walk['id']}").json()
    # the same walk, one walk stored, its pain report still its own; stored with the corrected placement
    assert count_rows(store, "walks") == 1
    assert (stored["id"], stored["name"], stored["started_at"]) == (walk["id"], walk["name"], walk["started_at"])
    assert stored["placement"] == "lower_back" and stored["analysis"]["stride_scale"] is None
    assert [p["id"] for p in stored["pain_reports"]] == [report["id"]]
    assert [(p["id"], p["walk_id"]) for p in client.get("/api/pain").json()] == [(report["id"], walk["id"])]
    # up to date as a lower-back walk: nothing left to analyse again, the same placement analysed again is no change
    assert stored["reanalysis"]["out_of_date"] is False and stored["reanalysis"]["can_reanalyse"] is True
    assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 0
    again = client.post(f"/api/walks/{walk['id']}/reanalyse").json()
    assert again["placement"] == "lower_back" and again["change"].startswith("as before: "), again

    # what an upload of the file as a lower-back walk in the first place gives, in another store
    other = Settings(data_dir=tmp_path / "other", demo=False, samples_dir=tmp_path / "no-samples")
    with TestClient(create_app(other), base_url=LOOPBACK) as fresh:
        assert fresh.put("/api/profile", json=profile).status_code == 200
        first = upload(fresh, WALK, placement="lower_back")
        first_strides = fresh.get(f"/api/walks/{first['id']}/strides").json()
    summary = {k: v for k, v in stored["summary"].items() if k != "flagged_strides"}
    assert summary == {k: v for k, v in first["summary"].items() if k != "flagged_strides"}
    strides = client.get(f"/api/walks/{walk['id']}/strides").json()
    assert [s["length_m"] for s in strides] == [s["length_m"] for s in first_strides]


def test_a_placement_is_validated_as_an_uploads_and_nothing_changes(client: TestClient) -> None:
    walk = upload(client, WALK, placement="waist")
    before = client.get(f"/api/walks/{walk['id']}").json()
    for body in ({"placement": "belt"}, {"placement": "lower back"}, {"placement": "waist", "side": "left"}):
        r = client.post(f"/api/walks/{walk['id']}/reanalyse", json=body)
        assert r.status_code == 422, (body, r.text)
    after = client.get(f"/api/walks/{walk['id']}").json()
    assert (after["placement"], after["summary"]) == (before["placement"], before["summary"])
    # an upload refuses the same word
    with WALK.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (WALK.name, fh)}, data={"placement": "belt"})
    assert r.status_code == 422


def test_a_sample_walks_placement_is_not_the_walkers_to_change(client: TestClient, store: Store) -> None:
    import_samples(store, SAMPLES)
    sample = next(w for w in store.list_walks(limit=100) if w["source"].get("file") == WALK.name)
    r = client.post(f"/api/walks/{sample['id']}/reanalyse", json={"placement": "waist"})
    assert r.status_code == 409 and "its sensor's placement is its walker's" in r.json()["detail"], r.text
    assert store.get_walk(sample["id"])["placement"] == "lower_back"


@pytest.mark.parametrize("placement", [None, "lower_back"])
def test_analysing_again_as_its_own_placement_changes_nothing(client: TestClient, placement: str | None) -> None:
    walk = upload(client, WALK)
    body = None if placement is None else {"placement": placement}
    r = client.post(f"/api/walks/{walk['id']}/reanalyse", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["placement_before"] == r.json()["placement"] == "lower_back"
    assert not r.json()["change"].startswith("placement")
