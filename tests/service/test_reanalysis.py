"""Kept samples and re-analysis: an upload's samples are kept beside the database, with it or not at all, and a
stored walk is analysed again with this version and the current profile, in one transaction."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from gait.types import Placement
from service import pipeline, reanalysis
from service.app import create_app
from service.demo import import_samples
from service.pipeline import read_recording
from service.recordings import StagedRecording, load_recording, recording_path
from service.settings import Settings
from service.store import NewWalk, Store
from tests.service.conftest import LOOPBACK, count_rows
from tests.service.test_livehub import run_hub

SAMPLES = Path(__file__).resolve().parents[2] / "sample_recordings"
WALK = SAMPLES / "mobgap_lower_back_daily_living_2.csv"
"""A real lower-back recording (100 Hz, accelerometer and gyroscope) whose file states no body height."""
OTHER = SAMPLES / "mobgap_lower_back_straight_walk.csv"
"""A short real walk (11 steps): a live walk of it is kept, an upload of it is too little walking to store."""
OTHER_UPLOAD = SAMPLES / "mobgap_lower_back_daily_living.csv"
"""Another real lower-back recording (86 steps) to upload beside :data:`WALK`."""


def upload(client: TestClient, path: Path, **data: str) -> dict:
    files = {"file": (path.name, path.read_bytes())}
    r = client.post("/api/uploads", files=files, data={"placement": "lower_back", **data})
    assert r.status_code == 201, r.text
    return r.json()["walks"][0]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def folders(settings: Settings) -> reanalysis.SampleFolders:
    return reanalysis.SampleFolders(settings.recordings_dir, settings.journal_dir, settings.samples_dir)


# -- kept samples ------------------------------------------------------------------------------------------------


def test_an_upload_keeps_its_samples_and_deleting_the_walk_deletes_them(client: TestClient, settings: Settings) -> None:
    walk = upload(client, WALK)
    kept = load_recording(recording_path(settings.recordings_dir, walk["id"]))
    read = read_recording(WALK)
    np.testing.assert_array_equal(kept.time_s, read.time_s)
    np.testing.assert_array_equal(kept.acc_ms2, read.acc_ms2)
    np.testing.assert_array_equal(kept.gyr_dps, read.gyr_dps)
    # the placement chosen at upload is kept with the samples (the file does not say it)
    assert read.placement is None and kept.placement is Placement.LOWER_BACK
    assert files_in(settings.recordings_dir) == [f"walk-{walk['id']}.npz"]

    assert client.delete(f"/api/walks/{walk['id']}").status_code == 200
    assert files_in(settings.recordings_dir) == []


def test_deleting_a_live_walk_deletes_its_journal(client: TestClient, store: Store, settings: Settings) -> None:
    walk_id, _ = run_hub(store, settings.data_dir, recording=read_recording(OTHER, placement=Placement.LOWER_BACK))
    assert files_in(settings.journal_dir) == [f"walk-{walk_id}.csv", f"walk-{walk_id}.json"]
    assert client.delete(f"/api/walks/{walk_id}").status_code == 200
    assert files_in(settings.journal_dir) == []


def test_a_refused_upload_leaves_no_file(client: TestClient, settings: Settings) -> None:
    first = upload(client, WALK)
    again = client.post(
        "/api/uploads", files={"file": ("copy.csv", WALK.read_bytes())}, data={"placement": "lower_back"}
    )
    assert again.status_code == 409
    assert files_in(settings.recordings_dir) == [f"walk-{first['id']}.npz"]


@pytest.mark.parametrize("samples_placed", [False, True], ids=["before-placing", "after-placing"])
def test_a_failure_inside_the_insert_transaction_stores_neither_walk_nor_samples(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, samples_placed: bool
) -> None:
    recordings = tmp_path / "recordings"
    place = StagedRecording.place

    def disk_full(self: StagedRecording, walk_ids: list[int]) -> None:
        if samples_placed:
            # The samples took their walk's name, then the transaction failed (its commit on a disk just filled up):
            # they must go with the walk, or a later walk given the same id finds somebody else's samples as its own.
            place(self, walk_ids)
            assert files_in(recordings) == [f"walk-{walk_ids[0]}.npz"]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(StagedRecording, "place", disk_full)
    with pytest.raises(OSError, match="No space"):
        pipeline.process_file(
            WALK, store=store, name="w", origin="upload", placement=Placement.LOWER_BACK, keep_samples_in=recordings
        )
    assert count_rows(store, "walks") == 0 and count_rows(store, "strides") == 0
    assert files_in(recordings) == []


def test_orphan_samples_and_journals_are_removed_at_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "none")
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        walk = upload(client, WALK)
    kept = f"walk-{walk['id']}.npz"
    # a crash between a rename and its commit, an interrupted upload, a journal whose deletion failed
    shutil.copy(settings.recordings_dir / kept, settings.recordings_dir / "walk-999.npz")
    (settings.recordings_dir / ".upload-0123abcd.npz.tmp").write_bytes(b"partial")
    settings.journal_dir.mkdir(parents=True, exist_ok=True)
    (settings.journal_dir / "walk-998.csv").write_text("time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n")
    (settings.journal_dir / "walk-998.json").write_text("{}")
    with (
        caplog.at_level(logging.INFO, logger="service.app"),
        TestClient(create_app(settings), base_url=LOOPBACK) as client,
    ):
        assert client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]["samples_kept"] is True
    assert files_in(settings.recordings_dir) == [kept]
    assert files_in(settings.journal_dir) == []
    # QA17 #11: the start-up line says what the files were ("removed 1 kept-sample or journal files" said neither)
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("removed ")]
    assert said == [
        "removed 4 files left over from an interrupted upload or live walk, or from a deleted walk (samples or "
        "journals of no stored walk)"
    ]
    (settings.recordings_dir / ".upload-0123abcd.npz.tmp").write_bytes(b"partial")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="service.app"), TestClient(create_app(settings), base_url=LOOPBACK):
        pass
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("removed ")] == [
        "removed 1 file left over from an interrupted upload or live walk, or from a deleted walk (samples or a "
        "journal of no stored walk)"
    ]


# -- re-analysis ---------------------------------------------------------------------------------------------------


def test_a_height_change_makes_the_walk_out_of_date_and_reanalysis_changes_lengths_not_cadence(
    client: TestClient,
) -> None:
    walk = upload(client, WALK)
    before = client.get(f"/api/walks/{walk['id']}/strides").json()
    assert client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]["out_of_date"] is False

    client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"})
    status = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]
    assert status["out_of_date"] is True and status["can_reanalyse"] is True
    assert status["reasons"] == ["analysed with no height; your profile now says 1.95 m"]
    assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 1

    r = client.post(f"/api/walks/{walk['id']}/reanalyse")
    assert r.status_code == 200, r.text
    result = r.json()
    after = client.get(f"/api/walks/{walk['id']}/strides").json()
    # the same strides at the same times and cadences; a taller walker's model strides are longer
    assert [(s["start_s"], s["end_s"], s["cadence_spm"]) for s in after] == [
        (s["start_s"], s["end_s"], s["cadence_spm"]) for s in before
    ]
    assert all(a["length_m"] > b["length_m"] for a, b in zip(after, before, strict=True) if b["length_m"])
    assert result["before"]["stride_length_m"] == walk["summary"]["stride_length_m"]
    assert result["after"]["stride_length_m"] > result["before"]["stride_length_m"]
    assert result["after"]["cadence_spm"] == result["before"]["cadence_spm"]
    stored = client.get(f"/api/walks/{walk['id']}").json()
    assert stored["summary"]["stride_length_m"] == result["after"]["stride_length_m"]
    assert stored["analysis"]["body_height_m"] == 1.95 and stored["reanalysis"]["out_of_date"] is False
    assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 0


def test_a_height_change_leaves_walks_whose_lengths_do_not_rest_on_a_height_up_to_date(client: TestClient) -> None:
    """A pocket phone's step-length model and a shoe sensor's integration use no body height: a new height gives
    the same lengths, so such walks are not called out of date (QA: 'Analyse all 5 again' gave 1.45 -> 1.45 m)."""
    pocket = upload(client, SAMPLES / "oxford_phone_back_pocket.csv", placement="pocket")
    foot = upload(client, SAMPLES / "gaitmap_left_foot.csv", placement="foot", side="left")
    back = upload(client, OTHER_UPLOAD)
    client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"})
    state = {
        name: client.get(f"/api/walks/{w['id']}").json()["reanalysis"]["out_of_date"]
        for name, w in (("pocket", pocket), ("foot", foot), ("back", back))
    }
    assert state == {"pocket": False, "foot": False, "back": True}
    # and a height change would indeed not move their lengths: analysed again anyway, the same figures
    r = client.post(f"/api/walks/{pocket['id']}/reanalyse")
    assert r.status_code == 200, r.text
    assert r.json()["after"]["stride_length_m"] == r.json()["before"]["stride_length_m"]


def test_a_calibration_factor_scales_the_lengths_of_its_placement(client: TestClient) -> None:
    walk = upload(client, WALK)
    before = client.get(f"/api/walks/{walk['id']}/strides").json()
    client.put("/api/profile", json={"placement": "lower_back", "stride_scales": {"lower_back": 1.1}})
    assert client.post(f"/api/walks/{walk['id']}/reanalyse").status_code == 200
    after = client.get(f"/api/walks/{walk['id']}/strides").json()
    ratios = [a["length_m"] / b["length_m"] for a, b in zip(after, before, strict=True) if b["length_m"]]
    assert ratios and np.allclose(ratios, 1.1, rtol=1e-3)


def test_reanalysis_is_idempotent_and_matches_the_upload(client: TestClient, store: Store) -> None:
    walk = upload(client, WALK)
    uploaded = store.strides(walk["id"])
    first = client.post(f"/api/walks/{walk['id']}/reanalyse").json()
    once = store.strides(walk["id"])
    second = client.post(f"/api/walks/{walk['id']}/reanalyse").json()
    assert once == uploaded and store.strides(walk["id"]) == once
    assert first["after"] == first["before"] == second["after"]
    assert count_rows(store, "strides") == len(uploaded)


def test_a_crash_while_the_analysis_is_swapped_leaves_the_old_one(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk = upload(client, WALK)
    old_strides, old_walk = store.strides(walk["id"]), store.get_walk(walk["id"])
    client.put("/api/profile", json={"body_height_m": 1.95, "placement": "lower_back"})

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    # the old rows are deleted and the summary updated before the new rows go in: all of it rolled back
    monkeypatch.setattr(Store, "_insert_rows", staticmethod(crash))
    with pytest.raises(RuntimeError, match="power cut"):
        reanalysis.reanalyse_walk(store, walk["id"], folders(client.app.state.settings))
    assert store.strides(walk["id"]) == old_strides
    assert store.get_walk(walk["id"]) == old_walk


def test_unknown_walk_walk_without_samples_and_live_walk_are_refused_clearly(
    client: TestClient, store: Store, settings: Settings
) -> None:
    r = client.post("/api/walks/424242/reanalyse")
    assert r.status_code == 404 and r.json()["detail"].startswith("no walk with id 424242")

    walk = upload(client, WALK)
    # as a walk uploaded before samples were kept
    recording_path(settings.recordings_dir, walk["id"]).unlink()
    r = client.post(f"/api/walks/{walk['id']}/reanalyse")
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert (
        f"uploaded before samples were kept: upload its file again: it replaces walk {walk['id']}'s analysis" in detail
    )
    assert "delete" not in detail  # the upload replaces it in place (tests/service/test_upload_replaces_unkept.py)
    status = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]
    assert status["can_reanalyse"] is False and "upload its file again" in status["why_not"]

    live_id = store.start_live_walk(NewWalk(name="now", origin="live"))
    r = client.post(f"/api/walks/{live_id}/reanalyse")
    assert r.status_code == 409 and "being recorded live" in r.json()["detail"]


def test_reanalyse_all_reports_each_walk_and_one_failure_does_not_stop_the_others(
    client: TestClient, settings: Settings
) -> None:
    broken = upload(client, WALK)
    good = upload(client, OTHER_UPLOAD)
    recording_path(settings.recordings_dir, broken["id"]).write_bytes(b"not a recording")
    client.put("/api/profile", json={"body_height_m": 1.6, "placement": "lower_back"})
    assert client.get("/api/walks/reanalysis").json() == {
        "walks": 2,
        "reanalysable": 2,
        "out_of_date": 2,
        "out_of_date_plan_changed": 0,  # a height, not a pain report
        "out_of_date_without_samples": 0,
        "out_of_date_by_reason": {
            "version": 0,
            "height": 2,
            "factor": 0,
            "mixed_baseline": 0,
            "pain": 0,
            "deleted_walk": 0,
            "date": 0,
        },
        "version_changes": [],
        "current_version": pipeline.ANALYSIS_VERSION,
    }
    batch = client.post("/api/walks/reanalyse").json()
    assert batch["reanalysed"] == 1 and batch["failed"] == 1
    by_id = {r["walk_id"]: r for r in batch["results"]}
    assert by_id[good["id"]]["ok"] is True and by_id[good["id"]]["after"]["stride_length_m"] is not None
    assert by_id[broken["id"]]["ok"] is False and "cannot be read" in by_id[broken["id"]]["error"]
    # which walk each is, failed or not: its date and placement beside its name (two uploads of one file name)
    for walk in (good, broken):
        result = by_id[walk["id"]]
        assert (result["name"], result["started_at"], result["placement"]) == (
            walk["name"],
            walk["started_at"],
            walk["placement"],
        )
    assert client.get(f"/api/walks/{good['id']}").json()["reanalysis"]["out_of_date"] is False


def test_an_older_version_is_out_of_date(client: TestClient, store: Store) -> None:
    # a version naming no analysis revision: what changed since is unknown, so the walk is out of date (a revision
    # that cannot change the walk does not make it so: tests/service/test_reanalyse_whole_qa10.py)
    walk = upload(client, WALK)
    with store.write() as conn:
        conn.execute("UPDATE walks SET analysis_json = json_set(analysis_json, '$.version', '0.0.9')")
    reasons = client.get(f"/api/walks/{walk['id']}").json()["reanalysis"]["reasons"]
    assert reasons == [f"analysed by version 0.0.9; this is {pipeline.ANALYSIS_VERSION}"]
    assert client.post("/api/walks/reanalyse").json()["reanalysed"] == 1
    assert client.get(f"/api/walks/{walk['id']}").json()["analysis"]["version"] == pipeline.ANALYSIS_VERSION


def test_a_live_walk_is_reanalysed_from_its_journal_with_the_current_height(
    client: TestClient, store: Store, settings: Settings
) -> None:
    walk_id, _ = run_hub(
        store, settings.data_dir, recording=read_recording(OTHER, placement=Placement.LOWER_BACK), body_height_m=1.6
    )
    live = store.strides(walk_id)
    cues = store.cues(walk_id)
    client.put("/api/profile", json={"body_height_m": 1.9, "placement": "lower_back"})
    r = client.post(f"/api/walks/{walk_id}/reanalyse")
    assert r.status_code == 200, r.text
    again = store.strides(walk_id)
    assert [(s["start_s"], s["cadence_spm"]) for s in again] == [(s["start_s"], s["cadence_spm"]) for s in live]
    assert all(a["length_m"] > b["length_m"] for a, b in zip(again, live, strict=True) if b["length_m"])
    assert store.cues(walk_id) == cues and store.get_walk(walk_id)["origin"] == "live"


def test_a_sample_walk_is_reanalysed_from_its_sample_file_with_its_own_heights(tmp_path: Path, store: Store) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("mobgap_lower_back_straight_walk.csv", "mobgap_lower_back_straight_walk.reference.json"):
        shutil.copy(SAMPLES / name, samples / name)
    (walk_id,) = import_samples(store, samples)
    where = reanalysis.SampleFolders(tmp_path / "recordings", tmp_path / "journal", samples)
    imported = store.strides(walk_id)
    store.put_profile({"body_height_m": 2.0, "placement": "lower_back"})
    # the profile is not the sample walker's: a sample walk is never out of date for it
    status = reanalysis.walk_status(store.get_walk(walk_id), pipeline.coaching.load_profile(store), where)
    assert status["out_of_date"] is False and status["can_reanalyse"] is True
    result = reanalysis.reanalyse_walk(store, walk_id, where)
    assert store.strides(walk_id) == imported and result["after"] == result["before"]
    # a sample file that now holds other samples is not this walk's
    (samples / "mobgap_lower_back_straight_walk.csv").write_bytes(OTHER.read_bytes().replace(b"0.01", b"0.0101", 1))
    with pytest.raises(reanalysis.NoSamplesError, match="no longer in the samples folder"):
        reanalysis.reanalyse_walk(store, walk_id, where)


def test_analysing_again_keeps_the_coaching_opt_in_the_walk_was_made_with(client: TestClient) -> None:
    # QA: a walk uploaded with coaching off was flagged after "Analyse all again" once coaching was switched on
    coached_sample = SAMPLES / "mobgap_lower_back_daily_living.csv"  # 30 trusted strides: sets its level, flags
    assert client.post("/api/pain", json={"score": 4}).status_code == 201
    client.put("/api/profile", json={"placement": "lower_back", "body_height_m": 1.59, "coaching": {"enabled": True}})
    on = upload(client, coached_sample)
    assert on["summary"]["flagged_strides"] > 0 and on["coaching"]["enabled"] is True
    client.put("/api/profile", json={"placement": "lower_back", "body_height_m": 1.59, "coaching": {"enabled": False}})
    off = upload(client, WALK)
    assert off["summary"]["flagged_strides"] == 0 and off["coaching"]["active"] is False
    # the opt-in flips; each walk is analysed again as it was made
    client.put("/api/profile", json={"placement": "lower_back", "body_height_m": 1.59, "coaching": {"enabled": True}})
    again_off = client.post(f"/api/walks/{off['id']}/reanalyse").json()
    assert again_off["after"]["flagged_strides"] == 0
    assert client.get(f"/api/walks/{off['id']}").json()["coaching"]["active"] is False
    client.put("/api/profile", json={"placement": "lower_back", "body_height_m": 1.59, "coaching": {"enabled": False}})
    again_on = client.post(f"/api/walks/{on['id']}/reanalyse").json()
    assert again_on["after"]["flagged_strides"] == on["summary"]["flagged_strides"]
    assert client.get(f"/api/walks/{on['id']}").json()["coaching"]["active"] is True


def test_a_sample_walk_stored_before_fingerprints_were_kept_is_analysed_again_and_keeps_one_from_then_on(
    tmp_path: Path, store: Store
) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("mobgap_lower_back_straight_walk.csv", "mobgap_lower_back_straight_walk.reference.json"):
        shutil.copy(SAMPLES / name, samples / name)
    (walk_id,) = import_samples(store, samples)
    fingerprint = store.walk_fingerprint(walk_id)
    imported = store.strides(walk_id)
    with store.write() as conn:  # as an older version stored it
        conn.execute("UPDATE walks SET recording_sha256 = NULL WHERE id = ?", (walk_id,))
    assert store.walk_fingerprint(walk_id) is None
    where = reanalysis.SampleFolders(tmp_path / "recordings", tmp_path / "journal", samples)
    result = reanalysis.reanalyse_walk(store, walk_id, where)
    assert store.strides(walk_id) == imported and result["after"] == result["before"]
    assert fingerprint is not None and store.walk_fingerprint(walk_id) == fingerprint
    # from then on the file is checked: one that now holds other samples is not this walk's
    (samples / "mobgap_lower_back_straight_walk.csv").write_bytes(OTHER.read_bytes().replace(b"0.01", b"0.0101", 1))
    with pytest.raises(reanalysis.NoSamplesError, match="no longer in the samples folder"):
        reanalysis.reanalyse_walk(store, walk_id, where)
