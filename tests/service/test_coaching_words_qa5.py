"""What a walk's coaching says when its strides cannot be judged, and the usual pace the walk-length plan uses: a
chest walk is judged against nothing (not "this walk's first 20 strides"), an uncalibrated waist walk says why none
of its lengths is trusted and what to do, and the usual pace leaves out walks whose distance nobody calibrated.

Real phone recordings (sample_recordings/ and the Oxford step-counter data of ../shared/data/dev) uploaded through
the API onto a real SQLite file.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.service.test_coaching_honesty import iso
from tests.service.test_pain_marks_changed_plans import OXFORD, oxford, page, upload_dated, upload_file

DAY_S = 86400.0
SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data not found at {OXFORD}"),
    pytest.mark.timeout(300),
]


def coaching_on(client: TestClient, **profile: object) -> None:
    body = {"body_height_m": 1.75, "coaching": {"enabled": True}, **profile}
    assert client.put("/api/profile", json=body).status_code == 200
    assert client.post("/api/pain", json={"score": 4, "reported_at": iso(time.time() - 3 * DAY_S)}).status_code == 201


def test_a_chest_walk_is_judged_against_nothing(client: TestClient) -> None:
    # QA: the API said judged_against "this walk's first 20 strides" for a chest walk, which has no length model
    coaching_on(client)
    walk = page(client, upload_file(client, oxford("Samsung_Carmelo_Hard_NeckPouch_2"), "chest"))
    assert walk["coaching"]["judged_against"] is None
    assert any("a chest sensor has no stride-length model" in r for r in walk["coaching"]["reasons"])
    strides = client.get(f"/api/walks/{walk['id']}/strides").json()
    assert strides and {(s["target_m"], s["overlong"]) for s in strides} == {(None, None)}


def test_an_uncalibrated_waist_walk_says_why_its_lengths_are_not_trusted_and_what_to_do(
    client: TestClient, tmp_path: Path
) -> None:
    # QA: a waist walk (no waist factor; every stride's confidence 0.5) said only "this walk had 0 trusted walking
    # strides, fewer than the 20 that set a walk's own level"
    coaching_on(client)
    walk = page(client, upload_file(client, SAMPLES / "oxford_phone_in_bag.csv", "waist"))
    strides = client.get(f"/api/walks/{walk['id']}/strides").json()
    assert strides and max(s["confidence"] for s in strides) <= 0.5
    (said,) = [r for r in walk["coaching"]["reasons"] if "this walk had 0 trusted walking strides" in r]
    assert (
        "Its lengths are not trusted: a waist sensor's stride lengths have confidence 0.50 without a calibration "
        "factor (below the 0.60 the coach needs), and a body height does not change that. Calibrate its factor with "
        "a walk of known distance"
    ) in said, said
    assert said.endswith("then analyse this walk again.")

    # with a waist factor the lengths are trusted, and the sentence is gone
    assert client.patch("/api/profile", json={"changes": {"stride_scales": {"waist": 1.0}}}).status_code == 200
    assert client.post(f"/api/walks/{walk['id']}/reanalyse").status_code == 200
    assert not any("Its lengths are not trusted" in r for r in page(client, walk["id"])["coaching"]["reasons"])


def test_the_usual_pace_leaves_out_walks_whose_distance_nobody_calibrated(client: TestClient, tmp_path: Path) -> None:
    # QA: "the median of 11 recent walks" took in an uncalibrated hand walk, whose distance is a guess
    now_s = time.time()
    coaching_on(client, stride_scales={"pocket": 1.0})
    pockets = [
        upload_dated(client, tmp_path, name, "pocket", now_s - (10 - i) * DAY_S)
        for i, name in enumerate(("Samsung_Dario_Hard_FrontPocket_1", "Samsung_Dario_Hard_FrontPocket_2"))
    ]
    hand = upload_dated(client, tmp_path, "Samsung_Carmelo_Hard_InHand_1", "hand", now_s - 5 * DAY_S)
    summaries = {w: page(client, w)["summary"] for w in (*pockets, hand)}
    assert all(s["walking_time_s"] >= 120.0 for s in summaries.values())  # all of them walks of two minutes
    hand_strides = client.get(f"/api/walks/{hand}/strides").json()
    assert max(s["confidence"] for s in hand_strides) < 0.6  # no hand factor: no trusted length

    r = client.post("/api/pain", json={"score": 3, "walk_id": pockets[0], "onset_distance_m": 150, "onset_time_s": 90})
    assert r.status_code == 201, r.text
    rec = client.get("/api/coaching").json()["plan"]["recommendation"]
    pace_mps = statistics.median(summaries[w]["distance_m"] / summaries[w]["walking_time_s"] for w in pockets)
    assert rec["pace_mps"] == pytest.approx(pace_mps, rel=1e-3)
    assert "the median of 2 recent walks" in rec["reason"], rec["reason"]
