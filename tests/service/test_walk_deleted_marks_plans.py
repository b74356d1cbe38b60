"""Deleting a walk marks the later walks whose coaching plan rested on it (its baseline, its count of pain-free
walks) out of date, as deleting a pain report they rested on does: their page says so, the reanalysis overview
counts them, the DELETE response says how many, and "Analyse again" judges them without it.

Real phone recordings of the Oxford step-counter data set (../shared/data/dev), uploaded as CSVs dated by an epoch
column, on a real SQLite file through the API.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest import load
from service.settings import Settings
from tests.service.test_coaching_honesty import iso, post_file, write_csv

DAY_S = 86400.0
REPO = Path(__file__).resolve().parents[2]
OXFORD = REPO.parent / "shared" / "data" / "dev" / "oxford_step_counter" / "optimisation" / "data"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not OXFORD.is_dir(), reason=f"shared dev data not found at {OXFORD}"),
    pytest.mark.timeout(300),
]

POCKET_WALKS = (
    "Samsung_Dario_Hard_FrontPocket_1",
    "Samsung_Dario_Hard_FrontPocket_2",
    "Samsung_Carmelo_Hard_FrontPocket_1",
    "Samsung_Carmelo_Hard_FrontPocket_2",
    "Pixel_Jamie_Hard_FrontPocket_1",
    "Pixel_Jamie_Hard_FrontPocket_2",
)


def upload_pocket(client: TestClient, tmp_path: Path, name: str, start_s: float) -> int:
    """Oxford front-pocket recording ``name`` as a CSV dated to start at ``start_s``."""
    recording = load(OXFORD / name / "accelerometer.csv.gz", placement="pocket")
    r = post_file(client, write_csv(tmp_path / f"{name}.csv", recording, start_epoch_s=start_s), placement="pocket")
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]["id"]


def upload_days_ago(client: TestClient, tmp_path: Path, days_ago: tuple[float, ...]) -> list[int]:
    """The first pocket walks, one started each of ``days_ago`` days ago; their ids."""
    now_s = time.time()
    starts = zip(POCKET_WALKS[: len(days_ago)], days_ago, strict=True)
    return [upload_pocket(client, tmp_path, name, now_s - days * DAY_S) for name, days in starts]


def page(client: TestClient, walk_id: int) -> dict:
    r = client.get(f"/api/walks/{walk_id}")
    assert r.status_code == 200, r.text
    return r.json()


def baseline_reason(coaching: dict) -> str:
    (reason,) = [r for r in coaching["reasons"] if r.startswith("Baseline")]
    return reason


def overview(client: TestClient) -> dict:
    r = client.get("/api/walks/reanalysis")
    assert r.status_code == 200, r.text
    return r.json()


def test_deleting_a_baseline_walk_marks_the_later_walks_whose_plan_rested_on_it(
    client: TestClient, tmp_path: Path
) -> None:
    # QA: pocket walks over weeks, then a walk judged against "from ... strides in N baseline walks"; one of those
    # walks deleted: no walk was out of date, the later walk's page still cited its baseline, and "Analyse again"
    # changed its flagged strides
    now_s = time.time()
    profile = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0}, "coaching": {"enabled": True}}
    assert client.put("/api/profile", json=profile).status_code == 200
    a, b, c, d = upload_days_ago(client, tmp_path, (20, 15, 10, 8))
    assert client.post("/api/pain", json={"score": 5, "reported_at": iso(now_s - 5 * DAY_S)}).status_code == 201
    w = upload_pocket(client, tmp_path, POCKET_WALKS[4], now_s - 2 * DAY_S)
    before = page(client, w)
    assert before["coaching"]["relied_on_walks"] == [a, b, c, d]
    assert "in 4 baseline walks" in baseline_reason(before["coaching"])
    assert before["summary"]["flagged_strides"] > 0  # coaching on, back pain 5 days before: strides are judged
    # the walks after b counted it (c towards a baseline, d and w in theirs); a came before it
    assert page(client, b)["rested_on_by"] == [c, d, w]
    assert page(client, w)["rested_on_by"] == [] and overview(client)["out_of_date"] == 0

    r = client.delete(f"/api/walks/{b}")
    assert r.status_code == 200, r.text
    assert r.json()["walk_id"] == b and r.json()["marked_out_of_date"] == [c, d, w]
    assert f"walk {b} deleted; the coaching of 3 later walks (walks {c}, {d}, {w}) rested on it" in r.json()["message"]
    assert "marked out of date" in r.json()["message"]

    counts = overview(client)
    assert counts["out_of_date"] == 3 and counts["out_of_date_by_reason"]["deleted_walk"] == 3
    # no pain report changed: the pain page's count of plans a report changed stays 0
    assert counts["out_of_date_by_reason"]["pain"] == 0 and counts["out_of_date_plan_changed"] == 0
    assert not page(client, a)["reanalysis"]["out_of_date"]
    after = page(client, w)
    assert after["reanalysis"]["reasons"] == [
        f"a walk the coaching plan it was judged by counted (in its baseline or its pain-free walks) was deleted "
        f"since (walk {b})"
    ]
    assert after["reanalysis"]["reason_kinds"] == ["deleted_walk"] and after["reanalysis"]["plan_changed"] is False
    assert after["coaching"]["deleted_walks"] == [b]
    assert after["coaching"]["reasons"] == before["coaching"]["reasons"]  # the plan of then stays, as history

    # "Analyse all again" judges each marked walk without it, oldest first, and nothing is left out of date
    batch = client.post("/api/walks/reanalyse").json()
    assert [(x["walk_id"], x["ok"]) for x in batch["results"]] == [(c, True), (d, True), (w, True)]
    assert overview(client)["out_of_date"] == 0
    redone = page(client, w)
    assert redone["coaching"]["relied_on_walks"] == [a, c, d] and redone["coaching"]["deleted_walks"] == []
    assert "in 3 baseline walks" in baseline_reason(redone["coaching"])
    assert redone["summary"]["flagged_strides"] != before["summary"]["flagged_strides"]
    # d had a personal baseline of a, b and c: without b, too few walks for one
    assert "none of your own yet" in baseline_reason(page(client, d)["coaching"])


def test_with_coaching_off_only_a_personal_baseline_counts_and_a_new_walk_never_takes_the_deleted_id(
    client: TestClient, tmp_path: Path
) -> None:
    # coaching off: a plan shows only its baseline, and only a personal one rests on its walks. The walk is judged
    # against walks uploaded after it (analysed again once they were), so the deleted walk has the highest id: a
    # store that reused ids would give it to the next upload and hide the deletion
    now_s = time.time()
    profile = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0}, "coaching": {"enabled": False}}
    assert client.put("/api/profile", json=profile).status_code == 200
    w = upload_pocket(client, tmp_path, POCKET_WALKS[4], now_s - 2 * DAY_S)
    a, b, c = upload_days_ago(client, tmp_path, (20, 15, 10))
    assert client.post(f"/api/walks/{w}/reanalyse").status_code == 200
    assert page(client, w)["coaching"]["relied_on_walks"] == [a, b, c]
    # c's plan (a population default with a and b towards a baseline) shows nothing of b: only w's rests on it
    assert page(client, c)["coaching"]["relied_on_walks"] == [a, b]
    assert page(client, b)["rested_on_by"] == [w] and page(client, c)["rested_on_by"] == [w]

    r = client.delete(f"/api/walks/{c}")
    assert r.status_code == 200 and r.json()["marked_out_of_date"] == [w], r.text
    why = [f"a walk of the personal baseline it was judged against was deleted since (walk {c})"]
    assert page(client, w)["reanalysis"]["reasons"] == why
    later = upload_pocket(client, tmp_path, POCKET_WALKS[5], now_s - DAY_S)
    assert later > c
    assert page(client, w)["reanalysis"]["reasons"] == why
    assert overview(client)["out_of_date_by_reason"]["deleted_walk"] == 1

    assert client.post(f"/api/walks/{w}/reanalyse").status_code == 200
    redone = page(client, w)
    assert not redone["reanalysis"]["out_of_date"] and c not in redone["coaching"]["relied_on_walks"]


def test_a_marked_walk_whose_samples_are_not_kept_is_told_to_upload_its_file_again(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    # "Analyse again" is impossible for a walk uploaded before samples were kept: the answer says what is possible
    profile = {"body_height_m": 1.75, "stride_scales": {"pocket": 1.0}, "coaching": {"enabled": False}}
    assert client.put("/api/profile", json=profile).status_code == 200
    a, b, c, w = upload_days_ago(client, tmp_path, (20, 15, 10, 2))
    assert page(client, w)["coaching"]["relied_on_walks"] == [a, b, c] and page(client, c)["rested_on_by"] == [w]
    (settings.recordings_dir / f"walk-{w}.npz").unlink()  # as an upload of before samples were kept
    assert page(client, w)["reanalysis"]["can_reanalyse"] is False

    r = client.delete(f"/api/walks/{c}")
    assert r.status_code == 200 and r.json()["marked_out_of_date"] == [w], r.text
    message = r.json()["message"]
    assert message.startswith(f"walk {c} deleted; the coaching of 1 later walk (walk {w}) rested on it"), message
    assert "Analyse again" not in message and "Analyse all again" not in message
    assert f"walk {w} was uploaded before samples were kept: upload its file again" in message
    assert message.endswith(page(client, w)["reanalysis"]["why_not"]), message  # as its page words it
