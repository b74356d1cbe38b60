"""A pain report marks a walk out of date only when it changes the plan that walk was judged by: never the walk it
names (whatever the times: an upload without a start time is dated to end at its upload), and another walk only
when the named walk was in its baseline (same placement) or among the pain-free walks its plan counted (with
coaching on). "Analyse again" then changes every marked walk and no unmarked one.

Real phone recordings of the Oxford step-counter data set (../shared/data/dev), uploaded as their own
accelerometer.csv.gz (no start time) or as CSVs with an epoch column, on a real SQLite file through the API.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest import load
from service.demo import sample_recording
from tests.service.test_coaching_honesty import iso, post_file, write_csv

DAY_S = 86400.0
REPO = Path(__file__).resolve().parents[2]
OXFORD = REPO.parent / "shared" / "data" / "dev" / "oxford_step_counter" / "optimisation" / "data"
LOWER_BACK = REPO / "sample_recordings" / "mobgap_lower_back_daily_living.csv"  # 86 steps: stored as a walk

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data not found at {OXFORD}"),
    pytest.mark.timeout(300),
]


def oxford(name: str) -> Path:
    return OXFORD / name / "accelerometer.csv.gz"


def upload_file(client: TestClient, path: Path, placement: str) -> int:
    r = post_file(client, path, placement=placement)
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


def upload_dated(client: TestClient, tmp_path: Path, name: str, placement: str, start_s: float) -> int:
    """The Oxford recording ``name`` (or the lower-back sample) as a CSV dated by an epoch column."""
    recording = sample_recording(LOWER_BACK) if name == "lower_back" else load(oxford(name), placement=placement)
    return upload_file(client, write_csv(tmp_path / f"{name}.csv", recording, start_epoch_s=start_s), placement)


def page(client: TestClient, walk_id: int) -> dict:
    r = client.get(f"/api/walks/{walk_id}")
    assert r.status_code == 200, r.text
    return r.json()


def judged(client: TestClient, walk_id: int) -> tuple[list[str], list[tuple]]:
    """What a walk was judged by and what came of it: its plan's reasons and each stride's target and verdict."""
    strides = client.get(f"/api/walks/{walk_id}/strides").json()
    return page(client, walk_id)["coaching"]["reasons"], [(s["target_m"], s["overlong"]) for s in strides]


def baseline_reason(reasons: list[str]) -> str:
    (reason,) = [r for r in reasons if r.startswith("Baseline")]
    return reason


def test_a_report_for_an_undated_walk_never_marks_that_walk_nor_enters_its_plan(
    client: TestClient, tmp_path: Path
) -> None:
    # QA: a hand walk uploaded as its own accelerometer.csv.gz (no start time: dated to END at its upload, judged
    # by the plan of its upload), then pain reported for it: it was marked out of date by its own report, and
    # "Analyse again" judged it against its own pain and a baseline from walks uploaded after it
    profile = {"body_height_m": 1.75, "stride_scales": {"hand": 1.0}, "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    first = upload_file(client, oxford("Samsung_Carmelo_Hard_InHand_1"), "hand")
    later = [
        upload_file(client, oxford(name), "hand")
        for name in ("Samsung_Carmelo_Hard_InHand_2", "Pixel_Jamie_Hard_InHand_1", "Samsung_Dario_Hard_InHand_1")
    ]
    walk = page(client, first)
    assert walk["source"]["started_at_from"] == "import"
    # the later uploads are dated to end at their own upload: they start before the first walk's upload
    assert all(page(client, w)["started_at"] < walk["created_at"] for w in later)
    before = judged(client, first)
    assert "so far 0 walks, 0 strides" in baseline_reason(before[0])
    assert before[0][0].startswith("Stride coaching is switched on but inactive: no back pain")

    r = client.post("/api/pain", json={"score": 3, "walk_id": first})
    assert r.status_code == 201, r.text
    walk = page(client, first)
    assert walk["reanalysis"]["out_of_date"] is False, walk["reanalysis"]["reasons"]
    assert walk["coaching"]["added_pain_reports"] == []
    assert first not in [w["walk_id"] for w in client.post("/api/walks/reanalyse").json()["results"]]

    # analysed again on request, it is judged by the same plan: not by its own pain, not by the later walks
    r = client.post(f"/api/walks/{first}/reanalyse")
    assert r.status_code == 200, r.text
    assert r.json()["after"]["flagged_strides"] == 0
    assert judged(client, first) == before


def test_a_report_for_an_earlier_walk_marks_only_the_walks_whose_plan_it_changes(
    client: TestClient, tmp_path: Path
) -> None:
    # QA: coaching on, a pocket factor; a pocket walk 120 days ago, walks 10, 9 and 8 days ago with the phone in
    # a pocket, at the chest and a sensor on the lower back; pain reported for the old pocket walk marked all
    # three ("counted that walk as pain-free"), and analysing the chest and lower-back walks again changed nothing
    now_s = time.time()
    profile = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0, "hand": 1.0}, "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    assert client.post("/api/pain", json={"score": 4, "reported_at": iso(now_s - 30 * DAY_S)}).status_code == 201
    old = upload_dated(client, tmp_path, "Samsung_Dario_Hard_FrontPocket_2", "pocket", now_s - 120 * DAY_S)
    mid = upload_dated(client, tmp_path, "Samsung_Carmelo_Hard_InHand_1", "hand", now_s - 20 * DAY_S)
    pocket = upload_dated(client, tmp_path, "Samsung_Dario_Hard_FrontPocket_1", "pocket", now_s - 10 * DAY_S)
    chest = upload_dated(client, tmp_path, "Samsung_Carmelo_Hard_NeckPouch_2", "chest", now_s - 9 * DAY_S)
    # the last walk made with coaching switched off: its plan shows no count of pain-free walks
    assert client.patch("/api/profile", json={"changes": {"coaching": {"enabled": False}}}).status_code == 200
    back = upload_dated(client, tmp_path, "lower_back", "lower_back", now_s - 8 * DAY_S)
    later = (pocket, chest, back)
    assert "so far 1 walk," in baseline_reason(page(client, pocket)["coaching"]["reasons"])  # the old pocket walk
    assert all(not page(client, w)["reanalysis"]["out_of_date"] for w in later)

    # pain for the old pocket walk (dated at its end, 120 days ago: outside the later walks' 90 days of pain): it
    # was in the pocket walk's baseline only
    assert client.post("/api/pain", json={"score": 3, "walk_id": old}).status_code == 201
    marked = {w: page(client, w)["reanalysis"] for w in later}
    assert marked[pocket]["reasons"] == [
        "a pain report for an earlier walk (\u201cSamsung_Dario_Hard_FrontPocket_2\u201d) was added since (back pain "
        "3/10): the coaching plan it was judged by counted that walk as pain-free"
    ]
    assert not marked[chest]["out_of_date"] and not marked[back]["out_of_date"]

    # pain for the hand walk of 20 days ago, reported now: it was among the pain-free walks since the pain of 30
    # days ago that the plans with coaching on counted (the pocket and chest walks), whatever their placement
    assert client.post("/api/pain", json={"score": 5, "walk_id": mid, "reported_at": iso(now_s)}).status_code == 201
    marked = {w: page(client, w)["reanalysis"]["out_of_date"] for w in later}
    assert marked == {pocket: True, chest: True, back: False}
    assert not page(client, old)["reanalysis"]["out_of_date"] and not page(client, mid)["reanalysis"]["out_of_date"]

    # "Analyse again" changes every marked walk, and would change no unmarked one
    before = {w: judged(client, w) for w in later}
    for w in later:
        assert client.post(f"/api/walks/{w}/reanalyse").status_code == 200
        after = judged(client, w)
        assert (after != before[w]) == marked[w], (w, after[0])
        assert not page(client, w)["reanalysis"]["out_of_date"]
    assert "so far 0 walks" in baseline_reason(judged(client, pocket)[0])
    assert (
        "so far 21 days and 1 pain-free walk since that report;" in judged(client, chest)[0][1]
    )  # the pocket walk, not the hand walk


def test_a_report_for_an_undated_walk_the_later_plans_relied_on_says_it_named_that_walk(client: TestClient) -> None:
    # QA: undated uploads (a hand walk, then a pocket and a hand walk whose plans relied on it); pain reported for
    # the first (dated at its end, before the later walks' plans) marked both later walks "a pain report dated
    # before this walk was added since ... leaves it out": it names a walk their plans counted as pain-free
    profile = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0, "hand": 1.0}, "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    assert client.post("/api/pain", json={"score": 4, "reported_at": iso(time.time() - 3 * DAY_S)}).status_code == 201
    first = upload_file(client, oxford("Samsung_Carmelo_Hard_InHand_1"), "hand")
    later = [
        upload_file(client, oxford("Samsung_Dario_Hard_FrontPocket_1"), "pocket"),
        upload_file(client, oxford("Samsung_Carmelo_Hard_InHand_2"), "hand"),
    ]
    assert all(first in page(client, w)["coaching"]["relied_on_walks"] for w in later)
    assert client.post("/api/pain", json={"score": 4, "walk_id": first}).status_code == 201
    for w in later:
        assert page(client, w)["reanalysis"]["reasons"] == [
            "a pain report for an earlier walk (\u201caccelerometer\u201d) was added since (back pain 4/10): the "
            "coaching plan it was judged by counted that walk as pain-free"
        ], w
