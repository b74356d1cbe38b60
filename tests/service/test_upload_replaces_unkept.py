"""A walk uploaded before samples were kept cannot be analysed again from them: uploading its file again replaces
its analysis in place (its id, start and pain reports stay; its samples are kept from then on), as "Analyse again"
would. Anything else already stored stays refused, and ``gait live`` never replaces a walk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gait.types import Placement, Recording
from ingest.gait_csv import write_gait_csv
from service import pipeline, reanalysis, walkdate
from service.commands.live import WalkSettings, store_walk
from service.demo import import_samples
from service.pipeline import read_recording
from service.recordings import StagedRecording, recording_path
from service.settings import Settings
from service.store import NewWalk, Store
from tests.service.conftest import count_rows, synthetic_walk
from tests.service.test_coaching_honesty import write_csv
from tests.service.test_reanalysis import SAMPLES, WALK
from tests.service.test_same_walk import _from_zero, _in_g_without_last_row

OLD_VERSION = "0.0.9"
"""An analysis version naming no revision, as walks stored before samples were kept were analysed."""
START_S = datetime(2026, 11, 23, 8, 14, tzinfo=UTC).timestamp()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a temporary data dir whose store the app opens itself (``gait live`` stores into it too)."""
    return Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "no-samples")


@pytest.fixture
def client(settings: Settings) -> TestClient:
    from service.app import create_app

    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


def store_of(client: TestClient) -> Store:
    return client.app.state.store


def post(client: TestClient, path: Path, placement: str = "lower_back"):
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": placement})


def uploaded(client: TestClient, path: Path, placement: str = "lower_back") -> dict:
    r = post(client, path, placement)
    assert r.status_code == 201, r.text
    (walk,) = r.json()["walks"]
    return walk


def make_old(client: TestClient, walk_id: int) -> None:
    """As a walk stored by a version before samples were kept: no recordings/walk-N.npz, an earlier version."""
    recording_path(client.app.state.settings.recordings_dir, walk_id).unlink()
    with store_of(client).write() as conn:
        conn.execute(
            "UPDATE walks SET analysis_json = json_set(analysis_json, '$.version', ?) WHERE id = ?",
            (OLD_VERSION, walk_id),
        )


def kept(client: TestClient, walk_id: int) -> bool:
    return recording_path(client.app.state.settings.recordings_dir, walk_id).is_file()


def pain_for(client: TestClient, walk_id: int, score: int = 4) -> int:
    r = client.post("/api/pain", json={"score": score, "walk_id": walk_id})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def frozen(client: TestClient, walk_id: int) -> tuple[dict, list[dict]]:
    """A walk as stored and its strides: what a refused or failed upload leaves unchanged."""
    store = store_of(client)
    return store.get_walk(walk_id), store.strides(walk_id)


def test_uploading_an_old_walks_file_replaces_its_analysis_in_place(client: TestClient) -> None:
    walk = uploaded(client, WALK)
    report_id = pain_for(client, walk["id"])
    make_old(client, walk["id"])
    before = client.get(f"/api/walks/{walk['id']}").json()
    assert before["reanalysis"]["out_of_date"] is True and before["reanalysis"]["can_reanalyse"] is False
    # the walk page says what to do, and it is no longer "delete it first"
    why_not = before["reanalysis"]["why_not"]
    assert f"upload its file again: it replaces walk {walk['id']}'s analysis" in why_not, why_not
    assert "delete" not in why_not
    # the walker's height is set since: this version's analysis with today's profile gives other lengths
    assert client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"}).status_code == 200

    r = post(client, WALK)
    assert r.status_code == 201, r.text
    body = r.json()
    replaced = body["replaced"]
    assert [w["id"] for w in body["walks"]] == [walk["id"]] and replaced["walk_id"] == walk["id"]
    after = client.get(f"/api/walks/{walk['id']}").json()
    # the same walk: its id, name, start and place in the history; one walk stored, its pain report still its own
    assert count_rows(store_of(client), "walks") == 1
    assert (after["name"], after["started_at"]) == (before["name"], before["started_at"])
    assert [(p["id"], p["walk_id"]) for p in client.get("/api/pain").json()] == [(report_id, walk["id"])]
    # the figures before are what was stored, after what is stored now; the lengths follow the new height
    assert replaced["before"]["distance_m"] == before["summary"]["distance_m"]
    assert replaced["after"]["distance_m"] == after["summary"]["distance_m"]
    assert replaced["after"]["stride_length_m"] > replaced["before"]["stride_length_m"]
    assert after["analysis"]["version"] == pipeline.ANALYSIS_VERSION and after["analysis"]["body_height_m"] == 1.95
    # its samples are kept now, and it is not out of date: "Analyse again" works and changes nothing
    assert kept(client, walk["id"])
    status = after["reanalysis"]
    assert status["out_of_date"] is False and status["can_reanalyse"] is True, status
    again = client.post(f"/api/walks/{walk['id']}/reanalyse").json()
    assert again["before"] == again["after"] == replaced["after"]
    message = replaced["message"]
    assert message.startswith(
        f"walk {walk['id']} was uploaded before samples were kept: this file replaced its analysis ("
    )
    distance = f"distance {before['summary']['distance_m']:.0f} m -> {after['summary']['distance_m']:.0f} m"
    assert distance in message and message.endswith("its pain report stays linked"), message
    # the upload's progress names the walk
    assert client.get(f"/api/uploads/{body['upload_id']}").json()["walk_id"] == walk["id"]

    # uploaded again now, the file is refused: its samples are kept, and "Analyse again" is what to use
    r = post(client, WALK)
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert f'use "Analyse again" on walk {walk["id"]}' in detail and "delete" not in detail, detail


def test_the_same_walk_in_another_file_replaces_an_old_walk_and_keeps_that_files_samples(
    client: TestClient, tmp_path: Path
) -> None:
    walk = uploaded(client, WALK)
    make_old(client, walk["id"])
    # in g, 4 decimals, without its last row: other samples (another fingerprint), the same steps
    other = _in_g_without_last_row(read_recording(WALK), tmp_path / "walk in g.csv")
    r = post(client, other)
    assert r.status_code == 201, r.text
    assert r.json()["replaced"]["walk_id"] == walk["id"] and kept(client, walk["id"])
    assert store_of(client).walk_fingerprint(walk["id"]) == pipeline.recording_fingerprint(read_recording(other))
    assert count_rows(store_of(client), "walks") == 1
    # the walk is now this file's samples: the first file is refused as the same walk, which now has samples
    r = post(client, WALK)
    assert r.status_code == 409 and f"the same walk as walk {walk['id']}" in r.json()["detail"]
    assert "no pain report names it" in post_result_message(client, walk["id"], tmp_path)


def post_result_message(client: TestClient, walk_id: int, tmp_path: Path) -> str:
    """Make walk ``walk_id`` old again and upload its kept samples' file: the replacement's message."""
    path = tmp_path / "again.csv"
    write_gait_csv(read_recording(WALK), path)
    make_old(client, walk_id)
    r = post(client, path)
    assert r.status_code == 201, r.text
    return r.json()["replaced"]["message"]


def test_a_walk_whose_samples_are_kept_is_still_refused(client: TestClient) -> None:
    walk = uploaded(client, WALK)
    pain_for(client, walk["id"])
    unchanged = frozen(client, walk["id"])
    r = post(client, WALK)
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert f"already stored as walk {walk['id']}" in detail and "before samples were kept" not in detail
    assert frozen(client, walk["id"]) == unchanged and count_rows(store_of(client), "walks") == 1


def test_a_part_of_an_old_walk_or_a_whole_holding_one_is_still_refused(client: TestClient, tmp_path: Path) -> None:
    rec = read_recording(WALK)
    half = len(rec.time_s) // 2
    first_half = Recording(rec.time_s[:half], rec.acc_ms2[:half], rec.gyr_dps[:half])
    walk = uploaded(client, WALK)
    make_old(client, walk["id"])
    unchanged = frozen(client, walk["id"])
    r = post(client, _from_zero(first_half, tmp_path / "first half.csv"))
    assert r.status_code == 409 and f"this is a part of walk {walk['id']}" in r.json()["detail"], r.text
    assert frozen(client, walk["id"]) == unchanged and not kept(client, walk["id"])

    # the other way round: the stored old walk is the part, the upload the whole
    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    part = uploaded(client, _from_zero(first_half, tmp_path / "first half.csv"))
    make_old(client, part["id"])
    unchanged = frozen(client, part["id"])
    r = post(client, WALK)
    assert r.status_code == 409 and f"this recording holds walk {part['id']}" in r.json()["detail"], r.text
    assert frozen(client, part["id"]) == unchanged and not kept(client, part["id"])


def test_the_same_time_as_an_old_walk_replaces_it_but_a_cut_short_part_does_not(
    client: TestClient, tmp_path: Path
) -> None:
    rec = synthetic_walk(duration_s=150.0)
    walk = uploaded(client, write_csv(tmp_path / "walk.csv", rec, start_epoch_s=START_S))
    make_old(client, walk["id"])
    unchanged = frozen(client, walk["id"])
    # a third of it, cut short: it covers the same time, but it is a part of the walk
    third = len(rec.time_s) // 3
    part = write_csv(tmp_path / "part.csv", Recording(rec.time_s[:third], rec.acc_ms2[:third]), start_epoch_s=START_S)
    r = post(client, part)
    assert r.status_code == 409 and f"covers the same time as walk {walk['id']}" in r.json()["detail"]
    assert frozen(client, walk["id"]) == unchanged
    # another file of the same time (other samples: another cadence), the whole of it: it replaces the walk
    r = post(
        client,
        write_csv(tmp_path / "same time.csv", synthetic_walk(step_hz=1.7, duration_s=150.0), start_epoch_s=START_S),
    )
    assert r.status_code == 201, r.text
    assert r.json()["replaced"]["walk_id"] == walk["id"] and kept(client, walk["id"])
    after = store_of(client).get_walk(walk["id"])
    assert after["started_at"] == unchanged[0]["started_at"] and after["cadence_spm"] != unchanged[0]["cadence_spm"]


def test_an_old_walk_is_not_replaced_when_another_walk_refuses_the_upload_too(
    client: TestClient, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "walk.csv", synthetic_walk(duration_s=150.0), start_epoch_s=START_S)
    walk = uploaded(client, path)
    make_old(client, walk["id"])
    # a live walk of the same time (stored as the dashboard stores one: its samples in its journal, none here)
    started = datetime.fromtimestamp(START_S + 5.0, UTC).isoformat(timespec="seconds")
    live_id = store_of(client).add_walk(
        NewWalk(name="live", origin="live", started_at=started, summary={"duration_s": 140.0, "steps": 250})
    )
    unchanged = frozen(client, walk["id"])
    r = post(client, path)
    assert r.status_code == 409 and f"live walk {live_id}" in r.json()["detail"], r.text
    assert frozen(client, walk["id"]) == unchanged and not kept(client, walk["id"])
    assert count_rows(store_of(client), "walks") == 2


def test_an_old_walk_uploaded_again_as_another_placement_is_corrected_in_place(client: TestClient) -> None:
    # uploaded as waist before samples were kept, really worn at the lower back; a waist factor then, none now
    assert client.put("/api/profile", json={"placement": "waist", "stride_scales": {"waist": 1.2}}).status_code == 200
    walk = uploaded(client, WALK, placement="waist")
    report_id = pain_for(client, walk["id"])
    make_old(client, walk["id"])
    r = post(client, WALK, placement="lower_back")
    assert r.status_code == 201, r.text
    replaced = r.json()["replaced"]
    assert (replaced["placement_before"], replaced["placement"]) == ("waist", "lower_back")
    assert replaced["message"].startswith(
        f"walk {walk['id']} was uploaded before samples were kept: this file replaced its analysis (placement waist "
        "-> lower back: strides "
    ), replaced["message"]
    assert replaced["message"].endswith("its pain report stays linked")
    after = client.get(f"/api/walks/{walk['id']}").json()
    assert count_rows(store_of(client), "walks") == 1 and after["placement"] == "lower_back"
    assert after["analysis"]["stride_scale"] is None and after["summary"]["distance_m"] < walk["summary"]["distance_m"]
    assert [(p["id"], p["walk_id"]) for p in client.get("/api/pain").json()] == [(report_id, walk["id"])]
    # its samples are kept now, and it is up to date as a lower-back walk
    assert kept(client, walk["id"])
    assert after["reanalysis"]["out_of_date"] is False and after["reanalysis"]["can_reanalyse"] is True


def test_an_old_walk_uploaded_again_without_a_placement_keeps_its_own(client: TestClient) -> None:
    walk = uploaded(client, WALK, placement="waist")
    make_old(client, walk["id"])
    # "as the file says": the file says none, and the profile's usual placement is another one
    assert client.put("/api/profile", json={"placement": "lower_back"}).status_code == 200
    with WALK.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (WALK.name, fh)})
    assert r.status_code == 201, r.text
    assert r.json()["replaced"]["placement"] == "waist"
    assert client.get(f"/api/walks/{walk['id']}").json()["placement"] == "waist"


def test_a_refused_upload_of_a_kept_walk_says_how_to_correct_its_placement(client: TestClient) -> None:
    walk = uploaded(client, WALK)
    unchanged = frozen(client, walk["id"])
    r = post(client, WALK, placement="waist")
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert f"already stored as walk {walk['id']}" in detail and f'use "Analyse again" on walk {walk["id"]}' in detail
    assert '("analyse as another placement"): the walk keeps its id and pain reports' in detail
    assert "upload this file again" not in detail and "delete" not in detail
    assert frozen(client, walk["id"]) == unchanged


def test_a_sample_walk_is_still_refused(client: TestClient, settings: Settings) -> None:
    store = store_of(client)
    import_samples(store, SAMPLES)
    sample = next(w for w in store.list_walks(limit=100) if w["source"].get("file") == WALK.name)
    unchanged = frozen(client, sample["id"])
    r = post(client, WALK)
    assert r.status_code == 409 and "sample recording already shown as walk" in r.json()["detail"], r.text
    assert frozen(client, sample["id"]) == unchanged and not kept(client, sample["id"])


def test_a_failure_while_replacing_leaves_the_old_walk_as_it_was(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk = uploaded(client, WALK)
    pain_for(client, walk["id"])
    make_old(client, walk["id"])
    client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"})
    unchanged = frozen(client, walk["id"])
    pain = client.get("/api/pain").json()

    def power_cut(self: StagedRecording, walk_ids: list[int]) -> None:
        raise RuntimeError("power cut")

    # the samples are placed last, inside the transaction that swapped the strides and figures: all rolled back
    monkeypatch.setattr(StagedRecording, "place", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        post(client, WALK)
    assert frozen(client, walk["id"]) == unchanged and client.get("/api/pain").json() == pain
    assert not kept(client, walk["id"])
    assert list(client.app.state.settings.recordings_dir.iterdir()) == []  # nor a staged file left


def test_gait_live_storing_a_journal_never_replaces_an_old_walk(client: TestClient, settings: Settings, tmp_path: Path):
    """``gait live`` stores its journal through the upload's path: a journal is never an old upload's file."""
    rec = read_recording(WALK)
    journal = tmp_path / "journal.csv"
    write_gait_csv(replace(rec, time_s=rec.time_s - rec.time_s[0]), journal)
    walk = uploaded(client, journal)
    make_old(client, walk["id"])
    unchanged = frozen(client, walk["id"])
    kept_walk = store_walk(
        settings,
        journal,
        WalkSettings(Placement.LOWER_BACK, None, None, None, None, False),
        None,
        name="again",
        height_given=False,
        live_steps=73,
    )
    assert (kept_walk.walk_id, kept_walk.reason) == (None, "same_walk"), kept_walk
    assert f"already stored as walk {walk['id']}" in kept_walk.words
    assert frozen(client, walk["id"]) == unchanged and not kept(client, walk["id"])


def test_an_old_walk_dated_again_while_its_file_replaces_it_is_judged_by_the_plan_of_its_new_date(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk = uploaded(client, WALK)  # a gait CSV from 0 s: dated to end at its upload, today
    make_old(client, walk["id"])
    felt = (datetime.now(UTC) - timedelta(days=10)).isoformat(timespec="seconds")
    report = client.post("/api/pain", json={"score": 5, "reported_at": felt})
    assert report.status_code == 201, report.text
    walked = (datetime.now(UTC) - timedelta(days=20)).replace(microsecond=0)  # before the report
    analysed = reanalysis.analysis_again
    starts: list[str] = []

    def dated_in_another_tab_meanwhile(store: Store, old: dict, *args: object) -> NewWalk:
        starts.append(old["started_at"])
        if len(starts) == 1:
            walkdate.change_walk_start(store, walk["id"], walked.isoformat(), reanalysis.SampleFolders.of(settings))
        return analysed(store, old, *args)

    monkeypatch.setattr(reanalysis, "analysis_again", dated_in_another_tab_meanwhile)
    r = post(client, WALK)
    assert r.status_code == 201, r.text
    assert r.json()["replaced"]["walk_id"] == walk["id"] and kept(client, walk["id"])
    assert starts == [walk["started_at"], walked.isoformat()]  # started over from the walk at its new date
    after = client.get(f"/api/walks/{walk['id']}").json()
    assert after["started_at"] == walked.isoformat() and count_rows(store_of(client), "walks") == 1
    # the plan of its new date rests on no pain report (it was felt 10 days later); the old date's plan did
    assert after["coaching"]["pain_reports"] == [] and "dates_changed" not in after["coaching"]
    assert not after["reanalysis"]["out_of_date"]
